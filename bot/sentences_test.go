package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"What is the SCO?", []string{"What is the SCO"}},
		{"Revision: what is the SCO? Why does it matter?", []string{"Revision", "what is the SCO", "Why does it matter"}},
		{"Can U.S. citizens travel to Russia now?", []string{"Can U.S. citizens travel to Russia now"}},
		{"Mr. Xi went to Moscow. What for?", []string{"Mr. Xi went to Moscow", "What for"}},
		{"Gas deal signed. Trade next; then what!", []string{"Gas deal signed", "Trade next", "then what"}},
		{"version 2.0 of the plan", []string{"version 2.0 of the plan"}},
		{"", nil},
		{"?!;:", nil},
		{"  ...  ", []string{"..."}},
		{"A cookbook from 1975. What is the SCO?", []string{"A cookbook from 1975", "What is the SCO"}},
		{"Scones (with jam). What is the SCO?", []string{"Scones (with jam)", "What is the SCO"}},
		{"Shortbread.\nWhat is the SCO", []string{"Shortbread", "What is the SCO"}},
		{"line one\nline two", []string{"line one", "line two"}},
		{"Shortbread.\tWhat is the SCO", []string{"Shortbread", "What is the SCO"}},
		{"😀 ab. cd ef", []string{"😀 ab", "cd ef"}},
		{"Putin met Xi. What is the SCO?", []string{"Putin met Xi", "What is the SCO"}},
		{"So said the EU. What now?", []string{"So said the EU", "What now"}},
		{"Dr. Li and J. Smith wrote it. Read it.", []string{"Dr. Li and J. Smith wrote it", "Read it."}},
		{"😀abc. cd ef", []string{"😀abc", "cd ef"}},
		{"e.g. the SCO. And BRICS", []string{"e.g. the SCO", "And BRICS"}},
		{"meet at 10:30 today", []string{"meet at 10:30 today"}},
		{"Note: at 10:30", []string{"Note", "at 10:30"}},
		{"\xff\xfe. ok go", []string{"\xff\xfe", "ok go"}},
	} {
		if got := sentences(c.in); !slices.Equal(got, c.want) {
			t.Errorf("sentences(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A question of several sentences whose whole is declined is answered by
// the sentence that is in scope on its own; Explain says which sentence.
// Questions of several off-topic sentences stay declined.
func TestSentenceAnsweredOnItsOwn(t *testing.T) {
	b := embeddedBot(t)
	idx := b.idx.Load()
	ctx := context.Background()
	for _, c := range []struct{ q, want string }{
		{"My grandmother's cookbook has lasagne, dumplings and shortbread. What is the Power of Siberia pipeline?", "power-of-siberia"},
		{"Lasagne recipe with ricotta and basil. What is the SCO?", "sco"},
		{"My cat knocked over the aquarium; who founded the SCO?", "sco"},
	} {
		ws := words(c.q)
		if cands := idx.rank(ws, idx.resolve(ws)); len(cands) > 0 && cands[0].inScope >= Threshold {
			t.Fatalf("%q: the whole is in scope (%.2f) on its own; the test needs one that is not", c.q, cands[0].inScope)
		}
		a := b.Ask(ctx, Question{Text: c.q})
		if !a.Answered || a.Topic.ID != c.want {
			t.Errorf("%q: answered %v %v, want %s", c.q, a.Answered, a.Topic, c.want)
		}
		ex := b.Explain(c.q, 3)
		if ex.Sentence == "" || !strings.Contains(c.q, ex.Sentence) || len(ex.SentenceCandidates) == 0 || ex.SentenceCandidates[0].Topic.ID != c.want {
			t.Errorf("%q: explained sentence %q with %d candidates", c.q, ex.Sentence, len(ex.SentenceCandidates))
		}
	}
	for _, q := range []string{
		"How do I bake sourdough bread? What temperature should the oven be?",
		"Who won the match last night. Was it a penalty? Did the referee see it!",
		strings.Repeat("ab cd? ", 140),
	} {
		if a := b.Ask(ctx, Question{Text: q}); a.Answered {
			t.Errorf("%.60q: answered with %s, want declined", q, a.Topic.ID)
		}
		if ex := b.Explain(q, 3); ex.Sentence != "" {
			t.Errorf("%.60q: explained from sentence %q", q, ex.Sentence)
		}
	}
}

// Ask and Explain agree on what answers a question of several sentences:
// the timeline when it answers the whole, else the sentence in scope on its
// own, whose own year (not another sentence's) picks a figure; a word alone
// counts as a sentence when it is the knowledge base's own; only the first
// maxSentences sentences are tried.
func TestSentencePaths(t *testing.T) {
	b := embeddedBot(t)
	ctx := context.Background()
	filler := strings.Repeat("Lasagne with ricotta and basil. ", maxSentences-1)
	for _, c := range []struct {
		q        string
		want     string // topic answered, "" for declined
		timeline bool   // Explain reports the timeline
		sentence string // Explain's sentence
		noText   string // the answer must not contain it
	}{
		{q: "Lasagne recipe with ricotta and basil. How many times have they met? What is the SCO?", want: "how-often-they-meet", timeline: true},
		{q: "My grandmother's cookbook from 2022 has lasagne, dumplings and shortbread. What is the Power of Siberia pipeline?",
			want: "power-of-siberia", sentence: "What is the Power of Siberia pipeline", noText: "2022"},
		{q: "Glonass? My grandmother's cookbook has lasagne, dumplings and shortbread.", want: "glonass-beidou", sentence: "Glonass"},
		{q: filler + "What is the SCO?", want: "sco", sentence: "What is the SCO"},
		{q: filler + "Lasagne with ricotta and basil. What is the SCO?"},
	} {
		a := b.Ask(ctx, Question{Text: c.q})
		got := ""
		if a.Answered {
			got = a.Topic.ID
		}
		if got != c.want {
			t.Errorf("%.70q: answered %q, want %q", c.q, got, c.want)
		}
		if c.noText != "" && strings.Contains(a.Text, c.noText) {
			t.Errorf("%.70q: the answer has %q, which another sentence asked about: %.80s", c.q, c.noText, a.Text)
		}
		ex := b.Explain(c.q, 3)
		if ex.Timeline != c.timeline || ex.Sentence != c.sentence {
			t.Errorf("%.70q: Explain says timeline %v, sentence %q; want %v, %q", c.q, ex.Timeline, ex.Sentence, c.timeline, c.sentence)
		}
	}
}

// A link's address ends no sentence: the sentences are read from the text
// without its markup and links, as the words are.
func TestSentenceNotInALink(t *testing.T) {
	b := embeddedBot(t)
	for _, q := range []string{
		"Lasagne with ricotta and basil, from <https://example.com/power-of-siberia-pipeline|my blog>",
		"Lasagne with ricotta and basil, see https://example.com/x?q=power-of-siberia-pipeline",
	} {
		if a := b.Ask(context.Background(), Question{Text: q}); a.Answered {
			t.Errorf("%.60q: answered with %s from a piece of its link", q, a.Topic.ID)
		}
	}
}

// Explain claims no sentence for a question Ask declines before reading
// it: one over MaxQuestion characters.
func TestExplainSentenceOnlyWhenAskReads(t *testing.T) {
	b := embeddedBot(t)
	q := strings.Repeat("Lasagne with ricotta. ", MaxQuestion/22) + "What is the SCO?"
	if len(q) <= MaxQuestion {
		t.Fatalf("the question has %d characters, want over %d", len(q), MaxQuestion)
	}
	if a := b.Ask(context.Background(), Question{Text: q}); a.Answered {
		t.Fatalf("a question over %d characters was answered", MaxQuestion)
	}
	if ex := b.Explain(q, 3); ex.Sentence != "" || ex.Timeline {
		t.Errorf("Explain reads sentence %q (timeline %v) of a question Ask declines as too long", ex.Sentence, ex.Timeline)
	}
}
