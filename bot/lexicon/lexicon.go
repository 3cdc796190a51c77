// Package lexicon is general English lexical knowledge from Princeton
// WordNet 3.0: for a word, the terms it can stand for (synonyms,
// derivational forms, one step up or down the hypernym hierarchy, and the
// wholes a place or institution is part or member of), restricted to the
// terms and the senses a knowledge base uses; and how a word is used in
// general English (Usages: what kinds of sense it has, how often each was
// met in WordNet's sense-tagged corpus).
//
// The data is a table compiled from Debian's wordnet-base files by
// internal/wngen (go generate) and embedded in the binary; nothing is read
// at run time. WordNet's licence is in WORDNET-LICENSE beside the table.
package lexicon

//go:generate go run gen.go -in /usr/share/wordnet -out wordnet.bin.gz

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

// Relation says how an expanded term is related to the word it came from.
type Relation uint8

// Relations, from the closest to the loosest.
const (
	// Synonym: the term shares a WordNet synset (sense) with the word.
	Synonym Relation = iota
	// Derivation: a derivationally related form (mediate → mediation), a
	// pertainym (chinese → china) or the verb of a participle.
	Derivation
	// Hypernym: the term is one step more general (missile → weapon,
	// poland → european country).
	Hypernym
	// Hyponym: the term is one step more specific (weapon → missile).
	Hyponym
	// Holonym: the term names a whole the word is part or member of
	// (poland → europe, germany → european union, beijing → china).
	Holonym
)

var relationNames = [...]string{"synonym", "derivation", "hypernym", "hyponym", "holonym"}

// String returns the relation's name in lower case, e.g. "synonym".
func (r Relation) String() string {
	if int(r) < len(relationNames) {
		return relationNames[r]
	}
	return fmt.Sprintf("relation(%d)", uint8(r))
}

// Expansion is one term a word can stand for.
type Expansion struct {
	// Term is a WordNet lemma in lower case, words joined by one space.
	Term string
	// Rel is how Term is related to the word.
	Rel Relation
	// Sense is the WordNet sense number (1-based, within its part of
	// speech) of the word's lemma through which Term was reached.
	Sense int
}

//go:embed wordnet.bin.gz
var compressed []byte

var (
	loadOnce sync.Once
	tab      *table
)

// data returns the decoded table, decoding it on first use (a few
// milliseconds). The embedded table is checked by the tests, so a decoding
// error is a build defect: the lexicon then stays empty rather than
// failing questions.
func data() *table {
	loadOnce.Do(func() {
		t, err := decode(compressed)
		if err != nil {
			t = &table{}
		}
		tab = t
	})
	return tab
}

// Parts of speech, as the table numbers them.
const (
	noun = wngen.Noun
	verb = wngen.Verb
	adj  = wngen.Adj
)

type ptr struct {
	rel      uint8
	src, dst uint8 // word numbers (1-based) for lexical pointers; 0 = synset
	target   uint32
}

type senseRef struct {
	syn  uint32
	num  uint16 // WordNet sense number
	word uint8  // word number in the synset
}

type table struct {
	words    string   // lemmas, sorted, concatenated
	wordOff  []uint32 // len(words)+1 offsets into words
	pos      []uint8  // per synset
	ptrOff   []uint32 // per synset, into ptrs
	ptrs     []ptr
	memOff   []uint32 // per synset, into members
	members  []uint32 // word ids, in word-number order
	senseOff []uint32 // per word, into senses
	senses   []senseRef
	poly     []uint8  // per word, its number of senses (at most 255): small enough to stay in cache
	excForm  []string // sorted by form, then pos
	excPOS   []uint8
	excBase  []uint32
	use      useTable // how each word is used in general English
}

func (t *table) nWords() int { return max(len(t.wordOff)-1, 0) }

func (t *table) word(i uint32) string { return t.words[t.wordOff[i]:t.wordOff[i+1]] }

// lookup returns the id of lemma w.
func (t *table) lookup(w string) (uint32, bool) {
	n := t.nWords()
	i := sort.Search(n, func(i int) bool { return t.word(uint32(i)) >= w })
	if i < n && t.word(uint32(i)) == w {
		return uint32(i), true
	}
	return 0, false
}

func (t *table) wordSenses(id uint32) []senseRef { return t.senses[t.senseOff[id]:t.senseOff[id+1]] }

func (t *table) synMembers(s uint32) []uint32 { return t.members[t.memOff[s]:t.memOff[s+1]] }

func (t *table) synPtrs(s uint32) []ptr { return t.ptrs[t.ptrOff[s]:t.ptrOff[s+1]] }

// hasPOS reports whether word id has a sense in part of speech p.
func (t *table) hasPOS(id uint32, p uint8) bool {
	for _, s := range t.wordSenses(id) {
		if t.pos[s.syn] == p {
			return true
		}
	}
	return false
}

