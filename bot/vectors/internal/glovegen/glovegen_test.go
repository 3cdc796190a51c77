package glovegen

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/summitbot/summitbot/bot/vectors/internal/glovetab"
)

// synthetic is a small wink-format vocabulary: a-z words among tokens the
// generator must leave out. Word i's component j is (i+1)·(j−50)/500.
var synthetic = []string{"the", ",", "Paris", "gas", "2024", "don't", "pipe", "\"", "café", "banana"}

// vector returns word i's row as wink writes it: dim components, the l2
// norm, the index.
func vector(i int) string {
	var sum float64
	parts := make([]string, 0, dim+2)
	for j := range dim {
		x := float64(i+1) * float64(j-50) / 500
		sum += x * x
		parts = append(parts, strconv.FormatFloat(x, 'g', -1, 64))
	}
	parts = append(parts, strconv.FormatFloat(math.Sqrt(sum), 'f', 8, 64), strconv.Itoa(i))
	return "[" + strings.Join(parts, ",") + "]"
}

// winkJSON writes the vocabulary's JSON; edit, when set, may change each
// vector's text.
func winkJSON(words []string, edit func(i int, v string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"precision":8,"l2NormIndex":100,"wordIndex":101,"size":%d,"dimensions":100,"words":`, len(words))
	wj, _ := json.Marshal(words)
	b.Write(wj)
	b.WriteString(`,"vectors":{`)
	for i, w := range words {
		if i > 0 {
			b.WriteString(",\n")
		}
		k, _ := json.Marshal(w)
		v := vector(i)
		if edit != nil {
			v = edit(i, v)
		}
		fmt.Fprintf(&b, "%s:%s", k, v)
	}
	b.WriteString(`},"unkVector":[0]}`)
	return b.String()
}

// tgz packs files (name, content pairs) as npm pack does.
func tgz(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for i := 0; i+1 < len(files); i += 2 {
		if err := tw.WriteHeader(&tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1]))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func integrity(b []byte) string {
	h := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(h[:])
}

// decoded is a table read back, for the tests.
type decoded struct {
	words  []string
	ranks  []int
	scales []float32
	q      [][]int8
	slots  []int
}

func readTable(t *testing.T, b []byte) decoded {
	t.Helper()
	if !bytes.HasPrefix(b, []byte(glovetab.Magic)) || len(b) < glovetab.HeaderLen {
		t.Fatal("no magic")
	}
	le := binary.LittleEndian
	n, gotDim, nslots := int(le.Uint32(b[len(glovetab.Magic):])), int(le.Uint32(b[len(glovetab.Magic)+4:])), int(le.Uint32(b[len(glovetab.Magic)+8:]))
	if gotDim != dim {
		t.Fatalf("dimension %d, want %d", gotDim, dim)
	}
	p := b[glovetab.HeaderLen:]
	next := func(size int) []byte {
		s := p[:size]
		p = p[size:]
		return s
	}
	offs, ranks, scales, slots, vecs := next(4*(n+1)), next(2*n), next(4*n), next(2*nslots), next(dim*n)
	blob := p
	var d decoded
	for i := range n {
		d.words = append(d.words, string(blob[le.Uint32(offs[4*i:]):le.Uint32(offs[4*i+4:])]))
		d.ranks = append(d.ranks, int(le.Uint16(ranks[2*i:])))
		d.scales = append(d.scales, math.Float32frombits(le.Uint32(scales[4*i:])))
		q := make([]int8, dim)
		for j := range q {
			q[j] = int8(vecs[dim*i+j])
		}
		d.q = append(d.q, q)
	}
	if int(le.Uint32(offs[4*n:])) != len(blob) {
		t.Fatalf("words blob %d bytes, offsets say %d", len(blob), le.Uint32(offs[4*n:]))
	}
	for i := range nslots {
		d.slots = append(d.slots, int(le.Uint16(slots[2*i:])))
	}
	return d
}

func TestBuild(t *testing.T) {
	// banana's vector is past the last kept word: Build must not read
	// it, so garbage there changes nothing.
	src := tgz(t, "package/package.json", "{}",
		jsonName, winkJSON(synthetic, func(i int, v string) string {
			if i == 9 {
				return "[not read]"
			}
			return v
		}))
	out, err := build(bytes.NewReader(src), integrity(src), 3)
	if err != nil {
		t.Fatal(err)
	}
	again, err := build(bytes.NewReader(src), integrity(src), 3)
	if err != nil || !bytes.Equal(out, again) {
		t.Fatalf("a second build differs (%v)", err)
	}
	d := readTable(t, out)
	if got, want := fmt.Sprint(d.words, d.ranks), "[gas pipe the] [3 6 0]"; got != want {
		t.Fatalf("words and ranks %s, want %s", got, want)
	}
	// Each word is in the hash index at its hash's slot or the first
	// free one after it.
	if len(d.slots) != 8 {
		t.Fatalf("%d slots for 3 words, want 8", len(d.slots))
	}
	for k, w := range d.words {
		j := int(glovetab.Hash(w)) & 7
		for d.slots[j] != 0 && d.slots[j] != k+1 {
			j = (j + 1) & 7
		}
		if d.slots[j] != k+1 {
			t.Errorf("%s is not in the hash index: %v", w, d.slots)
		}
	}
	for k, i := range d.ranks {
		// Word i's largest component is (i+1)·50/500; each component
		// comes back within half a step.
		maxAbs := float64(i+1) * 50 / 500
		if want := float32(maxAbs / 127); d.scales[k] != want {
			t.Errorf("%s: scale %v, want %v", d.words[k], d.scales[k], want)
		}
		for j, q := range d.q[k] {
			x := float64(i+1) * float64(j-50) / 500
			if diff := math.Abs(float64(q)*float64(d.scales[k]) - x); diff > float64(d.scales[k])/2*1.0001 {
				t.Errorf("%s[%d] = %d × %v, want %v", d.words[k], j, q, d.scales[k], x)
			}
		}
		if d.q[k][0] != -127 {
			t.Errorf("%s[0] = %d, want -127 (the largest magnitude)", d.words[k], d.q[k][0])
		}
	}
}

// numbers is a vector of dim zeros followed by extra.
func numbers(extra ...float64) []float64 {
	return append(make([]float64, dim), extra...)
}

func TestParseRow(t *testing.T) {
	r, err := parseRow("x", 7, numbers(0, 7))
	if err != nil || r.scale != 0 || r.q != [dim]int8{} || r.rank != 7 {
		t.Errorf("zero vector: %+v, %v", r, err)
	}
	// 1.27 is the largest magnitude: the scale is 0.01 and 0.005 rounds
	// away from zero.
	half := numbers(math.Sqrt(1.27*1.27+2*0.005*0.005), 2)
	half[0], half[1], half[2] = 1.27, 0.005, -0.005
	r, err = parseRow("y", 2, half)
	if err != nil || r.q[0] != 127 || r.q[1] != 1 || r.q[2] != -1 || r.scale != float32(1.27/127) {
		t.Errorf("rounding: %v %v %v scale %v, %v", r.q[0], r.q[1], r.q[2], r.scale, err)
	}
	for _, bad := range []struct {
		name string
		v    []float64
		err  string
	}{
		{"one short", numbers(0), "101 numbers, want 102"},
		{"one more", numbers(0, 7, 0), "103 numbers, want 102"},
		{"index", numbers(0, 8), "index 8"},
		{"norm", numbers(1, 7), "l2 norm"},
	} {
		if _, err := parseRow("z", 7, bad.v); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%s: error %v, want %q", bad.name, err, bad.err)
		}
	}
}

func TestBuildRejects(t *testing.T) {
	good := winkJSON(synthetic, nil)
	tests := []struct {
		name string
		tgz  []byte
		keep int
		err  string
	}{
		{"no vectors file", tgz(t, "package/package.json", "{}"), 3, "no " + jsonName},
		{"not gzip", []byte("a plain text file, not a tarball"), 3, "gzip: invalid header"},
		{"too few words", tgz(t, jsonName, good), 5, "4 a-z words, want at least 5"},
		{"nothing kept", tgz(t, jsonName, good), 0, "want at least 0"},
		{"vectors first", tgz(t, jsonName, `{"vectors":{},"words":[]}`), 3, `"vectors" before "words"`},
		{"unknown key", tgz(t, jsonName, `{"version":1,"words":[]}`), 3, `unexpected key "version"`},
		{"dimension", tgz(t, jsonName, strings.Replace(good, `"dimensions":100`, `"dimensions":50`, 1)), 3, "header dimensions = 50"},
		{"size", tgz(t, jsonName, strings.Replace(good, `"size":10`, `"size":11`, 1)), 3, "header size = 11"},
		{"order", tgz(t, jsonName, strings.Replace(good, `"gas":`, `"gaz":`, 1)), 3, `vector 3 is "gaz", want "gas"`},
		{"bad row", tgz(t, jsonName, winkJSON(synthetic, func(i int, v string) string {
			if i == 6 {
				return "[1,2]"
			}
			return v
		})), 3, `vector "pipe": 2 numbers`},
		{"truncated", tgz(t, jsonName, good[:len(good)/2]), 3, "unexpected EOF"},
		{"words not strings", tgz(t, jsonName, `{"words":[1]}`), 3, "words: json: cannot unmarshal number into Go value of type string"},
		{"words twice", tgz(t, jsonName, `{"words":[],"words":[]}`), 3, `"words" twice`},
		{"words null", tgz(t, jsonName, `{"words":null}`), 3, `"words" is null`},
		{"not an object", tgz(t, jsonName, `["words"]`), 3, "found [, want {"},
		{"no vectors", tgz(t, jsonName, `{"words":["the"]}`), 3, `no "vectors"`},
		{"header not a number", tgz(t, jsonName, `{"size":"10"}`), 3, "size: json: cannot unmarshal string"},
		{"header not an integer", tgz(t, jsonName, `{"size":10.5}`), 3, "size: json: cannot unmarshal number 10.5"},
		{"vectors short", tgz(t, jsonName, good[:strings.Index(good, ",\n\"2024\":")]+"}}"), 3, "4 vectors, want at least 7"},
		{"not a number", tgz(t, jsonName, winkJSON(synthetic, func(i int, v string) string {
			if i == 1 { // a vector read only to reach the next
				return strings.Replace(v, ",", ",x", 1)
			}
			return v
		})), 3, `vector ",": invalid character 'x'`},
	}
	for _, tt := range tests {
		_, err := build(bytes.NewReader(tt.tgz), integrity(tt.tgz), tt.keep)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
		}
	}
	src := tgz(t, jsonName, good)
	if _, err := build(bytes.NewReader(src), Integrity, 3); err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Errorf("a tarball that is not the pinned one: error %v", err)
	}
	if _, err := Build("testdata/missing.tgz"); err == nil {
		t.Error("Build of a missing file succeeded")
	}
}
