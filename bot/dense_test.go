package bot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/summitbot/summitbot/bot/vectors"
	"github.com/summitbot/summitbot/knowledge"
)

func TestSIFWeight(t *testing.T) {
	// The most frequent words weigh almost nothing, rare ones almost
	// fully; half weight near rank 1/(a·H) ≈ 76.
	prev := -1.0
	for _, r := range []int{0, 1, 10, 75, 1000, 30000, 400000} {
		w := sifWeight(r)
		if w <= prev || w <= 0 || w >= 1 {
			t.Errorf("sifWeight(%d) = %.4f: want in (0,1), above %.4f", r, w, prev)
		}
		prev = w
	}
	if w := sifWeight(0); w > 0.02 {
		t.Errorf("sifWeight(0) = %.3f: \"the\" must weigh almost nothing", w)
	}
	if w := sifWeight(75); math.Abs(w-0.5) > 0.02 {
		t.Errorf("sifWeight(75) = %.3f, want about 0.5", w)
	}
}

func randomUnit(r *rand.Rand) *vec {
	var v vec
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	unit(&v)
	return &v
}

func TestPackKeepsCosine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		a, b := randomUnit(r), randomUnit(r)
		want := dot(a, b)
		if got := packVec(a).cosine(b); math.Abs(got-want) > 3e-3 {
			t.Fatalf("packed cosine %.5f, want %.5f", got, want)
		}
		if got := packVec(a).cosine(a); math.Abs(got-1) > 3e-3 {
			t.Fatalf("a packed vector's cosine with itself is %.5f", got)
		}
	}
	var zero vec
	if got := packVec(&zero).cosine(randomUnit(r)); got != 0 {
		t.Errorf("a zero vector's cosine is %v, want 0", got)
	}
}

func TestCommonDirection(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	shared := randomUnit(r)
	var vs []*vec
	for range 50 {
		v := randomUnit(r)
		for i := range v {
			v[i] = 0.4*v[i] + shared[i] // every vector leans the same way
		}
		unit(v)
		vs = append(vs, v)
	}
	vs = append(vs, nil) // a topic without a vector is skipped
	u := commonDirection(vs)
	if u == nil {
		t.Fatal("no common direction")
	}
	if c := math.Abs(dot(u, shared)); c < 0.98 {
		t.Errorf("common direction's cosine with the shared one is %.3f, want ≥ 0.98", c)
	}
	v := *vs[0]
	if !reject(&v, u) {
		t.Fatal("nothing left after reject")
	}
	if c := math.Abs(dot(&v, u)); c > 1e-4 {
		t.Errorf("after reject, the part along the common direction is %.5f", c)
	}
	if commonDirection(nil) != nil || commonDirection([]*vec{nil}) != nil {
		t.Error("no vectors must give no common direction")
	}
	// A vector along the common direction has nothing left.
	w := *u
	if reject(&w, u) {
		t.Error("reject left something of the common direction itself")
	}
}

func denseOf(t *testing.T, idx *index, question, topic string) float64 {
	t.Helper()
	ti, ok := idx.byID[topic]
	if !ok {
		t.Fatalf("no topic %s", topic)
	}
	var qv vec
	if !idx.queryVector(&qv, words(question)) || idx.topics[ti].vec == nil {
		t.Fatalf("%q or %s has no vector", question, topic)
	}
	return idx.topics[ti].vec.cosine(&qv)
}

// The dense signal reads words a topic need not use: each question is
// closer to the topic about its subject than to one about another.
func TestDenseReadsTheSubject(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, c := range []struct{ q, near, far string }{
		{"hegemony", "multipolarity", "lunar-research-station"},
		{"the kremlin", "vladimir-putin", "s-400-contract"},
		{"natural gas", "power-of-siberia", "sino-soviet-treaty-1950"},
		{"warships", "joint-sea-naval-drills", "what-each-side-wants"},
		{"opinion polls", "public-opinion", "yamal-lng"},
	} {
		near, far := denseOf(t, idx, c.q, c.near), denseOf(t, idx, c.q, c.far)
		if near <= far+0.2 {
			t.Errorf("%q: %s %.2f, %s %.2f: want the first clearly closer", c.q, c.near, near, c.far, far)
		}
	}
}

