package discord

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// reply is a message the adapter sends, before it is shaped into an
// interaction response, a webhook edit or a channel message.
type reply struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	// ephemeral: only the person who clicked or typed sees it (interactions only).
	ephemeral bool
}

// embedColor is a neutral slate blue.
const embedColor = 0x4E5D94

// maxRelated is how many related-topic buttons an answer gets.
const maxRelated = 3

// maxSuggestions is how many "Did you mean" buttons a decline gets.
const maxSuggestions = 5

// noMentions allows no mentions at all, not even of the replied-to author.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// finish neutralises mentions and applies every limit. All replies pass
// through here before they are sent.
func (r reply) finish() reply {
	r.content = neutralizeMentions(r.content)
	for _, e := range r.embeds {
		e.Title = neutralizeMentions(e.Title)
		e.Description = neutralizeMentions(e.Description)
		for _, f := range e.Fields {
			f.Name = neutralizeMentions(f.Name)
			f.Value = neutralizeMentions(f.Value)
		}
		if e.Footer != nil {
			e.Footer.Text = neutralizeMentions(e.Footer.Text)
		}
	}
	r.content, r.embeds = fitMessage(r.content, r.embeds)
	if r.embeds == nil {
		r.embeds = []*discordgo.MessageEmbed{}
	}
	r.components = fitComponents(r.components)
	if r.content == "" && len(r.embeds) == 0 {
		r.content = "Sorry, I have nothing to show for that."
	}
	return r
}

func textReply(text string, ephemeral bool) reply {
	return reply{content: text, ephemeral: ephemeral}
}

// answerReply renders an answer from the core. Declines, rate limits and
// errors become short ephemeral text; answers become an embed with buttons.
// private makes an answer ephemeral too.
func answerReply(a bot.Answer, private bool) reply {
	switch a.Outcome {
	case bot.OutcomeAnswered:
		return answeredReply(a, private)
	case bot.OutcomeRateLimited:
		return textReply(a.Text, true)
	default: // declined, error, or anything new: the core's message
		r := textReply(a.Text, true)
		if len(a.Suggestions) > 0 {
			r.content += "\n**Did you mean:**"
			r.components = topicButtons(a.Suggestions, maxSuggestions, discordgo.PrimaryButton)
		}
		return r
	}
}

// answeredReply renders an answer as an embed with buttons.
func answeredReply(a bot.Answer, private bool) reply {
	e := answerEmbed(a, a.Text)
	if a.Note != "" {
		e.Description = "_" + strings.TrimSpace(a.Note) + "_\n\n" + e.Description
	}
	var buttons []discordgo.MessageComponent
	if a.Topic != nil {
		if a.Details != "" {
			buttons = append(buttons, discordgo.Button{Label: "More detail", Style: discordgo.PrimaryButton, CustomID: moreID(a.Topic.ID)})
		}
		buttons = append(buttons,
			// Labels as well as emoji: Discord rejects an empty label string.
			discordgo.Button{Label: "Helpful", Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: feedbackID(a.Topic.ID, true)},
			discordgo.Button{Label: "Not helpful", Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: feedbackID(a.Topic.ID, false)},
		)
	}
	rows := []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	rows = append(rows, topicButtons(a.Related, maxRelated, discordgo.SecondaryButton)...)
	return reply{embeds: []*discordgo.MessageEmbed{e}, components: rows, ephemeral: private}
}

// detailsReply renders the "More detail" view of a topic.
func detailsReply(a bot.Answer) reply {
	text := a.Details
	if strings.TrimSpace(text) == "" {
		text = "There is no more detail on this topic than the answer above."
	}
	// The details go with every source of the topic: those that back the
	// answer, then the others.
	all := a
	all.Sources = append(slices.Clone(a.Sources), a.MoreSources...)
	e := answerEmbed(all, text)
	if e.Title != "" {
		e.Title += ": more detail"
	}
	return reply{
		embeds:     []*discordgo.MessageEmbed{e},
		components: topicButtons(a.Related, maxRelated, discordgo.SecondaryButton),
		ephemeral:  true,
	}
}

// answerEmbed is the common embed: title, description, sources, reviewed date.
func answerEmbed(a bot.Answer, description string) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Description: description, Color: embedColor}
	if a.Topic != nil {
		e.Title = oneLine(a.Topic.Title)
	}
	if s := sourcesField(a.Sources); s != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Sources", Value: s})
	}
	if f := a.Freshness(); f != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: clipPlain(oneLine(f), 100)}
	}
	return e
}

