package wngen

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseData(t *testing.T) {
	tests := []struct {
		line    string
		members []string
		ptrs    []rawPtr
		err     string
	}{
		{"08982587 15 n 03 Poland 0 Republic_of_Poland 0 Polska 0 002 @i 08696931 n 0000 #p 09275473 n 0000 | a republic in central Europe",
			[]string{"poland", "republic of poland", "polska"},
			[]rawPtr{{"@i", Noun, 8696931, 0, 0}, {"#p", Noun, 9275473, 0, 0}}, ""},
		{"00019731 00 s 02 handy 0 ready_to_hand(p) 0 001 & 00019131 a 0000 | easy to reach",
			[]string{"handy", "ready to hand"}, []rawPtr{{"&", Adj, 19131, 0, 0}}, ""},
		{"00000001 00 n 02 AA 0 aa 0 001 + 00000002 v 0201 | case-folded duplicates share a word number",
			[]string{"aa"}, []rawPtr{{"+", Verb, 2, 1, 1}}, ""},
		{"00000001 00 n 01 x 0 001 + 00000002 r 0101 | adverbs fall outside",
			[]string{"x"}, []rawPtr{{"+", numPOS, 2, 1, 1}}, ""},
		{"00000001 00 n", nil, nil, "short synset line"},
		{"0000000x 00 n 01 x 0 000 |", nil, nil, "bad offset"},
		{"00000001 00 n zz x 0 000 |", nil, nil, "bad word count"},
		{"00000001 00 n 03 x 0 000 |", nil, nil, "truncated word list"},
		{"00000001 00 n 01 x 0 002 @ 00000002 n 0000 |", nil, nil, "truncated pointer list"},
		{"00000001 00 n 01 x 0 001 @ 00000002 n 00 |", nil, nil, "bad source/target"},
		{"00000001 00 n 01 x 0 001 + 00000002 n 0501 |", nil, nil, "pointer from word 5 of 1"},
	}
	for _, tt := range tests {
		s, ptrs, err := parseData(Noun, tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseData(%q) error = %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseData(%q): %v", tt.line, err)
			continue
		}
		if !slices.Equal(s.members, tt.members) || !slices.Equal(ptrs, tt.ptrs) {
			t.Errorf("parseData(%q) = %q %v, want %q %v", tt.line, s.members, ptrs, tt.members, tt.ptrs)
		}
	}
}

func TestParseIndex(t *testing.T) {
	lemma, offs, err := parseIndex("sanction n 4 3 @ ~ + 4 2 06687358 01124246 05176607 01139000  ")
	if err != nil || lemma != "sanction" || !slices.Equal(offs, []int{6687358, 1124246, 5176607, 1139000}) {
		t.Errorf("parseIndex = %q %v %v", lemma, offs, err)
	}
	for _, bad := range []string{"x n", "x n q 0 1 0 1", "x n 1 0 1 0 0000000x"} {
		if _, _, err := parseIndex(bad); err == nil {
			t.Errorf("parseIndex(%q) accepted", bad)
		}
	}
}

func TestBuild(t *testing.T) {
	a, err := Build("testdata/mini")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build("testdata/mini")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same input differ")
	}
	if !bytes.HasPrefix(a, []byte(Magic)) {
		t.Fatal("no magic")
	}
	for _, w := range []string{"european continent", "republic of poland", "polish", "mediate"} {
		if !bytes.Contains(a, []byte(w[len(w)/2:])) {
			t.Errorf("the table does not hold %q", w)
		}
	}
	table, _, uses, err := build("testdata/mini")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(table, []byte("wolf")) {
		t.Error("noun.animal is not left out of the expansion table")
	}
	if !bytes.HasPrefix(a, table) || bytes.Equal(a, table) {
		t.Error("the usage profiles do not follow the expansion table")
	}
	// The profiles keep every file, noun.animal too, with the counts of
	// cntlist.rev; a count for a file or word with no sense is left out.
	want := map[string]map[int]use{
		"wolf":               {5: {1, 1}},
		"europe":             {15: {1, 3}},
		"poland":             {15: {1, 7}},
		"polska":             {15: {1, 0}},
		"mediate":            {41: {1, 1}},
		"polish":             {2: {1, 0}},
		"entity":             {3: {1, 0}},
		"closely":            {2: {2, 19}},
		"european continent": nil, // more than one word
		"closelyish":         nil, // counted, but no sense
	}
	for w, files := range want {
		if len(uses[w]) != len(files) {
			t.Errorf("%q: files %v, want %v", w, uses[w], files)
			continue
		}
		for f, x := range files {
			if got := uses[w][f]; got == nil || *got != x {
				t.Errorf("%q file %d: %v, want %v", w, f, got, x)
			}
		}
	}
}

