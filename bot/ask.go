package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/summitbot/summitbot/knowledge"
)

const (
	// MaxQuestion is the longest question accepted, in characters.
	MaxQuestion = 1000
	// Threshold is the confidence below which the bot declines to answer.
	// Confidence is a calibrated probability that the best topic is the
	// answer: a logistic regression over the ranking's signals, fit on the
	// knowledge base's own held-out questions and off-topic questions each
	// time the index is built (see calibrate.go). The bot answers when the
	// best topic is more likely right than wrong. `summitbot kb eval`
	// measures it and shows the calibration.
	Threshold = 0.5
	// suggestAbove is the least confidence for a "Did you mean" suggestion.
	suggestAbove = 0.1
)

// Messages the core writes. Adapters post them as they are.
const (
	msgDecline   = "Sorry, I don't have an answer to that. I answer questions about China–Russia relations: summits, energy, trade, military cooperation, diplomacy and what it means for the world."
	msgEmpty     = "Ask me a question about China–Russia relations, for example: \"What is the Power of Siberia pipeline?\""
	msgTooLong   = "That question is too long (over 1,000 characters). Please ask it in a sentence or two."
	msgRateLimit = "You're asking faster than I can keep up. Please wait a few seconds and try again."
	msgError     = "Sorry, something went wrong while answering. Please try again."
	msgNoContext = "I'm not sure what that follows on from. Ask me a full question about China–Russia relations."
)

func declined(question, text string) Answer {
	return Answer{Question: question, Outcome: OutcomeDeclined, Text: text, Sources: []knowledge.Source{}, Related: []TopicRef{}, Suggestions: []TopicRef{}}
}

func rateLimitedAnswer(question string) Answer {
	a := declined(question, msgRateLimit)
	a.Outcome = OutcomeRateLimited
	return a
}

func errorAnswer(question string) Answer {
	a := declined(question, msgError)
	a.Outcome = OutcomeError
	return a
}

func (b *Bot) ask(ctx context.Context, idx *index, q Question) Answer {
	if err := ctx.Err(); err != nil {
		return errorAnswer(q.Text)
	}
	if utf8.RuneCountInString(q.Text) > MaxQuestion {
		return declined(q.Text, msgTooLong)
	}
	ws := words(q.Text)
	if len(ws) == 0 {
		return declined(q.Text, msgEmpty)
	}
	if q.Conversation != "" {
		if a, ok := b.followUp(idx, q, ws); ok {
			return a
		}
	}
	qs := idx.resolve(ws)
	if len(qs) == 0 {
		return declined(q.Text, msgEmpty)
	}
	cands := idx.rank(qs)
	year := yearIn(ws)
	a, ok := idx.timeline.answer(idx, ws, year, cands)
	if !ok {
		if len(cands) == 0 || cands[0].confidence < b.opts.Threshold {
			a = declined(q.Text, msgDecline)
			for _, c := range cands {
				if len(a.Suggestions) == 3 {
					break
				}
				if c.confidence >= suggestAbove || len(a.Suggestions) == 0 && c.confidence > 0 {
					a.Suggestions = append(a.Suggestions, refNoCategory(idx.topics[c.topic].ref))
				}
			}
			if len(cands) > 0 {
				a.Confidence = round3(cands[0].confidence)
			}
			return a
		}
		a = idx.topicAnswer(idx.topics[cands[0].topic].t, q.Text, cands[0].confidence)
		if year != 0 {
			a = withFigure(idx, a, year)
		}
	}
	a.Question = q.Text
	if lang := languageOf(ws); lang != "" {
		a.Note = fmt.Sprintf("Your question looked like %s; I answer in English.", lang)
	}
	if q.Conversation != "" && a.Topic != nil {
		b.convs.remember(q.Conversation, a)
	}
	return a
}

