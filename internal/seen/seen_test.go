package seen

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// From Slack's dedupe test: claim, release, eviction by size, expiry.
func TestMemoryClaimRelease(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	m := NewMemory(3, time.Minute)
	if !m.Claim("a", now) || m.Claim("a", now) {
		t.Fatal("claim a")
	}
	// Claimed twice: the second claim is the one a duplicate would fail.
	if first, second := m.Claim("", now), m.Claim("", now); !first || !second {
		t.Error("an empty id must never be treated as a duplicate")
	}
	m.Release("a")
	if !m.Claim("a", now) {
		t.Error("released id still claimed")
	}
	m.Claim("b", now)
	m.Claim("c", now)
	m.Claim("d", now) // evicts a, the oldest
	if m.Len() != 3 {
		t.Errorf("len %d, want 3", m.Len())
	}
	if !m.Claim("a", now) {
		t.Error("evicted id still claimed")
	}
	now = now.Add(2 * time.Minute)
	if !m.Claim("c", now) || m.Len() != 1 {
		t.Errorf("expired ids kept: len %d", m.Len())
	}
}

// From Discord's seenIDs test: a released and re-claimed id takes a new
// place in the order, so it is not the first forgotten.
func TestMemoryReclaimedIsNewest(t *testing.T) {
	m := NewMemory(3, time.Minute)
	t0 := time.Unix(0, 0)
	for i, id := range []string{"a", "b", "c"} {
		if !m.Claim(id, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("%s: not new", id)
		}
	}
	if m.Claim("b", t0.Add(3*time.Second)) {
		t.Error("b seen twice")
	}
	m.Release("a")
	if !m.Claim("a", t0.Add(4*time.Second)) {
		t.Error("a released, then not new")
	}
	// Full (b, c, a): the oldest, b, is forgotten, not the re-claimed a.
	if !m.Claim("d", t0.Add(5*time.Second)) {
		t.Error("d not new")
	}
	if m.Claim("a", t0.Add(6*time.Second)) {
		t.Error("a, re-claimed, was forgotten before older ids")
	}
	if !m.Claim("b", t0.Add(7*time.Second)) {
		t.Error("b, the oldest, was not forgotten when full")
	}
	// Past the ttl every id is forgotten.
	if !m.Claim("c", t0.Add(2*time.Minute)) {
		t.Error("c remembered past its ttl")
	}
}

func TestMemoryBounded(t *testing.T) {
	m := NewMemory(3, time.Minute)
	t0 := time.Unix(0, 0)
	for _, id := range []string{"a", "b", "c", "d"} {
		if !m.Claim(id, t0) {
			t.Errorf("%s reported as seen", id)
		}
	}
	if m.Len() > 3 || len(m.ids) > 3 {
		t.Errorf("%d ids kept (%d in the map), max 3", m.Len(), len(m.ids))
	}
	if m.Claim("d", t0) {
		t.Error("d not remembered")
	}
	if !m.Claim("d", t0.Add(2*time.Minute)) {
		t.Error("d remembered after its ttl")
	}
}

func TestShared(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	var nilShared *Shared
	if !nilShared.Claim(ctx, "x", now) || !NewShared(nil, time.Minute, slog.Default(), "ids").Claim(ctx, "x", now) {
		t.Error("with no store an id must be new")
	}

	var logs bytes.Buffer
	st := testutil.NewSeenStore()
	s := NewShared(st, 6*time.Minute, slog.New(slog.NewTextHandler(&logs, nil)), "interaction ids")
	if !s.Claim(ctx, "a", now) || s.Claim(ctx, "a", now) {
		t.Error("the store's answer was not passed on")
	}
	window, deadline := st.LastCall()
	if window != 6*time.Minute {
		t.Errorf("window %v passed to the store, want 6m", window)
	}
	if deadline <= 0 || deadline > Timeout {
		t.Errorf("the store was asked with %v left, want at most %v", deadline, Timeout)
	}

	// A failing store lets the id through; its warnings are sampled.
	st.Fail(errors.New("database unreachable"))
	for i := range 50 {
		if !s.Claim(ctx, "a", now) {
			t.Fatalf("call %d: refused with the store down", i)
		}
	}
	if n := strings.Count(logs.String(), "cannot check the shared record of interaction ids"); n < 1 || n > 10 {
		t.Errorf("%d warnings for 50 failures, want 1 to 10:\n%s", n, logs.String())
	}
}

func BenchmarkMemoryClaim(b *testing.B) {
	m := NewMemory(10000, 30*time.Minute)
	ids := make([]string, 20000)
	for i := range ids {
		ids[i] = "Ev" + strconv.Itoa(i)
	}
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		m.Claim(ids[i%len(ids)], now)
	}
}
