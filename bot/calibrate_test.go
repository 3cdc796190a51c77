package bot

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

func embeddedBot(t testing.TB) *Bot {
	t.Helper()
	embedded.once.Do(func() {
		kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
		if err != nil {
			embedded.err = err
			return
		}
		embedded.idx = buildIndex(kb)
	})
	if embedded.err != nil {
		t.Fatal(embedded.err)
	}
	b := newBot(Options{})
	b.idx.Store(embedded.idx)
	return b
}

// embedded is the index of the embedded knowledge base, built once for
// the tests: an index is immutable once built (its memos only cache), so
// each test's Bot, with its own conversations, shares it. Building it is
// most of a test's time, ten times more under the race detector.
var embedded struct {
	once sync.Once
	idx  *index
	err  error
}

// TestCalibratedDecision holds the decision to the questions issue 11 and
// 14 name: subjects outside the knowledge base and junk are declined; a
// clause of context, a headline or a "what does X want from Y" does not
// by itself sink a question a topic covers.
func TestCalibratedDecision(t *testing.T) {
	b := embeddedBot(t)
	// known marks the examples the calibrated decision still gets
	// wrong: logged, not failed, and reported in kb eval's misses; a known
	// case that starts to pass is logged too, so the mark can go.
	cases := []struct {
		q        string
		answered bool
		known    string
	}{
		{q: "how to tie a tie"},
		{q: "When is Chinese New Year this year?"},
		{q: "how long is the Great Wall of China"},
		{q: "what's the weather in Moscow today"},
		{q: "what caused the US-China trade war"},
		{q: "what happened in the China-India border clash", known: "the 1959 Sino-Indian clashes topic matches every content word; the decision cannot tell which border clash is meant"},
		{q: "1"},
		{q: "%s"},
		{q: "At a time of mixed messaging from Washington, how important is the SCO?", answered: true, known: "in scope 0.49 against the 0.50 threshold since paraphrases of development-set questions were taken out of the topics on 2 December (0.54 before; the clause's words are known to the index, so they count against the SCO topic, which lacks them)"},
		{q: "what does russia want from china", answered: true},
		{q: "why does china buy russian oil", answered: true},
		{q: "is it true that china and russia are allies", answered: true},
		{q: "How much power does the SCO wield?", answered: true, known: "'wield' is unknown and 'power' pulls to Power of Siberia; the SCO alias alone does not carry the decision"},
		{q: "How to Make Chinese Dumplings"},
	}
	for _, c := range cases {
		a := ask(b, c.q)
		ok := a.Answered == c.answered
		switch {
		case ok && c.known != "":
			t.Logf("known case now passes, drop its mark: %q", c.q)
		case !ok && c.known != "":
			t.Logf("known miss: %q (answered %v, confidence %.2f): %s", c.q, a.Answered, a.Confidence, c.known)
		case !ok && c.answered:
			t.Errorf("%q declined (confidence %.2f)", c.q, a.Confidence)
		case !ok:
			t.Errorf("%q answered with %s (confidence %.2f), want declined", c.q, a.Topic.ID, a.Confidence)
		}
	}
	if a := ask(b, "How much power does the SCO wield?"); a.Answered && a.Topic.ID != "sco" {
		t.Errorf("the SCO's power: answered %s, want sco", a.Topic.ID)
	}
}

// TestFitIsDeterministic: two indexes of the same knowledge base fit the
// same model, so a reload does not change answers.
func TestFitIsDeterministic(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := buildIndex(kb), buildIndex(kb)
	if a.model == nil || a.model.scope == nil || a.model.coef != b.model.coef || a.model.bias != b.model.bias || !slices.Equal(a.model.scope.coef, b.model.scope.coef) || a.model.scope.bias != b.model.scope.bias {
		t.Fatalf("models differ or are missing: %+v vs %+v", a.model, b.model)
	}
}

