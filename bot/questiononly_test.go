package bot

import (
	"slices"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// termNames returns the names of terms, sorted.
func termNames(idx *index, ids []int32) []string {
	var out []string
	for _, id := range ids {
		out = append(out, idx.termName(id))
	}
	slices.Sort(out)
	return out
}

// TestQuestionOnlyTerms: a topic's question-only terms are those of its
// alternate questions that no other field has, and the fit's patched index
// has the ones a rebuild without the held-out questions has.
func TestQuestionOnlyTerms(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{{
		ID: "gas", Title: "Power of Siberia pipeline", Aliases: []string{"pos"},
		Questions: []string{"how much gas flows", "what is the pipeline's role", "how long is it"},
		Keywords:  []string{"gazprom"}, Answer: "Gas flows east.",
	}}, knowledge.Timeline{}, nil)
	idx := buildIndex(kb)
	want := []string{"long", "much", "role"} // "gas", "flows", "pipeline" are in other fields
	if got := termNames(idx, idx.topics[0].questionOnly); !slices.Equal(got, want) {
		t.Errorf("question-only terms %v, want %v", got, want)
	}
	p := idx.parts(kb.Topics[0])
	if _, _, all := p.weightsOnly(nil); !slices.Equal(all, idx.topics[0].questionOnly) {
		t.Errorf("parts give %v, the index %v", termNames(idx, all), termNames(idx, idx.topics[0].questionOnly))
	}
	patched := idx.without(map[int]func(int) bool{0: func(qi int) bool { return qi == 1 }}, map[int]*topicParts{0: &p})
	if got, want := termNames(patched, patched.topics[0].questionOnly), []string{"long", "much"}; !slices.Equal(got, want) {
		t.Errorf("without the second question: %v, want %v", got, want)
	}
}

// TestQuestionOnlyRebuild: on the fixture, the patched index's
// question-only terms are a rebuild's.
func TestQuestionOnlyRebuild(t *testing.T) {
	kb := loadFixture(t)
	idx := buildIndex(kb)
	patched, rebuilt := holdOutEven(t, kb, idx, func(int) bool { return true })
	some := false
	for ti := range kb.Topics {
		got, want := termNames(patched, patched.topics[ti].questionOnly), termNames(rebuilt, rebuilt.topics[ti].questionOnly)
		some = some || len(want) > 0
		if !slices.Equal(got, want) {
			t.Errorf("%s: patched %v, rebuilt %v", kb.Topics[ti].ID, got, want)
		}
	}
	if !some {
		t.Error("no topic of the fixture has question-only terms")
	}
}

// TestQuestionOnlySignal: the signal is the share of the explained weight
// in common words the topic has only in its alternate questions, and the
// in-scope model does not read it.
func TestQuestionOnlySignal(t *testing.T) {
	var topics []*knowledge.Topic
	// Many topics have "role" in their text: it is common. Only the first
	// has it in an alternate question alone.
	topics = append(topics, &knowledge.Topic{ID: "arctic", Title: "Arctic shipping", Questions: []string{"what is the role of the arctic", "who sails there"}, Answer: "Ice."})
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		topics = append(topics, &knowledge.Topic{ID: id, Title: "Topic " + id, Answer: "Its role in " + id + "."})
	}
	idx := buildIndex(knowledge.NewKB(topics, knowledge.Timeline{}, nil))
	for _, c := range []struct {
		question string
		want     func(float64) bool
	}{
		{"role of the arctic", func(v float64) bool { return v > 0 && v < 1 }}, // "role": common, in a question only
		{"arctic shipping", func(v float64) bool { return v == 0 }},            // in the title
		{"who sails", func(v float64) bool { return v == 0 }},                  // "sails": in a question only, but uncommon
	} {
		ws := words(c.question)
		cands := idx.rank(ws, idx.resolve(ws))
		i := slices.IndexFunc(cands, func(s scored) bool { return s.topic == 0 })
		if i < 0 {
			t.Errorf("%q: arctic not ranked", c.question)
			continue
		}
		if v := cands[i].questionOnly; !c.want(v) {
			t.Errorf("%q: question-only share %.3f", c.question, v)
		}
	}
	var x features
	x[questionOnlySignal] = 1
	in := scopeInputs(x)
	if in[questionOnlySignal] != 0 || in[nSignals+questionOnlySignal] != 0 {
		t.Errorf("the in-scope model reads the question-only share: %v", in)
	}
}

// TestHeldOutPhrasingQuestions asks alternate questions each held out of
// its topic, as the cross-validation holds them out, whose common words
// another topic has only in its alternate questions: their topic must
// rank first.
func TestHeldOutPhrasingQuestions(t *testing.T) {
	cases := []heldOut{
		{"personal-rapport", "how close are the two leaders?"},
	}
	heldOutRanksFirst(t, cases)
}
