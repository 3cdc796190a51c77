// Package report writes the moderators' reports for people: plain text for
// a terminal and Markdown for pasting into an issue, from one writer per
// report, and JSON with the same fields as the /v1/gaps and /v1/feedback
// responses, indented for reading.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
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
	if f == JSON {
		return writeJSON(w, r)
	}
	return writeGaps(w, styleOf(f), r)
}

// WriteFeedback writes the feedback report in format f.
func WriteFeedback(w io.Writer, f Format, r store.FeedbackResult) error {
	if f == JSON {
		return writeJSON(w, r)
	}
	return writeFeedback(w, styleOf(f), r)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// style is what differs between the text and the Markdown reports: how
// stored text is shown, and whether the report has Markdown headings.
type style struct {
	md bool
	// literal shows what people typed, or an id; title shows a topic
	// title. Both keep control characters out.
	literal, title func(string) string
}

func styleOf(f Format) style {
	if f == Markdown {
		return style{md: true, literal: code, title: mdEscape}
	}
	return style{literal: store.Clean, title: store.Clean}
}

func writeGaps(w io.Writer, st style, r store.GapsResult) error {
	e := &errWriter{w: w}
	since := window(r.Since, r.Window)
	if st.md {
		e.printf("## Knowledge gaps: declined questions %s\n\n", since)
	}
	switch {
	case len(r.Gaps) == 0 && st.md:
		e.printf("No declined questions in this period.\n")
		return e.err
	case len(r.Gaps) == 0:
		e.printf("No declined questions %s.\n", since)
		return e.err
	case st.md:
		e.printf("Similar questions the bot declined, grouped, largest group first. For each group: write a new topic, or add the phrasings to the nearest topic's `questions`.\n")
	default:
		e.printf("Declined questions %s: %s, largest first.\n", since, plural(len(r.Gaps), "cluster", "clusters"))
	}
	item, nearest, none, example := "\n%d. %s, ", "nearest topic: %s (%s), confidence %.2f\n", "no nearby topic\n", "   - %s\n"
	if st.md {
		item, nearest, none, example = "\n### %d. %s · ", "nearest: %s (%s, confidence %.2f)\n\n", "no nearby topic\n\n", "- %s\n"
	}
	for i, g := range r.Gaps {
		e.printf(item, i+1, plural(g.Count, "question", "questions"))
		if g.Nearest != nil {
			e.printf(nearest, st.literal(g.Nearest.ID), st.title(g.Nearest.Title), g.Confidence)
		} else {
			e.printf("%s", none)
		}
		for _, ex := range g.Examples {
			e.printf(example, st.literal(ex))
		}
	}
	if !st.md {
		e.printf("\nFor each cluster: write a new topic, or add its phrasings to the nearest topic's questions.\n")
	}
	return e.err
}

func writeFeedback(w io.Writer, st style, r store.FeedbackResult) error {
	e := &errWriter{w: w}
	since := window(r.Since, r.Window)
	if st.md {
		e.printf("## 👍 / 👎 per topic %s\n\n", since)
	}
	switch {
	case len(r.Topics) == 0 && st.md:
		e.printf("No 👍 / 👎 in this period.\n")
		return e.err
	case len(r.Topics) == 0:
		e.printf("No 👍 / 👎 %s.\n", since)
		return e.err
	case st.md:
		e.printf("Most disliked first. Each person counts once per topic, with their latest click.\n\n")
		e.printf("| Topic | 👎 | 👍 | 👎 share |\n|---|--:|--:|--:|\n")
	default:
		e.printf("👍 / 👎 %s, most disliked first.\n\n", since)
	}
	// The text report is a table of aligned columns; a Markdown table
	// needs no padding (width 0).
	row, width := "| %-*s | %d | %d | %.0f%% |\n", 0
	if !st.md {
		row, width = "%-*s  %5d  %5d  %9.0f%%\n", len("TOPIC")
		for _, t := range r.Topics {
			width = max(width, utf8.RuneCountInString(st.literal(t.TopicID)))
		}
		e.printf("%-*s  %5s  %5s  %10s\n", width, "TOPIC", "DOWN", "UP", "DOWN SHARE")
	}
	for _, t := range r.Topics {
		id := st.literal(t.TopicID)
		if st.md {
			// A pipe ends a table cell even inside a code span.
			id = strings.ReplaceAll(id, "|", `\|`)
		}
		e.printf(row, width, id, t.Down, t.Up, 100*t.DownShare)
	}
	return e.err
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

// code puts text people typed in a Markdown code span, where it cannot
// become a link, a mention or markup. Backticks cannot be escaped inside a
// span, so they become quotes.
func code(s string) string {
	s = strings.ReplaceAll(store.Clean(s), "`", "'")
	if s == "" {
		return "(empty)"
	}
	return "`" + s + "`"
}

// mdEscape escapes Markdown punctuation in a topic title.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range store.Clean(s) {
		if strings.ContainsRune("\\`*_[]<>#|~!@", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
