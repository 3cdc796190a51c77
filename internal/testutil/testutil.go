// Package testutil holds the helpers that the tests of several packages
// share. Only tests import it.
package testutil

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// WaitFor polls cond until it holds, and fails t if it does not within a
// generous deadline: it asserts an eventual state, not a speed.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// LockedBuffer is a bytes.Buffer safe for concurrent writers, such as a
// logger written to from several goroutines.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// SeenStore is a shared record of seen ids as a database would keep it
// (internal/seen's Store): one set of ids for every adapter or replica that
// uses it, each forgotten once it is older than the window it is claimed
// with. It counts its calls and keeps what the last one was asked with, and
// can be made to fail. Its methods are safe for concurrent use.
type SeenStore struct {
	mu       sync.Mutex
	ids      map[string]time.Time
	err      error
	claims   int
	window   time.Duration
	deadline time.Duration
}

// NewSeenStore returns an empty SeenStore that works.
func NewSeenStore() *SeenStore { return &SeenStore{ids: map[string]time.Time{}} }

// ClaimInteraction records id as seen at now and reports whether it was
// new within window, or fails with the error given to Fail.
func (s *SeenStore) ClaimInteraction(ctx context.Context, id string, now time.Time, window time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims++
	s.window, s.deadline = window, 0
	if d, ok := ctx.Deadline(); ok {
		s.deadline = time.Until(d)
	}
	if s.err != nil {
		return false, s.err
	}
	if at, ok := s.ids[id]; ok && now.Sub(at) < window {
		return false, nil
	}
	s.ids[id] = now
	return true, nil
}

// Fail makes every later claim fail with err, as a database that is down
// would; Fail(nil) brings it back.
func (s *SeenStore) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// Claims is how many times ClaimInteraction was called.
func (s *SeenStore) Claims() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims
}

// LastCall is the window the last claim passed and how long its context
// had left before its deadline (0 without one).
func (s *SeenStore) LastCall() (window, deadline time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.window, s.deadline
}

// RetainedHeap returns how many bytes of live heap what build returns
// keeps, collecting garbage before and after it runs: the memory a table or
// an index holds, not what building it churned through. (Generic, so that
// a value is not boxed, and counted, before it is measured.)
func RetainedHeap[T any](build func() T) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}
