package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/summitbot/summitbot/internal/testutil"
)

// socketServer accepts Socket Mode websocket connections on the fake Slack
// and hands each to the test.
func socketServer(t *testing.T, f *fakeSlack) chan *websocket.Conn {
	conns := make(chan *websocket.Conn, 4)
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	f.ws = func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		conns <- c
	}
	return conns
}

func nextConn(t *testing.T, conns chan *websocket.Conn) *websocket.Conn {
	t.Helper()
	select {
	case c := <-conns:
		t.Cleanup(func() { _ = c.Close() })
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no socket mode connection")
		return nil
	}
}

// envelope sends a Socket Mode request and returns Slack's view of the ack.
func envelope(t *testing.T, c *websocket.Conn, typ, id string, payload any) map[string]any {
	t.Helper()
	p, _ := json.Marshal(payload)
	if raw, ok := payload.(string); ok {
		p = []byte(raw)
	}
	msg := map[string]any{"type": typ, "envelope_id": id, "payload": json.RawMessage(p), "accepts_response_payload": typ == "slash_commands"}
	if err := c.WriteJSON(msg); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ack map[string]any
	if err := c.ReadJSON(&ack); err != nil {
		t.Fatalf("reading ack for %s: %v", id, err)
	}
	if ack["envelope_id"] != id {
		t.Fatalf("ack %v, want envelope %s", ack, id)
	}
	return ack
}

func TestSocketMode(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.SigningSecret = ""; c.AppToken = "xapp-1-test" })
	conns := socketServer(t, e.fake)
	if e.a.Connected() {
		t.Error("connected before RunSocketMode")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- e.a.RunSocketMode(ctx) }()

	c := nextConn(t, conns)
	if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "connected", e.a.Connected)
	if open := e.fake.callsTo("/api/apps.connections.open"); len(open) != 1 {
		t.Fatalf("apps.connections.open calls: %d", len(open))
	}

	// An app mention: acked, then answered in a thread like over HTTP.
	envelope(t, c, "events_api", "env1", mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""))
	posts := e.fake.waitCalls(t, "/api/chat.postMessage", 1)
	if posts[0].Form.Get("thread_ts") != "1700000000.000100" {
		t.Errorf("reply thread %q", posts[0].Form.Get("thread_ts"))
	}
	// The same event redelivered is acked but not answered again.
	envelope(t, c, "events_api", "env2", mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""))

	// An empty slash command gets help in the ack payload.
	ack := envelope(t, c, "slash_commands", "env3", map[string]any{
		"command": "/ask", "text": "", "user_id": "U1", "channel_id": "C1", "response_url": e.fake.responseURL()})
	if p, _ := json.Marshal(ack["payload"]); !strings.Contains(string(p), "what is power of siberia") {
		t.Errorf("slash ack payload %s", p)
	}
	// A question by slash command is answered through response_url.
	envelope(t, c, "slash_commands", "env4", map[string]any{
		"command": "/ask", "text": "what is power of siberia", "user_id": "U1", "channel_id": "C1", "response_url": e.fake.responseURL()})
	e.fake.waitCalls(t, "/hooks/T1/123/abc", 1)

	// A click.
	envelope(t, c, "interactive", "env5", map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U2"}, "channel": map[string]any{"id": "C1"},
		"response_url": e.fake.responseURL(),
		"actions":      []any{map[string]any{"type": "button", "action_id": "fb_up", "block_id": "b", "value": "power-of-siberia"}},
	})
	testutil.WaitFor(t, "feedback", func() bool { return len(e.core.feedbacks()) == 1 })

	// The connection drops: the adapter reconnects.
	_ = c.Close()
	c2 := nextConn(t, conns)
	if err := c2.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, "reconnected", func() bool {
		return e.a.Connected() && len(e.fake.callsTo("/api/apps.connections.open")) == 2
	})
	envelope(t, c2, "events_api", "env6", dmEvent("Ev2", "what is power of siberia", nil))
	e.fake.waitCalls(t, "/api/chat.postMessage", 2)

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("RunSocketMode returned %v on a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not return after cancel")
	}
	if e.a.Connected() {
		t.Error("still connected after shutdown")
	}
	e.drain(t)
	if n := len(e.core.questions()); n != 3 {
		t.Errorf("core asked %d questions, want 3", n)
	}
}

func TestSocketModeInvalidAuth(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.AppToken = "xapp-1-test" })
	e.fake.openError = "invalid_auth"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := e.a.RunSocketMode(ctx)
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("RunSocketMode = %v, want invalid_auth", err)
	}
}