// sourceLine is one numbered source: "1. [Title](url) — TASS, Russian
// state media, date".
func sourceLine(n int, s knowledge.Source) string {
	title := strings.TrimSpace(s.Title)
	if title == "" {
		title = s.URL
	}
	// A title longer than a field would otherwise push the link out.
	title = clipPlain(oneLine(title), 200)
	line := fmt.Sprintf("%d. %s", n, mdLink(title, s.URL))
	var meta []string
	if b := s.Byline(); b != "" {
		meta = append(meta, escapeMarkdown(clipPlain(oneLine(b), 160)))
	}
	if d := strings.TrimSpace(s.Date); d != "" {
		meta = append(meta, escapeMarkdown(clipPlain(oneLine(d), 20)))
	}
	if len(meta) > 0 {
		line += " — " + strings.Join(meta, ", ")
	}
	if runes(line) > maxFieldValue {
		// Only a URL near a field's size gets here: drop the link, keep the title.
		line = clipPlain(fmt.Sprintf("%d. %s", n, escapeMarkdown(title)), maxFieldValue)
	}
	return line
}

// sourcesField lists sources as whole lines within a field's 1024
// characters; sources that do not fit are counted, not cut.
func sourcesField(sources []knowledge.Source) string {
	var lines []string
	used := 0
	for i, s := range sources {
		line := sourceLine(i+1, s)
		rest := len(sources) - i - 1
		// Leave room for "…and N more" unless this is the last source.
		reserve := 0
		if rest > 0 {
			reserve = len(fmt.Sprintf("\n…and %d more", rest))
		}
		if used+runes(line)+1+reserve > maxFieldValue {
			lines = append(lines, fmt.Sprintf("…and %d more", len(sources)-i))
			break
		}
		lines = append(lines, line)
		used += runes(line) + 1
	}
	return strings.Join(lines, "\n")
}

// topicButtons makes one row of buttons that each answer a topic.
func topicButtons(refs []bot.TopicRef, n int, style discordgo.ButtonStyle) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	for _, t := range refs {
		id := topicID(t.ID)
		if id == "" || strings.TrimSpace(t.Title) == "" {
			continue
		}
		buttons = append(buttons, discordgo.Button{Label: oneLine(t.Title), Style: style, CustomID: id})
		if len(buttons) == n {
			break
		}
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// categoryName turns "global-order" into "Global order".
func categoryName(c string) string {
	if c == "" {
		return "Other"
	}
	s := strings.ReplaceAll(c, "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// topicsPerPage keeps a /topics page short enough to read.
const topicsPerPage = 15

// topicsReply renders one page of the topic list. category "" or allTopics
// lists every topic grouped by category.
func topicsReply(refs []bot.TopicRef, category string, page int) reply {
	if category == "" {
		category = allTopics
	}
	if len(refs) == 0 {
		return textReply("There are no topics in that category yet.", true)
	}
	if category == allTopics {
		refs = groupByCategory(refs)
	}
	pages := (len(refs) + topicsPerPage - 1) / topicsPerPage
	page = min(max(page, 0), pages-1)
	var b strings.Builder
	last := ""
	for _, t := range refs[page*topicsPerPage : min((page+1)*topicsPerPage, len(refs))] {
		if category == allTopics && (t.Category != last || b.Len() == 0) {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "**%s**\n", categoryName(t.Category))
			last = t.Category
		}
		fmt.Fprintf(&b, "• %s (`%s`)\n", oneLine(t.Title), t.ID)
	}
	title := "Topics"
	if category != allTopics {
		title = "Topics: " + categoryName(category)
	}
	e := &discordgo.MessageEmbed{
		Title:       title,
		Description: strings.TrimSpace(b.String()),
		Color:       embedColor,
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d · %d topics · open one with /topic", page+1, pages, len(refs))},
	}
	r := reply{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true}
	if pages > 1 {
		prev, next := max(page-1, 0), min(page+1, pages-1)
		if page == 0 {
			prev, next = 0, 1 // distinct ids even when one button is disabled
		}
		if page == pages-1 {
			prev, next = pages-2, pages-1
		}
		r.components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "◀ Previous", Style: discordgo.SecondaryButton, CustomID: topicsPageID(category, prev), Disabled: page == 0},
			discordgo.Button{Label: "Next ▶", Style: discordgo.SecondaryButton, CustomID: topicsPageID(category, next), Disabled: page == pages-1},
		}}}
	}
	return r
}

