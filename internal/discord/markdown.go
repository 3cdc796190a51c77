package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord counts limits in characters (code points); so does this file.

const ellipsis = "…"

// mentionBreaker puts a zero-width space after the @ of every mention.
var mentionBreaker = strings.NewReplacer(
	"@everyone", "@\u200beveryone",
	"@here", "@\u200bhere",
	"<@", "<@\u200b",
)

// neutralizeMentions stops text from pinging anyone even if allowed
// mentions were ignored: a zero-width space after the @ keeps the text
// readable but breaks @everyone, @here, <@id>, <@!id> and <@&id>.
func neutralizeMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return mentionBreaker.Replace(s)
}

// escapeMarkdown escapes the characters Discord treats as formatting, for
// plain text (source titles, examples people typed) shown in Markdown.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[', ']':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// oneLine folds runs of whitespace (newlines included) into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clipPlain cuts s to at most max characters, ending with "…" if cut. It is
// for text without Markdown links (titles, labels, choice names).
func clipPlain(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max == 1 {
		return ellipsis
	}
	r := []rune(s)[:max-1]
	out := strings.TrimRightFunc(string(r), unicode.IsSpace)
	return strings.TrimRight(out, "\\") + ellipsis
}

// clipRunes cuts s to at most max characters with no marker, for values
// that must stay machine-readable (autocomplete values).
func clipRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max])
}

// token is a piece of Markdown: plain text that may be cut anywhere, or an
// atom (a link, an autolink or a bare URL) that is kept whole or dropped.
type token struct {
	text string
	atom bool
	// for [text](url) links:
	linkText, url string
}

// tokenize splits s into plain runs and link atoms.
func tokenize(s string) []token {
	var toks []token
	plainStart := 0
	flush := func(end int) {
		if end > plainStart {
			toks = append(toks, token{text: s[plainStart:end]})
		}
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			_, size := utf8.DecodeRuneInString(s[i+1:])
			i += 1 + size
			continue
		case s[i] == '[':
			if end, text, url, ok := parseLink(s, i); ok {
				flush(i)
				toks = append(toks, token{text: s[i:end], atom: true, linkText: text, url: url})
				i, plainStart = end, end
				continue
			}
		case s[i] == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 && isURL(s[i+1:i+end]) {
				flush(i)
				toks = append(toks, token{text: s[i : i+end+1], atom: true})
				i, plainStart = i+end+1, i+end+1
				continue
			}
		case s[i] == 'h' && (strings.HasPrefix(s[i:], "https://") || strings.HasPrefix(s[i:], "http://")):
			end := i + strings.IndexFunc(s[i:], unicode.IsSpace)
			if end < i {
				end = len(s)
			}
			flush(i)
			toks = append(toks, token{text: s[i:end], atom: true})
			i, plainStart = end, end
			continue
		}
		i++
	}
	flush(len(s))
	return toks
}

func isURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) &&
		!strings.ContainsFunc(s, unicode.IsSpace)
}

// parseLink parses "[text](url)" at s[i] and returns the end offset.
func parseLink(s string, i int) (end int, text, url string, ok bool) {
	depth := 0
	j := i
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
		case '\n':
			if j+1 < len(s) && s[j+1] == '\n' {
				return 0, "", "", false
			}
		}
		if depth == 0 {
			break
		}
	}
	if j+1 >= len(s) || s[j] != ']' || s[j+1] != '(' {
		return 0, "", "", false
	}
	text = s[i+1 : j]
	k := j + 2
	pd := 1
	for ; k < len(s); k++ {
		switch s[k] {
		case '(':
			pd++
		case ')':
			pd--
		case '\n', ' ', '\t':
			return 0, "", "", false
		}
		if pd == 0 {
			break
		}
	}
	if k >= len(s) || pd != 0 {
		return 0, "", "", false
	}
	return k + 1, text, s[j+2 : k], true
}

