package bot

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/summitbot/summitbot/bot/lexicon"
)

// Match says how a word of a question was found among the index's terms.
type Match uint8

// How a word matched, from the surest to the loosest.
const (
	MatchExact    Match = iota // spelled as in the knowledge base (after stemming)
	MatchCompound              // two known words written without a space
	MatchTypo                  // one or two edits from a knowledge-base word
	MatchSynonym               // through knowledge/data/synonyms.yaml
	MatchWordNet               // through WordNet (synonym, derivation, hypernym ...)
	MatchUnknown               // not found: the word counts against every topic
)

var matchNames = [...]string{"exact", "compound", "typo", "synonym", "wordnet", "unknown"}

func (m Match) String() string {
	if int(m) < len(matchNames) {
		return matchNames[m]
	}
	return fmt.Sprintf("match(%d)", uint8(m))
}

// Matching quality of a query term that is not spelled like any index term.
// The ranking uses them to order topics; how much each kind of match is
// worth to the decision is fit from data (see calibrate.go).
const (
	factorTypo1    = 0.85 // one edit away
	factorTypo2    = 0.7  // two edits away
	factorCompound = 0.9  // "chinarussia" split into two known terms
	factorSynonym  = 0.9  // a term of the same synonyms.yaml group
	factorBroader  = 0.8  // a broader term in synonyms.yaml
	// softWeight scales unknown words that are common English (big, new,
	// current ...): they rarely decide whether a question is in scope.
	softWeight = 0.3
)

// factorWordNet is how well a WordNet relation stands for the word.
var factorWordNet = [...]float64{
	lexicon.Synonym:    0.85,
	lexicon.Derivation: 0.8,
	lexicon.Hypernym:   0.5,
	lexicon.Hyponym:    0.5,
	lexicon.Holonym:    0.7,
}

// qterm is one query term resolved against the index. The terms of one
// slot are alternatives for one word or phrase of the question: a topic is
// credited with the best of them, and the slot's weight counts once.
type qterm struct {
	id     int32   // -1 if unknown
	slot   int32   // which word or phrase of the question it stands for
	factor float64 // match quality: 1 exact, less for typos and expansions
	weight float64 // how much the word matters: its idf, or a default if unknown
	how    Match
	word   string // the word or phrase of the question
	via    string // where an expansion comes from ("synonyms.yaml:14", "wordnet hypernym, sense 2")
	// subject is, for an unknown word, the off-topic log-odds of its kind
	// of word (subject.go).
	subject float64

	// dir is which way the whole question runs between China and Russia
	// (direction.go), the same on each of its terms.
	dir direction
}

// resolve maps the words of a question onto the vocabulary, tolerating
// typos and missing spaces, and expanding through the domain lexicon and
// WordNet. Unknown words keep a weight: they are what makes an off-topic
// question ("a recipe for Russian borscht") score low.
func (idx *index) resolve(ws []string) []qterm {
	r := resolver{idx: idx, out: make([]qterm, 0, len(ws)+2)}
	for i := 0; i < len(ws); i++ {
		if n, targets := idx.lexicon.phraseAt(ws, i); n > 1 && !idx.allKnown(ws[i:i+n]) {
			// "mutual defence pact": the phrase is one slot, its own known
			// words and the group's other terms alternatives in it.
			phrase := strings.Join(ws[i:i+n], " ")
			for _, w := range ws[i : i+n] {
				for _, t := range idx.wordTerms(w) {
					if id, ok := idx.known(t); ok {
						r.add(qterm{id: id, factor: 1, weight: idx.idf[id], how: MatchExact, word: w})
					}
				}
			}
			r.expand(phrase, targets)
			r.next()
			i += n - 1
			continue
		}
		r.word(ws[i])
		if idx.namesPair(ws, i) {
			// "the two countries" are China and Russia (sides.go).
			for _, id := range idx.sideTerms.ids {
				if id >= 0 {
					r.add(qterm{id: id, factor: factorSynonym, weight: idx.idf[id], how: MatchSynonym, word: ws[i], via: "the two sides"})
					r.next()
				}
			}
		}
	}
	if d := idx.parties.read(ws).dir; d != dirUnknown {
		for i := range r.out {
			r.out[i].dir = d
		}
	}
	return r.out
}

type resolver struct {
	idx *index
	out []qterm
	// seen holds the ids in out once there are more than seenAfter of
	// them; until then out itself is searched, which costs less than a map.
	seen    map[int32]bool
	slot    int32
	filled  bool // the current slot has a term
	unknown map[string]bool
}

// seenAfter is how many terms a question has before resolver.seen is built.
const seenAfter = 32

// has reports whether the question has the term id already.
func (r *resolver) has(id int32) bool {
	if r.seen != nil {
		return r.seen[id]
	}
	for i := range r.out {
		if r.out[i].id == id {
			return true
		}
	}
	return false
}