// TestFitLogistic recovers the direction of a known logistic relation and
// gives calibrated probabilities on it.
func TestFitLogistic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var data []sample
	for range 4000 {
		var x features
		for i := range x {
			x[i] = r.Float64()
		}
		p := sigmoid(6*x[0] - 4*x[1] - 1)
		y := 0.0
		if r.Float64() < p {
			y = 1
		}
		data = append(data, sample{x: x, y: y, w: 1})
	}
	m := fitLogistic(data)
	if m == nil {
		t.Fatal("no model")
	}
	if m.coef[0] < 4 || m.coef[1] > -2 || math.Abs(m.coef[2]) > 1 {
		t.Errorf("coefficients %v, want about 6, -4, 0 ...", m.coef)
	}
	// Mean predicted probability matches the share of positives.
	var sumP, sumY float64
	for _, s := range data {
		z := m.bias
		for i, v := range s.x {
			z += m.coef[i] * v
		}
		sumP += sigmoid(z)
		sumY += s.y
	}
	if d := math.Abs(sumP-sumY) / float64(len(data)); d > 0.02 {
		t.Errorf("mean probability off by %.3f", d)
	}
	if fitLogistic(data[:10]) != nil {
		t.Error("a model fit on 10 samples, want none (minFit)")
	}
}

// TestExplainIsTheRanking: the explanation is the ranking's own record: its
// first candidate and confidence are Ask's, its parts add up to that
// confidence, and an expansion names its source.
func TestExplainIsTheRanking(t *testing.T) {
	b := embeddedBot(t)
	for _, q := range []string{"do china and russia have a mutual defence pact", "pwer of sibera", "what does the kremlin want from beijing"} {
		a := b.Ask(context.Background(), Question{Text: q})
		ex := b.Explain(q, 5)
		if len(ex.Candidates) == 0 || len(ex.Candidates) > 5 {
			t.Fatalf("%q: %d candidates", q, len(ex.Candidates))
		}
		top := ex.Candidates[0]
		if a.Answered && a.Topic.ID != top.Topic.ID || math.Abs(a.Confidence-top.Confidence) > 0.001 {
			t.Errorf("%q: Ask chose %v at %.3f, Explain %s at %.3f", q, a.Topic, a.Confidence, top.Topic.ID, top.Confidence)
		}
		z := top.Bias
		for _, s := range top.Signals {
			z += s.Part
		}
		if p := sigmoid(z); math.Abs(p-top.Confidence) > 0.01 {
			t.Errorf("%q: parts give %.3f, confidence %.3f", q, p, top.Confidence)
		}
		if len(top.Matches) == 0 {
			t.Errorf("%q: no matched terms", q)
		}
	}
	ex := b.Explain("do china and russia have a mutual defence pact", 1)
	if !slices.ContainsFunc(ex.Terms, func(m TermMatch) bool {
		return m.How == "synonym" && strings.HasPrefix(m.Via, knowledge.SynonymsFile+":")
	}) {
		t.Errorf("mutual defence pact: no synonym from %s in %+v", knowledge.SynonymsFile, ex.Terms)
	}
	ex = b.Explain("pwer of sibera", 1)
	if !slices.ContainsFunc(ex.Terms, func(m TermMatch) bool { return m.How == "typo" }) {
		t.Errorf("pwer of sibera: no typo in %+v", ex.Terms)
	}
}

// TestWordNetLandsOnIndexTerms: a WordNet expansion is only ever a term
// the index holds.
func TestWordNetLandsOnIndexTerms(t *testing.T) {
	b := embeddedBot(t)
	idx := b.idx.Load()
	n := 0
	for _, w := range []string{"hegemony", "brokered", "pact", "poland", "missiles", "weapon", "sanction"} {
		for _, h := range idx.wordnet(w) {
			n++
			if len(idx.postings[h.id]) == 0 {
				t.Errorf("%s expands to %s, which no topic holds", w, idx.termName(h.id))
			}
		}
	}
	if n == 0 {
		t.Error("no WordNet expansion at all")
	}
}

