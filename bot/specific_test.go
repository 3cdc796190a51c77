package bot

import "testing"

// TestSpecificity: words that are the knowledge base's own are more
// specific than words it shares with everyday English, and the order holds
// whatever the constants.
func TestSpecificity(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	spec := func(w string) float64 {
		t.Helper()
		ts := idx.wordTerms(w)
		id, ok := idx.known(ts[0])
		if len(ts) != 1 || !ok {
			t.Fatalf("%q is not one known term", w)
		}
		return idx.specificity(id)
	}
	for _, tc := range []struct{ more, less string }{
		{"glonass", "phone"},
		{"pipeline", "people"},
		{"sanctions", "time"},
		{"alliance", "closer"},
		{"kremlin", "winter"},
		{"zhenbao", "robot"},
	} {
		if m, l := spec(tc.more), spec(tc.less); m <= l {
			t.Errorf("specificity(%s) = %.2f, not above specificity(%s) = %.2f", tc.more, m, tc.less, l)
		}
	}
}
