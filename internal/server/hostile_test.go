package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/testutil"
)

// webhookConfig turns both platforms' webhooks on, with replies going to
// sink.
func webhookConfig(t *testing.T, sink *responseSink, dsig discordSigner) *instance {
	t.Helper()
	cfg := testConfig(copyKB(t))
	withDiscord(&cfg, dsig)
	withSlack(&cfg, "xoxb-test", sink.srv.URL)
	return start(t, cfg, Options{})
}

// slowRequest opens a connection and sends the headers of a webhook request
// with a wrong signature and the first bytes of a body it never finishes,
// as a slowloris client does.
func slowRequest(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	return rawConn(t, addr, fmt.Sprintf("POST %s HTTP/1.1\r\nHost: summitbot\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: 1000\r\nX-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: v0=%s\r\n"+
		"X-Signature-Timestamp: %[2]d\r\nX-Signature-Ed25519: %[4]s\r\n\r\ntext=",
		path, time.Now().Unix(), strings.Repeat("0", 64), strings.Repeat("0", 128)))
}

// rawConn dials addr, closed when the test ends, and writes req on it as
// is.
func rawConn(t *testing.T, addr, req string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// Issue 13 finding 1: 520 unauthenticated connections that send part of a
// webhook body held every one of the 512 shared work slots, and valid API
// requests got 503 for as long as they kept at it.
func TestSlowlorisLeavesWorkAnswered(t *testing.T) {
	sink := newResponseSink(t)
	dsig := newDiscordSigner(t)
	in := webhookConfig(t, sink, dsig)

	const slow = 520
	conns := make([]net.Conn, 0, slow)
	for i := range slow {
		path := "/slack/commands"
		if i%2 == 1 {
			path = "/discord/interactions"
		}
		conns = append(conns, slowRequest(t, in.addr, path))
	}
	sent := time.Now()

	const probes = 40
	answered := 0
	for range probes {
		if code, _ := in.ask(t, testToken, `{"question":"what is brics"}`); code == 200 {
			answered++
		}
	}
	t.Logf("during the slowloris of %d connections, %d of %d valid /v1/ask probes answered", slow, answered, probes)
	if answered < probes*95/100 {
		t.Errorf("during the slowloris, %d of %d valid /v1/ask probes answered, want at least 95%%", answered, probes)
	}
	// Signed webhooks are answered too.
	if code, _ := do(t, dsig.request(in.url, discordAsk("777", "42", "what is power of siberia"))); code != 200 {
		t.Errorf("signed discord request during the slowloris: %d", code)
	}

	// Each slow request is cut off by the webhook read deadline, well
	// before the server's 10 s ReadTimeout: it gets an error response or a
	// closed connection.
	limit := sent.Add(webhookReadTimeout + 3*time.Second)
	for i, c := range conns {
		c.SetReadDeadline(limit)
		_, err := bufio.NewReader(c).ReadString('\n')
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("slow connection %d still open %v after its request was sent", i, webhookReadTimeout+3*time.Second)
		}
	}
}

