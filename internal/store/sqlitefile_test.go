package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// Issue 13 finding 4: deleting the SQLite file while serving lost every row
// silently: the pool wrote on into the unlinked file (metrics said all was
// written), a new connection created an empty file, and the next start
// migrated it and began an empty store.
func TestDeletedDatabaseIsDetectedAndNeverRecreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summitbot.db")
	url := "sqlite:" + path
	s := openTest(t, url)
	var logs bytes.Buffer
	r := NewRecorder(s, RecorderOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r.minBackoff, r.maxBackoff, r.shutdownTimeout = time.Millisecond, 10*time.Millisecond, 100*time.Millisecond
	stop := runRecorder(t, r)
	ctx := context.Background()
	q, a := declined("what about the arctic")
	r.OnAnswer(ctx, q, a, 0)
	testutil.WaitFor(t, "the first record", func() bool { return r.Stats().Recorded == 1 })

	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	for range 3 {
		r.OnAnswer(ctx, q, a, 0)
	}
	testutil.WaitFor(t, "the loss to be detected", func() bool { return r.Stats().DatabaseLost >= 2 })
	if st := r.Stats(); st.Recorded != 1 || st.FailedWrites < 2 {
		t.Errorf("Stats = %+v: records were written into a deleted file", st)
	}
	// What could not be written is counted, not lost silently.
	if err := stop(); err == nil || r.Stats().Dropped != 3 {
		t.Errorf("Run = %v with %+v, want 3 records reported lost", err, r.Stats())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a new database file was created in place of the deleted one (%v)", err)
	}
	if !strings.Contains(logs.String(), "deleted or replaced") {
		t.Errorf("the loss is not logged:\n%s", logs.String())
	}

	// At restart, the marker says a database existed: no empty store.
	s.Close()
	_, err := Open(ctx, url)
	if !errors.Is(err, ErrDatabaseLost) || !strings.Contains(err.Error(), markerSuffix) {
		t.Fatalf("Open where the database was deleted = %v, want ErrDatabaseLost naming the marker", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("Open created an empty database where one existed")
	}
	// Deleting the marker too starts afresh, on purpose.
	if err := os.Remove(path + markerSuffix); err != nil {
		t.Fatal(err)
	}
	openTest(t, url)
}

// A file replaced under the server (restored from a backup, say) is noticed
// too: writes would go to the old one.
func TestReplacedDatabaseIsDetected(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "summitbot.db")
	s := openTest(t, "sqlite:"+path)
	other := filepath.Join(dir, "other.db")
	openTest(t, "sqlite:"+other).Close()
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	err := s.write(context.Background(), []declinedRow{{id: "x", question: "q"}}, nil)
	if !errors.Is(err, ErrDatabaseLost) {
		t.Fatalf("write after the file was replaced = %v, want ErrDatabaseLost", err)
	}
	if s.fileLost() != 1 {
		t.Errorf("fileLost = %d", s.fileLost())
	}
}

// Review L9: with both the marker and a -wal left, the error named only the
// marker, so deleting it as told led to a second refusal naming the -wal.
func TestMissingDatabaseNamesEverySign(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "summitbot.db")
	for _, sign := range []string{abs + markerSuffix, abs + "-wal"} {
		if err := os.WriteFile(sign, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	err := checkNeverCreated(abs, "summitbot.db")
	if !errors.Is(err, ErrDatabaseLost) || !strings.Contains(err.Error(), abs+markerSuffix) || !strings.Contains(err.Error(), abs+"-wal") {
		t.Fatalf("checkNeverCreated = %v, want ErrDatabaseLost naming the marker and the -wal", err)
	}
	if err := checkNeverCreated(filepath.Join(t.TempDir(), "new.db"), "new.db"); err != nil {
		t.Errorf("a first start: %v", err)
	}
}
