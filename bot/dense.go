package bot

import (
	"math"

	"github.com/summitbot/summitbot/bot/vectors"
	"github.com/summitbot/summitbot/knowledge"
)

// The lexical signals see only the words a question shares with a topic.
// Word vectors (GloVe, bot/vectors) also see that a pipeline is about gas
// and hegemony about dominance: the dense signal is the cosine between the
// question's vector and the topic's. It re-ranks the shortlist the lexical
// evidence picks and weighs in the decision; it adds no candidate.
//
// A text's vector is the weighted sum of its words' vectors, after Arora,
// Liang and Ma (2017), "A simple but tough-to-beat baseline for sentence
// embeddings": each word weighs a/(a+p(w)) by its frequency p(w) in
// English, and the direction common to every topic is taken out, since it
// says only that a text is about China and Russia. (The paper takes out the
// first principal direction; the topics' vectors all lie in one narrow
// cone, where it is their mean direction to within a cosine of 0.9999, and
// the mean is what is used.) A word the index knows weighs, besides, by its
// idf in the knowledge base: "china" is in every topic and tells none apart.

type vec = [vectors.Dim]float32

// sifA is the smoothing of the words' weights, the paper's a = 10⁻³.
const sifA = 1e-3

// zipfH is the harmonic number of the 341,479 words of bot/vectors' source
// list, whose positions the ranks are: by Zipf's law the word of rank r
// (from 0) has frequency 1/((r+1)·zipfH).
var zipfH = math.Log(341_479) + 0.5772

// sifWeight is a/(a+p(w)) for the word of frequency rank r.
func sifWeight(r int) float64 {
	x := sifA * float64(r+1) * zipfH
	return x / (x + 1)
}

// addText adds the weighted vectors of the words to v, and reports
// whether any word has a vector.
func (idx *index) addText(v *vec, ws []string) bool {
	found := false
	for _, w := range ws {
		found = idx.addWord(v, w) || found
	}
	return found
}

// addWord adds the word's weighted vector to v, and reports whether it
// has one.
func (idx *index) addWord(v *vec, w string) bool {
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
	row.AddTo(v, float32(wt))
	return true
}

// The loops over a vector's components below take four a step, each
// component added or changed in turn as a loop of one would (the same
// float32 and float64 results): every question's vector is made a unit
// twice and has the common direction taken out, and a loop of one spends
// most of its instructions counting. vectors.Dim is a multiple of four
// (package vectors fails to compile otherwise, for Row.AddTo's own steps).

// unit scales v to length 1, and reports whether it had a direction: not
// zero, nor a float32 rounding residue (what is left of a unit vector
// after taking out its own direction is of length about 10⁻⁸).
func unit(v *vec) bool {
	var s float64
	for i := 0; i < len(v)-3; i += 4 {
		s += float64(v[i]) * float64(v[i])
		s += float64(v[i+1]) * float64(v[i+1])
		s += float64(v[i+2]) * float64(v[i+2])
		s += float64(v[i+3]) * float64(v[i+3])
	}
	if s < 1e-12 {
		return false
	}
	inv := float32(1 / math.Sqrt(s))
	for i := 0; i < len(v)-3; i += 4 {
		v[i], v[i+1], v[i+2], v[i+3] = v[i]*inv, v[i+1]*inv, v[i+2]*inv, v[i+3]*inv
	}
	return true
}

func dot(a, b *vec) float64 {
	var s float32
	for i := 0; i < len(a)-3; i += 4 {
		s += a[i] * b[i]
		s += a[i+1] * b[i+1]
		s += a[i+2] * b[i+2]
		s += a[i+3] * b[i+3]
	}
	return float64(s)
}

// reject takes out of v its part along the unit vector u (if u is not
// nil) and scales it to length 1 again; it reports whether anything is
// left.
func reject(v, u *vec) bool {
	if u != nil {
		p := float32(dot(v, u))
		for i := 0; i < len(v)-3; i += 4 {
			v[i], v[i+1], v[i+2], v[i+3] = v[i]-p*u[i], v[i+1]-p*u[i+1], v[i+2]-p*u[i+2], v[i+3]-p*u[i+3]
		}
	}
	return unit(v)
}

// packedVec is a unit vector kept in a quarter of the space: each
// component a multiple of scale in [-127, 127]. Topics' vectors are kept
// so: at 10,000 topics float vectors would be 4 MB of the index.
type packedVec struct {
	q     [vectors.Dim]int8
	scale float32
}

