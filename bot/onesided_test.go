package bot

import (
	"math"
	"slices"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// oneSidedKB has a topic about the two sides together (every question
// names both), one about one side's part (one question in three names
// both), and one whose questions name neither.
func oneSidedKB() *knowledge.KB {
	return knowledge.NewKB([]*knowledge.Topic{
		{ID: "visa", Title: "Visa-free travel between China and Russia", Questions: []string{
			"can russians visit china without a visa", "do chinese tourists need a visa for russia"},
			Keywords: []string{"visa"}, Answer: "Russia and China waived visas for each other's tourists."},
		{ID: "peace", Title: "China's peace plan for Russia's war", Questions: []string{
			"what is china's peace plan", "what does beijing propose", "do russia and china agree on peace talks"},
			Keywords: []string{"peace plan"}, Answer: "China published a plan on Russia's war in Ukraine."},
		{ID: "sco", Title: "The SCO, of which China and Russia are members", Questions: []string{"what is the sco", "who founded the sco"},
			Keywords: []string{"sco"}, Answer: "China and Russia founded the SCO."},
	}, knowledge.Timeline{}, nil)
}

func TestBilateral(t *testing.T) {
	idx := buildIndex(oneSidedKB())
	for id, want := range map[string]float64{"visa": 1, "peace": 1.0 / 3, "sco": 0} {
		if got := idx.topics[idx.byID[id]].bilateral; math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: bilateral %v, want %v", id, got, want)
		}
	}
	// A fold's index has the share of the questions it keeps: without
	// peace's one question naming both, none.
	peace := idx.byID["peace"]
	p := idx.parts(idx.kb.Topics[peace])
	parts := map[int]*topicParts{peace: &p}
	idx.setBilateral(parts)
	held := map[int]func(int) bool{peace: func(qi int) bool { return qi == 2 }}
	if got := idx.without(held, parts).topics[peace].bilateral; got != 0 {
		t.Errorf("without its third question: peace bilateral %v, want 0", got)
	}
}

func TestOneSidedSignal(t *testing.T) {
	idx := buildIndex(oneSidedKB())
	for _, tc := range []struct {
		q, topic string
		want     float64
	}{
		{"do i need a visa for china", "visa", 1},            // one side, a topic of the two together
		{"do i need a visa for china and russia", "visa", 0}, // both sides
		{"do i need a visa", "visa", 0},                      // neither side: fragments of a conversation
		{"what is china's peace plan", "peace", 1.0 / 3},
		{"what is the sco in china", "sco", 0}, // its questions name neither side
	} {
		ws := words(tc.q)
		cands := idx.rankIn(ws, idx.resolve(ws), false).cands
		found := false
		for _, c := range cands {
			if idx.topics[c.topic].t.ID == tc.topic {
				found = true
				if math.Abs(c.oneSided-tc.want) > 1e-9 {
					t.Errorf("%q: %s one-sided %v, want %v", tc.q, tc.topic, c.oneSided, tc.want)
				}
			}
		}
		if !found {
			t.Errorf("%q: %s is no candidate", tc.q, tc.topic)
		}
	}
}

// TestOrderLeavesOutOneSided: the candidates' order is their confidence
// without the one-sided signal's part, which is the decision's alone.
func TestOrderLeavesOutOneSided(t *testing.T) {
	scoreSignal := slices.Index(signalNames[:], "score")
	m := &model{bias: -1}
	m.coef[scoreSignal], m.coef[oneSidedSignal] = 2, -3
	q := &query{}
	for _, c := range []scored{{score: 0.5}, {score: 0.5, oneSided: 1}, {score: 0.9, oneSided: 0.5}} {
		c.confidence = m.confidence(&c, q, nil)
		want := c.confidence
		if c.oneSided != 0 {
			want = sigmoid(-1 + 2*c.score)
		}
		if got := m.order(&c, q); math.Abs(got-want) > 1e-12 {
			t.Errorf("order(score %v, one-sided %v) = %v, want %v", c.score, c.oneSided, got, want)
		}
	}
	// On the embedded knowledge base the fit finds that a question naming
	// one side is less often about a topic of the two together, and every
	// ranking is in that order, which is not always the confidence's.
	b := embeddedBot(t)
	idx := b.idx.Load()
	if c := idx.model.coef[oneSidedSignal]; c >= 0 {
		t.Errorf("the fitted one-sided coefficient is %v, want it negative", c)
	}
	differs := 0
	for _, tc := range idx.kb.Tests {
		ws := words(tc.Question)
		r := idx.rankIn(ws, idx.resolve(ws), false)
		for i := 1; i < len(r.cands); i++ {
			if idx.model.order(&r.cands[i-1], &r.q) < idx.model.order(&r.cands[i], &r.q) {
				t.Errorf("%q: %s before %s, out of order", tc.Question, idx.topics[r.cands[i-1].topic].t.ID, idx.topics[r.cands[i].topic].t.ID)
			}
			if r.cands[i-1].confidence < r.cands[i].confidence {
				differs++
			}
		}
	}
	if differs == 0 {
		t.Error("no ranking of the regression set differs from the confidence's order: the test shows nothing")
	}
}

// TestOneOfTwoSignal: a question naming both leaders marks each leader's
// own topic (category people), and no other; a question naming one leader
// marks none. On the embedded knowledge base the fit finds such a topic
// less often the answer: the two men together are their meetings and
// their rapport.
func TestOneOfTwoSignal(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{
		{ID: "xi", Title: "Xi Jinping and Russia", Category: knowledge.People, Questions: []string{"what does xi think of russia"},
			Keywords: []string{"xi jinping"}, Answer: "Xi calls Russia a partner."},
		{ID: "rapport", Title: "Xi and Putin's rapport", Category: "diplomacy", Questions: []string{"are xi and putin friends"},
			Keywords: []string{"friends"}, Answer: "They call each other friends."},
	}, knowledge.Timeline{}, nil)
	idx := buildIndex(kb)
	for _, tc := range []struct {
		q    string
		want map[string]float64
	}{
		{"are xi and putin friends", map[string]float64{"xi": 1, "rapport": 0}},
		{"is xi jinping putin's friend", map[string]float64{"xi": 1, "rapport": 0}},
		{"are xi and russia friends", map[string]float64{"xi": 0, "rapport": 0}},
	} {
		ws := words(tc.q)
		got := map[string]float64{}
		for _, c := range idx.rankIn(ws, idx.resolve(ws), false).cands {
			got[idx.topics[c.topic].t.ID] = c.leaderOfTwo
		}
		for id, want := range tc.want {
			if g, ok := got[id]; !ok || g != want {
				t.Errorf("%q: %s one-of-two %v (candidate %v), want %v", tc.q, id, g, ok, want)
			}
		}
	}
	if c := embeddedBot(t).idx.Load().model.coef[slices.Index(signalNames[:], "one-of-two")]; c >= 0 {
		t.Errorf("the fitted one-of-two coefficient is %v, want it negative", c)
	}
}
