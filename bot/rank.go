package bot

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/summitbot/summitbot/knowledge"
)

const (
	// candidates is how many topics get the full, phrase-level scoring.
	candidates = 12
	// commonPostings is the least postings-list length at which a term is
	// too common to select candidates by.
	commonPostings = 256
	// rawWeight is how much the summed term evidence adds to the ordering
	// of candidates.
	rawWeight = 0.1
	// uncommonShare is the least idf, relative to the largest, of a word
	// that says what a question is about.
	uncommonShare = 0.4
)

// scored is a topic with its ranking signals: what the calibrated model
// (calibrate.go) turns into a confidence.
type scored struct {
	topic      int
	raw        float64 // sum of weighted term matches
	coverage   float64 // share of the question's weight the topic explains
	known      float64 // the same share, of the words the index knows
	similarity float64 // best cosine similarity to one of its phrases
	contained  float64 // best share of one alias/title/question found in the question
	name       bool    // a whole alias is in the question
	rarest     float64 // idf of the rarest term matched, over the largest idf
	loose      float64 // share of the explained weight matched by expansion (synonyms, WordNet)
	typo       float64 // share of the explained weight matched by typo or compound
	strong     float64 // share of the question's weight found in names, questions, titles or keywords
	missed     float64 // share of the question's uncommon words the topic does not have at all
	matched    float64 // how many uncommon words it has, over four at most
	evidence   float64 // the explained weight against the largest idf, over three at most
	specific   float64 // mean specificity of the explained weight (specific.go)
	// leastSpecific is the specificity of its least specific matched word.
	leastSpecific float64
	// direction is the similarity of the closest phrase running the
	// question's way, or minus that of the other way, when it has phrases
	// only one way (direction.go).
	direction float64
	// year is, when the question names a year: 1 if the topic's names
	// (id, title, aliases) name it and another of the question's words
	// that is not a side of the relationship, -1 if they name only other
	// years, 0 otherwise (a span of years names none of them).
	year float64
	// restCoverage is coverage, of the question's words other than its
	// years.
	restCoverage float64
	// questionOnly is the share of the explained weight matched by common
	// words (under uncommonShare) the topic has only in its alternate
	// questions: phrasing, not content.
	questionOnly float64
	// oneSided is, when the question names only one side of the
	// relationship, the topic's share of alternate questions that name
	// both (topicEntry.bilateral); zero otherwise.
	oneSided float64
	// leaderOfTwo is 1 when the question is about both leaders together
	// (names them, and reads as mutual: "are xi and putin close") and the
	// topic is one leader's own (category people). One leader's view of
	// the other ("what has xi said about putin") is his own topic's.
	leaderOfTwo float64
	dense       float64 // cosine of the question's and the topic's word vectors (dense.go)
	score       float64 // the ranking's own score, which orders candidates
	margin      float64 // key of this candidate minus the best other one's
	confidence  float64 // calibrated probability that this topic is the answer
	inScope     float64 // probability that the question is in scope, for the first candidate
}

// query is a resolved question with its weights per slot.
type query struct {
	qs    []qterm
	slotW []float64 // weight of each slot: the most of its terms'
	total float64   // summed slot weights
	known float64   // summed weights of the slots with a known term
	norm  float64   // Euclidean norm of the slot weights
	info  float64   // informativeness in [0,1]
	// hardUnknown is the share of the weight in unknown words that are not
	// common English.
	hardUnknown float64
	hardWords   int     // how many such words
	sides       float64 // how many sides of the relationship it names, over two (sides.go)
	leaders     bool    // it names both leaders, Xi and Putin
	subject     float64 // the unknown words' off-topic kind (subject.go)
	// at finds a term id among its terms without looking through them:
	// at[id%256] is 0 when no known term has an id of that remainder (most
	// terms of a candidate's phrases are not in the question), the index
	// plus one of the first term that has it when only one id has it and
	// that term is among the first 254 (check the id), and atMany when
	// several ids have it or the term comes later (look).
	at     [256]uint8
	sig    uint64    // bit id%64 of each known term (phrase.sig)
	dir    direction // which way the question runs between China and Russia
	vec    vec       // its word vector (dense.go), if hasVec
	hasVec bool      // some word of it has a vector
	// phraseTerms are, index for index, what each of qs adds to a phrase
	// that has its term (phraseMatch): at indexes them too.
	phraseTerms []phraseTerm
	// years are the years (1900–2099) the question names, yearIDs the
	// terms of those the index holds, yearWeight the weight of their slots.
	years      []int
	yearIDs    []int32
	yearWeight float64
}