// TestWithoutIsARebuild: the patched index the fit uses is the index built
// without the held-out questions: same postings and idf for every term.
func TestWithoutIsARebuild(t *testing.T) {
	kb := loadFixture(t)
	idx := buildIndex(kb)
	patched, rebuilt := holdOutEven(t, kb, idx, func(ti int) bool { return ti%2 == 0 })
	for term, id := range idx.vocab {
		want := []posting(nil)
		wantIDF := patched.maxIDF
		if rid, ok := rebuilt.vocab[term]; ok {
			want, wantIDF = rebuilt.postings[rid], rebuilt.idf[rid]
		}
		if !slices.Equal(patched.postings[id], want) || math.Abs(patched.idf[id]-wantIDF) > 1e-9 {
			t.Errorf("%q: patched %v (idf %.3f), rebuilt %v (idf %.3f)", term, patched.postings[id], patched.idf[id], want, wantIDF)
		}
	}
	some := false
	for ti := range kb.Topics {
		got, want := patched.topics[ti].bilateral, rebuilt.topics[ti].bilateral
		some = some || got != idx.topics[ti].bilateral
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: patched bilateral share %v, rebuilt %v", kb.Topics[ti].ID, got, want)
		}
	}
	if !some {
		t.Error("holding questions out changed no topic's bilateral share: the fixture shows nothing")
	}
}

// TestBalancedClasses: the in-scope model's two classes weigh the same.
func TestBalancedClasses(t *testing.T) {
	data := []sample{{y: 1, w: 0.5}, {y: 1, w: 0.5}, {y: 1, w: 1}, {y: 0, w: 1}}
	var pos, neg float64
	for _, s := range balanced(data) {
		if s.y > 0 {
			pos += s.w
		} else {
			neg += s.w
		}
	}
	if math.Abs(pos-neg) > 1e-12 || pos != 2 {
		t.Errorf("balanced weights: positives %v, negatives %v, want 2 and 2", pos, neg)
	}
	if data[3].w != 1 {
		t.Error("balanced changed its input")
	}
}

// TestScopeIsExplained: the first candidate carries the in-scope model's
// verdict and its parts, and the decision is at least the confidence.
func TestScopeIsExplained(t *testing.T) {
	b := embeddedBot(t)
	ex := b.Explain("Is the Arctic turning into a playground for the great powers?", 3)
	if len(ex.Candidates) < 2 {
		t.Fatalf("candidates: %+v", ex.Candidates)
	}
	s := ex.Candidates[0].Scope
	if s == nil || len(s.Signals) != 2*nSignals || s.InScope <= 0 || s.InScope >= 1 {
		t.Fatalf("first candidate's scope: %+v", s)
	}
	for _, c := range ex.Candidates[1:] {
		if c.Scope != nil {
			t.Errorf("%s has a scope: only the first candidate decides", c.Topic.ID)
		}
	}
	idx := b.idx.Load()
	// A name typed alone is answered, whichever of the two models
	// carries it.
	if a := ask(b, "glonass"); !a.Answered || a.Topic.ID != "glonass-beidou" {
		t.Errorf("glonass: answered %v (%+v)", a.Answered, a.Topic)
	}
	cands := idx.rank(words("glonass"), idx.resolve(words("glonass")))
	if len(cands) == 0 {
		t.Fatal("glonass: no candidates")
	}
	if c := cands[0]; c.inScope < 0.5 && c.confidence < 0.5 {
		t.Errorf("glonass: in scope %.2f and confidence %.2f, both under the threshold", c.inScope, c.confidence)
	}
}

// holdOutEven holds out the even-numbered alternate questions of the
// topics hold picks (those with two questions or more) both ways: the
// index patched as the fit patches it, and one rebuilt without them.
func holdOutEven(t *testing.T, kb *knowledge.KB, idx *index, hold func(ti int) bool) (patched, rebuilt *index) {
	t.Helper()
	held := map[int]func(int) bool{}
	parts := map[int]*topicParts{}
	var topics []*knowledge.Topic
	for ti, tp := range kb.Topics {
		c := *tp
		if hold(ti) && len(tp.Questions) > 1 {
			held[ti] = func(qi int) bool { return qi%2 == 0 }
			p := idx.parts(tp)
			parts[ti] = &p
			c.Questions = nil
			for qi, q := range tp.Questions {
				if qi%2 != 0 {
					c.Questions = append(c.Questions, q)
				}
			}
		}
		topics = append(topics, &c)
	}
	if len(held) == 0 {
		t.Fatal("fixture has no topic with two questions")
	}
	idx.setBilateral(parts) // as buildIndex does for the fit's parts
	return idx.without(held, parts), buildIndex(knowledge.NewKB(topics, kb.Timeline, nil))
}