func TestParseCount(t *testing.T) {
	lemma, file, tags, err := parseCount("full-fledged%5:00:00:mature:01 1 2")
	if err != nil || lemma != "full-fledged" || file != 0 || tags != 2 {
		t.Errorf("parseCount = %q %d %d %v", lemma, file, tags, err)
	}
	if lemma, file, _, _ := parseCount("Kremlin%1:15:00:: 1 3"); lemma != "kremlin" || file != 15 {
		t.Errorf("parseCount of a capitalised key = %q %d", lemma, file)
	}
	for _, bad := range []string{"", "x%1:15:00:: 1", "x1:15:00:: 1 2", "%1:15:00:: 1 2", "x%1:15 1 2", "x%1:99:00:: 1 2", "x%1:15:00:: 1 -2", "x%1:q:00:: 1 2"} {
		if _, _, _, err := parseCount(bad); err == nil {
			t.Errorf("parseCount(%q) accepted", bad)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(t.TempDir()); err == nil {
		t.Error("Build of an empty folder succeeded")
	}
	dir := t.TempDir()
	for _, name := range []string{"data.noun", "index.noun", "data.verb", "index.verb", "data.adj", "index.adj", "noun.exc", "verb.exc", "adj.exc", "data.adv", "index.adv", "cntlist.rev"} {
		b, err := os.ReadFile(filepath.Join("testdata/mini", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "index.noun" {
			b = append(b, "ghost n 1 0 1 0 00000999  \n"...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Build(dir)
	if err != nil {
		t.Fatalf("a sense in a missing synset is skipped, got %v", err)
	}
	for _, name := range []string{"data.adv", "index.adv", "cntlist.rev"} {
		saved, _ := os.ReadFile(filepath.Join(dir, name))
		os.Remove(filepath.Join(dir, name))
		if _, err := Build(dir); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Build without %s = %v, want an error naming it", name, err)
		}
		os.WriteFile(filepath.Join(dir, name), append(saved, "bad line\n"...), 0o644)
		if _, err := Build(dir); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Build with a bad line in %s = %v, want an error naming it", name, err)
		}
		os.WriteFile(filepath.Join(dir, name), saved, 0o644)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "data.noun"))
	os.WriteFile(filepath.Join(dir, "data.noun"), append(b, "00000999 15 n zz\n"...), 0o644)
	if _, err := Build(dir); err == nil || !strings.Contains(err.Error(), "data.noun:7:") {
		t.Errorf("Build with a bad synset line = %v, want it located at data.noun:7", err)
	}
}

func FuzzParseData(f *testing.F) {
	f.Add("08982587 15 n 03 Poland 0 Republic_of_Poland 0 Polska 0 002 @i 08696931 n 0000 #p 09275473 n 0000 | a republic")
	f.Add("00000001 00 n 01 x 0 001 + 00000002 n 0501 |")
	f.Fuzz(func(t *testing.T, line string) {
		s, ptrs, err := parseData(Noun, line)
		if err != nil {
			return
		}
		for _, p := range ptrs {
			if int(p.src) > len(s.members) {
				t.Fatalf("pointer from word %d of %d", p.src, len(s.members))
			}
		}
	})
}