// packVec quantises a vector.
func packVec(v *vec) *packedVec {
	var m float32
	for _, x := range v {
		m = max(m, x, -x)
	}
	p := &packedVec{scale: m / 127}
	if m == 0 {
		return p
	}
	for i, x := range v {
		p.q[i] = int8(math.Round(float64(x / p.scale)))
	}
	return p
}

// cosine is the cosine of a unit vector with a packed unit vector. Every
// candidate of every question takes one, so it is written for speed: four
// components a step, each added to the sum in turn as a loop of one would
// (the same float32 sum), and each component's float32 read from a table
// (vectors.Int8Floats) rather than converted.
func (p *packedVec) cosine(v *vec) float64 {
	var d float32
	q := &p.q
	for i := 0; i < len(q)-3; i += 4 {
		d += vectors.Int8Floats[uint8(q[i])] * v[i]
		d += vectors.Int8Floats[uint8(q[i+1])] * v[i+1]
		d += vectors.Int8Floats[uint8(q[i+2])] * v[i+2]
		d += vectors.Int8Floats[uint8(q[i+3])] * v[i+3]
	}
	return float64(d * p.scale)
}

// vectorParts are a topic's vector in parts, so that its alternate
// questions can be left out cheaply (index.without): the weighted sum of
// its title's, aliases', keywords' and answer's unit vectors, and each
// alternate question's unit vector (nil if no word of it has one). Each
// text weighs its field's weight in the lexical index.
type vectorParts struct {
	rest      vec
	questions []*vec
}

// textUnit is the unit vector of a text's words, if any has a vector.
func (idx *index) textUnit(text string) (*vec, bool) {
	var v vec
	if !idx.addText(&v, words(text)) || !unit(&v) {
		return nil, false
	}
	return &v, true
}

func (idx *index) vectorParts(t *knowledge.Topic) vectorParts {
	var p vectorParts
	add := func(text string, w float64) {
		if u, ok := idx.textUnit(text); ok {
			addScaled(&p.rest, u, w)
		}
	}
	add(t.Title, wTitle)
	for _, a := range t.Aliases {
		add(a, wAlias)
	}
	for _, k := range t.Keywords {
		add(k, wKeyword)
	}
	add(plainText(t.Answer), wAnswer)
	for _, q := range t.Questions {
		u, _ := idx.textUnit(q)
		p.questions = append(p.questions, u)
	}
	return p
}

// vector is the topic's vector without the alternate questions skip
// reports (nil keeps them all), scaled to length 1; nil if it has none.
func (p *vectorParts) vector(skip func(int) bool) *vec {
	v := p.rest
	for i, u := range p.questions {
		if u != nil && (skip == nil || !skip(i)) {
			addScaled(&v, u, wQuestion)
		}
	}
	if !unit(&v) {
		return nil
	}
	return &v
}

// addScaled adds w times u to v.
func addScaled(v, u *vec, w float64) {
	for i := range v {
		v[i] += float32(w) * u[i]
	}
}

// commonDirection is the topics' mean direction: nil if no topic has a
// vector, or if they cancel out.
func commonDirection(vs []*vec) *vec {
	var u vec
	for _, v := range vs {
		if v != nil {
			addScaled(&u, v, 1)
		}
	}
	if !unit(&u) {
		return nil
	}
	return &u
}

// setVectors sets every topic's vector, with the common direction taken
// out. A topic in parts (the fit's, fitParts) has its vector parts built
// already.
func (idx *index) setVectors(parts map[int]*topicParts) {
	vs := make([]*vec, len(idx.topics))
	for i := range idx.topics {
		if p := parts[i]; p != nil {
			vs[i] = p.vec.vector(nil)
			continue
		}
		p := idx.vectorParts(idx.topics[i].t)
		vs[i] = p.vector(nil)
	}
	idx.common = commonDirection(vs)
	for i, v := range vs {
		idx.topics[i].vec = idx.stored(v)
	}
}

// stored is a topic's vector as the index keeps it: the common direction
// taken out, packed; nil if there is none or nothing is left.
func (idx *index) stored(v *vec) *packedVec {
	if v == nil || !reject(v, idx.common) {
		return nil
	}
	return packVec(v)
}

// queryVector sets v to the vector of the question's words, the common
// direction taken out, and reports whether it has one.
func (idx *index) queryVector(v *vec, ws []string) bool {
	*v = vec{}
	return idx.addText(v, ws) && unit(v) && reject(v, idx.common)
}
