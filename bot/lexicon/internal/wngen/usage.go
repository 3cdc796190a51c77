package wngen

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// NumFiles is how many lexicographer files WordNet 3.0 has (adj.all = 0 to
// adj.ppl = 44): the broad category of each sense (noun.food, noun.time,
// noun.cognition, verb.motion ...).
const NumFiles = 45

// adverbKey is the part-of-speech key of adverb synsets in fileOf: adverbs
// are not in the expansion table, only in the usage profiles.
const adverbKey = int(numPOS)

// use is one word's senses and their tagged occurrences in one
// lexicographer file.
type use struct{ senses, tags int }

// usages are the usage profiles of the one-word lemmas of every part of
// speech, including the noun files the expansion table drops: how many
// senses each word has in each lexicographer file, and how often those
// senses were tagged in WordNet's semantic concordance (cntlist.rev).
type usages map[string]map[int]*use

// addSenses records the senses of lemma (synsets offs of part of speech
// pos) by the lexicographer file of each. A file number out of range is
// an error.
func (u usages) addSenses(lemma string, pos int, offs []int, fileOf map[[2]int]int) error {
	if strings.ContainsRune(lemma, ' ') {
		return nil // questions are looked up word by word
	}
	for _, o := range offs {
		f, ok := fileOf[[2]int{pos, o}]
		if !ok {
			continue // as for the expansion table: a sense in a missing synset is skipped
		}
		if f < 0 || f >= NumFiles {
			return fmt.Errorf("synset %08d: lexicographer file %d", o, f)
		}
		m := u[lemma]
		if m == nil {
			m = map[int]*use{}
			u[lemma] = m
		}
		if m[f] == nil {
			m[f] = &use{}
		}
		m[f].senses++
	}
	return nil
}

// readIndex reads the index file path of part of speech pos (a table
// key, or adverbKey): it records each lemma's senses by the lexicographer
// file of each (fileOf), then passes the lemma and its synset offsets, in
// sense order, to fn, if not nil.
func (u usages) readIndex(path string, pos int, fileOf map[[2]int]int, fn func(lemma string, offs []int) error) error {
	return eachLine(path, "index", func(line string) error {
		lemma, offs, err := parseIndex(line)
		if err == nil {
			err = u.addSenses(lemma, pos, offs, fileOf)
		}
		if err == nil && fn != nil {
			err = fn(lemma, offs)
		}
		return err
	})
}

// addAdverbs reads data.adv for the files of adverb synsets and index.adv
// for the senses of each adverb.
func (u usages) addAdverbs(dir string) error {
	fileOf := map[[2]int]int{}
	err := eachLine(filepath.Join(dir, "data.adv"), "data", func(line string) error {
		f := strings.Fields(line)
		if len(f) < 2 {
			return errors.New("short synset line")
		}
		off, err1 := strconv.Atoi(f[0])
		lf, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return errors.New("bad offset or lexicographer file")
		}
		fileOf[[2]int{adverbKey, off}] = lf
		return nil
	})
	if err != nil {
		return err
	}
	return u.readIndex(filepath.Join(dir, "index.adv"), adverbKey, fileOf, nil)
}

// addCounts adds the tag counts of cntlist.rev, whose lines are
// "lemma%ss_type:lex_filenum:lex_id:head_word:head_id sense_number tag_cnt".
// A count whose word or file has no sense recorded is left out.
func (u usages) addCounts(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read wordnet counts: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		lemma, file, tags, err := parseCount(sc.Text())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if x := u[lemma][file]; x != nil {
			x.tags += tags
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// parseCount parses one line of cntlist.rev.
func parseCount(line string) (lemma string, file, tags int, err error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return "", 0, 0, fmt.Errorf("want 3 fields, have %d", len(f))
	}
	key, rest, ok := strings.Cut(f[0], "%")
	parts := strings.Split(rest, ":")
	if !ok || key == "" || len(parts) < 3 {
		return "", 0, 0, fmt.Errorf("bad sense key %q", f[0])
	}
	file, err1 := strconv.Atoi(parts[1])
	tags, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || file < 0 || file >= NumFiles || tags < 0 {
		return "", 0, 0, fmt.Errorf("bad file or count in %q", line)
	}
	return lemmaText(key), file, tags, nil
}

// appendTo encodes the profiles after the rest of the table, column by
// column (it compresses better): first the words that are not lemmas of
// the expansion table, prefix-coded in sorted order; then, for each word
// of the expansion table (by id) and each of those, how many files it has;
// then the files, the senses and the tag counts of all of them.
func (u usages) appendTo(out []byte, lemmas []string) []byte {
	inTable := make(map[string]bool, len(lemmas))
	for _, w := range lemmas {
		inTable[w] = true
	}
	var extra []string
	for w := range u {
		if !inTable[w] {
			extra = append(extra, w)
		}
	}
	slices.Sort(extra)
	out = binary.AppendUvarint(out, uint64(len(extra)))
	out = appendWords(out, extra)
	var files, senses, tags []byte
	for _, w := range slices.Concat(lemmas, extra) {
		fs := make([]int, 0, len(u[w]))
		for f := range u[w] {
			fs = append(fs, f)
		}
		slices.Sort(fs)
		out = binary.AppendUvarint(out, uint64(len(fs)))
		for _, f := range fs {
			files = append(files, byte(f))
			senses = binary.AppendUvarint(senses, uint64(u[w][f].senses))
			tags = binary.AppendUvarint(tags, uint64(u[w][f].tags))
		}
	}
	return append(append(append(out, files...), senses...), tags...)
}
