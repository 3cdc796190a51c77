package knowledge

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const goodSynonyms = `# groups: equivalent terms, any script. broader: one-way, narrow → broad
groups:
  - [gas pipeline, gas line, газопровод]
  - [trade, commerce]
broader:
  - narrow: [the kremlin, kremlin]
    broad: russian gas
  - narrow: beijing
    broad: China
`

func TestSynonymsGood(t *testing.T) {
	kb, err := Load(testFolder(map[string]string{SynonymsFile: goodSynonyms}), Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Synonyms{
		Groups: []SynonymGroup{
			{Terms: []string{"gas pipeline", "gas line", "газопровод"}, Line: 3},
			{Terms: []string{"trade", "commerce"}, Line: 4},
		},
		Broader: []BroaderTerm{
			{Narrow: []string{"the kremlin", "kremlin"}, Broad: "russian gas", Line: 6},
			{Narrow: []string{"beijing"}, Broad: "China", Line: 8},
		},
	}
	got := kb.Synonyms
	if !slices.EqualFunc(got.Groups, want.Groups, func(a, b SynonymGroup) bool { return slices.Equal(a.Terms, b.Terms) && a.Line == b.Line }) {
		t.Errorf("groups = %+v, want %+v", got.Groups, want.Groups)
	}
	if !slices.EqualFunc(got.Broader, want.Broader, func(a, b BroaderTerm) bool {
		return slices.Equal(a.Narrow, b.Narrow) && a.Broad == b.Broad && a.Line == b.Line
	}) {
		t.Errorf("broader = %+v, want %+v", got.Broader, want.Broader)
	}
}

func TestSynonymsOptional(t *testing.T) {
	kb, err := Load(testFolder(nil), Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(kb.Synonyms.Groups)+len(kb.Synonyms.Broader) != 0 {
		t.Errorf("synonyms without a file = %+v", kb.Synonyms)
	}
	for _, empty := range []string{"# nothing yet\n", "groups: []\nbroader: []\n"} {
		if _, err := Load(testFolder(map[string]string{SynonymsFile: empty}), Options{Now: testNow}); err != nil {
			t.Errorf("Load with synonyms.yaml %q: %v", empty, err)
		}
	}
}

func TestSynonymsProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of problem lines, in order
	}{
		{"yaml syntax", "groups: [[a, b]\n", []string{"synonyms.yaml:1:"}},
		{"unknown field", "synonym: []\n", []string{`synonyms.yaml:1:1: unknown field "synonym"`}},
		{"group of one", "groups:\n  - [trade]\n", []string{"synonyms.yaml:2:5: groups[0] needs at least two terms"}},
		{"empty term", "groups:\n  - [trade, '', commerce]\n", []string{"synonyms.yaml:2:"}},
		{"not a list", "groups:\n  - trade\n", []string{"synonyms.yaml:2:5: groups[0] must be a list"}},
		{"twice in a group", "groups:\n  - [trade, commerce, Trade]\n", []string{`synonyms.yaml:2:23: groups[0] lists "Trade" twice`}},
		{"in two groups", "groups:\n  - [trade, commerce]\n  - [gas, commerce]\n",
			[]string{`synonyms.yaml:3:11: groups[1]: "commerce" is already in the group on line 2`}},
		{"unknown group", "groups:\n  - [borscht, beetroot soup]\n",
			[]string{"synonyms.yaml:2:5: groups[0]: none of its terms appears in any topic (unknown term)"}},
		{"unknown broad term", "broader:\n  - narrow: [kremlin]\n    broad: borscht\n",
			[]string{`synonyms.yaml:3:12: broader[0].broad: "borscht" appears in no topic (unknown term)`}},
		{"group swallows aliases of two topics", "groups:\n  - [power of siberia, trade volume, pipeline]\n",
			[]string{`synonyms.yaml:2:`}},
		{"cycle", "broader:\n  - narrow: [gas]\n    broad: pipeline\n  - narrow: [pipeline]\n    broad: gas\n",
			[]string{"synonyms.yaml:4:14: broader terms form a cycle: gas → pipeline → gas"}},
		{"cycle through a group", "groups:\n  - [gas, natural gas]\nbroader:\n  - narrow: [natural gas]\n    broad: pipeline\n  - narrow: [pipeline]\n    broad: gas\n",
			[]string{"synonyms.yaml:6:14: broader terms form a cycle"}},
		{"narrow is its own broad", "broader:\n  - narrow: [Gas]\n    broad: gas\n", []string{`synonyms.yaml:2:14: broader[0]: "Gas" is the broad term itself`}},
		{"duplicate link", "broader:\n  - narrow: [kremlin]\n    broad: trade\n  - narrow: [kremlin]\n    broad: trade\n",
			[]string{`synonyms.yaml:4:14: broader[1]: "kremlin" → "trade" is listed twice`}},
		{"no broad", "broader:\n  - narrow: [kremlin]\n", []string{"synonyms.yaml:2:5: broader[0] has no broad term"}},
		{"no narrow", "broader:\n  - broad: trade\n", []string{"synonyms.yaml:2:5: broader[0] has no narrow terms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{SynonymsFile: tt.src}
			if strings.HasPrefix(tt.name, "group swallows") {
				// Give the trade topic an alias the group can swallow.
				files["topics/trade-volume.md"] = strings.Replace(tradeTopic, "questions:", "aliases: [trade volume]\nquestions:", 1)
			}
			_, err := Load(testFolder(files), Options{Now: testNow})
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load = %v, want a ValidationError", err)
			}
			var lines []string
			for _, p := range ve.Problems {
				lines = append(lines, p.String())
			}
			all := strings.Join(lines, "\n")
			at := 0
			for _, w := range tt.want {
				i := strings.Index(all[at:], w)
				if i < 0 {
					t.Fatalf("problems:\n%s\nwant (in order) %q", all, w)
				}
				at += i + len(w)
			}
			if tt.name == "group swallows aliases of two topics" && !strings.Contains(all, `an alias of topic "power-of-siberia"`) {
				t.Errorf("problems:\n%s\nwant the swallowed aliases named", all)
			}
		})
	}
}

func FuzzSynonyms(f *testing.F) {
	f.Add(goodSynonyms)
	f.Add("groups: [[a, b], [b, c]]\nbroader: [{narrow: a, broad: b}, {narrow: [b], broad: a}]\n")
	f.Add("broader:\n  - narrow: [[x]]\n    broad: {a: b}\n")
	f.Fuzz(func(t *testing.T, src string) {
		kb, err := Load(testFolder(map[string]string{SynonymsFile: src}), Options{Now: testNow})
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load = %v, want nil or a ValidationError", err)
			}
			return
		}
		for _, g := range kb.Synonyms.Groups {
			if len(g.Terms) < 2 || g.Line < 1 {
				t.Fatalf("bad group %+v", g)
			}
		}
		for _, b := range kb.Synonyms.Broader {
			if len(b.Narrow) == 0 || b.Broad == "" || b.Line < 1 {
				t.Fatalf("bad broader term %+v", b)
			}
		}
	})
}
