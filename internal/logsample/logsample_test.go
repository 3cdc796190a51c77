package logsample

import (
	"slices"
	"testing"
	"time"
)

func TestSampler(t *testing.T) {
	s := New(2, time.Second)
	t0 := time.Unix(0, 0)
	var got []bool
	for i := range 5 {
		_, ok := s.Allow(t0.Add(time.Duration(i) * time.Millisecond))
		got = append(got, ok)
	}
	if want := []bool{true, true, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("a burst: %v, want %v", got, want)
	}
	n, ok := s.Allow(t0.Add(1100 * time.Millisecond))
	if !ok || n != 3 {
		t.Errorf("after a second: ok=%v unlogged=%d, want true and 3", ok, n)
	}
	if _, ok := (&Sampler{}).Allow(t0); ok {
		t.Error("the zero Sampler let a line through")
	}
}
