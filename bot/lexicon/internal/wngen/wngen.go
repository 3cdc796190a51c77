// Package wngen compiles the part of Princeton WordNet 3.0 that summitbot's
// lexicon uses into the compact table package lexicon embeds. It reads the
// database files as Debian's wordnet-base installs them (/usr/share/wordnet):
// index.{noun,verb,adj} for sense order, data.{noun,verb,adj} for synsets and
// pointers, {noun,verb,adj}.exc for irregular forms; and, for how each word
// is used in general English, index.adv and data.adv beside them and
// cntlist.rev, the sense-tagged corpus counts.
//
// The output depends only on those files: the same input gives byte-identical
// output.
package wngen

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Magic starts the table; its version is bumped whenever the layout changes.
const Magic = "summitbot-wordnet-3.0/v3\n"

// Parts of speech, in table order.
const (
	Noun byte = iota
	Verb
	Adj
	numPOS
)

// Relations stored in the table. They mirror lexicon.Relation.
const (
	RelDerivation byte = 1 // derivationally related form, pertainym, participle
	RelHypernym   byte = 2 // hypernym or instance hypernym
	RelHyponym    byte = 3 // hyponym (instance hyponyms are left out)
	RelHolonym    byte = 4 // part or member holonym
)

// Pruning of the hypernym hierarchy: a hypernym/hyponym link is kept only
// when its general end is specific enough to say something. Noun depth counts
// from entity (0): entity, physical entity, abstraction, object, group,
// whole, attribute, relation, social group and the like sit at depth 3 or
// less and are dropped. Verb hierarchies are shallow: a verb root (move,
// change, make, get) is dropped when it has more than maxVerbRootHyponyms
// hyponyms.
//
// A synset with more than maxHyponyms hyponyms (change, move, act,
// person, country) keeps its hypernym links but loses its hyponym links:
// expanding "change" to two hundred kinds of change says nothing, and it
// is what made Expand slow on everyday verbs.
const (
	minNounDepth        = 4
	maxVerbRootHyponyms = 20
	maxHyponyms         = 40
)

// droppedNounFiles are lexicographer files of nouns no question about
// China–Russia relations needs: noun.animal, noun.body, noun.food and
// noun.plant. They are a quarter of the nouns.
var droppedNounFiles = map[int]bool{5: true, 8: true, 13: true, 20: true}

// wholeFiles are the lexicographer files of the wholes a holonym may name:
// noun.group (14), noun.location (15) and noun.object (17, where WordNet
// files the continents: Poland → Europe).
var wholeFiles = map[int]bool{14: true, 15: true, 17: true}

var posFiles = [numPOS]string{"noun", "verb", "adj"}

type ptr struct {
	rel      byte
	src, dst byte // 1-based word numbers for lexical pointers; 0 = whole synset
	target   int  // synset index
}

type synset struct {
	pos     byte
	offset  int
	lexfile int
	members []string
	renum   []byte // word number in the data line → in members (index 0: 0)
	ptrs    []ptr
	hypers  []int // all hypernyms (incl. instance), for depth
	nHypo   int
}

type rawPtr struct {
	sym      string
	pos      byte
	offset   int
	src, dst byte
}

// Build reads the WordNet files in dir and returns the uncompressed table:
// the expansion table, then the usage profiles.
func Build(dir string) ([]byte, error) {
	out, lemmas, use, err := build(dir)
	if err != nil {
		return nil, err
	}
	return use.appendTo(out, lemmas), nil
}

