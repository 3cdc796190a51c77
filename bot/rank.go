package bot

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// Matching quality of a query term that is not spelled like any index term.
const (
	factorTypo1    = 0.85 // one edit away
	factorTypo2    = 0.7  // two edits away
	factorCompound = 0.9  // "chinarussia" split into two known terms
	// softWeight scales unknown words that are common English (big, new,
	// current ...): they rarely decide whether a question is in scope.
	softWeight = 0.3
	// candidates is how many topics get the full, phrase-level scoring.
	candidates = 12
	// commonPostings is the least postings-list length at which a term is
	// too common to select candidates by.
	commonPostings = 256
	// rawWeight is how much the summed term evidence adds to the ordering
	// of candidates (not to the confidence that decides whether to answer).
	rawWeight = 0.1
)

// qterm is one query term resolved against the index.
type qterm struct {
	id     int32   // -1 if unknown
	factor float64 // match quality: 1 exact, less for typos and compounds
	weight float64 // how much the term matters: its idf, or a default if unknown
}

// resolve maps the words of a question onto the vocabulary, tolerating
// typos and missing spaces. Unknown words keep a weight: they are what
// makes an off-topic question ("a recipe for Russian borscht") score low.
func (idx *index) resolve(ws []string) []qterm {
	out := make([]qterm, 0, len(ws))
	seen := make(map[int32]bool, len(ws))
	unknown := map[string]bool{}
	push := func(q qterm) {
		if seen[q.id] {
			return
		}
		seen[q.id] = true
		out = append(out, q)
	}
	addUnknown := func(t string, soft bool) {
		if unknown[t] {
			return
		}
		unknown[t] = true
		w := idx.maxIDF
		if soft || softWords[t] || (scriptOf(t) == han && hanFiller[t]) {
			w *= softWeight
		} else if isNumber(t) {
			w *= 0.5
		}
		out = append(out, qterm{id: -1, weight: w})
	}
	for _, w := range ws {
		ts := idx.wordTerms(w)
		if len(ts) != 1 || !isASCIIAlpha(w) {
			for _, t := range ts {
				if id, ok := idx.vocab[t]; ok {
					push(qterm{id: id, factor: 1, weight: idx.idf[id]})
				} else {
					addUnknown(t, false)
				}
			}
			continue
		}
		if id, ok := idx.vocab[ts[0]]; ok {
			push(qterm{id: id, factor: 1, weight: idx.idf[id]})
			continue
		}
		if a, b, ok := idx.split(w); ok {
			push(qterm{id: a, factor: factorCompound, weight: idx.idf[a]})
			push(qterm{id: b, factor: factorCompound, weight: idx.idf[b]})
			continue
		}
		if id, d := idx.fuzzy(w); id >= 0 {
			f := factorTypo1
			if d == 2 {
				f = factorTypo2
			}
			push(qterm{id: id, factor: f, weight: idx.idf[id]})
			continue
		}
		// A misspelt filler word ("betwen", "otehr") weighs like filler.
		addUnknown(ts[0], nearStopWord(w))
	}
	return out
}

