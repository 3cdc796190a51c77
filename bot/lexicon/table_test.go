package lexicon

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

const wordnetDir = "/usr/share/wordnet"

// TestTableUpToDate regenerates the table from the WordNet files and
// compares it with the committed one. The comparison is on the
// uncompressed table: gzip's bytes may change with the Go release, the
// table's must not. Under CI the WordNet files must be installed
// (.ci/run installs Debian's wordnet-base).
func TestTableUpToDate(t *testing.T) {
	if _, err := os.Stat(wordnetDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI: .ci/run installs wordnet-base", wordnetDir)
		}
		t.Logf("%s not installed (apt-get install wordnet-base): the committed table is not compared with its source", wordnetDir)
		return
	}
	want, err := wngen.Build(wordnetDir)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("wordnet.bin.gz is out of date with %s (%d bytes, want %d): run go generate ./bot/lexicon", wordnetDir, len(got), len(want))
	}
}

func TestEmbeddedTableDecodes(t *testing.T) {
	tab, err := decode(compressed)
	if err != nil {
		t.Fatal(err)
	}
	// Sizes of WordNet 3.0's nouns, verbs and adjectives, less the noun
	// files wngen drops: a sanity floor, not an exact count.
	if tab.nWords() < 90000 || len(tab.pos) < 80000 || len(tab.ptrs) < 150000 {
		t.Fatalf("table too small: %d words, %d synsets, %d pointers", tab.nWords(), len(tab.pos), len(tab.ptrs))
	}
	for i := 1; i < tab.nWords(); i++ {
		if tab.word(uint32(i-1)) >= tab.word(uint32(i)) {
			t.Fatalf("words out of order at %d: %q, %q", i, tab.word(uint32(i-1)), tab.word(uint32(i)))
		}
	}
}

func TestDecodeRejectsCorruptTables(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":     nil,
		"no magic":  raw[len(wngen.Magic):],
		"truncated": raw[:len(raw)/2],
		"one short": raw[:len(raw)-1],
		"trailing":  append(bytes.Clone(raw), 0),
		"huge count": append([]byte(wngen.Magic),
			0xff, 0xff, 0xff, 0xff, 0x0f),
	}
	for name, b := range cases {
		if _, err := decodeRaw(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	if _, err := decode([]byte("not gzip")); err == nil {
		t.Error("decode accepted data that is not gzip")
	}
}

func FuzzDecodeRaw(f *testing.F) {
	f.Add([]byte(wngen.Magic))
	f.Add(append([]byte(wngen.Magic), 1, 0, 1, 'a', 1, 0, 0, 1, 0, 1, 1, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := decodeRaw(append([]byte(wngen.Magic), b...))
		if err != nil {
			return
		}
		// A table that decodes must be safe to expand with.
		tab.lemmas("a", nil)
	})
}
