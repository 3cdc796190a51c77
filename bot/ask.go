package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/summitbot/summitbot/knowledge"
)

const (
	// MaxQuestion is the longest question accepted, in characters.
	MaxQuestion = 1000
	// Threshold is the probability the bot answers at. Two calibrated
	// models, logistic regressions over the ranking's signals fit on the
	// knowledge base's own held-out questions and off-topic questions each
	// time the index is built (see calibrate.go), give the confidence
	// (the probability that the best topic is the answer) and the in-scope
	// probability (that some topic is: the question's subject is the
	// knowledge base's). The bot answers with the best topic when either
	// reaches Threshold, and declines when neither does. An answer whose
	// own confidence is below it says so (msgUnsure). `summitbot kb eval`
	// measures both and shows the calibration.
	Threshold = 0.5
	// suggestAbove is the least confidence for a "Did you mean" suggestion.
	suggestAbove = 0.1
)

// Messages the core writes. Adapters post them as they are.
const (
	msgUnsure    = "The question looks like one I cover, but I am not sure this is the topic you mean; it is the closest I have."
	msgDecline   = "Sorry, I don't have an answer to that. I answer questions about China–Russia relations: summits, energy, trade, military cooperation, diplomacy and what it means for the world."
	msgEmpty     = "Ask me a question about China–Russia relations, for example: \"What is the Power of Siberia pipeline?\""
	msgTooLong   = "That question is too long (over 1,000 characters). Please ask it in a sentence or two."
	msgRateLimit = "You're asking faster than I can keep up. Please wait a few seconds and try again."
	msgError     = "Sorry, something went wrong while answering. Please try again."
	msgNoContext = "I'm not sure what that follows on from. Ask me a full question about China–Russia relations."
)

func declined(question, text string) Answer {
	return Answer{Question: question, Outcome: OutcomeDeclined, Text: text, Sources: []knowledge.Source{}, MoreSources: []knowledge.Source{}, Related: []TopicRef{}, Suggestions: []TopicRef{}}
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
		if a, ok := b.followUp(ctx, idx, q, ws); ok {
			return a
		}
	}
	qs := idx.resolve(ws)
	if len(qs) == 0 {
		return declined(q.Text, msgEmpty)
	}
	d := b.decide(idx, q.Text, ws, idx.rank(ws, qs), nil)
	a, ok, cands, year := d.timeline, d.fromTimeline, d.cands, d.year
	if !ok {
		if len(cands) == 0 || cands[0].inScope < b.opts.Threshold {
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
		if a.Confidence < b.opts.Threshold {
			// Answered because the question is in scope, not because this
			// topic is surely its answer.
			a.addNote(msgUnsure)
		}
		if year != 0 {
			a = withFigure(idx, a, year)
		}
	}
	a.Question = q.Text
	if lang := languageOf(ws); lang != "" {
		a.addNote(fmt.Sprintf("Your question looked like %s; I answer in English.", lang))
	}
	if q.Conversation != "" && a.Topic != nil {
		b.convs.remember(q.Conversation, a)
	}
	return a
}

// topicAnswer builds the answer for a topic: its answer paragraph with the
// sources that back it; the topic's other sources go with the details.
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
		Sources:     slices.Clone(e.backing),
		MoreSources: slices.Clone(e.more),
		Related:     append([]TopicRef{}, e.related...),
		Suggestions: []TopicRef{},
		Confidence:  round3(confidence),
		Reviewed:    t.Reviewed,
		AsOf:        t.AsOf,
	}
}

// others returns the sources in all that are not in shown, in order.
func others(all, shown []knowledge.Source) []knowledge.Source {
	out := []knowledge.Source{}
	for _, s := range all {
		if !slices.ContainsFunc(shown, func(x knowledge.Source) bool { return x.URL == s.URL }) {
			out = append(out, s)
		}
	}
	return out
}

// figureFor returns the topic's figure for year.
func figureFor(t *knowledge.Topic, year int) (knowledge.Figure, bool) {
	for _, f := range t.Figures {
		if f.Year == year {
			return f, true
		}
	}
	return knowledge.Figure{}, false
}

// withFigure answers with the topic's figure for the year asked about, if it
// has one, backed by that figure's sources.
func withFigure(idx *index, a Answer, year int) Answer {
	t, ok := idx.kb.Topic(a.Topic.ID)
	if !ok {
		return a
	}
	f, ok := figureFor(t, year)
	if !ok {
		return a
	}
	a.Text = f.Answer
	a.Sources = t.FigureBacking(f)
	a.MoreSources = others(t.Sources, a.Sources)
	if f.AsOf != "" {
		a.AsOf = f.AsOf
	}
	return a
}

