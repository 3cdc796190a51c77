package bot

import (
	"fmt"
	"slices"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

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
		// The Soviet Union's term inside another word is Russia's side.
		{"the us-soviet detente seen from beijing", 1},
		{"ussr aid to mao", 0.5},
		{"is the kremlin worried about chinese migrants", 1},
		{"what is moscow like in winter", 0.5},
		{"how to make chinese dumplings", 0.5},
		{"why did xi bow to a statue", 0.5},
		{"how do i knot a necktie", 0},
		{"what is the sco", 0},
		// Run together, a pair word is one term of the index's own.
		{"sinorussian trade in 2020", 1},
		{"chinarussia summit dates", 1},
		{"the sinosoviet treaty", 1},
		{"russo-chinese border", 1},
		{"sino-indian border", 0.5},
		// "Russo-" is Russia as "Sino-" is China: the other pair names one side.
		{"the russo-japanese war", 0.5},
		// The topics' nouns for the two sides, and their WordNet synonyms.
		{"when did the two governments sign the treaty", 1},
		{"do both leaders speak english", 1},
		{"trade between these two nations", 1},
		{"both teams scored twice", 0},
		{"the two companies merged", 0},
	} {
		if got := idx.sides(idx.resolve(words(tc.q))); got != tc.want {
			t.Errorf("sides(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestPairTerms: the terms that name both sides are derived from the
// index's side terms, never listed.
func TestPairTerms(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	st := &idx.sideTerms
	pairs := func(id int32) bool { return st.sidesOf(id) == bothSides }
	nouns := func(id int32) bool { return st.nouns[id] }
	for _, tc := range []struct {
		in   func(int32) bool
		term string
		want bool
	}{
		{pairs, "sinorussian", true},
		{pairs, "chinarussia", true},
		{pairs, "sinosoviet", true},
		{pairs, "china", false},
		{nouns, "countri", true},
		{nouns, "leader", true},
		{nouns, "compani", false},
		{nouns, "russia", false},
	} {
		id, ok := idx.vocab[tc.term]
		if !ok {
			t.Fatalf("%q is not an index term", tc.term)
		}
		if got := tc.in(id); got != tc.want {
			t.Errorf("%q names both sides: %v, want %v", tc.term, got, tc.want)
		}
	}
}

// TestTwoCountries: "the two countries" stands for the two sides in the
// ranking too, as a synonym, in slots of their own.
func TestTwoCountries(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"how do the two countries trade", true},
		{"are both governments worried", true},
		{"two countries", true},
		{"how do the countries trade", false},
		{"two people met", false},
	} {
		var got [2]bool
		for _, qt := range idx.resolve(words(tc.q)) {
			for k, id := range idx.sideTerms.ids {
				if qt.id == id && qt.how == MatchSynonym && qt.via == "the two sides" {
					got[k] = true
				}
			}
		}
		if got != [2]bool{tc.want, tc.want} {
			t.Errorf("%q: sides as synonyms %v, want both %v", tc.q, got, tc.want)
		}
	}
}

// A term made of both sides' names weighs no more than naming a side: rare
// as a word, it still says only what every topic is about.
func TestPairTermsWeighLikeASide(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	side := max(idx.idf[idx.sideTerms.ids[0]], idx.idf[idx.sideTerms.ids[1]])
	for _, w := range []string{"sinorussian", "russiachina", "sinosoviet"} {
		id, ok := idx.vocab[w]
		if !ok || idx.sideTerms.sidesOf(id) != bothSides {
			t.Errorf("%q is not a pair term of the embedded index", w)
			continue
		}
		if idx.idf[id] > side {
			t.Errorf("idf(%s) = %.2f, more than the sides' %.2f", w, idx.idf[id], side)
		}
	}
	// So in the copies the fit asks its held-out questions of, which
	// recompute the idf of the terms those questions touch.
	patched, _ := holdOutEven(t, idx.kb, idx, func(int) bool { return true })
	pside := max(patched.idf[patched.sideTerms.ids[0]], patched.idf[patched.sideTerms.ids[1]])
	for id, s := range patched.sideTerms.byTerm {
		if s == bothSides && patched.idf[id] > pside {
			t.Errorf("with questions held out, idf(%s) = %.2f, more than the sides' %.2f", patched.termName(int32(id)), patched.idf[id], pside)
		}
	}
	st := sideTerms{ids: [2]int32{0, 1}, byTerm: []sideSet{1, 2, bothSides, 0}}
	idf := []float64{0.7, 0.8, 4.7, 3.1}
	st.capPairs(idf)
	if want := []float64{0.7, 0.8, 0.8, 3.1}; !slices.Equal(idf, want) {
		t.Errorf("capPairs: idf = %v, want %v", idf, want)
	}
}

// TestPairDeterminer: one rule says which words before a noun make it name
// both sides, for the topics' nouns (pairNouns) and a question's
// (namesPair). They differ in one place, on purpose: a question may say
// "two countries" with no "the", and a topic's bare "two" counts things.
func TestPairDeterminer(t *testing.T) {
	for _, tc := range []struct {
		text         string
		i            int
		topic, asked bool // without and with a bare "two"
	}{
		{"both governments", 1, true, true},
		{"are both leaders here", 2, true, true},
		{"the two countries", 2, true, true},
		{"these two countries", 2, false, true},
		{"two countries", 1, false, true},
		{"the two", 1, false, false}, // "two" itself follows "the", no pair word
		{"the countries", 1, false, false},
		{"the three countries", 2, false, false},
		{"both", 0, false, false},
		{"countries both", 1, false, false},
	} {
		ws := words(tc.text)
		if got := pairDeterminer(ws, tc.i, false); got != tc.topic {
			t.Errorf("pairDeterminer(%q, %d, topic) = %v, want %v", tc.text, tc.i, got, tc.topic)
		}
		if got := pairDeterminer(ws, tc.i, true); got != tc.asked {
			t.Errorf("pairDeterminer(%q, %d, question) = %v, want %v", tc.text, tc.i, got, tc.asked)
		}
	}
}

// TestPairNounsAndQuestions: on a knowledge base of its own, the topics'
// "the two pandas" makes panda a noun for the sides and their bare "two
// regiments" does not; a question's "two pandas" names both sides, its
// "the two regiments" neither.
func TestPairNounsAndQuestions(t *testing.T) {
	kb := &knowledge.KB{}
	for i := range 4 {
		body := "China and Russia met."
		if i < minPairTopics {
			body += " The two pandas ate. Two regiments marched."
		}
		kb.Topics = append(kb.Topics, &knowledge.Topic{ID: fmt.Sprint("t", i), Title: fmt.Sprint("China Russia ", i), Answer: body})
	}
	idx := buildIndex(kb)
	if got := [2]string{idx.termName(idx.sideTerms.ids[0]), idx.termName(idx.sideTerms.ids[1])}; got != [2]string{"china", "russia"} && got != [2]string{"russia", "china"} {
		t.Fatalf("the two sides are %v, want china and russia", got)
	}
	for _, tc := range []struct {
		term string
		want bool
	}{
		{"panda", true},
		{"regiment", false},
	} {
		if got := idx.sideTerms.nouns[idx.vocab[stem(tc.term)]]; got != tc.want {
			t.Errorf("%q is a noun for the sides: %v, want %v", tc.term, got, tc.want)
		}
	}
	for _, tc := range []struct {
		q    string
		i    int
		want bool
	}{
		{"the two pandas", 2, true},
		{"two pandas", 1, true},
		{"both pandas", 1, true},
		{"pandas", 0, false},
		{"the two regiments", 2, false},
	} {
		if got := idx.namesPair(words(tc.q), tc.i); got != tc.want {
			t.Errorf("namesPair(%q, %d) = %v, want %v", tc.q, tc.i, got, tc.want)
		}
	}
}

// TestPhraseNamesOther: a phrase's terms that the question has name
// something besides the question's years only with a term that is no side
// of the relationship: not a side's own term, the Soviet Union's or one
// made of both sides' names.
func TestPhraseNamesOther(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	for _, tc := range []struct {
		q, phrase string
		want      bool
	}{
		{"china russia 2019", "china russia 2019", false},
		{"moscow 2019", "russia 2019", false},
		{"soviet china 1950", "soviet 1950", false},
		{"sinorussian 2001", "sinorussian 2001", false},
		{"china treaty 1950", "treaty 1950", true},
		{"sinosoviet treaty 1950", "sinosoviet treaty 1950", true},
	} {
		ws := words(tc.q)
		q := idx.newQuery(ws, idx.resolve(ws))
		var terms []int32
		for _, w := range words(tc.phrase) {
			for _, s := range idx.wordTerms(w) {
				id, ok := idx.known(s)
				if !ok {
					t.Fatalf("%q: %q is not an index term", tc.phrase, s)
				}
				terms = append(terms, id)
			}
		}
		if _, _, _, got := q.phraseMatch(terms, true); got != tc.want {
			t.Errorf("%q in %q names another word: %v, want %v", tc.phrase, tc.q, got, tc.want)
		}
		if _, _, _, got := q.phraseMatch(terms, false); got {
			t.Errorf("%q in %q: named without checkNamed", tc.phrase, tc.q)
		}
	}
}

// TestSidesOf: the one reading of which sides a term names, on side terms
// of its own (China's the second, Russia's the first, in an index of 12
// terms) and on the embedded index.
func TestSidesOf(t *testing.T) {
	st := newSideTerms(12, [2]int32{5, 7}, 1, 0, 9)
	st.setPairs(map[int32]bool{11: true})
	noRussia := newSideTerms(12, [2]int32{5, 7}, -1, -1, 9)
	sovietFirst := newSideTerms(12, [2]int32{5, 7}, 1, 0, 7) // the Soviet term is a side's own
	none := newSideTerms(0, [2]int32{-1, -1}, -1, -1, -1)
	for _, tc := range []struct {
		name string
		st   sideTerms
		id   int32
		want sideSet
	}{
		{"the first side's term", st, 5, 0b01},
		{"the second side's term", st, 7, 0b10},
		{"the Soviet Union's is Russia's", st, 9, 0b01},
		{"a pair term names both", st, 11, bothSides},
		{"another term", st, 3, 0},
		{"no term", st, -1, 0},
		{"a term past the index's", st, 12, 0},
		{"the Soviet Union's, no side Russia's", noRussia, 9, 0},
		{"the Soviet Union's, a side's own", sovietFirst, 7, 0b10},
		{"too few terms for sides", none, -1, 0},
		{"no terms", none, 0, 0},
	} {
		if got := tc.st.sidesOf(tc.id); got != tc.want {
			t.Errorf("%s: sidesOf(%d) = %02b, want %02b", tc.name, tc.id, got, tc.want)
		}
	}
	for _, tc := range []struct {
		s    sideSet
		want float64
	}{{0, 0}, {oneSide(0), 0.5}, {oneSide(1), 0.5}, {oneSide(-1), 0}, {bothSides, 1}} {
		if got := tc.s.share(); got != tc.want {
			t.Errorf("%02b.share() = %v, want %v", tc.s, got, tc.want)
		}
	}

	idx := embeddedBot(t).idx.Load()
	is := &idx.sideTerms
	if len(is.byTerm) != len(idx.postings) {
		t.Fatalf("byTerm holds %d terms, the index %d", len(is.byTerm), len(idx.postings))
	}
	one, both := 0, 0
	for id := range is.byTerm {
		switch is.sidesOf(int32(id)) {
		case 0:
		case bothSides:
			both++
		default:
			one++
		}
	}
	if one != 3 { // the two sides, the Soviet Union
		t.Errorf("%d terms name one side, want 3", one)
	}
	if want := len(pairTerms(idx, *is)); both != want || want == 0 {
		t.Errorf("%d terms name both sides, want the %d pair terms", both, want)
	}
	china, russia := oneSide(is.china), oneSide(is.russia)
	if china|russia != bothSides {
		t.Fatalf("china's side %02b and russia's %02b are not the two", china, russia)
	}
	for _, tc := range []struct {
		term string
		want sideSet
	}{
		{"china", china},
		{"russia", russia},
		{"soviet", russia},
		{"sinorussian", bothSides},
		{"sinosoviet", bothSides},
		{"countries", 0},
		{"treaty", 0},
	} {
		id, ok := idx.vocab[stem(tc.term)]
		if !ok {
			t.Fatalf("%q is not an index term", tc.term)
		}
		if got := is.sidesOf(id); got != tc.want {
			t.Errorf("sidesOf(%s) = %02b, want %02b", tc.term, got, tc.want)
		}
	}
}
