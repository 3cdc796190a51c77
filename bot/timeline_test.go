package bot

import (
	"testing"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// TestTimelineThreshold: the timeline leaves a question to the topic the
// ranking puts first only when the Bot would answer with that topic on its
// own, at the Bot's threshold, not the package default. Read at the
// default, a Bot with a higher threshold declined the first: the timeline
// left it to a topic in scope at 0.5 or more, which the decision then
// declined below 0.9; one with a lower threshold answered the second with
// the list though the topic was sure enough for that Bot.
func TestTimelineThreshold(t *testing.T) {
	kb := embeddedBot(t).KB()
	cases := []struct {
		threshold float64
		question  string
		want      string // topic id, or "" for declined
	}{
		{0.9, "putin in moscow and st petersburg", "summits-timeline"},
		{0.3, "putin samarkand uzbekistan", "sco"},
	}
	bots := map[float64]*Bot{}
	for _, c := range cases {
		b := bots[c.threshold]
		if b == nil {
			b = New(kb, Options{Threshold: c.threshold, Now: func() time.Time { return testNow }})
			bots[c.threshold] = b
		}
		a := ask(b, c.question)
		got := ""
		if a.Answered && a.Topic != nil {
			got = a.Topic.ID
		}
		if got != c.want {
			t.Errorf("threshold %.1f, %q: answered with %q (%s), want %q", c.threshold, c.question, got, a.Outcome, c.want)
		}
	}
}

// TestLatestMeetingTopic: the latest meeting's topic is about the latest
// meeting that had started by its review, and labels a list of meetings
// only when that meeting is the whole list, however well it ranks.
func TestLatestMeetingTopic(t *testing.T) {
	tl := timelineIndex{}
	for _, d := range []string{"2024-05-16", "2025-09-02", "2026-12", "2027-01-10"} {
		m := knowledge.Meeting{Date: d}
		tl.meetings = append(tl.meetings, m)
		tl.starts = append(tl.starts, startOf(m))
	}
	for _, c := range []struct {
		reviewed string
		want     int
	}{
		{"2026-12-01", 1}, // "2026-12" may be late in the month: not yet
		{"2027-01-01", 2},
		{"2027-01-10", 3}, // started that day
		{"2020-01-01", -1},
		{"", -1}, // a review date that does not parse is before all
	} {
		tm, _ := time.Parse(time.DateOnly, c.reviewed)
		if got := tl.latestBy(tm); got != c.want {
			t.Errorf("latestBy(%q) = %d, want %d", c.reviewed, got, c.want)
		}
	}

	b := embeddedBot(t)
	idx := b.idx.Load()
	top, ok := idx.byID[latestHome[0]]
	if !ok {
		t.Fatalf("no topic %s", latestHome[0])
	}
	latest, ok := idx.timeline.about[latestHome[0]]
	if !ok || latest == 0 {
		t.Fatalf("%s is about meeting %d, %v: want the latest", latestHome[0], latest, ok)
	}
	cands := []scored{{topic: top, score: 0.9, confidence: 0.9, inScope: 0.9}}
	for _, c := range []struct {
		name string
		ms   []int
		want string
	}{
		{"its own meeting", []int{latest}, latestHome[0]},
		{"an earlier meeting", []int{latest - 1}, timelineHome[0]},
		{"its meeting and others", []int{latest - 1, latest}, timelineHome[0]},
	} {
		if a := idx.timeline.listAnswer(idx, cands, c.ms, "", Threshold); a.Topic == nil || a.Topic.ID != c.want {
			t.Errorf("%s: list under %+v, want %s", c.name, a.Topic, c.want)
		}
	}
}
