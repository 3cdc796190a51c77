package knowledge

import (
	"errors"
	"io/fs"
	"slices"
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
  - how does russian gas reach china
  - when did the power of siberia pipeline open
keywords: [gas, pipeline]
related: [trade-volume]
reviewed: 2026-11-20
sources:
  - title: Gas exports to China launched
    publisher: TASS
    url: https://example.org/pos
    date: 2019-12-02
  - title: Gas flows, copied
    publisher: Repost Daily
    url: https://repost.example.net/pos
answer_sources: [https://example.org/pos]
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
questions: [how much do they trade, what is the trade volume, how big is their trade]
reviewed: 2026-11-20
sources: [{title: Trade, publisher: Reuters, url: "https://example.org/trade"}]
answer_sources: [https://example.org/trade]
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

const goodPublishers = `publishers:
  - {name: TASS, kind: state media, country: Russia, hosts: [example.org]}
  - {name: Reuters, kind: wire, country: International, hosts: [example.org]}
  - {name: Xinhua, kind: state media, country: China, hosts: [example.org]}
  - {name: p, kind: press, country: Unknown, hosts: [example.org]}
  - {name: Repost Daily, kind: aggregator, country: Unknown, hosts: [repost.example.net]}
`

func testFolder(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"topics/power-of-siberia.md": {Data: []byte(goodTopic)},
		"topics/trade-volume.md":     {Data: []byte(tradeTopic)},
		"summits.yaml":               {Data: []byte(goodTimeline)},
		"publishers.yaml":            {Data: []byte(goodPublishers)},
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
			[]string{`topics/power-of-siberia.md:10:1: unknown field "colour"`}},
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
			[]string{`topics/power-of-siberia.md:11:25: related topic "gas-deal" does not exist`}},
		{"ftp source", map[string]string{"topics/power-of-siberia.md": replace("url: https://example.org/pos\n", "url: ftp://example.org/pos\n")},
			[]string{`16:10: sources[0].url "ftp://example.org/pos" must use https (or http where the facts files give http)`}},
		{"relative source", map[string]string{"topics/power-of-siberia.md": replace("url: https://example.org/pos\n", "url: /pos\n")},
			[]string{`16:10: sources[0].url "/pos" is not an absolute URL`}},
		{"no sources", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, `sources: [{title: Trade, publisher: Reuters, url: "https://example.org/trade"}]`, "sources: []", 1)},
			[]string{"topics/trade-volume.md:7:10: a topic needs at least one source"}},
		{"answer too long", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached a record in 2024.", strings.Repeat("word ", 101), 1)},
			[]string{"topics/trade-volume.md:10:1: the answer (first paragraph) is 504 characters; the limit is 500"}},
		{"answer markup", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached a record in 2024.", "Trade ![chart](https://example.org/c.png) rose.", 1)},
			[]string{"the answer may use only bold, italics and links, not image"}},
		{"body starts with a heading", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached", "# Trade\n\nTrade reached", 1)},
			[]string{"topics/trade-volume.md:10:1: the body must start with a plain paragraph (the answer), not a heading"}},
		{"future review", map[string]string{"topics/power-of-siberia.md": replace("reviewed: 2026-11-20", "reviewed: 2027-01-01")},
			[]string{"12:11: reviewed 2027-01-01 is in the future"}},
		{"shared alias", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "questions:", "aliases: [power of SIBERIA]\nquestions:", 1)},
			[]string{`topics/trade-volume.md:5:11: alias "power of SIBERIA" is also an alias of "power-of-siberia"`}},
		{"figure source not listed", map[string]string{"topics/power-of-siberia.md": replace("    sources: [https://example.org/pos]", "    sources: [https://example.org/other]")},
			[]string{`25:15: figures[0].sources: "https://example.org/other" is not one of this topic's sources`}},
		{"timeline problems", map[string]string{"summits.yaml": strings.Replace(strings.Replace(goodTimeline, "kind: summit-sidelines", "kind: picnic", 1), "date: 2024-10-22\n", "date: 2024-13-01\n", 1)},
			[]string{`summits.yaml:3:11: meetings[0].date "2024-13-01" must be YYYY-MM-DD`, `summits.yaml:5:11: meetings[0].kind "picnic" is not one of`}},
		{"missing timeline", map[string]string{"summits.yaml": ""},
			[]string{"summits.yaml: file is missing"}},
		{"test expects unknown topic", map[string]string{"tests.yaml": "- question: x\n  expect: nope\n"},
			[]string{`tests.yaml:2:11: test 1 expects topic "nope", which does not exist`}},
		{"unknown publisher", map[string]string{"topics/power-of-siberia.md": replace("publisher: TASS", "publisher: tass")},
			[]string{`15:16: sources[0].publisher "tass" is not in publishers.yaml (did you mean "TASS"?)`}},
		{"host not the publisher's", map[string]string{"topics/power-of-siberia.md": replace("url: https://example.org/pos\n", "url: https://tass.example.com/pos\n")},
			[]string{`16:10: sources[0].url: host "tass.example.com" is not one of TASS's hosts in publishers.yaml (example.org)`}},
		{"fewer than three questions", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "questions: [how much do they trade, what is the trade volume, how big is their trade]", "questions: [how much do they trade]", 1)},
			[]string{"topics/trade-volume.md:5:12: a topic needs at least 3 questions (alternate phrasings); it has 1"}},
		{"answer source not listed", map[string]string{"topics/power-of-siberia.md": replace("answer_sources: [https://example.org/pos]", "answer_sources: [https://example.org/nope]")},
			[]string{`21:18: answer_sources: "https://example.org/nope" is not one of this topic's sources`}},
		{"answer sources empty", map[string]string{"topics/power-of-siberia.md": replace("answer_sources: [https://example.org/pos]", "answer_sources: []")},
			[]string{`21:17: answer_sources needs 1 to 3 URLs from the topic's sources`}},
		{"only an aggregator backs the answer", map[string]string{"topics/power-of-siberia.md": replace("answer_sources: [https://example.org/pos]", "answer_sources: [https://repost.example.net/pos]")},
			[]string{`21:18: answer_sources: an aggregator cannot be the only backing source`}},
		{"aggregator first", map[string]string{"topics/power-of-siberia.md": replace("answer_sources: [https://example.org/pos]", "answer_sources: [https://repost.example.net/pos, https://example.org/pos]")},
			[]string{`21:18: answer_sources: the aggregator "https://repost.example.net/pos" is listed before a stronger source ("https://example.org/pos")`}},
		{"answer source twice", map[string]string{"topics/power-of-siberia.md": replace("answer_sources: [https://example.org/pos]", "answer_sources: [https://example.org/pos, https://example.org/pos]")},
			[]string{`21:43: answer_sources: "https://example.org/pos" is listed twice`}},
		{"as_of malformed", map[string]string{"topics/power-of-siberia.md": replace("reviewed: 2026-11-20", "reviewed: 2026-11-20\nas_of: 2026-1")},
			[]string{`13:8: as_of "2026-1" must be a month written YYYY-MM`}},
		{"as_of after review", map[string]string{"topics/power-of-siberia.md": replace("reviewed: 2026-11-20", "reviewed: 2025-11-20\nas_of: 2026-01")},
			[]string{`13:8: as_of 2026-01 is after the topic was reviewed (2025-11-20)`}},
		{"figure as_of in the future", map[string]string{"topics/power-of-siberia.md": replace("    sources: [https://example.org/pos]", "    sources: [https://example.org/pos]\n    as_of: 2027-03")},
			[]string{`26:12: figures[0].as_of 2027-03 is in the future`}},
		{"publisher registry problems", map[string]string{"publishers.yaml": goodPublishers + "  - {name: Odd, kind: blog, country: Atlantis, hosts: [https://odd.example]}\n"}, []string{
			`publishers.yaml:7:23: publishers[5].kind "blog" is not one of: official, state media, wire, research, reference, press, aggregator`,
			`publishers.yaml:7:38: publishers[5].country "Atlantis" is not a country this registry knows`,
			`publishers.yaml:7:56: publishers[5].hosts: "https://odd.example" must be a bare host name`}},
		{"meeting sourced only by an aggregator", map[string]string{"summits.yaml": strings.Replace(goodTimeline, `sources: [{title: t, publisher: p, url: "https://example.org/kazan", date: 2024-10-22}]`, `sources: [{title: t, publisher: Repost Daily, url: "https://repost.example.net/kazan"}]`, 1)},
			[]string{`summits.yaml:9:14: meetings[0].sources: an aggregator cannot be a meeting's only source`}},
		{"registry does not parse", map[string]string{"publishers.yaml": "publishers: [\n"},
			[]string{`publishers.yaml:1:13: YAML syntax error`}},
		{"publisher listed twice", map[string]string{"publishers.yaml": goodPublishers + "  - {name: TASS, kind: state media, country: Russia, hosts: [tass.ru]}\n"},
			[]string{`publishers.yaml:7:12: publisher "TASS" is listed twice`}},
		{"binary file", map[string]string{"topics/trade-volume.md": "---\x00\xff\xfe"},
			[]string{"topics/trade-volume.md: file is not UTF-8 text"}},
		{"huge file", map[string]string{"topics/trade-volume.md": strings.Repeat("x", maxFileSize+10)},
			[]string{"topics/trade-volume.md: file is larger than 1048576 bytes"}},
		// A second document with nothing in it: placing the error asked its
		// missing body for a token, and the loader panicked.
		{"empty second document", map[string]string{"summits.yaml": "0\r---"},
			[]string{"summits.yaml:2:1: only one YAML document is allowed here"}},
		{"empty second document in tests.yaml", map[string]string{"tests.yaml": "0\n---\n"},
			[]string{"tests.yaml:2:1: only one YAML document is allowed here"}},
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

