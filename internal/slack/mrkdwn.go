package slack

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The knowledge base writes answers in Markdown; Slack speaks mrkdwn. The
// conversion parses the Markdown with goldmark and writes mrkdwn back out,
// escaping every piece of text so that nothing in it (a hostile question
// echoed by the core, a stray "<!channel>" in a topic) can become a Slack
// control sequence. The only "<...>" sequences in the output are links this
// file builds from validated http(s) or mailto URLs.

var markdown = goldmark.New()

// renderMode selects the output dialect of the Markdown walker.
type renderMode int

const (
	// modeMrkdwn writes Slack mrkdwn: *bold*, _italics_, <url|text> links.
	modeMrkdwn renderMode = iota
	// modePlain writes plain text for notifications and screen readers:
	// no emphasis markers, links as "text (url)". It is still escaped,
	// because Slack parses the fallback text too.
	modePlain
)

// toMrkdwn converts Markdown to Slack mrkdwn.
func toMrkdwn(md string) string {
	return strings.Join(markdownBlocks(md, modeMrkdwn), "\n\n")
}

// toPlain converts Markdown to escaped plain text.
func toPlain(md string) string {
	return strings.Join(markdownBlocks(md, modePlain), "\n\n")
}

// markdownBlocks converts Markdown to one string per top-level block
// (paragraph, list, heading...), so long text can be split between
// sections at paragraph boundaries.
func markdownBlocks(md string, mode renderMode) []string {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	w := &mdWriter{src: src, mode: mode}
	var out []string
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		var b strings.Builder
		w.block(&b, n, "")
		if s := strings.TrimSpace(b.String()); s != "" {
			out = append(out, s)
		}
	}
	return out
}

type mdWriter struct {
	src  []byte
	mode renderMode
}

// block writes one block node; indent prefixes continuation lines of list
// items so nested lists stay readable.
func (w *mdWriter) block(b *strings.Builder, n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		w.inlines(b, n)
	case *ast.Heading:
		var h strings.Builder
		w.inlines(&h, n)
		if w.mode == modeMrkdwn && strings.TrimSpace(h.String()) != "" {
			b.WriteString("*" + strings.TrimSpace(h.String()) + "*")
		} else {
			b.WriteString(h.String())
		}
	case *ast.List:
		num := n.Start
		first := true
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			if !first {
				b.WriteString("\n" + indent)
			}
			first = false
			marker := "• "
			if n.IsOrdered() {
				marker = strconv.Itoa(num) + ". "
				num++
			}
			b.WriteString(marker)
			w.children(b, item, indent+"    ", "\n"+indent+"    ")
		}
	case *ast.Blockquote:
		var q strings.Builder
		w.children(&q, n, "", "\n")
		if strings.TrimSpace(q.String()) == "" {
			return
		}
		// Slack quotes only at the start of a line, so a quote nested in a
		// list is written as plain lines.
		marker := ""
		if w.mode == modeMrkdwn && indent == "" {
			marker = "> "
		}
		for i, l := range strings.Split(q.String(), "\n") {
			if i > 0 {
				b.WriteString("\n" + indent)
			}
			b.WriteString(marker + l)
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		var code strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			code.Write(seg.Value(w.src))
		}
		body := escapeText(strings.TrimRight(code.String(), "\n"))
		if _, ok := n.(*ast.HTMLBlock); ok || w.mode == modePlain {
			b.WriteString(body)
		} else {
			b.WriteString("```\n" + body + "\n```")
		}
	case *ast.ThematicBreak:
		b.WriteString("———")
	default:
		// Unknown block kinds (extensions are not enabled, so rare): write
		// their children as text rather than dropping content.
		w.children(b, n, indent, "\n"+indent)
	}
}

// children writes the block children of n separated by sep.
func (w *mdWriter) children(b *strings.Builder, n ast.Node, indent, sep string) {
	first := true
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if !first {
			b.WriteString(sep)
		}
		first = false
		if c.Type() == ast.TypeInline {
			w.inline(b, c)
			continue
		}
		w.block(b, c, indent)
	}
}

func (w *mdWriter) inlines(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		w.inline(b, c)
	}
}

func (w *mdWriter) inline(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		if n.IsRaw() {
			b.WriteString(escapeText(string(n.Value(w.src))))
		} else {
			b.WriteString(escapeText(unescapeMarkdown(n.Value(w.src))))
		}
		switch {
		case n.HardLineBreak():
			b.WriteString("\n")
		case n.SoftLineBreak():
			b.WriteString(" ")
		}
	case *ast.String:
		b.WriteString(escapeText(string(n.Value)))
	case *ast.CodeSpan:
		var code strings.Builder
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				code.Write(t.Value(w.src))
			} else if s, ok := c.(*ast.String); ok {
				code.Write(s.Value)
			}
		}
		if w.mode == modeMrkdwn {
			b.WriteString("`" + escapeText(code.String()) + "`")
		} else {
			b.WriteString(escapeText(code.String()))
		}
	case *ast.Emphasis:
		var inner strings.Builder
		w.inlines(&inner, n)
		s := inner.String()
		if w.mode == modePlain || strings.TrimSpace(s) == "" {
			b.WriteString(s)
			return
		}
		// Slack only recognises markers next to non-space characters, so
		// keep surrounding spaces outside them.
		lead, core, trail := splitSpace(s)
		mark := "_"
		if n.Level >= 2 {
			mark = "*"
		}
		b.WriteString(lead + mark + core + mark + trail)
	case *ast.Link:
		w.link(b, unescapeMarkdown(n.Destination), w.plainText(n))
	case *ast.Image:
		w.link(b, unescapeMarkdown(n.Destination), w.plainText(n))
	case *ast.AutoLink:
		u := string(n.URL(w.src))
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
			u = "mailto:" + u
		}
		w.link(b, u, string(n.Label(w.src)))
	case *ast.RawHTML:
		// Raw HTML, including "<!channel>"-like declarations, is shown as
		// the literal text the author typed, escaped.
		var raw strings.Builder
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			raw.Write(seg.Value(w.src))
		}
		b.WriteString(escapeText(raw.String()))
	default:
		w.inlines(b, n)
	}
}