// phraseTerm is a question's term as phraseMatch reads it, its products
// formed once for the question rather than at every phrase that has it:
// dot is its slot's weight times its factor times its idf, found its idf
// times its factor (in that order, so that the sums are the same), and
// names says it is neither a year the question names nor a side of the
// relationship (sidesOf): a word that says which topic a name is about.
type phraseTerm struct {
	id         int32
	names      bool
	dot, found float64
}

// atMany marks a remainder of query.at that several ids have.
const atMany = 255

// phraseTerm returns what the question's first term with the id adds to
// a phrase, if it has one.
func (q *query) phraseTerm(id int32) *phraseTerm {
	switch j := q.at[id&255]; j {
	case 0:
		return nil
	case atMany:
		for i := range q.phraseTerms {
			if t := &q.phraseTerms[i]; t.id == id {
				return t
			}
		}
		return nil
	default:
		if t := &q.phraseTerms[j-1]; t.id == id {
			return t
		}
		return nil
	}
}

// setQuery sets the zero query q to the question's, with its phrase terms in
// buf's array if it has room for them. rankIn sets the query of the
// ranking it returns in place: a query is over a hundred words, each copy
// of it a loop.
func (idx *index) setQuery(q *query, ws []string, qs []qterm, buf []phraseTerm) {
	q.qs = qs
	if len(qs) > 0 {
		q.dir = qs[0].dir
	}
	nslots := 0
	for _, t := range qs {
		nslots = max(nslots, int(t.slot)+1)
	}
	q.slotW = make([]float64, nslots)
	knownSlot := make([]bool, nslots)
	exact := make([]bool, nslots)
	for _, t := range qs {
		exact[t.slot] = exact[t.slot] || t.how == MatchExact
	}
	hard := 0.0
	for i, t := range qs {
		// A slot weighs what the word itself weighs when the index has it;
		// otherwise what its best stand-in does.
		if !exact[t.slot] || t.how == MatchExact {
			q.slotW[t.slot] = max(q.slotW[t.slot], t.weight)
		}
		if t.id >= 0 {
			knownSlot[t.slot] = true
			switch j := &q.at[t.id&255]; {
			case *j == 0 && i+1 < atMany:
				*j = uint8(i + 1)
			case *j == 0 || *j != atMany && qs[*j-1].id != t.id:
				*j = atMany // a later term only if another id has the remainder
			}
			q.sig |= 1 << (t.id & 63)
		} else if t.weight >= idx.maxIDF*0.99 {
			hard += t.weight
			q.hardWords++
		}
	}
	for s, w := range q.slotW {
		q.total += w
		q.norm += w * w
		if knownSlot[s] {
			q.known += w
		}
	}
	q.norm = math.Sqrt(q.norm)
	q.readYears(idx)
	q.phraseTerms = slices.Grow(buf[:0], len(qs))[:len(qs)]
	for i := range qs {
		t := &qs[i]
		if t.id < 0 {
			q.phraseTerms[i] = phraseTerm{id: t.id} // at has no unknown word: phraseMatch never reads it
			continue
		}
		w := idx.idf[t.id]
		q.phraseTerms[i] = phraseTerm{
			id:    t.id,
			names: idx.sideTerms.sidesOf(t.id) == 0 && !slices.Contains(q.yearIDs, t.id),
			dot:   q.slotW[t.slot] * t.factor * w,
			found: w * t.factor,
		}
	}
	q.info = informativeness(idx, q.known)
	q.sides = idx.sides(qs)
	q.leaders = bothLeaders(ws)
	q.subject = subjectSignal(q)
	if q.total > 0 {
		q.hardUnknown = hard / q.total
	}
	q.hasVec = idx.queryVector(&q.vec, ws)
}

