package knowledge

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

var markdown = goldmark.New()

// body splits a topic's Markdown body into the answer (the first paragraph)
// and the details (everything after it), and checks the answer. It returns
// the file line of the answer.
func (l *loader) body(p string, t *Topic, body []byte, bodyLine int) int {
	errAt := func(line int, format string, args ...any) {
		l.problems = append(l.problems, Problem{Path: p, Line: line, Col: 1, Severity: Error, Message: fmt.Sprintf(format, args...)})
	}
	doc := markdown.Parser().Parse(text.NewReader(body))
	first := doc.FirstChild()
	if first == nil {
		errAt(bodyLine, "the body is empty: its first paragraph is the answer the bot posts")
		return bodyLine
	}
	para, ok := first.(*ast.Paragraph)
	if !ok || para.Lines().Len() == 0 {
		errAt(bodyLine+lineOf(body, firstOffset(first)), "the body must start with a plain paragraph (the answer), not a %s", kindName(first))
		return bodyLine
	}
	lines := para.Lines()
	start, stop := lines.At(0).Start, lines.At(lines.Len()-1).Stop
	line := bodyLine + lineOf(body, start)
	t.Answer = strings.Join(strings.Fields(string(body[start:stop])), " ")
	t.Details = strings.TrimSpace(string(body[stop:]))
	if n := utf8.RuneCountInString(t.Answer); n > MaxAnswer {
		errAt(line, "the answer (first paragraph) is %d characters; the limit is %d (move the rest to later paragraphs)", n, MaxAnswer)
	}
	// The answer is posted on every platform: keep it to bold, italics and links.
	_ = ast.Walk(para, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n == para {
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Text, *ast.String, *ast.Emphasis, *ast.Link:
			if link, ok := n.(*ast.Link); ok {
				if err := checkURL(string(link.Destination)); err != nil {
					errAt(line, "link in the answer: %v", err)
				}
			}
			return ast.WalkContinue, nil
		default:
			errAt(line, "the answer may use only bold, italics and links, not %s", kindName(n))
			return ast.WalkSkipChildren, nil
		}
	})
	return line
}

func firstOffset(n ast.Node) int {
	for c := n; c != nil; c = c.FirstChild() {
		if c.Type() == ast.TypeBlock && c.Lines().Len() > 0 {
			return c.Lines().At(0).Start
		}
	}
	return 0
}

func lineOf(b []byte, offset int) int {
	if offset > len(b) {
		offset = len(b)
	}
	return strings.Count(string(b[:offset]), "\n")
}

func kindName(n ast.Node) string {
	name := n.Kind().String()
	var b strings.Builder
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
