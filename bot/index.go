package bot

import (
	"cmp"
	"iter"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
)

// Field weights: how much a term found in each field says about a topic.
// Names people use (aliases) and alternate questions count most, then the
// title, keywords, and last the body text.
const (
	wAlias    = 1.0
	wQuestion = 0.9
	wTitle    = 0.9
	wKeyword  = 0.8
	wAnswer   = 0.45
	wDetails  = 0.3
)

// phrase is an alias, question or title as a set of weighted terms, used
// for phrase containment and similarity.
type phrase struct {
	terms []int32 // distinct term ids
	norm  float64 // Euclidean norm of the idf-weighted vector
	// idfSum is the summed idf of its terms, in their order: what
	// phraseMatch would add up at every question otherwise.
	idfSum float64
	// sig has bit id%64 set for each of its terms: a phrase whose sig
	// meets none of a question's (query.sig) has no term in common with
	// it, and is passed over without looking at its terms.
	sig   uint64
	alias bool
	dir   direction // which way it runs between China and Russia (direction.go)
	text  int32     // which text of the topic it is: see phraseText
}

// termSig is the signature of a set of term ids: bit id%64 of each.
func termSig(ids []int32) uint64 {
	var s uint64
	for _, id := range ids {
		s |= 1 << (id & 63)
	}
	return s
}

type posting struct {
	topic  int32
	weight float32 // best field weight of the term in this topic
}

type topicEntry struct {
	t       *knowledge.Topic
	ref     TopicRef
	phrases []phrase
	related []TopicRef
	backing []knowledge.Source // t.Backing()
	// years are the years its id, title or aliases name: a topic about
	// one event of one year.
	years [][2]int
	more  []knowledge.Source // t's other sources, in order
	// questionOnly are the terms, in order, it has only in its alternate
	// questions: in none of its names, keywords or texts.
	questionOnly []int32
	// bilateral is the share of its alternate questions that name both
	// sides of the relationship: a topic about the two together (visa-free
	// travel) rather than one side's part in it (China's peace plan).
	bilateral float64
	// vec is the topic's word vector, the common direction taken out
	// (dense.go); nil if none of its words has one.
	vec *packedVec
}

// index is an immutable search structure over one knowledge base. A Bot
// swaps whole indexes atomically on reload.
type index struct {
	kb       *knowledge.KB
	topics   []topicEntry
	byID     map[string]int
	vocab    map[string]int32
	idf      []float64
	postings [][]posting
	// surfaces maps the plain (unstemmed) Latin words of the knowledge base
	// to their terms: typos are looked up among surface words, because
	// stemming a misspelt word ("jniping") does not give a misspelt stem.
	surfaces    map[string]int32
	surfaceList []string
	deletes     hashTable // hashed deletion variants of surfaceList entries
	surfaceHash hashTable // hash of each surfaceList entry
	// stems memoises the terms of every word of the knowledge base:
	// stemming is most of the cost of resolving a question otherwise.
	stems     map[string][]string
	asked     *askedMemo // the same for words of questions
	maxIDF    float64
	sideTerms sideTerms // the relationship's two sides (sides.go)
	enLog     []float32 // per term, its log frequency in general English (specific.go)
	spec      []float32 // per term, its specificity (specific.go)
	lexicon   domainLexicon
	parties   partyNames
	wnMemo    *wordnetMemo
	// typoMemo remembers what the typo look-ups made of words asked
	// about that the index does not have (index.typos); nil while the
	// model is fit, and in a fold's index, whose postings break the ties.
	typoMemo *wordMemo[typoHit]
	subject  *subjectFit
	model    *model // nil while the model is being fit
	common   *vec   // the direction all topics' vectors share (dense.go)
	suggest  suggester
	timeline timelineIndex
	about    About
}