// problemLines loads fsys and returns every problem, errors and warnings,
// one per line.
func problemLines(t *testing.T, fsys fs.FS, now time.Time) []string {
	t.Helper()
	kb, err := Load(fsys, Options{Now: now})
	var ps Problems
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		ps = ve.Problems
	case err != nil:
		t.Fatalf("Load: %v", err)
	default:
		ps = kb.Warnings
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return lines
}

// TestSyntaxErrorFirst: a file that does not parse is reported before
// anything else, and its regression questions do not add "does not exist".
func TestSyntaxErrorFirst(t *testing.T) {
	fsys := testFolder(map[string]string{
		"topics/trade-volume.md": strings.Replace(tradeTopic, "title: China–Russia trade", "title: [unclosed", 1),
		"tests.yaml":             "- question: how much trade\n  expect: trade-volume\n- question: x\n  expect: nope\n",
	})
	lines := problemLines(t, fsys, testNow)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "topics/trade-volume.md:4:") || !strings.Contains(lines[0], "YAML syntax error") ||
		lines[1] != `tests.yaml:4:11: test 2 expects topic "nope", which does not exist` {
		t.Errorf("problems =\n%s\nwant the syntax error first, then only the test of a topic that was never there", strings.Join(lines, "\n"))
	}
}

// TestSharedAliasBlamesBoth: both files are named, and the one changed
// last (the one a moderator just edited) is marked.
func TestSharedAliasBlamesBoth(t *testing.T) {
	tests := []struct {
		name            string
		posTime, trTime time.Time
		posNote, trNote string
	}{
		{"no modification times", time.Time{}, time.Time{}, "", ""},
		{"written by one checkout", testNow.Add(-time.Second), testNow, "", ""},
		{"trade-volume edited last", testNow.Add(-time.Hour), testNow, "", " (this file changed last)"},
		{"power-of-siberia edited last", testNow, testNow.Add(-time.Hour), " (this file changed last)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := testFolder(map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "questions:", "aliases: [power of SIBERIA]\nquestions:", 1)})
			fsys["topics/power-of-siberia.md"].ModTime = tt.posTime
			fsys["topics/trade-volume.md"].ModTime = tt.trTime
			all := strings.Join(problemLines(t, fsys, testNow), "\n")
			for _, w := range []string{
				`topics/power-of-siberia.md:5:11: alias "Power of Siberia" is also an alias of "trade-volume" (topics/trade-volume.md:5): keep it on one topic` + tt.posNote + "\n",
				`topics/trade-volume.md:5:11: alias "power of SIBERIA" is also an alias of "power-of-siberia" (topics/power-of-siberia.md:5): keep it on one topic` + tt.trNote + "\n",
			} {
				if !strings.Contains(all+"\n", w) {
					t.Errorf("problems do not mention %q; got:\n%s", w, all)
				}
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	later := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	replace := func(old, new string) string { return strings.Replace(goodTopic, old, new, 1) }
	tests := []struct {
		name  string
		files map[string]string
		want  []string // every problem, in order
	}{
		{"http accepted, same page over https warned", map[string]string{"topics/power-of-siberia.md": replace("  - title: Gas flows, copied", "  - title: Same page\n    publisher: TASS\n    url: http://example.org/pos\n  - title: Gas flows, copied")},
			[]string{`topics/power-of-siberia.md:20:10: warning: "http://example.org/pos" is the same page as "https://example.org/pos" (line 16): list it once, as the facts files give it`}},
		{"no registry", map[string]string{"publishers.yaml": ""},
			[]string{"publishers.yaml: warning: file is missing: sources' publishers are not checked and answers show no source kinds"}},
		{"self-dated answer", map[string]string{"topics/power-of-siberia.md": strings.Replace(replace("reviewed: 2026-11-20", "reviewed: 2026-12-01"), "deliveries began", "deliveries currently run since", 1)},
			[]string{`topics/power-of-siberia.md:27:1: warning: the answer says "currently", which dates itself: add as_of (YYYY-MM, when the facts end) or write the date`}},
		{"self-dated answer with as_of", map[string]string{"topics/power-of-siberia.md": strings.Replace(replace("reviewed: 2026-11-20", "reviewed: 2026-12-01\nas_of: 2026-01"), "deliveries began", "deliveries currently run since", 1)},
			nil},
		{"self-dated answer in another file", map[string]string{"topics/trade-volume.md": strings.Replace(tradeTopic, "Trade reached", "Trade currently reached", 1)},
			[]string{`topics/trade-volume.md:10:1: warning: the answer says "currently", which dates itself: add as_of (YYYY-MM, when the facts end) or write the date`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemLines(t, testFolder(tt.files), later)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestRequireAnswerSources(t *testing.T) {
	noBacking := strings.Replace(tradeTopic, "answer_sources: [https://example.org/trade]\n", "", 1)
	want := `topics/trade-volume.md:1:1: missing required field "answer_sources" (1 to 3 URLs from sources, strongest first, that back the answer paragraph)`
	if got := problemLines(t, testFolder(map[string]string{"topics/trade-volume.md": noBacking}), testNow); strings.Join(got, "\n") != want {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	// Off (as while the shipped topics were converted), such a topic loads
	// and its answer cites its sources, aggregators left out.
	requireAnswerSources = false
	t.Cleanup(func() { requireAnswerSources = true })
	kb, err := Load(testFolder(map[string]string{"topics/trade-volume.md": noBacking}), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	trade, _ := kb.Topic("trade-volume")
	if b := trade.Backing(); len(b) != 1 || b[0].Kind != Wire {
		t.Errorf("Backing without answer_sources = %+v", b)
	}
}

func TestSourceKinds(t *testing.T) {
	kb, err := Load(testFolder(nil), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	pos, _ := kb.Topic("power-of-siberia")
	if got := pos.Sources[0]; got.Kind != StateMedia || got.Country != "Russia" || got.Label() != "Russian state media" {
		t.Errorf("source = %+v, label %q", got, got.Label())
	}
	if got := pos.Sources[1].Label(); got != "aggregator" {
		t.Errorf("label of an aggregator of unknown country = %q", got)
	}
	if b := pos.Backing(); len(b) != 1 || b[0].URL != "https://example.org/pos" {
		t.Errorf("Backing = %+v, want answer_sources", b)
	}
	if len(kb.Publishers) != 5 || kb.Publishers[0].Name != "Repost Daily" {
		t.Errorf("publishers = %v", kb.Publishers)
	}
}

func TestLabel(t *testing.T) {
	tests := []struct {
		kind    Kind
		country string
		want    string
	}{
		{StateMedia, "Russia", "Russian state media"},
		{Wire, International, "international news agency"},
		{Official, "China", "Chinese official source"},
		{Aggregator, UnknownCountry, "aggregator"},
		{Reference, "Nowhere", "reference work"},
		{"", "Russia", ""},
	}
	for _, tt := range tests {
		if got := Label(tt.kind, tt.country); got != tt.want {
			t.Errorf("Label(%q, %q) = %q, want %q", tt.kind, tt.country, got, tt.want)
		}
	}
}

// TestByline: the one place a source's publisher and label are joined
// (Slack, Discord and the CLI all show it).
func TestByline(t *testing.T) {
	tests := []struct {
		src  Source
		want string
	}{
		{Source{Publisher: "TASS", Kind: StateMedia, Country: "Russia"}, "TASS, Russian state media"},
		{Source{Publisher: "Gazprom"}, "Gazprom"},
		{Source{Publisher: " TASS\n", Kind: Wire, Country: International}, "TASS, international news agency"},
		// A label with nobody to attach it to was ", Russian state media".
		{Source{Publisher: " ", Kind: StateMedia, Country: "Russia"}, ""},
		{Source{}, ""},
	}
	for _, tt := range tests {
		if got := tt.src.Byline(); got != tt.want {
			t.Errorf("%+v.Byline() = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestStrongest(t *testing.T) {
	a1, a2 := Source{URL: "a1", Kind: Aggregator}, Source{URL: "a2", Kind: Aggregator}
	p, o, w := Source{URL: "p", Kind: Press}, Source{URL: "o", Kind: Official}, Source{URL: "w", Kind: Wire}
	tests := []struct {
		in   []Source
		want string
	}{
		{[]Source{a1, p, a2, o, w}, "p,o,w"},
		{[]Source{a1, p, a2}, "p"},
		{[]Source{a1, a2}, "a1,a2"},
		{nil, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range Strongest(tt.in, 3) {
			got = append(got, s.URL)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("Strongest(%v) = %v, want %s", tt.in, got, tt.want)
		}
	}
}

// TestEmbeddedPublishers: every publisher in the registry is used, and every
// embedded source carries a kind.
func TestEmbeddedPublishers(t *testing.T) {
	kb, err := Load(Embedded(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	check := func(where string, s Source) {
		used[s.Publisher] = true
		if !s.Kind.Valid() {
			t.Errorf("%s: source %s has no kind", where, s.URL)
		}
	}
	for _, tp := range kb.Topics {
		for _, s := range tp.Sources {
			check(tp.ID, s)
		}
	}
	for _, m := range kb.Timeline.Meetings {
		for _, s := range m.Sources {
			check(m.ID, s)
		}
	}
	for _, c := range kb.Timeline.Counts {
		check("counts", c.Source)
	}
	for _, p := range kb.Publishers {
		if !used[p.Name] {
			t.Errorf("publishers.yaml lists %q, which no source names", p.Name)
		}
	}
}

// FuzzPublishers feeds arbitrary bytes to the publisher registry: problems,
// never a panic, and a folder that loads has every source labelled.
func FuzzPublishers(f *testing.F) {
	f.Add([]byte(goodPublishers))
	f.Add([]byte("publishers:\n  - {name: TASS, kind: state media, country: Russia, hosts: [tass.com.]}\n"))
	f.Add([]byte("publishers: [{name: [x]}]\n"))
	f.Add([]byte("publishers:\n  - name: TASS\n    hosts: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, err := Load(testFolder(map[string]string{"publishers.yaml": string(data) + " "}), Options{Now: testNow})
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if err == nil {
			for _, tp := range kb.Topics {
				for _, s := range tp.Sources {
					if !s.Kind.Valid() {
						t.Fatalf("loaded with an unlabelled source %+v", s)
					}
				}
			}
		}
	})
}

// TestRegistrySyntaxError: a registry that does not parse is the one
// problem reported, not every source "not in publishers.yaml".
func TestRegistrySyntaxError(t *testing.T) {
	lines := problemLines(t, testFolder(map[string]string{"publishers.yaml": "publishers: [\n"}), testNow)
	if len(lines) != 1 || !strings.Contains(lines[0], "publishers.yaml:") || !strings.Contains(lines[0], "YAML syntax error") {
		t.Errorf("problems =\n%s", strings.Join(lines, "\n"))
	}
}

// TestOneRootProblem: one mistake is one error, not a flood of follow-on
// errors from every place that relies on it (review Medium 8).
func TestOneRootProblem(t *testing.T) {
	pos := func(old, new string) map[string]string {
		return map[string]string{"topics/power-of-siberia.md": strings.ReplaceAll(goodTopic, old, new)}
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		// The source is cited by answer_sources and a figure as well (the
		// URL changed everywhere in the second case).
		{"misspelt publisher", pos("publisher: TASS", "publisher: Tass"), `sources[0].publisher "Tass" is not in publishers.yaml`},
		{"host not the publisher's", pos("https://example.org/pos", "https://tass.example.com/pos"), `host "tass.example.com" is not one of TASS's hosts`},
		// A scalar where a list belongs was reported three times: as not
		// a list by each of two reads, then as an empty list.
		{"answer_sources not a list", pos("answer_sources: [https://example.org/pos]", "answer_sources: https://example.org/pos"), "topics/power-of-siberia.md:21:17: answer_sources must be a list"},
		{"figure sources not a list", pos("    sources: [https://example.org/pos]", "    sources: https://example.org/pos"), "topics/power-of-siberia.md:25:14: figures[0].sources must be a list"},
		{"meetings not a list", map[string]string{"summits.yaml": "meetings: 2024-10-kazan\n"}, "summits.yaml:1:11: meetings must be a list"},
		{"empty publishers list", map[string]string{"publishers.yaml": "publishers: []\n"}, "publishers.yaml:1:1: publishers.yaml: the publishers list is empty"},
		{"publishers list missing", map[string]string{"publishers.yaml": "publishers:\n"}, "publishers.yaml:1:1: publishers.yaml: the publishers list is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []string
			for _, l := range problemLines(t, testFolder(tt.files), testNow) {
				if !strings.Contains(l, "warning") {
					errs = append(errs, l)
				}
			}
			if len(errs) != 1 || !strings.Contains(errs[0], tt.want) {
				t.Errorf("errors =\n%s\nwant only %q", strings.Join(errs, "\n"), tt.want)
			}
		})
	}
}

// failingFS is a folder in which one file cannot be looked at.
type failingFS struct {
	fs.FS
	name string
	err  error
}

func (f failingFS) Open(name string) (fs.File, error) {
	if name == f.name {
		return nil, &fs.PathError{Op: "open", Path: name, Err: f.err}
	}
	return f.FS.Open(name)
}

// TestOptionalFileUnreadable: synonyms.yaml and tests.yaml may be missing,
// but one that is there and cannot be read was skipped as if missing.
func TestOptionalFileUnreadable(t *testing.T) {
	for _, name := range []string{SynonymsFile, TestsFile} {
		t.Run(name, func(t *testing.T) {
			lines := problemLines(t, failingFS{testFolder(nil), name, fs.ErrPermission}, testNow)
			want := name + ": cannot read:"
			if len(lines) != 1 || !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[0], "permission denied") {
				t.Errorf("problems =\n%s\nwant one, %q… permission denied", strings.Join(lines, "\n"), want)
			}
			// Missing is allowed.
			if lines := problemLines(t, failingFS{testFolder(map[string]string{name: ""}), name, fs.ErrNotExist}, testNow); len(lines) != 0 {
				t.Errorf("with %s missing: %v", name, lines)
			}
		})
	}
}

// TestPublisherHintDeterministic: with two registered names that differ
// only in case, the hint named whichever the map gave last.
func TestPublisherHintDeterministic(t *testing.T) {
	files := map[string]string{
		"publishers.yaml":            goodPublishers + "  - {name: Tass, kind: state media, country: Russia, hosts: [example.org]}\n",
		"topics/power-of-siberia.md": strings.Replace(goodTopic, "publisher: TASS", "publisher: tass", 1),
	}
	want := `topics/power-of-siberia.md:15:16: sources[0].publisher "tass" is not in publishers.yaml (did you mean "TASS" or "Tass"?)`
	for range 20 {
		lines := problemLines(t, testFolder(files), testNow)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Fatalf("problems =\n%s\nwant one starting %q", strings.Join(lines, "\n"), want)
		}
	}
}

// TestInvalidDateReportedOnce: a meeting's invalid date is reported as
// such, once, and not also as being after its end; two valid dates in the
// wrong order are reported as that.
func TestInvalidDateReportedOnce(t *testing.T) {
	for _, tc := range []struct{ date, end, want string }{
		{"2024-13-01", "2024-10-23", `summits.yaml:3:11: meetings[0].date "2024-13-01" must be YYYY-MM-DD`},
		{"2024-10-22", "2024-10-32", `meetings[0].end "2024-10-32" must be YYYY-MM-DD`},
		{"2024-10-22", "2024-10-21", `meetings[0].end 2024-10-21 is before its date 2024-10-22`},
	} {
		timeline := strings.Replace(goodTimeline, "date: 2024-10-22\n", "date: "+tc.date+"\n    end: "+tc.end+"\n", 1)
		_, err := Load(testFolder(map[string]string{"summits.yaml": timeline}), Options{Now: testNow})
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("date %s, end %s: Load error = %v, want a *ValidationError", tc.date, tc.end, err)
		}
		if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].String(), tc.want) {
			t.Errorf("date %s, end %s: problems = %v, want only %q", tc.date, tc.end, ve.Problems, tc.want)
		}
	}
}
