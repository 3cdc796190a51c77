//go:build unix

package server

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
	"github.com/summitbot/summitbot/knowledge"
)

// Issue 13 finding 2: a FIFO or a symlink to a pipe in topics/ hung start-up
// (nothing listened, nothing was logged) and froze reloading for good.
func TestSpecialFilesInKnowledgeFolder(t *testing.T) {
	kb := copyKB(t)
	if err := syscall.Mkfifo(filepath.Join(kb, "topics", "fifo.md"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("/proc/self/fd/1", filepath.Join(kb, "topics", "stdout.md")); err != nil {
		t.Fatal(err)
	}
	started := make(chan *instance, 1)
	go func() { started <- start(t, testConfig(kb), Options{}) }()
	var in *instance
	select {
	case in = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("start-up blocked on a named pipe in the knowledge folder")
	}
	if code, _ := in.get(t, "/readyz"); code != 200 {
		t.Fatalf("/readyz: %d", code)
	}
	if !strings.Contains(in.logs.String(), `"level":"WARN","msg":"knowledge warning","problem":"`+filepath.Join(kb, "topics", "fifo.md")+`: warning: not a regular file (named pipe); ignored"`) {
		t.Errorf("the named pipe is not reported at warn level:\n%s", in.logs.String())
	}

	// Reloading still works: another pipe appears, then a real edit.
	if err := syscall.Mkfifo(filepath.Join(kb, "topics", "later.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := in.srv.Reload(); err != nil {
		t.Fatalf("Reload with a pipe in topics/: %v", err)
	}
	sco := filepath.Join(kb, "topics", "sco.md")
	b, err := os.ReadFile(sco)
	if err != nil {
		t.Fatal(err)
	}
	replace(t, sco, strings.Replace(string(b), "aliases:\n", "aliases:\n  - zebra fifo check\n", 1))
	testutil.WaitFor(t, "the edit to be reloaded", func() bool {
		return in.answer(t, "zebra fifo check").Outcome == "answered"
	})
}

// A load that hangs is cut off, counted as a failed reload and logged; the
// last good version stays in use, and a stuck load does not pile up more.
func TestReloadTimeoutIsAFailure(t *testing.T) {
	kb := copyKB(t)
	s := newTestServer(t, testConfig(kb))
	before := s.Bot().KB()
	release := make(chan struct{})
	defer close(release)
	s.loadTimeout = 50 * time.Millisecond
	s.load = func(dir string, now time.Time) (*knowledge.KB, error) {
		<-release
		return knowledge.LoadDir(dir, now)
	}
	for range 2 {
		if err := s.Reload(); err == nil || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("Reload of a hanging load = %v", err)
		}
	}
	if s.Bot().KB() != before {
		t.Error("a timed-out reload replaced the knowledge base")
	}
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	out := w.Body.String()
	if got := sampleValue(t, out, "summitbot_knowledge_reload_failures_total"); got != 2 {
		t.Errorf("reload failures = %v, want 2", got)
	}
	if got := sampleValue(t, out, "summitbot_knowledge_reload_timeouts_total"); got != 2 {
		t.Errorf("reload timeouts = %v, want 2", got)
	}
}