// plainText returns the unformatted text inside an inline node (a link's
// label), without escaping.
func (w *mdWriter) plainText(n ast.Node) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.WriteString(unescapeMarkdown(c.Value(w.src)))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteString(" ")
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(w.src))
			case *ast.RawHTML:
				for i := 0; i < c.Segments.Len(); i++ {
					seg := c.Segments.At(i)
					b.Write(seg.Value(w.src))
				}
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// link writes a link. An unsafe or unparsable URL is dropped and only the
// label is kept, so a link can never carry anything but an http(s) or
// mailto URL.
func (w *mdWriter) link(b *strings.Builder, rawURL, label string) {
	u, ok := safeURL(rawURL)
	label = strings.TrimSpace(label)
	if !ok {
		b.WriteString(escapeText(label))
		return
	}
	if w.mode == modePlain {
		if label == "" || label == rawURL {
			b.WriteString(u)
		} else {
			b.WriteString(escapeText(label) + " (" + u + ")")
		}
		return
	}
	if label == rawURL {
		b.WriteString("<" + u + ">")
		return
	}
	b.WriteString(slackLink(u, label))
}

// slackLink formats an already-safe URL and a raw label as <url|label>.
// The label is stripped of "|" and ">" (which would end the link early)
// and escaped.
func slackLink(safe, label string) string {
	label = strings.Map(func(r rune) rune {
		if r == '|' || r == '>' || r == '<' {
			return -1
		}
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, label)
	label = strings.TrimSpace(label)
	if label == "" {
		return "<" + safe + ">"
	}
	return "<" + safe + "|" + escapeText(label) + ">"
}

// safeURL validates a link destination and encodes it for use inside
// <...>: only absolute http(s) URLs with a host, or mailto, are allowed;
// characters that would end or split a Slack link are percent-encoded and
// "&" is written as "&amp;" as Slack expects.
func safeURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2000 {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false
		}
	default:
		return "", false
	}
	// Write the scheme in lower case; Slack only links lower-case schemes.
	raw = strings.ToLower(u.Scheme) + raw[len(u.Scheme):]
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '|', r == '<', r == '>', r == '"', r == ' ', r == '`', r < 0x20, r == 0x7f:
			for _, c := range []byte(string(r)) {
				b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c), 16)))
			}
		case unicode.IsSpace(r) || !unicode.IsPrint(r):
			b.WriteString(url.PathEscape(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

// escapeText escapes Slack's three control characters. Once escaped, no
// text can form "<!channel>", "<@U123>" or a link. Control characters other
// than newline and tab are dropped.
func escapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\n', '\t':
			b.WriteRune(r)
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescapeMarkdown resolves Markdown backslash escapes and HTML character
// references the way an HTML renderer would, so "\*" and "&amp;" show as
// "*" and "&" (which escapeText then escapes again for Slack).
func unescapeMarkdown(v []byte) string {
	v = util.UnescapePunctuations(v)
	v = util.ResolveNumericReferences(v)
	v = util.ResolveEntityNames(v)
	return strings.ReplaceAll(string(v), "\x00", "\uFFFD")
}

// splitSpace splits leading and trailing white space off s.
func splitSpace(s string) (lead, core, trail string) {
	core = strings.TrimLeftFunc(s, unicode.IsSpace)
	lead = s[:len(s)-len(core)]
	trimmed := strings.TrimRightFunc(core, unicode.IsSpace)
	trail = core[len(trimmed):]
	return lead, trimmed, trail
}

// slackToken matches Slack's formatted references in incoming text:
// <@U123>, <#C123|general>, <!here>, <https://x|label>.
var slackToken = regexp.MustCompile(`<([^<>]*)>`)

// slackUnescaper undoes the three entity escapes Slack applies to text.
var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// fromSlack turns the text of a Slack message or slash command into the
// plain question the core expects: mentions and special commands are
// removed, channel references become "#name", links become their label,
// and Slack's entity escapes are undone.
func fromSlack(s string) string {
	s = slackToken.ReplaceAllStringFunc(s, func(tok string) string {
		inner := tok[1 : len(tok)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
			return " "
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				return "#" + label
			}
			return " "
		case hasLabel:
			return label
		default:
			return target
		}
	})
	s = slackUnescaper.Replace(s)
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