// wordTerms is wordTerms(w), from the index's memo when w is a word of the
// knowledge base.
func (idx *index) wordTerms(w string) []string {
	if ts, ok := idx.stems[w]; ok {
		return ts
	}
	return wordTerms(w)
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// maxTypos is how many edits a misspelt word of n letters may have.
func maxTypos(n int) int {
	if n >= 7 {
		return 2
	}
	return 1
}

// fuzzy finds the knowledge base word closest to w (one edit for short
// words, two for words of seven letters or more) and returns its term. It
// uses deletion neighbourhoods on both sides (the SymSpell idea), with two
// deletions from long words. Numbers are never fuzzed: 2023 is not a typo
// of 2024.
func (idx *index) fuzzy(w string) (int32, int) {
	if len(w) < 4 || len(w) > 30 {
		return -1, 0
	}
	best, bestD, bestDF, bestWord := int32(-1), 3, 0, ""
	seen := map[int32]bool{}
	consider := func(i int32) {
		if seen[i] {
			return
		}
		seen[i] = true
		cand := idx.surfaceList[i]
		// Typos rarely change the first letter, and a short word is most
		// often mistyped by leaving a letter out ("pwer"): other
		// neighbours of short words are real words ("tall", "tire").
		if cand[0] != w[0] || len(w) < 5 && len(cand) != len(w)+1 {
			return
		}
		maxD := maxTypos(max(len(w), len(cand)))
		d := editDistance(w, cand, maxD)
		id := idx.surfaces[cand]
		df := len(idx.postings[id])
		if d <= maxD && (d < bestD || d == bestD && (df > bestDF || df == bestDF && cand < bestWord)) {
			best, bestD, bestDF, bestWord = id, d, df, cand
		}
	}
	probe := func(h uint64) { idx.deletes.each(h, consider) }
	// w is a known word with one or two letters missing, or w with letters
	// deleted is such a word, or both have lost letters (substitutions and
	// transpositions).
	probe(hashWord(w))
	eachDeletion(w, len(w) >= 7, func(h uint64) {
		probe(h)
		idx.surfaceHash.each(h, consider) // w has one or two extra letters
	})
	return best, bestD
}

// split tries to read w as two known words written without a space
// ("chinarussia").
func (idx *index) split(w string) (int32, int32, bool) {
	if len(w) < 7 {
		return 0, 0, false
	}
	lookup := func(s string) (int32, bool) {
		if enStop[s] {
			return 0, false
		}
		if id, ok := idx.surfaces[s]; ok {
			return id, true
		}
		id, ok := idx.vocab[stem(s)]
		return id, ok
	}
	for i := 3; i <= len(w)-3; i++ {
		a, okA := lookup(w[:i])
		if !okA {
			continue
		}
		if b, okB := lookup(w[i:]); okB {
			return a, b, true
		}
	}
	return 0, 0, false
}

// stopList, stopDeletes and stopHashes index the stop and filler words for
// nearStopWord.
var stopList, stopDeletes, stopHashes = func() ([]string, hashTable, hashTable) {
	var list []string
	for w := range enStop {
		if len(w) >= 4 {
			list = append(list, w)
		}
	}
	for w := range softWords {
		list = append(list, w)
	}
	slices.Sort(list)
	list = slices.Compact(list)
	return list, deletionIndex(list), hashIndex(list)
}()

// nearStopWord reports whether w is one edit from a stop or filler word.
func nearStopWord(w string) bool {
	if len(w) < 4 {
		return false
	}
	near := func(i int32) bool {
		c := stopList[i]
		return c[0] == w[0] && editDistance(w, c, 1) <= 1
	}
	found := false
	check := func(i int32) { found = found || near(i) }
	stopDeletes.each(hashWord(w), check)
	eachDeletion(w, false, func(h uint64) {
		stopDeletes.each(h, check)
		stopHashes.each(h, check)
	})
	return found
}

// editDistance is the optimal-string-alignment distance between a and b,
// giving up (returning max+1) once it exceeds max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// scored is a topic with its ranking signals.
type scored struct {
	topic      int
	raw        float64 // sum of weighted term matches
	coverage   float64 // share of the question's weight the topic explains
	similarity float64 // best cosine similarity to one of its phrases
	contained  float64 // best share of one alias/title/question found in the question
	confidence float64
}

type scratch struct {
	raw     []float64
	cov     []float64
	touched []int32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// rank scores every topic that shares a term with the question and returns
// the best candidates, highest confidence first.
func (idx *index) rank(qs []qterm) []scored {
	var total, norm float64
	for _, q := range qs {
		total += q.weight
		norm += q.weight * q.weight
	}
	if total == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	if len(s.raw) < len(idx.topics) {
		s.raw = make([]float64, len(idx.topics))
		s.cov = make([]float64, len(idx.topics))
	}
	s.touched = s.touched[:0]
	// Words found in a large share of a large knowledge base ("china",
	// "russia") say little about which topic is meant. Candidates come from
	// the other words; the common ones are scored for the shortlist only.
	limit := max(commonPostings, len(idx.topics)/8)
	rare := false
	for _, q := range qs {
		if q.id >= 0 && len(idx.postings[q.id]) <= limit {
			rare = true
		}
	}
	for _, q := range qs {
		if q.id < 0 || rare && len(idx.postings[q.id]) > limit {
			continue
		}
		for _, p := range idx.postings[q.id] {
			if s.raw[p.topic] == 0 && s.cov[p.topic] == 0 {
				s.touched = append(s.touched, p.topic)
			}
			m := q.factor * float64(p.weight)
			s.raw[p.topic] += q.weight * m
			s.cov[p.topic] += q.weight * min(1, m/wKeyword)
		}
	}
	top := make([]scored, 0, candidates+1)
	for _, t := range s.touched {
		c := scored{topic: int(t), raw: s.raw[t], coverage: s.cov[t] / total}
		s.raw[t], s.cov[t] = 0, 0
		if len(top) < candidates {
			top = append(top, c)
			continue
		}
		worst := 0
		for i := range top {
			if top[i].raw < top[worst].raw {
				worst = i
			}
		}
		if c.raw > top[worst].raw {
			top[worst] = c
		}
	}
	info := informativeness(idx, total)
	for i := range top {
		if rare {
			idx.addCommon(&top[i], qs, limit, total)
		}
		idx.phraseSignals(&top[i], qs, norm, info)
	}
	// Order by confidence, with a little weight on the summed term evidence
	// (relative to the best candidate): when two topics explain every word,
	// the one with more and rarer matches should win, not the one with a
	// single similar phrase. Cross-validated top-1 went from 75.2% to 76.7%.
	maxRaw := 0.0
	for _, c := range top {
		maxRaw = max(maxRaw, c.raw)
	}
	key := func(c scored) float64 { return c.confidence + rawWeight*c.raw/maxRaw }
	slices.SortFunc(top, func(a, b scored) int {
		return cmp.Or(cmp.Compare(key(b), key(a)), cmp.Compare(b.raw, a.raw), cmp.Compare(a.topic, b.topic))
	})
	return top
}

// addCommon adds the contribution of the common terms skipped by rank to a
// shortlisted topic, finding its posting by binary search.
func (idx *index) addCommon(c *scored, qs []qterm, limit int, total float64) {
	for _, q := range qs {
		if q.id < 0 || len(idx.postings[q.id]) <= limit {
			continue
		}
		ps := idx.postings[q.id]
		i, found := slices.BinarySearchFunc(ps, int32(c.topic), func(p posting, t int32) int { return cmp.Compare(p.topic, t) })
		if !found {
			continue
		}
		m := q.factor * float64(ps[i].weight)
		c.raw += q.weight * m
		c.coverage += q.weight * min(1, m/wKeyword) / total
	}
}

// phraseSignals compares the question with each alias, title and question
// of a topic, and combines the signals into a confidence in [0,1].
func (idx *index) phraseSignals(c *scored, qs []qterm, qnorm, info float64) {
	e := &idx.topics[c.topic]
	for _, p := range e.phrases {
		var dot, found, all float64
		for _, id := range p.terms {
			w := idx.idf[id]
			all += w
			for _, q := range qs {
				if q.id == id {
					dot += q.weight * q.factor * w
					found += w * q.factor
					break
				}
			}
		}
		if p.norm > 0 && qnorm > 0 {
			c.similarity = max(c.similarity, dot/(p.norm*qnorm))
		}
		if all > 0 {
			share := found / all
			if !p.alias {
				share *= 0.85 // a whole question or title matters less than a name
			}
			c.contained = max(c.contained, share)
		}
	}
	c.confidence = clamp01(0.5*c.coverage + 0.3*c.similarity + 0.2*c.contained*c.coverage)
	// A question made only of words found nearly everywhere ("chinese",
	// "russia china") does not say what it is about, unless it is exactly
	// the name of a topic ("putin").
	if info < 1 && !(c.contained >= 0.999 && c.coverage >= 0.999) {
		c.confidence *= 0.5 + 0.5*info
	}
}

// informativeness is how much a question says, in [0,1]: the total weight
// of its terms against half the weight of one rare term.
func informativeness(idx *index, total float64) float64 {
	return min(1, total/(0.5*idx.maxIDF))
}

func clamp01(x float64) float64 { return max(0, min(1, x)) }

// softWords are common English words that may appear in any question without
// saying what it is about. Unknown to the index, they weigh little.
var softWords = set(`big bigger biggest large larger largest small smaller much many long longer new newest
old older current currently latest recent recently main major important key role status state today
now still ever overall general generally good bad best worst really why whats way ways work works
working look looks seem seems sure true false real fact facts happen detail details summary overview
short brief simple simply exactly number numbers amount total year years time times day days month
months week date dates start started end ended first last next past future see view think thought
opinion opinions explain matter matters mean meaning important affect affects effect effects impact
impacts change changes changed relation relations relationship relationships between together
each other both two one three country countries nation nations world global right left side sides
part parts level levels kind type types doing done make made use used using need needs want wants
help helps involved involve involving regarding concerning far near close closely well better
lol lmao btw guys folks bro dude tldr eli5 pls plz`)

// hanFiller are Chinese bigrams of question words (what, how, why ...).
var hanFiller = set(`什么 是什 怎么 为什 么样 是否 关于 请问 一下 介绍 告诉 我们 你们 哪些 多少 的是 吗`)
