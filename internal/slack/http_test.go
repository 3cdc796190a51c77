package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
)

// The example from Slack's "Verifying requests from Slack" page, as quoted
// in /work/shared/reference/platforms.md.
func TestSignatureSlackExample(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	const want = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	if got := signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", []byte(body)); got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", want)
	at := time.Unix(1531420618, 0)
	if err := verify("8f742231b10e8888abcd99yyyzzz85a5", h, []byte(body), at.Add(4*time.Minute)); err != nil {
		t.Errorf("verify at +4m: %v", err)
	}
	if err := verify("8f742231b10e8888abcd99yyyzzz85a5", h, []byte(body), at.Add(6*time.Minute)); err != errStaleTimestamp {
		t.Errorf("verify at +6m: %v, want stale", err)
	}
	if err := verify("8f742231b10e8888abcd99yyyzzz85a5", h, []byte(body+"x"), at); err != errBadSignature {
		t.Errorf("verify tampered body: %v, want bad signature", err)
	}
	if err := verify("another-secret", h, []byte(body), at); err != errBadSignature {
		t.Errorf("verify with wrong secret: %v, want bad signature", err)
	}
}

func TestRejectedRequests(t *testing.T) {
	e := newTestEnv(t)
	body := []byte(url.Values{"command": {"/ask"}, "text": {"what is power of siberia"}, "user_id": {"U1"}, "channel_id": {"C1"}}.Encode())
	form := "application/x-www-form-urlencoded"
	now := time.Now()
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"bad signature", func() *http.Request {
			return signed(http.MethodPost, "/slack/commands", form, body, now, "wrong-secret")
		}, http.StatusUnauthorized},
		{"missing signature", func() *http.Request {
			r := signed(http.MethodPost, "/slack/commands", form, body, now, testSecret)
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"missing timestamp", func() *http.Request {
			r := signed(http.MethodPost, "/slack/commands", form, body, now, testSecret)
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"garbage signature", func() *http.Request {
			r := signed(http.MethodPost, "/slack/commands", form, body, now, testSecret)
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}, http.StatusUnauthorized},
		{"stale timestamp", func() *http.Request {
			return signed(http.MethodPost, "/slack/commands", form, body, now.Add(-6*time.Minute), testSecret)
		}, http.StatusUnauthorized},
		{"future timestamp", func() *http.Request {
			return signed(http.MethodPost, "/slack/commands", form, body, now.Add(6*time.Minute), testSecret)
		}, http.StatusUnauthorized},
		{"replayed signature on another body", func() *http.Request {
			r := signed(http.MethodPost, "/slack/commands", form, body, now, testSecret)
			r2 := signed(http.MethodPost, "/slack/commands", form, append(body, "&text=x"...), now, testSecret)
			r2.Header.Set("X-Slack-Signature", r.Header.Get("X-Slack-Signature"))
			return r2
		}, http.StatusUnauthorized},
		{"oversized body", func() *http.Request {
			big := append(append([]byte(nil), body...), []byte("&pad="+strings.Repeat("a", maxBody))...)
			return signed(http.MethodPost, "/slack/commands", form, big, now, testSecret)
		}, http.StatusRequestEntityTooLarge},
		{"GET", func() *http.Request {
			return signed(http.MethodGet, "/slack/commands", form, nil, now, testSecret)
		}, http.StatusMethodNotAllowed},
		{"malformed command", func() *http.Request {
			return signed(http.MethodPost, "/slack/commands", form, []byte("text=hello"), now, testSecret)
		}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := serve(e.a.CommandsHandler(), tt.req()); w.Code != tt.want {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
		})
	}
	// The same checks guard the other two endpoints.
	for _, h := range []http.Handler{e.a.EventsHandler(), e.a.InteractionsHandler()} {
		if w := serve(h, signed(http.MethodPost, "/", "application/json", []byte(`{}`), now, "wrong")); w.Code != http.StatusUnauthorized {
			t.Errorf("bad signature: status %d, want 401", w.Code)
		}
		if w := serve(h, signed(http.MethodPost, "/", "application/json", []byte(`{}`), now.Add(-time.Hour), testSecret)); w.Code != http.StatusUnauthorized {
			t.Errorf("stale: status %d, want 401", w.Code)
		}
	}
	if w := serve(e.a.EventsHandler(), signed(http.MethodPost, "/slack/events", "application/json", []byte(`{"type":`), now, testSecret)); w.Code != http.StatusBadRequest {
		t.Errorf("malformed event: status %d, want 400", w.Code)
	}
	if w := serve(e.a.InteractionsHandler(), signed(http.MethodPost, "/slack/interactions", form, []byte("payload=%7Bnot+json"), now, testSecret)); w.Code != http.StatusBadRequest {
		t.Errorf("malformed interaction: status %d, want 400", w.Code)
	}
	if w := serve(e.a.InteractionsHandler(), signed(http.MethodPost, "/slack/interactions", form, []byte("nopayload=1"), now, testSecret)); w.Code != http.StatusBadRequest {
		t.Errorf("interaction without payload: status %d, want 400", w.Code)
	}
	e.drain(t)
	if q := e.core.questions(); len(q) != 0 {
		t.Errorf("rejected requests reached the core: %+v", q)
	}
	if c := e.fake.all(); len(c) != 0 {
		t.Errorf("rejected requests caused Slack calls: %+v", c)
	}
}

