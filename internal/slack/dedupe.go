package slack

import (
	"container/list"
	"sync"
	"time"
)

// dedupe remembers recently handled Events API event ids so that Slack's
// redeliveries (sent when an ack is late) are answered once. Memory is
// bounded by size and age. An id is claimed when its handling starts, so
// the first delivery that gets through is never dropped, and released when
// the adapter could not take the work, so a later retry still gets through.
type dedupe struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	ids   map[string]*list.Element
	order *list.List // of seenEntry, oldest first
}

type seenEntry struct {
	id string
	at time.Time
}

func newDedupe(max int, ttl time.Duration, now func() time.Time) *dedupe {
	return &dedupe{max: max, ttl: ttl, now: now, ids: map[string]*list.Element{}, order: list.New()}
}

// claim reports whether id is new, and if so records it. An empty id is
// always new: without an id there is nothing to deduplicate on.
func (d *dedupe) claim(id string) bool {
	if id == "" {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	for e := d.order.Front(); e != nil; e = d.order.Front() {
		s := e.Value.(seenEntry)
		if now.Sub(s.at) < d.ttl && d.order.Len() < d.max {
			break
		}
		d.order.Remove(e)
		delete(d.ids, s.id)
	}
	if _, ok := d.ids[id]; ok {
		return false
	}
	d.ids[id] = d.order.PushBack(seenEntry{id: id, at: now})
	return true
}

// release forgets id, so a redelivery is handled.
func (d *dedupe) release(id string) {
	if id == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.ids[id]; ok {
		d.order.Remove(e)
		delete(d.ids, id)
	}
}

func (d *dedupe) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
