package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLocation(t *testing.T) {
	tests := []struct {
		url, want string
		err       error
	}{
		{"", "summitbot.db", nil},
		{"sqlite:data/x.db", "data/x.db", nil},
		{"sqlite:///var/lib/summitbot/x.db", "/var/lib/summitbot/x.db", nil},
		{"sqlite://x.db", "x.db", nil},
		{"postgres://bot:s3cret@db:5432/summitbot?sslmode=require", "postgres://bot:xxxxx@db:5432/summitbot?sslmode=require", nil},
		{"postgresql://db/summitbot", "postgresql://db/summitbot", nil},
		{"sqlite:", "", ErrBadURL},
		{"sqlite::memory:", "", ErrBadURL},
		{"sqlite:file:x.db", "", ErrBadURL},
		{"mysql://bot:s3cret@db/summitbot", "", ErrBadURL},
		{"summitbot.db", "", ErrBadURL},
		{"postgres://bot:s3cret@db:bad port/x", "", ErrBadURL},
	}
	for _, tt := range tests {
		got, err := Location(tt.url)
		if !errors.Is(err, tt.err) {
			t.Errorf("Location(%q) error = %v, want %v", tt.url, err, tt.err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Location(%q) error shows the password: %v", tt.url, err)
		}
		if got != tt.want {
			t.Errorf("Location(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestOpenCreatesSQLiteOnFirstStartOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "summitbot.db")
	url := "sqlite:" + path

	if _, err := OpenExisting(ctx, url); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("OpenExisting on a missing file: err = %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created %s", path)
	}

	s, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("Open on first start: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(context.Context, string) (*Store, error){Open, OpenExisting} {
		s, err := open(ctx, url)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		if n := count(t, s, "declined"); n != 0 {
			t.Errorf("declined rows = %d, want 0", n)
		}
		s.Close()
	}
}

func TestOpenDefaultPathIsWorkingFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(DefaultPath); err != nil {
		t.Fatalf("no %s in the working folder: %v", DefaultPath, err)
	}
}

func TestOpenRejectsWhatIsNotASummitbotDatabase(t *testing.T) {
	ctx := context.Background()
	otherApp := func(t *testing.T, path string) {
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)"); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := func(t *testing.T, path string) {
		s := openTest(t, "sqlite:"+path)
		seed(t, s, 2000)
		s.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Keep the header, scribble over the pages after the first.
		for i := 4096; i < len(b); i++ {
			b[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newer := func(t *testing.T, path string) {
		s := openTest(t, "sqlite:"+path)
		if _, err := s.db.Exec(`INSERT INTO summitbot_schema (version_id, is_applied) VALUES (999, true)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) string // returns the path to open
		want    error
		message string
	}{
		{"missing folder", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "no-such-folder", "summitbot.db")
		}, nil, "does not exist"},
		{"empty file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "summitbot.db")
			os.WriteFile(p, nil, 0o644)
			return p
		}, ErrNotSummitbot, "empty file"},
		{"text file", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "summitbot.db")
			os.WriteFile(p, []byte("DATABASE_URL=postgres://example\n"), 0o644)
			return p
		}, ErrNotSummitbot, "not a SQLite database"},
		{"folder", func(t *testing.T, dir string) string { return dir }, nil, "is a folder"},
		{"another program's database", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "summitbot.db")
			otherApp(t, p)
			return p
		}, ErrNotSummitbot, "another program"},
		{"corrupted", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "summitbot.db")
			corrupt(t, p)
			return p
		}, ErrNotSummitbot, "corrupted"},
		{"newer schema", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "summitbot.db")
			newer(t, p)
			return p
		}, ErrSchemaTooNew, "upgrade summitbot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.setup(t, t.TempDir())
			before, _ := os.ReadFile(path)
			s, err := Open(ctx, "sqlite:"+path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%s) succeeded, want an error", tt.name)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("err = %q, want it to say %q", err, tt.message)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("Open changed the file it rejected")
			}
		})
	}
}

// TestOpenExistingNeverMigrates: a report run from a newer summitbot than
// the servers' must leave their database as it is.
func TestOpenExistingNeverMigrates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openTest(t, url)
		version := func() int64 {
			t.Helper()
			var v int64
			if err := s.db.QueryRow(`SELECT MAX(version_id) FROM ` + schemaTable).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		// An older schema: the one before the latest migration.
		p, err := newMigrator(s.db, s.dialect, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		older := version()

		_, err = OpenExisting(ctx, url)
		if !errors.Is(err, ErrSchemaTooOld) || !strings.Contains(err.Error(), "upgrade the servers") {
			t.Fatalf("OpenExisting on an older schema: err = %v, want ErrSchemaTooOld", err)
		}
		if v := version(); v != older {
			t.Errorf("OpenExisting moved the schema from version %d to %d", older, v)
		}
		// seen_interactions is the latest migration's table.
		if _, err := s.db.Exec(`SELECT COUNT(*) FROM seen_interactions`); err == nil {
			t.Errorf("OpenExisting created the tables of the newer schema")
		}

		// A newer schema is refused too.
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`INSERT INTO ` + schemaTable + ` (version_id, is_applied) VALUES (999, true)`); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenExisting(ctx, url); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("OpenExisting on a newer schema: err = %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestOpenInitialisesAnEmptySQLiteFile(t *testing.T) {
	// A valid SQLite file without tables is what a first start cut short
	// leaves behind; it holds nothing, so serve initialises it, but a
	// report says there is no data.
	path := filepath.Join(t.TempDir(), "summitbot.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 0; VACUUM"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenExisting(context.Background(), "sqlite:"+path); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("OpenExisting: err = %v, want ErrNoDatabase", err)
	}
	s := openTest(t, "sqlite:"+path)
	if n := count(t, s, "feedback"); n != 0 {
		t.Fatalf("feedback rows = %d", n)
	}
}

func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	url := newPostgresSchema(t)
	if _, err := OpenExisting(ctx, url); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("OpenExisting on an empty schema: err = %v, want ErrNoDatabase", err)
	}
	// Replicas starting together: the migration lock lets one migrate.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			s, err := Open(ctx, url)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	s, err := OpenExisting(ctx, url)
	if err != nil {
		t.Fatalf("OpenExisting after Open: %v", err)
	}
	s.Close()
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens, the connection is refused.
	_, err := Open(ctx, "postgres://bot:s3cret@127.0.0.1:1/summitbot?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}