// build returns the expansion table, its lemmas in order and the usage
// profiles.
func build(dir string) ([]byte, []string, usages, error) {
	var syns []*synset
	raws := [][]rawPtr{}
	byKey := map[[2]int]int{}  // (pos, offset) → synset index
	fileOf := map[[2]int]int{} // (pos, offset) → lexicographer file, of every synset
	for pos := Noun; pos < numPOS; pos++ {
		err := eachLine(filepath.Join(dir, "data."+posFiles[pos]), "data", func(line string) error {
			s, rp, err := parseData(pos, line)
			if err != nil {
				return err
			}
			fileOf[[2]int{int(pos), s.offset}] = s.lexfile
			if pos == Noun && droppedNounFiles[s.lexfile] {
				return nil
			}
			byKey[[2]int{int(pos), s.offset}] = len(syns)
			syns = append(syns, s)
			raws = append(raws, rp)
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	// Resolve pointers; note hypernyms for depth.
	for i, s := range syns {
		for _, r := range raws[i] {
			j, ok := byKey[[2]int{int(r.pos), r.offset}]
			if !ok {
				continue // adverbs and anything outside the table
			}
			switch r.sym {
			case "@", "@i":
				s.hypers = append(s.hypers, j)
			case "~":
				s.nHypo++
			}
		}
	}
	depth := depths(syns)
	general := func(j int) bool {
		g := syns[j]
		switch g.pos {
		case Noun:
			return depth[j] < minNounDepth
		case Verb:
			return len(g.hypers) == 0 && g.nHypo > maxVerbRootHyponyms
		}
		return false
	}
	for i, s := range syns {
		for _, r := range raws[i] {
			j, ok := byKey[[2]int{int(r.pos), r.offset}]
			if !ok {
				continue
			}
			dst := r.dst
			if int(dst) >= len(syns[j].renum) {
				return nil, nil, nil, fmt.Errorf("synset %08d: pointer to word %d of synset %08d", s.offset, dst, syns[j].offset)
			}
			p := ptr{src: r.src, dst: syns[j].renum[dst], target: j}
			switch r.sym {
			case "+", "\\", "<":
				p.rel = RelDerivation
			case "@", "@i":
				if general(j) {
					continue
				}
				p.rel = RelHypernym
			case "~":
				if general(i) || s.nHypo > maxHyponyms {
					continue
				}
				p.rel = RelHyponym
			case "#m", "#p":
				// Wholes of places and institutions (Poland → Europe,
				// Germany → European Union, the Kremlin → Moscow), not of
				// things: a gas pedal is part of a car, and a knowledge base
				// about gas has a topic on cars.
				if !wholeFiles[syns[j].lexfile] || syns[j].pos != Noun {
					continue
				}
				p.rel = RelHolonym
			default:
				continue
			}
			s.ptrs = append(s.ptrs, p)
		}
		slices.SortFunc(s.ptrs, func(a, b ptr) int {
			return cmp.Or(cmp.Compare(a.rel, b.rel), cmp.Compare(a.src, b.src), cmp.Compare(a.target, b.target), cmp.Compare(a.dst, b.dst))
		})
		s.ptrs = slices.Compact(s.ptrs)
	}

	// Senses in WordNet's order, from the index files. A sense keeps its
	// WordNet number even when an earlier sense was dropped.
	type sense struct {
		syn, num, word int // synset, sense number, word number in the synset
	}
	senses := map[string][]sense{}
	use := usages{}
	for pos := Noun; pos < numPOS; pos++ {
		err := use.readIndex(filepath.Join(dir, "index."+posFiles[pos]), int(pos), fileOf, func(lemma string, offs []int) error {
			for i, o := range offs {
				j, ok := byKey[[2]int{int(pos), o}]
				if !ok {
					continue // a dropped lexicographer file
				}
				k := slices.Index(syns[j].members, lemma)
				if k < 0 {
					return fmt.Errorf("%q is not a member of synset %08d", lemma, o)
				}
				senses[lemma] = append(senses[lemma], sense{j, i + 1, k + 1})
			}
			return nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
	}
	for j, s := range syns {
		for _, m := range s.members {
			if !slices.ContainsFunc(senses[m], func(x sense) bool { return x.syn == j }) {
				return nil, nil, nil, fmt.Errorf("synset %08d: member %q has no index entry", s.offset, m)
			}
		}
	}

	if err := use.addAdverbs(dir); err != nil {
		return nil, nil, nil, err
	}
	if err := use.addCounts(filepath.Join(dir, "cntlist.rev")); err != nil {
		return nil, nil, nil, err
	}

	// Irregular forms whose base is a lemma of that part of speech.
	type exc struct {
		pos        byte
		form, base string
	}
	var excs []exc
	for pos := Noun; pos < numPOS; pos++ {
		p := filepath.Join(dir, posFiles[pos]+".exc")
		f, err := os.Open(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read wordnet exceptions: %w", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) < 2 {
				continue
			}
			form := lemmaText(fs[0])
			for _, base := range fs[1:] {
				base = lemmaText(base)
				if base == form || !slices.ContainsFunc(senses[base], func(x sense) bool { return syns[x.syn].pos == pos }) {
					continue
				}
				excs = append(excs, exc{pos, form, base})
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, nil, nil, fmt.Errorf("read %s: %w", p, err)
		}
	}
	slices.SortFunc(excs, func(a, b exc) int {
		return cmp.Or(strings.Compare(a.form, b.form), cmp.Compare(a.pos, b.pos), strings.Compare(a.base, b.base))
	})
	excs = slices.Compact(excs)

	// Encode. Synset members are not stored: they are the words whose
	// senses name the synset, in word-number order.
	list := make([]string, 0, len(senses))
	for w := range senses {
		list = append(list, w)
	}
	slices.Sort(list)
	id := make(map[string]int, len(list))
	for i, w := range list {
		id[w] = i
	}
	// Totals first, so the reader allocates once.
	nPtrs, nSenses := 0, 0
	for _, s := range syns {
		nPtrs += len(s.ptrs)
	}
	for _, w := range list {
		nSenses += len(senses[w])
	}
	var out []byte
	out = append(out, Magic...)
	out = binary.AppendUvarint(out, uint64(nPtrs))
	out = binary.AppendUvarint(out, uint64(nSenses))
	out = binary.AppendUvarint(out, uint64(len(list)))
	out = appendWords(out, list)
	out = binary.AppendUvarint(out, uint64(len(syns)))
	for i, s := range syns {
		out = append(out, s.pos)
		out = binary.AppendUvarint(out, uint64(len(s.ptrs)))
		for _, p := range s.ptrs {
			out = append(out, p.rel, p.src, p.dst)
			out = binary.AppendVarint(out, int64(p.target-i))
		}
	}
	for _, w := range list {
		ss := senses[w]
		out = binary.AppendUvarint(out, uint64(len(ss)))
		for _, x := range ss {
			out = binary.AppendUvarint(out, uint64(x.syn))
			out = binary.AppendUvarint(out, uint64(x.num))
			out = binary.AppendUvarint(out, uint64(x.word))
		}
	}
	out = binary.AppendUvarint(out, uint64(len(excs)))
	for _, e := range excs {
		out = append(out, e.pos)
		out = binary.AppendUvarint(out, uint64(len(e.form)))
		out = append(out, e.form...)
		out = binary.AppendUvarint(out, uint64(id[e.base]))
	}
	return out, list, use, nil
}

// eachLine calls fn with each line of the WordNet database file path but
// the empty ones and the licence that heads it (lines that start with a
// space). A failure to read it says what the file is (data, index); an error
// of fn is returned located at its line.
func eachLine(path, what string, fn func(line string) error) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read wordnet %s: %w", what, err)
	}
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 || line[0] == ' ' {
			continue
		}
		if err := fn(string(line)); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
	}
	return nil
}

// appendWords appends sorted words, each as the length of the prefix it
// shares with the one before, then the length and bytes of the rest.
func appendWords(out []byte, list []string) []byte {
	prev := ""
	for _, w := range list {
		k := commonPrefix(prev, w)
		out = binary.AppendUvarint(out, uint64(k))
		out = binary.AppendUvarint(out, uint64(len(w)-k))
		out = append(out, w[k:]...)
		prev = w
	}
	return out
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b), 255)
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// lemmaText is a WordNet word as lexicon stores it: lower case, words
// joined by one space, adjective position markers such as "(p)" removed.
func lemmaText(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		w = w[:i]
	}
	return strings.ToLower(strings.ReplaceAll(w, "_", " "))
}

