package bot

import "testing"

// TestCompoundSplit: a word the index does not know is read as two of its
// words run together only when it is no English word of its own; English
// words go on to WordNet ("provisional" is no "pro" and "vision").
func TestCompoundSplit(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, tc := range []struct {
		w     string
		split bool
	}{
		{"gaspipeline", true},
		{"militaryexercises", true},
		{"provisional", false},
		{"necktie", false},
		{"ranking", false},
		{"everyone", false}, // a stop word now, like anyone
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
