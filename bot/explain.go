package bot

import (
	"fmt"
	"unicode/utf8"
)

// Explanation is how the engine read a question and why it ranked the
// topics it did, for moderators (`summitbot ask --explain`, `kb eval`). It
// is recorded by the code that scores, as it scores.
type Explanation struct {
	Question string `json:"question"`
	// Terms is how each word of the question was found in the index.
	Terms []TermMatch `json:"terms"`
	// Candidates are the best topics, best first.
	Candidates []CandidateExplanation `json:"candidates"`
	// Threshold is the probability the bot answers at: it declines when
	// neither the first candidate's confidence nor its in-scope
	// probability reaches it.
	Threshold float64 `json:"threshold"`
	// Direction is which way the question runs between China and Russia
	// and the words that said so (direction.go): "China → Russia, by
	// \"is\"", "Russia → China, by word order, turned round by \"buys\"".
	Direction string `json:"direction"`
	// Timeline reports that the summit timeline answers the question (a
	// dated question about the leaders' meetings): the candidates are then
	// what the ranking thought, not what answers.
	Timeline bool `json:"timeline,omitempty"`
	// Sentence is, for a question of several sentences whose whole would be
	// declined, the sentence that is answered on its own, and
	// SentenceCandidates its candidates, explained as Candidates are.
	Sentence           string                 `json:"sentence,omitempty"`
	SentenceCandidates []CandidateExplanation `json:"sentence_candidates,omitempty"`
}

// TermMatch is one word of the question and the index term it matched.
type TermMatch struct {
	Word string `json:"word"`
	// Term is the index term (stemmed), empty for an unknown word.
	Term string `json:"term,omitempty"`
	// How is exact, compound, typo, synonym, wordnet or unknown.
	How string `json:"how"`
	// Via says where an expansion came from ("synonyms.yaml:14", "wordnet
	// hypernym \"weapon\", sense 1") or how far a typo was.
	Via string `json:"via,omitempty"`
	// Field is where the topic has the term (alias, question or title,
	// keyword, answer, details); empty in Explanation.Terms.
	Field string `json:"field,omitempty"`
	// Weight is how much the word counts (its idf, less for filler).
	Weight float64 `json:"weight"`
	// Credit is the share of Weight the topic explains.
	Credit float64 `json:"credit,omitempty"`
}

// Signal is one input of the calibrated model and its part of the
// confidence: Coef × Value, added up with the bias and passed through the
// logistic function.
type Signal struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Coef  float64 `json:"coef"`
	Part  float64 `json:"part"`
}

// CandidateExplanation is one candidate topic.
type CandidateExplanation struct {
	Topic      TopicRef `json:"topic"`
	Confidence float64  `json:"confidence"`
	// Order is, when it is not the confidence, the key the candidates
	// are ordered by: the confidence without the one-sided signal's part
	// (a question naming one side, a topic whose questions name both),
	// which is the decision's and not the order's (model.order).
	Order   float64     `json:"order,omitempty"`
	Matches []TermMatch `json:"matches"`
	Signals []Signal    `json:"signals"`
	Bias    float64     `json:"bias"`
	// Scope is, for the first candidate, the probability that the
	// question is in scope and its parts: the bot answers when it or the
	// confidence reaches the threshold.
	Scope *Scope `json:"scope,omitempty"`
	// Direction is, when the question reads a direction, the topic's
	// closest phrase running the question's way and its closest running
	// the other way, where it has them: what the direction signal compares.
	Direction []DirectionMatch `json:"direction,omitempty"`
}

// Scope is the in-scope model's verdict on a question.
type Scope struct {
	InScope float64  `json:"in_scope"`
	Bias    float64  `json:"bias"`
	Signals []Signal `json:"signals"`
}

// DirectionMatch is a topic's phrase compared in direction with the
// question.
type DirectionMatch struct {
	Phrase     string  `json:"phrase"`
	Reads      string  `json:"reads"`
	Similarity float64 `json:"similarity"`
	// Agreement is 1 when it runs the question's way, -1 the other way.
	Agreement float64 `json:"agreement"`
}

// Explain ranks a question as Ask does and says how: the words matched,
// the top n candidates with every matched term and the parts of their
// confidence. It does not answer, remember or count the question.
func (b *Bot) Explain(question string, n int) Explanation {
	idx := b.idx.Load()
	ex := Explanation{Question: question, Terms: []TermMatch{}, Candidates: []CandidateExplanation{}, Threshold: b.opts.Threshold}
	ws := words(question)
	ex.Direction = idx.parties.read(ws).String()
	qs := idx.resolve(ws)
	for _, t := range qs {
		tm := TermMatch{Word: t.word, How: t.how.String(), Via: t.via, Weight: round3(t.weight)}
		if t.id >= 0 {
			tm.Term = idx.termName(t.id)
		}
		ex.Terms = append(ex.Terms, tm)
	}
	if n <= 0 {
		return ex
	}
	r := idx.rankIn(ws, qs, true)
	if cands := idx.explain(&r, n); cands != nil {
		ex.Candidates = cands
	}
	// What Ask would do with it, decided on the same ranking: the
	// timeline, or one sentence of it, explained from the ranking that
	// chose it (Ask declines a question too long or with nothing to match
	// first).
	if utf8.RuneCountInString(question) > MaxQuestion || len(qs) == 0 {
		return ex
	}
	var sentence ranking
	switch d := b.decide(idx, question, ws, r.cands, &sentence); {
	case d.fromTimeline:
		ex.Timeline = true
	case d.sentence != "":
		ex.Sentence = d.sentence
		ex.SentenceCandidates = idx.explain(&sentence, n)
	}
	return ex
}

// directionMatch appends a topic's phrase (if not nil) as the direction
// signal compared it with a question reading dir.
func (idx *index) directionMatch(out []DirectionMatch, topic int, p *phrase, sim float64, dir direction) []DirectionMatch {
	if p == nil {
		return out
	}
	return append(out, DirectionMatch{Phrase: phraseText(idx.topics[topic].t, p.text), Reads: p.dir.String(),
		Similarity: round3(sim), Agreement: agreement(dir, p.dir)})
}

// termName returns the term with an id. Only explanations need it, so the
// index keeps no reverse table.
func (idx *index) termName(id int32) string {
	for t, i := range idx.vocab {
		if i == id {
			return t
		}
	}
	return fmt.Sprintf("#%d", id)
}

// fieldName says which field a posting weight comes from.
func fieldName(w float32) string {
	switch w {
	case wAlias:
		return "alias"
	case wQuestion:
		return "question or title"
	case wKeyword:
		return "keyword"
	case wAnswer:
		return "answer"
	case wDetails:
		return "details"
	}
	return ""
}
