package knowledge

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a Problem stops a knowledge base from loading.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

// Problem is one thing wrong in a knowledge folder, located by file, line and
// column (1-based; 0 when the problem concerns a whole file).
type Problem struct {
	Path     string
	Line     int
	Col      int
	Severity Severity
	Message  string
	// Skipped marks a file left out of the knowledge base (a named pipe, a
	// symlink leading out of the folder, a stray file in topics/), which
	// the people who put it there should hear of.
	Skipped bool
	// blocking marks a problem that stopped a file from being read at all
	// (a YAML syntax error, a binary file): listed first, since it explains
	// the problems that follow from it.
	blocking bool
}

// String formats the problem as "path:line:col: message", the form editors
// and CI annotations understand. Warnings carry a "warning: " prefix.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Path)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, max(p.Col, 1))
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of problems in file order.
type Problems []Problem

// Errors counts the problems with Severity Error.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(blockingFirst(a, b), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

func blockingFirst(a, b Problem) int {
	switch {
	case a.blocking == b.blocking:
		return 0
	case a.blocking:
		return -1
	}
	return 1
}

// ValidationError is returned by Load when the knowledge folder has errors.
// Problems holds every error and warning found, not just the first.
type ValidationError struct {
	Problems Problems
}

func (e *ValidationError) Error() string {
	n := e.Problems.Errors()
	for _, p := range e.Problems {
		if p.Severity == Error {
			if n == 1 {
				return "invalid knowledge base: " + p.String()
			}
			return fmt.Sprintf("invalid knowledge base: %s (and %d more errors)", p.String(), n-1)
		}
	}
	return "invalid knowledge base"
}