func TestSlashCommand(t *testing.T) {
	e := newTestEnv(t)
	w := e.command("what is power of siberia", "C1")
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("ack: %d %q, want an empty 200", w.Code, w.Body)
	}
	e.drain(t)
	qs := e.core.questions()
	want := bot.Question{Text: "what is power of siberia", Platform: bot.PlatformSlack, UserID: "U1",
		ChannelKind: bot.ChannelChannel, Conversation: "slack:C1:U1"}
	if len(qs) != 1 || qs[0] != want {
		t.Fatalf("core asked %+v, want %+v", qs, want)
	}
	calls := e.fake.callsTo("/hooks/T1/123/abc")
	if len(calls) != 1 {
		t.Fatalf("response_url calls: %+v", e.fake.all())
	}
	c := calls[0]
	if c.JSON["response_type"] != "ephemeral" {
		t.Errorf("response_type %v, want ephemeral", c.JSON["response_type"])
	}
	blocks := blocksJSON(t, c)
	for _, s := range []string{
		`*Chayanda*`, `_Kovykta_`, `<https://tass.com/economy/1094679|TASS>`,
		`<https://inforos.com/en/?action=view&amp;id=184582&amp;module=news|Gazprom and CNPC agreements of 2 September 2025>`,
		`Reviewed 2026-11-26`, `"action_id":"more"`, `"action_id":"share"`,
		`"action_id":"fb_up"`, `"action_id":"fb_down"`, `"action_id":"topic:2"`,
	} {
		if !strings.Contains(blocks, s) {
			t.Errorf("reply blocks lack %s:\n%s", s, blocks)
		}
	}
	if strings.Contains(blocks, "espo-oil-pipeline") {
		t.Error("more than three related topics shown")
	}
	if txt := replyText(c); !strings.Contains(txt, "Power of Siberia is Gazprom") || strings.Contains(txt, "**") {
		t.Errorf("fallback text %q", txt)
	}
	if strings.Contains(e.logs.String(), "power of siberia") {
		t.Errorf("logs contain the question text:\n%s", e.logs)
	}
}

