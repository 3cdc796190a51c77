package discord

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

func TestClipMarkdown(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "short [a](https://x.io)", 100, "short [a](https://x.io)"},
		{"plain at word", "alpha beta gamma delta", 15, "alpha beta…"},
		{"link kept whole", "see [the source](https://x.io/a) and more text here", 33, "see [the source](https://x.io/a)…"},
		{"link dropped not cut", "see [the source](https://x.io/a) and more", 20, "see…"},
		{"link text shortened", "x [a very long link text here](https://x.io) y", 36, "x [a very long link…](https://x.io)"},
		{"bare url kept whole", "go to https://example.com/very/long/path now", 25, "go to…"},
		{"bold closed", "some **bold words that go on** after", 18, "some **bold**…"},
		{"bold closed at word end", "some **bold words that go on** after", 21, "some **bold words**…"},
		{"code closed", "run `a long command` please", 14, "run `a long`…"},
		{"trailing punctuation", "one, two, three", 9, "one, two…"},
		{"zero", "abc", 0, ""},
		{"one", "abc", 1, "…"},
		{"runes not bytes", strings.Repeat("ж", 10), 10, strings.Repeat("ж", 10)},
		{"escaped bracket not a link", `a \[b\](c) d e f`, 8, `a \[b\]…`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clipMarkdown(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("clipMarkdown(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if runes(got) > tt.max {
				t.Errorf("result has %d characters, max %d", runes(got), tt.max)
			}
		})
	}
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]*)\)`)

// checkLinks fails if out has a link URL that is not a whole URL of in.
func checkLinks(t *testing.T, in, out string) {
	t.Helper()
	whole := map[string]bool{}
	for _, tok := range tokenize(in) {
		if tok.url != "" {
			whole[tok.url] = true
		}
	}
	for _, tok := range tokenize(out) {
		if tok.url != "" && !whole[tok.url] {
			t.Errorf("link URL %q in output is not a whole URL of the input", tok.url)
		}
	}
	// A "](" must start a complete link.
	if strings.Count(out, "](") != len(linkRE.FindAllString(out, -1)) {
		t.Errorf("broken link syntax in %q", out)
	}
}

func FuzzClipMarkdown(f *testing.F) {
	f.Add("see [the source](https://x.io/a) and **bold** `code` https://y.io/b", 20)
	f.Add("[a](https://a.io)[b](https://b.io)[c](https://c.io)", 25)
	f.Add("[nested [x]](https://n.io/(p)) tail", 12)
	f.Add("\\[x\\](y) ** ` ж😀", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 5000 {
			return
		}
		out := clipMarkdown(s, max)
		if runes(out) > max {
			t.Fatalf("clipMarkdown(%q, %d) has %d characters", s, max, runes(out))
		}
		if runes(s) <= max && out != s {
			t.Fatalf("clipMarkdown changed text that fits: %q -> %q", s, out)
		}
		whole := map[string]bool{}
		for _, tok := range tokenize(s) {
			if tok.url != "" {
				whole[tok.url] = true
			}
		}
		for _, tok := range tokenize(out) {
			if tok.url != "" && !whole[tok.url] {
				t.Fatalf("clipMarkdown(%q, %d) = %q: URL %q was cut", s, max, out, tok.url)
			}
		}
	})
}

// longAnswer has far more text and sources than Discord allows.
func longAnswer() bot.Answer {
	var b strings.Builder
	for i := 0; b.Len() < 12000; i++ {
		fmt.Fprintf(&b, "Sentence %d about trade with a [source number %d](https://example.org/articles/%d/a-long-slug-for-the-article). ", i, i, i)
	}
	var sources []knowledge.Source
	for i := range 60 {
		sources = append(sources, knowledge.Source{
			Title:     fmt.Sprintf("A very long source title number %d that goes on and on [with brackets] *and stars* ", i) + strings.Repeat("x", 200),
			Publisher: "Publisher " + strings.Repeat("p", 150),
			URL:       fmt.Sprintf("https://example.org/source/%d/(with-parens)", i),
			Date:      "2024-05-16",
		})
	}
	return bot.Answer{
		Answered: true, Outcome: bot.OutcomeAnswered,
		Topic:    &bot.TopicRef{ID: "long-topic", Title: strings.Repeat("Long title ", 40)},
		Text:     b.String(),
		Details:  b.String() + b.String(),
		Sources:  sources,
		Related:  []bot.TopicRef{{ID: strings.Repeat("a", 95), Title: "id too long for a custom id"}, {ID: "ok-topic", Title: strings.Repeat("label ", 30)}},
		Reviewed: "2026-11-26",
		Note:     "Answered in English.",
	}
}

