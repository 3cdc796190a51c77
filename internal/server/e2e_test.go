package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/testutil"
)

const testToken = "test-token-0123456789abcdef"

// testNow keeps the test knowledge base's review dates fresh.
func testNow() time.Time { return time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC) }

// copyKB copies testdata/kb to a fresh folder the test may edit.
func copyKB(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kb")
	if err := os.CopyFS(dir, os.DirFS("testdata/kb")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// instance is a real server running on a loopback port.
type instance struct {
	srv    *Server
	addr   string
	url    string
	logs   *testutil.LockedBuffer
	cancel context.CancelFunc
	done   chan error
}

// start runs New and Serve on 127.0.0.1:0, exactly as "summitbot serve"
// does, and stops the server when the test ends.
func start(t testing.TB, cfg config.Config, opts Options) *instance {
	t.Helper()
	logs := &testutil.LockedBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.Now == nil {
		opts.Now = testNow
	}
	if opts.ReloadDebounce == 0 {
		opts.ReloadDebounce = 50 * time.Millisecond
	}
	if opts.Drain == 0 {
		// The clients' idle keep-alive connections would hold every
		// test's shutdown for the whole drain.
		opts.Drain = 50 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, cfg, opts)
	if err != nil {
		cancel()
		t.Fatalf("New: %v\nlogs:\n%s", err, logs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	in := &instance{srv: srv, addr: ln.Addr().String(), url: "http://" + ln.Addr().String(), logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-in.done:
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	})
	return in
}

func (in *instance) get(t testing.TB, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", in.url+path, nil)
	return do(t, req)
}

func (in *instance) ask(t testing.TB, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", in.url+"/v1/ask", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// do sends r and returns its status and body.
func do(t testing.TB, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (in *instance) answer(t testing.TB, question string) bot.Answer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"question": question})
	code, out := in.ask(t, testToken, string(body))
	if code != 200 {
		t.Fatalf("ask: %d %s", code, out)
	}
	var a bot.Answer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("ask: %v in %s", err, out)
	}
	return a
}

// metric reads one sample from /metrics, e.g.
// `summitbot_questions_total{outcome="answered",platform="api"}`; -1 if absent.
func (in *instance) metric(t testing.TB, sample string) float64 {
	t.Helper()
	_, out := in.get(t, "/metrics")
	return sampleValue(t, out, sample)
}

// sampleValue finds one sample in a scrape; -1 if absent.
func sampleValue(t testing.TB, out, sample string) float64 {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", sample, err)
	}
	return v
}

