package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/testutil"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestServer builds a Server without listening, for handler tests.
func newTestServer(t *testing.T, cfg config.Config) *Server {
	t.Helper()
	s, err := New(context.Background(), cfg, Options{Logger: quietLogger(), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAskRequests(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	long := strings.Repeat("why ", maxQuestion/4+1)
	tests := []struct {
		name   string
		method string
		auth   string
		body   string
		code   int
		want   string // substring of the response
	}{
		{"answered", "POST", "Bearer " + testToken, `{"question":"what is brics"}`, 200, `"outcome":"answered"`},
		{"declined is still 200", "POST", "Bearer " + testToken, `{"question":"best borscht recipe"}`, 200, `"answered":false`},
		{"lower-case scheme", "POST", "bearer " + testToken, `{"question":"what is brics"}`, 200, `"id":"brics"`},
		{"emoji only", "POST", "Bearer " + testToken, `{"question":"🐻🐼"}`, 200, `"outcome"`},
		{"no token", "POST", "", `{"question":"what is brics"}`, 401, "bearer token"},
		{"basic auth", "POST", "Basic " + testToken, `{"question":"what is brics"}`, 401, "bearer token"},
		{"token prefix", "POST", "Bearer " + testToken[:10], `{"question":"what is brics"}`, 401, "bearer token"},
		{"empty question", "POST", "Bearer " + testToken, `{"question":"  "}`, 400, "question is empty"},
		{"missing question", "POST", "Bearer " + testToken, `{}`, 400, "question is empty"},
		{"empty body", "POST", "Bearer " + testToken, ``, 400, "empty"},
		{"not JSON", "POST", "Bearer " + testToken, `question=hi`, 400, "malformed JSON"},
		{"binary", "POST", "Bearer " + testToken, "\x00\x01\x02\xff", 400, "malformed JSON"},
		{"wrong type", "POST", "Bearer " + testToken, `{"question": 42}`, 400, `field \"question\" must be a string`},
		{"unknown field", "POST", "Bearer " + testToken, `{"q":"hi"}`, 400, `unknown field \"q\"`},
		{"long unknown field", "POST", "Bearer " + testToken, `{"` + strings.Repeat("f", 5000) + `":"hi"}`, 400, `unknown field \"` + strings.Repeat("f", maxFieldName) + `…\"`},
		{"two objects", "POST", "Bearer " + testToken, `{"question":"a"}{"question":"b"}`, 400, "exactly one"},
		{"invalid UTF-8 becomes U+FFFD", "POST", "Bearer " + testToken, "{\"question\":\"\xff\xfe\"}", 200, `"outcome"`},
		{"NUL", "POST", "Bearer " + testToken, `{"question":"a\u0000b"}`, 400, "not valid text"},
		{"too long", "POST", "Bearer " + testToken, `{"question":"` + long + `"}`, 400, "longer than"},
		// The API's limit is the core's: one character over is refused here,
		// not accepted and then declined by the core as too long.
		{"one over the core's limit", "POST", "Bearer " + testToken, `{"question":"` + strings.Repeat("a", bot.MaxQuestion+1) + `"}`, 400, "longer than 1000"},
		{"long conversation", "POST", "Bearer " + testToken, `{"question":"hi","conversation":"` + strings.Repeat("c", maxConversation+1) + `"}`, 400, "conversation is longer"},
		{"huge body", "POST", "Bearer " + testToken, `{"question":"` + strings.Repeat("a", maxAskBody) + `"}`, 413, "larger than"},
		{"GET", "GET", "Bearer " + testToken, ``, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/v1/ask", strings.NewReader(tt.body))
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, r)
			if w.Code != tt.code || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %q: %d %s; want %d containing %q", tt.method, tt.body, w.Code, w.Body, tt.code, tt.want)
			}
			if w.Code != 405 {
				h := w.Header()
				if h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
					t.Errorf("headers %v, want those of the report endpoints", h)
				}
			}
			if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if strings.Contains(w.Body.String(), testToken) {
				t.Error("the token is echoed")
			}
		})
	}
}

func TestAPIOffWithoutToken(t *testing.T) {
	cfg := testConfig(copyKB(t))
	cfg.APIToken = ""
	s := newTestServer(t, cfg)
	for _, auth := range []string{"", "Bearer ", "Bearer anything"} {
		r := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"what is brics"}`))
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code != 401 || !strings.Contains(w.Body.String(), "SUMMITBOT_API_TOKEN") {
			t.Errorf("auth %q: %d %s", auth, w.Code, w.Body)
		}
	}
}

func TestConversationsAreNamespaced(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	// A chat user's context under the key "k" …
	s.Bot().Ask(context.Background(), bot.Question{Text: "what is brics", Platform: bot.PlatformSlack, UserID: "U1", Conversation: "k"})
	// … is not reachable through the API with the same key.
	r := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"sources?","conversation":"k"}`))
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if strings.Contains(w.Body.String(), "imbrics.com") {
		t.Errorf("the API reached a Slack conversation: %s", w.Body)
	}
}

