package realset

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/summitbot/summitbot/knowledge/internal/yamlast"
)

// raw is one entry as written, with the line it starts on.
type raw struct {
	Question string
	URL      string
	// Expect is nil when missing or null, a string for a scalar, or []any
	// for a list: its items are strings, or the nodes of anything else.
	Expect any
	line   int
}

// unmarshal reads the entries of a set from goccy/go-yaml's syntax tree, as
// knowledge/ reads its files: each entry keeps the line it starts on, and a
// malformed document is reported at its line and column. (yaml.Unmarshal
// gave no lines, and panicked on some documents, such as a tagged scalar
// where the list belongs.)
func unmarshal(src []byte, out *[]raw) error {
	f, err := yamlast.Parse(src)
	if err != nil {
		var se *yamlast.SyntaxError
		if errors.As(err, &se) && se.Line > 0 {
			return fmt.Errorf("%d:%d: %w", se.Line, se.Col, err)
		}
		return err
	}
	if len(f.Docs) == 0 {
		return nil
	}
	if len(f.Docs) > 1 {
		return errorAt(f.Docs[1], "only one YAML document is allowed")
	}
	switch body := unwrap(f.Docs[0].Body).(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		for i, item := range body.Values {
			r, err := entry(unwrap(item), i+1)
			if err != nil {
				return err
			}
			*out = append(*out, r)
		}
		return nil
	default:
		return errorAt(body, "cannot decode the set: it is a list of entries (- question: …), not %s", describe(body))
	}
}

// entry reads the i'th entry: a mapping of question, url and expect.
func entry(n ast.Node, i int) (raw, error) {
	fields, ok := yamlast.Entries(n)
	if !ok {
		return raw{}, errorAt(n, "cannot decode entry %d: it is a mapping of question, url and expect, not %s", i, describe(n))
	}
	r := raw{line: lineOf(n)}
	for _, kv := range fields {
		v := unwrap(kv.Value)
		var err error
		switch key := strings.TrimSpace(kv.Key.String()); key {
		case "question":
			r.Question, err = text(v, key)
		case "url":
			r.URL, err = text(v, key)
		case "expect":
			r.Expect, err = expect(v)
		default:
			err = errorAt(kv.Key, "unknown field %q in entry %d (known fields: question, url, expect)", key, i)
		}
		if err != nil {
			return raw{}, err
		}
	}
	return r, nil
}

// text reads a scalar's text; null is "".
func text(n ast.Node, field string) (string, error) {
	if s, ok := yamlast.Scalar(n); ok {
		return s, nil
	}
	switch n.(type) {
	case nil, *ast.NullNode:
		return "", nil
	}
	return "", errorAt(n, "%s is a single value, not %s", field, describe(n))
}

// expect reads expect: nil when missing or null, a scalar's text, or a
// list's items (strings, or the node of any other item, for Parse to
// refuse).
func expect(n ast.Node) (any, error) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		if isNull(n) {
			return nil, nil
		}
		s, err := text(n, "expect")
		if err != nil {
			return nil, errorAt(n, "expect is none or a list of topic ids, not %s", describe(n))
		}
		return s, nil
	}
	items := make([]any, 0, len(seq.Values))
	for _, x := range seq.Values {
		if s, ok := unwrap(x).(*ast.StringNode); ok {
			items = append(items, s.Value)
		} else {
			items = append(items, unwrap(x))
		}
	}
	return items, nil
}

func isNull(n ast.Node) bool {
	_, null := n.(*ast.NullNode)
	return n == nil || null
}

// unwrap looks through tags and anchors to the value.
func unwrap(n ast.Node) ast.Node { return yamlast.Unwrap(n) }

func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias (aliases are not supported)"
	}
	return "a single value"
}

func lineOf(n ast.Node) int {
	line, _ := yamlast.Pos(n)
	return line
}

// errorAt is an error at n's line and column.
func errorAt(n ast.Node, format string, args ...any) error {
	line, col := yamlast.Pos(n)
	return fmt.Errorf("%d:%d: %s", line, col, fmt.Sprintf(format, args...))
}
