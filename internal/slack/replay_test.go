package slack

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
	body := []byte(form.Encode())
	at := time.Now()
	for n := range 10 {
		w := serve(e.a.CommandsHandler(), signed(http.MethodPost, "/slack/commands", "application/x-www-form-urlencoded", body, at, testSecret))
		if w.Code != http.StatusOK {
			t.Fatalf("delivery %d: %d", n, w.Code)
		}
	}
	e.drain(t)
	if q := e.core.questions(); len(q) != 1 {
		t.Errorf("a command delivered 10 times was asked %d times, want once", len(q))
	}
}

func TestReplayedClickIsIgnored(t *testing.T) {
	e := newTestEnv(t)
	body := e.clickBody("fb_down", "power-of-siberia", "C1", true)
	at := time.Now()
	for n := range 5 {
		w := serve(e.a.InteractionsHandler(), signed(http.MethodPost, "/slack/interactions", "application/x-www-form-urlencoded", body, at, testSecret))
		if w.Code != http.StatusOK {
			t.Fatalf("delivery %d: %d", n, w.Code)
		}
	}
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

// downSeen is a shared SeenStore that is down.
type downSeen struct{}

func (downSeen) ClaimInteraction(context.Context, string, time.Time, time.Duration) (bool, error) {
	return false, errors.New("database unreachable")
}

// Review L1: attackers' rejections and the warning that the shared record
// is down shared one log sampler, so a flood of bad signatures silenced
// the warning.
func TestStoreWarningsSurviveARejectionFlood(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Seen = downSeen{} })
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