func TestSlashCommandHelpAndUnknown(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Command = "/summit" })
	for _, text := range []string{"", "   ", "<@U9>"} {
		w := e.commandAs("/summit", text, "C1", "U1")
		var msg struct {
			ResponseType string `json:"response_type"`
			Text         string `json:"text"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil || w.Code != 200 {
			t.Fatalf("help ack %d %q: %v", w.Code, w.Body, err)
		}
		if msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, "/summit what is power of siberia") {
			t.Errorf("help ack = %+v", msg)
		}
	}
	w := e.commandAs("/ask", "what is power of siberia", "C1", "U1")
	if !strings.Contains(w.Body.String(), "know that command") {
		t.Errorf("unknown command ack: %s", w.Body)
	}
	e.drain(t)
	if q := e.core.questions(); len(q) != 0 {
		t.Errorf("core asked %+v", q)
	}
}

func TestURLVerification(t *testing.T) {
	e := newTestEnv(t)
	w := e.event(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, 0)
	if w.Code != 200 || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge reply %d %q", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/plain" {
		t.Errorf("content type %q", ct)
	}
}

func TestAppMention(t *testing.T) {
	tests := []struct {
		name, threadTS, wantThread, wantKind string
	}{
		{"in channel", "", "1700000000.000100", bot.ChannelChannel},
		{"in thread", "1699999999.000001", "1699999999.000001", bot.ChannelThread},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			if w := e.event(mentionEvent("Ev1", "<@UBOT> what is power of siberia", tt.threadTS), 0); w.Code != 200 {
				t.Fatalf("ack %d", w.Code)
			}
			e.drain(t)
			qs := e.core.questions()
			if len(qs) != 1 || qs[0].Text != "what is power of siberia" || qs[0].ChannelKind != tt.wantKind ||
				qs[0].Conversation != "slack:C1:U1" || qs[0].UserID != "U1" {
				t.Fatalf("core asked %+v", qs)
			}
			posts := e.fake.callsTo("/api/chat.postMessage")
			if len(posts) != 1 {
				t.Fatalf("calls: %+v", e.fake.all())
			}
			p := posts[0].Form
			if p.Get("channel") != "C1" || p.Get("thread_ts") != tt.wantThread {
				t.Errorf("posted to %s thread %s", p.Get("channel"), p.Get("thread_ts"))
			}
			if strings.Contains(p.Get("blocks"), `"share"`) {
				t.Error("a public answer has a share button")
			}
			if p.Get("text") == "" || p.Get("unfurl_links") != "false" {
				t.Errorf("text %q unfurl_links %q", p.Get("text"), p.Get("unfurl_links"))
			}
		})
	}
}

func TestDirectMessage(t *testing.T) {
	e := newTestEnv(t)
	e.event(dmEvent("Ev1", "what is power of siberia", nil), 0)
	e.drain(t)
	qs := e.core.questions()
	if len(qs) != 1 || qs[0].ChannelKind != bot.ChannelDM || qs[0].Conversation != "slack:D1:U1" {
		t.Fatalf("core asked %+v", qs)
	}
	posts := e.fake.callsTo("/api/chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "D1" || posts[0].Form.Get("thread_ts") != "" {
		t.Fatalf("calls: %+v", e.fake.all())
	}
}

func TestIgnoredMessages(t *testing.T) {
	e := newTestEnv(t)
	bodies := map[string]string{
		"bot message":      dmEvent("Ev1", "what is power of siberia", map[string]any{"bot_id": "B1", "subtype": "bot_message"}),
		"own message":      dmEvent("Ev2", "what is power of siberia", map[string]any{"user": "UBOT"}),
		"other bot no sub": dmEvent("Ev3", "what is power of siberia", map[string]any{"bot_id": "B2"}),
		"edit":             dmEvent("Ev4", "what is power of siberia", map[string]any{"subtype": "message_changed"}),
		"channel message":  dmEvent("Ev5", "what is power of siberia", map[string]any{"channel_type": "channel", "channel": "C1"}),
		"no user":          dmEvent("Ev6", "what is power of siberia", map[string]any{"user": ""}),
		"bot mention": callback("Ev7", map[string]any{"type": "app_mention", "user": "U5", "bot_id": "B5",
			"text": "<@UBOT> what is power of siberia", "ts": "1.1", "channel": "C1"}),
		"unknown event": callback("Ev8", map[string]any{"type": "reaction_added", "user": "U1"}),
		"made-up event": callback("Ev9", map[string]any{"type": "no_such_event_type", "user": "U1"}),
		"rate limited":  `{"token":"x","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`,
	}
	for name, body := range bodies {
		if w := e.event(body, 0); w.Code != 200 {
			t.Errorf("%s: status %d", name, w.Code)
		}
	}
	e.drain(t)
	if q := e.core.questions(); len(q) != 0 {
		t.Errorf("core asked %+v", q)
	}
	if c := e.fake.all(); len(c) != 0 {
		t.Errorf("Slack calls %+v", c)
	}
}

func TestEventRetryHandledOnce(t *testing.T) {
	e := newTestEnv(t)
	// A first delivery that carries a retry header (the original was lost)
	// is still answered.
	if w := e.event(mentionEvent("EvA", "<@UBOT> what is power of siberia", ""), 1); w.Code != 200 {
		t.Fatal(w.Code)
	}
	e.fake.waitCalls(t, "/api/chat.postMessage", 1)
	for retry := 2; retry <= 3; retry++ {
		if w := e.event(mentionEvent("EvA", "<@UBOT> what is power of siberia", ""), retry); w.Code != 200 {
			t.Fatal(w.Code)
		}
	}
	e.event(mentionEvent("EvB", "<@UBOT> what is power of siberia", ""), 0)
	e.event(mentionEvent("EvB", "<@UBOT> what is power of siberia", ""), 1)
	e.drain(t)
	if n := len(e.core.questions()); n != 2 {
		t.Errorf("core asked %d times, want 2 (one per event id)", n)
	}
	if n := len(e.fake.callsTo("/api/chat.postMessage")); n != 2 {
		t.Errorf("%d replies, want 2", n)
	}
}

func TestButtonClicks(t *testing.T) {
	e := newTestEnv(t)
	// More detail, on a public message in a channel: ephemeral to the clicker.
	e.click("more", "power-of-siberia", "C1", false)
	hooks := e.fake.waitCalls(t, "/hooks/T1/123/abc", 1)
	more := blocksJSON(t, hooks[0])
	if hooks[0].JSON["response_type"] != "ephemeral" || !strings.Contains(more, "*Ramp-up:*") ||
		!strings.Contains(more, `"action_id":"share"`) {
		t.Errorf("more detail reply %v: %s", hooks[0].JSON["response_type"], more)
	}
	// A related topic in a DM: an ordinary message in the DM, no share.
	e.click("topic:0", "power-of-siberia", "D1", false)
	hooks = e.fake.waitCalls(t, "/hooks/T1/123/abc", 2)
	if hooks[1].JSON["response_type"] != "in_channel" || strings.Contains(blocksJSON(t, hooks[1]), `"share"`) {
		t.Errorf("DM topic reply: %v %s", hooks[1].JSON["response_type"], blocksJSON(t, hooks[1]))
	}
	// Feedback goes to the core.
	e.click("fb_down", "power-of-siberia", "C1", true)
	hooks = e.fake.waitCalls(t, "/hooks/T1/123/abc", 3)
	if !strings.Contains(replyText(hooks[2]), "Thanks") || hooks[2].JSON["response_type"] != "ephemeral" {
		t.Errorf("feedback reply %+v", hooks[2].JSON)
	}
	// Share re-renders from the topic id and posts in the channel.
	e.click("share", "power-of-siberia", "C1", true)
	hooks = e.fake.waitCalls(t, "/hooks/T1/123/abc", 4)
	share := blocksJSON(t, hooks[3])
	if hooks[3].JSON["response_type"] != "in_channel" || !strings.Contains(share, "Power of Siberia is Gazprom") ||
		strings.Contains(share, `"share"`) {
		t.Errorf("share reply %v: %s", hooks[3].JSON["response_type"], share)
	}
	// An unknown topic gets a polite note.
	e.click("topic:1", "no-such-topic", "C1", false)
	hooks = e.fake.waitCalls(t, "/hooks/T1/123/abc", 5)
	if !strings.Contains(replyText(hooks[4]), "no longer available") {
		t.Errorf("unknown topic reply %q", replyText(hooks[4]))
	}
	// Invalid action ids and values are ignored.
	for _, bad := range [][2]string{
		{"delete_everything", "power-of-siberia"},
		{"topic:x", "power-of-siberia"},
		{"topic:01", "power-of-siberia"},
		{"share", "<!channel> look"},
		{"more", ""},
		{"fb_up", strings.Repeat("a", 3000)},
	} {
		if w := e.click(bad[0], bad[1], "C1", false); w.Code != 200 {
			t.Errorf("%v: status %d", bad, w.Code)
		}
	}
	e.drain(t)
	if n := len(e.fake.callsTo("/hooks/T1/123/abc")); n != 5 {
		t.Errorf("%d replies, want 5", n)
	}
	fb := e.core.feedbacks()
	want := bot.Feedback{TopicID: "power-of-siberia", Platform: bot.PlatformSlack, UserID: "U2", Helpful: false}
	if len(fb) != 1 || fb[0] != want {
		t.Errorf("feedback %+v, want %+v", fb, want)
	}
}

func TestRateLimitedIsEphemeral(t *testing.T) {
	e := newTestEnv(t)
	e.event(mentionEvent("Ev1", "<@UBOT> slow down", ""), 0)
	e.drain(t)
	if n := len(e.fake.callsTo("/api/chat.postMessage")); n != 0 {
		t.Errorf("rate-limit note posted publicly")
	}
	eph := e.fake.callsTo("/api/chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "U1" || !strings.Contains(eph[0].Form.Get("text"), "faster than I can keep up") {
		t.Fatalf("ephemeral calls %+v", eph)
	}
}

func TestWebAPIRetryAfter(t *testing.T) {
	e := newTestEnv(t)
	e.fake.fail429["/api/chat.postMessage"] = true
	e.event(dmEvent("Ev1", "what is power of siberia", nil), 0)
	e.drain(t)
	if n := len(e.fake.callsTo("/api/chat.postMessage")); n != 2 {
		t.Errorf("chat.postMessage called %d times, want 2 (429, then retry)", n)
	}
	if strings.Contains(e.logs.String(), "reply failed") {
		t.Errorf("reply failed despite retry:\n%s", e.logs)
	}
}

func TestBusy(t *testing.T) {
	e := newTestEnv(t)
	e.a.work = newPool(1, e.a.log)
	e.core.block = make(chan struct{})
	e.core.started = make(chan struct{}, 4)
	if w := e.command("what is power of siberia", "C1"); w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("first ack %d %s", w.Code, w.Body)
	}
	<-e.core.started // the only worker is now busy
	w := e.command("what is power of siberia", "C1")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "try again in a moment") {
		t.Errorf("busy ack %d %s", w.Code, w.Body)
	}
	// An event when busy gets an immediate ephemeral notice, and its id is
	// kept so a redelivery does not answer twice.
	e.event(mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""), 0)
	eph := e.fake.waitCalls(t, "/api/chat.postEphemeral", 1)
	if !strings.Contains(eph[0].Form.Get("text"), "try again") {
		t.Errorf("busy notice %q", eph[0].Form.Get("text"))
	}
	e.click("more", "power-of-siberia", "C1", false)
	hooks := e.fake.waitCalls(t, "/hooks/T1/123/abc", 1)
	if !strings.Contains(replyText(hooks[0]), "try again") {
		t.Errorf("busy click reply %q", replyText(hooks[0]))
	}
	close(e.core.block)
	e.drain(t)
	if n := len(e.core.questions()); n != 1 {
		t.Errorf("core asked %d times, want 1", n)
	}
}

