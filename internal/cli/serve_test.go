package cli

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/testutil"
)

func serveEnv(vars map[string]string) (*Env, *testutil.LockedBuffer, *testutil.LockedBuffer) {
	out, errs := &testutil.LockedBuffer{}, &testutil.LockedBuffer{}
	if _, ok := vars["SUMMITBOT_DATABASE_URL"]; !ok {
		vars = maps.Clone(vars)
		if vars == nil {
			vars = map[string]string{}
		}
		vars["SUMMITBOT_DATABASE_URL"] = "off" // no summitbot.db in the package folder
	}
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: out,
		Stderr: errs,
		Getenv: func(k string) string { return vars[k] },
		Now:    time.Now,
	}, out, errs
}

func TestServeInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want []string
	}{
		{"slack secret missing", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, nil,
			[]string{"invalid configuration", "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is missing"}},
		{"two problems, one per line", map[string]string{"DISCORD_TOKEN": "t", "SUMMITBOT_RATE_LIMIT": "lots"}, nil,
			[]string{"\n  DISCORD_TOKEN is set but DISCORD_APP_ID is missing", "\n  SUMMITBOT_RATE_LIMIT"}},
		{"bad flag", nil, []string{"--no-such-flag"}, []string{"no-such-flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, errs := serveEnv(tt.vars)
			if code := runServe(context.Background(), env, tt.args); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}

func TestServeHelp(t *testing.T) {
	env, _, errs := serveEnv(nil)
	if code := runServe(context.Background(), env, []string{"-h"}); code != exitOK {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(errs.String(), "SUMMITBOT_API_TOKEN") {
		t.Errorf("help does not list the env-only secrets:\n%s", errs)
	}
}

func TestServeBadKnowledgeFolder(t *testing.T) {
	env, _, errs := serveEnv(map[string]string{"SUMMITBOT_KB": filepath.Join(t.TempDir(), "missing"), "SUMMITBOT_ADDR": "127.0.0.1:0"})
	if code := runServe(context.Background(), env, nil); code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(errs.String(), "cannot start") {
		t.Errorf("stderr:\n%s", errs)
	}
}

// TestServePortTaken: when the address is taken, serve exits 1 and closes
// the database it opened (SQLite removes the WAL file when the last
// connection closes).
func TestServePortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	db := filepath.Join(t.TempDir(), "summitbot.db")
	env, _, errs := serveEnv(map[string]string{"SUMMITBOT_DATABASE_URL": "sqlite:" + db, "SUMMITBOT_ADDR": taken.Addr().String()})
	if code := runServe(context.Background(), env, nil); code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	if !strings.Contains(errs.String(), "cannot listen") {
		t.Errorf("stderr:\n%s", errs)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the database was never opened: %v", err)
	}
	if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the database was left open (%s-wal remains: %v)", filepath.Base(db), err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeSignals runs the real command: SIGHUP reloads the knowledge
// folder, SIGTERM shuts down with exit 0.
func TestServeSignals(t *testing.T) {
	kb := filepath.Join(t.TempDir(), "kb")
	if err := os.CopyFS(kb, os.DirFS("../server/testdata/kb")); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	env, _, logs := serveEnv(map[string]string{"SUMMITBOT_KB": kb, "SUMMITBOT_LOG_FORMAT": "json"})
	done := make(chan int, 1)
	go func() { done <- runServe(context.Background(), env, []string{"--addr", addr}) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Healthcheck finds the server through --addr.
	henv, hout, _ := serveEnv(nil)
	if code := runHealthcheck(context.Background(), henv, []string{"--addr", addr}); code != exitOK || !strings.Contains(hout.String(), "ok") {
		t.Errorf("healthcheck: exit %d", code)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(logs.String(), "knowledge base reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after SIGTERM:\n%s", code, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if !strings.HasPrefix(strings.TrimSpace(logs.String()), "{") {
		t.Errorf("logs are not JSON:\n%s", logs)
	}
}

func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	_, healthyPort, _ := net.SplitHostPort(healthy.Listener.Addr().String())

	tests := []struct {
		name string
		vars map[string]string
		args []string
		code int
	}{
		{"flag", nil, []string{"--addr", healthy.Listener.Addr().String()}, exitOK},
		{"env, port only", map[string]string{"SUMMITBOT_ADDR": ":" + healthyPort}, nil, exitOK},
		{"unhealthy", nil, []string{"--addr", sick.Listener.Addr().String()}, exitFail},
		{"nothing listening", nil, []string{"--addr", freeAddr(t)}, exitFail},
		{"bad address", nil, []string{"--addr", "8080"}, exitUsage},
		{"argument", nil, []string{"extra"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := serveEnv(tt.vars)
			if code := runHealthcheck(context.Background(), env, tt.args); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}

func TestProbeAddr(t *testing.T) {
	tests := map[string]string{
		":8080":          "127.0.0.1:8080",
		"0.0.0.0:9000":   "127.0.0.1:9000",
		"[::]:8080":      "[::1]:8080",
		"10.0.0.5:8080":  "10.0.0.5:8080",
		"localhost:8080": "localhost:8080",
	}
	for in, want := range tests {
		if got, err := probeAddr(in); err != nil || got != want {
			t.Errorf("probeAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// Issue 13 finding 7: JSON logs gave durations in nanoseconds.
func TestLogsDurationsAsText(t *testing.T) {
	var out bytes.Buffer
	cfg := config.Default()
	cfg.LogFormat = "json"
	newLogger(&Env{Stderr: &out}, cfg).Info("x", "took", 1500*time.Millisecond, "retry_in", time.Second)
	if s := out.String(); !strings.Contains(s, `"took":"1.5s"`) || !strings.Contains(s, `"retry_in":"1s"`) {
		t.Errorf("durations in a JSON log line: %s", s)
	}
}
