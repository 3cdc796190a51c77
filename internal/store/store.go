// Package store records what people asked and the bot declined, and their
// 👍 / 👎 on answers, so that moderators can see what the knowledge base is
// missing. It keeps the records in SQLite (the embedded default) or
// PostgreSQL (for several replicas), with the same schema and queries on
// both, and builds the moderators' reports from them: knowledge gaps
// (clusters of similar declined questions) and feedback per topic.
//
// Nothing about users is stored beyond a salted hash of their id; question
// text is normalised and has email addresses, phone numbers and URLs masked.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/summitbot/summitbot/internal/store/migrations"
)

// DefaultQueryTimeout bounds each report query (gaps, feedback), so a
// database that stopped answering fails the report instead of hanging it.
const DefaultQueryTimeout = 10 * time.Second

// DefaultPath is the SQLite file used when the database URL is empty.
const DefaultPath = "summitbot.db"

// schemaTable is goose's version table. Its name doubles as the mark of a
// summitbot database: a SQLite file without it was made by something else.
const schemaTable = "summitbot_schema"

// Errors from Open and OpenExisting, for errors.Is.
var (
	// ErrNoDatabase means there is no summitbot database at the location
	// given to OpenExisting (it never creates one).
	ErrNoDatabase = errors.New("no database")
	// ErrNotSummitbot means the SQLite file exists but is not a summitbot
	// database: another program's file, an empty or a corrupted one.
	ErrNotSummitbot = errors.New("not a summitbot database")
	// ErrSchemaTooNew means a newer summitbot has migrated the database past
	// what this binary knows.
	ErrSchemaTooNew = errors.New("database schema is newer than this summitbot")
	// ErrSchemaTooOld means OpenExisting found a database that this binary
	// would migrate; only Open migrates.
	ErrSchemaTooOld = errors.New("database schema is older than this summitbot")
	// ErrBadURL means the database URL is neither sqlite:PATH nor
	// postgres://...
	ErrBadURL = errors.New("unsupported database URL")
)

type dialect int

const (
	dialectSQLite dialect = iota + 1
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is an open summitbot database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	// where names the database in messages: the SQLite path, or the
	// PostgreSQL URL without its password.
	where string
	// now is the clock for report windows; time.Now outside tests.
	now func() time.Time
	// fullInsert holds each table's INSERT of insertChunk rows, built once.
	fullInsert map[table]string
	// queryTimeout bounds each report query (DefaultQueryTimeout).
	queryTimeout time.Duration
	// file is the SQLite database file as opened (nil for PostgreSQL):
	// every write first checks that the path still names it (sqlitefile.go).
	file *dbFile

	saltMu sync.Mutex
	salt   []byte

	// purgeMu guards lastPurge, when ClaimInteraction last deleted
	// expired interaction ids.
	purgeMu   sync.Mutex
	lastPurge time.Time
}

// Open opens the database named by databaseURL, creating a SQLite file on
// first start, and applies pending migrations. databaseURL is one of:
//
//	""                 the SQLite file summitbot.db in the working folder
//	sqlite:PATH        a SQLite file at PATH (sqlite:///abs/path also works)
//	postgres://...     a PostgreSQL database (postgresql:// too)
//
// A SQLite file that does not exist yet is created (its folder must exist).
// A file that exists but is not a summitbot database, is corrupted, or was
// migrated by a newer summitbot is an error: Open never replaces it with a
// new empty store.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, true)
}

