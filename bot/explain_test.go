package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestExplainGolden: Explain's record of how the embedded knowledge base
// ranks a few questions, as `ask --explain --json` and kb eval's misses
// show it, is testdata/explain.golden. A change to the knowledge base, the
// signals or the fit changes it: look at the difference, then run
// `go test ./bot -run ExplainGolden -update`.
func TestExplainGolden(t *testing.T) {
	b := embeddedBot(t)
	cases := []struct {
		q string
		n int
	}{
		{"What is the Power of Siberia pipeline?", 3},
		{"pwer of sibera", 2},
		{"Сила Сибири", 1},
		{"a recipe for russian borscht", 2},
		// The timeline answers: the candidates are what the ranking thought.
		{"Lasagne recipe with ricotta and basil. How many times have they met?", 1},
		// One sentence is answered on its own, and explained as the whole is.
		{"Glonass? My grandmother's cookbook has lasagne, dumplings and shortbread.", 2},
		{"Lasagne recipe with ricotta and basil. What is the SCO?", 3},
		// Terms only.
		{"What is the Power of Siberia pipeline?", 0},
		{"the of and", 2},
	}
	// One line of JSON a question: a change shows as the questions it
	// changes.
	var out []byte
	for _, c := range cases {
		line, err := json.Marshal(b.Explain(c.q, c.n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, line...), '\n')
	}
	path := filepath.Join("testdata", "explain.golden")
	if *update {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("Explain differs from %s (if meant, run go test ./bot -run ExplainGolden -update):\n%s", path, firstDiff(out, want))
	}
}

// firstDiff shows where got and want first differ: the line, and the
// text about the first byte that differs.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range max(len(g), len(w)) {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if bytes.Equal(gl, wl) {
			continue
		}
		at := 0
		for at < len(gl) && at < len(wl) && gl[at] == wl[at] {
			at++
		}
		around := func(l []byte) string { return string(l[max(0, at-100):min(len(l), at+100)]) }
		return "line " + strconv.Itoa(i+1) + ", byte " + strconv.Itoa(at+1) + ":\n got: …" + around(gl) + "…\nwant: …" + around(wl) + "…"
	}
	return ""
}

// TestExplainSentenceAsAlone: the candidates of the sentence a question of
// several is answered by are explained as that sentence asked alone is:
// from the ranking that chose it, with every match recorded.
func TestExplainSentenceAsAlone(t *testing.T) {
	b := embeddedBot(t)
	for _, q := range []string{
		"Glonass? My grandmother's cookbook has lasagne, dumplings and shortbread.",
		"Lasagne recipe with ricotta and basil. What is the SCO?",
		"My cat knocked over the aquarium; who founded the SCO?",
	} {
		ex := b.Explain(q, 3)
		if ex.Sentence == "" || len(ex.SentenceCandidates) == 0 {
			t.Errorf("%.50q: no sentence explained (%q)", q, ex.Sentence)
			continue
		}
		alone := b.Explain(ex.Sentence, 3)
		if !reflect.DeepEqual(ex.SentenceCandidates, alone.Candidates) {
			t.Errorf("%.50q: sentence %q explained as\n%+v\nalone as\n%+v", q, ex.Sentence, ex.SentenceCandidates, alone.Candidates)
		}
		if len(ex.SentenceCandidates[0].Matches) == 0 {
			t.Errorf("%.50q: the sentence's first candidate has no matches", q)
		}
	}
}