// Issue 13 finding 8: a captured signed Slack command replayed 10 times gave
// 10 replies; a Discord interaction replayed to another replica (or after a
// restart) was answered again.
func TestReplaysAreAnsweredOnce(t *testing.T) {
	sink := newResponseSink(t)
	dsig := newDiscordSigner(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "summitbot.db")
	replica := func() *instance {
		cfg := testConfig(copyKB(t))
		cfg.DatabaseURL = db
		withDiscord(&cfg, dsig)
		withSlack(&cfg, "xoxb-test", sink.srv.URL)
		return start(t, cfg, Options{})
	}
	a, b := replica(), replica()
	send := func(r *http.Request) int {
		t.Helper()
		code, _ := do(t, r)
		return code
	}

	captured := slackCommand(a.url, "U1", "what is the sco", sink.srv.URL+"/response")
	body, _ := io.ReadAll(captured.Body)
	for n := range 10 {
		r, _ := http.NewRequest(http.MethodPost, a.url+"/slack/commands", bytes.NewReader(body))
		r.Header = captured.Header.Clone()
		if code := send(r); code != 200 {
			t.Fatalf("delivery %d: %d", n, code)
		}
	}
	testutil.WaitFor(t, "the slack reply", func() bool { return strings.Contains(sink.bodies(), "Shanghai") })
	if got := a.metric(t, `summitbot_questions_total{outcome="answered",platform="slack"}`); got != 1 {
		t.Errorf("a command delivered 10 times was answered %v times, want once", got)
	}
	// Each replay gets an empty 200, but is counted as a rejection.
	if got := a.metric(t, `summitbot_webhook_rejections_total{platform="slack",reason="replay"}`); got != 9 {
		t.Errorf("replayed slack commands counted = %v, want 9", got)
	}
	// Replayed to another replica on the same database: ignored there too.
	r, _ := http.NewRequest(http.MethodPost, b.url+"/slack/commands", bytes.NewReader(body))
	r.Header = captured.Header.Clone()
	if code := send(r); code != 200 {
		t.Fatalf("replay to another replica: %d", code)
	}
	// (The refusal is logged before the ack; an answer would come after.)
	if !strings.Contains(b.logs.String(), `"reason":"replayed request"`) {
		t.Errorf("the other replica took the replayed command")
	}

	ask := discordAsk("9001", "42", "what is power of siberia")
	first := dsig.request(a.url, ask)
	stamp, sig := first.Header.Get("X-Signature-Timestamp"), first.Header.Get("X-Signature-Ed25519")
	if code := send(first); code != 200 {
		t.Fatalf("discord interaction: %d", code)
	}
	replay, _ := http.NewRequest(http.MethodPost, b.url+"/discord/interactions", bytes.NewReader(ask))
	replay.Header.Set("X-Signature-Timestamp", stamp)
	replay.Header.Set("X-Signature-Ed25519", sig)
	if code := send(replay); code != 401 {
		t.Errorf("the interaction replayed to another replica: %d, want 401", code)
	}
	if got := b.metric(t, `summitbot_questions_total{outcome="answered",platform="discord"}`); got != 0 {
		t.Errorf("the other replica answered the replay")
	}
	if got := b.metric(t, `summitbot_webhook_rejections_total{platform="discord",reason="replay"}`); got != 1 {
		t.Errorf("replayed discord interactions counted = %v, want 1", got)
	}
}

// Rejected webhooks are each counted in the metrics, while their log lines
// are sampled (internal/slack).
func TestRejectionsAreCounted(t *testing.T) {
	sink := newResponseSink(t)
	in := webhookConfig(t, sink, newDiscordSigner(t))
	const bad = 50
	for range bad {
		r := slackCommand(in.url, "U1", "what is the sco", sink.srv.URL+"/response")
		r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
		do(t, r)
	}
	if got := in.metric(t, `summitbot_http_requests_total{code="401",route="POST /slack/commands"}`); got != bad {
		t.Errorf("rejections counted = %v, want %d", got, bad)
	}
	if got := in.metric(t, `summitbot_webhook_rejections_total{platform="slack",reason="bad_signature"}`); got != bad {
		t.Errorf("rejections counted by reason = %v, want %d", got, bad)
	}
	stale := slackCommand(in.url, "U1", "what is the sco", sink.srv.URL+"/response")
	stale.Header.Set("X-Slack-Request-Timestamp", "1")
	if resp, err := http.DefaultClient.Do(stale); err == nil {
		resp.Body.Close()
	}
	if got := in.metric(t, `summitbot_webhook_rejections_total{platform="slack",reason="stale"}`); got != 1 {
		t.Errorf("stale requests counted = %v, want 1", got)
	}
	if n := strings.Count(in.logs.String(), `"rejected request"`); n > 15 {
		t.Errorf("%d log lines for %d rejected requests", n, bad)
	}
}