// OpenExisting is Open for readers such as the reports, which must not
// change a database that running servers use: where there is no summitbot
// database yet it returns an error wrapping ErrNoDatabase instead of
// creating one, and it never migrates: a schema older or newer than this
// binary's is an error wrapping ErrSchemaTooOld or ErrSchemaTooNew.
func OpenExisting(ctx context.Context, databaseURL string) (*Store, error) {
	return open(ctx, databaseURL, false)
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Where names the database for messages: the SQLite file, or the PostgreSQL
// URL with its password removed.
func (s *Store) Where() string { return s.where }

// location is a parsed database URL.
type location struct {
	dialect dialect
	path    string // SQLite file
	dsn     string // PostgreSQL URL
	where   string
}

// Location parses a database URL as Open does and returns a description
// safe to print (no password), or an error wrapping ErrBadURL.
func Location(databaseURL string) (string, error) {
	loc, err := parseURL(databaseURL)
	return loc.where, err
}

func parseURL(raw string) (location, error) {
	switch {
	case raw == "":
		return location{dialect: dialectSQLite, path: DefaultPath, where: DefaultPath}, nil
	case strings.HasPrefix(raw, "sqlite:"):
		p := strings.TrimPrefix(raw, "sqlite:")
		// sqlite://rel.db and sqlite:///abs.db, as some tools write them.
		p = strings.TrimPrefix(p, "//")
		if p == "" {
			return location{}, fmt.Errorf("%w: sqlite: needs a file path, as in sqlite:/var/lib/summitbot/summitbot.db", ErrBadURL)
		}
		if p == ":memory:" || strings.HasPrefix(p, "file:") {
			return location{}, fmt.Errorf("%w: sqlite: needs a plain file path, not %q", ErrBadURL, p)
		}
		return location{dialect: dialectSQLite, path: p, where: p}, nil
	case strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			// The parse error would repeat the URL, password and all.
			return location{}, fmt.Errorf("%w: malformed postgres URL", ErrBadURL)
		}
		return location{dialect: dialectPostgres, dsn: raw, where: u.Redacted()}, nil
	}
	scheme := "an unknown kind"
	if i := strings.Index(raw, "://"); i > 0 && i < 20 {
		scheme = raw[:i]
	}
	return location{}, fmt.Errorf("%w (%s): want sqlite:PATH or a postgres:// URL", ErrBadURL, scheme)
}

func open(ctx context.Context, databaseURL string, create bool) (*Store, error) {
	loc, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	var file *dbFile
	switch loc.dialect {
	case dialectSQLite:
		db, file, err = openSQLite(ctx, loc.path, create)
	default:
		db, err = openPostgres(ctx, loc, create)
	}
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, loc, create); err != nil {
		db.Close()
		return nil, err
	}
	if file != nil && create {
		if err := file.mark(); err != nil {
			db.Close()
			return nil, err
		}
	}
	s := &Store{db: db, dialect: loc.dialect, where: loc.where, now: time.Now, queryTimeout: DefaultQueryTimeout, file: file}
	s.fullInsert = s.fullInserts()
	return s, nil
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// openSQLite opens the file at path. A missing file is created when create
// is set and its folder exists; an existing one must be a SQLite database
// that is either empty (a first start cut short) or a summitbot database.
func openSQLite(ctx context.Context, path string, create bool) (*sql.DB, *dbFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	exists, err := checkSQLiteFile(abs, path)
	if err != nil {
		return nil, nil, err
	}
	if !exists {
		if !create {
			return nil, nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
		dir := filepath.Dir(abs)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("cannot create database %s: folder %s does not exist", path, filepath.Dir(path))
		}
		// Never silently start an empty store where one existed.
		if err := checkNeverCreated(abs, path); err != nil {
			return nil, nil, err
		}
		// Create the file with a connection of its own: the pool opens
		// it with mode=rw, so that no pooled connection can create an
		// empty file should the database be deleted while serving.
		if err := createSQLite(ctx, abs, path); err != nil {
			return nil, nil, err
		}
	} else {
		// Look before touching: the WAL pragma below would convert
		// another program's database, so inspect it read-only first.
		if err := inspectSQLite(ctx, abs, path, create); err != nil {
			return nil, nil, err
		}
	}
	db, err := sql.Open("sqlite", sqliteDSN(abs, "rw", true))
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// WAL lets readers (reports) run while the recorder writes; writers
	// queue on busy_timeout. A few connections are plenty.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("database %s is not a usable SQLite database (corrupted?): %w", path, err)
	}
	file, err := openedFile(abs, path)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, file, nil
}

// inspectSQLite checks, read-only, that an existing SQLite file is a
// summitbot database, or an empty one that serve may initialise.
func inspectSQLite(ctx context.Context, abs, path string, create bool) error {
	db, err := sql.Open("sqlite", sqliteDSN(abs, "ro", false))
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if create {
		// Only at serve start: a full check reads the whole file, and a
		// corrupted store should stop the server before it records into it.
		var res string
		if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
			return fmt.Errorf("database %s is corrupted: %w: %w", path, ErrNotSummitbot, err)
		}
		if res != "ok" {
			return fmt.Errorf("database %s is corrupted (%s): %w", path, firstLine(res), ErrNotSummitbot)
		}
	}
	var tables, ours int
	err = db.QueryRowContext(ctx,
		`SELECT COUNT(*), COALESCE(SUM(CASE WHEN name = $1 THEN 1 ELSE 0 END), 0) FROM sqlite_master WHERE type = 'table'`,
		schemaTable).Scan(&tables, &ours)
	if err != nil {
		return fmt.Errorf("database %s is not a usable SQLite database (corrupted?): %w: %w", path, ErrNotSummitbot, err)
	}
	switch {
	case ours == 1:
		return nil
	case tables == 0 && create:
		// A valid SQLite file with no tables holds nothing: the first
		// start was cut short between creating the file and migrating.
		return nil
	case tables == 0:
		return fmt.Errorf("%w at %s (the file holds no tables yet)", ErrNoDatabase, path)
	}
	return fmt.Errorf("%s is a SQLite database of another program: %w", path, ErrNotSummitbot)
}

