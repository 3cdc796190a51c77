package lexicon

import (
	"slices"
	"testing"
)

func TestUsages(t *testing.T) {
	tests := []struct {
		word     string
		files    []string // each must be among the word's files
		not      []string // files it must not have
		minTags  int      // at least this many tagged occurrences over all files
		maxTags  int      // at most this many (-1: no bound)
		wantNone bool
	}{
		{word: "dumpling", files: []string{"noun.food"}, maxTags: 0},
		{word: "dumplings", files: []string{"noun.food"}, maxTags: 0},
		{word: "chances", files: []string{"noun.state", "verb.social"}, not: []string{"noun.food"}, minTags: 50, maxTags: -1},
		{word: "blossomed", files: []string{"verb.change"}, not: []string{"noun.plant"}, maxTags: -1},
		{word: "geese", files: []string{"noun.animal"}, maxTags: -1},
		{word: "news", files: []string{"noun.communication"}, not: []string{"adj.all"}, maxTags: -1}, // not the plural of "new"
		{word: "closely", files: []string{"adv.all"}, minTags: 1, maxTags: -1},
		{word: "Winter", files: []string{"noun.time"}, minTags: 10, maxTags: -1},
		{word: "zxqvw", wantNone: true},
		{word: "", wantNone: true},
		{word: "mutual defence", wantNone: true}, // one word at a time
	}
	for _, tt := range tests {
		got := Usages(tt.word, nil)
		if tt.wantNone {
			if len(got) != 0 {
				t.Errorf("Usages(%q) = %v, want nothing", tt.word, got)
			}
			continue
		}
		tags := 0
		var files []string
		for _, u := range got {
			tags += u.Tags
			files = append(files, u.File.String())
			if u.Senses < 1 {
				t.Errorf("Usages(%q): %s with %d senses", tt.word, u.File, u.Senses)
			}
		}
		for _, f := range tt.files {
			if !slices.Contains(files, f) {
				t.Errorf("Usages(%q) = %v, want %s", tt.word, got, f)
			}
		}
		for _, f := range tt.not {
			if slices.Contains(files, f) {
				t.Errorf("Usages(%q) = %v, must not have %s", tt.word, got, f)
			}
		}
		if tags < tt.minTags || tt.maxTags >= 0 && tags > tt.maxTags {
			t.Errorf("Usages(%q): %d tags, want %d to %d", tt.word, tags, tt.minTags, tt.maxTags)
		}
	}
}

func TestUsagesAppends(t *testing.T) {
	prefix := []Usage{{File: 99}}
	got := Usages("treaty", prefix[:1:1])
	if len(got) < 2 || got[0].File != 99 {
		t.Errorf("Usages does not append to out: %v", got)
	}
}

func TestFileTotals(t *testing.T) {
	var tot [NumFiles]Usage
	tab := data()
	for f := range tot {
		tot[f].File = File(f)
	}
	for k, f := range tab.use.files {
		tot[f].Senses += int(tab.use.senses[k])
		tot[f].Tags += int(tab.use.tags[k])
	}
	sum := 0
	for f, u := range tot {
		if int(u.File) != f {
			t.Fatalf("totals[%d] is for %s", f, u.File)
		}
		sum += u.Tags
	}
	// SemCor tags some 200,000 words; the one-word lemmas hold most of them.
	if sum < 100000 || tot[13].Tags >= tot[10].Tags {
		t.Errorf("totals: %d tags in all, noun.food %d, noun.communication %d", sum, tot[13].Tags, tot[10].Tags)
	}
	if File(13).String() != "noun.food" || File(44).String() != "adj.ppl" || File(45).String() != "file(45)" {
		t.Errorf("file names: %s %s %s", File(13), File(44), File(45))
	}
}

func BenchmarkUsages(b *testing.B) {
	data()
	var buf [16]Usage
	for b.Loop() {
		for _, w := range []string{"dumplings", "chances", "obstacles", "zxqvw"} {
			Usages(w, buf[:0])
		}
	}
}
