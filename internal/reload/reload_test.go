package reload

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testDebounce is long beside a burst of writes, even on a busy machine, so
// a burst is one report; the tests never wait for it to pass by sleeping.
const testDebounce = 200 * time.Millisecond

// harness runs a Watcher on dir. Each report carries what the sentinel file
// held when onChange ran, so a test can tell which change a report answers.
type harness struct {
	t        *testing.T
	dir      string
	reports  chan string
	sentinel int
}

func watch(t *testing.T, dir string) *harness {
	t.Helper()
	ready := make(chan struct{})
	w, err := New(dir, Options{Debounce: testDebounce, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ready: func() { close(ready) }})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, dir: dir, reports: make(chan string, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx, func(context.Context) {
			b, _ := os.ReadFile(filepath.Join(h.dir, "topics", "zz-sentinel.md"))
			h.reports <- string(b)
		}); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-ready:
	case <-time.After(time.Minute):
		t.Fatal("the watcher placed no watches within a minute")
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// next waits for a report.
func (h *harness) next(what string) string {
	h.t.Helper()
	select {
	case r := <-h.reports:
		return r
	case <-time.After(30 * time.Second):
		h.t.Fatalf("%s: no change reported", what)
		return ""
	}
}

// changed waits for the report of a change, then proves no second report of
// it follows: it changes the sentinel file, and the next report must be the
// sentinel's. A leftover report would carry the sentinel's old content.
func (h *harness) changed(what string) {
	h.t.Helper()
	h.next(what)
	h.quiet(what + " (after the first report)")
}

// quiet fails if a change is reported that does not answer the sentinel
// edit made after the call.
func (h *harness) quiet(what string) {
	h.t.Helper()
	h.sentinel++
	want := fmt.Sprintf("sentinel %d\n", h.sentinel)
	write(h.t, filepath.Join(h.dir, "topics", "zz-sentinel.md"), want)
	if got := h.next(what + ": sentinel edit"); got != want {
		h.t.Fatalf("%s: unexpected change report (it saw %q before the sentinel edit %q)", what, got, want)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newKB(t *testing.T, dir string) {
	t.Helper()
	write(t, filepath.Join(dir, "summits.yaml"), "meetings: []\n")
	write(t, filepath.Join(dir, "topics", "a.md"), "---\nid: a\n---\nA.\n")
}

func TestEdits(t *testing.T) {
	dir := t.TempDir()
	newKB(t, dir)
	h := watch(t, dir)

	write(t, filepath.Join(dir, "topics", "a.md"), "---\nid: a\n---\nA, edited.\n")
	h.changed("write in topics/")

	for i := range 20 {
		write(t, filepath.Join(dir, "topics", "a.md"), "---\nid: a\n---\nA"+string(rune('a'+i))+"\n")
	}
	h.changed("a burst of 20 writes (one report)")

	// An editor saving by rename: write a temporary file, rename it over.
	tmp := filepath.Join(dir, "topics", ".a.md.swp")
	write(t, tmp, "---\nid: a\n---\nA, renamed.\n")
	if err := os.Rename(tmp, filepath.Join(dir, "topics", "a.md")); err != nil {
		t.Fatal(err)
	}
	h.changed("rename over a topic")

	write(t, filepath.Join(dir, "summits.yaml"), "meetings: [] # edited\n")
	h.changed("write at the top level")

	write(t, filepath.Join(dir, "topics", "notes.txt"), "scratch")
	write(t, filepath.Join(dir, "topics", ".hidden.md"), "scratch")
	// A wrong report would come one debounce after these writes; give it
	// that long to show before the sentinel edit. On a slow machine this can
	// only miss a fault, never invent one.
	time.Sleep(3 * testDebounce)
	h.quiet("non-knowledge files")

	if err := os.Remove(filepath.Join(dir, "topics", "a.md")); err != nil {
		t.Fatal(err)
	}
	h.changed("topic deleted")
}

func TestTopicsRecreated(t *testing.T) {
	dir := t.TempDir()
	newKB(t, dir)
	h := watch(t, dir)

	if err := os.RemoveAll(filepath.Join(dir, "topics")); err != nil {
		t.Fatal(err)
	}
	h.next("topics/ removed") // no sentinel: writing it would re-create topics/
	write(t, filepath.Join(dir, "topics", "b.md"), "b")
	h.changed("topics/ re-created")
	write(t, filepath.Join(dir, "topics", "b.md"), "b edited")
	h.changed("edit in the re-created topics/")
}

// TestSymlinkSwap is how git-sync publishes a new revision: the folder is
// reached through a symlink that is atomically replaced.
func TestSymlinkSwap(t *testing.T) {
	root := t.TempDir()
	newKB(t, filepath.Join(root, "rev1", "kb"))
	newKB(t, filepath.Join(root, "rev2", "kb"))
	if err := os.Symlink("rev1", filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	h := watch(t, filepath.Join(root, "current", "kb"))

	write(t, filepath.Join(root, "rev1", "kb", "topics", "a.md"), "edited")
	h.changed("edit before the swap")

	tmp := filepath.Join(root, "current.tmp")
	if err := os.Symlink("rev2", tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "current")); err != nil {
		t.Fatal(err)
	}
	h.changed("symlink swapped")

	write(t, filepath.Join(root, "rev2", "kb", "topics", "a.md"), "edited in rev2")
	h.changed("edit in the new revision")

	if err := os.RemoveAll(filepath.Join(root, "rev1")); err != nil {
		t.Fatal(err)
	}
	h.quiet("old revision deleted")
}

func TestFolderRecreated(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "kb")
	newKB(t, dir)
	h := watch(t, dir)

	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	h.next("folder removed") // no sentinel: writing it would re-create the folder
	newKB(t, dir)
	h.changed("folder re-created")
	write(t, filepath.Join(dir, "topics", "a.md"), "edited")
	h.changed("edit in the re-created folder")
}

func TestStopsWithContext(t *testing.T) {
	dir := t.TempDir()
	newKB(t, dir)
	w, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx, func(context.Context) {}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
