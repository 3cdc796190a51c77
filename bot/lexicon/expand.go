package lexicon

import (
	"cmp"
	"slices"
	"sync"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

// keepShare is how close to the best-placed sense another sense must score
// to expand too. At 1 only the best (and any tie) expands: reading the
// expansions of every word of the embedded knowledge base, a share of 0.5
// or 0.75 let china reach taiwan (the Republic of China sense) and alliance
// reach treaty and pact through its sense of a pact.
const keepShare = 1.0

// maxTargetSenses is the most senses a synonym, hypernym or hyponym may
// have to be offered: a word with dozens of senses (give: 45, line: 36,
// hold: 45) matches a knowledge base in some other sense nearly always.
// Derivations and holonyms are links between particular words and stay.
const maxTargetSenses = 12

// maxTargetSense is the rarest sense of a synonym, hypernym or hyponym in
// which it is offered: the knowledge base uses a word in one of its common
// senses, so "weapon" may reach "missile" but not "brand" (a sword in its
// eighth sense; car brands in the knowledge base).
const maxTargetSense = 3

// maxSenses is how many of a word's senses, in each part of speech,
// compete. WordNet numbers senses by how often they were met in its tagged
// corpus; the rare tail of "break" (59 senses), "run" (57) or "cut" (70)
// is almost never what a knowledge base means, and scoring it was most of
// Expand's cost.
const maxSenses = 8

// maxSisters bounds the co-hyponyms looked at when scoring one sense, so
// that a word under a crowded hypernym stays cheap.
const maxSisters = 20

// Expand returns the terms word can stand for that known accepts, through
// the senses of word the knowledge base uses.
//
// word is any surface form ("sanctions", "brokered", "Mutual defence
// pact"); it is lemmatised as WordNet's morphy does. Each sense of each
// lemma is scored by how many distinct known terms its neighbourhood holds:
// its targets (synonyms, derivations, hypernyms, hyponyms, holonyms) and its
// co-hyponyms (the other hyponyms of its hypernyms), which place the sense
// in the knowledge base's subject without being offered as expansions. Each
// term weighs the inverse of its own number of senses. Only the best-scoring
// senses expand. So when the knowledge base writes of penalties, "sanction"
// does not expand to "approve".
//
// The result is ordered by relation, then term; each term appears once,
// with its closest relation. Terms equal to word or one of its lemmas are
// left out. Expand is safe for concurrent use; known must be too if the
// caller shares it.
func Expand(word string, known func(term string) bool) []Expansion {
	if known == nil {
		return nil
	}
	e := getExpander(data(), known)
	defer e.release()
	return e.expand(word)
}

func (e *expander) expand(word string) []Expansion {
	t := e.t
	w := normalise(word)
	if functionWords[w] {
		return nil
	}
	var lbuf [8]lemma
	lems := t.lemmas(w, lbuf[:0])
	if len(lems) == 0 {
		return nil
	}
	e.self = e.self[:0]
	for _, l := range lems {
		e.self = append(e.self, l.id)
	}
	type scored struct {
		s     senseRef
		score float64
	}
	var sbuf [16]scored
	senses := sbuf[:0]
	best := 0.0
	// Every sense of every lemma competes, whatever the part of speech the
	// inflection suggested: "sanctioned" is the verb to morphy, but a
	// knowledge base that writes of sanctions as penalties uses the noun's
	// sense, and WordNet has no verb for it.
	for i, l := range lems {
		if slices.ContainsFunc(lems[:i], func(o lemma) bool { return o.id == l.id }) {
			continue
		}
		for _, s := range t.wordSenses(l.id) {
			if s.num <= maxSenses {
				senses = append(senses, scored{s: s})
			}
		}
	}
	// Most words of a knowledge base reach no known term at all: then there
	// is nothing to choose between, and the sense scores are not needed.
	reaches := false
	for _, x := range senses {
		e.targets(x.s, func(id uint32, rel Relation, syn uint32) {
			reaches = reaches || e.offered(id, rel, syn)
		})
		if reaches {
			break
		}
	}
	switch {
	case !reaches:
		return nil
	case len(senses) == 1:
		senses[0].score, best = 1, 1
	default:
		for i := range senses {
			senses[i].score = e.score(senses[i].s)
			best = max(best, senses[i].score)
		}
	}
	if best == 0 {
		return nil
	}
	var out []Expansion
	seen := map[uint32]int{} // word id → index in out
	for _, x := range senses {
		if x.score < best*keepShare {
			continue
		}
		e.targets(x.s, func(id uint32, rel Relation, syn uint32) {
			if !e.offered(id, rel, syn) {
				return
			}
			if i, ok := seen[id]; ok {
				if rel < out[i].Rel {
					out[i].Rel, out[i].Sense = rel, int(x.s.num)
				}
				return
			}
			seen[id] = len(out)
			out = append(out, Expansion{Term: t.word(id), Rel: rel, Sense: int(x.s.num)})
		})
	}
	slices.SortFunc(out, func(a, b Expansion) int {
		return cmp.Or(cmp.Compare(a.Rel, b.Rel), cmp.Compare(a.Term, b.Term))
	})
	return out
}

// expander is the scratch space of one Expand call. Its per-word marks are
// stamped with a generation number, so reusing it costs nothing to clear.
type expander struct {
	t     *table
	known func(string) bool
	self  []uint32 // the word's own lemmas, never an expansion
	gen   uint32   // this call's stamp in a mark's asked bits, 1..maxGen
	seen  uint32   // the current score's stamp in a mark's counted bits, 1..maxSeen
	// marks is per word id, packed in four bytes so that the whole array
	// (430 KB) stays in cache: the misses on it were most of what walking
	// the neighbourhoods cost.
	marks []mark
}

// mark packs, for one word: bits 0–15 the score that last counted it,
// bits 16–30 the call that last asked known about it, bit 31 the answer.
type mark uint32

const (
	maxSeen    = 1<<16 - 1
	maxGen     = 1<<15 - 1
	answerBit  = 1 << 31
	countedMsk = maxSeen
)

func (m mark) asked() uint32   { return uint32(m) >> 16 & maxGen }
func (m mark) counted() uint32 { return uint32(m) & countedMsk }

// expanders keeps scratch spaces between calls. Not a sync.Pool: a pool
// is emptied at every garbage collection, and reallocating a megabyte of
// marks after each one was most of the cost of an index build.
var expanders struct {
	sync.Mutex
	free []*expander
}

// maxFreeExpanders bounds the scratch spaces kept (about 1 MB each).
const maxFreeExpanders = 4

func getExpander(t *table, known func(string) bool) *expander {
	var e *expander
	expanders.Lock()
	if n := len(expanders.free); n > 0 {
		e, expanders.free = expanders.free[n-1], expanders.free[:n-1]
	}
	expanders.Unlock()
	if e == nil || len(e.marks) != t.nWords() {
		e = newScratch(t.nWords())
	}
	e.t, e.known, e.self = t, known, e.self[:0]
	e.gen++
	if e.gen > maxGen { // wrapped: clear the stamps
		clear(e.marks)
		e.gen, e.seen = 1, 0
	}
	return e
}

func newScratch(n int) *expander {
	return &expander{marks: make([]mark, n)}
}

func (e *expander) release() {
	e.known = nil
	expanders.Lock()
	if len(expanders.free) < maxFreeExpanders {
		expanders.free = append(expanders.free, e)
	}
	expanders.Unlock()
}

func (e *expander) isKnown(id uint32) bool {
	if slices.Contains(e.self, id) {
		return false
	}
	m := e.marks[id]
	if m.asked() != e.gen {
		m = m&countedMsk | mark(e.gen)<<16
		if e.known(e.t.word(id)) {
			m |= answerBit
		}
		e.marks[id] = m
	}
	return m&answerBit != 0
}

// offered reports whether word id, reached by rel in synset syn, is an
// expansion to offer: known, and saying something.
func (e *expander) offered(id uint32, rel Relation, syn uint32) bool {
	t := e.t
	if rel != Derivation && rel != Holonym {
		if t.poly[id] > maxTargetSenses {
			return false // "give", "take", "line": a match on them says nothing
		}
		for _, x := range t.wordSenses(id) {
			if x.syn == syn && x.num > maxTargetSense {
				return false // "brand" is a sword only in its 8th sense
			}
		}
	}
	if len(t.word(id)) < 2 {
		return false // "h" for hydrogen, "o" for oxygen
	}
	return e.isKnown(id)
}

// mark reports whether word id is counted for the first time in the
// current score.
func (e *expander) mark(id uint32) bool {
	m := e.marks[id]
	if m.counted() == e.seen {
		return false
	}
	e.marks[id] = m&^countedMsk | mark(e.seen)
	return true
}

// targets calls f for every term sense s of a word reaches, with its
// relation and the synset it was reached in; a term may come more than
// once.
func (e *expander) targets(s senseRef, f func(id uint32, rel Relation, syn uint32)) {
	t := e.t
	for _, m := range t.synMembers(s.syn) {
		f(m, Synonym, s.syn)
	}
	for _, p := range t.synPtrs(s.syn) {
		if p.src != 0 && p.src != s.word {
			continue // a lexical link from another member of the synset
		}
		rel := relationOf(p.rel)
		t.pointed(p, func(id uint32) { f(id, rel, p.target) })
	}
}

// pointed calls f for the words pointer p leads to: one word for a lexical
// pointer, every member of the target synset for a semantic one.
func (t *table) pointed(p ptr, f func(id uint32)) {
	ms := t.synMembers(p.target)
	if p.dst != 0 {
		if int(p.dst) <= len(ms) {
			f(ms[p.dst-1])
		}
		return
	}
	for _, m := range ms {
		f(m)
	}
}

// score weighs the distinct known terms in the neighbourhood of sense s:
// its targets (synonyms, derivations, hypernyms, hyponyms, holonyms) and up
// to maxSisters co-hyponyms (the other hyponyms of its hypernyms). A term
// weighs relWeight for its relation over its own number of senses:
// "punishment", with one sense, places a sense of "sanction" among
// penalties far more surely than "back" or "pass", with dozens, place one
// among approvals.
func (e *expander) score(s senseRef) float64 {
	t := e.t
	e.seen++
	if e.seen > maxSeen {
		for i := range e.marks {
			e.marks[i] &^= countedMsk
		}
		e.seen = 1
	}
	n := 0.0
	count := func(id uint32, rel Relation, _ uint32) {
		if e.mark(id) && e.isKnown(id) {
			n += relWeight[rel] / float64(len(t.wordSenses(id)))
		}
	}
	e.targets(s, count)
	sisters := 0
	for _, p := range t.synPtrs(s.syn) {
		if relationOf(p.rel) != Hypernym {
			continue
		}
		for _, q := range t.synPtrs(p.target) {
			if relationOf(q.rel) != Hyponym || q.target == s.syn {
				continue
			}
			if sisters++; sisters > maxSisters {
				return n
			}
			t.pointed(q, func(id uint32) { count(id, sister, q.target) })
		}
	}
	return n
}

// sister marks a co-hyponym in score: evidence for a sense, never an
// expansion.
const sister = Holonym + 1

// relWeight is how much a known term says about a sense, by how it is
// related: a word of the sense itself (synonym, derivation, whole) counts
// twice a neighbour. Co-hyponyms count like hypernyms: at half that, the
// 111-topic knowledge base, which has approve, okay and endorse besides
// penalties, enforcement and government, sent sanction to its approval
// sense (read from Expand over every word of the knowledge base).
var relWeight = [...]float64{Synonym: 2, Derivation: 2, Holonym: 2, Hypernym: 1, Hyponym: 1, sister: 1}

func relationOf(r uint8) Relation {
	switch r {
	case wngen.RelDerivation:
		return Derivation
	case wngen.RelHypernym:
		return Hypernym
	case wngen.RelHyponym:
		return Hyponym
	case wngen.RelHolonym:
		return Holonym
	}
	return Synonym
}