// TestBusyNoticeAfterAck: the busy notice is posted after the ack, not
// before it, and dropped when the notice workers are busy too.
func TestBusyNoticeAfterAck(t *testing.T) {
	e := newTestEnv(t)
	e.a.work = newPool(1, e.a.log)
	e.core.block = make(chan struct{})
	e.core.started = make(chan struct{}, 4)
	e.command("what is power of siberia", "C1")
	<-e.core.started // the only worker is now busy

	// Slack holds the notice until the event has been acked.
	release := make(chan struct{})
	e.fake.mu.Lock()
	e.fake.hold["/api/chat.postEphemeral"] = release
	e.fake.mu.Unlock()
	if w := e.event(mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""), 0); w.Code != 200 {
		t.Errorf("busy event ack %d", w.Code)
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.a.notices.shutdown(ctx); err != nil { // the notice has been posted
		t.Fatal(err)
	}

	e.a.notices = newPool(0, e.a.log) // no notice worker free
	e.event(mentionEvent("Ev2", "<@UBOT> what is power of siberia", ""), 0)

	close(e.core.block)
	e.drain(t)
	if n := len(e.fake.callsTo("/api/chat.postEphemeral")); n != 1 {
		t.Errorf("%d busy notices, want 1 (the second dropped)", n)
	}
	out := e.logs.String()
	if strings.Contains(out, "busy notice failed") {
		t.Errorf("the busy notice waited for the ack and failed:\n%s", out)
	}
	if !strings.Contains(out, "busy notice dropped") {
		t.Errorf("dropped notice not logged:\n%s", out)
	}
}

