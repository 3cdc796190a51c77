//go:build unix

package knowledge

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// writeFolder writes testFolder's files to a real folder.
func writeFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kb")
	if err := os.CopyFS(dir, testFolder(nil)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadWithin runs LoadDir and fails the test if it does not return within
// a few seconds: before the fix, a named pipe blocked it forever.
func loadWithin(t *testing.T, dir string) (*KB, error) {
	t.Helper()
	type result struct {
		kb  *KB
		err error
	}
	done := make(chan result, 1)
	go func() {
		kb, err := LoadDir(dir, testNow)
		done <- result{kb, err}
	}()
	select {
	case r := <-done:
		return r.kb, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("LoadDir blocked on a special file")
		return nil, nil
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err) // not a fault of the code under test
	}
}

// Issue 13 finding 2: a FIFO, or a symlink to a pipe, in topics/ froze
// every load forever.
func TestLoadDirSkipsSpecialFiles(t *testing.T) {
	dir := writeFolder(t)
	outside := t.TempDir()
	mkfifo(t, filepath.Join(dir, "topics", "fifo.md"))
	mkfifo(t, filepath.Join(outside, "pipe"))
	links := map[string]string{
		"pipe-outside.md": filepath.Join(outside, "pipe"),
		"stdout.md":       "/proc/self/fd/1",
		"escape.md":       "../../" + filepath.Base(outside) + "/pipe",
		"dangling.md":     "nowhere.md",
		"null.md":         "/dev/null",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, "topics", name)); err != nil {
			t.Fatal(err)
		}
	}
	// A symlink that stays inside the folder is followed as before.
	if err := os.Rename(filepath.Join(dir, "topics", "trade-volume.md"), filepath.Join(dir, "trade.src")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../trade.src", filepath.Join(dir, "topics", "trade-volume.md")); err != nil {
		t.Fatal(err)
	}

	kb, err := loadWithin(t, dir)
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if len(kb.Topics) != 2 {
		t.Errorf("loaded %d topics, want the 2 regular ones", len(kb.Topics))
	}
	var warned []string
	skipped := 0
	for _, p := range kb.Warnings {
		warned = append(warned, p.String())
		if p.Skipped {
			skipped++
		}
	}
	if skipped != 6 {
		t.Errorf("%d warnings marked Skipped, want the 6 files left out", skipped)
	}
	all := strings.Join(warned, "\n")
	for _, want := range []string{
		filepath.Join(dir, "topics", "fifo.md") + ": warning: not a regular file (named pipe); ignored",
		filepath.Join(dir, "topics", "pipe-outside.md") + ": warning: symlink that leaves the knowledge folder",
		filepath.Join(dir, "topics", "stdout.md") + ": warning: symlink that leaves",
		filepath.Join(dir, "topics", "escape.md") + ": warning: symlink that leaves",
		filepath.Join(dir, "topics", "dangling.md") + ": warning: symlink that leaves",
		filepath.Join(dir, "topics", "null.md") + ": warning: symlink that leaves",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q; got:\n%s", want, all)
		}
	}
}

// A required file that is a named pipe is an error naming the file, not a
// hang.
func TestLoadDirRefusesSpecialRequiredFile(t *testing.T) {
	dir := writeFolder(t)
	p := filepath.Join(dir, "summits.yaml")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, p)
	_, err := loadWithin(t, dir)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("LoadDir: %v, want a ValidationError", err)
	}
	var all []string
	for _, p := range ve.Problems {
		all = append(all, p.String())
	}
	if got := strings.Join(all, "\n"); !strings.Contains(got, p+": cannot read:") || !strings.Contains(got, "not a regular file (named pipe)") {
		t.Errorf("problems:\n%s", got)
	}
}

// Load with any fs.FS refuses what is not a regular file before opening it.
func TestOpenRegular(t *testing.T) {
	fsys := fstest.MapFS{
		"file": {Data: []byte("x")},
		"pipe": {Mode: os.ModeNamedPipe},
		"dir":  {Mode: os.ModeDir},
	}
	for name, ok := range map[string]bool{"file": true, "pipe": false, "dir": false, "missing": false} {
		f, err := openRegular(fsys, name)
		if (err == nil) != ok {
			t.Errorf("openRegular(%s): %v", name, err)
		}
		if f != nil {
			f.Close()
		}
	}
}