func buildIndex(kb *knowledge.KB) *index {
	idx := &index{kb: kb, byID: make(map[string]int, len(kb.Topics)), vocab: map[string]int32{}, surfaces: map[string]int32{}}
	termID := func(t string) int32 {
		id, ok := idx.vocab[t]
		if !ok {
			id = int32(len(idx.postings))
			idx.vocab[t] = id
			idx.postings = append(idx.postings, nil)
		}
		return id
	}
	// Stemming is most of the cost of indexing, and words repeat.
	idx.stems = map[string][]string{}
	idx.parties = newPartyNames(kb.Synonyms, idx.wordTerms)
	// Per topic, the best field weight of each term.
	best := make([]map[int32]float32, len(kb.Topics))
	phrases := make([][]phrase, len(kb.Topics))
	questionOnly := make([][]int32, len(kb.Topics))
	for i, t := range kb.Topics {
		idx.byID[t.ID] = i
		best[i], phrases[i], questionOnly[i] = idx.topicTerms(t, nil, termID)
	}
	n := float64(len(kb.Topics))
	idx.idf = make([]float64, len(idx.postings))
	// All postings live in one array, each term's list a slice of it with
	// no spare capacity: append-grown lists held a third more than needed.
	count := make([]int, len(idx.postings))
	total := 0
	for _, m := range best {
		for id := range m {
			count[id]++
			total++
		}
	}
	flat := make([]posting, total)
	for id, c := range count {
		idx.postings[id], flat = flat[:0:c], flat[c:]
	}
	for i, m := range best {
		for id, w := range m {
			idx.postings[id] = append(idx.postings[id], posting{topic: int32(i), weight: w})
		}
	}
	for id, ps := range idx.postings {
		slices.SortFunc(ps, func(a, b posting) int { return int(a.topic - b.topic) })
		idx.idf[id] = math.Log(1 + n/float64(len(ps)))
	}
	idx.maxIDF = math.Log(1 + n)
	idx.sideTerms = findSides(idx)
	idx.sideTerms.capPairs(idx.idf)
	idx.topics = make([]topicEntry, len(kb.Topics))
	for i, t := range kb.Topics {
		backing := t.Backing()
		idx.topics[i] = topicEntry{t: t, ref: TopicRef{ID: t.ID, Title: t.Title, Category: string(t.Category)}, phrases: phrases[i],
			backing: backing, more: others(t.Sources, backing), years: namedYears(t), questionOnly: questionOnly[i]}
		idx.setNorms(phrases[i])
	}
	// The fit's held-out topics in parts, whose vector parts make their
	// vectors too.
	parts := idx.fitParts(kb)
	idx.setVectors(parts)
	for i, t := range kb.Topics {
		for _, r := range t.Related {
			if j, ok := idx.byID[r]; ok {
				idx.topics[i].related = append(idx.topics[i].related, refNoCategory(idx.topics[j].ref))
			}
		}
	}
	idx.surfaceList = make([]string, 0, len(idx.surfaces))
	for w := range idx.surfaces {
		idx.surfaceList = append(idx.surfaceList, w)
	}
	slices.Sort(idx.surfaceList) // deterministic candidate order
	idx.deletes = deletionIndex(idx.surfaceList)
	idx.surfaceHash = hashIndex(idx.surfaceList)
	idx.enLog = englishLog(idx)
	idx.spec = idx.specificities()
	idx.lexicon = newDomainLexicon(idx, kb.Synonyms)
	idx.wnMemo = newWordnetMemo()
	idx.suggest = newSuggester(idx)
	idx.timeline = newTimelineIndex(kb)
	idx.about = about(kb)
	idx.subject = newSubjectFit(idx, kb, offTopic)
	idx.setBilateral(parts)
	idx.model = idx.fit(kb, parts)
	// After the fit: its thousands of slipped questions would fill the
	// memo with typos nobody asked.
	idx.asked = &askedMemo{}
	idx.typoMemo = newWordMemo[typoHit](maxAskedMemo)
	// Nor should the WordNet look-ups of those questions stay: the memo
	// starts again with what people ask (the lemmas it learnt the index
	// holds stay, they are the index's own).
	idx.wnMemo.hits = newWordMemo[[]wnHit](maxWordNetMemo)
	// Only the fit's folds recompute specificities: the English
	// frequencies behind them are not needed after it.
	idx.enLog = nil
	return idx
}

