package bot

import (
	"slices"
)

// hashTable is a multimap from 32-bit hashes to word indexes, packed as
// sorted uint64s (hash<<32 | index): 8 bytes an entry, against the tens of
// bytes of a Go map of slices. A lookup is a binary search. Hashes may
// collide; a collision only adds a candidate, which the caller checks.
type hashTable []uint64

func pack(h uint64, i int) uint64 { return uint64(fold32(h))<<32 | uint64(uint32(i)) }

func fold32(h uint64) uint32 { return uint32(h ^ h>>32) }

// sealed sorts the entries and drops duplicates.
func (t hashTable) sealed() hashTable {
	slices.Sort(t)
	return slices.Clip(slices.Compact(t))
}

// each calls fn with every index stored under the hash h.
func (t hashTable) each(h uint64, fn func(int32)) {
	k := uint64(fold32(h)) << 32
	lo, hi := 0, len(t) // sort.Search's, without a call a step
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); t[m] < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := lo; i < len(t) && t[i]&^0xffffffff == k; i++ {
		fn(int32(uint32(t[i])))
	}
}

// deletionIndex holds each one-byte deletion of each word of four letters
// or more, and each two-byte deletion of words of seven or more (the
// shortest that may be two edits from a word: see maxTypos), under the
// word's index in list. With the same deletions of a query word, every
// word within the allowed edits shares a key with it (the SymSpell idea).
func deletionIndex(list []string) hashTable {
	var t hashTable
	for i, w := range list {
		if len(w) < 4 {
			continue
		}
		eachDeletion(w, len(w) >= 7, func(h uint64) { t = append(t, pack(h, i)) })
	}
	return t.sealed()
}

// hashIndex holds the hash of each word under its index in list.
func hashIndex(list []string) hashTable {
	t := make(hashTable, 0, len(list))
	for i, w := range list {
		t = append(t, pack(hashWord(w), i))
	}
	return t.sealed()
}

// eachDeletion calls fn with the hash of every string made by deleting one
// byte of w and, if two is set, two bytes.
func eachDeletion(w string, two bool, fn func(uint64)) {
	for i := range len(w) {
		if i > 0 && w[i] == w[i-1] {
			continue // same result as deleting the previous byte
		}
		fn(hashSkip(w, i, -1))
		if !two {
			continue
		}
		for j := i + 1; j < len(w); j++ {
			if j > i+1 && w[j] == w[j-1] {
				continue
			}
			fn(hashSkip(w, i, j))
		}
	}
}

// hashSkip is the FNV-1a hash of w without the bytes at i and j (j < 0: only i).
func hashSkip(w string, i, j int) uint64 {
	h := uint64(14695981039346656037)
	for k := 0; k < len(w); k++ {
		if k == i || k == j {
			continue
		}
		h ^= uint64(w[k])
		h *= 1099511628211
	}
	return h
}

// hashWord is the FNV-1a hash of w, the key of a word with nothing deleted.
func hashWord(w string) uint64 { return hashSkip(w, -1, -1) }

// maxWordLen bounds the words typo search and splitting consider: no word
// of the knowledge base, the stop list or the filler list is longer, and
// their cost grows with the square of the length (a 1,000-letter
// run-together token cost 300× a normal question, issue 13 finding 10).
const maxWordLen = 30

// maxTypos is how many edits a misspelt word of n letters may have.
func maxTypos(n int) int {
	if n >= 7 {
		return 2
	}
	return 1
}

