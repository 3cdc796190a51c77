package bot

import "testing"

func TestSides(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	if got := [2]string{idx.termName(idx.sideTerms.ids[0]), idx.termName(idx.sideTerms.ids[1])}; got != [2]string{"china", "russia"} && got != [2]string{"russia", "china"} {
		t.Fatalf("the two sides are %v, want china and russia", got)
	}
	for _, tc := range []struct {
		q    string
		want float64
	}{
		{"how deep does the bond between moscow and beijing run", 1},
		{"what do xi and putin want from each other", 1},
		{"sino-russian relations in the 1960s", 1},
		{"when did the soviet union and china fall out", 1},
		{"ussr aid to mao", 0.5},
		{"is the kremlin worried about chinese migrants", 1},
		{"what is moscow like in winter", 0.5},
		{"how to make chinese dumplings", 0.5},
		{"why did xi bow to a statue", 0.5},
		{"how do i knot a necktie", 0},
		{"what is the sco", 0},
	} {
		if got := idx.sides(idx.resolve(words(tc.q))); got != tc.want {
			t.Errorf("sides(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}