// yearIn returns the first year (1900–2099) the words name, as the
// ranking reads them (wordYears): "vostok-2018" names 2018. A word that
// spans two years ("2022-2023") names no one year: a later word may.
func yearIn(ws []string) int {
words:
	for _, w := range ws {
		if !hasDigit(w) {
			continue // the cheap test first: ranging over wordYears costs more
		}
		first := 0
		for y := range wordYears(w) {
			if first != 0 && y != first {
				continue words // a span ("2013-2026") names no one year
			}
			first = y
		}
		if first != 0 {
			return first
		}
	}
	return 0
}

// relativeYears are the words before "year" (год/году in Russian) that
// name a year by today's: "last year", "в прошлом году".
var relativeYears = map[string]int{
	"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1, "coming": 1,
	"прошлом": -1, "прошлый": -1, "прошлого": -1, "этом": 0, "этот": 0, "этого": 0, "текущем": 0, "текущего": 0,
	"следующем": 1, "следующий": 1, "следующего": 1, "будущем": 1, "будущий": 1, "будущего": 1,
}

// yearWords are "year" and its forms after a relative word: "this year's"
// is "this years" once the apostrophe is dropped.
var yearWords = set(`year years год году года`)

// hanRelativeYears are the Chinese words for last, this and next year.
var hanRelativeYears = map[string]int{"去年": -1, "今年": 0, "明年": 1}

// notCalendar are the words that, before "last year" or "next year", make
// it a span of something else: "the last year of his term", "his first
// and last year".
var notCalendar = set(`the a an his her its their that whose my our your first`)

// yearAt is yearIn, or else the year that "last year", "this year" or
// "next year" names, counted from now; not "the last year of the war",
// which is no calendar year.
func yearAt(ws []string, now time.Time) int {
	if y := yearIn(ws); y != 0 {
		return y
	}
	for i, w := range ws {
		if d, ok := hanRelativeYears[w]; ok {
			return now.Year() + d
		}
		if i == 0 || !yearWords[w] {
			continue
		}
		d, ok := relativeYears[ws[i-1]]
		if !ok || i >= 2 && notCalendar[ws[i-2]] || i+1 < len(ws) && ws[i+1] == "of" {
			continue
		}
		return now.Year() + d
	}
	return 0
}

func round3(x float64) float64 { return float64(int(x*1000+0.5)) / 1000 }

// Follow-up phrases, matched on the normalised words of the whole question.
var (
	moreWords    = set(`more detail details elaborate expand continue further deeper`)
	sourcesWords = set(`source sources citation citations cite reference references proof evidence`)
	followFiller = set(`tell me more please give show can you the a on it that this go and some what about how in for any what's whats are there where is from your you got have`)
)

// followUp answers "tell me more", "sources?" and "what about 2023?" from
// the conversation's last answer.
func (b *Bot) followUp(ctx context.Context, idx *index, q Question, ws []string) (Answer, bool) {
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
	if year != 0 {
		return b.yearFollowUp(ctx, idx, q, t, last, year), true
	}
	a := idx.topicAnswer(t, q.Text, 1)
	keep := func(a Answer) {
		a.Question, a.Sources, a.MoreSources, a.Details = last.question, last.sources, last.more, last.details
		b.convs.remember(q.Conversation, a)
	}
	if sources {
		// The list is the answer: every source of the last answer, the
		// backing ones first. Nothing else to list under it.
		a.Text = sourcesText(append(slices.Clone(last.sources), last.more...))
		a.Sources, a.MoreSources = []knowledge.Source{}, []knowledge.Source{}
		a.Details = ""
		keep(a)
		return a, true
	}
	// The last answer's own details and the sources it did not show: a
	// computed timeline answer's, or the topic's.
	if last.details == "" {
		a.Text = "That's all I have on this topic. Its sources are listed below."
		a.Sources = aggregatorsLast(append(slices.Clone(last.sources), last.more...))
	} else {
		a.Text = last.details
		a.Sources = aggregatorsLast(last.more)
		if len(a.Sources) == 0 {
			a.Sources = slices.Clone(last.sources)
		}
	}
	a.Details = ""
	a.MoreSources = []knowledge.Source{}
	keep(a)
	return a, true
}

// aggregatorsLast returns the sources in order, aggregators moved last.
func aggregatorsLast(ss []knowledge.Source) []knowledge.Source {
	out := make([]knowledge.Source, 0, len(ss))
	for _, agg := range []bool{false, true} {
		for _, s := range ss {
			if (s.Kind == knowledge.Aggregator) == agg {
				out = append(out, s)
			}
		}
	}
	return out
}

