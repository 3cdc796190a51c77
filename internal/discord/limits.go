package discord

import (
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's message limits. discordgo checks none of them; a message over
// any of them is rejected with a 400.
const (
	maxContent       = 2000
	maxEmbeds        = 10
	maxEmbedTotal    = 6000
	maxEmbedTitle    = 256
	maxEmbedDesc     = 4096
	maxEmbedFields   = 25
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthor        = 256
	maxRows          = 5
	maxButtonsPerRow = 5
	maxButtonLabel   = 80
	maxChoices       = 25
	maxChoiceLen     = 100
)

func runes(s string) int { return utf8.RuneCountInString(s) }

// embedLen counts the characters Discord counts toward the 6000 total.
func embedLen(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// fitEmbed cuts every part of e to its limit, in place.
func fitEmbed(e *discordgo.MessageEmbed) {
	e.Title = clipPlain(e.Title, maxEmbedTitle)
	e.Description = clipMarkdown(e.Description, maxEmbedDesc)
	if len(e.Fields) > maxEmbedFields {
		e.Fields = e.Fields[:maxEmbedFields]
	}
	for _, f := range e.Fields {
		f.Name = clipPlain(f.Name, maxFieldName)
		f.Value = clipMarkdown(f.Value, maxFieldValue)
		// Discord rejects empty field names and values.
		if f.Name == "" {
			f.Name = "\u200b"
		}
		if f.Value == "" {
			f.Value = "\u200b"
		}
	}
	if e.Footer != nil {
		e.Footer.Text = clipPlain(e.Footer.Text, maxFooter)
	}
	if e.Author != nil {
		e.Author.Name = clipPlain(e.Author.Name, maxAuthor)
	}
}

// fitMessage makes content and embeds fit Discord's limits, in place, and
// returns them. When the embeds together exceed 6000 characters, trailing
// embeds are dropped, then the first one's description is shortened, then its
// fields, footer and title dropped.
func fitMessage(content string, embeds []*discordgo.MessageEmbed) (string, []*discordgo.MessageEmbed) {
	content = clipMarkdown(content, maxContent)
	if len(embeds) > maxEmbeds {
		embeds = embeds[:maxEmbeds]
	}
	total := 0
	for _, e := range embeds {
		fitEmbed(e)
		total += embedLen(e)
	}
	for len(embeds) > 1 && total > maxEmbedTotal {
		total -= embedLen(embeds[len(embeds)-1])
		embeds = embeds[:len(embeds)-1]
	}
	if total <= maxEmbedTotal {
		return content, embeds
	}
	e := embeds[0]
	if over := total - maxEmbedTotal; over > 0 {
		e.Description = clipMarkdown(e.Description, max(runes(e.Description)-over, 0))
	}
	for embedLen(e) > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	if embedLen(e) > maxEmbedTotal {
		e.Footer = nil
	}
	if embedLen(e) > maxEmbedTotal {
		e.Title = ""
	}
	return content, embeds
}

// fitComponents keeps at most five rows of at most five buttons, drops
// buttons whose custom id is empty or too long, cuts labels, and drops
// empty rows and duplicate custom ids (Discord rejects both).
func fitComponents(rows []discordgo.MessageComponent) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	seen := map[string]bool{}
	for _, c := range rows {
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		var kept []discordgo.MessageComponent
		for _, c := range row.Components {
			b, ok := c.(discordgo.Button)
			if !ok {
				continue
			}
			if b.URL == "" && (b.CustomID == "" || len(b.CustomID) > maxCustomID || seen[b.CustomID]) {
				continue
			}
			seen[b.CustomID] = true
			b.Label = clipPlain(b.Label, maxButtonLabel)
			if b.Label == "" {
				continue
			}
			kept = append(kept, b)
			if len(kept) == maxButtonsPerRow {
				break
			}
		}
		if len(kept) > 0 && len(out) < maxRows {
			out = append(out, discordgo.ActionsRow{Components: kept})
		}
	}
	return out
}

// choice makes an autocomplete choice within Discord's limits, or returns
// nil if name or value would be empty.
func choice(name, value string) *discordgo.ApplicationCommandOptionChoice {
	name = clipPlain(oneLine(name), maxChoiceLen)
	value = clipRunes(value, maxChoiceLen)
	if name == "" || value == "" {
		return nil
	}
	return &discordgo.ApplicationCommandOptionChoice{Name: name, Value: value}
}