// topicAnswer builds the answer for a topic.
func (idx *index) topicAnswer(t *knowledge.Topic, question string, confidence float64) Answer {
	e := &idx.topics[idx.byID[t.ID]]
	ref := e.ref
	return Answer{
		Question:    question,
		Answered:    true,
		Outcome:     OutcomeAnswered,
		Topic:       &ref,
		Text:        t.Answer,
		Details:     t.Details,
		Sources:     append([]knowledge.Source{}, t.Sources...),
		Related:     append([]TopicRef{}, e.related...),
		Suggestions: []TopicRef{},
		Confidence:  round3(confidence),
		Reviewed:    t.Reviewed,
	}
}

// withFigure answers with the topic's figure for the year asked about, if it
// has one, putting that figure's sources first.
func withFigure(idx *index, a Answer, year int) Answer {
	t, _ := idx.kb.Topic(a.Topic.ID)
	for _, f := range t.Figures {
		if f.Year != year {
			continue
		}
		a.Text = f.Answer
		var first, rest []knowledge.Source
		for _, s := range t.Sources {
			if slices.Contains(f.Sources, s.URL) {
				first = append(first, s)
			} else {
				rest = append(rest, s)
			}
		}
		a.Sources = append(first, rest...)
		return a
	}
	return a
}

// yearIn returns the first plausible year (1900–2099) named in the words.
func yearIn(ws []string) int {
	for _, w := range ws {
		if len(w) == 4 && isNumber(w) {
			if y, _ := strconv.Atoi(w); y >= 1900 && y <= 2099 {
				return y
			}
		}
	}
	return 0
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// Follow-up phrases, matched on the normalised words of the whole question.
var (
	moreWords    = set(`more detail details elaborate expand continue further deeper`)
	sourcesWords = set(`source sources citation citations cite reference references proof evidence`)
	followFiller = set(`tell me more please give show can you the a on it that this go and some what about how in for any what's whats are there where is from`)
)

// followUp answers "tell me more", "sources?" and "what about 2023?" from
// the conversation's last answer.
func (b *Bot) followUp(idx *index, q Question, ws []string) (Answer, bool) {
	if len(ws) > 6 {
		return Answer{}, false
	}
	var more, sources, other bool
	year := 0
	for _, w := range ws {
		switch {
		case moreWords[w]:
			more = true
		case sourcesWords[w]:
			sources = true
		case len(w) == 4 && isNumber(w):
			year, _ = strconv.Atoi(w)
		case followFiller[w]:
		default:
			other = true
		}
	}
	if other || (!more && !sources && year == 0) {
		return Answer{}, false
	}
	last, ok := b.convs.last(q.Conversation)
	if !ok {
		if year != 0 {
			return Answer{}, false // "2023?" alone: treat it as a new question
		}
		return declined(q.Text, msgNoContext), true
	}
	t, ok := idx.kb.Topic(last.topicID)
	if !ok {
		return declined(q.Text, msgNoContext), true
	}
	a := idx.topicAnswer(t, q.Text, 1)
	switch {
	case year != 0:
		a = withFigure(idx, a, year)
		if a.Text == t.Answer {
			a.Note = fmt.Sprintf("I have no figure for %d on this topic; here is the general answer.", year)
		}
	case sources:
		a.Text = sourcesText(last.sources)
		a.Sources = last.sources
	default:
		if t.Details == "" {
			a.Text = "That's all I have on this topic. Its sources are listed below."
		} else {
			a.Text = t.Details
		}
		a.Details = ""
	}
	b.convs.remember(q.Conversation, a)
	return a, true
}

func sourcesText(ss []knowledge.Source) string {
	var sb strings.Builder
	sb.WriteString("Sources for my last answer:")
	for i, s := range ss {
		fmt.Fprintf(&sb, "\n%d. [%s](%s), %s", i+1, s.Title, s.URL, s.Publisher)
		if s.Date != "" {
			sb.WriteString(", " + s.Date)
		}
	}
	return sb.String()
}
