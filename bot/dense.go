package bot

import (
	"math"
	"strings"

	"github.com/summitbot/summitbot/bot/vectors"
	"github.com/summitbot/summitbot/knowledge"
)

// The lexical signals see only the words a question shares with a topic.
// Word vectors (GloVe, bot/vectors) also see that a pipeline is about gas
// and hegemony about dominance: the dense signal is the cosine between the
// question's vector and the topic's. A text's vector is the weighted sum of
// its words' vectors, after Arora, Liang and Ma (2017), "A simple but
// tough-to-beat baseline for sentence embeddings": each word weighs
// a/(a+p(w)) by its frequency p(w) in English, and the direction common to
// every topic is taken out, since it says only that a text is about China
// and Russia. A word the index knows weighs, besides, by its idf in the
// knowledge base: "china" is in every topic and tells none apart.

type vec = [vectors.Dim]float32

// sifA is the smoothing of the words' weights, the paper's a = 10⁻³.
const sifA = 1e-3

// zipfH is the harmonic number of GloVe's 400,000 words: by Zipf's law the
// word of frequency rank r (from 0) has frequency 1/((r+1)·zipfH).
var zipfH = math.Log(400_000) + 0.5772

// sifWeight is a/(a+p(w)) for the word of frequency rank r.
func sifWeight(r int) float64 {
	x := sifA * float64(r+1) * zipfH
	return x / (x + 1)
}

// addText adds scale times the weighted vectors of the words to v, and
// reports whether any word has a vector.
func (idx *index) addText(v *vec, ws []string, scale float64) bool {
	found := false
	for _, w := range ws {
		found = idx.addWord(v, w, scale) || found
	}
	return found
}

// addWord adds scale times the word's weighted vector to v, and reports
// whether it has one.
func (idx *index) addWord(v *vec, w string, scale float64) bool {
	if enStop[w] {
		return false
	}
	row, ok := vectors.Find(w)
	if !ok {
		return false
	}
	wt := sifWeight(row.Rank())
	if ts := idx.wordTerms(w); len(ts) == 1 {
		if id, ok := idx.vocab[ts[0]]; ok {
			wt *= idx.idf[id] / idx.maxIDF
		}
	}
	row.AddTo(v, float32(scale*wt))
	return true
}

// unit scales v to length 1, and reports whether it was not zero.
func unit(v *vec) bool {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return false
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
	return true
}

// small is a unit vector kept in a quarter of the space: each component
// as a multiple of scale in [-127, 127]. A topic's vector is kept so; at
// 10,000 topics the float vectors would be 4 MB of the index.
type small struct {
	q     [vectors.Dim]int8
	scale float32
}

// shrink quantises a unit vector.
func shrink(v *vec) *small {
	var m float32
	for _, x := range v {
		m = max(m, x, -x)
	}
	s := &small{scale: m / 127}
	if m == 0 {
		return s
	}
	for i, x := range v {
		s.q[i] = int8(math.Round(float64(x / s.scale)))
	}
	return s
}

// cosine is the cosine of a unit vector with a kept one.
func (s *small) cosine(v *vec) float64 {
	var d float32
	for i, x := range s.q {
		d += float32(x) * v[i]
	}
	return float64(d * s.scale)
}

func dot(a, b *vec) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// reject takes out of v its part along the unit vector u (if any) and
// scales it to length 1 again.
func reject(v, u *vec) {
	if u == nil {
		return
	}
	p := float32(dot(v, u))
	for i := range v {
		v[i] -= p * u[i]
	}
	unit(v)
}

// topicVector is the topic's vector: its title, aliases and alternate
// questions (the phrases kept, ps), keywords and answer, each a unit
// vector weighed by its field's weight in the lexical index. Nil if no
// word of the topic has a vector.
func (idx *index) topicVector(t *knowledge.Topic, ps []phrase) *vec {
	var v, part vec
	found := false
	add := func(text string, w float64) {
		part = vec{}
		if idx.addText(&part, words(text), 1) && unit(&part) {
			for i := range v {
				v[i] += float32(w) * part[i]
			}
			found = true
		}
	}
	for _, p := range ps {
		switch {
		case p.text == 0:
			add(t.Title, wTitle)
		case p.alias:
			add(phraseText(t, p.text), wAlias)
		default:
			add(phraseText(t, p.text), wQuestion)
		}
	}
	for _, k := range t.Keywords {
		add(k, wKeyword)
	}
	add(plainText(t.Answer), wAnswer)
	if !found || !unit(&v) {
		return nil
	}
	return &v
}

// commonDirection is the topics' first principal direction (by power
// iteration), which every topic shares: nil if no topic has a vector.
func commonDirection(vs []*vec) *vec {
	var u vec
	n := 0
	for _, v := range vs {
		if v != nil {
			for i := range u {
				u[i] += v[i]
			}
			n++
		}
	}
	if n == 0 || !unit(&u) {
		return nil
	}
	for range maxPowerSteps {
		var next vec
		for _, v := range vs {
			if v != nil {
				p := float32(dot(v, &u))
				for i := range next {
					next[i] += p * v[i]
				}
			}
		}
		if !unit(&next) {
			break
		}
		moved := 1 - dot(&next, &u)
		u = next
		if moved < 1e-9 {
			break
		}
	}
	return &u
}

// maxPowerSteps bounds the power iteration; it converges in a few dozen.
const maxPowerSteps = 200

// setVectors sets every topic's vector with the common direction taken out.
func (idx *index) setVectors(phrases [][]phrase) {
	vs := make([]*vec, len(idx.topics))
	for i := range idx.topics {
		vs[i] = idx.topicVector(idx.topics[i].t, phrases[i])
	}
	idx.common = commonDirection(vs)
	for i, v := range vs {
		idx.topics[i].vec = idx.kept(v)
	}
}

// kept is a topic's vector with the common direction taken out, as the
// index keeps it; nil for nil.
func (idx *index) kept(v *vec) *small {
	if v == nil {
		return nil
	}
	reject(v, idx.common)
	return shrink(v)
}

// queryVector sets v to the question's vector, from the first term of
// each slot, and reports whether any of its words has a vector.
func (idx *index) queryVector(v *vec, qs []qterm) bool {
	found := false
	for i, t := range qs {
		if i > 0 && qs[i-1].slot == t.slot {
			continue
		}
		w := t.word
		if t.surface != "" {
			w = t.surface
		}
		if strings.IndexByte(w, ' ') < 0 {
			found = idx.addWord(v, w, 1) || found
		} else {
			found = idx.addText(v, strings.Fields(w), 1) || found
		}
	}
	if !found || !unit(v) {
		return false
	}
	reject(v, idx.common)
	return true
}
