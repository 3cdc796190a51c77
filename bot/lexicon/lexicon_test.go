package lexicon

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

func knownSet(terms ...string) func(string) bool {
	set := map[string]bool{}
	for _, t := range terms {
		set[t] = true
	}
	return func(s string) bool { return set[s] }
}

// has reports whether exps holds term with relation rel.
func has(exps []Expansion, term string, rel Relation) bool {
	return slices.ContainsFunc(exps, func(e Expansion) bool { return e.Term == term && e.Rel == rel })
}

func TestExpandRelations(t *testing.T) {
	tests := []struct {
		name  string
		word  string
		known []string
		want  []Expansion // each must be present, with this relation
		not   []string    // terms that must not be present
	}{
		{"synonym", "treaty", []string{"pact", "accord"}, []Expansion{{"pact", Synonym, 1}, {"accord", Synonym, 1}}, nil},
		{"synonym, multiword", "ussr", []string{"soviet union"}, []Expansion{{"soviet union", Synonym, 1}}, nil},
		{"derivation", "mediate", []string{"mediation"}, []Expansion{{"mediation", Derivation, 1}}, nil},
		{"derivation from an inflected verb", "brokered", []string{"brokerage"}, []Expansion{{"brokerage", Derivation, 1}}, nil},
		{"pertainym counts as derivation", "Chinese", []string{"china"}, []Expansion{{"china", Derivation, 0}}, nil},
		{"hypernym", "missile", []string{"weapon"}, []Expansion{{"weapon", Hypernym, 0}}, nil},
		{"instance hypernym", "Poland", []string{"european country"}, []Expansion{{"european country", Hypernym, 1}}, nil},
		{"hyponym", "weapons", []string{"missile"}, []Expansion{{"missile", Hyponym, 1}}, nil},
		{"part holonym: Poland is in Europe", "Poland", []string{"europe", "asia"}, []Expansion{{"europe", Holonym, 1}}, []string{"asia"}},
		{"part holonym: Beijing is in China", "Beijing", []string{"china"}, []Expansion{{"china", Holonym, 1}}, nil},
		{"member holonym: Germany is in the EU", "germany", []string{"european union", "nato"}, []Expansion{{"european union", Holonym, 1}, {"nato", Holonym, 1}}, nil},
		{"the Kremlin is in Moscow", "the Kremlin", []string{"moscow"}, []Expansion{{"moscow", Holonym, 1}}, nil},
		{"Kremlin", "Kremlin", []string{"moscow"}, []Expansion{{"moscow", Holonym, 1}}, nil},
		{"irregular plural", "alumni", []string{"graduate"}, []Expansion{{"graduate", Synonym, 1}}, nil},
		{"only known terms", "treaty", []string{"pact"}, []Expansion{{"pact", Synonym, 1}}, []string{"accord", "written agreement"}},
		{"very general hypernyms are pruned", "alliance", []string{"abstraction", "group", "entity"}, nil, []string{"abstraction", "group", "entity"}},
		{"the word itself is never an expansion", "treaties", []string{"treaty", "treaties", "pact"}, []Expansion{{"pact", Synonym, 1}}, []string{"treaty", "treaties"}},
		{"unknown word", "zxqvw", []string{"treaty"}, nil, []string{"treaty"}},
		{"empty", "", []string{"treaty"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expand(tt.word, knownSet(tt.known...))
			for _, w := range tt.want {
				if !has(got, w.Term, w.Rel) {
					t.Errorf("Expand(%q) = %v, want %s as %s", tt.word, got, w.Term, w.Rel)
				}
				if w.Sense != 0 && !slices.Contains(got, w) {
					t.Errorf("Expand(%q) = %v, want %s through sense %d", tt.word, got, w.Term, w.Sense)
				}
			}
			for _, n := range tt.not {
				if slices.ContainsFunc(got, func(e Expansion) bool { return e.Term == n }) {
					t.Errorf("Expand(%q) = %v, must not hold %q", tt.word, got, n)
				}
			}
			if tt.want == nil && len(tt.not) == 0 && len(got) != 0 {
				t.Errorf("Expand(%q) = %v, want nothing", tt.word, got)
			}
			for _, e := range got {
				if !slices.Contains(tt.known, e.Term) {
					t.Errorf("Expand(%q) returned %q, which known rejects", tt.word, e.Term)
				}
			}
		})
	}
}