// checkReply asserts every Discord limit on a finished reply.
func checkReply(t *testing.T, r reply) {
	t.Helper()
	if n := runes(r.content); n > maxContent {
		t.Errorf("content has %d characters", n)
	}
	if len(r.embeds) > maxEmbeds {
		t.Errorf("%d embeds", len(r.embeds))
	}
	total := 0
	for _, e := range r.embeds {
		total += embedLen(e)
		if n := runes(e.Title); n > maxEmbedTitle {
			t.Errorf("title has %d characters", n)
		}
		if n := runes(e.Description); n > maxEmbedDesc {
			t.Errorf("description has %d characters", n)
		}
		if len(e.Fields) > maxEmbedFields {
			t.Errorf("%d fields", len(e.Fields))
		}
		for _, f := range e.Fields {
			if n := runes(f.Value); n > maxFieldValue || n == 0 {
				t.Errorf("field %q value has %d characters", f.Name, n)
			}
			if n := runes(f.Name); n > maxFieldName || n == 0 {
				t.Errorf("field name has %d characters", n)
			}
		}
		if e.Footer != nil && runes(e.Footer.Text) > maxFooter {
			t.Errorf("footer too long")
		}
	}
	if total > maxEmbedTotal {
		t.Errorf("embeds total %d characters", total)
	}
	if len(r.components) > maxRows {
		t.Errorf("%d rows", len(r.components))
	}
	for _, c := range r.components {
		row := c.(discordgo.ActionsRow)
		if len(row.Components) > maxButtonsPerRow || len(row.Components) == 0 {
			t.Errorf("row with %d buttons", len(row.Components))
		}
		for _, c := range row.Components {
			b := c.(discordgo.Button)
			if len(b.CustomID) > maxCustomID || b.CustomID == "" {
				t.Errorf("custom id %q", b.CustomID)
			}
			if _, err := parseCustomID(b.CustomID); err != nil {
				t.Errorf("custom id %q does not parse", b.CustomID)
			}
			if runes(b.Label) > maxButtonLabel {
				t.Errorf("label has %d characters", runes(b.Label))
			}
		}
	}
}

func TestLongAnswerWithinLimits(t *testing.T) {
	a := longAnswer()
	for name, r := range map[string]reply{
		"answer":  answerReply(a, false).finish(),
		"details": detailsReply(a).finish(),
	} {
		t.Run(name, func(t *testing.T) {
			checkReply(t, r)
			e := r.embeds[0]
			src := a.Text
			if name == "details" {
				src = a.Details
			}
			checkLinks(t, src, e.Description)
			if !strings.HasSuffix(e.Description, "…") {
				t.Errorf("cut description should end with an ellipsis: %q", e.Description[len(e.Description)-40:])
			}
			if runes(e.Description) < maxEmbedDesc-200 {
				t.Errorf("description cut too much: %d characters", runes(e.Description))
			}
			// Sources: whole numbered links, then a count of the rest.
			var sources string
			for _, f := range e.Fields {
				if f.Name == "Sources" {
					sources = f.Value
				}
			}
			lines := strings.Split(sources, "\n")
			if len(lines) < 2 {
				t.Fatalf("sources field: %q", sources)
			}
			last := lines[len(lines)-1]
			if !regexp.MustCompile(`^…and \d+ more$`).MatchString(last) {
				t.Errorf("last sources line = %q, want …and N more", last)
			}
			shown := len(lines) - 1
			if want := fmt.Sprintf("…and %d more", len(a.Sources)-shown); last != want {
				t.Errorf("last line %q, want %q", last, want)
			}
			for n, l := range lines[:shown] {
				if !strings.HasPrefix(l, fmt.Sprintf("%d. [", n+1)) {
					t.Errorf("source line %q", l)
				}
				toks := tokenize(l)
				if len(toks) < 2 || toks[1].url != strings.NewReplacer("(", "%28", ")", "%29").Replace(a.Sources[n].URL) {
					t.Errorf("source line %d has no whole link: %q", n+1, l)
				}
			}
		})
	}
	// The too-long related id is dropped, the other kept.
	r := answerReply(a, false).finish()
	var ids []string
	for _, c := range r.components {
		for _, b := range c.(discordgo.ActionsRow).Components {
			ids = append(ids, b.(discordgo.Button).CustomID)
		}
	}
	if strings.Join(ids, " ") != "sb:more:long-topic sb:fb:+:long-topic sb:fb:-:long-topic sb:topic:ok-topic" {
		t.Errorf("buttons = %v", ids)
	}
}

func TestContentWithinLimits(t *testing.T) {
	long := strings.Repeat("word [link](https://example.com/x) ", 200)
	r := answerReply(bot.Answer{Outcome: bot.OutcomeDeclined, Text: long,
		Suggestions: []bot.TopicRef{{ID: "a", Title: "A"}, {ID: "b", Title: "B"}, {ID: "c", Title: "C"}, {ID: "d", Title: "D"}, {ID: "e", Title: "E"}, {ID: "f", Title: "F"}}}, false).finish()
	checkReply(t, r)
	checkLinks(t, long, r.content)
	if !r.ephemeral {
		t.Error("decline should be ephemeral")
	}
	if n := len(r.components[0].(discordgo.ActionsRow).Components); n != maxSuggestions {
		t.Errorf("%d did-you-mean buttons, want %d", n, maxSuggestions)
	}
}

