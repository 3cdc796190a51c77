package slack

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// Issue 13 finding 8: one captured slash command replayed 10 times gave 10
// replies, and a click replayed recorded feedback again.
func TestReplaysAreAnsweredOnce(t *testing.T) {
	e := newTestEnv(t)
	form := url.Values{
		"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"},
		"user_name": {"someone"}, "command": {"/ask"}, "text": {"what is power of siberia"},
		"response_url": {e.fake.responseURL()}, "trigger_id": {"9.9.9"},
	}
	replay(t, e.a.CommandsHandler(), "/slack/commands", []byte(form.Encode()), 10)
	e.drain(t)
	if q := e.core.questions(); len(q) != 1 {
		t.Errorf("a command delivered 10 times was asked %d times, want once", len(q))
	}
}

// replay delivers one signed form body n times, with one signature time as
// a captured request replayed would have, and fails unless Slack would see
// each delivery accepted (200: a replay is acknowledged, not answered).
func replay(t *testing.T, h http.Handler, path string, body []byte, n int) {
	t.Helper()
	at := time.Now()
	for i := range n {
		if w := serve(h, signed(http.MethodPost, path, "application/x-www-form-urlencoded", body, at, testSecret)); w.Code != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, w.Code)
		}
	}
}

func TestReplayedClickIsIgnored(t *testing.T) {
	e := newTestEnv(t)
	replay(t, e.a.InteractionsHandler(), "/slack/interactions", e.clickBody("fb_down", "power-of-siberia", "C1", true), 5)
	e.drain(t)
	if n := len(e.core.feedbacks()); n != 1 {
		t.Errorf("a click delivered 5 times recorded %d feedbacks, want 1", n)
	}
}

func TestFutureTimestampsWithinAMinute(t *testing.T) {
	body := []byte("x=1")
	now := time.Now()
	for _, c := range []struct {
		ahead time.Duration
		ok    bool
	}{{30 * time.Second, true}, {55 * time.Second, true}, {2 * time.Minute, false}, {4 * time.Minute, false}} {
		r := signed(http.MethodPost, "/", "application/x-www-form-urlencoded", body, now.Add(c.ahead), testSecret)
		err := verify(testSecret, r.Header, body, now)
		if (err == nil) != c.ok {
			t.Errorf("timestamp %v ahead: %v", c.ahead, err)
		}
	}
}

// Review L1: attackers' rejections and the warning that the shared record
// is down shared one log sampler, so a flood of bad signatures silenced
// the warning.
func TestStoreWarningsSurviveARejectionFlood(t *testing.T) {
	down := testutil.NewSeenStore()
	down.Fail(errors.New("database unreachable"))
	e := newTestEnv(t, func(c *Config) { c.Seen = down })
	for range 100 {
		r := signed(http.MethodPost, "/slack/commands", "application/x-www-form-urlencoded", []byte("text=x"), time.Now(), "wrong secret")
		if w := serve(e.a.CommandsHandler(), r); w.Code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", w.Code)
		}
	}
	if w := e.command("what is power of siberia", "C1"); w.Code != http.StatusOK {
		t.Fatalf("signed command with the store down: %d", w.Code)
	}
	e.drain(t)
	if !strings.Contains(e.logs.String(), "cannot check the shared record") {
		t.Error("the store's warning was not logged after a flood of rejections")
	}
}