func TestReadiness(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	get := func() (int, readiness) {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		var r readiness
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		return w.Code, r
	}
	if code, r := get(); code != 200 || !r.Ready {
		t.Fatalf("no adapters: %d %+v", code, r)
	}
	connected := false
	l := &link{name: config.AdapterDiscordGateway, connected: func() bool { return connected }}
	s.links = append(s.links, l)
	if code, r := get(); code != 503 || r.Ready || r.Adapters[config.AdapterDiscordGateway] {
		t.Errorf("gateway not running: %d %+v", code, r)
	}
	l.running.Store(true)
	if code, _ := get(); code != 503 {
		t.Errorf("gateway running but not connected: %d", code)
	}
	connected = true
	if code, r := get(); code != 200 || !r.Adapters[config.AdapterDiscordGateway] {
		t.Errorf("gateway connected: %d %+v", code, r)
	}
	s.shuttingDown.Store(true)
	if code, _ := get(); code != 503 {
		t.Errorf("shutting down: %d", code)
	}
}

func TestInvalidKnowledgeAtStart(t *testing.T) {
	kb := copyKB(t)
	topic := filepath.Join(kb, "topics", "sco.md")
	b, _ := os.ReadFile(topic)
	os.WriteFile(topic, []byte(strings.Replace(string(b), "category: global-order", "category: gossip", 1)), 0o644)
	var logs testutil.LockedBuffer
	_, err := New(context.Background(), testConfig(kb), Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: testNow})
	if err == nil {
		t.Fatal("New accepted an invalid knowledge folder")
	}
	if !strings.Contains(logs.String(), "topics/sco.md:") {
		t.Errorf("the problem is not logged with its file:\n%s", logs.String())
	}

	if _, err := New(context.Background(), testConfig(filepath.Join(kb, "missing")), Options{Logger: quietLogger()}); err == nil {
		t.Error("New accepted a missing knowledge folder")
	}
}

func TestEmbeddedKnowledge(t *testing.T) {
	cfg := config.Default()
	cfg.DatabaseURL = ""
	s, err := New(context.Background(), cfg, Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Bot().KB().Topics); n == 0 {
		t.Error("the embedded knowledge base has no topics")
	}
	if err := s.Reload(); err != ErrNoFolder {
		t.Errorf("Reload with no folder = %v", err)
	}
}

func TestReloadKeepsLastGoodVersion(t *testing.T) {
	kb := copyKB(t)
	s := newTestServer(t, testConfig(kb))
	before := s.Bot().KB()
	os.Remove(filepath.Join(kb, "summits.yaml"))
	os.WriteFile(filepath.Join(kb, "topics", "sco.md"), []byte("no front matter"), 0o644)
	if err := s.Reload(); err == nil {
		t.Fatal("Reload accepted a broken folder")
	}
	if s.Bot().KB() != before {
		t.Error("a failed reload replaced the knowledge base")
	}
}

func TestWebhookRoutes(t *testing.T) {
	sink := newResponseSink(t)
	dsig := newDiscordSigner(t)
	in := webhookConfig(t, sink, dsig)

	if code, body := do(t, dsig.request(in.url, []byte(`{"id":"1","type":1}`))); code != 200 || !strings.Contains(body, `"type":1`) {
		t.Errorf("discord PING: %d %s", code, body)
	}
	code, body := do(t, dsig.request(in.url, discordAsk("555", "42", "what is power of siberia")))
	if code != 200 || !strings.Contains(body, "2 December 2019") {
		t.Errorf("discord /ask: %d %s", code, body)
	}
	forged := dsig.request(in.url, discordAsk("556", "42", "what is power of siberia"))
	forged.Header.Set("X-Signature-Ed25519", strings.Repeat("0", 128))
	if code, _ := do(t, forged); code != 401 {
		t.Errorf("forged discord request: %d", code)
	}

	if code, _ := do(t, slackCommand(in.url, "U1", "what is the sco", sink.srv.URL+"/response")); code != 200 {
		t.Errorf("slack command: %d", code)
	}
	testutil.WaitFor(t, "the slack reply", func() bool { return strings.Contains(sink.bodies(), "Shanghai") })
	bad := slackCommand(in.url, "U1", "what is the sco", sink.srv.URL+"/response")
	bad.Header.Set("X-Slack-Signature", "v0=00")
	if code, _ := do(t, bad); code != 401 {
		t.Errorf("forged slack request: %d", code)
	}

	for _, name := range []string{"slack-http", "discord-interactions"} {
		if got := in.metric(t, `summitbot_adapter_connected{adapter="`+name+`"}`); got != 1 {
			t.Errorf("%s connected = %v", name, got)
		}
	}
	if got := in.metric(t, `summitbot_questions_total{outcome="answered",platform="discord"}`); got != 1 {
		t.Errorf("discord answered = %v", got)
	}
	for _, want := range []string{`"adapter on","adapter":"discord-interactions"`, `"adapter on","adapter":"slack-http"`, `"DISCORD_TOKEN is not set"`, `"recording off","reason":"SUMMITBOT_DATABASE_URL (or --database-url) is off"`} {
		if !strings.Contains(in.logs.String(), want) {
			t.Errorf("logs lack %s", want)
		}
	}
}

