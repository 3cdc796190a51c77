package slack

import (
	"fmt"
	"strconv"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// message is a rendered reply: Block Kit blocks plus the plain-text
// fallback Slack shows in notifications and reads to screen readers.
type message struct {
	Text   string
	Blocks []slackgo.Block
	// fellBack is set by finish when the blocks broke a Block Kit limit
	// and were replaced by the plain text; renderers should never cause it.
	fellBack bool
}

// Action ids. A button's action_id is one of these, with ":<n>" appended
// where a message has several buttons of the same kind (action ids must be
// unique within a message). Its value is always a topic id, never user
// text, so a click is re-rendered from the knowledge base.
const (
	actMore   = "more"
	actTopic  = "topic"
	actFbUp   = "fb_up"
	actFbDown = "fb_down"
	actShare  = "share"
)

// Counts of buttons shown.
const (
	maxRelated     = 3
	maxSuggestions = 5
	maxSources     = maxContextElements - 1 // elements for sources; one is the reviewed date
	maxGaps        = 5
	maxGapExamples = 3
	maxExampleLen  = 200
)

// validTopicID reports whether s is a knowledge-base topic id short enough
// to be worth a button.
func validTopicID(s string) bool {
	return len(s) <= 100 && knowledge.ValidID(s)
}

func actionID(kind string, n int) string {
	if n < 0 {
		return kind
	}
	return kind + ":" + strconv.Itoa(n)
}

// parseAction validates a clicked button's action_id and value and returns
// its kind and topic id.
func parseAction(id, value string) (kind, topicID string, ok bool) {
	kind, suffix, hasSuffix := strings.Cut(id, ":")
	if hasSuffix {
		n, err := strconv.Atoi(suffix)
		if err != nil || n < 0 || n > 99 || strconv.Itoa(n) != suffix {
			return "", "", false
		}
	}
	switch kind {
	case actMore, actTopic, actFbUp, actFbDown, actShare:
	default:
		return "", "", false
	}
	if !validTopicID(value) {
		return "", "", false
	}
	return kind, value, true
}

func mrkdwnText(s string) *slackgo.TextBlockObject {
	// verbatim: Slack must not auto-link or auto-mention anything; the only
	// links are the ones the converter wrote.
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, true)
}

func section(mrkdwn string) *slackgo.SectionBlock {
	return slackgo.NewSectionBlock(mrkdwnText(truncateMrkdwn(mrkdwn, maxTextLen)), nil, nil)
}

// buttonLabel makes plain button text: no angle brackets, one line, at
// most 75 characters.
func buttonLabel(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '<' || r == '>':
			return -1
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		s = "Untitled"
	}
	return truncatePlain(s, maxButtonText)
}

func button(kind string, n int, label, topicID string) *slackgo.ButtonBlockElement {
	return slackgo.NewButtonBlockElement(actionID(kind, n), topicID,
		slackgo.NewTextBlockObject(slackgo.PlainTextType, buttonLabel(label), true, false))
}

// renderOpts says where a reply will appear.
type renderOpts struct {
	// ephemeral replies carry a "Share in channel" button.
	ephemeral bool
}

// renderAnswer renders the core's answer for Slack.
func renderAnswer(a bot.Answer, o renderOpts) message {
	text := strings.TrimSpace(a.Text)
	if text == "" {
		text = "Sorry, I don't have an answer for that right now."
	}
	switch a.Outcome {
	case bot.OutcomeAnswered:
		return renderAnswered(a, text, o)
	case bot.OutcomeDeclined:
		return renderDeclined(a, text)
	default: // rate-limited, error, or anything new: just the core's message
		return finish(message{
			Text:   toPlain(text),
			Blocks: []slackgo.Block{section(toMrkdwn(text))},
		})
	}
}

func renderAnswered(a bot.Answer, text string, o renderOpts) message {
	blocks := []slackgo.Block{section(toMrkdwn(text))}
	if note := strings.TrimSpace(a.Note); note != "" {
		blocks = append(blocks, slackgo.NewContextBlock("", mrkdwnText(truncateMrkdwn(toMrkdwn(note), maxTextLen))))
	}
	if c := sourcesContext(a.Sources, a.Freshness()); c != nil {
		blocks = append(blocks, c)
	}
	if acts := answerActions(a, o); acts != nil {
		blocks = append(blocks, acts)
	}
	fallback := toPlain(text)
	if s := plainSources(a.Sources); s != "" {
		fallback += "\n\nSources: " + s
	}
	return finish(message{Text: fallback, Blocks: blocks})
}

