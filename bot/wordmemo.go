package bot

import (
	"strings"
	"sync"
)

// wordMemo remembers a value per word of a question, for at most max
// words. Its keys are copies: a word is a piece of the question, which the
// memo must not keep alive. It is safe for concurrent use.
type wordMemo[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	max int
}

func newWordMemo[V any](max int) *wordMemo[V] { return &wordMemo[V]{m: map[string]V{}, max: max} }

// get returns w's value, computing it with f (outside the lock) the first
// time.
func (m *wordMemo[V]) get(w string, f func(string) V) V {
	m.mu.Lock()
	v, ok := m.m[w]
	m.mu.Unlock()
	if ok {
		return v
	}
	v = f(w)
	m.mu.Lock()
	if len(m.m) < m.max {
		m.m[strings.Clone(w)] = v
	}
	m.mu.Unlock()
	return v
}
