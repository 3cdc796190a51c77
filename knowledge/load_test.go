package knowledge

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const goodTopic = `---
id: power-of-siberia
title: Power of Siberia gas pipeline
category: energy
aliases: [Power of Siberia, Сила Сибири, 西伯利亚力量]
questions:
  - what is power of siberia
keywords: [gas, pipeline]
related: [trade-volume]
reviewed: 2026-11-20
sources:
  - title: Gas exports to China launched
    publisher: TASS
    url: https://example.org/pos
    date: 2019-12-02
figures:
  - year: 2023
    answer: In 2023 it delivered 22.7 bcm.
    sources: [https://example.org/pos]
---
Power of Siberia carries **Russian gas** to China; deliveries began in [December 2019](https://example.org/pos).

It runs about 3,000 km.

- Second detail paragraph.
`

const tradeTopic = `---
id: trade-volume
title: China–Russia trade
category: trade
questions: [how much do they trade]
reviewed: 2026-11-20
sources: [{title: Trade, publisher: Reuters, url: "https://example.org/trade"}]
---
Trade reached a record in 2024.
`

const goodTimeline = `meetings:
  - id: 2024-10-kazan
    date: 2024-10-22
    place: Kazan, Russia
    kind: summit-sidelines
    title: Talks at the BRICS summit
    aliases: [kazan brics summit]
    outcomes: [Their third meeting of 2024.]
    sources: [{title: t, publisher: p, url: "https://example.org/kazan", date: 2024-10-22}]
counts:
  - date: 2024-05-16
    count: more than 40
    said_by: Xi Jinping
    source: {title: t, publisher: Xinhua, url: "https://example.org/count", date: 2024-05-16}
`

func testFolder(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"topics/power-of-siberia.md": {Data: []byte(goodTopic)},
		"topics/trade-volume.md":     {Data: []byte(tradeTopic)},
		"summits.yaml":               {Data: []byte(goodTimeline)},
		"tests.yaml":                 {Data: []byte("- question: what is power of siberia\n  expect: power-of-siberia\n- question: borscht recipe\n  expect: none\n")},
	}
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestLoadGood(t *testing.T) {
	kb, err := Load(testFolder(nil), Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(kb.Topics) != 2 || kb.Topics[0].ID != "power-of-siberia" {
		t.Fatalf("topics = %v", kb.Topics)
	}
	pos := kb.Topics[0]
	wantAnswer := "Power of Siberia carries **Russian gas** to China; deliveries began in [December 2019](https://example.org/pos)."
	if pos.Answer != wantAnswer {
		t.Errorf("answer = %q, want %q", pos.Answer, wantAnswer)
	}
	if !strings.HasPrefix(pos.Details, "It runs about 3,000 km.") || !strings.Contains(pos.Details, "Second detail") {
		t.Errorf("details = %q", pos.Details)
	}
	if got := strings.Join(pos.Aliases, "|"); got != "Power of Siberia|Сила Сибири|西伯利亚力量" {
		t.Errorf("aliases = %q", got)
	}
	if len(pos.Figures) != 1 || pos.Figures[0].Year != 2023 {
		t.Errorf("figures = %+v", pos.Figures)
	}
	if len(kb.Timeline.Meetings) != 1 || kb.Timeline.Meetings[0].Year() != 2024 || len(kb.Timeline.Counts) != 1 {
		t.Errorf("timeline = %+v", kb.Timeline)
	}
	if len(kb.Tests) != 2 || kb.Tests[1].Expect != None || kb.Tests[1].Line != 3 {
		t.Errorf("tests = %+v", kb.Tests)
	}
	if _, ok := kb.Topic("trade-volume"); !ok {
		t.Error("Topic(trade-volume) not found")
	}
	if len(kb.Warnings) != 0 {
		t.Errorf("warnings = %v", kb.Warnings)
	}
}

// TestLoadProblems checks that each kind of mistake is reported at its
// file, line and column, and that one bad file does not hide the others.
func TestLoadProblems(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(goodTopic, old, new, 1) }
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of problem lines, in order
	}{
		{"yaml syntax", map[string]string{"topics/power-of-siberia.md": replace("title: Power of Siberia gas pipeline", "title: [unclosed")},
			[]string{"topics/power-of-siberia.md:4:1: YAML syntax error"}},
		{"no front matter", map[string]string{"topics/power-of-siberia.md": "just text\n"},
			[]string{"topics/power-of-siberia.md:1:1: a topic starts with YAML front matter"}},
		{"unknown field", map[string]string{"topics/power-of-siberia.md": replace("keywords:", "colour: red\nkeywords:")},
			[]string{`topics/power-of-siberia.md:8:1: unknown field "colour"`}},
		{"missing fields", map[string]string{"topics/power-of-siberia.md": replace("title: Power of Siberia gas pipeline\ncategory: energy\n", "")},
			[]string{`topics/power-of-siberia.md:1:1: missing required field "category"`, `missing required field "title"`}},
		{"id mismatch", map[string]string{"topics/power-of-siberia.md": replace("id: power-of-siberia", "id: pos")},
			[]string{`topics/power-of-siberia.md:2:5: id "pos" does not match the file name`}},
		{"bad id", map[string]string{"topics/power-of-siberia.md": replace("id: power-of-siberia", "id: Power_Of")},
			[]string{`2:5: id "Power_Of" must be kebab-case`}},
		{"duplicate id", map[string]string{"topics/copy.md": strings.Replace(tradeTopic, "title: China–Russia trade", "title: Copy", 1)},
			[]string{`topics/copy.md:2:5: id "trade-volume" does not match the file name "copy.md"`, `topics/trade-volume.md:2:5: duplicate id "trade-volume" (also in topics/copy.md)`}},
		{"unknown category", map[string]string{"topics/power-of-siberia.md": replace("category: energy", "category: food")},
			[]string{`4:11: unknown category "food"`}},
		{"missing related", map[string]string{"topics/power-of-siberia.md": replace("related: [trade-volume]", "related: [trade-volume, gas-deal]")},
			[]string{`topics/power-of-siberia.md:9:25: related topic "gas-deal" does not exist`}},
		{"http source", map[string]string{"topics/power-of-siberia.md": replace("url: https://example.org/pos\n", "url: http://example.org/pos\n")},
			[]string{`14:10: sources[0].url "http://example.org/pos" must use https`}},
		{"relative source", map[string]string{"topics/power-of-siberia.md": replace("url: https://example.org/pos\n", "url: /pos\n")},
			[]string{`14:10: sources[0].url "/pos" is not an absolute URL`}},
		{"no sources", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, `sources: [{title: Trade, publisher: Reuters, url: "https://example.org/trade"}]`, "sources: []", 1)},
			[]string{"topics/trade-volume.md:7:10: a topic needs at least one source"}},
		{"answer too long", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached a record in 2024.", strings.Repeat("word ", 101), 1)},
			[]string{"topics/trade-volume.md:9:1: the answer (first paragraph) is 504 characters; the limit is 500"}},
		{"answer markup", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached a record in 2024.", "Trade ![chart](https://example.org/c.png) rose.", 1)},
			[]string{"the answer may use only bold, italics and links, not image"}},
		{"body starts with a heading", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached", "# Trade\n\nTrade reached", 1)},
			[]string{"topics/trade-volume.md:9:1: the body must start with a plain paragraph (the answer), not a heading"}},
		{"future review", map[string]string{"topics/power-of-siberia.md": replace("reviewed: 2026-11-20", "reviewed: 2027-01-01")},
			[]string{"10:11: reviewed 2027-01-01 is in the future"}},
		{"shared alias", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "questions:", "aliases: [power of SIBERIA]\nquestions:", 1)},
			[]string{`topics/trade-volume.md:5:11: alias "power of SIBERIA" is also an alias of "power-of-siberia"`}},
		{"figure source not listed", map[string]string{"topics/power-of-siberia.md": replace("    sources: [https://example.org/pos]", "    sources: [https://example.org/other]")},
			[]string{`19:15: figures[0].sources: "https://example.org/other" is not one of this topic's sources`}},
		{"timeline problems", map[string]string{"summits.yaml": strings.Replace(strings.Replace(goodTimeline, "kind: summit-sidelines", "kind: picnic", 1), "date: 2024-10-22\n", "date: 2024-13-01\n", 1)},
			[]string{`summits.yaml:3:11: meetings[0].date "2024-13-01" must be YYYY-MM-DD`, `summits.yaml:5:11: meetings[0].kind "picnic" is not one of`}},
		{"missing timeline", map[string]string{"summits.yaml": ""},
			[]string{"summits.yaml: file is missing"}},
		{"test expects unknown topic", map[string]string{"tests.yaml": "- question: x\n  expect: nope\n"},
			[]string{`tests.yaml:2:11: test 1 expects topic "nope", which does not exist`}},
		{"binary file", map[string]string{"topics/trade-volume.md": "---\x00\xff\xfe"},
			[]string{"topics/trade-volume.md: file is not UTF-8 text"}},
		{"huge file", map[string]string{"topics/trade-volume.md": strings.Repeat("x", maxFileSize+10)},
			[]string{"topics/trade-volume.md: file is larger than 1048576 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(testFolder(tt.files), Options{Now: testNow})
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load error = %v, want a *ValidationError", err)
			}
			var lines []string
			for _, p := range ve.Problems {
				lines = append(lines, p.String())
			}
			all := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not mention %q; got:\n%s", w, all)
				}
			}
		})
	}
}

