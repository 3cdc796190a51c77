package bot

import (
	"math"
	"math/rand/v2"
	"testing"

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

func TestShrinkKeepsCosine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		a, b := randomUnit(r), randomUnit(r)
		want := dot(a, b)
		if got := shrink(a).cosine(b); math.Abs(got-want) > 0.02 {
			t.Fatalf("quantised cosine %.4f, want %.4f", got, want)
		}
	}
	var zero vec
	if got := shrink(&zero).cosine(randomUnit(r)); got != 0 {
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
	reject(&v, u)
	if c := math.Abs(dot(&v, u)); c > 1e-4 {
		t.Errorf("after reject, the part along the common direction is %.5f", c)
	}
	if commonDirection(nil) != nil || commonDirection([]*vec{nil}) != nil {
		t.Error("no vectors must give no common direction")
	}
}

func embeddedIndex(t *testing.T) *index {
	t.Helper()
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return buildIndex(kb)
}

func denseOf(t *testing.T, idx *index, question, topic string) float64 {
	t.Helper()
	ti, ok := idx.byID[topic]
	if !ok {
		t.Fatalf("no topic %s", topic)
	}
	var qv vec
	if !idx.queryVector(&qv, idx.resolve(words(question))) || idx.topics[ti].vec == nil {
		t.Fatalf("%q or %s has no vector", question, topic)
	}
	return idx.topics[ti].vec.cosine(&qv)
}

// The dense signal reads words a topic need not use: each question is
// closer to the topic about its subject than to one about another.
func TestDenseReadsTheSubject(t *testing.T) {
	idx := embeddedIndex(t)
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
	idx := embeddedIndex(t)
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
	// As if built without them: the topic's vector from its title,
	// aliases, keywords and answer alone.
	bare := *kt
	bare.Questions = nil
	_, ps := idx.topicTerms(&bare, nil, func(s string) int32 { return idx.vocab[s] })
	want := idx.kept(idx.topicVector(&bare, ps))
	var got vec
	for i, x := range c.topics[ti].vec.q {
		got[i] = float32(x) * c.topics[ti].vec.scale
	}
	if cos := want.cosine(&got); cos < 0.99 {
		t.Errorf("fold vector's cosine with one built without the questions is %.3f", cos)
	}
}

// Questions with no word that has a vector have no dense signal, and
// nothing panics.
func TestDenseWithoutVectors(t *testing.T) {
	idx := embeddedIndex(t)
	for _, q := range []string{"中俄关系", "Сила Сибири", "🙂🙂", "zzxq qqzx", "1 2 3"} {
		var v vec
		if idx.queryVector(&v, idx.resolve(words(q))) {
			t.Errorf("%q has a vector", q)
		}
		for _, c := range idx.rank(idx.resolve(words(q))) {
			if c.dense != 0 {
				t.Errorf("%q: dense %v for %s, want 0", q, c.dense, idx.topics[c.topic].t.ID)
			}
		}
	}
}
