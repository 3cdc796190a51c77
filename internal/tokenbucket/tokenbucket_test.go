package tokenbucket

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	tests := []struct {
		name string
		b    Bucket
		at   []time.Duration // offsets from t0 of successive takes
		want []bool
		wait time.Duration // the last take's wait
	}{
		{"burst then empty", New(2, time.Second), []time.Duration{0, 0, 0}, []bool{true, true, false}, time.Second},
		{"earns one back", New(2, 500*time.Millisecond), []time.Duration{0, 0, 500 * time.Millisecond, 500 * time.Millisecond}, []bool{true, true, true, false}, 500 * time.Millisecond},
		{"part of a token", New(1, time.Second), []time.Duration{0, 250 * time.Millisecond}, []bool{true, false}, 750 * time.Millisecond},
		{"never more than burst", New(2, time.Millisecond), []time.Duration{0, time.Hour, time.Hour, time.Hour}, []bool{true, true, true, false}, time.Millisecond},
		// The zero value divided by a zero interval: 0/0 is NaN, which
		// once let a token through.
		{"zero value", Bucket{}, []time.Duration{0, 0, time.Second}, []bool{false, false, false}, 0},
	}
	for _, tc := range tests {
		b := tc.b
		var wait time.Duration
		for i, at := range tc.at {
			var ok bool
			ok, wait = b.Take(t0.Add(at))
			if ok != tc.want[i] {
				t.Errorf("%s: take %d at %v = %v, want %v", tc.name, i, at, ok, tc.want[i])
			}
		}
		if wait != tc.wait {
			t.Errorf("%s: last wait %v, want %v", tc.name, wait, tc.wait)
		}
	}
}
