package bot

import (
	"slices"
	"sort"
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
	for i := sort.Search(len(t), func(i int) bool { return t[i] >= k }); i < len(t) && t[i]&^0xffffffff == k; i++ {
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
