package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// gate stands between the store and its SQLite database and can make every
// statement hang, as a database behind a firewall that drops packets does:
// nothing fails, nothing answers, until the context ends.
type gate struct {
	mu   sync.Mutex
	open chan struct{} // closed while statements pass
}

func (g *gate) hang() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = make(chan struct{})
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

// wait returns once the gate is open, or with ctx's error.
func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gated opens a fresh SQLite store and puts a gate in front of its
// database.
func gated(t *testing.T) (*Store, *gate) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "summitbot.db")
	s := openTest(t, "sqlite:"+path)
	g := &gate{open: make(chan struct{})}
	close(g.open)
	raw, err := sql.Open("sqlite", sqliteDSN(path, "rw", true))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(gatedConnector{g: g, d: raw.Driver(), dsn: sqliteDSN(path, "rw", true)})
	raw.Close()
	s.db.Close()
	s.db = db
	return s, g
}

type gatedConnector struct {
	g   *gate
	d   driver.Driver
	dsn string
}

func (c gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := c.g.wait(ctx); err != nil {
		return nil, err
	}
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return gatedConn{conn, c.g}, nil
}

func (c gatedConnector) Driver() driver.Driver { return c.d }

// gatedConn passes every statement and transaction through the gate.
type gatedConn struct {
	driver.Conn
	g *gate
}

func (c gatedConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if err := c.g.wait(ctx); err != nil {
		return nil, err
	}
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.g.wait(ctx); err != nil {
		return nil, err
	}
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c gatedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.g.wait(ctx); err != nil {
		return nil, err
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c gatedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.g.wait(ctx); err != nil {
		return nil, err
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

// Issue 13 finding 3: with packets dropped, writes hung for good and
// summitbot_record_write_failures_total stayed 0; and after an outage the
// writer slept through up to 30 s of backoff with the database back.
func TestRecorderNoticesAHangAndTheRecovery(t *testing.T) {
	s, g := gated(t)
	r := NewRecorder(s, RecorderOptions{Logger: slog.New(slog.DiscardHandler)})
	r.writeTimeout = 100 * time.Millisecond // DefaultWriteTimeout is 3 s
	var mu sync.Mutex
	var waits []time.Duration
	r.testHookRetry = func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
	}
	stop := runRecorder(t, r)
	ctx := context.Background()
	q, a := declined("what about the arctic")
	r.OnAnswer(ctx, q, a, 0)
	// The start-up retention has run before the database hangs, so
	// every failure below is a batch's.
	testutil.WaitFor(t, "the first record and the start-up retention", func() bool {
		return r.Stats().Recorded == 1 && r.retentionRuns.Load() == 1
	})

	g.hang()
	for range 5 {
		r.OnAnswer(ctx, q, a, 0)
	}
	// Enough failures for the old backoff to have grown past 3 s.
	testutil.WaitFor(t, "hung writes to count as failures", func() bool { return r.Stats().FailedWrites >= 7 })
	g.release()
	testutil.WaitFor(t, "recording to resume", func() bool { return r.Stats().Recorded == 6 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// The wait before each try is at most MaxRetryWait (+20% jitter), so
	// the writer notices the database is back within about a second.
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 7 {
		t.Errorf("%d retries seen, want at least 7", len(waits))
	}
	for i, d := range waits {
		if d > MaxRetryWait*12/10 {
			t.Errorf("retry %d waited %v, want at most %v", i, d, MaxRetryWait*12/10)
		}
	}
	if st := r.Stats(); st.Dropped != 0 || st.Capacity != DefaultQueueSize {
		t.Errorf("Stats = %+v", st)
	}
}

// Review M2: retention ran on the writer under a 1-minute timeout, so a
// database hanging when it fired stalled recording for a minute with no
// failure counted. Each chunk of deletions is bounded like a batch write,
// and a hang is a failure.
func TestRetentionHangIsAFailure(t *testing.T) {
	s, g := gated(t)
	r := NewRecorder(s, RecorderOptions{Logger: slog.New(slog.DiscardHandler)})
	r.writeTimeout = 100 * time.Millisecond
	g.hang() // before the start-up retention
	stop := runRecorder(t, r)
	testutil.WaitFor(t, "the hung retention to count as a failure", func() bool {
		return r.retentionRuns.Load() == 1 && r.Stats().FailedWrites >= 1
	})
	g.release()
	q, a := declined("what about the arctic")
	r.OnAnswer(context.Background(), q, a, 0)
	testutil.WaitFor(t, "recording after the hung retention", func() bool { return r.Stats().Recorded == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// Report queries have a deadline too: /v1/gaps hung 40 s.
func TestReportsHaveADeadline(t *testing.T) {
	s, g := gated(t)
	s.queryTimeout = 100 * time.Millisecond // DefaultQueryTimeout is 10 s
	g.hang()
	defer g.release()
	done := make(chan error, 2)
	go func() {
		_, err := s.Gaps(context.Background(), time.Unix(0, 0), 10)
		done <- err
	}()
	go func() {
		_, err := s.FeedbackReport(context.Background(), time.Unix(0, 0), 10)
		done <- err
	}()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("report on a hung database = %v, want a deadline error", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a report query hung")
		}
	}
	w := httptest.NewRecorder()
	GapsHandler(s, slog.New(slog.DiscardHandler)).ServeHTTP(w, httptest.NewRequest("GET", "/v1/gaps", nil))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("GET /v1/gaps on a hung database: %d, want 503 with Retry-After", w.Code)
	}
}
