package testutil

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestWaitForAndLockedBuffer(t *testing.T) {
	var b LockedBuffer
	var wg sync.WaitGroup
	var done atomic.Int32
	for i := range 8 {
		wg.Go(func() {
			fmt.Fprintf(&b, "%d\n", i)
			done.Add(1)
		})
	}
	WaitFor(t, "eight writers", func() bool { return done.Load() == 8 })
	wg.Wait()
	if n := len(b.String()); n != 16 {
		t.Errorf("buffer holds %d bytes, want 16", n)
	}
}

func TestSeenStore(t *testing.T) {
	s := NewSeenStore()
	t0 := time.Unix(1_700_000_000, 0)
	down := errors.New("database unreachable")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, c := range []struct {
		id    string
		at    time.Duration // after t0
		fail  error
		fresh bool
	}{
		{"a", 0, nil, true},
		{"a", time.Minute, nil, false},
		{"b", time.Minute, nil, true},
		{"a", 6 * time.Minute, nil, true}, // older than the window: forgotten
		{"c", 7 * time.Minute, down, false},
		{"c", 7 * time.Minute, nil, true}, // a failed claim recorded nothing
	} {
		s.Fail(c.fail)
		fresh, err := s.ClaimInteraction(ctx, c.id, t0.Add(c.at), 5*time.Minute)
		if fresh != c.fresh || !errors.Is(err, c.fail) || (err == nil) != (c.fail == nil) {
			t.Errorf("%d: claim %q at +%v = %v, %v; want %v, %v", i, c.id, c.at, fresh, err, c.fresh, c.fail)
		}
	}
	if n := s.Claims(); n != 6 {
		t.Errorf("%d claims counted, want 6", n)
	}
	if w, d := s.LastCall(); w != 5*time.Minute || d <= 0 || d > time.Minute {
		t.Errorf("last call with window %v and %v left, want 5m and at most 1m", w, d)
	}
	s.ClaimInteraction(context.Background(), "d", t0, time.Minute)
	if _, d := s.LastCall(); d != 0 {
		t.Errorf("a claim without a deadline: %v left, want 0", d)
	}
}

func TestRetainedHeap(t *testing.T) {
	if got := RetainedHeap(func() []byte { return make([]byte, 4<<20) }); got < 3<<20 { // the rest of the heap may shrink a little meanwhile
		t.Errorf("a kept 4 MiB slice counts %d bytes", got)
	}
	if got := RetainedHeap(func() int { _ = make([]byte, 4<<20); return 1 }); got > 1<<20 {
		t.Errorf("garbage made while building counts %d bytes", got)
	}
}