func TestFitMessageTotal(t *testing.T) {
	big := func() *discordgo.MessageEmbed {
		e := &discordgo.MessageEmbed{Title: strings.Repeat("t", 300), Description: strings.Repeat("d ", 3000),
			Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 3000)}}
		for range 30 {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "n", Value: strings.Repeat("v", 2000)})
		}
		return e
	}
	var embeds []*discordgo.MessageEmbed
	for range 12 {
		embeds = append(embeds, big())
	}
	r := reply{content: strings.Repeat("c", 3000), embeds: embeds}.finish()
	checkReply(t, r)
	// Each embed alone is over 6000 once its parts are cut to their own
	// limits, so only the first is kept, and cut further.
	if len(r.embeds) != 1 || r.embeds[0].Title == "" {
		t.Errorf("%d embeds kept", len(r.embeds))
	}
}

func TestAutocompleteWithinLimits(t *testing.T) {
	core := newFakeCore()
	core.refs = nil
	for i := range 40 {
		core.refs = append(core.refs, bot.TopicRef{ID: fmt.Sprintf("topic-%d", i), Title: fmt.Sprintf("Power %d ", i) + strings.Repeat("ж", 150)})
	}
	core.refs = append(core.refs, bot.TopicRef{ID: "Bad ID", Title: "Power bad"}, bot.TopicRef{ID: "empty-title", Title: ""})
	a, _ := newTestAdapter(t, core, Config{})
	for _, cmd := range []string{cmdAsk, cmdTopic} {
		opt := optQuestion
		if cmd == cmdTopic {
			opt = optName
		}
		r := a.handle(context.Background(), autocompleteInteraction("1", cmd, opt, strings.Repeat("Power ", 50))).interactionResponse()
		if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("type %d", r.Type)
		}
		// The typed text is cut to 100 before matching; nothing matches that long.
		if len(r.Data.Choices) != 0 {
			t.Errorf("%s: long prefix matched %d", cmd, len(r.Data.Choices))
		}
		r = a.handle(context.Background(), autocompleteInteraction("1", cmd, opt, "power")).interactionResponse()
		if len(r.Data.Choices) != maxChoices {
			t.Errorf("%s: %d choices, want %d", cmd, len(r.Data.Choices), maxChoices)
		}
		for _, c := range r.Data.Choices {
			v, _ := c.Value.(string)
			if n := runes(c.Name); n == 0 || n > maxChoiceLen {
				t.Errorf("choice name has %d characters", n)
			}
			if n := runes(v); n == 0 || n > maxChoiceLen {
				t.Errorf("choice value has %d characters", n)
			}
			if cmd == cmdTopic && !validTopicID(v) {
				t.Errorf("/topic choice value %q is not a topic id", v)
			}
		}
	}
}

func TestEscapeAndNeutralize(t *testing.T) {
	if got := escapeMarkdown(`a*b_c~d` + "`" + `e|f[g]h\i`); got != `a\*b\_c\~d`+"\\`"+`e\|f\[g\]h\\i` {
		t.Errorf("escapeMarkdown = %q", got)
	}
	if got := neutralizeMentions("@everyone @here <@1> <@!2> <@&3> a@b.c"); strings.Contains(got, "@everyone") ||
		strings.Contains(got, "@here") || strings.Contains(got, "<@1") || strings.Contains(got, "<@!") || strings.Contains(got, "<@&") || !strings.Contains(got, "a@b.c") {
		t.Errorf("neutralizeMentions = %q", got)
	}
	if got := mdLink("x", "javascript:alert(1)"); got != "x" {
		t.Errorf("non-http link = %q", got)
	}
	if got := mdLink("a]b", "https://x.io/a(b)"); got != `[a\]b](https://x.io/a%28b%29)` {
		t.Errorf("mdLink = %q", got)
	}
}

// The details view lists the topic's other sources after those that back
// the answer; the answer itself shows only the backing ones.
func TestDetailsListMoreSources(t *testing.T) {
	a := posAnswer
	a.MoreSources = []knowledge.Source{{Title: "A later report", Publisher: "Reuters", URL: "https://reuters.com/x", Kind: knowledge.Wire, Country: "International"}}
	field := func(r reply) string {
		for _, f := range r.embeds[0].Fields {
			if f.Name == "Sources" {
				return f.Value
			}
		}
		return ""
	}
	want := "3. [A later report](https://reuters.com/x) — Reuters, international news agency"
	if got := field(detailsReply(a)); !strings.Contains(got, want) {
		t.Errorf("details sources lack %q:\n%s", want, got)
	}
	if got := field(answerReply(a, false)); strings.Contains(got, "A later report") {
		t.Errorf("the answer lists a source that does not back it:\n%s", got)
	}
}
