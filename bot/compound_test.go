package bot

import (
	"strings"
	"testing"
)

// TestCompoundSplit: a word the index does not know is read as two of its
// words run together; an English word only into two words the knowledge
// base writes as they are ("gas" "fields", "air" "force"), not into stems
// ("provisional" is no "pro" and "vision", "ranking" no "ran" and "king").
func TestCompoundSplit(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, tc := range []struct {
		w     string
		split bool
	}{
		{"gaspipeline", true},
		{"militaryexercises", true},
		{"gasfields", true},
		{"airforce", true},
		{"peacekeeping", true},
		{"provisional", false},
		{"ranking", false},
		{"properly", false},
		{"everyone", false}, // a stop word now, like anyone
		{"everybody", false},
	} {
		got := false
		for _, q := range idx.resolve(words(tc.w)) {
			got = got || q.how == MatchCompound
		}
		if got != tc.split {
			t.Errorf("%q read as two words run together: %v, want %v", tc.w, got, tc.split)
		}
	}
}

// TestHyphenatedParts: a hyphenated word the index does not have whole is
// read as its parts, each a word of its own (so no unknown term stands for
// the whole), while one it has whole ("sino-soviet") keeps that term and
// a name with digits ("s-400") keeps its reading.
func TestHyphenatedParts(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, tc := range []struct {
		w       string
		whole   bool // the joined form is among the terms
		unknown int  // how many unknown terms
	}{
		{"full-fledged", false, 0},
		{"military-political", false, 0},
		{"fast-changing", false, 0},
		{"sino-soviet", true, 0},
		{"s-400", true, 0},
		{"qqqx-zzzv", false, 2},
		{"сибири-2", false, 0}, // Russian too: сибири and 2
		{"сибири-qqqx", false, 1},
	} {
		whole, unknown := false, 0
		joined := stem(strings.ReplaceAll(tc.w, "-", ""))
		for _, q := range idx.resolve(words(tc.w)) {
			if q.id < 0 {
				unknown++
				if q.word == joined {
					whole = true
				}
			} else if id, ok := idx.known(joined); ok && q.id == id {
				whole = true
			}
		}
		if whole != tc.whole || unknown != tc.unknown {
			t.Errorf("%q: whole form read %v, %d unknown terms; want %v, %d", tc.w, whole, unknown, tc.whole, tc.unknown)
		}
	}
}
