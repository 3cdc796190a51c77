package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPostgresEnv names the PostgreSQL database the tests may use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test works
// in a schema of its own, dropped afterwards, so several test runs and
// packages can share the database.
const testPostgresEnv = "SUMMITBOT_TEST_DATABASE_URL"

// backend is a database to run a test against.
type backend struct {
	name string
	// newURL returns the URL of a fresh, empty database for one test.
	newURL func(t testing.TB) string
}

// backends are SQLite in a temporary folder always, and PostgreSQL when
// SUMMITBOT_TEST_DATABASE_URL is set.
func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "summitbot.db")
		}},
		{"postgres", newPostgresSchema},
	}
}

// forEachBackend runs fn as a subtest on each backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, databaseURL string)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			fn(t, b.newURL(t))
		})
	}
}

// newPostgresSchema creates a schema for one test and returns a URL whose
// search_path points at it; the schema is dropped when the test ends. It
// skips the test when no PostgreSQL is configured.
func newPostgresSchema(t testing.TB) string {
	base := os.Getenv(testPostgresEnv)
	if base == "" {
		t.Skipf("%s is not set: skipping the PostgreSQL run (set it, e.g. to postgres://postgres@127.0.0.1:5432/test?sslmode=disable, to test PostgreSQL too)", testPostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", testPostgresEnv, err)
	}
	schema := "summitbot_store_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema in %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openTest opens a store for one test and closes it when the test ends.
func openTest(t testing.TB, databaseURL string) *Store {
	t.Helper()
	s, err := Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// count returns the number of rows in a table.
func count(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// seed writes n declined questions straight to the store.
func seed(t testing.TB, s *Store, n int) {
	t.Helper()
	rows := make([]declinedRow, n)
	now := time.Now()
	for i := range rows {
		rows[i] = declinedRow{id: newID(), at: now, question: "what about question number " + strings.Repeat("x", i%50),
			platform: "discord", channelKind: "channel"}
	}
	if err := s.write(context.Background(), rows, nil); err != nil {
		t.Fatalf("seed: %v", err)
	}
}
