package bot

import (
	"container/list"
	"sync"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// conversations keeps, per conversation key, what the last answer was about,
// for a few minutes and for a bounded number of conversations.
type conversations struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *convEntry, most recent at the front
	byKey map[string]*list.Element
}

type convEntry struct {
	key     string
	topicID string
	// question is what the last answer answered, for "what about 2023?".
	question string
	// sources backed the last answer; more are the topic's others.
	sources []knowledge.Source
	more    []knowledge.Source
	// details are the last answer's own details: a computed timeline
	// answer's are not its topic's.
	details string
	expires time.Time
}

func newConversations(max int, ttl time.Duration, now func() time.Time) *conversations {
	return &conversations{max: max, ttl: ttl, now: now, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *conversations) remember(key string, a Answer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &convEntry{key: key, topicID: a.Topic.ID, question: a.Question, sources: a.Sources, more: a.MoreSources, details: a.Details, expires: c.now().Add(c.ttl)}
	if el, ok := c.byKey[key]; ok {
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.byKey[key] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byKey, old.Value.(*convEntry).key)
	}
}

func (c *conversations) last(key string) (convEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return convEntry{}, false
	}
	e := el.Value.(*convEntry)
	if c.now().After(e.expires) {
		c.order.Remove(el)
		delete(c.byKey, key)
		return convEntry{}, false
	}
	return *e, true
}

func (c *conversations) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// rateLimiter allows n events per window per key (a sliding log). Idle keys
// are swept so memory stays bounded by the number of active users.
type rateLimiter struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	now    func() time.Time
	log    map[string][]time.Time
	sweep  time.Time
}

func newRateLimiter(n int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{n: n, window: window, now: now, log: map[string][]time.Time{}}
}

func (r *rateLimiter) allow(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	cut := now.Add(-r.window)
	if now.Sub(r.sweep) > r.window {
		for k, ts := range r.log {
			if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
				delete(r.log, k)
			}
		}
		r.sweep = now
	}
	ts := r.log[key]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= r.n {
		r.log[key] = ts
		return false
	}
	r.log[key] = append(ts, now)
	return true
}