// parseData parses one synset line of a data file:
// offset lex_filenum ss_type w_cnt word lex_id ... p_cnt ptr... | gloss
func parseData(pos byte, line string) (*synset, []rawPtr, error) {
	if i := strings.Index(line, " | "); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) < 4 {
		return nil, nil, fmt.Errorf("short synset line")
	}
	off, err := strconv.Atoi(f[0])
	if err != nil {
		return nil, nil, fmt.Errorf("bad offset %q", f[0])
	}
	lf, err := strconv.Atoi(f[1])
	if err != nil {
		return nil, nil, fmt.Errorf("bad lexicographer file %q", f[1])
	}
	s := &synset{pos: pos, offset: off, lexfile: lf}
	wcnt, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return nil, nil, fmt.Errorf("bad word count %q", f[3])
	}
	k := 4
	renum := []byte{0} // word number in the line → in the deduplicated members
	for range wcnt {
		if k+1 >= len(f) {
			return nil, nil, fmt.Errorf("truncated word list")
		}
		m := lemmaText(f[k])
		at := slices.Index(s.members, m)
		if at < 0 {
			at = len(s.members)
			s.members = append(s.members, m)
		}
		renum = append(renum, byte(at+1))
		k += 2
	}
	s.renum = renum
	if k >= len(f) {
		return nil, nil, fmt.Errorf("missing pointer count")
	}
	pcnt, err := strconv.Atoi(f[k])
	if err != nil {
		return nil, nil, fmt.Errorf("bad pointer count %q", f[k])
	}
	k++
	var rp []rawPtr
	for range pcnt {
		if k+3 >= len(f) {
			return nil, nil, fmt.Errorf("truncated pointer list")
		}
		o, err := strconv.Atoi(f[k+1])
		if err != nil {
			return nil, nil, fmt.Errorf("bad pointer offset %q", f[k+1])
		}
		var p byte
		switch f[k+2] {
		case "n":
			p = Noun
		case "v":
			p = Verb
		case "a", "s":
			p = Adj
		default:
			p = numPOS // adverb: outside the table
		}
		st, err := strconv.ParseUint(f[k+3], 16, 16)
		if err != nil || len(f[k+3]) != 4 {
			return nil, nil, fmt.Errorf("bad source/target %q", f[k+3])
		}
		src := byte(st >> 8)
		if int(src) >= len(renum) {
			return nil, nil, fmt.Errorf("pointer from word %d of %d", src, len(renum)-1)
		}
		rp = append(rp, rawPtr{sym: f[k], pos: p, offset: o, src: renum[src], dst: byte(st)})
		k += 4
	}
	return s, rp, nil
}