// topicTerms returns the best field weight of each term of a topic, its
// phrases (title, aliases, alternate questions) without their norms, and
// the terms, in order, it has only in its alternate questions.
// skip leaves out alternate questions by index (nil keeps them all);
// termID maps a term to its id.
func (idx *index) topicTerms(t *knowledge.Topic, skip func(int) bool, termID func(string) int32) (map[int32]float32, []phrase, []int32) {
	m := map[int32]float32{}
	inQuestion := map[int32]bool{} // its terms, whether only in alternate questions so far
	// The terms of its phrases, one phrase after another, and each phrase
	// with where its terms are: the phrases and their terms end in two
	// arrays of the size they need, not one array per phrase and arrays
	// grown by append.
	var buf []int32
	type span struct {
		p      phrase
		lo, hi int
	}
	var spans []span
	n := int32(0)     // which text of the topic, for phraseText
	question := false // whether the text being added is an alternate question
	add := func(text string, w float32, isPhrase, alias bool) {
		lo := len(buf)
		ws := words(text)
		for _, word := range ws {
			ts, ok := idx.stems[word]
			if !ok {
				// A word of a topic's text is a piece of that text: kept
				// as a key, it would keep the whole text alive.
				word = strings.Clone(word)
				ts = wordTerms(word)
				idx.stems[word] = ts
			}
			for _, s := range ts {
				id := termID(s)
				if m[id] < w {
					m[id] = w
				}
				if only, seen := inQuestion[id]; !seen || only {
					inQuestion[id] = question
				}
				if isPhrase && !slices.Contains(buf[lo:], id) {
					buf = append(buf, id)
				}
			}
			if len(ts) == 1 && isASCIIAlpha(word) && idx.surfaces != nil {
				if _, ok := idx.surfaces[word]; !ok {
					idx.surfaces[word] = idx.vocab[ts[0]]
				}
			}
		}
		if isPhrase && len(buf) > lo {
			spans = append(spans, span{phrase{alias: alias, dir: idx.parties.read(ws).dir, text: n}, lo, len(buf)})
		}
		if isPhrase {
			n++
		}
	}
	add(t.Title, wTitle, true, false)
	for _, a := range t.Aliases {
		add(a, wAlias, true, true)
	}
	for i, q := range t.Questions {
		n = int32(1 + len(t.Aliases) + i)
		if skip == nil || !skip(i) {
			question = true
			add(q, wQuestion, true, false)
			question = false
		}
	}
	for _, k := range t.Keywords {
		add(k, wKeyword, false, false)
	}
	add(plainText(t.Answer), wAnswer, false, false)
	add(plainText(t.Details), wDetails, false, false)
	for _, f := range t.Figures {
		add(plainText(f.Answer), wDetails, false, false)
	}
	var ps []phrase
	if len(spans) > 0 {
		ps = make([]phrase, len(spans))
		flat := slices.Clone(buf)
		for i, sp := range spans {
			ps[i] = sp.p
			ps[i].terms = flat[sp.lo:sp.hi:sp.hi]
			ps[i].sig = termSig(ps[i].terms)
		}
	}
	var only []int32
	for id, q := range inQuestion {
		if q {
			only = append(only, id)
		}
	}
	slices.Sort(only)
	return m, ps, only
}

// phraseText is the text of a topic's phrase: its title, aliases and
// alternate questions, numbered in that order from 0.
func phraseText(t *knowledge.Topic, n int32) string {
	switch i := int(n); {
	case i == 0:
		return t.Title
	case i <= len(t.Aliases):
		return t.Aliases[i-1]
	case i-1-len(t.Aliases) < len(t.Questions):
		return t.Questions[i-1-len(t.Aliases)]
	}
	return ""
}