func answerActions(a bot.Answer, o renderOpts) *slackgo.ActionBlock {
	var els []slackgo.BlockElement
	topicID := ""
	if a.Topic != nil && validTopicID(a.Topic.ID) {
		topicID = a.Topic.ID
	}
	if topicID != "" && strings.TrimSpace(a.Details) != "" {
		els = append(els, button(actMore, -1, "More detail", topicID))
	}
	n := 0
	for _, r := range a.Related {
		if n == maxRelated {
			break
		}
		if !validTopicID(r.ID) || r.ID == topicID {
			continue
		}
		els = append(els, button(actTopic, n, r.Title, r.ID))
		n++
	}
	if topicID != "" {
		els = append(els,
			button(actFbUp, -1, "👍", topicID),
			button(actFbDown, -1, "👎", topicID))
		if o.ephemeral {
			els = append(els, button(actShare, -1, "Share in channel", topicID))
		}
	}
	if len(els) == 0 {
		return nil
	}
	return slackgo.NewActionBlock("", els...)
}

func renderDeclined(a bot.Answer, text string) message {
	blocks := []slackgo.Block{section(toMrkdwn(text))}
	fallback := toPlain(text)
	var els []slackgo.BlockElement
	var titles []string
	for _, s := range a.Suggestions {
		if len(els) == maxSuggestions {
			break
		}
		if !validTopicID(s.ID) {
			continue
		}
		els = append(els, button(actTopic, len(els), s.Title, s.ID))
		titles = append(titles, escapeText(buttonLabel(s.Title)))
	}
	if len(els) > 0 {
		blocks = append(blocks,
			slackgo.NewContextBlock("", mrkdwnText("Did you mean:")),
			slackgo.NewActionBlock("", els...))
		fallback += "\n\nDid you mean: " + strings.Join(titles, "; ") + "?"
	}
	return finish(message{Text: fallback, Blocks: blocks})
}

// renderDetails renders the "More detail" reply for a topic.
func renderDetails(a bot.Answer, o renderOpts) message {
	title := "This topic"
	if a.Topic != nil && strings.TrimSpace(a.Topic.Title) != "" {
		title = a.Topic.Title
	}
	head := "*" + escapeText(strings.Join(strings.Fields(title), " ")) + "*"
	blocks := []slackgo.Block{section(head)}
	fallback := toPlain(title)
	paras := markdownBlocks(a.Details, modeMrkdwn)
	if len(paras) == 0 {
		paras = []string{"There is no more detail on this topic yet."}
	}
	// Pack paragraphs into as few sections as fit, leaving room for the
	// sources and actions blocks.
	var cur string
	for _, p := range paras {
		if len(blocks) >= maxBlocks-3 {
			break
		}
		switch {
		case cur == "":
			cur = p
		case textLen(cur)+2+textLen(p) <= maxTextLen:
			cur += "\n\n" + p
		default:
			blocks = append(blocks, section(cur))
			cur = p
		}
	}
	if cur != "" && len(blocks) < maxBlocks-2 {
		blocks = append(blocks, section(cur))
	}
	fallback += "\n\n" + toPlain(a.Details)
	if c := sourcesContext(a.Sources, a.Freshness()); c != nil {
		blocks = append(blocks, c)
	}
	if a.Topic != nil && validTopicID(a.Topic.ID) {
		els := []slackgo.BlockElement{
			button(actFbUp, -1, "👍", a.Topic.ID),
			button(actFbDown, -1, "👎", a.Topic.ID),
		}
		if o.ephemeral {
			els = append(els, button(actShare, -1, "Share in channel", a.Topic.ID))
		}
		blocks = append(blocks, slackgo.NewActionBlock("", els...))
	}
	return finish(message{Text: fallback, Blocks: blocks})
}

// sourcesContext lists numbered sources and the freshness line ("Reviewed
// 2026-12-01", "As of January 2026") in one
// context block. A context block holds at most ten elements, so beyond
// nine sources several share an element, one per line.
func sourcesContext(sources []knowledge.Source, freshness string) *slackgo.ContextBlock {
	var els []slackgo.MixedElement
	per := (len(sources) + maxSources - 1) / maxSources
	for i := 0; i < len(sources); i += per {
		var lines []string
		for j := i; j < min(i+per, len(sources)); j++ {
			lines = append(lines, sourceMrkdwn(j+1, sources[j]))
		}
		els = append(els, mrkdwnText(truncateMrkdwn(strings.Join(lines, "\n"), maxTextLen)))
	}
	if f := strings.TrimSpace(freshness); f != "" {
		els = append(els, mrkdwnText(escapeText(truncatePlain(f, 60))))
	}
	if len(els) == 0 {
		return nil
	}
	return slackgo.NewContextBlock("", els...)
}

