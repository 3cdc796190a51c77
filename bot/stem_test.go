package bot

import "testing"

// TestStemSpellings: British and American spellings stem alike, and words
// Snowball would stem onto an unrelated word do not.
func TestStemSpellings(t *testing.T) {
	for _, p := range [][2]string{
		{"organization", "organisation"},
		{"organizations", "organisations"},
		{"normalize", "normalise"},
		{"normalized", "normalised"},
		{"normalization", "normalisation"},
		{"militarizing", "militarising"},
		{"organizational", "organisational"},
		{"organizers", "organisers"},
		{"important", "importance"},
	} {
		if a, b := stem(p[0]), stem(p[1]); a != b {
			t.Errorf("stem(%q) = %q, stem(%q) = %q; want them alike", p[0], a, p[1], b)
		}
	}
	for _, p := range [][2]string{
		{"important", "imports"},
		{"relatively", "relations"},
		{"prize", "prise"},
	} {
		if a, b := stem(p[0]), stem(p[1]); a == b {
			t.Errorf("stem(%q) = stem(%q) = %q; want them apart", p[0], p[1], a)
		}
	}
}
