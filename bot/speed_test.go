package bot

import (
	"math/rand/v2"
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
	if !strings.ContainsFunc("中", isHan) {
		t.Error("isHan misses 中")
	}
}
