package bot

import (
	"slices"
	"testing"
)

// TestPermute: permute puts s[perm[i]] at i, for permutations with fixed
// points, one cycle, several cycles and none at all.
func TestPermute(t *testing.T) {
	for _, perm := range [][]int{
		{},
		{0},
		{0, 1, 2},
		{1, 0},
		{1, 2, 0},
		{2, 0, 1, 3},
		{3, 2, 1, 0},
		{1, 0, 3, 2, 4},
		{11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
	} {
		s := make([]scored, len(perm))
		for i := range s {
			s[i].topic, s[i].raw = 100+i, float64(i)
		}
		permute(s, slices.Clone(perm))
		for i, c := range s {
			if c.topic != 100+perm[i] || c.raw != float64(perm[i]) {
				t.Errorf("permute(%v): at %d topic %d, want %d", perm, i, c.topic, 100+perm[i])
			}
		}
	}
}
