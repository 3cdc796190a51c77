package bot

import "testing"

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
