package bot

import (
	"context"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// Issue 13 finding 10: a question of one 1,000-letter run-together token
// ("powerofsiberiapowerof…") cost 300× a normal one, because splitting and
// typo search grew with the square of the token's length. The work per
// token is bounded. Allocations stand for the work here (each split
// attempt stemmed a substring): they are counted, not timed, so the test
// holds on a busy machine; BenchmarkAskLongToken gives the times.
func TestLongTokenCostsLikeANormalQuestion(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := New(kb, Options{})
	ctx := context.Background()
	allocs := func(text string) float64 {
		return testing.AllocsPerRun(5, func() { b.Ask(ctx, Question{Text: text}) })
	}
	normal := allocs(benchQuestions[0])
	for name, q := range longTokenQuestions() {
		if len(q) != MaxQuestion {
			t.Fatalf("%s: %d characters", name, len(q))
		}
		if a := b.Ask(ctx, Question{Text: q}); a.Outcome == "" {
			t.Errorf("%s: no outcome", name)
		}
		if got := allocs(q); got > 10*normal {
			t.Errorf("%s: %.0f allocations per Ask, a normal question %.0f: want at most 10×", name, got, normal)
		}
	}
}