// yearFollowUp answers "what about 2023?" as the last question asked again
// for that year, whatever kind of topic answered it: the timeline for
// meetings, a figure for trade, another topic for an exercise of that year.
func (b *Bot) yearFollowUp(ctx context.Context, idx *index, q Question, t *knowledge.Topic, last convEntry, year int) Answer {
	prev := last.question
	if prev == "" && len(t.Questions) > 0 {
		prev = t.Questions[0]
	}
	again := withYear(prev, year)
	a := b.ask(ctx, idx, Question{Text: again, Platform: q.Platform, UserID: q.UserID, ChannelKind: q.ChannelKind})
	if !a.Answered {
		// The question for that year finds nothing: stay on the topic.
		a = withFigure(idx, idx.topicAnswer(t, again, 1), year)
	}
	if at, ok := idx.kb.Topic(a.Topic.ID); ok && a.Answered && a.Text == at.Answer && len(at.Figures) == 0 && !idx.namesYear(at, year) {
		// The general answer of a topic about every year ("joint
		// exercises"): a related topic about that year
		// ("North/Interaction-2023") answers "what about 2023?" better, if
		// it also wins the question asked again among the related topics.
		if alt := yearTopic(idx, at, again, year); alt != nil {
			a = idx.topicAnswer(alt, again, 1)
		}
	}
	if a.Topic != nil {
		if at, ok := idx.kb.Topic(a.Topic.ID); ok && a.Answered && a.Text == at.Answer && !idx.aboutYear(at, year) {
			if len(at.Figures) > 0 {
				a.addNote(fmt.Sprintf("I have no figure for %d on this topic; here is the general answer.", year))
			} else {
				a.addNote(fmt.Sprintf("I have nothing specific on %d in this topic; here is the general answer.", year))
			}
		}
		a.Question = again
		b.convs.remember(q.Conversation, a)
	}
	a.Question = q.Text
	return a
}

// namesYear reports whether a topic is about one year: its id, title or
// an alias names it (namedYears, read when the index is built), alone and
// not as an end of a span ("2013–2026").
func (idx *index) namesYear(t *knowledge.Topic, year int) bool {
	i, ok := idx.byID[t.ID]
	return ok && slices.Contains(idx.topics[i].years, [2]int{year, year})
}

// aboutYear reports whether a topic has anything specific on year: it
// names the year, has a figure for it, or its answer or details mention it.
func (idx *index) aboutYear(t *knowledge.Topic, year int) bool {
	if _, ok := figureFor(t, year); ok || idx.namesYear(t, year) {
		return true
	}
	y := strconv.Itoa(year)
	return slices.Contains(words(t.Answer), y) || slices.Contains(words(t.Details), y)
}

// yearTopic finds a topic about year among those related to t: the related
// topic that ranks best for the question asked again (again), if it names
// the year and is a plausible answer (confidence ≥ suggestAbove; t itself,
// the general answer, usually ranks above it). nil if there is none. A topic
// merely in the same category is no evidence: a category holds unrelated
// topics of every year.
func yearTopic(idx *index, t *knowledge.Topic, again string, year int) *knowledge.Topic {
	related := map[string]bool{}
	for _, id := range t.Related {
		related[id] = id != t.ID
	}
	aws := words(again)
	qs := idx.resolve(aws)
	if len(qs) == 0 {
		return nil
	}
	for _, c := range idx.rank(aws, qs) {
		r := idx.topics[c.topic].t
		if !related[r.ID] {
			continue
		}
		if c.confidence >= suggestAbove && idx.namesYear(r, year) {
			return r
		}
		return nil // the related topic that wins the question is not about that year
	}
	return nil
}

// withYear rewrites a question for another year: the year it names is
// replaced, or " in <year>" added.
func withYear(question string, year int) string {
	y := strconv.Itoa(year)
	if loc := yearPattern.FindStringIndex(question); loc != nil {
		return question[:loc[0]] + y + question[loc[1]:]
	}
	return strings.TrimRight(strings.TrimSpace(question), "?!.") + " in " + y
}

var yearPattern = regexp.MustCompile(`\b(?:19|20)\d\d\b`)

func sourcesText(ss []knowledge.Source) string {
	if len(ss) == 0 {
		return "My last answer cited no sources."
	}
	var sb strings.Builder
	sb.WriteString("Sources for my last answer:")
	for i, s := range ss {
		fmt.Fprintf(&sb, "\n%d. [%s](%s), %s", i+1, s.Title, s.URL, s.Byline())
		if s.Date != "" {
			sb.WriteString(", " + s.Date)
		}
	}
	return sb.String()
}