// idleConn opens a connection, makes one keep-alive request on it and
// leaves it idle.
func idleConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c := rawConn(t, addr, "GET /healthz HTTP/1.1\r\nHost: summitbot\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("request on a new connection: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c
}

// Issue 13 finding 6: 10,000 idle keep-alive connections took memory from 40
// to 227 MB, held for 120 s. The connections are capped: past the cap the
// longest-idle ones are closed to make room, and new clients are served.
func TestConnectionsAreCapped(t *testing.T) {
	const max = 20
	in := start(t, testConfig(copyKB(t)), Options{MaxConns: max})
	for range 3 * max {
		idleConn(t, in.addr)
		if open := in.srv.conns.Load().openConns(); open > max {
			t.Fatalf("%d connections open, cap %d", open, max)
		}
	}
	if a := in.answer(t, "what is brics"); !a.Answered {
		t.Errorf("a new client at the cap was not answered: %+v", a)
	}
	if got := in.metric(t, "summitbot_http_idle_connections_closed_total"); got < 2*max {
		t.Errorf("idle connections closed = %v, want at least %d", got, 2*max)
	}
	if got := in.metric(t, "summitbot_http_connections_open"); got < 1 || got > max {
		t.Errorf("open connections metric = %v", got)
	}
}

// Issue 13 finding 5: /v1/ask had no rate limit of its own, where chat users
// have one.
func TestAskIsRateLimitedPerToken(t *testing.T) {
	cfg := testConfig(copyKB(t))
	cfg.APIRateLimit, cfg.APIRateWindow = 3, time.Hour
	s := newTestServer(t, cfg)
	ask := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"what is brics"}`))
		r.Header.Set("Authorization", "Bearer "+testToken)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		return w
	}
	for n := range 3 {
		if w := ask(); w.Code != 200 {
			t.Fatalf("request %d within the limit: %d", n, w.Code)
		}
	}
	w := ask()
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("over the limit: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestRateBucket(t *testing.T) {
	now := time.Unix(0, 0)
	b := newRateBucket(2, time.Second, func() time.Time { return now })
	for _, want := range []bool{true, true, false} {
		if ok, _ := b.allow(); ok != want {
			t.Fatalf("allow = %v, want %v", ok, want)
		}
	}
	now = now.Add(500 * time.Millisecond) // one token back
	if ok, _ := b.allow(); !ok {
		t.Error("no token after half the window")
	}
	if ok, retry := b.allow(); ok || retry <= 0 || retry > 500*time.Millisecond {
		t.Errorf("allow = %v, retry %v", ok, retry)
	}
	if ok, _ := newRateBucket(0, 0, nil).allow(); !ok {
		t.Error("a zero limit limits")
	}
}

// Issue 13 finding 11: http.Server.Shutdown closes idle keep-alive
// connections at once, so a request a client had already written on one
// when SIGTERM came was reset. Shutdown drains first: every request on a
// connection still open is answered, with Connection: close.
func TestShutdownAnswersRequestsOnIdleConnections(t *testing.T) {
	in := start(t, testConfig(copyKB(t)), Options{Drain: 20 * time.Second})
	const conns = 16
	type client struct {
		c net.Conn
		r *bufio.Reader
	}
	clients := make([]client, conns)
	get := "GET /healthz HTTP/1.1\r\nHost: summitbot\r\n\r\n"
	for i := range clients {
		c := idleConn(t, in.addr) // answered once, now idle
		clients[i] = client{c, bufio.NewReader(c)}
	}
	// Half the requests are on their way when the signal comes, half are
	// sent once the listener has closed (shutdown has begun).
	for _, cl := range clients[:conns/2] {
		if _, err := io.WriteString(cl.c, get); err != nil {
			t.Fatal(err)
		}
	}
	in.cancel()
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", in.addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open 10 s after shutdown began")
		}
		time.Sleep(time.Millisecond)
	}
	for _, cl := range clients[conns/2:] {
		if _, err := io.WriteString(cl.c, get); err != nil {
			t.Fatal(err)
		}
	}
	answered, closing := 0, 0
	for i, cl := range clients {
		cl.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(cl.r, nil)
		if err != nil {
			t.Errorf("request %d on an idle connection at shutdown: %v", i, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			answered++
		}
		if resp.Close {
			closing++
		}
	}
	t.Logf("%d of %d requests on idle connections at shutdown answered, %d with Connection: close", answered, conns, closing)
	if answered != conns {
		t.Errorf("%d of %d requests on idle connections at shutdown answered", answered, conns)
	}
	if closing < conns/2 {
		t.Errorf("%d answers during the drain said Connection: close, want at least %d", closing, conns/2)
	}
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("the drain did not end once every connection had closed")
	}
	in.done <- nil // for start's cleanup
}

// Issue 13 finding 11: records lost (queue full, or not written at
// shutdown) were counted, but serve still exited 0. Serve now returns
// ErrRecordsLost, and "summitbot serve" exits 1.
func TestServeReportsLostRecords(t *testing.T) {
	cfg := testConfig(copyKB(t))
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "summitbot.db")
	for _, lose := range []int{0, 3} {
		t.Run(fmt.Sprintf("lost %d", lose), func(t *testing.T) {
			s, err := New(context.Background(), cfg, Options{Logger: quietLogger(), Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			// Before Serve the writer is not running: the queue fills up
			// and whatever does not fit is dropped.
			q := bot.Question{Text: "what is the weather", Platform: bot.PlatformSlack, UserID: "U1"}
			a := bot.Answer{Outcome: bot.OutcomeDeclined}
			n := 1
			if lose > 0 {
				n = s.recorder.Stats().Capacity + lose
			}
			for range n {
				s.recorder.OnAnswer(context.Background(), q, a, 0)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // shut down at once
			err = s.Serve(ctx, ln)
			// (On a slow machine the shutdown's final flush may lose more.)
			if got := s.recorder.Stats().Dropped; got < uint64(lose) || lose == 0 && got > 0 {
				t.Fatalf("dropped %d, want %d", got, lose)
			}
			if lose == 0 && err != nil {
				t.Errorf("Serve with nothing lost: %v", err)
			}
			if lose > 0 && !errors.Is(err, ErrRecordsLost) {
				t.Errorf("Serve after losing %d records returned %v, want ErrRecordsLost", lose, err)
			}
		})
	}
}

// Issue 13 finding 9: under overload every refused webhook was read,
// verified and logged first, so the CPU went to refusing. While a class's
// slots are all taken, its webhooks are refused before the body is read,
// with 503 and Retry-After, and nothing is logged.
func TestFullWebhookClassIsShedCheaply(t *testing.T) {
	sink := newResponseSink(t)
	dsig := newDiscordSigner(t)
	in := webhookConfig(t, sink, dsig)
	for _, sl := range []*slots{in.srv.slackSlots, in.srv.discordSlots} {
		for range cap(sl.ch) {
			release, ok := sl.take()
			if !ok {
				t.Fatal("a slot was taken already")
			}
			t.Cleanup(release)
		}
	}
	logsBefore := len(in.logs.String())
	for _, path := range []string{"/slack/commands", "/discord/interactions"} {
		// Headers and the start of a body that never comes: only a
		// refusal that does not read the body answers this at once.
		c := slowRequest(t, in.addr, path)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		begin := time.Now()
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s with its class full: %s, Retry-After %q, after %v; want 503 with Retry-After before the body is read",
				path, resp.Status, resp.Header.Get("Retry-After"), time.Since(begin))
		}
	}
	if a := in.answer(t, "what is brics"); !a.Answered {
		t.Errorf("the API was starved by full webhook classes: %+v", a)
	}
	if extra := in.logs.String()[logsBefore:]; strings.Contains(extra, "rejected") || strings.Contains(extra, `"level":"WARN"`) {
		t.Errorf("refusals were logged:\n%s", extra)
	}
}