// A knowledge base that writes of penalties and their enforcement uses
// "sanction" in WordNet's sense of social control (sense 2 of the noun,
// beside punishment, penalty and enforcement), not in the sense of
// approval: "approve" must not come through even though the knowledge base
// also holds it.
func TestExpandRestrictsToTheKnowledgeBasesSense(t *testing.T) {
	penalties := knownSet("approve", "penalty", "punishment", "enforcement")
	for _, w := range []string{"sanction", "sanctions", "sanctioned"} {
		got := Expand(w, penalties)
		if slices.ContainsFunc(got, func(e Expansion) bool { return e.Term == "approve" }) {
			t.Errorf("Expand(%q) = %v: approve comes from the approval sense the knowledge base does not use", w, got)
		}
	}
	// The vocabulary around "sanction" in a knowledge base about China and
	// Russia: approval words occur (approve, endorse, okay, visa), but so
	// do the acts of government and control that WordNet files sanction's
	// social-control sense among, and those place it.
	kbLike := knownSet("approve", "approval", "okay", "endorse", "endorsement", "authorise", "authorisation",
		"warrant", "visa", "back", "support", "confirm", "pass",
		"penalty", "enforcement", "government", "governance", "administration", "domination", "occupation",
		"management", "obligation", "discrimination", "mobilization", "militarization", "normalization")
	for _, w := range []string{"sanction", "sanctions"} {
		for _, e := range Expand(w, kbLike) {
			if e.Term == "approve" || e.Term == "okay" || e.Term == "endorse" || e.Term == "authorise" {
				t.Errorf("Expand(%q) = %v: %s comes from the approval sense", w, Expand(w, kbLike), e.Term)
				break
			}
		}
	}
	// With nothing of penalties in it, the approval sense is the one used.
	got := Expand("sanction", knownSet("approve"))
	if !has(got, "approve", Synonym) {
		t.Errorf("Expand(sanction) with only approve known = %v, want approve as a synonym", got)
	}
}

func TestExpandOrderAndUniqueness(t *testing.T) {
	known := func(string) bool { return true }
	for _, w := range []string{"treaty", "poland", "missile", "china", "run", "set"} {
		a, b := Expand(w, known), Expand(w, known)
		if !slices.Equal(a, b) {
			t.Fatalf("Expand(%q) differs between calls", w)
		}
		seen := map[string]bool{}
		for i, e := range a {
			if seen[e.Term] {
				t.Errorf("Expand(%q): %q appears twice", w, e.Term)
			}
			seen[e.Term] = true
			if i > 0 && (a[i-1].Rel > e.Rel || a[i-1].Rel == e.Rel && a[i-1].Term >= e.Term) {
				t.Errorf("Expand(%q): %v before %v", w, a[i-1], e)
			}
			if e.Term != strings.ToLower(e.Term) || strings.Contains(e.Term, "  ") || strings.Contains(e.Term, "_") || e.Sense < 1 {
				t.Errorf("Expand(%q): malformed %+v", w, e)
			}
		}
	}
	if got := Expand("treaty", nil); got != nil {
		t.Errorf("Expand with a nil known = %v, want nil", got)
	}
}

func TestLemmas(t *testing.T) {
	tab := data()
	tests := []struct {
		in   string
		want []string
	}{
		{"sanctions", []string{"sanction"}},
		{"Brokered", []string{"broker"}},
		{"mice", []string{"mouse"}},
		{"went", []string{"go"}},
		{"better", []string{"better", "good", "well"}},
		{"nuclear weapons", []string{"nuclear weapon"}},
		{"mutual  defence_pacts", nil},
		{"soviet union", []string{"soviet union"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range tab.lemmas(normalise(tt.in), nil) {
			if w := tab.word(l.id); !slices.Contains(got, w) {
				got = append(got, w)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("lemmas(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRelationString(t *testing.T) {
	for r, want := range map[Relation]string{Synonym: "synonym", Derivation: "derivation", Hypernym: "hypernym", Hyponym: "hyponym", Holonym: "holonym", 9: "relation(9)"} {
		if got := r.String(); got != want {
			t.Errorf("Relation(%d).String() = %q, want %q", r, got, want)
		}
	}
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"sanctions", "Poland", "the kremlin", "mutual defence pact", "", " ", "\x00", "ünïcödé", "🐻", "a b c d e f", strings.Repeat("s", 500), "ies", "es", "ing"} {
		f.Add(s)
	}
	known := func(s string) bool { return len(s)%2 == 0 }
	f.Fuzz(func(t *testing.T, w string) {
		exps := Expand(w, known)
		for _, e := range exps {
			if !known(e.Term) || e.Term == "" || e.Sense < 1 || e.Rel > Holonym {
				t.Fatalf("Expand(%q): bad expansion %+v", w, e)
			}
		}
	})
}

// Expand shares its scratch space between calls: concurrent calls must
// give what serial ones give (run under -race in CI).
func TestExpandConcurrent(t *testing.T) {
	words := []string{"treaty", "poland", "sanctions", "missile", "beijing", "alliance", "trade", "germany"}
	known := func(string) bool { return true }
	want := make([][]Expansion, len(words))
	for i, w := range words {
		want[i] = Expand(w, known)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(words))
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, w := range words {
				if got := Expand(w, known); !slices.Equal(got, want[i]) {
					errs <- w
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for w := range errs {
		t.Errorf("Expand(%q) differs when called concurrently", w)
	}
}

// The scratch space's stamps wrap; results must not change when they do.
func TestScratchStampsWrap(t *testing.T) {
	known := knownSet("pact", "accord", "europe", "penalty", "enforcement", "approve")
	words := []string{"treaty", "poland", "sanction"}
	want := make([][]Expansion, len(words))
	for i, w := range words {
		want[i] = Expand(w, known)
	}
	for _, stamps := range [][2]uint32{{5, maxSeen - 1}, {maxGen, 3}} {
		e := getExpander(data(), known)
		e.gen, e.seen = stamps[0], stamps[1]
		e.release()
		for range 3 {
			for i, w := range words {
				if got := Expand(w, known); !slices.Equal(got, want[i]) {
					t.Fatalf("stamps from %v: Expand(%q) = %v, want %v", stamps, w, got, want[i])
				}
			}
		}
	}
}