// groupByCategory orders topics by category (in knowledge.Categories order)
// and keeps the core's title order within each.
func groupByCategory(refs []bot.TopicRef) []bot.TopicRef {
	out := make([]bot.TopicRef, 0, len(refs))
	done := map[string]bool{}
	for _, c := range knowledge.Categories {
		done[string(c)] = true
		for _, t := range refs {
			if t.Category == string(c) {
				out = append(out, t)
			}
		}
	}
	for _, t := range refs {
		if !done[t.Category] {
			out = append(out, t)
		}
	}
	return out
}

// aboutReply says what the bot knows, how fresh it is and where answers
// come from.
func aboutReply(ab bot.About) reply {
	var b strings.Builder
	fmt.Fprintf(&b, "I answer questions about China–Russia relations from a curated knowledge base of **%d topics**", ab.Topics)
	if ab.Meetings > 0 {
		fmt.Fprintf(&b, " and a timeline of **%d Xi–Putin meetings**", ab.Meetings)
	}
	fmt.Fprintf(&b, ", citing **%d sources**.\n\n", ab.Sources)
	b.WriteString("Every answer is written and reviewed by people and names its sources (title, publisher, date). " +
		"I match your question to a reviewed topic; I do not search the web or generate text, and I say so when I don't know.")
	e := &discordgo.MessageEmbed{Title: "About summitbot", Description: b.String(), Color: embedColor}

	var cats []string
	for _, c := range knowledge.Categories {
		if n := ab.Categories[string(c)]; n > 0 {
			cats = append(cats, fmt.Sprintf("%s: %d", categoryName(string(c)), n))
		}
	}
	if len(cats) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Topics by category", Value: strings.Join(cats, "\n"), Inline: true})
	}
	fresh := "Not reviewed yet."
	switch {
	case ab.Newest != "" && ab.Oldest != "" && ab.Newest != ab.Oldest:
		fresh = fmt.Sprintf("Topics were last reviewed between %s and %s.", ab.Oldest, ab.Newest)
	case ab.Newest != "":
		fresh = "Topics were last reviewed on " + ab.Newest + "."
	}
	e.Fields = append(e.Fields,
		&discordgo.MessageEmbedField{Name: "Freshness", Value: fresh, Inline: true},
		&discordgo.MessageEmbedField{Name: "How to ask", Value: "`/ask`, `/topic`, `/topics`, or mention me with a question. In a DM, just ask."},
	)
	return reply{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true}
}

// gapsShown is how many gaps /gaps shows, and examples per gap.
const (
	gapsShown   = 5
	gapExamples = 3
)

// gapsReply renders the moderators' gaps report. Examples are text people
// typed, so they are escaped and cut.
func gapsReply(gaps []bot.Gap) reply {
	if len(gaps) == 0 {
		return textReply("No unanswered questions recorded yet.", true)
	}
	e := &discordgo.MessageEmbed{
		Title:       "Top questions the knowledge base does not answer",
		Description: "Clusters of similar declined questions, most asked first.",
		Color:       embedColor,
	}
	for i, g := range gaps {
		if i == gapsShown {
			break
		}
		var lines []string
		for j, ex := range g.Examples {
			if j == gapExamples {
				break
			}
			lines = append(lines, "• "+escapeMarkdown(clipPlain(oneLine(ex), 150)))
		}
		if g.Nearest != nil {
			lines = append(lines, fmt.Sprintf("Nearest topic: %s (`%s`, %.0f%%)", escapeMarkdown(oneLine(g.Nearest.Title)), strings.ReplaceAll(g.Nearest.ID, "`", ""), g.Confidence*100))
		}
		if len(lines) == 0 {
			lines = append(lines, "No examples kept.")
		}
		times := "times"
		if g.Count == 1 {
			times = "time"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  fmt.Sprintf("%d. Asked %d %s", i+1, g.Count, times),
			Value: strings.Join(lines, "\n"),
		})
	}
	return reply{embeds: []*discordgo.MessageEmbed{e}, ephemeral: true}
}