// A fold's copy of the index (the fit's held-out questions) redoes the
// vector of a topic whose questions it leaves out, and leaves the real
// index's alone.
func TestHeldOutQuestionsLeaveTheVector(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	ti := idx.byID["power-of-siberia"]
	kt := idx.kb.Topics[ti]
	if len(kt.Questions) < 2 {
		t.Fatal("power-of-siberia needs alternate questions")
	}
	before := *idx.topics[ti].vec
	p := idx.parts(kt)
	c := idx.without(map[int]func(int) bool{ti: func(int) bool { return true }}, map[int]*topicParts{ti: &p})
	if *idx.topics[ti].vec != before {
		t.Fatal("the fold's copy changed the real index's vector")
	}
	if c.topics[ti].vec == nil || *c.topics[ti].vec == before {
		t.Fatal("the fold's copy kept the vector of the questions it left out")
	}
	// As if built without them: an index of the knowledge base whose
	// topic has no alternate questions gives the topic nearly the same
	// vector (its idf and common direction differ a little), and one
	// further from the real index's.
	topics := slices.Clone(idx.kb.Topics)
	bare := *kt
	bare.Questions = nil
	topics[ti] = &bare
	fresh := buildIndex(knowledge.NewKB(topics, idx.kb.Timeline, nil))
	unpack := func(p *packedVec) *vec {
		var v vec
		for i, x := range p.q {
			v[i] = float32(x) * p.scale
		}
		return &v
	}
	got, want, real := unpack(c.topics[ti].vec), fresh.topics[ti].vec, unpack(idx.topics[ti].vec)
	if cos := want.cosine(got); cos < 0.98 {
		t.Errorf("the fold's vector has cosine %.3f with one built without the questions, want ≥ 0.98", cos)
	}
	if near, far := want.cosine(got), want.cosine(real); near <= far {
		t.Errorf("the fold's vector (%.3f) is no nearer than the real index's (%.3f) to one built without the questions", near, far)
	}
}

// Questions with no word that has a vector have no dense signal, and
// nothing panics; the same questions with a word that has one give each
// candidate its cosine.
func TestDenseWithoutVectors(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, c := range []struct {
		q       string
		lexical bool // the lexical signals find candidates
	}{
		{"中俄关系", true},
		{"Сила Сибири", true},
		{"1 2 3", true},
		{"🙂🙂", false},
		{"zzxq qqzx", false},
	} {
		ws := words(c.q)
		var v vec
		if idx.queryVector(&v, ws) {
			t.Errorf("%q has a vector", c.q)
		}
		cands := idx.rank(ws, idx.resolve(ws))
		if c.lexical != (len(cands) > 0) {
			t.Errorf("%q: %d candidates, want some: %v", c.q, len(cands), c.lexical)
		}
		for _, s := range cands {
			if idx.topics[s.topic].vec == nil {
				t.Errorf("%q: %s has no vector, so its dense 0 says nothing", c.q, idx.topics[s.topic].t.ID)
			}
			if s.dense != 0 {
				t.Errorf("%q: dense %v for %s, want 0", c.q, s.dense, idx.topics[s.topic].t.ID)
			}
		}
		ws = append(ws, "pipeline")
		if !idx.queryVector(&v, ws) {
			t.Fatalf("%q has no vector", ws)
		}
		cands = idx.rank(ws, idx.resolve(ws))
		if len(cands) == 0 {
			t.Fatalf("%q: no candidates", ws)
		}
		for _, s := range cands {
			tv := idx.topics[s.topic].vec
			if tv == nil {
				t.Errorf("%q: %s has no vector", ws, idx.topics[s.topic].t.ID)
			} else if want := tv.cosine(&v); s.dense != want || want == 0 {
				t.Errorf("%q: dense %v for %s, want its cosine %v", ws, s.dense, idx.topics[s.topic].t.ID, want)
			}
		}
	}
}

