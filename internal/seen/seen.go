// Package seen remembers the ids of requests already handled, so that a
// replayed or redelivered request is handled once: first in this process's
// memory (Memory), then, for what memory lets through, in a record every
// replica shares (Shared, backed by a Store such as internal/store's).
package seen

import (
	"container/list"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/summitbot/summitbot/internal/logsample"
)

// Memory remembers ids for a ttl, bounded to max entries; when full, the
// oldest are forgotten first. An id is claimed when its handling starts and
// can be released when the work could not be taken, so that a retry still
// gets through. Its methods are safe for concurrent use.
type Memory struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	ids   map[string]*list.Element
	order *list.List // of entry, oldest first
}

type entry struct {
	id string
	at time.Time
}

// NewMemory returns a Memory keeping at most max ids, each for ttl.
func NewMemory(max int, ttl time.Duration) *Memory {
	return &Memory{max: max, ttl: ttl, ids: map[string]*list.Element{}, order: list.New()}
}

// Claim reports whether id is new at now, and if so records it. An empty id
// is always new: without an id there is nothing to deduplicate on.
func (m *Memory) Claim(id string, now time.Time) bool {
	if id == "" {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for e := m.order.Front(); e != nil; e = m.order.Front() {
		s := e.Value.(entry)
		if now.Sub(s.at) < m.ttl && m.order.Len() < m.max {
			break
		}
		m.order.Remove(e)
		delete(m.ids, s.id)
	}
	if _, ok := m.ids[id]; ok {
		return false
	}
	m.ids[id] = m.order.PushBack(entry{id: id, at: now})
	return true
}

// Release forgets id, as if it had never been claimed.
func (m *Memory) Release(id string) {
	if id == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.ids[id]; ok {
		m.order.Remove(e)
		delete(m.ids, id)
	}
}

// Len is how many ids are remembered.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}

// Store remembers ids where every replica sees them (the shared
// seen_interactions table). internal/store's *Store satisfies it.
type Store interface {
	// ClaimInteraction records id as seen at now and reports whether it
	// was new; ids seen more than window ago are forgotten.
	ClaimInteraction(ctx context.Context, id string, now time.Time, window time.Duration) (bool, error)
}

// Timeout bounds a lookup in the Store; past it (or on an error) this
// replica's memory alone decides.
const Timeout = 500 * time.Millisecond

// Shared claims ids in a Store. A nil *Shared, or one with a nil Store,
// claims every id.
type Shared struct {
	store  Store
	window time.Duration
	log    *slog.Logger
	what   string
	// warn samples the warnings that the store failed, with a sampler of
	// their own: a replayed request can arrive by the thousand, and other
	// warnings must not silence these.
	warn *logsample.Sampler
}

// NewShared returns a Shared claiming ids in store for window. Failures are
// logged to log (a few a second at most) as failures to check the shared
// record of what, e.g. "interaction ids".
func NewShared(store Store, window time.Duration, log *slog.Logger, what string) *Shared {
	return &Shared{store: store, window: window, log: log, what: what, warn: logsample.New(5, time.Second)}
}

// Claim reports whether no replica had claimed id before now; true when
// there is no store, or when it fails or takes longer than Timeout (this
// replica's memory has decided already).
func (s *Shared) Claim(ctx context.Context, id string, now time.Time) bool {
	if s == nil || s.store == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	fresh, err := s.store.ClaimInteraction(ctx, id, now, s.window)
	if err != nil {
		if n, ok := s.warn.Allow(now); ok {
			s.log.Warn("cannot check the shared record of "+s.what+"; using this replica's", "err", err, "unlogged_since_last", n)
		}
		return true
	}
	return fresh
}