func TestShutdown(t *testing.T) {
	e := newTestEnv(t)
	e.core.block = make(chan struct{})
	e.core.started = make(chan struct{}, 1)
	e.command("what is power of siberia", "C1")
	<-e.core.started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := e.a.Shutdown(ctx); err == nil {
		t.Error("shutdown returned nil while a reply was still blocked")
	}
	// New work is refused so that Slack retries elsewhere.
	if w := e.command("what is power of siberia", "C1"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("command after shutdown: %d", w.Code)
	}
	if w := e.event(mentionEvent("Ev1", "<@UBOT> what is power of siberia", ""), 0); w.Code != http.StatusServiceUnavailable {
		t.Errorf("event after shutdown: %d", w.Code)
	}
	if e.a.seen.Len() != 0 {
		t.Error("a refused event stayed marked as seen")
	}
}

// An acknowledged command still being answered at shutdown's deadline is
// not left unanswered: its asker hears that it could not be finished.
func TestShutdownDeadlineTellsTheAsker(t *testing.T) {
	for _, slow := range []string{"core", "reply"} {
		t.Run(slow, func(t *testing.T) {
			e := newTestEnv(t)
			e.core.started = make(chan struct{}, 1)
			hook := "/hooks/T1/123/abc"
			if slow == "core" {
				e.core.block = make(chan struct{})
			} else {
				// The first post to the response URL hangs until the test
				// ends; the notice after it goes through.
				hold := make(chan struct{})
				t.Cleanup(func() { close(hold) })
				e.fake.mu.Lock()
				e.fake.hold[hook] = hold
				e.fake.mu.Unlock()
			}
			if w := e.command("what is power of siberia", "C1"); w.Code != http.StatusOK {
				t.Fatalf("ack: %d", w.Code)
			}
			<-e.core.started
			if slow == "reply" {
				e.fake.waitCalls(t, hook, 1)
				e.fake.mu.Lock()
				delete(e.fake.hold, hook)
				e.fake.mu.Unlock()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			if err := e.a.Shutdown(ctx); err == nil {
				t.Error("shutdown returned nil while a reply was still blocked")
			}
			var texts []string
			for _, c := range e.fake.callsTo(hook) {
				texts = append(texts, replyText(c))
			}
			if len(texts) == 0 || !strings.Contains(texts[len(texts)-1], "couldn't finish") {
				t.Errorf("posts to the response URL after shutdown = %q, want the last to say it couldn't finish", texts)
			}
		})
	}
}

// Issue 13 finding 9: a command that found every worker busy was turned
// away at once, so under overload clients resent at once and the CPU went
// to refusing. It waits a moment for a worker instead.
func TestCommandWaitsForAWorker(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.Workers = 1 })
	e.core.block = make(chan struct{})
	e.core.started = make(chan struct{}, 2)
	if w := e.command("what is power of siberia", "C1"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("first command: %d %s", w.Code, w.Body)
	}
	<-e.core.started // the only worker is busy
	second := make(chan *httptest.ResponseRecorder, 1)
	go func() { second <- e.command("what is power of siberia", "C2") }()
	var w *httptest.ResponseRecorder
	released := false
	for deadline := time.Now().Add(10 * time.Second); w == nil; {
		select {
		case w = <-second: // turned away without waiting
		default:
			if e.a.work.waiting.Load() > 0 || time.Now().After(deadline) {
				close(e.core.block) // the worker frees up while the second waits
				released = true
				w = <-second
			} else {
				time.Sleep(time.Millisecond)
			}
		}
	}
	if !released {
		close(e.core.block)
	}
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("second command, sent while the worker was busy: %d %q, want a plain ack", w.Code, w.Body)
	}
	e.fake.waitCalls(t, "/hooks/T1/123/abc", 2)
	if strings.Contains(e.logs.String(), `msg=busy`) {
		t.Errorf("a command was turned away busy:\n%s", e.logs)
	}
}