// add puts a term into the current slot, unless the question has it already.
func (r *resolver) add(q qterm) {
	if q.id >= 0 {
		if r.has(q.id) {
			return
		}
		if r.seen == nil && len(r.out) >= seenAfter {
			r.seen = make(map[int32]bool, 2*len(r.out))
			for _, t := range r.out {
				if t.id >= 0 {
					r.seen[t.id] = true
				}
			}
		}
		if r.seen != nil {
			r.seen[q.id] = true
		}
	}
	q.slot = r.slot
	r.out = append(r.out, q)
	r.filled = true
}

// next closes the current slot.
func (r *resolver) next() {
	if r.filled {
		r.slot++
		r.filled = false
	}
}

func (r *resolver) expand(word string, targets []synTarget) {
	for _, t := range targets {
		for _, id := range t.ids {
			r.add(qterm{id: id, factor: t.factor, weight: r.idx.idf[id], how: MatchSynonym, word: word, via: t.via})
		}
	}
}

func (r *resolver) addUnknown(t, surface string, soft bool) {
	if r.unknown == nil {
		r.unknown = map[string]bool{}
	}
	if r.unknown[t] {
		return
	}
	r.unknown[t] = true
	w := r.idx.maxIDF
	if soft || softWords[t] || (scriptOf(t) == han && hanFiller[t]) {
		w *= softWeight
	} else if isNumber(t) {
		w *= 0.5
	}
	subject := r.idx.subject.score(surface)
	if !soft && subject < 0 {
		w *= max(softWeight, 2/(1+math.Exp(-subject)))
	}
	r.add(qterm{id: -1, weight: w, how: MatchUnknown, word: t, subject: subject})
}

// word resolves one word of the question into one slot (or one per term,
// for hyphenated and Chinese words).
func (r *resolver) word(w string) {
	idx := r.idx
	syn := idx.lexicon.word(w)
	ts := idx.wordTerms(w)
	if len(ts) > 1 && strings.Contains(w, "-") && (isASCIIHyphenated(w) || scriptOf(w) == cyrillic) {
		if _, ok := idx.known(ts[0]); !ok {
			// A hyphenated word the index does not have whole
			// ("full-fledged", "military-political", "fast-changing") is
			// its parts, each read as a word of its own: typos, WordNet
			// and the soft words apply to them as to any word. Read as a
			// whole, it would count once more as an unknown word of full
			// weight, so that a wordy question sank for its compounds.
			for _, p := range strings.Split(w, "-") {
				if p != "" {
					r.word(p)
				}
			}
			r.expand(w, syn)
			r.next()
			return
		}
	}
	if len(ts) > 1 && len(syn) == 0 && w[0] >= utf8.RuneSelf && scriptOf(w) == han {
		r.hanRun(w, ts)
		return
	}
	if len(ts) != 1 || !isASCIIAlpha(w) {
		for _, t := range ts {
			if id, ok := idx.known(t); ok {
				r.add(qterm{id: id, factor: 1, weight: idx.idf[id], how: MatchExact, word: w})
			} else if len(syn) == 0 {
				r.addUnknown(t, t, false)
			}
			r.next()
		}
		r.expand(w, syn)
		r.next()
		return
	}
	defer r.next()
	if id, ok := idx.known(ts[0]); ok {
		// A common word ("much", "true", "role") says little about what
		// a question is about, even when some topic's text happens to use
		// it: it weighs no more than it would unknown.
		weight := idx.idf[id]
		if softWords[w] {
			weight = min(weight, softWeight*idx.maxIDF)
		}
		r.add(qterm{id: id, factor: 1, weight: weight, how: MatchExact, word: w})
		// A word the index knows expands only to one-term equivalents: a
		// part of a longer one ("people's" of "people's republic of
		// china") would stand for the word on its own.
		for _, t := range syn {
			if len(t.ids) == 1 && t.complete {
				r.expand(w, []synTarget{t})
			}
		}
		return
	}
	if len(syn) > 0 {
		r.expand(w, syn)
		return
	}
	// Two words run together ("gaspipeline"; typos says which).
	h := idx.typos(w)
	if h.compound {
		r.add(qterm{id: h.a, factor: factorCompound, weight: idx.idf[h.a], how: MatchCompound, word: w})
		r.next() // two words, two slots
		r.add(qterm{id: h.b, factor: factorCompound, weight: idx.idf[h.b], how: MatchCompound, word: w})
		return
	}
	id, d := h.id, h.d
	if id >= 0 && d == 1 {
		r.add(qterm{id: id, factor: factorTypo1, weight: idx.idf[id], how: MatchTypo, word: w, via: "1 edit"})
		return
	}
	if !softWords[w] && !h.nearStop {
		if hits := idx.wordnet(w); len(hits) > 0 {
			for _, h := range hits {
				r.add(qterm{id: h.id, factor: factorWordNet[h.rel], weight: idx.idf[h.id], how: MatchWordNet, word: w, via: h.via})
			}
			return
		}
	}
	// Two edits from a knowledge-base word, but itself an English word
	// ("dumplings", not a slip for "dump"): it is that word, unknown.
	if id >= 0 && !idx.subject.english(w) {
		r.add(qterm{id: id, factor: factorTypo2, weight: idx.idf[id], how: MatchTypo, word: w, via: "2 edits"})
		return
	}
	// A misspelt filler word ("betwen", "otehr") weighs like filler.
	r.addUnknown(ts[0], w, h.nearStop)
}

