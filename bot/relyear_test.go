package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestYearAt(t *testing.T) {
	now := time.Date(2031, 3, 4, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"xi putin meetings last year", 2030},
		{"did they meet this year", 2031},
		{"will they meet next year", 2032},
		{"встречались ли путин и си в прошлом году", 2030},
		{"trade in 2019 and last year", 2019}, // a year written out comes first
		{"the last meeting", 0},
		{"year of the dragon", 0},
		{"last", 0},
	} {
		if got := yearAt(words(tc.q), now); got != tc.want {
			t.Errorf("yearAt(%q) = %d, want %d", tc.q, got, tc.want)
		}
	}
}

// TestRelativeYears: "last year" and "this year" are the years they name
// by the Bot's clock, for the timeline as for a year written out. The
// clock is today's, read once, so the test holds on any day.
func TestRelativeYears(t *testing.T) {
	b := embeddedBot(t)
	now := time.Now()
	b.opts.Now = func() time.Time { return now }
	for _, tc := range []struct {
		q    string
		year int
	}{
		{"xi putin meetings last year", now.Year() - 1},
		{"how many times did xi and putin meet last year", now.Year() - 1},
		{"did xi and putin meet this year", now.Year()},
	} {
		rel := ask(b, tc.q)
		abs := ask(b, fmt.Sprintf("%s %d", tc.q, tc.year))
		if rel.Text != abs.Text {
			t.Errorf("%q = %q,\nwant the answer for %d: %q", tc.q, rel.Text, tc.year, abs.Text)
		}
	}
}
