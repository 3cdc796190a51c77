package discord

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// These tests run the adapter on the real core and a tiny knowledge base.

func topicFile(id, title, category, related, questions, body string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(`---
id: ` + id + `
title: ` + title + `
category: ` + category + `
questions:
` + questions + `
keywords: [pipeline]
related: [` + related + `]
reviewed: 2026-11-26
sources:
  - title: Russian gas exports to China launched via the eastern route
    publisher: TASS
    url: https://tass.com/economy/1094679
    date: 2019-12-02
---
` + body + "\n")}
}

var testKB = fstest.MapFS{
	"topics/power-of-siberia.md": topicFile("power-of-siberia", "Power of Siberia gas pipeline", "energy", "power-of-siberia-2, gas-contract-2014",
		"  - what is power of siberia\n  - how much gas goes to china by pipeline\n  - when did the power of siberia pipeline open",
		"Power of Siberia carries Russian gas to China; deliveries began on 2 December 2019 ([TASS](https://tass.com/economy/1094679)).\n\nIt runs about 3,000 km through Yakutia and Amur."),
	"topics/power-of-siberia-2.md": topicFile("power-of-siberia-2", "Power of Siberia 2 pipeline", "energy", "power-of-siberia, gas-contract-2014",
		"  - what is power of siberia 2\n  - is the second siberian gas pipeline agreed\n  - power of siberia 2 through mongolia",
		"Power of Siberia 2 is a planned pipeline through Mongolia."),
	"topics/gas-contract-2014.md": topicFile("gas-contract-2014", "The 2014 gas contract", "energy", "power-of-siberia, power-of-siberia-2",
		"  - what was the 2014 gas deal\n  - how big was the gazprom cnpc contract\n  - when was the 30 year gas contract signed",
		"In May 2014 Gazprom and CNPC signed a 30-year gas supply contract."),
	"publishers.yaml": {Data: []byte("publishers:\n  - {name: TASS, kind: state media, country: Russia, hosts: [tass.com]}\n  - {name: p, kind: press, country: Unknown, hosts: [example.org]}\n")},
	"summits.yaml":    {Data: []byte("meetings:\n  - {id: 2019-12-launch, date: 2019-12-02, place: Beijing, kind: video-call, title: Pipeline launch, outcomes: [x], sources: [{title: t, publisher: p, url: \"https://example.org/m\"}]}\n")},
}

func realCore(t *testing.T, opts bot.Options) *bot.Bot {
	t.Helper()
	kb, err := knowledge.Load(testKB, knowledge.Options{Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("load test knowledge base: %v", err)
	}
	return bot.New(kb, opts)
}

func TestRealCoreAskAndButtons(t *testing.T) {
	a, _ := newTestAdapter(t, realCore(t, bot.Options{}), Config{})
	ctx := context.Background()

	r := a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "<@123> what is power of siberia?"))).interactionResponse()
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Title != "Power of Siberia gas pipeline" {
		t.Fatalf("answer = %+v", r.Data)
	}
	e := r.Data.Embeds[0]
	if !strings.Contains(e.Description, "[TASS](https://tass.com/economy/1094679)") || e.Footer == nil || e.Footer.Text != "Reviewed 2026-11-26" {
		t.Errorf("embed = %+v", e)
	}
	if len(e.Fields) != 1 || !strings.HasPrefix(e.Fields[0].Value, "1. [Russian gas exports") {
		t.Errorf("sources = %+v", e.Fields)
	}
	ids := customIDs(r.Data.Components)
	for _, want := range []string{"sb:more:power-of-siberia", "sb:fb:+:power-of-siberia", "sb:fb:-:power-of-siberia", "sb:topic:power-of-siberia-2"} {
		if !strings.Contains(ids, want) {
			t.Errorf("buttons %s lack %s", ids, want)
		}
	}

	// Every button on the answer gets a sensible reply.
	for _, id := range strings.Fields(ids) {
		r := a.handle(ctx, buttonInteraction("b", id)).interactionResponse()
		if r.Data.Content == msgUnsupported || r.Data.Content == msgGoneTopic || r.Data.Content == msgFailed {
			t.Errorf("button %s: %q", id, r.Data.Content)
		}
	}
	more := a.handle(ctx, buttonInteraction("m", "sb:more:power-of-siberia")).interactionResponse()
	if len(more.Data.Embeds) != 1 || !strings.Contains(more.Data.Embeds[0].Description, "3,000 km") {
		t.Errorf("more detail = %+v", more.Data)
	}
}