var errCorrupt = errors.New("lexicon: corrupt table")

type reader struct {
	b   []byte
	err error
}

// skip consumes the n bytes a varint decoder reported; n <= 0 means the
// decoder failed, which marks the table corrupt and reports false.
func (r *reader) skip(n int) bool {
	if n <= 0 {
		r.err = errCorrupt
		r.b = nil
		return false
	}
	r.b = r.b[n:]
	return true
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if !r.skip(n) {
		return 0
	}
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if !r.skip(n) {
		return 0
	}
	return v
}

func (r *reader) byte() uint8 {
	if len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.err = errCorrupt
		r.b = nil
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// wordList reads n prefix-coded words (wngen's appendWords) and returns
// them concatenated, with n+1 offsets.
func (r *reader) wordList(n int) (string, []uint32, error) {
	words := make([]byte, 0, len(r.b)) // an upper bound: the words are a part of it
	off := make([]uint32, 0, n+1)
	prev := 0
	for range n {
		k := int(r.uvarint())
		suf := r.bytes(r.uvarint())
		if k > len(words)-prev || r.err != nil {
			return "", nil, errCorrupt
		}
		start := len(words)
		words = append(words, words[prev:prev+k]...)
		words = append(words, suf...)
		off = append(off, uint32(start))
		prev = start
	}
	return string(words), append(off, uint32(len(words))), nil
}

// count reads a length and checks it against what is left, so a corrupt
// table cannot ask for a huge allocation.
func (r *reader) count(per int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/per+1) {
		r.err = errCorrupt
		r.b = nil
		return 0
	}
	return int(n)
}

func decode(gz []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	// gzip's trailer holds the uncompressed size: read it in one piece.
	var buf bytes.Buffer
	if n := len(gz); n >= 4 {
		buf.Grow(int(min(binary.LittleEndian.Uint32(gz[n-4:]), 64<<20)) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	return decodeRaw(buf.Bytes())
}

func decodeRaw(raw []byte) (_ *table, err error) {
	if !bytes.HasPrefix(raw, []byte(wngen.Magic)) {
		return nil, errCorrupt
	}
	r := &reader{b: raw[len(wngen.Magic):]}
	t := &table{}
	t.ptrs = make([]ptr, 0, r.count(4))
	t.senses = make([]senseRef, 0, r.count(3))
	nw := r.count(2)
	if t.words, t.wordOff, err = r.wordList(nw); err != nil {
		return nil, err
	}
	ns := r.count(2)
	t.pos = make([]uint8, ns)
	t.ptrOff = make([]uint32, ns+1)
	for i := range ns {
		t.pos[i] = r.byte()
		np := r.count(4)
		for range np {
			p := ptr{rel: r.byte(), src: r.byte(), dst: r.byte()}
			tg := int64(i) + r.varint()
			if tg < 0 || tg >= int64(ns) {
				return nil, errCorrupt
			}
			p.target = uint32(tg)
			t.ptrs = append(t.ptrs, p)
		}
		t.ptrOff[i+1] = uint32(len(t.ptrs))
	}
	t.senseOff = make([]uint32, nw+1)
	memCount := make([]uint32, ns+1)
	for w := range nw {
		n := r.count(3)
		for range n {
			s := senseRef{syn: uint32(r.uvarint()), num: uint16(r.uvarint()), word: uint8(r.uvarint())}
			if int(s.syn) >= ns || s.word == 0 {
				return nil, errCorrupt
			}
			memCount[s.syn]++
			t.senses = append(t.senses, s)
		}
		t.senseOff[w+1] = uint32(len(t.senses))
	}
	t.poly = make([]uint8, nw)
	for w := range nw {
		t.poly[w] = uint8(min(t.senseOff[w+1]-t.senseOff[w], 255))
	}
	// Members of each synset, placed by word number.
	t.memOff = make([]uint32, ns+1)
	for i := range ns {
		t.memOff[i+1] = t.memOff[i] + memCount[i]
	}
	t.members = make([]uint32, len(t.senses))
	filled := make([]bool, len(t.senses))
	for w := range nw {
		for _, s := range t.wordSenses(uint32(w)) {
			at := t.memOff[s.syn] + uint32(s.word) - 1
			if at >= t.memOff[s.syn+1] || filled[at] {
				return nil, errCorrupt
			}
			t.members[at], filled[at] = uint32(w), true
		}
	}
	ne := r.count(3)
	for range ne {
		p := r.byte()
		form := string(r.bytes(r.uvarint()))
		base := r.uvarint()
		if base >= uint64(nw) {
			return nil, errCorrupt
		}
		t.excForm = append(t.excForm, form)
		t.excPOS = append(t.excPOS, p)
		t.excBase = append(t.excBase, uint32(base))
	}
	if r.err != nil {
		return nil, r.err
	}
	if t.use, err = decodeUsages(r, nw); err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errCorrupt
	}
	return t, nil
}