func TestShutdownWaitsForReplies(t *testing.T) {
	e := newTestEnv(t)
	e.core.block = make(chan struct{})
	e.core.started = make(chan struct{}, 1)
	e.command("what is power of siberia", "C1")
	<-e.core.started
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(e.core.block)
	}()
	e.drain(t)
	if n := len(e.fake.callsTo("/hooks/T1/123/abc")); n != 1 {
		t.Errorf("%d replies after shutdown, want the in-flight one", n)
	}
}

func TestHostileQuestionNeverMentions(t *testing.T) {
	e := newTestEnv(t)
	// The fake core echoes the question in its decline, the worst case.
	hostile := "<!channel> <!here|here> <!everyone> <@U123> <#C1|general> <!subteam^S1|@team> &lt;!channel&gt; @here"
	e.core.answers = map[string]bot.Answer{}
	e.event(dmEvent("Ev1", hostile, nil), 0)
	e.drain(t)
	qs := e.core.questions()
	if len(qs) != 1 {
		t.Fatal(qs)
	}
	q := qs[0].Text
	if strings.Contains(q, "U123") || strings.Contains(q, "!here") {
		t.Errorf("question kept a mention: %q", q)
	}
	ans := declinedAnswer("")
	ans.Text = "You asked: " + q + " " + hostile
	m := renderAnswer(ans, renderOpts{ephemeral: true})
	out := rawJSON(m.Blocks) + m.Text
	for _, bad := range []string{"<!", "<@", "<#"} {
		if strings.Contains(out, bad) {
			t.Errorf("reply contains %q: %s", bad, out)
		}
	}
}