// clipMarkdown cuts Markdown to at most max characters without breaking a
// link: a [text](url) link is kept whole, its text shortened, or dropped.
// A cut ends with "…" at a word boundary where one is near, and closes a
// dangling ** or ` so the rest of the message is not swallowed.
func clipMarkdown(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	toks := tokenize(s)
	budget := max - 1
	for budget > 0 {
		out := cutTokens(toks, budget)
		n := utf8.RuneCountInString(out)
		if n <= max {
			return out
		}
		budget -= n - max
	}
	return clipPlain(s, max)
}

// minLinkText is the shortest link text worth keeping when shortening.
const minLinkText = 8

// cutTokens takes tokens while budget lasts, then closes the Markdown and
// appends the ellipsis (which the budget does not include).
func cutTokens(toks []token, budget int) string {
	var b strings.Builder
	used := 0
	cutInPlain := false
	for _, t := range toks {
		n := utf8.RuneCountInString(t.text)
		if used+n <= budget {
			b.WriteString(t.text)
			used += n
			continue
		}
		left := budget - used
		switch {
		case !t.atom:
			r := []rune(t.text)
			b.WriteString(string(r[:left]))
			// A cut right before a space or punctuation is already at a word boundary.
			cutInPlain = unicode.IsLetter(r[left]) || unicode.IsDigit(r[left])
		case t.url != "":
			// Shorten the link's text if enough of it would remain.
			room := left - utf8.RuneCountInString(t.url) - utf8.RuneCountInString("[…]()")
			if room >= minLinkText {
				text := strings.TrimRight(clipRunes(t.linkText, room), "\\")
				text = strings.TrimRightFunc(text, unicode.IsSpace)
				b.WriteString("[" + text + "…](" + t.url + ")")
				return closeMarkdown(b.String()) // already ends with an ellipsis inside the link
			}
		}
		break
	}
	out := b.String()
	if cutInPlain {
		// Back off to a word boundary if one is close.
		if i := strings.LastIndexFunc(out, unicode.IsSpace); i >= 0 && utf8.RuneCountInString(out[i:]) <= 30 {
			// Never back off into an atom: only if the tail is plain text.
			if !strings.Contains(out[i:], "](") && !strings.Contains(out[i:], "://") {
				out = out[:i]
			}
		}
	}
	out = strings.TrimRightFunc(out, unicode.IsSpace)
	out = strings.TrimRight(out, "\\")
	out = strings.TrimRightFunc(out, func(r rune) bool { return strings.ContainsRune(",;:-–—([", r) })
	return closeMarkdown(out) + ellipsis
}

// closeMarkdown closes an unbalanced inline code span or ** after a cut.
// Links and URLs are skipped when counting.
func closeMarkdown(s string) string {
	var plain strings.Builder
	for _, t := range tokenize(s) {
		if !t.atom {
			plain.WriteString(t.text)
		}
	}
	p := plain.String()
	p = strings.ReplaceAll(p, "\\`", "")
	p = strings.ReplaceAll(p, "\\*", "")
	if strings.Count(p, "`")%2 == 1 {
		s += "`"
		// inside a code span, asterisks are literal
		p = p[:strings.LastIndex(p, "`")]
	}
	if strings.Count(p, "**")%2 == 1 {
		s += "**"
	}
	return s
}

// urlEscaper percent-encodes what would end or break a Markdown link's (…).
var urlEscaper = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E")

// safeURL makes an http(s) URL safe inside (…) of a Markdown link, or
// returns "" if it is not an http(s) URL.
func safeURL(u string) string {
	if !isURL(u) {
		return ""
	}
	return urlEscaper.Replace(u)
}

// mdLink formats a link with escaped text, or just the text if url is unusable.
func mdLink(text, url string) string {
	text = escapeMarkdown(oneLine(text))
	if u := safeURL(url); u != "" {
		return "[" + text + "](" + u + ")"
	}
	return text
}
