package bot

import (
	"fmt"
	"slices"
	"strings"
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
		{"what were last year's trade figures", 2030},
		{"this year's summit", 2031},
		{"встреча в следующем году", 2032},
		{"习近平和普京去年见面几次", 2030},
		{"what will putin do in the last year of his term", 0},
		{"the first and last year of the war", 0},
		{"in their last year of office", 0},
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

// TestFutureYear: a year after today without a word of meeting is a plan's
// or a target's ("what did xi and putin agree for 2030"), not a year the
// timeline could list; with one, the timeline says it has none.
func TestFutureYear(t *testing.T) {
	b := embeddedBot(t)
	later := time.Now().Year() + 4
	if a := ask(b, fmt.Sprintf("what did xi and putin agree for %d", later)); strings.HasPrefix(a.Text, "My timeline has no") {
		t.Errorf("a plan for %d = %q, want a topic's answer", later, a.Text)
	}
	if a := ask(b, fmt.Sprintf("will xi and putin meet in %d", later)); !strings.HasPrefix(a.Text, "My timeline has no") {
		t.Errorf("a meeting in %d = %q, want the timeline's none", later, a.Text)
	}
}

// TestLatestInOtherScripts: "when did they last meet" in Russian or
// Chinese gets the latest meeting, as in English.
func TestLatestInOtherScripts(t *testing.T) {
	b := embeddedBot(t)
	want := ask(b, "when did xi and putin last meet").Text
	for _, q := range []string{"когда путин и си последний раз встречались", "习近平和普京最近一次见面是什么时候"} {
		if a := ask(b, q); a.Text != want {
			t.Errorf("%q = %q,\nwant the latest meeting, as in English: %q", q, a.Text, want)
		}
	}
}

// TestOutcomesInOrder: a meeting's outcomes that do not all fit its answer
// go to the details in order: once one does not fit, no later one goes to
// the text ahead of it.
func TestOutcomesInOrder(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	tl := idx.timeline // a copy: only its meetings change below
	tl.meetings = slices.Clone(tl.meetings)
	long, longer, short := strings.Repeat("a", 300)+".", strings.Repeat("b", 400)+".", "Short."
	tl.meetings[0].Outcomes = []string{long, longer, short}
	a := tl.listAnswer(idx, nil, []int{0}, "", Threshold)
	if !strings.Contains(a.Text, long) || strings.Contains(a.Text, longer) || strings.Contains(a.Text, short) {
		t.Errorf("text = %q, want the first outcome only", a.Text)
	}
	if i, j := strings.Index(a.Details, longer), strings.Index(a.Details, short); i < 0 || j < i {
		t.Errorf("details = %q, want the second outcome, then the third", a.Details)
	}
}

// TestLatestWithClearTopic: "latest" or "recently" without a word of
// meeting does not make a question the latest meeting's when another
// topic matches it clearly; with one it does.
func TestLatestWithClearTopic(t *testing.T) {
	checkTopics(t, embeddedBot(t), []topicCase{
		{"xi and putin latest on the power of siberia 2 gas pipeline price", "power-of-siberia-2"},
		{"what did xi and putin recently agree on the northern sea route", "arctic-northern-sea-route"},
		{"when did xi and putin last meet", "latest-meeting"},
	})
}

// topicCase is a question and the topic its answer must have.
type topicCase struct{ q, want string }

// checkTopics asks each question and reports those answered with another
// topic, or with none.
func checkTopics(t *testing.T, b *Bot, cases []topicCase) {
	t.Helper()
	for _, tc := range cases {
		if a := ask(b, tc.q); a.Topic == nil || a.Topic.ID != tc.want {
			t.Errorf("%q = %+v, want %s", tc.q, a.Topic, tc.want)
		}
	}
}
