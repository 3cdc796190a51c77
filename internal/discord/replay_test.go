package discord

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// sharedSeen is a SeenStore as a shared database would be: one set of ids
// for every adapter that uses it.
type sharedSeen struct {
	mu   sync.Mutex
	ids  map[string]time.Time
	fail bool
}

func (s *sharedSeen) ClaimInteraction(_ context.Context, id string, now time.Time, window time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return false, errors.New("database unreachable")
	}
	if at, ok := s.ids[id]; ok && now.Sub(at) < window {
		return false, nil
	}
	s.ids[id] = now
	return true, nil
}

// Issue 13 finding 8: the seen ids lived in one process's memory, so another
// replica, or the same one after a restart, answered a replay again.
func TestReplayRefusedByEveryReplica(t *testing.T) {
	sg := newSigner(t)
	seen := &sharedSeen{ids: map[string]time.Time{}}
	core := newFakeCore()
	replica := func() *Adapter {
		a, _ := newTestAdapter(t, core, Config{PublicKey: sg.pub, Seen: seen})
		return a
	}
	a, b := replica(), replica()
	ask := interactionJSON(t, commandInteraction("201", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	now := time.Now()
	post := func(a *Adapter) int {
		w := httptest.NewRecorder()
		a.InteractionsHandler().ServeHTTP(w, sg.request(ask, now))
		return w.Code
	}
	if code := post(a); code != http.StatusOK {
		t.Fatalf("first delivery: %d", code)
	}
	if code := post(b); code != http.StatusUnauthorized {
		t.Errorf("replay to another replica: %d, want 401", code)
	}
	if code := post(replica()); code != http.StatusUnauthorized {
		t.Errorf("replay after a restart: %d, want 401", code)
	}
	if n := len(core.questions()); n != 1 {
		t.Errorf("asked %d times, want once", n)
	}

	// When the shared store fails, the replica still refuses what it saw.
	seen.fail = true
	if code := post(a); code != http.StatusUnauthorized {
		t.Errorf("replay to the same replica with the store down: %d, want 401", code)
	}
}
