package discord

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// Issue 13 finding 8: the seen ids lived in one process's memory, so another
// replica, or the same one after a restart, answered a replay again.
func TestReplayRefusedByEveryReplica(t *testing.T) {
	sg := newSigner(t)
	seen := testutil.NewSeenStore()
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
	seen.Fail(errors.New("database unreachable"))
	if code := post(a); code != http.StatusUnauthorized {
		t.Errorf("replay to the same replica with the store down: %d, want 401", code)
	}
}

// Review M4: every replay, even one this replica's memory had refused,
// claimed its id in the shared database, before taking a work slot, and
// with the database down each logged a warning.
func TestReplaysDoNotReachTheSharedStore(t *testing.T) {
	sg := newSigner(t)
	seen := testutil.NewSeenStore()
	a, logs := newTestAdapter(t, newFakeCore(), Config{PublicKey: sg.pub, Seen: seen})
	now := time.Now()
	post := func(id string) int {
		w := httptest.NewRecorder()
		ask := interactionJSON(t, commandInteraction(id, cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
		a.InteractionsHandler().ServeHTTP(w, sg.request(ask, now))
		return w.Code
	}
	if code := post("301"); code != http.StatusOK {
		t.Fatalf("first delivery: %d", code)
	}
	for range 20 {
		if code := post("301"); code != http.StatusUnauthorized {
			t.Fatalf("replay: %d, want 401", code)
		}
	}
	if n := seen.Claims(); n != 1 {
		t.Errorf("the shared store was asked %d times for one id and 20 replays, want once", n)
	}

	// With the store down, new ids are still answered; its warning is
	// sampled.
	seen.Fail(errors.New("database unreachable"))
	const ids = 50
	for n := range ids {
		if code := post(strconv.Itoa(1000 + n)); code != http.StatusOK {
			t.Fatalf("new id with the store down: %d", code)
		}
	}
	if n := strings.Count(logs.String(), "cannot check the shared record"); n < 1 || n > 10 {
		t.Errorf("%d warnings for %d requests with the store down, want 1 to 10", n, ids)
	}
}

// Review L8: an interaction refused for want of a work slot had its id
// burnt already, so a retry of it was refused as a replay. Like Slack, the
// id counts as seen only once the interaction is answered.
func TestBusyInteractionIsNotBurnt(t *testing.T) {
	sg := newSigner(t)
	seen := testutil.NewSeenStore()
	busy := true
	a, _ := newTestAdapter(t, newFakeCore(), Config{PublicKey: sg.pub, Seen: seen, Admit: func() (func(), bool) {
		return func() {}, !busy
	}})
	ask := interactionJSON(t, commandInteraction("401", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	now := time.Now()
	post := func() int {
		w := httptest.NewRecorder()
		a.InteractionsHandler().ServeHTTP(w, sg.request(ask, now))
		return w.Code
	}
	if code := post(); code != http.StatusServiceUnavailable {
		t.Fatalf("with every slot taken: %d, want 503", code)
	}
	busy = false
	if code := post(); code != http.StatusOK {
		t.Errorf("the same interaction once a slot is free: %d, want 200", code)
	}
	if code := post(); code != http.StatusUnauthorized {
		t.Errorf("a replay of the answered interaction: %d, want 401", code)
	}
}