func TestLoadWarnsStale(t *testing.T) {
	fsys := testFolder(map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "reviewed: 2026-11-20", "reviewed: 2025-01-01", 1)})
	kb, err := Load(fsys, Options{Now: testNow, Prefix: "kb"})
	if err != nil {
		t.Fatalf("a stale topic must not stop loading: %v", err)
	}
	if len(kb.Warnings) != 1 || kb.Warnings[0].String() != "kb/topics/trade-volume.md:6:11: warning: stale: reviewed 2025-01-01, over a year ago" {
		t.Errorf("warnings = %v", kb.Warnings)
	}
}

func TestEmbeddedLoads(t *testing.T) {
	kb, err := Load(Embedded(), Options{})
	if err != nil {
		t.Fatalf("the embedded knowledge base must load: %v", err)
	}
	if len(kb.Topics) < 10 || len(kb.Timeline.Meetings) == 0 || len(kb.Tests) == 0 {
		t.Errorf("embedded KB: %d topics, %d meetings, %d tests", len(kb.Topics), len(kb.Timeline.Meetings), len(kb.Tests))
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Load(Embedded(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzTopic feeds arbitrary bytes to the topic parser: it must report
// problems, never panic.
func FuzzTopic(f *testing.F) {
	f.Add([]byte(goodTopic))
	f.Add([]byte(tradeTopic))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: [\n---\n"))
	f.Add([]byte("---\nsources: {a: *x}\n---\n\n"))
	f.Add([]byte("---\r\nid: x\r\n---\r\nbody"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := testFolder(map[string]string{"topics/power-of-siberia.md": string(data)})
		kb, err := Load(fsys, Options{Now: testNow})
		if err == nil && kb == nil {
			t.Fatal("nil KB without an error")
		}
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}