// setNorms sets the Euclidean norm of each phrase's idf-weighted vector,
// and its summed idf.
func (idx *index) setNorms(ps []phrase) {
	for i := range ps {
		var sq float64
		for _, id := range ps[i].terms {
			sq += idx.idf[id] * idx.idf[id]
		}
		ps[i].norm = math.Sqrt(sq)
		ps[i].idfSum = idx.idfSum(ps[i].terms)
	}
}

// idfSum is the summed idf of the terms, in their order.
func (idx *index) idfSum(terms []int32) float64 {
	sum := 0.0
	for _, id := range terms {
		sum += idx.idf[id]
	}
	return sum
}

// setIdfSums sets again the summed idf of the phrases of a fold's topics
// not redone (held: setNorms did those) that have a term whose idf the
// fold changed: their norms stay the whole index's (from), but
// phraseMatch adds up the idf of the index it ranks in.
func (idx *index) setIdfSums(from *index, held map[int]func(int) bool) {
	changed := make([]bool, len(idx.idf))
	for id := range idx.idf {
		changed[id] = idx.idf[id] != from.idf[id]
	}
	hasChanged := func(p phrase) bool {
		return slices.ContainsFunc(p.terms, func(id int32) bool { return changed[id] })
	}
	for ti := range idx.topics {
		ps := idx.topics[ti].phrases
		if held[ti] != nil || !slices.ContainsFunc(ps, hasChanged) {
			continue
		}
		ps = slices.Clone(ps) // the phrases are from's otherwise
		for i := range ps {
			ps[i].idfSum = idx.idfSum(ps[i].terms)
		}
		idx.topics[ti].phrases = ps
	}
}

// namedYears returns the years (1900–2099) a topic's id, title or aliases
// name, each as a span: one year, or a range written "2013–2026".
func namedYears(t *knowledge.Topic) [][2]int {
	var out [][2]int
	add := func(lo, hi int) {
		if lo != 0 && hi >= lo && !slices.Contains(out, [2]int{lo, hi}) {
			out = append(out, [2]int{lo, hi})
		}
	}
	for _, p := range strings.Split(t.ID, "-") {
		add(yearOf(p), yearOf(p))
	}
	for _, name := range append([]string{t.Title}, t.Aliases...) {
		for _, m := range yearSpan.FindAllStringSubmatch(name, -1) {
			add(yearOf(m[1]), yearOf(m[2]))
		}
		// A span's ends are the span's, not years of their own.
		name = yearSpan.ReplaceAllString(name, " ")
		for _, w := range words(name) {
			for _, p := range strings.Split(w, "-") {
				add(yearOf(p), yearOf(p))
			}
		}
	}
	return out
}

// yearSpan is a range of years as titles write it: "2013–2026".
var yearSpan = regexp.MustCompile(`\b((?:19|20)\d\d)\s*[–—-]\s*((?:19|20)\d\d)\b`)

// wordYears yields, in order, the years (1900–2099) a word of a question
// names, each with its text: the word itself, or a part of it between
// hyphens ("vostok-2018", "2022-2023"). Ask's year (yearIn) and the
// ranking's (readYears) are read with it.
func wordYears(w string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		if !hasDigit(w) {
			return
		}
		for p := range strings.SplitSeq(w, "-") {
			if y := yearOf(p); y != 0 && !yield(y, p) {
				return
			}
		}
	}
}

