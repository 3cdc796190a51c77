package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/testutil"
	"github.com/summitbot/summitbot/knowledge"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// fakeCore is a Core with canned answers that records what it was asked.
type fakeCore struct {
	mu       sync.Mutex
	asked    []bot.Question
	feedback []bot.Feedback
	answers  map[string]bot.Answer // by question text
	topics   map[string]bot.Answer // by topic id
	block    chan struct{}         // if set, Ask waits for it (or ctx)
	started  chan struct{}         // if set, Ask signals it has started
}

func (c *fakeCore) Ask(ctx context.Context, q bot.Question) bot.Answer {
	c.mu.Lock()
	c.asked = append(c.asked, q)
	c.mu.Unlock()
	if c.started != nil {
		c.started <- struct{}{}
	}
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
		}
	}
	if a, ok := c.answers[q.Text]; ok {
		return a
	}
	return declinedAnswer(q.Text)
}

func (c *fakeCore) TopicAnswer(id string) (bot.Answer, bool) {
	a, ok := c.topics[id]
	return a, ok
}

func (c *fakeCore) Feedback(_ context.Context, f bot.Feedback) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feedback = append(c.feedback, f)
}

func (c *fakeCore) questions() []bot.Question {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]bot.Question(nil), c.asked...)
}

func (c *fakeCore) feedbacks() []bot.Feedback {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]bot.Feedback(nil), c.feedback...)
}

// powerAnswer is a realistic answer, copied from the power-of-siberia topic.
func powerAnswer() bot.Answer {
	return bot.Answer{
		Question: "what is power of siberia",
		Answered: true,
		Outcome:  bot.OutcomeAnswered,
		Topic:    &bot.TopicRef{ID: "power-of-siberia", Title: "Power of Siberia gas pipeline", Category: "energy"},
		Text: "Power of Siberia is Gazprom's roughly 3,000-km pipeline carrying gas from the **Chayanda** and _Kovykta_ fields " +
			"to the Chinese border at Blagoveshchensk. Deliveries began on 2 December 2019 under a 30-year contract for 38 bcm a year " +
			"([TASS](https://tass.com/economy/1094679)).",
		Details: "- **Ramp-up:** 4.1 bcm in 2020, about 15.4 bcm in 2022 and 38.8 bcm in 2025.\n" +
			"- **Launch:** Vladimir Putin, in Sochi, and Xi Jinping, in Beijing, opened deliveries together by video link.\n\n" +
			"The contract price has never been disclosed (Mehr News).",
		Sources: []knowledge.Source{
			{Title: "Russian gas exports to China launched via the eastern route", Publisher: "TASS", URL: "https://tass.com/economy/1094679", Date: "2019-12-02", Kind: knowledge.StateMedia, Country: "Russia"},
			{Title: "Gazprom and CNPC agreements of 2 September 2025", Publisher: "InfoRos", URL: "https://inforos.com/en/?action=view&id=184582&module=news", Date: "2025-09-02", Kind: knowledge.StateMedia, Country: "Russia"},
		},
		Related: []bot.TopicRef{
			{ID: "gas-contract-2014", Title: "The 2014 gas contract"},
			{ID: "power-of-siberia-2", Title: "Power of Siberia 2"},
			{ID: "energy-after-2022", Title: "Energy trade after 2022"},
			{ID: "espo-oil-pipeline", Title: "ESPO oil pipeline"},
		},
		Confidence: 0.93,
		Reviewed:   "2026-11-26",
	}
}

func declinedAnswer(q string) bot.Answer {
	return bot.Answer{
		Question: q,
		Outcome:  bot.OutcomeDeclined,
		Text:     "Sorry, I can only answer questions about China–Russia relations, and I don't have a sourced answer for that.",
		Suggestions: []bot.TopicRef{
			{ID: "power-of-siberia", Title: "Power of Siberia gas pipeline"},
			{ID: "trade-volume", Title: "China–Russia trade volume"},
		},
	}
}