// hanRun resolves a run of Chinese characters that is no term of the
// lexicon as a whole. The lexicon's terms found inside it are words, each
// a slot of its bigrams the index has and of what the term stands for
// ("中国" of 中国为什么不支持俄罗斯: 中国, china, китай). The other bigrams
// are slots of their own; one the index does not have is mostly two
// words' halves ("国为"), and weighs as filler.
func (r *resolver) hanRun(w string, ts []string) {
	idx := r.idx
	spans := idx.lexicon.hanTerms(w)
	s := 0 // the first span not yet read
	for k := 0; k < len(ts); k++ {
		if s < len(spans) && k == spans[s].start {
			sp := spans[s]
			var exact []int32
			for j := sp.start; j+2 <= sp.end; j++ {
				if id, ok := idx.known(ts[j]); ok {
					exact = append(exact, id)
				}
			}
			r.equivalents(sp.term, exact, sp.targets, sp.least)
			r.next()
			k = sp.end - 2 // past the span's last bigram
			s++
			continue
		}
		if id, ok := idx.known(ts[k]); ok {
			r.add(qterm{id: id, factor: 1, weight: idx.idf[id], how: MatchExact, word: w})
		} else {
			r.addUnknown(ts[k], ts[k], true)
		}
		r.next()
	}
}

// equivalents puts a Chinese word into the current slot: the terms the
// index has for it (exact) and its lexicon equivalents. All weigh at most
// most, the idf of its least rare equivalent: few topics have Chinese, so
// 中国 of their Chinese aliases is rare in the index, where china is in
// every topic. A word the index has stands for one-term equivalents only,
// as an English word does (resolver.word).
func (r *resolver) equivalents(word string, exact []int32, targets []synTarget, most float64) {
	idx := r.idx
	for _, id := range exact {
		r.add(qterm{id: id, factor: 1, weight: min(idx.idf[id], most), how: MatchExact, word: word})
	}
	for _, t := range targets {
		if len(exact) > 0 && !(len(t.ids) == 1 && t.complete) {
			continue
		}
		for _, id := range t.ids {
			r.add(qterm{id: id, factor: t.factor, weight: min(idx.idf[id], most), how: MatchSynonym, word: word, via: t.via})
		}
	}
}

// typoHit is what the typo look-ups make of a word the index does not
// have: its two terms if it is two known words written without a space
// (compound, split), its nearest word's term and how many edits away that
// is (fuzzy), and whether it is a slip for a stop word (nearStopWord). All
// three are looked up once, whichever resolving the word reads.
type typoHit struct {
	compound bool
	a, b     int32
	id       int32
	d        int
	nearStop bool
}

// typos looks w up as a compound, as a typo and as a slipped stop word,
// through the index's memo (if it has one, and w is not longer than any
// look-up considers): the look-ups cost more than the rest of resolving a
// word, and people ask the same words again.
func (idx *index) typos(w string) typoHit {
	look := func(w string) typoHit {
		var h typoHit
		// An English word of its own splits only into two words the
		// knowledge base writes as they are ("gasfields", "airforce"), not
		// into stems that happen to spell it ("provisional" is no "pro
		// vision", "ranking" no "ran king"): those go on to WordNet.
		h.a, h.b, h.compound = idx.split(w, idx.subject.english(w))
		h.id, h.d = idx.fuzzy(w)
		h.nearStop = nearStopWord(w)
		return h
	}
	if idx.typoMemo == nil || len(w) > 2*maxWordLen {
		return look(w)
	}
	return idx.typoMemo.get(w, look)
}

// allKnown reports whether the index holds every term of the words (stop
// words aside): a phrase of synonyms.yaml made of them needs no expansion.
// A phrase of stop words alone ("like each other") has no terms to know,
// so it is never "all known": without its expansion it would say nothing.
func (idx *index) allKnown(ws []string) bool {
	terms := 0
	for _, w := range ws {
		for _, t := range idx.wordTerms(w) {
			terms++
			if _, ok := idx.known(t); !ok {
				return false
			}
		}
	}
	return terms > 0
}

