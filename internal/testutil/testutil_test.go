package testutil

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
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