func TestWebhooksOffWhenNotConfigured(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	for _, path := range []string{"/discord/interactions", "/slack/commands", "/slack/events", "/slack/interactions"} {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("POST", path, strings.NewReader("{}")))
		if w.Code != 404 {
			t.Errorf("%s: %d, want 404", path, w.Code)
		}
	}
}

func TestInFlightBound(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	ready := func() (int, string) {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		return w.Code, w.Body.String()
	}
	if code, _ := ready(); code != 200 {
		t.Fatalf("/readyz before saturation: %d", code)
	}
	for range cap(s.apiSlots.ch) {
		s.apiSlots.ch <- struct{}{}
	}
	r := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{"question":"what is brics"}`))
	r.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	if w.Code != 503 || w.Header().Get("Retry-After") == "" {
		t.Errorf("over the bound: %d", w.Code)
	}
	// Readiness says the replica is saturated, and which class is.
	if code, body := ready(); code != 503 || !strings.Contains(body, `"saturated":["api"]`) {
		t.Errorf("/readyz when saturated: %d %s", code, body)
	}
	// Probes are not work: they still answer.
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != 200 {
		t.Errorf("/healthz over the bound: %d", w.Code)
	}
	// A request without the token takes no slot: it still gets its 401.
	w = httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("POST", "/v1/ask", strings.NewReader(`{}`)))
	if w.Code != 401 {
		t.Errorf("unauthenticated request over the bound: %d, want 401", w.Code)
	}
}

func TestShutdownTimeoutBoundsSlowRequests(t *testing.T) {
	cfg := testConfig(copyKB(t))
	cfg.ShutdownTimeout = 300 * time.Millisecond
	in := start(t, cfg, Options{})
	// A client that sends headers and then stalls forever.
	conn, err := net.DialTimeout("tcp", in.addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
		in.done <- err
	case <-time.After(5 * time.Second):
		t.Fatal("a stalled request held the shutdown past its timeout")
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("shutdown took %v", took)
	}
}

// serveWithLink runs a server with one fake long-lived connection.
func serveWithLink(t *testing.T, run func(ctx context.Context) error) (*instance, *link) {
	t.Helper()
	s := newTestServer(t, testConfig(copyKB(t)))
	l := &link{name: "fake", run: run, connected: func() bool { return true }}
	s.links = append(s.links, l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{srv: s, addr: ln.Addr().String(), url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return in, l
}

func TestConnectionLifecycle(t *testing.T) {
	started, stopped := make(chan struct{}), make(chan struct{})
	in, _ := serveWithLink(t, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(stopped)
		return nil
	})
	<-started
	testutil.WaitFor(t, "ready", func() bool {
		code, body := in.get(t, "/readyz")
		return code == 200 && strings.Contains(body, `"fake":true`)
	})
	in.cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection was not closed at shutdown")
	}
	if err := <-in.done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

func TestConnectionFailureStopsServer(t *testing.T) {
	in, _ := serveWithLink(t, func(ctx context.Context) error { return errors.New("token revoked") })
	select {
	case err := <-in.done:
		if err == nil || !strings.Contains(err.Error(), "fake: token revoked") {
			t.Errorf("Serve = %v, want the connection's error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve kept running after its connection failed for good")
	}
}

// TestPanicIsCountedAs500 serves a panicking route through the same
// wrappers as the real routes: the client gets a 500, and so does the metric.
func TestPanicIsCountedAs500(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.Handle("GET /metrics", s.metrics.Handler())
	h := s.outer(mux, []string{"GET /boom", "GET /metrics"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "internal error") {
		t.Fatalf("panicking route: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if got := sampleValue(t, w.Body.String(), `summitbot_http_requests_total{code="500",route="GET /boom"}`); got != 1 {
		t.Errorf("requests{GET /boom, 500} = %v, want 1", got)
	}
	if got := sampleValue(t, w.Body.String(), `summitbot_http_requests_total{code="200",route="GET /boom"}`); got != -1 {
		t.Errorf("requests{GET /boom, 200} = %v, want no such series", got)
	}
}

func TestRetry(t *testing.T) {
	t.Run("fails then succeeds", func(t *testing.T) {
		calls := 0
		var waits []time.Duration
		err := retry(context.Background(), time.Millisecond, 3*time.Millisecond, func(context.Context) error {
			calls++
			if calls <= 4 {
				return errors.New("discord is down")
			}
			return nil
		}, func(err error, wait time.Duration) { waits = append(waits, wait) })
		if err != nil || calls != 5 {
			t.Errorf("retry = %v after %d calls, want nil after 5", err, calls)
		}
		want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 3 * time.Millisecond}
		if !slices.Equal(waits, want) {
			t.Errorf("waits = %v, want %v (doubling, capped)", waits, want)
		}
	})
	t.Run("stops when ctx ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		err := retry(ctx, time.Hour, time.Hour, func(context.Context) error {
			calls++
			return errors.New("discord is down")
		}, func(error, time.Duration) { cancel() })
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("retry = %v after %d calls, want context.Canceled after 1", err, calls)
		}
	})
}

// TestChoresAreNotFatal runs a server with a background chore that never
// succeeds: the server stays ready and keeps serving.
func TestChoresAreNotFatal(t *testing.T) {
	s := newTestServer(t, testConfig(copyKB(t)))
	ran := make(chan struct{})
	s.chores = append(s.chores, func(ctx context.Context) {
		_ = retry(ctx, time.Millisecond, time.Millisecond, func(context.Context) error { return errors.New("token revoked") }, func(error, time.Duration) {
			select {
			case <-ran:
			default:
				close(ran)
			}
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in := &instance{srv: s, addr: ln.Addr().String(), url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- s.Serve(ctx, ln) }()
	<-ran
	time.Sleep(50 * time.Millisecond) // a few more failures
	if code, body := in.get(t, "/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s with a failing chore", code, body)
	}
	select {
	case err := <-in.done:
		t.Fatalf("Serve returned %v because a chore failed", err)
	default:
	}
	cancel()
	if err := <-in.done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// FuzzAsk sends arbitrary bodies to POST /v1/ask: never a panic, always a
// JSON answer or a JSON error with a 2xx or 4xx status.
func FuzzAsk(f *testing.F) {
	f.Add(`{"question":"what is brics"}`)
	f.Add(`{"question":"sources?","conversation":"x"}`)
	f.Add(`{"question":"🐻","conversation":""}`)
	f.Add(`[1,2,3]`)
	f.Add("\x00\xff")
	kb, err := os.MkdirTemp("", "fuzzkb")
	if err != nil {
		f.Fatal(err)
	}
	defer os.RemoveAll(kb)
	kb = filepath.Join(kb, "kb")
	if err := os.CopyFS(kb, os.DirFS("testdata/kb")); err != nil {
		f.Fatal(err)
	}
	s, err := New(context.Background(), testConfig(kb), Options{Logger: quietLogger(), Now: testNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+testToken)
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		if w.Code >= 500 || !json.Valid(w.Body.Bytes()) {
			t.Errorf("%q: %d %s", body, w.Code, w.Body)
		}
	})
}

// TestPanicLogsNoText: a handler's panic becomes a 500, and its log line
// names a runtime error or the panic value's type, never a value that
// could carry a question's text.
func TestPanicLogsNoText(t *testing.T) {
	var logs testutil.LockedBuffer
	s, err := New(context.Background(), testConfig(copyKB(t)), Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{"what is the power of siberia", fmt.Errorf("asked %q", "what is the power of siberia")} {
		h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(v) }))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/v1/ask", nil))
		if w.Code != http.StatusInternalServerError {
			t.Errorf("panic(%T): code %d, want 500", v, w.Code)
		}
	}
	var xs []int
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { _ = xs[3] }))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/v1/ask", nil))
	out := logs.String()
	if strings.Contains(out, "power of siberia") {
		t.Errorf("a panic value's text is logged:\n%s", out)
	}
	if !strings.Contains(out, "index out of range") {
		t.Errorf("a runtime error is not logged with its text:\n%s", out)
	}
}
