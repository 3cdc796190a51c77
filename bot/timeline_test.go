package bot

import (
	"testing"
	"time"
)

// TestTimelineThreshold: the timeline leaves a question to the topic the
// ranking puts first only when the Bot would answer with that topic on its
// own, at the Bot's threshold, not the package default. Read at the
// default, a Bot with a higher threshold declined the first two: the
// timeline left them to a topic in scope at 0.5 or more, which the decision
// then declined below 0.9; one with a lower threshold answered the third
// with the list though the topic was sure enough for that Bot.
func TestTimelineThreshold(t *testing.T) {
	kb := embeddedBot(t).KB()
	cases := []struct {
		threshold float64
		question  string
		want      string // topic id, or "" for declined
	}{
		{0.9, "what did xi sign in Moscow, Russia", "summits-timeline"},
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
