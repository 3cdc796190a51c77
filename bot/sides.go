package bot

import (
	"math/bits"
	"slices"

	"github.com/summitbot/summitbot/bot/lexicon"
)

// A question about the relationship names both sides of it. The two sides
// are the knowledge base's two most widespread terms (for this one, china
// and russia): every topic is about both. A question names a side when one
// of its words is that term, or stands for it through synonyms.yaml (a
// group, or a broader term: "the Kremlin", "Beijing"), or is a leader's
// name. A term made of both sides' words ("sinorussian", the joined term of
// the knowledge base's "Sino-Russian", which a question may type as one
// word) names both at once, and so does a noun the topics use for the two
// ("the two countries", "both governments"): resolve.go reads it as China
// and Russia. Whether a question names both, one or neither is one of the
// signals of the decision (calibrate.go): it is fit from data like the
// others, not a rule.

// sideTerms are the two sides' term ids, or -1 when the index has too few
// terms, and which of the two is China's and which Russia's (-1 when
// neither is), for the words that stand for one of them. nouns are the
// terms that name both after "two" or "both". byTerm holds, for every term
// of the index, which sides it names (sidesOf): both for a pair term
// ("sinorussian", setPairs).
type sideTerms struct {
	ids           [2]int32
	china, russia int
	nouns         map[int32]bool
	byTerm        []sideSet
}

func findSides(idx *index) sideTerms {
	p := [2]int32{-1, -1}
	for id, ps := range idx.postings {
		n := len(ps)
		switch {
		case p[0] < 0 || n > len(idx.postings[p[0]]):
			p[1], p[0] = p[0], int32(id)
		case p[1] < 0 || n > len(idx.postings[p[1]]):
			p[1] = int32(id)
		}
	}
	side := func(term string) int {
		if id, ok := idx.vocab[term]; ok {
			return slices.Index(p[:], id)
		}
		return -1
	}
	soviet := int32(-1)
	if id, ok := idx.vocab[stem("soviet")]; ok {
		soviet = id
	}
	st := newSideTerms(len(idx.postings), p, side("china"), side("russia"), soviet)
	st.setPairs(pairTerms(idx, st))
	st.nouns = pairNouns(idx, st)
	return st
}

// newSideTerms returns the side terms of an index of n terms whose sides'
// terms are ids, China's and Russia's the sides china and russia, and the
// Soviet Union's term soviet (-1 for none), which names Russia's side. Its
// pair terms are not known yet: setPairs adds them.
func newSideTerms(n int, ids [2]int32, china, russia int, soviet int32) sideTerms {
	st := sideTerms{ids: ids, china: china, russia: russia, byTerm: make([]sideSet, n)}
	for k, id := range ids {
		if id >= 0 {
			st.byTerm[id] = oneSide(k)
		}
	}
	if soviet >= 0 && st.byTerm[soviet] == 0 {
		st.byTerm[soviet] = oneSide(russia)
	}
	return st
}

// setPairs makes pairs the terms that name both sides.
func (st *sideTerms) setPairs(pairs map[int32]bool) {
	for id := range pairs {
		st.byTerm[id] = bothSides
	}
}

// minPairTopics is in how many topics the knowledge base must write "the
// two X" or "both X" for X to name the two sides. On the embedded
// knowledge base 3 keeps side, country, state, leader, government and
// president; 2 lets in phrases of one subject ("the two companies", "the
// two communist parties").
const minPairTopics = 3

// pairNouns returns the terms of the nouns the topics put after "the two"
// or "both" to name the relationship's sides ("the two countries", "both
// governments"), in minPairTopics topics or more. A side's own term is
// not one ("both Russia and China").
func pairNouns(idx *index, st sideTerms) map[int32]bool {
	topics := map[int32]int{}
	for _, t := range idx.kb.Topics {
		seen := map[int32]bool{}
		// Its alternate questions count too, although the fit holds them
		// out by fold and the nouns stay the whole index's: a noun must be
		// in minPairTopics topics, so one held-out question rarely decides
		// it. Without the questions "leader" falls under the bar.
		texts := append([]string{t.Title, plainText(t.Answer), plainText(t.Details)}, t.Aliases...)
		for _, text := range append(texts, t.Questions...) {
			ws := words(text)
			for i := 1; i < len(ws); i++ {
				if !pairDeterminer(ws, i, false) {
					continue
				}
				if ts := idx.wordTerms(ws[i]); len(ts) == 1 {
					if id, ok := idx.known(ts[0]); ok && st.sidesOf(id) == 0 && !seen[id] {
						seen[id] = true
						topics[id]++
					}
				}
			}
		}
	}
	nouns := map[int32]bool{}
	for id, n := range topics {
		if n >= minPairTopics {
			nouns[id] = true
		}
	}
	return nouns
}

// pairDeterminer reports whether the words before ws[i] make it a noun
// for both sides: "both governments", "the two countries". The topics'
// nouns are found by these alone (pairNouns: "two" without "the" counts
// things, "two years"); a question may leave out the "the" ("these two
// countries", "two countries"), and so its nouns are read with bareTwo
// (namesPair), which the nouns' own bar keeps from counting things.
func pairDeterminer(ws []string, i int, bareTwo bool) bool {
	if i < 1 {
		return false
	}
	switch ws[i-1] {
	case "both":
		return true
	case "two":
		return bareTwo || i > 1 && ws[i-2] == "the"
	}
	return false
}