// readYears sets the years the question names and the weight of their
// slots.
func (q *query) readYears(idx *index) {
	for i, t := range q.qs {
		if i > 0 && q.qs[i-1].word == t.word {
			continue // the terms of one word ("vostok-2018") name its years once
		}
		if !hasDigit(t.word) {
			continue
		}
		for y, p := range wordYears(t.word) {
			if !slices.Contains(q.years, y) {
				q.years = append(q.years, y)
				if id, ok := idx.known(p); ok {
					q.yearIDs = append(q.yearIDs, id)
				}
			}
		}
	}
	if len(q.yearIDs) == 0 {
		return
	}
	counted := make([]bool, len(q.slotW))
	for _, t := range q.qs {
		if slices.Contains(q.yearIDs, t.id) && !counted[t.slot] {
			counted[t.slot] = true
			q.yearWeight += q.slotW[t.slot]
		}
	}
}

// scratch holds a ranking's work arrays, kept for the next question.
type scratch struct {
	raw         []float64
	touched     []int32
	phraseTerms []phraseTerm
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

// rank scores the topics that share a term with the question and returns
// the best candidates, best first, each with its calibrated confidence.
func (idx *index) rank(ws []string, qs []qterm) []scored {
	return idx.rankIn(ws, qs, false).cands
}

// ranking is a question's candidates, best first, with the query they
// were ranked for (whose signals the fit reads beside theirs) and, if it
// was kept, the shortlist as it came: what explaining them needs (explain).
type ranking struct {
	cands []scored
	q     query
	short []scored
}

// rankIn is rank, keeping what explaining the candidates needs if keep
// says so.
func (idx *index) rankIn(ws []string, qs []qterm, keep bool) (r ranking) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	// The phrase terms are read only here, unless the ranking is kept to
	// be explained (explainCandidate reads them again): their array can be
	// the scratch's rather than one allocated for every question. It goes
	// back to the scratch, and out of the ranking returned, at the end.
	var buf []phraseTerm
	if !keep {
		buf = s.phraseTerms
		defer func() { s.phraseTerms, r.q.phraseTerms = r.q.phraseTerms[:0], nil }()
	}
	q := &r.q
	idx.setQuery(q, ws, qs, buf)
	if q.total == 0 {
		return r
	}
	top := idx.shortlist(q, s)
	// The shortlist holds candidates topics at most: the work arrays of
	// the ordering live on the stack.
	var short []scored // the shortlist as it came, for the explanations
	if keep {
		short = slices.Clone(top)
	}
	for i := range top {
		idx.evidence(&top[i], q, nil)
		idx.phraseSignals(&top[i], q, nil)
		if v := idx.topics[top[i].topic].vec; v != nil && q.hasVec {
			top[i].dense = v.cosine(&q.vec)
		}
	}
	// Order by score, with a little weight on the summed term evidence
	// (relative to the best candidate): when two topics explain every word,
	// the one with more and rarer matches should win, not the one with a
	// single similar phrase.
	// (The candidates are read in place: a scored is thirty words.)
	maxRaw := 0.0
	for i := range top {
		maxRaw = max(maxRaw, top[i].raw)
	}
	key := func(c *scored) float64 { return c.score + rawWeight*c.raw/maxRaw }
	var keyBuf [candidates]float64
	var orderBuf [candidates]int
	keys, order := keyBuf[:len(top)], orderBuf[:len(top)]
	for i := range order {
		order[i] = i
		keys[i] = key(&top[i])
	}
	insertionSort(order, func(a, b int) bool {
		if c := cmp.Compare(keys[b], keys[a]); c != 0 {
			return c < 0
		}
		if c := cmp.Compare(top[b].raw, top[a].raw); c != 0 {
			return c < 0
		}
		return top[a].topic < top[b].topic
	})
	// The candidates stay where they are until the final order is known
	// (order[i] is the one whose key ranks i), and each moves once then
	// (permute): a scored is thirty words.
	var orderBy [candidates]float64 // model.order of each, by the rank of its key
	for i, j := range order {
		// The lead over the best other candidate, whatever the final order.
		other := 0.0
		if i == 0 && len(order) > 1 {
			other = keys[order[1]]
		} else if i > 0 {
			other = keys[order[0]]
		}
		c := &top[j]
		c.margin = keys[j] - other
		c.confidence, orderBy[i] = idx.model.scores(c, q)
	}
	// The calibrated model has the last word on the order: it weighs the
	// signals by what they were worth on held-out questions (all but the
	// one-sided signal, the decision's alone: see model.order).
	var byConfBuf [candidates]int
	byConf := byConfBuf[:len(order)]
	for i := range byConf {
		byConf[i] = i
	}
	insertionSort(byConf, func(a, b int) bool { return cmp.Compare(orderBy[b], orderBy[a]) < 0 })
	for i, k := range byConf {
		byConf[i] = order[k] // from the rank of a key to the candidate in top
	}
	if len(byConf) > 0 {
		c := &top[byConf[0]]
		c.inScope = idx.model.inScope(c, q, nil)
	}
	permute(top, byConf)
	r.cands, r.short = top, short
	return r
}

