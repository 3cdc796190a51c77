// Package glovetab is the layout of the GloVe table: what glovegen writes
// and package vectors reads in place. It is apart from the generator so
// that the binary links neither the generator nor what it imports.
//
// The table, all integers little-endian:
//
//	Magic
//	u32 n, u32 Dim, u32 slots (a power of two, at least 2n)
//	(n+1) × u32  offsets of the words in the words blob, in word order
//	n × u16      frequency rank, 0 = most frequent
//	n × f32      scale: a component is its int8 times the scale
//	slots × u16  the hash index: 1 + the word at Hash(word)&(slots-1), or
//	             at the first of the following slots (wrapping) that is
//	             not taken by another word; 0 is a free slot
//	n × Dim × i8 the quantised vectors
//	the words, sorted (byte order) and concatenated
//
// The hash index makes a lookup one hash and 1.4 word comparisons on
// average (2.2 slots for a miss): 16–24 ns in vectors' BenchmarkFind,
// where a binary search over the sorted words, 15 comparisons, took
// 72–212 ns in the same run (load average 7).
package glovetab

// Magic starts the table; its version is bumped whenever the layout changes.
const Magic = "summitbot-glove-6b-100d/v1\n"

// Dim is the vectors' dimension.
const Dim = 100

// HeaderLen is the length of Magic and the three counts.
const HeaderLen = len(Magic) + 12

// Hash is 32-bit FNV-1a, the hash index's.
func Hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