// fuzzy finds the knowledge base word closest to w (one edit for short
// words, two for words of seven letters or more) and returns its term. It
// uses deletion neighbourhoods on both sides (the SymSpell idea), with two
// deletions from long words. Numbers are never fuzzed: 2023 is not a typo
// of 2024.
func (idx *index) fuzzy(w string) (int32, int) {
	if len(w) < 4 || len(w) > maxWordLen {
		return -1, 0
	}
	best, bestD, bestDF, bestWord := int32(-1), 3, 0, ""
	seen := map[int32]bool{}
	consider := func(i int32) {
		if seen[i] {
			return
		}
		seen[i] = true
		cand := idx.surfaceList[i]
		// Typos rarely change the first letter, and a short word is most
		// often mistyped by leaving a letter out ("pwer"): other
		// neighbours of short words are real words ("tall", "tire").
		if cand[0] != w[0] || len(w) < 5 && len(cand) != len(w)+1 {
			return
		}
		maxD := maxTypos(max(len(w), len(cand)))
		d := editDistance(w, cand, maxD)
		id := idx.surfaces[cand]
		df := len(idx.postings[id])
		if d <= maxD && (d < bestD || d == bestD && (df > bestDF || df == bestDF && cand < bestWord)) {
			best, bestD, bestDF, bestWord = id, d, df, cand
		}
	}
	neighbours(idx.deletes, idx.surfaceHash, w, len(w) >= 7, consider)
	return best, bestD
}

// neighbours calls f with the entries that may be one or two edits from
// w, given the hashes of the entries' deletion variants (deletes) and of
// the entries themselves (whole): w is an entry with letters missing, or w
// with letters deleted is an entry (w has extra letters), or both have
// lost letters (substitutions and transpositions). two also tries two
// deletions from w.
func neighbours(deletes, whole hashTable, w string, two bool, f func(int32)) {
	deletes.each(hashWord(w), f)
	eachDeletion(w, two, func(h uint64) {
		deletes.each(h, f)
		whole.each(h, f)
	})
}

// split tries to read w as two known words written without a space
// ("chinarussia"). With written, both parts must be words of the knowledge
// base as they are written ("gas" "fields"), not only by their stems
// ("pro" is the stem of "pros", "incid" of "incidents").
func (idx *index) split(w string, written bool) (int32, int32, bool) {
	if len(w) < 7 || len(w) > 2*maxWordLen {
		return 0, 0, false
	}
	lookup := func(s string) (int32, bool) {
		if enStop[s] {
			return 0, false
		}
		if id, ok := idx.surfaces[s]; ok {
			return id, true
		}
		if written {
			return 0, false
		}
		id, ok := idx.vocab[stem(s)]
		return id, ok
	}
	for i := 3; i <= len(w)-3; i++ {
		a, okA := lookup(w[:i])
		if !okA {
			continue
		}
		if b, okB := lookup(w[i:]); okB {
			return a, b, true
		}
	}
	return 0, 0, false
}

// stopList, stopDeletes and stopHashes index the stop and filler words for
// nearStopWord.
var stopList, stopDeletes, stopHashes = func() ([]string, hashTable, hashTable) {
	var list []string
	for w := range enStop {
		if len(w) >= 4 {
			list = append(list, w)
		}
	}
	for w := range softWords {
		list = append(list, w)
	}
	slices.Sort(list)
	list = slices.Compact(list)
	return list, deletionIndex(list), hashIndex(list)
}()

// nearStopWord reports whether w is one edit from a stop or filler word.
func nearStopWord(w string) bool {
	if len(w) < 4 || len(w) > maxWordLen {
		return false
	}
	near := func(i int32) bool {
		c := stopList[i]
		return c[0] == w[0] && editDistance(w, c, 1) <= 1
	}
	found := false
	neighbours(stopDeletes, stopHashes, w, false, func(i int32) { found = found || near(i) })
	return found
}

// editDistance is the optimal-string-alignment distance between a and b,
// giving up (returning max+1) once it exceeds max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rows: on the stack when b has at most maxWordLen bytes (the
	// typo lookups' words mostly do), else made.
	var rows [3][maxWordLen + 1]int
	var prev2, prev, cur []int
	if n := len(b) + 1; n <= len(rows[0]) {
		prev2, prev, cur = rows[0][:n], rows[1][:n], rows[2][:n]
	} else {
		prev2, prev, cur = make([]int, n), make([]int, n), make([]int, n)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
