package bot

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TestFoldASCIIFastPath checks that fold's ASCII shortcut is what NFKC and
// case folding give, for every ASCII byte and random ASCII strings, and that
// non-ASCII text still goes through them.
func TestFoldASCIIFastPath(t *testing.T) {
	slow := func(s string) string { return foldCherokee(folder.String(norm.NFKC.String(s))) }
	for c := range 128 {
		s := string(rune(c))
		if got, want := fold(s), slow(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
	r := rand.New(rand.NewPCG(11, 1))
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(128))
		}
		if got, want := fold(string(b)), slow(string(b)); got != want {
			t.Errorf("fold(%q) = %q, want %q", b, got, want)
		}
	}
	for _, s := range []string{"Straße", "ＰＯＷＥＲ", "Сила Сибири", "ᏣᎳᎩ", "中俄", "ﬁnance"} {
		if got, want := fold(s), slow(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestIsHanShortcut checks isHan's lower bound against the Han table over
// the whole Unicode range.
func TestIsHanShortcut(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isHan(r), unicode.Is(unicode.Han, r); got != want {
			t.Fatalf("isHan(%U) = %v, want %v", r, got, want)
		}
	}
}

// TestAskedMemo checks that the memo of question words gives wordTerms'
// answer on a first and a second look-up, keeps no more than its bound,
// and leaves long words out.
func TestAskedMemo(t *testing.T) {
	var a askedMemo
	for _, w := range []string{"borscht", "pwer", "recipes", "s-400", "сибири", "中俄关系", "the", "x", "running"} {
		want := wordTerms(w)
		for pass := range 2 {
			if got := a.terms(w); !slices.Equal(got, want) {
				t.Errorf("pass %d: terms(%q) = %q, want %q", pass, w, got, want)
			}
		}
	}
	long := strings.Repeat("ab", maxWordLen)
	a.terms(long)
	if _, ok := a.m.Load(long); ok {
		t.Errorf("a word of %d bytes was memoised", len(long))
	}
	var b askedMemo
	b.n.Store(maxAskedMemo - 1)
	b.terms("borscht")
	b.terms("pelmeni")
	if got := b.n.Load(); got != maxAskedMemo {
		t.Errorf("memo holds %d words, want at most %d", got, maxAskedMemo)
	}
	if _, ok := b.m.Load("pelmeni"); ok {
		t.Error("a word past the bound was memoised")
	}
	var nilMemo *askedMemo
	if got, want := nilMemo.terms("borscht"), wordTerms("borscht"); !slices.Equal(got, want) {
		t.Errorf("nil memo: %q, want %q", got, want)
	}
}

// TestResolveLongQuestionHasEachTermOnce checks the resolver's switch from
// searching its terms to a set: a question with many more known terms
// than seenAfter still has each term once, and every known word's own
// term.
func TestResolveLongQuestionHasEachTermOnce(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	var titles []string
	for _, e := range idx.topics {
		titles = append(titles, e.t.Title)
	}
	ws := words(strings.Join(titles, " ") + " " + strings.Join(titles, " "))
	qs := idx.resolve(ws)
	ids := map[int32]bool{}
	for _, q := range qs {
		if q.id < 0 {
			continue
		}
		if ids[q.id] {
			t.Fatalf("term %d (%q) is in the question twice", q.id, q.word)
		}
		ids[q.id] = true
	}
	if len(ids) < 3*seenAfter {
		t.Fatalf("only %d known terms: the test does not reach the set", len(ids))
	}
	for _, w := range ws {
		for _, term := range idx.wordTerms(w) {
			if id, ok := idx.known(term); ok && !ids[id] {
				t.Errorf("%q: term %q missing", w, term)
			}
		}
	}
}
