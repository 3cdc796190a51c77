package bot

import (
	"math"

	"github.com/summitbot/summitbot/bot/lexicon"
	"github.com/summitbot/summitbot/knowledge"
)

// A word the knowledge base does not know still says something through
// what kind of word it is. The unknown words of an off-topic question tend
// to name its subject (dumplings, oven, puppy: noun.food, noun.artifact,
// noun.animal in WordNet's lexicographer files); a wordy in-scope
// question's are more often the general vocabulary of analysis (chances,
// obstacles, prospects: noun.state, noun.cognition, noun.act), the kinds
// of word in-scope questions are made of. subjectFit measures that on the
// decision model's own data: per lexicographer file, the log-odds that a
// word of that kind is an unknown word of an off-topic question
// (offtopic.txt, the regression set's `expect: none` questions) rather
// than a word of an in-scope one (the topics' alternate questions, the
// context clauses of clauses.txt). A word's score is the log-odds of its
// files, averaged over its senses and their frequency in general English.

// subjectFit is the off-topic log-odds of each lexicographer file, fit at
// index build.
type subjectFit struct {
	file [lexicon.NumFiles]float64
	memo *wordMemo[wordKind]
}

// maxSubjectMemo bounds the memo of words' scores, maxSubjectWord the
// words it looks up (no English word is longer).
const (
	maxSubjectMemo = 20000
	maxSubjectWord = 30
)

// newSubjectFit counts the words of in-scope and off-topic questions by
// lexicographer file: each word spreads over its files in proportion to
// their senses and tagged occurrences in general English.
func newSubjectFit(idx *index, kb *knowledge.KB, offTopic []string) *subjectFit {
	var in, off [lexicon.NumFiles]float64
	var nIn, nOff float64
	var buf []lexicon.Usage
	// Each side counts a word once: "china" in every in-scope question
	// would otherwise make place names the mark of one.
	inSeen, offSeen := map[string]bool{}, map[string]bool{}
	count := func(q string, offTopic bool) {
		to, n, seen := &in, &nIn, inSeen
		if offTopic {
			to, n, seen = &off, &nOff, offSeen
		}
		for _, w := range words(q) {
			if !isASCIIAlpha(w) || enStop[w] || seen[w] || offTopic && !idx.unknownWord(w) {
				continue
			}
			seen[w] = true
			buf = lexicon.Usages(w, buf[:0])
			mass := usageMass(buf)
			if mass == 0 {
				continue
			}
			for _, u := range buf {
				to[u.File] += float64(u.Tags+u.Senses) / mass
			}
			*n++
		}
	}
	for _, t := range kb.Topics {
		for _, q := range t.Questions {
			count(q, false)
		}
	}
	for _, q := range clauses {
		count(q, false)
	}
	for _, tc := range kb.Tests {
		if tc.Expect == knowledge.None {
			count(tc.Question, true)
		}
	}
	for _, q := range offTopic {
		count(q, true)
	}
	s := &subjectFit{memo: newWordMemo[wordKind](maxSubjectMemo)}
	if nIn == 0 || nOff == 0 {
		return s // nothing to tell the two apart by: every word scores 0
	}
	// Each side gets a prior of one word per file, spread as the two
	// sides together spread theirs: a file seldom met on either side stays
	// near even odds.
	const prior = float64(lexicon.NumFiles)
	for f := range s.file {
		pool := (in[f] + off[f]) / (nIn + nOff)
		s.file[f] = math.Log((off[f]+prior*pool)/(nOff+prior)) - math.Log((in[f]+prior*pool)/(nIn+prior))
	}
	return s
}

// unknownWord reports whether the index holds none of the word's terms.
func (idx *index) unknownWord(w string) bool {
	for _, t := range idx.wordTerms(w) {
		if _, ok := idx.known(t); ok {
			return false
		}
	}
	return true
}

func usageMass(us []lexicon.Usage) float64 {
	m := 0
	for _, u := range us {
		m += u.Tags + u.Senses
	}
	return float64(m)
}

// score returns the off-topic log-odds of a word's kind: positive when
// words like it are the unknown words of off-topic questions, negative when
// they make up in-scope ones, 0 for a word WordNet does not have.
func (s *subjectFit) score(w string) float64 {
	k, _ := s.kind(w)
	return k
}

// english reports whether WordNet has the word (or its base form).
func (s *subjectFit) english(w string) bool {
	_, ok := s.kind(w)
	return ok
}

type wordKind struct {
	score   float64
	english bool
}

func (s *subjectFit) kind(w string) (float64, bool) {
	if s == nil || !isASCIIAlpha(w) || len(w) < 3 || len(w) > maxSubjectWord {
		return 0, false
	}
	k := s.memo.get(w, func(w string) (k wordKind) {
		var buf [16]lexicon.Usage
		us := lexicon.Usages(w, buf[:0])
		if mass := usageMass(us); mass > 0 {
			k.english = true
			for _, u := range us {
				k.score += s.file[u.File] * float64(u.Tags+u.Senses) / mass
			}
		}
		return k
	})
	return k.score, k.english
}

// subjectSignal is the off-topic log-odds of the question's unknown words'
// kinds, each by its share of the question's weight.
func subjectSignal(q *query) float64 {
	if q.total == 0 {
		return 0
	}
	v := 0.0
	for _, t := range q.qs {
		if t.how == MatchUnknown {
			v += t.weight / (1 + math.Exp(-t.subject))
		}
	}
	return v / q.total
}
