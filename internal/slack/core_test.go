package slack

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// A tiny knowledge base in the format of knowledge/ (FORMAT.md).
var testKB = fstest.MapFS{
	"topics/power-of-siberia.md": {Data: []byte(`---
id: power-of-siberia
title: Power of Siberia gas pipeline
category: energy
aliases: [Power of Siberia]
questions:
  - what is power of siberia
  - how much gas does russia send to china by pipeline
  - when did the power of siberia pipeline open
keywords: [gas, pipeline, gazprom]
related: [power-of-siberia-2]
reviewed: 2026-11-26
sources:
  - title: Russian gas exports to China launched via the eastern route
    publisher: TASS
    url: https://tass.com/economy/1094679
    date: 2019-12-02
---
Power of Siberia is **Gazprom's** pipeline to China; deliveries began on 2 December 2019 ([TASS](https://tass.com/economy/1094679)).

- **Launch:** opened by video link.
`)},
	"topics/power-of-siberia-2.md": {Data: []byte(`---
id: power-of-siberia-2
title: Power of Siberia 2 pipeline
category: energy
aliases: [Power of Siberia 2]
questions:
  - what is power of siberia 2
  - is the second siberian gas pipeline agreed
  - power of siberia 2 through mongolia
keywords: [mongolia, soyuz vostok]
related: [power-of-siberia]
reviewed: 2026-11-26
sources:
  - title: Russia, China sign new Siberia gas pipeline deal
    publisher: Mehr News
    url: https://en.mehrnews.com/news/236050/Russia-China-sign-new-Siberia-gas-pipeline-deal
    date: 2025-09
---
Power of Siberia 2 is a planned pipeline through Mongolia.
`)},
	"publishers.yaml": {Data: []byte("publishers:\n  - {name: TASS, kind: state media, country: Russia, hosts: [tass.com]}\n  - {name: p, kind: press, country: Unknown, hosts: [example.org]}\n  - {name: Mehr News, kind: state media, country: Iran, hosts: [mehrnews.com]}\n")},
	"summits.yaml":    {Data: []byte("meetings:\n  - {id: 2019-12-launch, date: 2019-12-02, place: Beijing, kind: video-call, title: Pipeline launch, outcomes: [x], sources: [{title: t, publisher: p, url: \"https://example.org/m\"}]}\n")},
}

func newCoreEnv(t *testing.T, opts bot.Options) *testEnv {
	t.Helper()
	kb, err := knowledge.Load(testKB, knowledge.Options{Now: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("load test knowledge base: %v", err)
	}
	e := newTestEnv(t)
	a, err := New(bot.New(kb, opts), e.a.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	return e
}

func TestWithRealCore(t *testing.T) {
	e := newCoreEnv(t, bot.Options{})
	e.command("what is power of siberia", "C1")
	hooks := e.fake.waitCalls(t, "/hooks/T1/123/abc", 1)
	blocks := blocksJSON(t, hooks[0])
	for _, s := range []string{"*Gazprom's*", "<https://tass.com/economy/1094679|TASS>", `"value":"power-of-siberia-2"`, `"action_id":"more"`} {
		if !strings.Contains(blocks, s) {
			t.Errorf("answer lacks %s: %s", s, blocks)
		}
	}
	// Follow-up clicks render from the real knowledge base.
	e.click("more", "power-of-siberia", "C1", true)
	hooks = e.fake.waitCalls(t, "/hooks/T1/123/abc", 2)
	if !strings.Contains(blocksJSON(t, hooks[1]), "*Launch:*") {
		t.Errorf("details: %s", blocksJSON(t, hooks[1]))
	}
	// Something off-topic is declined politely.
	e.event(dmEvent("Ev1", "best borscht recipe with beetroot", nil), 0)
	posts := e.fake.waitCalls(t, "/api/chat.postMessage", 1)
	if b := blocksJSON(t, posts[0]); strings.Contains(b, `"fb_up"`) || posts[0].Form.Get("text") == "" {
		t.Errorf("decline: %s", b)
	}
	e.drain(t)
}

func TestRealCoreRateLimit(t *testing.T) {
	e := newCoreEnv(t, bot.Options{RateLimit: 1, RateWindow: time.Hour})
	e.event(mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""), 0)
	e.event(mentionEvent("Ev2", "<@UBOT> what is power of siberia 2", ""), 0)
	e.drain(t)
	if n := len(e.fake.callsTo("/api/chat.postMessage")); n != 1 {
		t.Errorf("%d public replies, want 1", n)
	}
	if n := len(e.fake.callsTo("/api/chat.postEphemeral")); n != 1 {
		t.Errorf("%d ephemeral rate-limit notes, want 1", n)
	}
}
