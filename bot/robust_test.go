package bot

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/summitbot/summitbot/knowledge"
)

// perturbation rewrites a question the way people mistype or wrap it.
type perturbation struct {
	name string
	// minRate is the share of questions that must keep their topic. Exact
	// transformations must never change it; random typos may now and then
	// turn one word into another real word.
	minRate float64
	apply   func(r *rand.Rand, q string) string
}

var perturbations = []perturbation{
	{"all caps", 1, func(_ *rand.Rand, q string) string { return strings.ToUpper(q) }},
	{"filler", 1, func(_ *rand.Rand, q string) string { return "hey so um what's the deal with " + q }},
	{"chat markup", 1, func(_ *rand.Rand, q string) string { return "<@U024BE7LH> " + q + " <#C1|general> @here" }},
	{"discord mention", 1, func(_ *rand.Rand, q string) string { return "<@!80351110224678912> " + q }},
	{"one typo per long word", 0.92, func(r *rand.Rand, q string) string { return typos(r, q, 1) }},
	{"two typos in long words", 0.9, func(r *rand.Rand, q string) string { return typos(r, q, 2) }},
	{"missing space", 0.9, missingSpace},
}

// typos makes n edits (drop, double, swap or replace a letter, never the
// first) in each Latin word of seven letters or more, and one in words of
// five or six.
func typos(r *rand.Rand, q string, n int) string {
	ws := strings.Fields(q)
	for i, w := range ws {
		if len(w) < 5 || !isASCIIAlpha(strings.ToLower(w)) {
			continue
		}
		k := n
		if len(w) < 7 {
			k = 1
		}
		for range k {
			b := []byte(w)
			p := 1 + r.IntN(len(b)-2)
			switch r.IntN(4) {
			case 0:
				b = append(b[:p], b[p+1:]...)
			case 1:
				b = append(b[:p+1], b[p:]...)
			case 2:
				b[p], b[p+1] = b[p+1], b[p]
			default:
				b[p] = byte('a' + r.IntN(26))
			}
			w = string(b)
		}
		ws[i] = w
	}
	return strings.Join(ws, " ")
}

// missingSpace joins two adjacent words ("china russia" -> "chinarussia").
func missingSpace(r *rand.Rand, q string) string {
	ws := strings.Fields(q)
	var pairs []int
	for i := 0; i+1 < len(ws); i++ {
		if len(ws[i]) >= 4 && len(ws[i+1]) >= 4 && isLetters(ws[i]) && isLetters(ws[i+1]) && !enStop[strings.ToLower(ws[i])] && !enStop[strings.ToLower(ws[i+1])] {
			pairs = append(pairs, i)
		}
	}
	if len(pairs) == 0 {
		return q
	}
	i := pairs[r.IntN(len(pairs))]
	return strings.Join(append(append(ws[:i:i], ws[i]+ws[i+1]), ws[i+2:]...), " ")
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// TestPerturbedQuestionsKeepTheirTopic is a property test over the
// regression set: questions the engine answers correctly keep their topic,
// with a similar confidence, when perturbed.
func TestPerturbedQuestionsKeepTheirTopic(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := New(kb, Options{})
	ctx := context.Background()
	var base []knowledge.TestCase
	conf := map[string]float64{}
	for _, tc := range kb.Tests {
		a := b.Ask(ctx, Question{Text: tc.Question})
		if tc.Expect != knowledge.None && a.Answered && a.Topic.ID == tc.Expect {
			base = append(base, tc)
			conf[tc.Question] = a.Confidence
		}
	}
	for _, p := range perturbations {
		t.Run(p.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(p.name))))
			kept, changed := 0, 0
			var dropSum float64
			for _, tc := range base {
				q := p.apply(r, tc.Question)
				if q == tc.Question {
					continue
				}
				changed++
				a := b.Ask(ctx, Question{Text: q})
				if a.Answered && a.Topic.ID == tc.Expect {
					kept++
					dropSum += conf[tc.Question] - a.Confidence
				} else if p.minRate == 1 || testing.Verbose() {
					got := "none"
					if a.Answered {
						got = a.Topic.ID
					}
					t.Logf("%q -> %q: %s (%.2f), want %s", tc.Question, q, got, a.Confidence, tc.Expect)
				}
			}
			rate := float64(kept) / float64(max(changed, 1))
			meanDrop := dropSum / float64(max(kept, 1))
			t.Logf("%d of %d perturbed questions kept their topic (%.1f%%); mean confidence change %.3f", kept, changed, 100*rate, -meanDrop)
			if changed == 0 || rate < p.minRate {
				t.Errorf("%s: %.1f%% kept their topic, want at least %.0f%%", p.name, 100*rate, 100*p.minRate)
			}
			if meanDrop > 0.15 {
				t.Errorf("%s: confidence falls by %.3f on average; want a similar confidence (at most 0.15 lower)", p.name, meanDrop)
			}
		})
	}
}