// checkSQLiteFile reports whether a file exists at abs, and fails if it does
// but cannot be a SQLite database.
func checkSQLiteFile(abs, path string) (bool, error) {
	f, err := os.Open(abs)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("database %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("database %s: %w", path, err)
	}
	if fi.IsDir() {
		return false, fmt.Errorf("database %s is a folder, not a file", path)
	}
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	if n == 0 {
		return false, fmt.Errorf("database %s is an empty file (0 bytes), not a summitbot database; remove it to start a new store: %w", path, ErrNotSummitbot)
	}
	if err != nil || !bytes.Equal(head, sqliteMagic) {
		return false, fmt.Errorf("database %s is not a SQLite database (wrong file, or corrupted): %w", path, ErrNotSummitbot)
	}
	return true, nil
}

// sqliteDSN builds a modernc.org/sqlite DSN. WAL and synchronous=NORMAL make
// batched commits cheap and durable across crashes; busy_timeout makes
// writers from several processes wait for each other instead of failing;
// BEGIN IMMEDIATE takes the write lock up front so a transaction never fails
// half-way upgrading its lock.
func sqliteDSN(abs, mode string, write bool) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Add("_pragma", "busy_timeout(10000)")
	if write {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + esc.Replace(filepath.ToSlash(abs)) + "?" + q.Encode()
}

func openPostgres(ctx context.Context, loc location, create bool) (*sql.DB, error) {
	db, err := sql.Open("pgx", loc.dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", loc.where, err)
	}
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", loc.where, err)
	}
	if !create {
		var found bool
		// to_regclass follows search_path, like the unqualified names
		// the migrations create.
		err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, schemaTable).Scan(&found)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres %s: %w", loc.where, err)
		}
		if !found {
			db.Close()
			return nil, fmt.Errorf("%w at %s (no summitbot tables in its search path yet)", ErrNoDatabase, loc.where)
		}
	}
	return db, nil
}

// migrate applies pending migrations if apply is set, and then checks that
// the database is at the schema version this binary knows. Without apply
// (OpenExisting) it only checks: a report run from a newer binary must not
// upgrade the schema under running servers.
func migrate(ctx context.Context, db *sql.DB, loc location, apply bool) error {
	p, err := newMigrator(db, loc.dialect, apply)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", loc.where, err)
	}
	if apply {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("migrate %s: %w", loc.where, err)
		}
	}
	have, want, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("schema version of %s: %w", loc.where, err)
	}
	switch {
	case have > want:
		return fmt.Errorf("%s is at schema version %d, this summitbot knows up to %d; upgrade summitbot: %w", loc.where, have, want, ErrSchemaTooNew)
	case have < want:
		return fmt.Errorf("%s is at schema version %d, this summitbot needs %d; upgrade the servers (serve migrates it) or use the summitbot they run: %w", loc.where, have, want, ErrSchemaTooOld)
	}
	return nil
}

// newMigrator returns the goose provider for the store's migrations. With
// locked set, on PostgreSQL an advisory lock keeps replicas that start
// together from migrating at the same time.
func newMigrator(db *sql.DB, d dialect, locked bool) (*goose.Provider, error) {
	opts := []goose.ProviderOption{
		goose.WithTableName(schemaTable),
		goose.WithDisableGlobalRegistry(true),
	}
	gd := goose.DialectSQLite3
	if d == dialectPostgres {
		gd = goose.DialectPostgres
		if locked {
			locker, err := lock.NewPostgresSessionLocker()
			if err != nil {
				return nil, err
			}
			opts = append(opts, goose.WithSessionLocker(locker))
		}
	}
	return goose.NewProvider(gd, db, migrations.FS, opts...)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