func TestRealCoreDeclineAndSuggest(t *testing.T) {
	a, _ := newTestAdapter(t, realCore(t, bot.Options{}), Config{})
	ctx := context.Background()
	r := a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "best borscht recipe"))).interactionResponse()
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || len(r.Data.Embeds) != 0 || r.Data.Content == "" {
		t.Errorf("decline = %+v", r.Data)
	}
	r = a.handle(ctx, autocompleteInteraction("2", cmdTopic, optName, "siberia")).interactionResponse()
	if len(r.Data.Choices) == 0 {
		t.Fatal("no autocomplete choices for 'siberia'")
	}
	for _, c := range r.Data.Choices {
		if _, ok := a.core.TopicAnswer(c.Value.(string)); !ok {
			t.Errorf("/topic choice %q is not a topic id", c.Value)
		}
	}
	r = a.handle(ctx, commandInteraction("3", cmdTopic, true, strOpt(optName, r.Data.Choices[0].Value.(string)))).interactionResponse()
	if len(r.Data.Embeds) != 1 {
		t.Errorf("/topic with a chosen id = %+v", r.Data)
	}
	r = a.handle(ctx, commandInteraction("4", cmdAbout, true)).interactionResponse()
	if len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0].Description, "**3 topics**") {
		t.Errorf("/about = %+v", r.Data.Embeds)
	}
}

func TestRealCoreRateLimit(t *testing.T) {
	a, _ := newTestAdapter(t, realCore(t, bot.Options{RateLimit: 1, RateWindow: time.Hour}), Config{})
	ctx := context.Background()
	a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	r := a.handle(ctx, commandInteraction("2", cmdAsk, true, strOpt(optQuestion, "what is power of siberia"))).interactionResponse()
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || len(r.Data.Embeds) != 0 || r.Data.Content == "" {
		t.Errorf("rate-limited reply = %+v", r.Data)
	}
}

func TestRealCoreFollowUp(t *testing.T) {
	a, _ := newTestAdapter(t, realCore(t, bot.Options{}), Config{})
	ctx := context.Background()
	a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "what was the 2014 gas deal")))
	r := a.handle(ctx, commandInteraction("2", cmdAsk, true, strOpt(optQuestion, "sources?"))).interactionResponse()
	if len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0].Title, "2014") {
		t.Errorf("follow-up in the same channel = %+v", r.Data)
	}
}

func customIDs(rows []discordgo.MessageComponent) string {
	var ids []string
	for _, c := range rows {
		for _, b := range c.(discordgo.ActionsRow).Components {
			ids = append(ids, b.(discordgo.Button).CustomID)
		}
	}
	return strings.Join(ids, " ")
}

func TestRealCoreFollowUpIsPerChannel(t *testing.T) {
	a, _ := newTestAdapter(t, realCore(t, bot.Options{}), Config{})
	ctx := context.Background()
	a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "what was the 2014 gas deal")))
	other := commandInteraction("2", cmdAsk, true, strOpt(optQuestion, "sources?"))
	other.ChannelID = "chan2"
	r := a.handle(ctx, other).interactionResponse()
	if len(r.Data.Embeds) == 1 && strings.Contains(r.Data.Embeds[0].Title, "2014") {
		t.Errorf("follow-up context leaked into another channel: %+v", r.Data.Embeds[0])
	}
}

// TestRealCoreTooLong: a question over the core's limit reaches the core
// long enough for its "too long" decline, from a mention and from /ask.
func TestRealCoreTooLong(t *testing.T) {
	long := strings.Repeat("what is power of siberia ", 60)[:1500]
	fd := newFakeDiscord(t)
	a, _ := newTestAdapter(t, realCore(t, bot.Options{}), Config{})
	ctx := context.Background()

	a.onMessage(ctx, fd.session(t), &discordgo.Message{ID: "m1", ChannelID: "d1", Author: &discordgo.User{ID: "u1"}, Content: long})
	calls := fd.recorded()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	if body := string(calls[0].Body); !strings.Contains(body, "too long") {
		t.Errorf("mention reply = %s", body)
	}

	r := a.handle(ctx, commandInteraction("1", cmdAsk, true, strOpt(optQuestion, long))).interactionResponse()
	if !strings.Contains(r.Data.Content, "too long") || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("/ask reply = %+v", r.Data)
	}
}