// parseIndex parses one index line:
// lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
func parseIndex(line string) (string, []int, error) {
	f := strings.Fields(line)
	if len(f) < 6 {
		return "", nil, fmt.Errorf("short index line")
	}
	n, err := strconv.Atoi(f[2])
	if err != nil {
		return "", nil, fmt.Errorf("bad synset count %q", f[2])
	}
	if len(f) < n {
		return "", nil, fmt.Errorf("truncated index line")
	}
	var offs []int
	for _, s := range f[len(f)-n:] {
		o, err := strconv.Atoi(s)
		if err != nil {
			return "", nil, fmt.Errorf("bad synset offset %q", s)
		}
		offs = append(offs, o)
	}
	return lemmaText(f[0]), offs, nil
}

// depths returns each synset's shortest distance from a root of its
// hierarchy (a synset with no hypernym).
func depths(syns []*synset) []int {
	d := make([]int, len(syns))
	for i := range d {
		d[i] = -1
	}
	var walk func(i int, seen map[int]bool) int
	walk = func(i int, seen map[int]bool) int {
		if d[i] >= 0 {
			return d[i]
		}
		if seen[i] {
			return 0 // a cycle would be a data error; treat as a root
		}
		seen[i] = true
		best := -1
		for _, h := range syns[i].hypers {
			if v := walk(h, seen) + 1; best < 0 || v < best {
				best = v
			}
		}
		delete(seen, i)
		if best < 0 {
			best = 0
		}
		d[i] = best
		return best
	}
	for i := range syns {
		walk(i, map[int]bool{})
	}
	return d
}