// known returns the id of a term the index holds for at least one topic.
func (idx *index) known(t string) (int32, bool) {
	id, ok := idx.vocab[t]
	return id, ok && len(idx.postings[id]) > 0
}

// wordTerms is wordTerms(w), from the index's memo when w is a word of the
// knowledge base, or from its memo of question words otherwise.
func (idx *index) wordTerms(w string) []string {
	if ts, ok := idx.stems[w]; ok {
		return ts
	}
	return idx.asked.terms(w)
}

// terms is terms(ws) through the index's memos.
func (idx *index) terms(ws []string) []string {
	out := make([]string, 0, len(ws)+4)
	for _, w := range ws {
		out = append(out, idx.wordTerms(w)...)
	}
	return out
}

// maxAskedMemo bounds the memo of question words' terms.
const maxAskedMemo = 20000

// askedMemo remembers the terms of words asked about that the knowledge
// base does not have ("borscht", "pwer"): stemming one costs more than
// the rest of resolving it. It holds words of maxWordLen bytes at most,
// copied out of the question, and maxAskedMemo of them.
type askedMemo struct {
	m sync.Map // word -> []string
	n atomic.Int32
}

func (a *askedMemo) terms(w string) []string {
	if a == nil || len(w) > maxWordLen {
		return wordTerms(w)
	}
	if ts, ok := a.m.Load(w); ok {
		return ts.([]string)
	}
	ts := wordTerms(w)
	if a.n.Load() < maxAskedMemo {
		// Copies, so that the memo does not keep the question's text.
		kept := make([]string, len(ts))
		for i, t := range ts {
			kept[i] = strings.Clone(t)
		}
		if _, loaded := a.m.LoadOrStore(strings.Clone(w), kept); !loaded {
			a.n.Add(1)
		}
	}
	return ts
}

// textTerms returns the ids of the terms of a text that the index holds,
// and whether it holds all of them.
func (idx *index) textTerms(text string) ([]int32, bool) {
	return idx.termIDs(words(text))
}

// lemmaTerms is textTerms for a WordNet lemma: lower case already, words
// joined by spaces, hyphens or underscores.
func (idx *index) lemmaTerms(lemma string) ([]int32, bool) {
	return idx.termIDs(strings.FieldsFunc(lemma, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }))
}

// termIDs returns the ids of the terms of ws that the index holds, and
// whether it holds all of them.
func (idx *index) termIDs(ws []string) ([]int32, bool) {
	var ids []int32
	all := true
	for _, w := range ws {
		for _, t := range idx.wordTerms(w) {
			if id, ok := idx.known(t); ok {
				ids = append(ids, id)
			} else {
				all = false
			}
		}
	}
	return ids, all && len(ids) > 0
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// wnHit is a WordNet expansion of a word onto an index term.
type wnHit struct {
	id  int32
	rel lexicon.Relation
	via string
}

// expandWordNet is lexicon.Expand; tests may replace it.
var expandWordNet = lexicon.Expand

// maxWordNetMemo bounds the per-index memo of WordNet look-ups.
const maxWordNetMemo = 20000

// wordnetMemo remembers the expansions of words already asked about: a
// look-up scores the word's senses against the knowledge base, which costs
// more than the rest of a question.
type wordnetMemo struct {
	hits  *wordMemo[[]wnHit]
	known sync.Map // WordNet lemma -> whether the index holds all its terms
}

func newWordnetMemo() *wordnetMemo { return &wordnetMemo{hits: newWordMemo[[]wnHit](maxWordNetMemo)} }

// wordnet expands a word the index does not hold onto terms it holds,
// through the senses of the word that the knowledge base uses.
func (idx *index) wordnet(w string) []wnHit {
	if len(w) < 3 || len(w) > 30 {
		return nil
	}
	memo := idx.wnMemo
	return memo.hits.get(w, func(w string) (hits []wnHit) {
		known := func(term string) bool {
			if k, ok := memo.known.Load(term); ok {
				return k.(bool)
			}
			_, all := idx.lemmaTerms(term)
			memo.known.Store(term, all) // WordNet's lemmas are finite: this stays bounded
			return all
		}
		for _, e := range expandWordNet(w, known) {
			ids, all := idx.lemmaTerms(e.Term)
			if !all || len(ids) > 1 && e.Rel != lexicon.Holonym {
				continue // a multiword hypernym ("european country") is too loose
			}
			for _, id := range ids {
				hits = append(hits, wnHit{id: id, rel: e.Rel, via: fmt.Sprintf("wordnet %s %q, sense %d", e.Rel, e.Term, e.Sense)})
			}
			if len(hits) >= 6 {
				break
			}
		}
		return hits
	})
}

// isASCIIHyphenated reports whether w is made of ASCII letters and
// hyphens only: a compound of English words, not a name with digits
// ("s-400", "vostok-2018"), which keeps its own reading.
func isASCIIHyphenated(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}
