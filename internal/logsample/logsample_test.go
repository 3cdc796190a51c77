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
	// Twice at the same instant: the refill was 0/0, NaN, which let the
	// second line through.
	var zero Sampler
	for i := range 3 {
		if _, ok := zero.Allow(t0); ok {
			t.Errorf("the zero Sampler let line %d through", i)
		}
	}
}