// permute puts s[perm[i]] at i for every i, in place: each element moves
// once, along the cycles of perm, with one held aside for each cycle. s
// holds candidates at most (a ranking's).
func permute(s []scored, perm []int) {
	var done [candidates]bool
	for i := range s {
		if done[i] || perm[i] == i {
			continue
		}
		held := s[i]
		j := i
		for {
			done[j] = true
			k := perm[j]
			if k == i {
				s[j] = held
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}

// insertionSort sorts s, stably, by before (whether a goes before b). For
// the candidates of a ranking, a dozen at most, it costs a fraction of
// package slices' sorts, whose comparisons are calls.
func insertionSort(s []int, before func(a, b int) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && before(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// explain explains the first n candidates of a ranking kept to be
// explained (rankIn's keep), recorded by the scoring code as it scores
// them.
func (idx *index) explain(r *ranking, n int) []CandidateExplanation {
	var out []CandidateExplanation
	for i := range min(n, len(r.cands)) {
		out = append(out, idx.explainCandidate(r.short, &r.cands[i], &r.q, i == 0))
	}
	return out
}

// explainCandidate scores a ranked candidate again from the shortlist's
// entry for its topic, with the same code recording what it finds: only
// the candidates shown are explained, once the order says which they are.
// first says it ranks first, whose confidence in scope is explained too.
func (idx *index) explainCandidate(short []scored, c *scored, q *query, first bool) CandidateExplanation {
	ex := CandidateExplanation{Topic: idx.topics[c.topic].ref, Confidence: round3(c.confidence)}
	for _, s := range short {
		if s.topic == c.topic {
			idx.evidence(&s, q, &ex)
			idx.phraseSignals(&s, q, &ex)
			break
		}
	}
	// Neither model changes the candidate: they read its signals.
	idx.model.confidence(c, q, &ex)
	if c.oneSided != 0 {
		ex.Order = round3(idx.model.order(c, q))
	}
	if first {
		idx.model.inScope(c, q, &ex)
	}
	return ex
}

// shortlist picks the candidates by summed term evidence, with the work
// arrays of s.
func (idx *index) shortlist(q *query, s *scratch) []scored {
	if len(s.raw) < len(idx.topics) {
		s.raw = make([]float64, len(idx.topics))
	}
	// The scratch arrays in locals: through s, the loops below would load
	// them again at every posting.
	sums, touched := s.raw, s.touched[:0]
	// Words found in a large share of a large knowledge base ("china",
	// "russia") say little about which topic is meant. Candidates come from
	// the other words; the common ones are scored for the shortlist only.
	limit := max(commonPostings, len(idx.topics)/8)
	rare := false
	for i := range q.qs {
		if t := &q.qs[i]; t.id >= 0 && len(idx.postings[t.id]) <= limit {
			rare = true
		}
	}
	for i := range q.qs {
		t := &q.qs[i]
		if t.id < 0 || rare && len(idx.postings[t.id]) > limit {
			continue
		}
		w := q.slotW[t.slot] * t.factor
		for _, p := range idx.postings[t.id] {
			if sums[p.topic] == 0 {
				touched = append(touched, p.topic)
			}
			sums[p.topic] += w * float64(p.weight)
		}
	}
	// The best candidates so far as (raw, topic), on the stack: a scored
	// is thirty words, written once each at the end. worst is the one a
	// better topic replaces (the least raw, the later topic on a tie),
	// found again only when they change: at 50,000 topics most touched
	// topics are worse than all twelve.
	type entry struct {
		raw   float64
		topic int32
	}
	var bestBuf [candidates]entry
	best := bestBuf[:0]
	worst, worstRaw := -1, 0.0
	for _, t := range touched {
		raw := sums[t]
		sums[t] = 0
		if len(best) < candidates {
			best = append(best, entry{raw, t})
			continue
		}
		if worst < 0 {
			worst, worstRaw = 0, best[0].raw
			worstTopic := best[0].topic
			for i := 1; i < len(best); i++ {
				if r := best[i].raw; r < worstRaw || r == worstRaw && best[i].topic > worstTopic {
					worst, worstRaw, worstTopic = i, r, best[i].topic
				}
			}
		}
		if raw > worstRaw {
			best[worst] = entry{raw, t}
			worst = -1
		}
	}
	top := make([]scored, len(best), candidates)
	for i, e := range best {
		top[i].topic, top[i].raw = int(e.topic), e.raw
	}
	s.touched = touched // its array, as grown, for the next question
	return top
}

// weightOf returns the field weight of a term in a topic (0 if absent),
// by binary search in the term's postings.
func (idx *index) weightOf(id int32, topic int) float32 {
	ps := idx.postings[id]
	t := int32(topic)
	lo, hi := 0, len(ps) // the binary search of slices.BinarySearchFunc, without its calls
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); ps[m].topic < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ps) && ps[lo].topic == t {
		return ps[lo].weight
	}
	return 0
}

// hasSorted reports whether the sorted ids hold id: slices.BinarySearch's
// search, inlined where the generic function is a call.
func hasSorted(ids []int32, id int32) bool {
	lo, hi := 0, len(ids)
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); ids[m] < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(ids) && ids[lo] == id
}

// evidence credits a candidate with the best match of each slot of the
// question, and records each match in ex if it is not nil.
func (idx *index) evidence(c *scored, q *query, ex *CandidateExplanation) {
	var bestBuf [24]float64
	var whichBuf [24]int
	var best []float64
	var which []int
	if n := len(q.slotW); n <= len(bestBuf) {
		best, which = bestBuf[:n], whichBuf[:n]
	} else {
		best, which = make([]float64, n), make([]int, n)
	}
	for s := range which {
		which[s] = -1
	}
	for i := range q.qs {
		t := &q.qs[i] // not a copy of the term: it is ten words long
		if t.id < 0 {
			continue
		}
		if m := t.factor * float64(idx.weightOf(t.id, c.topic)); m > best[t.slot] {
			best[t.slot], which[t.slot] = m, i
		}
	}
	only := idx.topics[c.topic].questionOnly
	if q.sides == 0.5 {
		c.oneSided = idx.topics[c.topic].bilateral
	}
	if q.leaders && q.dir == dirMutual && idx.topics[c.topic].t.Category == knowledge.People {
		c.leaderOfTwo = 1
	}
	var raw, cov, loose, typo, strong, spec, yearCov, qonly float64
	var content, hit int
	first := true
	for s, m := range best {
		if q.slotW[s] >= uncommonShare*idx.maxIDF {
			content++
			if m > 0 {
				hit++
			}
		}
		if m == 0 {
			continue
		}
		t := &q.qs[which[s]]
		w := q.slotW[s]
		raw += w * m
		e := w * smaller(1, m/wKeyword)
		cov += e
		if slices.Contains(q.yearIDs, t.id) {
			yearCov += e
		}
		// A common word ("many", "role") the topic has only in its
		// alternate questions says the question is put as one of them
		// is, not what it is about; an uncommon one ("died" of Zhenbao)
		// is as good as any.
		if w < uncommonShare*idx.maxIDF {
			if hasSorted(only, t.id) {
				qonly += e
			}
		}
		switch t.how {
		case MatchTypo, MatchCompound:
			typo += e
		case MatchSynonym, MatchWordNet:
			loose += e
		}
		if m >= wKeyword*t.factor {
			strong += w * t.factor
		}
		c.rarest = larger(c.rarest, idx.idf[t.id]/idx.maxIDF)
		sp := idx.specificity(t.id)
		spec += e * sp
		if first || sp < c.leastSpecific {
			c.leastSpecific, first = sp, false
		}
		if ex != nil {
			ex.Matches = append(ex.Matches, TermMatch{Word: t.word, Term: idx.termName(t.id), How: t.how.String(), Via: t.via,
				Field: fieldName(idx.weightOf(t.id, c.topic)), Weight: round3(w), Credit: round3(e)})
		}
	}
	c.raw = raw
	if content > 0 {
		c.missed = float64(content-hit) / float64(content)
	}
	c.matched = float64(min(hit, 4)) / 4
	c.evidence = min(cov/idx.maxIDF, 3) / 3
	c.coverage = cov / q.total
	if rest := q.total - q.yearWeight; rest > 0 {
		c.restCoverage = (cov - yearCov) / rest
	}
	c.strong = strong / q.total
	if q.known > 0 {
		c.known = cov / q.known
	}
	if cov > 0 {
		c.loose, c.typo = loose/cov, typo/cov
		c.specific = spec / cov
		c.questionOnly = qonly / cov
	}
}

// likeness is how like the question a topic's closest phrases are.
type likeness struct {
	similarity, contained float64 // the highest over the phrases
	name                  bool    // a whole alias is in the question
}

func (l *likeness) add(similarity, contained float64, name bool) {
	l.similarity = larger(l.similarity, similarity)
	l.contained = larger(l.contained, contained)
	l.name = l.name || name
}

// larger is max(a, b) of values that are never NaN nor -0, as
// similarities, shares and weights are: without the builtin's care for
// those, a compare and a branch instead of eight instructions, twice per
// phrase.
func larger(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// smaller is min(a, b) as larger is max(a, b).
func smaller(a, b float64) float64 {
	if b < a {
		return b
	}
	return a
}

// phraseLikeness is what a topic's phrases give (phraseSignals): like
// what they give, opp what those running the other way would, and the
// closest phrase running the question's way (same) and the other way
// (other) with their similarities. Kept in one struct, in memory, it
// leaves the phrase loop's registers to the loop.
type phraseLikeness struct {
	like, opp         likeness
	sameSim, otherSim float64
	same, other       *phrase
}

// add takes in a phrase that has a term of the question, as phraseMatch
// read it (dot, found), against all its terms' weight (phrase.idfSum).
func (pl *phraseLikeness) add(p *phrase, q *query, dot, found float64) {
	all := p.idfSum
	// A phrase that runs the other way says something else ("China
	// arming Russia" is not "Russia arming China"): unless the topic is
	// asked the question's way too, it counts for the direction only,
	// not as a phrase like the question (see phraseSignals).
	a := agreement(q.dir, p.dir)
	sim, share, name := 0.0, 0.0, false
	if p.norm > 0 && q.norm > 0 {
		sim = smaller(1, dot/(p.norm*q.norm))
		if a > 0 && sim > pl.sameSim {
			pl.sameSim, pl.same = sim, p
		} else if a < 0 && sim > pl.otherSim {
			pl.otherSim, pl.other = sim, p
		}
	}
	if all > 0 {
		share = found / all
		name = p.alias && share >= 0.999
		if !p.alias {
			share *= 0.85 // a whole question or title matters less than a name
		}
	}
	if a < 0 {
		pl.opp.add(sim, share, name)
	} else {
		pl.like.add(sim, share, name)
	}
}

// phraseSignals compares the question with each alias, title and question
// of a topic, and combines the signals into the ranking's score in [0,1].
func (idx *index) phraseSignals(c *scored, q *query, ex *CandidateExplanation) {
	e := &idx.topics[c.topic]
	pl := phraseLikeness{like: likeness{c.similarity, c.contained, c.name}}
	// Whether its names have a word of the question other than a year or
	// a side of the relationship.
	namedOther := false
	// The phrases and the question's signature in locals: read through e
	// and q, the loop would load them again at every phrase, in case the
	// calls below changed them.
	phrases, sig := e.phrases, q.sig
	for pi := range phrases {
		p := &phrases[pi]
		if p.sig&sig == 0 {
			continue // no term in common (the loop below would find no hit)
		}
		isName := p.alias || p.text == 0
		dot, found, hit, named := q.phraseMatch(p.terms, isName && !namedOther)
		namedOther = namedOther || named
		if hit { // else no term in common: no similarity, nothing contained
			pl.add(p, q, dot, found)
		}
	}
	like, same, other, sameSim, otherSim := pl.like, pl.same, pl.other, pl.sameSim, pl.otherSim
	// A topic asked both ways is about both: its phrases of the other way
	// are like the question as much as any.
	if same != nil {
		like.add(pl.opp.similarity, pl.opp.contained, pl.opp.name)
	}
	c.similarity, c.contained, c.name = like.similarity, like.contained, like.name
	c.year = yearSignal(q.years, e.years, namedOther)
	// A topic asked about both ways says nothing either way; one asked
	// only the question's way, or only the other way, says so as much as
	// its closest such phrase is like the question.
	switch {
	case same != nil && other == nil:
		c.direction = sameSim
	case other != nil && same == nil:
		c.direction = -otherSim
	}
	if ex != nil {
		ex.Direction = idx.directionMatch(ex.Direction, c.topic, same, sameSim, q.dir)
		ex.Direction = idx.directionMatch(ex.Direction, c.topic, other, otherSim, q.dir)
	}
	c.score = clamp01(0.5*c.coverage + 0.3*c.similarity + 0.2*c.contained*c.coverage)
	// A question made only of words found nearly everywhere ("chinese",
	// "russia china") does not say what it is about, unless it is exactly
	// the name of a topic ("putin").
	if q.info < 1 && !(c.contained >= 0.999 && c.coverage >= 0.999) {
		c.score *= 0.5 + 0.5*q.info
	}
}

// phraseMatch reads a phrase's terms against the question, in one pass: it
// returns, over those the question has, their products with its slot
// weights (dot) and their weight found (found) (against all of them,
// phrase.idfSum); hit says it has one. When checkNamed, named says
// one of those is neither a year the question names nor a side of the
// relationship. Each term's part is the question's (phraseTerm): the loop
// only adds them up. A function of its own, its loop keeps its values in
// registers.
func (q *query) phraseMatch(terms []int32, checkNamed bool) (dot, found float64, hit, named bool) {
	at := &q.at // q is not nil: tested once, not at every term
	for _, id := range terms {
		if at[id&255] == 0 {
			continue // most of a phrase's terms are not the question's: q.phraseTerm's first case, tested once
		}
		if t := q.phraseTerm(id); t != nil {
			dot += t.dot
			found += t.found
			hit = true
			named = named || checkNamed && t.names
		}
	}
	return dot, found, hit, named
}

// yearSignal says whether a topic named (namedYears) for one year is about
// the year a question names: 1 when its names name the year and another
// word of the question (a year alone does not say which event: "xi putin
// 2019" is about their meetings that year, not the partnership signed at
// one of them), -1 when they name only other years, 0 when the question
// names no year, the topic's names none, or a span of years covers it.
func yearSignal(asked []int, named [][2]int, namedOther bool) float64 {
	if len(asked) == 0 || len(named) == 0 {
		return 0
	}
	v := -1.0
	for _, y := range asked {
		for _, sp := range named {
			switch {
			case sp[0] == y && sp[1] == y && namedOther:
				return 1
			case sp[0] <= y && y <= sp[1]:
				v = 0
			}
		}
	}
	return v
}

// informativeness is how much a question says, in [0,1]: the total weight
// of its known terms against half the weight of one rare term.
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
goal goals aim aims purpose purposes objective objectives significance implication implications
lol lmao btw guys folks bro dude tldr eli5 pls plz`)

// hanFiller are Chinese bigrams of question words (what, how, why ...).
var hanFiller = set(`什么 是什 怎么 为什 么样 是否 关于 请问 一下 介绍 告诉 我们 你们 哪些 多少 的是 吗`)