// decompose writes y as a least-squares combination of the basis vectors
// (linearly independent) by Gram–Schmidt, in float64, and returns the
// coefficients and the length of what is left of y.
func decompose(basis []*vec, y *vec) (coef []float64, residual float64) {
	n := len(basis)
	q := make([][vectors.Dim]float64, n) // orthonormal, spanning basis[:j+1] at j
	r := make([][]float64, n)            // basis[j] = Σ_i r[i][j]·q[i]
	for j, b := range basis {
		r[j] = make([]float64, n)
		for k, x := range b {
			q[j][k] = float64(x)
		}
		for i := range j {
			d := 0.0
			for k := range q[j] {
				d += q[i][k] * q[j][k]
			}
			r[i][j] = d
			for k := range q[j] {
				q[j][k] -= d * q[i][k]
			}
		}
		l := 0.0
		for _, x := range q[j] {
			l += x * x
		}
		r[j][j] = math.Sqrt(l)
		for k := range q[j] {
			q[j][k] /= r[j][j]
		}
	}
	var left [vectors.Dim]float64
	for k, x := range y {
		left[k] = float64(x)
	}
	c := make([]float64, n) // y's components along q
	for i := range q {
		for k := range left {
			c[i] += q[i][k] * left[k]
		}
		for k := range left {
			left[k] -= c[i] * q[i][k]
		}
	}
	coef = make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := c[i]
		for j := i + 1; j < n; j++ {
			s -= r[i][j] * coef[j]
		}
		coef[i] = s / r[i][i]
	}
	for _, x := range left {
		residual += x * x
	}
	return coef, math.Sqrt(residual)
}

// The question's vector is made of all its words, whatever the lexical
// reading did with them: phrases of synonyms.yaml, words whose term another
// word already brought, unknown words.
func TestQueryVectorReadsEveryWord(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, q := range []string{
		"is russia a client state of china",
		"lada vs chinese cars",
		"mutual defence pact",
		"what about the glaciers of greenland",
	} {
		ws := words(q)
		var got vec
		if !idx.queryVector(&got, ws) {
			t.Fatalf("%q has no vector", q)
		}
		if l := math.Sqrt(dot(&got, &got)); math.Abs(l-1) > 1e-4 {
			t.Errorf("%q: length %.5f, want 1", q, l)
		}
		if c := dot(&got, idx.common); math.Abs(c) > 1e-4 {
			t.Errorf("%q: %.5f along the common direction, want 0", q, c)
		}
		// Written as a combination of its content words' GloVe vectors
		// and the common direction, the vector is all there (nothing of
		// another word), and each word weighs its SIF weight times the idf
		// share of its term (1 if the index does not know the word), up to
		// one factor for the question.
		var content []string
		count := map[string]int{}
		for _, w := range ws {
			if _, ok := vectors.Find(w); ok && !enStop[w] {
				if count[w] == 0 {
					content = append(content, w)
				}
				count[w]++
			}
		}
		var basis []*vec
		weight := map[string]float64{}
		for _, w := range content {
			r, _ := vectors.Find(w)
			var x vec
			r.AddTo(&x, 1)
			basis = append(basis, &x)
			weight[w] = float64(count[w]) * sifWeight(r.Rank())
			if ts := idx.wordTerms(w); len(ts) == 1 {
				if id, ok := idx.vocab[ts[0]]; ok {
					weight[w] *= idx.idf[id] / idx.maxIDF
				}
			}
		}
		coef, residual := decompose(append(basis, idx.common), &got)
		if residual > 1e-4 {
			t.Errorf("%q: %.4f of its vector is not made of its words %q", q, residual, content)
		}
		factor := coef[0] / weight[content[0]]
		for i, w := range content {
			if c, want := coef[i], factor*weight[w]; !(c > 0) || math.Abs(c-want) > 1e-3*want {
				t.Errorf("%q: %q weighs %.5f, want %.5f", q, w, c, want)
			}
		}
		// And each content word moves it: without it the vector differs.
		for i, w := range ws {
			if enStop[w] {
				continue
			}
			if _, ok := vectors.Find(w); !ok {
				continue
			}
			var less vec
			idx.queryVector(&less, slices.Delete(slices.Clone(ws), i, i+1))
			if dot(&less, &got) > 0.9999 {
				t.Errorf("%q: leaving out %q does not change its vector", q, w)
			}
		}
	}
}