// decision is what the bot makes of a question whose words resolve: the
// timeline's answer, or the candidates it answers from (or declines with)
// and the year that picks a topic's figure. Ask and Explain both take it.
type decision struct {
	timeline     Answer
	fromTimeline bool
	cands        []scored
	year         int
	// sentence is, when the whole question would be declined and one of
	// its sentences is in scope on its own, that sentence; cands and year
	// are then its own, ws its words.
	sentence string
	ws       []string
}

// decide decides on a question from cands, its ranking. If kept is not
// nil, the ranking of a sentence answered on its own is kept there, with
// what explaining it needs (Explain).
func (b *Bot) decide(idx *index, text string, ws []string, cands []scored, kept *ranking) decision {
	now := b.opts.Now()
	d := decision{cands: cands, year: yearAt(ws, now), ws: ws}
	d.timeline, d.fromTimeline = idx.timeline.answer(idx, ws, d.year, d.cands, now, b.opts.Threshold)
	if d.fromTimeline || len(d.cands) > 0 && d.cands[0].inScope >= b.opts.Threshold {
		return d
	}
	// "Lasagne recipe with ricotta and basil. What is the SCO?": a question
	// of several sentences whose whole is declined may have one that is in
	// scope on its own.
	if s, sws, sc, found := idx.bestSentence(text, b.opts.Threshold, kept); found {
		d.sentence, d.ws, d.cands, d.year = s, sws, sc, yearAt(sws, now)
	}
	return d
}

// maxSentences bounds the sentences bestSentence asks on their own: a
// question of many short sentences must not cost as many rankings.
const maxSentences = 6

// bestSentence asks each sentence of a question of several on its own
// (the first maxSentences of two words or more, or of one word the index
// holds as it is) and returns the one whose
// first topic is surest in scope, with its words and candidates, if one is
// at least threshold; its whole ranking is kept in kept if that is not
// nil. The answer is then that sentence's topic: the timeline reads the
// whole question only.
func (idx *index) bestSentence(text string, threshold float64, kept *ranking) (sentence string, ws []string, cands []scored, found bool) {
	ss := sentences(plain(text)) // a link's "https:" or "?q=" ends no sentence
	if len(ss) < 2 {
		return "", nil, nil, false
	}
	best := threshold
	asked := 0
	for _, s := range ss {
		sws := words(s)
		if len(sws) == 0 {
			continue
		}
		qs := idx.resolve(sws)
		if len(sws) == 1 && !slices.ContainsFunc(qs, func(t qterm) bool { return t.how == MatchExact }) {
			continue // a word alone counts only if it is the knowledge base's own ("Glonass?")
		}
		if asked++; asked > maxSentences {
			break
		}
		r := idx.rankIn(sws, qs, kept != nil)
		if c := r.cands; len(c) > 0 && c[0].inScope >= best && (!found || c[0].inScope > best) {
			sentence, ws, cands, found, best = s, sws, c, true, c[0].inScope
			if kept != nil {
				*kept = r
			}
		}
	}
	return sentence, ws, cands, found
}

// sentences splits a text at ? ! ; : and line breaks, and at a full stop
// followed by a space unless it ends an abbreviation ("U.S. citizens",
// "Mr. Xi": see abbreviation), and returns the non-empty pieces trimmed.
func sentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		end := r == '?' || r == '!' || r == ';' || r == '\n'
		switch r {
		case ':': // not in "10:30"
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			end = !unicode.IsDigit(prev) || !unicode.IsDigit(next)
		case '.':
			next, _ := utf8.DecodeRuneInString(text[i+1:])
			end = unicode.IsSpace(next) && !abbreviation(lastToken(text[start:i]))
		}
		if end {
			out = appendSentence(out, text[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return appendSentence(out, text[start:])
}

// lastToken is the text after its last space.
func lastToken(s string) string {
	j := strings.LastIndexFunc(s, unicode.IsSpace)
	if j < 0 {
		return s
	}
	_, size := utf8.DecodeRuneInString(s[j:])
	return s[j+size:]
}

// abbreviation reports whether a full stop after tok marks an
// abbreviation rather than the end of a sentence: tok has a full stop of
// its own ("U.S", "e.g"), is one letter (an initial), or is a title or
// short form written with a full stop ("Mr", "Dr", "St", "vs"). "Xi." and
// "EU." end sentences.
func abbreviation(tok string) bool {
	if strings.Contains(tok, ".") || utf8.RuneCountInString(tok) == 1 && unicode.IsLetter([]rune(tok)[0]) {
		return true
	}
	return shortForms[strings.ToLower(tok)]
}

// shortForms are the English titles and short forms written with a full
// stop that may come before more of the same sentence.
var shortForms = set(`mr mrs ms dr st jr sr vs prof gen col lt sgt capt gov sen rep rev no`)

// appendSentence appends s without its surrounding spaces, unless nothing
// is left.
func appendSentence(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}