// hasDigit reports whether w has an ASCII digit: most words have none,
// and a year is looked for only in those that do.
func hasDigit(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// yearOf returns the year a word is (1900–2099), or 0.
func yearOf(w string) int {
	if len(w) != 4 || !isNumber(w) {
		return 0
	}
	if y, _ := strconv.Atoi(w); y >= 1900 && y <= 2099 {
		return y
	}
	return 0
}

func refNoCategory(r TopicRef) TopicRef { return TopicRef{ID: r.ID, Title: r.Title} }

// plainText strips Markdown link targets and emphasis so URLs and syntax
// do not become terms.
func plainText(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); i++ {
		c := md[i]
		if c == ']' && i+1 < len(md) && md[i+1] == '(' {
			if j := strings.IndexByte(md[i:], ')'); j > 0 {
				i += j
				continue
			}
		}
		switch c {
		case '*', '_', '[', ']', '`', '#':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func about(kb *knowledge.KB) About {
	a := About{Topics: len(kb.Topics), Categories: map[string]int{}, Meetings: len(kb.Timeline.Meetings)}
	urls := map[string]bool{}
	for _, t := range kb.Topics {
		a.Categories[string(t.Category)]++
		for _, s := range t.Sources {
			urls[s.URL] = true
		}
		if a.Newest == "" || t.Reviewed > a.Newest {
			a.Newest = t.Reviewed
		}
		if a.Oldest == "" || t.Reviewed < a.Oldest {
			a.Oldest = t.Reviewed
		}
	}
	for _, m := range kb.Timeline.Meetings {
		for _, s := range m.Sources {
			urls[s.URL] = true
		}
	}
	a.Sources = len(urls)
	return a
}

func (idx *index) topicList(category string) []TopicRef {
	var out []TopicRef
	for _, e := range idx.topics {
		if category == "" || string(e.t.Category) == category {
			out = append(out, e.ref)
		}
	}
	slices.SortFunc(out, func(a, b TopicRef) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) })
	return out
}

// topicParts are a topic's terms split so that alternate questions can be
// left out cheaply: the weights and phrases of its other fields, and the
// terms of each alternate question.
type topicParts struct {
	base      map[int32]float32
	phrases   []phrase // title and aliases
	questions []phrase // each alternate question, without its norm
	vec       vectorParts
	// both says, per alternate question, whether it names both sides of
	// the relationship (setBilateral): a fold's topic's bilateral share is
	// that of the questions it keeps.
	both []bool
}

func (idx *index) parts(t *knowledge.Topic) topicParts {
	lookup := func(s string) int32 { return idx.vocab[s] }
	c := *t
	c.Questions = nil
	p := topicParts{vec: idx.vectorParts(t)}
	p.base, p.phrases, _ = idx.topicTerms(&c, nil, lookup)
	for i, q := range t.Questions {
		c := knowledge.Topic{Title: q}
		_, ps, _ := idx.topicTerms(&c, nil, lookup)
		var qp phrase
		if len(ps) > 0 {
			qp = ps[0]
		}
		qp.text = int32(1 + len(t.Aliases) + i)
		p.questions = append(p.questions, qp)
	}
	return p
}

// weights returns the topic's term weights and phrases without the
// alternate questions skip reports, as topicTerms would.
func (p *topicParts) weights(skip func(int) bool) (map[int32]float32, []phrase) {
	m, ps, _ := p.weightsOnly(skip)
	return m, ps
}

// weightsOnly is weights, also returning the terms, in order, that the
// questions it keeps have and the other fields do not, as topicTerms does.
func (p *topicParts) weightsOnly(skip func(int) bool) (map[int32]float32, []phrase, []int32) {
	m := maps.Clone(p.base)
	ps := slices.Clone(p.phrases)
	var only []int32
	for i, q := range p.questions {
		if skip != nil && skip(i) || len(q.terms) == 0 {
			continue
		}
		for _, id := range q.terms {
			if _, ok := p.base[id]; !ok && !slices.Contains(only, id) {
				only = append(only, id)
			}
			m[id] = max(m[id], wQuestion)
		}
		ps = append(ps, q)
	}
	slices.Sort(only)
	return m, ps, only
}

// without returns a copy of the index in which some topics lack some of
// their alternate questions (held maps a topic to the questions left out),
// as if it had been built without them: their postings, the idf of the
// terms concerned, their phrases, question-only terms and vectors are
// redone, and their bilateral share when their parts say which questions
// name both sides (setBilateral fills that in for the fit's parts; parts
// without it keep the whole topic's share); the rest is shared. It is how
// the decision model sees held-out questions without rebuilding the index
// once per fold. The copy has no model.
func (idx *index) without(held map[int]func(int) bool, parts map[int]*topicParts) *index {
	c := *idx
	c.model = nil
	c.typoMemo = nil // its postings may pick another typo's term
	// Its own WordNet memo: which lemmas a fold's index holds is not what
	// the real index holds, and the real index must not learn it.
	c.wnMemo = newWordnetMemo()
	c.postings = slices.Clone(idx.postings)
	c.idf = slices.Clone(idx.idf)
	c.topics = slices.Clone(idx.topics)
	touched := map[int32]bool{}
	var redone []int
	for ti := range idx.topics {
		skip := held[ti]
		if skip == nil {
			continue
		}
		all, _ := parts[ti].weights(nil)
		some, ps, only := parts[ti].weightsOnly(skip)
		for id, w := range all {
			if some[id] == w {
				continue
			}
			touched[id] = true
			ps := slices.Clone(c.postings[id])
			i, _ := slices.BinarySearchFunc(ps, int32(ti), func(p posting, t int32) int { return cmp.Compare(p.topic, t) })
			if some[id] == 0 {
				ps = slices.Delete(ps, i, i+1)
			} else {
				ps[i].weight = some[id]
			}
			c.postings[id] = ps
		}
		c.topics[ti].phrases = ps
		c.topics[ti].questionOnly = only
		if b := parts[ti].both; b != nil {
			c.topics[ti].bilateral = bilateralShare(b, skip)
		}
		redone = append(redone, ti)
	}
	n := float64(len(idx.topics))
	c.spec = slices.Clone(idx.spec)
	for id := range touched {
		c.spec[id] = c.specificityOf(id)
		if df := len(c.postings[id]); df > 0 {
			c.idf[id] = math.Log(1 + n/float64(df))
		} else {
			c.idf[id] = c.maxIDF
		}
	}
	// As the index itself does: a pair term weighs no more than a side.
	c.sideTerms.capPairs(c.idf)
	for _, ti := range redone {
		c.setNorms(c.topics[ti].phrases)
		// The held-out questions leave the topic's vector too. What stays
		// the whole index's: the idf the parts' vectors were weighed with
		// (held-out questions change the df of few words, by one), the
		// common direction (the mean of every topic's vector, which one
		// topic's questions barely move) and the other topics' vectors.
		c.topics[ti].vec = c.stored(parts[ti].vec.vector(held[ti]))
	}
	c.setIdfSums(idx, held)
	return &c
}

// setBilateral sets each topic's share of alternate questions that name
// both sides (topicEntry.bilateral), and keeps which do in the parts of the
// topics the fit holds questions of, so that a fold's index has the share
// of the questions it keeps: a held-out question's own sides must not be
// in its signals.
func (idx *index) setBilateral(parts map[int]*topicParts) {
	for i := range idx.topics {
		qs := idx.topics[i].t.Questions
		both := make([]bool, len(qs))
		for qi, q := range qs {
			ws := words(q)
			both[qi] = idx.sides(idx.resolve(ws)) == 1
		}
		idx.topics[i].bilateral = bilateralShare(both, nil)
		if p := parts[i]; p != nil {
			p.both = both
		}
	}
}

// bilateralShare is the share of true among both, leaving out the
// questions skip says (nil: none); 0 when none is left.
func bilateralShare(both []bool, skip func(int) bool) float64 {
	n, k := 0, 0
	for qi, b := range both {
		if skip != nil && skip(qi) {
			continue
		}
		n++
		if b {
			k++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}
