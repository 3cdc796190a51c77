package knowledge

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/summitbot/summitbot/knowledge/internal/yamlast"
)

// A small decoder over goccy/go-yaml's AST. Decoding field by field instead
// of with yaml.Unmarshal lets validation report every problem at once, each
// at the line and column of the offending key or value.

// str is a scalar string with the position it came from.
type str struct {
	V         string
	Line, Col int
}

type decoder struct {
	path       string
	lineOffset int // lines before the YAML text in the file (1 for front matter)
	problems   *Problems
	// pages maps each source URL in the file, without its scheme, to the
	// first URL seen for it, to warn when one page is listed over both http
	// and https.
	pages map[string]str
}

// samePage warns when u is the page of an earlier URL in the file with the
// other scheme.
func (d *decoder) samePage(u str) {
	_, rest, ok := strings.Cut(u.V, "://")
	if !ok {
		return
	}
	if d.pages == nil {
		d.pages = map[string]str{}
	}
	if first, seen := d.pages[rest]; seen {
		if first.V != u.V {
			d.add(Warning, u.Line, u.Col, "%q is the same page as %q (line %d): list it once, as the facts files give it", u.V, first.V, first.Line+d.lineOffset)
		}
		return
	}
	d.pages[rest] = u
}

func (d *decoder) add(sev Severity, line, col int, format string, args ...any) {
	*d.problems = append(*d.problems, Problem{Path: d.path, Line: line + d.lineOffset, Col: col, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) errAt(n ast.Node, format string, args ...any) {
	line, col := pos(n)
	d.add(Error, line, col, format, args...)
}

func (d *decoder) errStr(s str, format string, args ...any) {
	d.add(Error, s.Line, s.Col, format, args...)
}

func pos(n ast.Node) (int, int) {
	if line, col := yamlast.Pos(n); line > 0 {
		return line, col
	}
	return 1, 1
}

// parse parses YAML text and returns the body of its single document, or
// nil after reporting a syntax error.
func (d *decoder) parse(src []byte) (ast.Node, bool) {
	f, err := yamlast.Parse(src)
	if err != nil {
		var se *yamlast.SyntaxError
		errors.As(err, &se)
		line, col := se.Line, se.Col
		if line == 0 {
			line, col = 1, 1
		}
		d.add(Error, line, col, "YAML syntax error: %s", se.Msg)
		(*d.problems)[len(*d.problems)-1].blocking = true
		return nil, false
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, true
	}
	if len(f.Docs) > 1 {
		d.errAt(f.Docs[1], "only one YAML document is allowed here")
	}
	return unwrap(f.Docs[0].Body), true
}

func unwrap(n ast.Node) ast.Node { return yamlast.Unwrap(n) }

// fields returns a mapping's entries, keyed by name, after checking each key
// is known. It reports duplicate and unknown keys.
func (d *decoder) fields(n ast.Node, what string, known ...string) (map[string]ast.Node, map[string]str, bool) {
	entries, ok := yamlast.Entries(unwrap(n))
	if !ok {
		d.errAt(n, "%s must be a mapping of fields", what)
		return nil, nil, false
	}
	vals := make(map[string]ast.Node, len(entries))
	keys := make(map[string]str, len(entries))
	for _, e := range entries {
		line, col := pos(e.Key)
		name := strings.TrimSpace(e.Key.String())
		if _, dup := vals[name]; dup {
			d.add(Error, line, col, "duplicate field %q in %s", name, what)
			continue
		}
		if !slices.Contains(known, name) {
			d.add(Error, line, col, "unknown field %q in %s (known fields: %s)", name, what, strings.Join(known, ", "))
			continue
		}
		vals[name] = unwrap(e.Value)
		keys[name] = str{V: name, Line: line, Col: col}
	}
	return vals, keys, true
}

// scalar reads a scalar as text. ok is false for null, mappings and sequences.
func (d *decoder) scalar(n ast.Node, field string) (str, bool) {
	line, col := pos(n)
	s := str{Line: line, Col: col}
	v := unwrap(n)
	if text, ok := yamlast.Scalar(v); ok {
		s.V = strings.TrimSpace(text)
		return s, true
	}
	switch v.(type) {
	case nil, *ast.NullNode:
		return s, false
	case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
		d.errAt(n, "%s must be a single value, not a list or mapping", field)
		return s, false
	case *ast.AliasNode:
		d.errAt(n, "%s: YAML aliases are not supported", field)
		return s, false
	default:
		d.errAt(n, "%s has an unsupported value", field)
		return s, false
	}
}

// required reads field f of the mapping item (whose fields are vals) as a
// non-empty scalar, reporting it missing otherwise.
func (d *decoder) required(vals map[string]ast.Node, item ast.Node, what, f string) (str, bool) {
	s, ok := d.scalar(vals[f], what+"."+f)
	if !ok || s.V == "" {
		d.errAt(item, "%s is missing %q", what, f)
		return s, false
	}
	return s, true
}

// list reads a sequence of nodes. A missing or null value is an empty list.
func (d *decoder) list(n ast.Node, field string) []ast.Node {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		out := make([]ast.Node, 0, len(v.Values))
		for _, x := range v.Values {
			out = append(out, unwrap(x))
		}
		return out
	default:
		d.errAt(n, "%s must be a list", field)
		return nil
	}
}

// isList reports whether n is a list, or missing or null (an empty list).
// Where it is not, list has reported it already: a caller that checks a
// list for length asks this first so as not to report an empty list too.
func isList(n ast.Node) bool {
	switch unwrap(n).(type) {
	case nil, *ast.NullNode, *ast.SequenceNode:
		return true
	}
	return false
}

// strings reads a list of scalars, reporting empty entries.
func (d *decoder) strings(n ast.Node, field string) []str {
	return d.stringsOf(d.list(n, field), field)
}

// stringsOf reads the items of a list (from list) as scalars, reporting
// empty entries.
func (d *decoder) stringsOf(items []ast.Node, field string) []str {
	var out []str
	for i, x := range items {
		s, ok := d.scalar(x, fmt.Sprintf("%s[%d]", field, i))
		if !ok || s.V == "" {
			if ok || isNull(x) {
				d.errAt(x, "%s[%d] is empty", field, i)
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func isNull(n ast.Node) bool {
	_, ok := unwrap(n).(*ast.NullNode)
	return n == nil || ok
}