func sourceMrkdwn(n int, s knowledge.Source) string {
	title := strings.Join(strings.Fields(s.Title), " ")
	if title == "" {
		title = s.URL
	}
	title = truncatePlain(title, 300)
	var b strings.Builder
	b.WriteString(strconv.Itoa(n) + ". ")
	if u, ok := safeURL(s.URL); ok {
		b.WriteString(slackLink(u, title))
	} else {
		b.WriteString(escapeText(title))
	}
	for _, part := range []string{s.Byline(), s.Date} {
		if part = strings.Join(strings.Fields(part), " "); part != "" {
			b.WriteString(" · " + escapeText(truncatePlain(part, 200)))
		}
	}
	return b.String()
}

func plainSources(sources []knowledge.Source) string {
	var parts []string
	for i, s := range sources {
		p := strconv.Itoa(i+1) + ". " + escapeText(strings.Join(strings.Fields(s.Title), " "))
		var meta []string
		for _, m := range []string{s.Byline(), s.Date} {
			if m = strings.TrimSpace(m); m != "" {
				meta = append(meta, escapeText(m))
			}
		}
		if len(meta) > 0 {
			p += " (" + strings.Join(meta, ", ") + ")"
		}
		if u, ok := safeURL(s.URL); ok {
			p += " " + u
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// renderNotice renders a short message the adapter writes itself (help,
// busy, not allowed). text is Markdown.
func renderNotice(text string) message {
	return finish(message{Text: toPlain(text), Blocks: []slackgo.Block{section(toMrkdwn(text))}})
}

// renderHelp explains how to ask.
func renderHelp(command string) message {
	cmd := escapeText(command)
	return renderNotice(fmt.Sprintf("Ask me about China–Russia relations and I'll answer from a curated, sourced knowledge base.\n\n"+
		"- `%s what is power of siberia`\n"+
		"- `%s when did xi and putin last meet`\n\n"+
		"Mention me in a channel to get the answer in a thread, or send me a direct message.", cmd, cmd))
}

// renderGaps renders the moderators' report of unanswered questions.
// Examples are other users' questions, so they are escaped and shortened.
func renderGaps(gaps []bot.Gap) message {
	if len(gaps) == 0 {
		return renderNotice("No gaps recorded: every recent question was answered.")
	}
	blocks := []slackgo.Block{section("*Top questions the knowledge base does not answer*")}
	var plain []string
	for i, g := range gaps {
		if i == maxGaps {
			break
		}
		var ex []string
		for j, e := range g.Examples {
			if j == maxGapExamples {
				break
			}
			e = truncatePlain(strings.Join(strings.Fields(e), " "), maxExampleLen)
			ex = append(ex, "“"+escapeText(e)+"”")
		}
		line := fmt.Sprintf("*%d.* asked %d× — %s", i+1, g.Count, strings.Join(ex, ", "))
		if g.Nearest != nil && g.Nearest.Title != "" {
			line += fmt.Sprintf("\nNearest topic: %s (%s, confidence %.2f)",
				escapeText(g.Nearest.Title), escapeText(g.Nearest.ID), g.Confidence)
		}
		blocks = append(blocks, section(line))
		plain = append(plain, fmt.Sprintf("%d. asked %d× — %s", i+1, g.Count, strings.Join(ex, ", ")))
	}
	return finish(message{Text: "Top questions the knowledge base does not answer: " + strings.Join(plain, "; "), Blocks: blocks})
}

// finish bounds the fallback text and, as a last line of defence, replaces
// a message that still breaks a Block Kit limit with its plain text.
func finish(m message) message {
	m.Text = truncateMrkdwn(strings.TrimSpace(m.Text), maxFallbackLen)
	if m.Text == "" {
		m.Text = "summitbot"
	}
	if len(m.Blocks) > maxBlocks {
		m.Blocks = m.Blocks[:maxBlocks]
	}
	if checkLimits(m.Blocks) != nil {
		m.Blocks = []slackgo.Block{section(m.Text)}
		m.fellBack = true
	}
	return m
}

// payload is the JSON body of an acknowledgement that carries a reply.
// slack-go's Msg would also send empty metadata and replace/delete flags.
type payload struct {
	ResponseType string         `json:"response_type,omitempty"`
	Text         string         `json:"text"`
	Blocks       slackgo.Blocks `json:"blocks"`
}

func (m message) ackPayload(responseType string) *payload {
	return &payload{ResponseType: responseType, Text: m.Text, Blocks: slackgo.Blocks{BlockSet: m.Blocks}}
}
