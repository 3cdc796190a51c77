package lexicon

import (
	"fmt"
	"sort"
	"strings"

	"github.com/summitbot/summitbot/bot/lexicon/internal/wngen"
)

// File is a WordNet lexicographer file: the broad category WordNet's
// lexicographers filed a sense under (noun.food, noun.time, noun.cognition,
// verb.motion ...). A word's files say what kind of thing it names.
type File uint8

// NumFiles is how many lexicographer files WordNet 3.0 has.
const NumFiles = wngen.NumFiles

// fileNames are WordNet 3.0's lexicographer files, by number (lexnames(5WN)).
var fileNames = [NumFiles]string{
	"adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
	"noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
	"noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
	"noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
	"noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
	"verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
	"verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
	"verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
}

// String returns the file's name, e.g. "noun.food".
func (f File) String() string {
	if int(f) < NumFiles {
		return fileNames[f]
	}
	return fmt.Sprintf("file(%d)", uint8(f))
}

// pos returns the table's part of speech of the file's senses, and false
// for adverbs (which the expansion table does not hold).
func (f File) pos() (uint8, bool) {
	switch {
	case f <= 1 || f == 44:
		return adj, true
	case f == 2:
		return 0, false
	case f <= 28:
		return noun, true
	}
	return verb, true
}

// Usage is how a word is used in general English in one lexicographer
// file: how many of its senses WordNet files there, and how often those
// senses were tagged in WordNet's semantic concordance (SemCor, some
// 200,000 tagged words of the Brown corpus and a novel). Tags is a
// frequency: "chance" has 62, "dumpling" none.
type Usage struct {
	File   File
	Senses int
	Tags   int
}

// useTable holds the usage profiles: the table's own lemmas by id first,
// then the one-word lemmas it does not hold (nouns of the dropped files).
type useTable struct {
	extra    string
	extraOff []uint32
	off      []uint32 // per profile id, into files, senses and tags
	files    []uint8
	senses   []uint16
	tags     []uint32
}

func (u *useTable) nExtra() int { return max(len(u.extraOff)-1, 0) }

func (u *useTable) extraWord(i int) string { return u.extra[u.extraOff[i]:u.extraOff[i+1]] }

// useID returns the profile id of lemma w, which has at least one file.
func (t *table) useID(w string) (uint32, bool) {
	u := &t.use
	if id, ok := t.lookup(w); ok {
		return id, int(id)+1 < len(u.off) && u.off[id+1] > u.off[id]
	}
	n := u.nExtra()
	i := sort.Search(n, func(i int) bool { return u.extraWord(i) >= w })
	if i < n && u.extraWord(i) == w {
		return uint32(t.nWords() + i), true
	}
	return 0, false
}

// usages appends id's files of part of speech p (any, if all) to out.
func (t *table) usages(id uint32, p uint8, all bool, out []Usage) []Usage {
	u := &t.use
	for k := u.off[id]; k < u.off[id+1]; k++ {
		f := File(u.files[k])
		if fp, ok := f.pos(); all || ok && fp == p {
			out = append(out, Usage{File: f, Senses: int(u.senses[k]), Tags: int(u.tags[k])})
		}
	}
	return out
}

// hasUsePOS reports whether profile id has a file of part of speech p.
func (t *table) hasUsePOS(id uint32, p uint8) bool {
	u := &t.use
	for k := u.off[id]; k < u.off[id+1]; k++ {
		if fp, ok := File(u.files[k]).pos(); ok && fp == p {
			return true
		}
	}
	return false
}

// Usages appends to out how the one-word term word is used in general
// English, file by file, after WordNet's morphology: a part of speech
// word is no lemma of contributes its base forms' files ("dumplings" →
// dumpling, noun.food; "blossomed" → blossom, verb.change). A word WordNet
// does not have appends nothing.
func Usages(word string, out []Usage) []Usage {
	w := normalise(word)
	if w == "" || len(w) > maxTerm || strings.IndexByte(w, ' ') >= 0 {
		return out
	}
	t := data()
	id, self := t.useID(w)
	if self {
		out = t.usages(id, 0, true, out)
	}
	for p := noun; p <= adj; p++ {
		if self && t.hasUsePOS(id, p) {
			continue // a lemma is not inflected again ("news" is not "new")
		}
		n := len(out)
		add := func(base string) {
			if b, ok := t.useID(base); ok && b != id {
				for _, x := range t.usages(b, p, false, nil) {
					if !hasFile(out[n:], x.File) {
						out = append(out, x)
					}
				}
			}
		}
		if !t.exceptions(w, "", p, add) {
			detach("", w, p, add)
		}
	}
	return out
}

func hasFile(us []Usage, f File) bool {
	for _, u := range us {
		if u.File == f {
			return true
		}
	}
	return false
}

// decodeUsages reads the usage profiles that end the table.
func decodeUsages(r *reader, nw int) (useTable, error) {
	var u useTable
	ne := r.count(2)
	var err error
	if u.extra, u.extraOff, err = r.wordList(ne); err != nil {
		return u, err
	}
	n := nw + ne
	if n > len(r.b) {
		return u, errCorrupt
	}
	u.off = make([]uint32, n+1)
	for i := range n {
		u.off[i+1] = u.off[i] + uint32(r.count(3))
	}
	total := int(u.off[n])
	if r.err != nil || total > len(r.b) {
		return u, errCorrupt
	}
	u.files = make([]uint8, total)
	for k := range u.files {
		if u.files[k] = r.byte(); u.files[k] >= NumFiles {
			return u, errCorrupt
		}
	}
	u.senses = make([]uint16, total)
	for k := range u.senses {
		u.senses[k] = uint16(min(r.uvarint(), 1<<16-1))
	}
	u.tags = make([]uint32, total)
	for k := range u.tags {
		u.tags[k] = uint32(min(r.uvarint(), 1<<32-1))
	}
	return u, r.err
}
