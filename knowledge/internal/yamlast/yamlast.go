// Package yamlast holds the small readings of goccy/go-yaml's syntax tree
// that the knowledge files' decoder (package knowledge) and the real-question
// sets' decoder (knowledge/eval) share: each keeps its own messages.
package yamlast

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// SyntaxError is a YAML syntax error with where it was found: Line and
// Col are 0 when the parser gave no position.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

// Parse parses src. A syntax error comes back as a *SyntaxError.
func Parse(src []byte) (*ast.File, error) {
	f, err := parser.ParseBytes(src, 0)
	if err == nil {
		return f, nil
	}
	var ye interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
		p := ye.GetToken().Position
		return nil, &SyntaxError{Line: p.Line, Col: p.Column, Msg: ye.GetMessage()}
	}
	return nil, &SyntaxError{Msg: strings.TrimSpace(err.Error())}
}

func (e *SyntaxError) Error() string { return "YAML syntax error: " + e.Msg }

// Unwrap looks through tags and anchors to the value.
func Unwrap(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.TagNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		default:
			return n
		}
	}
}

// Entries returns a mapping's key–value entries, and false if n is not a
// mapping.
func Entries(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

// Scalar returns the text of a string, literal, number or boolean, and
// false for anything else (null, a mapping, a list, an alias).
func Scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// Pos returns the line and column n starts at, 0 and 0 when the tree does
// not say. A document with no body (a "---" with nothing after it) is
// placed at its "---": asking its body for a token would dereference nil.
func Pos(n ast.Node) (line, col int) {
	var tk *token.Token
	switch d := n.(type) {
	case nil:
		return 0, 0
	case *ast.DocumentNode:
		if d.Body == nil {
			tk = d.Start
		} else {
			tk = d.Body.GetToken()
		}
	default:
		tk = n.GetToken()
	}
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}