// namesPair reports whether a question's word ws[i] names both sides:
// "the two countries", "both governments", or a WordNet synonym of one
// ("the two nations"), after pairDeterminer with a bare "two".
func (idx *index) namesPair(ws []string, i int) bool {
	if !pairDeterminer(ws, i, true) || len(idx.sideTerms.nouns) == 0 {
		return false
	}
	w := ws[i]
	if ts := idx.wordTerms(w); len(ts) == 1 {
		if id, ok := idx.known(ts[0]); ok && idx.sideTerms.nouns[id] {
			return true
		}
	}
	for _, h := range idx.wordnet(w) {
		if h.rel == lexicon.Synonym && idx.sideTerms.nouns[h.id] {
			return true
		}
	}
	return false
}

// pairTerms returns the terms of the knowledge base's hyphenated words
// whose parts stand for both sides: a hyphenated word's first term is its
// parts joined, the others its parts' own ("sino-russian" is sinorussian,
// china, russia). The joined term, typed as one word, names both sides as
// the hyphenated word does.
func pairTerms(idx *index, st sideTerms) map[int32]bool {
	pairs := map[int32]bool{}
	for _, ts := range idx.stems {
		if len(ts) < 3 {
			continue
		}
		var named sideSet
		for _, t := range ts[1:] {
			if id, ok := idx.vocab[t]; ok {
				named |= st.sidesOf(id)
			}
		}
		if id, ok := idx.vocab[ts[0]]; ok && named == bothSides {
			pairs[id] = true
		}
	}
	return pairs
}

// capPairs makes a term that names both sides ("sinorussian") weigh no
// more than the surer of the two sides' own terms. It is rare as a word,
// and so its idf is high, but what it says is what naming China and
// Russia says, which every topic is about: left at its idf it outweighs
// the words that say what the question is about, and lifts the topics
// whose names happen to spell it ("Sino-Russian relations").
func (st sideTerms) capPairs(idf []float64) {
	var most float64
	for _, id := range st.ids {
		if id >= 0 {
			most = max(most, idf[id])
		}
	}
	for id, s := range st.byTerm {
		if s == bothSides {
			idf[id] = min(idf[id], most)
		}
	}
}

// sideSet is which of the two sides a term or a word names: bit k for
// the side whose term is ids[k], both bits for the two at once.
type sideSet uint8

const bothSides sideSet = 0b11

// oneSide is the set of side k alone, empty for -1 (no such side).
func oneSide(k int) sideSet {
	if k < 0 {
		return 0
	}
	return 1 << k
}

// share is how many sides the set holds, over two: 0, 0.5 or 1.
func (s sideSet) share() float64 {
	return 0.5 * float64(bits.OnesCount8(uint8(s)))
}

// sidesOf returns which sides a term names: a side's own term names its
// side, the Soviet Union's Russia's, a pair term ("sinorussian") both, as
// newSideTerms and setPairs record them. It is the package's one reading
// of a term's side: pairTerms (before the pairs are known, for the sides
// of a pair term's parts), pairNouns, sides and setQuery (for phraseMatch,
// phraseTerm.names) all ask it.
func (st *sideTerms) sidesOf(id int32) sideSet {
	if uint(id) >= uint(len(st.byTerm)) {
		return 0
	}
	return st.byTerm[id]
}

// pairWords name the relationship between the two sides. The words made
// of the two sides' names ("sino-russian") need no list: see pairTerms.
var pairWords = set(`bilateral`)

// sovietWords name the Soviet Union, Russia's side before 1991.
var sovietWords = set(`soviet soviets ussr`)

// sideKinds says which of pairWords, xiWords, putinWords and sovietWords
// have a word, in the bits below.
var sideKinds = wordKinds(pairWords, xiWords, putinWords, sovietWords)

const (
	sidePair = 1 << iota
	sideXi
	sidePutin
	sideSoviet
)

// sides returns how many sides the question names, over two: 0, 0.5 or 1.
func (idx *index) sides(qs []qterm) float64 {
	st := &idx.sideTerms
	var named sideSet
	for _, t := range qs {
		kind := sideKinds[t.word]
		if kind&sidePair != 0 {
			return 1
		}
		if t.how <= MatchSynonym {
			named |= st.sidesOf(t.id)
		}
		named |= st.leaderSide(kind)
		if kind&sideSoviet != 0 {
			named |= oneSide(st.russia)
		}
		if named == bothSides {
			return 1
		}
	}
	return named.share()
}

// bothLeaders reports whether the words name both leaders, Xi and Putin.
func bothLeaders(ws []string) bool {
	var kinds uint8
	for _, w := range ws {
		kinds |= sideKinds[w]
	}
	return kinds&(sideXi|sidePutin) == sideXi|sidePutin
}

// leaderSide returns the side a leader's name stands for (none for
// another word), given the word's sideKinds: Xi for China, Putin for
// Russia, as the leader words of timeline.go say.
func (st *sideTerms) leaderSide(kind uint8) sideSet {
	switch {
	case kind&sideXi != 0:
		return oneSide(st.china)
	case kind&sidePutin != 0:
		return oneSide(st.russia)
	}
	return 0
}