func TestNewConfig(t *testing.T) {
	core := newFakeCore()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"http", Config{SigningSecret: "s", BotToken: "xoxb-1"}, true},
		{"socket", Config{AppToken: "xapp-1", BotToken: "xoxb-1"}, true},
		{"no bot token", Config{SigningSecret: "s"}, false},
		{"no secret or app token", Config{BotToken: "xoxb-1"}, false},
		{"bot token as app token", Config{AppToken: "xoxb-1", BotToken: "xoxb-1"}, false},
		{"same commands", Config{SigningSecret: "s", BotToken: "xoxb-1", Command: "/x", GapsCommand: "/x"}, false},
		{"bad command", Config{SigningSecret: "s", BotToken: "xoxb-1", Command: "ask"}, false},
		{"bad API URL", Config{SigningSecret: "s", BotToken: "xoxb-1", APIURL: "::"}, false},
		{"GovSlack API URL", Config{SigningSecret: "s", BotToken: "xoxb-1", APIURL: "https://slack-gov.com/api"}, true},
	}
	for _, tt := range tests {
		a, err := New(core, tt.cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if err == nil && a.cfg.APIURL != "" && !strings.HasSuffix(a.cfg.APIURL, "/") {
			t.Errorf("%s: API URL %q lacks a trailing slash", tt.name, a.cfg.APIURL)
		}
	}
	if _, err := New(nil, Config{SigningSecret: "s", BotToken: "xoxb-1"}); err == nil {
		t.Error("nil core accepted")
	}
	a, _ := New(core, Config{SigningSecret: "s", BotToken: "xoxb-1"})
	if !a.Connected() {
		t.Error("Connected() is false without socket mode")
	}
	if err := a.RunSocketMode(context.Background()); err == nil {
		t.Error("RunSocketMode without an app token returned nil")
	}
}
