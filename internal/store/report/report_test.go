package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var since = time.Date(2026, 10, 21, 12, 0, 0, 0, time.UTC)

var gaps = store.GapsResult{Since: since, Window: "30d", Gaps: []bot.Gap{
	{Count: 10, Examples: []string{"power of siberia 2 gas price", "gas price of power of siberia 2", "power of siberia 2 price gas 2024"},
		Nearest: &bot.TopicRef{ID: "power-of-siberia", Title: "Power of Siberia"}, Confidence: 0.45},
	{Count: 6, Examples: []string{"northern sea route shipping", "shipping on the `northern` | sea route"},
		Nearest: &bot.TopicRef{ID: "arctic", Title: "The Arctic *and* [the] North"}, Confidence: 0.35},
	{Count: 1, Examples: []string{"who won the football \x1b[31mred"}},
}}

var feedback = store.FeedbackResult{Since: since, Window: "2w", Topics: []store.FeedbackRow{
	{TopicID: "arms", Up: 0, Down: 3, DownShare: 1},
	{TopicID: "gas-trade", Up: 1, Down: 2, DownShare: 2.0 / 3},
	{TopicID: "trade", Up: 12, Down: 12, DownShare: 0.5},
	{TopicID: "summits", Up: 1, Down: 0, DownShare: 0},
	{TopicID: "odd|topic`id", Up: 1, Down: 0, DownShare: 0},
}}

func TestGolden(t *testing.T) {
	formats := map[string]Format{"txt": Text, "md": Markdown, "json": JSON}
	for ext, f := range formats {
		for name, write := range map[string]func(*bytes.Buffer) error{
			"gaps": func(b *bytes.Buffer) error { return WriteGaps(b, f, gaps) },
			"gaps-empty": func(b *bytes.Buffer) error {
				return WriteGaps(b, f, store.GapsResult{Since: since, Window: "30d", Gaps: []bot.Gap{}})
			},
			"feedback": func(b *bytes.Buffer) error { return WriteFeedback(b, f, feedback) },
			"feedback-empty": func(b *bytes.Buffer) error {
				return WriteFeedback(b, f, store.FeedbackResult{Since: since, Window: "2w", Topics: []store.FeedbackRow{}})
			},
		} {
			t.Run(name+"."+ext, func(t *testing.T) {
				var b bytes.Buffer
				if err := write(&b); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name+"."+ext)
				if *update {
					if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if b.String() != string(want) {
					t.Errorf("%s differs from the golden file:\n%s\nwant:\n%s", path, b.String(), want)
				}
				if strings.Contains(b.String(), "\x1b") {
					t.Errorf("%s passes an escape sequence through", path)
				}
			})
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrors(t *testing.T) {
	for _, f := range []Format{Text, Markdown, JSON} {
		if err := WriteGaps(failWriter{}, f, gaps); err == nil {
			t.Errorf("WriteGaps(format %d) to a failing writer: no error", f)
		}
		if err := WriteFeedback(failWriter{}, f, feedback); err == nil {
			t.Errorf("WriteFeedback(format %d) to a failing writer: no error", f)
		}
	}
}