func rateLimitedAnswer(q string) bot.Answer {
	return bot.Answer{Question: q, Outcome: bot.OutcomeRateLimited,
		Text: "You're asking faster than I can keep up. Please wait a minute and try again."}
}

func newFakeCore() *fakeCore {
	p := powerAnswer()
	return &fakeCore{
		answers: map[string]bot.Answer{
			"what is power of siberia": p,
			"slow down":                rateLimitedAnswer("slow down"),
		},
		topics: map[string]bot.Answer{"power-of-siberia": p},
	}
}

// call is one request the fake Slack received.
type call struct {
	Path string
	Form url.Values
	JSON map[string]any
}

// fakeSlack is a local stand-in for Slack's Web API and response URLs.
type fakeSlack struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []call
	groups map[string][]string
	// fail429 makes the first request to these paths fail with 429.
	fail429 map[string]bool
	// hold makes requests to these paths wait until the channel is closed.
	hold map[string]chan struct{}
	// ws, if set, serves the Socket Mode websocket at /ws.
	ws http.HandlerFunc
	// openError, if set, is apps.connections.open's error.
	openError string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{groups: map[string][]string{}, fail429: map[string]bool{}, hold: map[string]chan struct{}{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" && f.ws != nil {
		f.ws(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	c := call{Path: r.URL.Path}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	if hold := f.hold[r.URL.Path]; hold != nil {
		f.mu.Unlock()
		<-hold
		f.mu.Lock()
	}
	if f.fail429[r.URL.Path] {
		delete(f.fail429, r.URL.Path)
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/chat.postMessage":
		_, _ = io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000200"}`)
	case "/api/chat.postEphemeral":
		_, _ = io.WriteString(w, `{"ok":true,"message_ts":"1700000000.000300"}`)
	case "/api/usergroups.users.list":
		f.mu.Lock()
		members, ok := f.groups[c.Form.Get("usergroup")]
		f.mu.Unlock()
		if !ok {
			_, _ = io.WriteString(w, `{"ok":false,"error":"no_such_subteam"}`)
			return
		}
		b, _ := json.Marshal(map[string]any{"ok": true, "users": members})
		_, _ = w.Write(b)
	case "/api/apps.connections.open":
		if f.openError != "" {
			_, _ = io.WriteString(w, `{"ok":false,"error":"`+f.openError+`"}`)
			return
		}
		u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"
		b, _ := json.Marshal(map[string]any{"ok": true, "url": u})
		_, _ = w.Write(b)
	default:
		if strings.HasPrefix(r.URL.Path, "/hooks/") {
			_, _ = io.WriteString(w, `{"ok":true}`)
			return
		}
		_, _ = io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func (f *fakeSlack) apiURL() string      { return f.srv.URL + "/api/" }
func (f *fakeSlack) responseURL() string { return f.srv.URL + "/hooks/T1/123/abc" }
func (f *fakeSlack) callsTo(path string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) all() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// waitCalls waits until path has received n requests (background replies
// are asynchronous), failing the test after a generous deadline.
func (f *fakeSlack) waitCalls(t *testing.T, path string, n int) []call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cs := f.callsTo(path)
		if len(cs) >= n {
			return cs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d calls to %s, got %d: %+v", n, path, len(cs), f.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type testEnv struct {
	a    *Adapter
	core *fakeCore
	fake *fakeSlack
	logs *testutil.LockedBuffer
}

func newTestEnv(t *testing.T, mutate ...func(*Config)) *testEnv {
	t.Helper()
	fake := newFakeSlack(t)
	core := newFakeCore()
	logs := &testutil.LockedBuffer{}
	cfg := Config{
		SigningSecret: testSecret,
		BotToken:      "xoxb-test",
		APIURL:        fake.apiURL(),
		HTTPClient:    fake.srv.Client(),
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	a, err := New(core, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Shutdown(ctx)
	})
	return &testEnv{a: a, core: core, fake: fake, logs: logs}
}

// drain waits for all background replies to finish.
func (e *testEnv) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// signed builds a request signed the way Slack signs it, at time ts.
func signed(method, path, contentType string, body []byte, ts time.Time, secret string) *http.Request {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", signature(secret, stamp, body))
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func (e *testEnv) command(text, channel string) *httptest.ResponseRecorder {
	return e.commandAs("/ask", text, channel, "U1")
}

// triggers numbers the trigger ids: Slack gives every command and click a
// new one, so two requests are never byte-for-byte the same (the adapter
// refuses a repeated signature as a replay).
var triggers atomic.Int64

func nextTrigger() string { return "1.2." + strconv.FormatInt(triggers.Add(1), 10) }

func (e *testEnv) commandAs(cmd, text, channel, user string) *httptest.ResponseRecorder {
	form := url.Values{
		"token": {"x"}, "team_id": {"T1"}, "channel_id": {channel}, "user_id": {user},
		"user_name": {"someone"}, "command": {cmd}, "text": {text},
		"response_url": {e.fake.responseURL()}, "trigger_id": {nextTrigger()},
	}
	r := signed(http.MethodPost, "/slack/commands", "application/x-www-form-urlencoded",
		[]byte(form.Encode()), time.Now(), testSecret)
	return serve(e.a.CommandsHandler(), r)
}

func (e *testEnv) event(body string, retry int) *httptest.ResponseRecorder {
	r := signed(http.MethodPost, "/slack/events", "application/json", []byte(body), time.Now(), testSecret)
	if retry > 0 {
		r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return serve(e.a.EventsHandler(), r)
}

func (e *testEnv) click(actionID, value, channel string, ephemeral bool) *httptest.ResponseRecorder {
	r := signed(http.MethodPost, "/slack/interactions", "application/x-www-form-urlencoded",
		e.clickBody(actionID, value, channel, ephemeral), time.Now(), testSecret)
	return serve(e.a.InteractionsHandler(), r)
}

// clickBody is the form body of a button click.
func (e *testEnv) clickBody(actionID, value, channel string, ephemeral bool) []byte {
	payload := map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": "U2", "name": "clicker"},
		"team":         map[string]any{"id": "T1"},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1.1", "is_ephemeral": ephemeral},
		"response_url": e.fake.responseURL(),
		"trigger_id":   nextTrigger(),
		"actions": []any{map[string]any{
			"type": "button", "action_id": actionID, "block_id": "b1", "value": value,
			"text": map[string]any{"type": "plain_text", "text": "x"}, "action_ts": "1.2",
		}},
	}
	b, _ := json.Marshal(payload)
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

func mentionEvent(eventID, text, threadTS string) string {
	ev := map[string]any{
		"type": "app_mention", "user": "U1", "text": text, "ts": "1700000000.000100",
		"channel": "C1", "event_ts": "1700000000.000100",
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return callback(eventID, ev)
}

func dmEvent(eventID, text string, extra map[string]any) string {
	ev := map[string]any{
		"type": "message", "user": "U1", "text": text, "ts": "1700000000.000100",
		"channel": "D1", "channel_type": "im", "event_ts": "1700000000.000100",
	}
	for k, v := range extra {
		ev[k] = v
	}
	return callback(eventID, ev)
}

func callback(eventID string, inner map[string]any) string {
	b, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
		"authorizations": []any{map[string]any{"team_id": "T1", "user_id": "UBOT", "is_bot": true}},
	})
	return string(b)
}

// blocksJSON returns the "blocks" of a recorded reply as JSON text.
// HTML escaping is off so assertions can look for "&amp;" and "<url|".
func blocksJSON(t *testing.T, c call) string {
	t.Helper()
	var v any = c.JSON["blocks"]
	if c.JSON == nil {
		if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &v); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	}
	return rawJSON(v)
}

func rawJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}

func replyText(c call) string {
	if c.JSON != nil {
		s, _ := c.JSON["text"].(string)
		return s
	}
	return c.Form.Get("text")
}