// replace writes a file the way editors save: a temporary file renamed over
// the original.
func replace(t testing.TB, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func testConfig(kb string) config.Config {
	cfg := config.Default()
	cfg.DatabaseURL = "" // recording off unless a test turns it on
	cfg.KBDir = kb
	cfg.APIToken = testToken
	return cfg
}

func TestEndToEnd(t *testing.T) {
	kb := copyKB(t)
	in := start(t, testConfig(kb), Options{})

	t.Run("health", func(t *testing.T) {
		if code, body := in.get(t, "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
			t.Errorf("/healthz = %d %s", code, body)
		}
	})
	t.Run("ready", func(t *testing.T) {
		code, body := in.get(t, "/readyz")
		var r readiness
		if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || !r.Ready || r.Topics != 3 {
			t.Errorf("/readyz = %d %s", code, body)
		}
	})
	t.Run("api", func(t *testing.T) {
		q := `{"question": "what is power of siberia"}`
		if code, body := in.ask(t, "", q); code != 401 || !strings.Contains(body, "bearer token") {
			t.Errorf("no token: %d %s", code, body)
		}
		if code, _ := in.ask(t, "wrong-token-0123456789", q); code != 401 {
			t.Errorf("wrong token: %d", code)
		}
		if code, _ := in.ask(t, testToken+"x", q); code != 401 {
			t.Errorf("token with a suffix: %d", code)
		}
		code, body := in.ask(t, testToken, q)
		if code != 200 {
			t.Fatalf("with token: %d %s", code, body)
		}
		// The same JSON as "ask --json": json.Marshal of bot.Answer.
		var a bot.Answer
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(a)
		if strings.TrimSpace(body) != string(want) {
			t.Errorf("body is not json.Marshal(bot.Answer):\n got %s\nwant %s", body, want)
		}
		if !a.Answered || a.Topic == nil || a.Topic.ID != "power-of-siberia" || !strings.Contains(a.Text, "2 December 2019") {
			t.Errorf("answer = %+v", a)
		}
	})
	t.Run("follow-up in a conversation", func(t *testing.T) {
		code, _ := in.ask(t, testToken, `{"question": "what is brics", "conversation": "c1"}`)
		if code != 200 {
			t.Fatal(code)
		}
		code, body := in.ask(t, testToken, `{"question": "sources?", "conversation": "c1"}`)
		if code != 200 || !strings.Contains(body, "imbrics.com") {
			t.Errorf("follow-up: %d %s", code, body)
		}
	})

	topic := filepath.Join(kb, "topics", "power-of-siberia.md")
	original, err := os.ReadFile(topic)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("reload a valid edit", func(t *testing.T) {
		edited := strings.Replace(string(original), "opened on 2 December 2019", "opened on 2 December 2019 (edited by a moderator)", 1)
		replace(t, topic, edited)
		testutil.WaitFor(t, "the edit to go live", func() bool {
			return strings.Contains(in.answer(t, "what is power of siberia").Text, "edited by a moderator")
		})
		if got := in.metric(t, "summitbot_knowledge_reloads_total"); got < 1 {
			t.Errorf("reloads_total = %v", got)
		}
	})
	t.Run("reload a broken edit", func(t *testing.T) {
		before := in.metric(t, "summitbot_knowledge_reload_failures_total")
		broken := strings.Replace(string(original), "category: energy", "category: energy\nmood: cheerful", 1)
		replace(t, topic, broken)
		testutil.WaitFor(t, "the failure to be counted", func() bool {
			return in.metric(t, "summitbot_knowledge_reload_failures_total") == before+1
		})
		if a := in.answer(t, "what is power of siberia"); !strings.Contains(a.Text, "edited by a moderator") {
			t.Errorf("after a broken edit the answer is %q, want the last good version", a.Text)
		}
		logs := in.logs.String()
		if !strings.Contains(logs, "topics/power-of-siberia.md:") || !strings.Contains(logs, "invalid knowledge file") {
			t.Errorf("the problem is not logged with file:line:\n%s", logs)
		}
		if code, body := in.get(t, "/readyz"); code != 200 {
			t.Errorf("a failed reload made the server unready: %s", body)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		checks := []struct {
			sample string
			min    float64
		}{
			{`summitbot_questions_total{outcome="answered",platform="api"}`, 4},
			{`summitbot_answer_duration_seconds_count{platform="api"}`, 4},
			{`summitbot_topics_loaded`, 3},
			{`summitbot_knowledge_reloads_total`, 1},
			{`summitbot_knowledge_reload_failures_total`, 1},
			{`summitbot_http_requests_total{code="401",route="POST /v1/ask"}`, 3},
			{`summitbot_http_requests_total{code="200",route="GET /healthz"}`, 1},
			{`summitbot_http_request_duration_seconds_count{route="POST /v1/ask"}`, 5},
		}
		for _, c := range checks {
			if got := in.metric(t, c.sample); got < c.min {
				t.Errorf("%s = %v, want at least %v", c.sample, got, c.min)
			}
		}
		// Shown from the start, though no Slack question was asked.
		if got := in.metric(t, `summitbot_questions_total{outcome="declined",platform="slack"}`); got != 0 {
			t.Errorf(`questions{declined, slack} = %v, want exactly 0 (-1: absent)`, got)
		}
	})
	t.Run("logs hold no message text", func(t *testing.T) {
		in.answer(t, "zebra xylophone quokka")
		if strings.Contains(in.logs.String(), "quokka") {
			t.Error("a question's text was logged")
		}
		for _, want := range []string{`"adapter off"`, `DISCORD_TOKEN is not set`, `SLACK_APP_TOKEN is not set`} {
			if !strings.Contains(in.logs.String(), want) {
				t.Errorf("logs lack %s", want)
			}
		}
	})
}

// TestGracefulShutdown cancels the server while a request is half sent: new
// connections are refused at once, the request in flight still gets its
// answer, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	in := start(t, testConfig(copyKB(t)), Options{})

	conn, err := net.Dial("tcp", in.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"question": "what is the sco"}`
	fmt.Fprintf(conn, "POST /v1/ask HTTP/1.1\r\nHost: summitbot\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		testToken, len(body), body[:10])
	time.Sleep(200 * time.Millisecond) // let the server start reading it

	in.cancel()
	testutil.WaitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", in.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case err := <-in.done:
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}

	if _, err := io.WriteString(conn, body[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no response: %v", err)
	}
	defer resp.Body.Close()
	var a bot.Answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != 200 || a.Topic == nil || a.Topic.ID != "sco" {
		t.Errorf("in-flight answer: %d %+v %v", resp.StatusCode, a, err)
	}
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
		in.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// TestGracefulShutdownSlack is TestGracefulShutdown for a Slack slash
// command: half sent when shutdown begins, it still gets its ack, not a 503,
// and its reply is posted.
func TestGracefulShutdownSlack(t *testing.T) {
	sink := newResponseSink(t)
	cfg := testConfig(copyKB(t))
	withSlack(&cfg, "xoxb-test", sink.srv.URL)
	in := start(t, cfg, Options{})

	var wire bytes.Buffer
	if err := slackCommand(in.url, "U1", "what is the sco", sink.srv.URL+"/response").Write(&wire); err != nil {
		t.Fatal(err)
	}
	raw := wire.Bytes()
	conn, err := net.Dial("tcp", in.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(raw[:len(raw)-10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the server start reading it

	in.cancel()
	testutil.WaitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", in.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if _, err := conn.Write(raw[len(raw)-10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the command in flight got no response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("the command in flight got %d %q, want a plain ack", resp.StatusCode, body)
	}
	testutil.WaitFor(t, "the reply", func() bool { return strings.Contains(sink.bodies(), "Shanghai") })
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
		in.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// TestRecording runs with a SQLite database: declined questions reach the
// gaps report behind the API token, and the recorder's counters are exported.
func TestRecording(t *testing.T) {
	cfg := testConfig(copyKB(t))
	cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "summitbot.db")
	in := start(t, cfg, Options{})

	for range 2 {
		if a := in.answer(t, "best borscht recipe"); a.Answered {
			t.Fatalf("borscht was answered: %+v", a)
		}
	}
	in.answer(t, "what is brics") // answered: not recorded

	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", in.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	testutil.WaitFor(t, "the declined question to be recorded", func() bool {
		return in.metric(t, "summitbot_records_written_total") == 2
	})
	code, body := get("/v1/gaps", testToken)
	if code != 200 || !strings.Contains(body, "borscht") || !strings.Contains(body, `"count":2`) {
		t.Errorf("/v1/gaps: %d %s", code, body)
	}
	if code, _ := get("/v1/gaps", ""); code != 401 {
		t.Errorf("/v1/gaps without a token: %d", code)
	}
	if code, body := get("/v1/feedback", testToken); code != 200 || !strings.Contains(body, `"topics"`) {
		t.Errorf("/v1/feedback: %d %s", code, body)
	}
	if got := in.metric(t, "summitbot_records_dropped_total"); got != 0 {
		t.Errorf("dropped = %v", got)
	}
}

func TestReportsOffWithoutDatabase(t *testing.T) {
	in := start(t, testConfig(copyKB(t)), Options{})
	req, _ := http.NewRequest("GET", in.url+"/v1/gaps", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || !strings.Contains(string(b), "SUMMITBOT_DATABASE_URL") {
		t.Errorf("/v1/gaps with recording off: %d %s", resp.StatusCode, b)
	}
}
