// Package report writes the moderators' reports for people: plain text for
// a terminal, Markdown for pasting into an issue, and JSON identical to the
// /v1/gaps and /v1/feedback responses.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/summitbot/summitbot/internal/store"
)

// Format is how a report is written.
type Format int

// The formats.
const (
	Text Format = iota
	Markdown
	JSON
)

// WriteGaps writes the gaps report in format f.
func WriteGaps(w io.Writer, f Format, r store.GapsResult) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case Markdown:
		return gapsMarkdown(w, r)
	}
	return gapsText(w, r)
}

// WriteFeedback writes the feedback report in format f.
func WriteFeedback(w io.Writer, f Format, r store.FeedbackResult) error {
	switch f {
	case JSON:
		return writeJSON(w, r)
	case Markdown:
		return feedbackMarkdown(w, r)
	}
	return feedbackText(w, r)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// errWriter keeps the first write error, so the report code can write
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func window(since time.Time, w string) string {
	return fmt.Sprintf("since %s (%s)", since.UTC().Format("2006-01-02 15:04 UTC"), w)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func gapsText(w io.Writer, r store.GapsResult) error {
	e := &errWriter{w: w}
	if len(r.Gaps) == 0 {
		e.printf("No declined questions %s.\n", window(r.Since, r.Window))
		return e.err
	}
	e.printf("Declined questions %s: %s, largest first.\n", window(r.Since, r.Window), plural(len(r.Gaps), "cluster", "clusters"))
	for i, g := range r.Gaps {
		e.printf("\n%d. %s, ", i+1, plural(g.Count, "question", "questions"))
		if g.Nearest != nil {
			e.printf("nearest topic: %s (%s), confidence %.2f\n", plain(g.Nearest.ID), plain(g.Nearest.Title), g.Confidence)
		} else {
			e.printf("no nearby topic\n")
		}
		for _, ex := range g.Examples {
			e.printf("   - %s\n", plain(ex))
		}
	}
	e.printf("\nFor each cluster: write a new topic, or add its phrasings to the nearest topic's questions.\n")
	return e.err
}

func gapsMarkdown(w io.Writer, r store.GapsResult) error {
	e := &errWriter{w: w}
	e.printf("## Knowledge gaps: declined questions %s\n\n", window(r.Since, r.Window))
	if len(r.Gaps) == 0 {
		e.printf("No declined questions in this period.\n")
		return e.err
	}
	e.printf("Similar questions the bot declined, grouped, largest group first. For each group: write a new topic, or add the phrasings to the nearest topic's `questions`.\n")
	for i, g := range r.Gaps {
		e.printf("\n### %d. %s", i+1, plural(g.Count, "question", "questions"))
		if g.Nearest != nil {
			e.printf(" · nearest: %s (%s, confidence %.2f)\n\n", code(g.Nearest.ID), mdEscape(g.Nearest.Title), g.Confidence)
		} else {
			e.printf(" · no nearby topic\n\n")
		}
		for _, ex := range g.Examples {
			e.printf("- %s\n", code(ex))
		}
	}
	return e.err
}

func feedbackText(w io.Writer, r store.FeedbackResult) error {
	e := &errWriter{w: w}
	if len(r.Topics) == 0 {
		e.printf("No 👍 / 👎 %s.\n", window(r.Since, r.Window))
		return e.err
	}
	e.printf("👍 / 👎 %s, most disliked first.\n\n", window(r.Since, r.Window))
	width := len("TOPIC")
	for _, t := range r.Topics {
		width = max(width, utf8.RuneCountInString(plain(t.TopicID)))
	}
	e.printf("%-*s  %5s  %5s  %10s\n", width, "TOPIC", "DOWN", "UP", "DOWN SHARE")
	for _, t := range r.Topics {
		e.printf("%-*s  %5d  %5d  %9.0f%%\n", width, plain(t.TopicID), t.Down, t.Up, 100*t.DownShare)
	}
	return e.err
}

func feedbackMarkdown(w io.Writer, r store.FeedbackResult) error {
	e := &errWriter{w: w}
	e.printf("## 👍 / 👎 per topic %s\n\n", window(r.Since, r.Window))
	if len(r.Topics) == 0 {
		e.printf("No 👍 / 👎 in this period.\n")
		return e.err
	}
	e.printf("Most disliked first. Each person counts once per topic, with their latest click.\n\n")
	e.printf("| Topic | 👎 | 👍 | 👎 share |\n|---|--:|--:|--:|\n")
	for _, t := range r.Topics {
		e.printf("| %s | %d | %d | %.0f%% |\n", cellCode(t.TopicID), t.Down, t.Up, 100*t.DownShare)
	}
	return e.err
}

// plain makes stored text safe for a terminal: no control characters (no
// escape sequences), one line.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// code puts text people typed in a Markdown code span, where it cannot
// become a link, a mention or markup. Backticks cannot be escaped inside a
// span, so they become quotes.
func code(s string) string {
	s = strings.ReplaceAll(plain(s), "`", "'")
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	return "`" + s + "`"
}

// cellCode is code for a table cell, where a pipe would end the cell even
// inside a code span unless escaped.
func cellCode(s string) string {
	return strings.ReplaceAll(code(s), "|", `\|`)
}

// mdEscape escapes Markdown punctuation in a topic title.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range plain(s) {
		if strings.ContainsRune("\\`*_[]<>#|~!@", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