// TestFitWeightsStationary: the weights fitWeights returns, with a bias of
// its own or on top of an offset (as fitOn fits), are where the penalised
// log-likelihood is flat: its gradient, in the standardised inputs the
// penalty is on, is zero.
func TestFitWeightsStationary(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var data []sample
	var xs [][]float64
	var offset []float64
	for range 2000 {
		x := []float64{r.Float64(), 0}
		if r.IntN(5) == 0 {
			x[1] = 1 + r.Float64() // zero for most samples, as the year is
		}
		off := 2*x[0] - 1
		y := 0.0
		if r.Float64() < sigmoid(off+1.5*x[1]) {
			y = 1
		}
		data = append(data, sample{y: y, w: 0.5 + r.Float64()})
		xs, offset = append(xs, x), append(offset, off)
	}
	for _, c := range []struct {
		name   string
		offset []float64
	}{
		{"bias", nil},
		{"offset", offset},
	} {
		coef, bias, ok := fitWeights(data, xs, c.offset)
		if !ok {
			t.Fatalf("%s: no fit", c.name)
		}
		if c.offset != nil && bias != 0 {
			t.Errorf("%s: bias %v, want 0: the offset holds the bias", c.name, bias)
		}
		var gBias float64
		g := make([]float64, len(coef))
		for k, s := range data {
			z := bias
			if c.offset != nil {
				z = c.offset[k]
			}
			for i, v := range xs[k] {
				z += coef[i] * v
			}
			gBias += s.w * (sigmoid(z) - s.y)
			for i, v := range xs[k] {
				g[i] += s.w * (sigmoid(z) - s.y) * v
			}
		}
		for i := range coef {
			// The penalty ridge·(coef·sd)²/2, differentiated by coef·sd.
			sd := stdDev(xs, i)
			if gi := g[i]/sd + ridge*coef[i]*sd; math.Abs(gi) > 1e-6 {
				t.Errorf("%s: gradient %v along input %d (coefficient %v)", c.name, gi, i, coef[i])
			}
		}
		if c.offset == nil && math.Abs(gBias) > 1e-6 {
			t.Errorf("%s: gradient %v along the bias", c.name, gBias)
		}
		if c.offset != nil && math.Abs(coef[1]-1.5) > 0.5 {
			t.Errorf("%s: coefficient %v on top of the offset, want about 1.5", c.name, coef[1])
		}
	}
}

func stdDev(xs [][]float64, i int) float64 {
	var mean, sq float64
	for _, x := range xs {
		mean += x[i]
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sq += (x[i] - mean) * (x[i] - mean)
	}
	return math.Sqrt(sq / float64(len(xs)))
}

// TestFitPartsMakeTheVectors: the topics' vectors, of which the fit's
// held-out topics are built from the fit's parts, are what each topic's
// own vector parts give, and the fit has the parts of every topic it holds
// questions of out.
func TestFitPartsMakeTheVectors(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	parts := idx.fitParts(idx.kb)
	held := 0
	for ti, e := range idx.topics {
		if len(e.t.Questions) > 1 {
			held++
			if parts[ti] == nil {
				t.Errorf("%s: the fit has no parts of it", e.t.ID)
			}
		}
		p := idx.vectorParts(e.t)
		if want := idx.stored(p.vector(nil)); (e.vec == nil) != (want == nil) || e.vec != nil && *e.vec != *want {
			t.Errorf("%s: the index's vector is not its vector parts'", e.t.ID)
		}
	}
	if held == 0 || len(parts) != held {
		t.Errorf("the fit has the parts of %d topics, want %d", len(parts), held)
	}
}
