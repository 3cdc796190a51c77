package lexicon

import (
	"cmp"
	"slices"
	"sync"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

// keepShare is how close to the best-placed sense another sense must score
// to expand too: a word the knowledge base uses in two senses keeps both,
// a sense with a stray match or two does not.
const keepShare = 0.5

// maxSisters bounds the co-hyponyms looked at when scoring one sense, so
// that a word under a crowded hypernym stays cheap.
const maxSisters = 40

// Expand returns the terms word can stand for that known accepts, through
// the senses of word the knowledge base uses.
//
// word is any surface form ("sanctions", "brokered", "Mutual defence
// pact"); it is lemmatised as WordNet's morphy does. Each sense of each
// lemma is scored by how many distinct known terms its neighbourhood holds:
// its targets (synonyms, derivations, hypernyms, hyponyms, holonyms) and its
// co-hyponyms (the other hyponyms of its hypernyms), which place the sense
// in the knowledge base's subject without being offered as expansions. Each
// term weighs the inverse of its own number of senses. Only the senses
// scoring at least half the best score expand. So when the knowledge base writes
// of penalties, "sanction" does not expand to "approve".
//
// The result is ordered by relation, then term; each term appears once,
// with its closest relation. Terms equal to word or one of its lemmas are
// left out. Expand is safe for concurrent use; known must be too if the
// caller shares it.
func Expand(word string, known func(term string) bool) []Expansion {
	if known == nil {
		return nil
	}
	t := data()
	w := normalise(word)
	var lbuf [8]lemma
	lems := t.lemmas(w, lbuf[:0])
	if len(lems) == 0 {
		return nil
	}
	e := getExpander(t, known)
	defer e.release()
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
			senses = append(senses, scored{s: s})
		}
	}
	if len(senses) == 1 {
		// Nothing to choose between: any known target will do.
		senses[0].score, best = 1, 1
	} else {
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
		e.targets(x.s, func(id uint32, rel Relation) {
			if !e.isKnown(id) {
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
	gen   uint32   // this call's stamp in asked
	seen  uint32   // the current score's stamp in counted
	// asked[id] == gen when known was asked about word id in this call;
	// the answer is in answer[id].
	asked   []uint32
	answer  []bool
	counted []uint32
}

var expanders sync.Pool

func getExpander(t *table, known func(string) bool) *expander {
	e, _ := expanders.Get().(*expander)
	if e == nil || len(e.asked) != t.nWords() {
		n := t.nWords()
		e = &expander{asked: make([]uint32, n), answer: make([]bool, n), counted: make([]uint32, n)}
	}
	e.t, e.known, e.self = t, known, e.self[:0]
	e.gen++
	if e.gen == 0 { // wrapped: clear the stamps
		clear(e.asked)
		clear(e.counted)
		e.gen, e.seen = 1, 0
	}
	return e
}

func (e *expander) release() {
	e.known = nil
	expanders.Put(e)
}

func (e *expander) isKnown(id uint32) bool {
	if slices.Contains(e.self, id) {
		return false
	}
	if e.asked[id] != e.gen {
		e.asked[id] = e.gen
		e.answer[id] = e.known(e.t.word(id))
	}
	return e.answer[id]
}

// mark reports whether word id is counted for the first time in the
// current score.
func (e *expander) mark(id uint32) bool {
	if e.counted[id] == e.seen {
		return false
	}
	e.counted[id] = e.seen
	return true
}

// targets calls f for every term sense s of a word reaches, with its
// relation; a term may come more than once.
func (e *expander) targets(s senseRef, f func(id uint32, rel Relation)) {
	t := e.t
	for _, m := range t.synMembers(s.syn) {
		f(m, Synonym)
	}
	for _, p := range t.synPtrs(s.syn) {
		if p.src != 0 && p.src != s.word {
			continue // a lexical link from another member of the synset
		}
		rel := relationOf(p.rel)
		ms := t.synMembers(p.target)
		if p.dst != 0 {
			if int(p.dst) <= len(ms) {
				f(ms[p.dst-1], rel)
			}
			continue
		}
		for _, m := range ms {
			f(m, rel)
		}
	}
}

// score weighs the distinct known terms in the neighbourhood of sense s
// (its targets and up to maxSisters co-hyponyms), each by the inverse of
// its own number of senses: "punishment", with one sense, places a sense of
// "sanction" among penalties far more surely than "back" or "pass", with
// dozens, place one among approvals.
func (e *expander) score(s senseRef) float64 {
	t := e.t
	e.seen++
	if e.seen == 0 {
		clear(e.counted)
		e.seen = 1
	}
	n := 0.0
	count := func(id uint32, rel Relation) {
		if !e.mark(id) {
			return
		}
		if e.isKnown(id) {
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
			for _, m := range t.synMembers(q.target) {
				count(m, sister)
			}
		}
	}
	return n
}

// sister marks a co-hyponym in score: evidence for a sense, never an
// expansion.
const sister = Holonym + 1

// relWeight is how much a known term says about a sense, by how it is
// related: a known synonym places the sense surely, a known co-hyponym
// only loosely.
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
