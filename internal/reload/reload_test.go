package reload

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// harness runs a Watcher on dir and counts onChange calls.
type harness struct {
	t     *testing.T
	calls chan struct{}
}

func watch(t *testing.T, dir string) *harness {
	t.Helper()
	w, err := New(dir, Options{Debounce: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, calls: make(chan struct{}, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	started := make(chan struct{})
	go func() {
		defer wg.Done()
		close(started)
		if err := w.Run(ctx, func(context.Context) { h.calls <- struct{}{} }); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	<-started
	time.Sleep(100 * time.Millisecond) // let the watches be placed
	t.Cleanup(func() { cancel(); wg.Wait() })
	return h
}

// changed waits for one onChange call, then makes sure no more come.
func (h *harness) changed(what string) {
	h.t.Helper()
	select {
	case <-h.calls:
	case <-time.After(5 * time.Second):
		h.t.Fatalf("%s: no change reported", what)
	}
	h.quiet(what + " (after the first report)")
}

// quiet fails if a change is reported within a little more than the debounce.
func (h *harness) quiet(what string) {
	h.t.Helper()
	select {
	case <-h.calls:
		h.t.Fatalf("%s: unexpected change report", what)
	case <-time.After(300 * time.Millisecond):
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
	h.changed("topics/ removed")
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
	h.changed("folder removed")
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
