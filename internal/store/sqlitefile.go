package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// A SQLite database is a file that an operator, a cleanup job or a volume
// mistake can delete or replace while summitbot serves. The open
// connections would go on writing to the unlinked file, and every row would
// be lost at the next restart, without a signal. So the store:
//
//   - opens its pool with mode=rw (creating a new database with a
//     connection of its own), so no connection re-creates a deleted file;
//   - checks before every write that the path still names the file it
//     opened (same device and inode), and refuses the write otherwise,
//     counted in FileLost and logged by the recorder;
//   - keeps a marker file beside the database (PATH.created) and, at start,
//     refuses to create a new empty database where the marker, or a WAL
//     file (PATH-wal), says one existed. To start afresh on purpose, delete
//     the marker too.

// ErrDatabaseLost means the SQLite file was deleted or replaced while
// serving, or is missing where one existed.
var ErrDatabaseLost = errors.New("the database file was deleted or replaced")

// markerSuffix names the marker file beside a SQLite database.
const markerSuffix = ".created"

// dbFile is the SQLite file a Store opened.
type dbFile struct {
	abs, path string
	info      os.FileInfo
	// lost counts the writes refused because the file was gone.
	lost atomic.Uint64
}

func openedFile(abs, path string) (*dbFile, error) {
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return &dbFile{abs: abs, path: path, info: fi}, nil
}

// check reports an error wrapping ErrDatabaseLost if the path no longer
// names the file that was opened.
func (f *dbFile) check() error {
	fi, err := os.Stat(f.abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		err = fmt.Errorf("database %s: %w: it no longer exists; restore it from a backup and restart summitbot", f.path, ErrDatabaseLost)
	case err != nil:
		err = fmt.Errorf("database %s: %w", f.path, err)
	case !os.SameFile(fi, f.info):
		err = fmt.Errorf("database %s: %w: the path now names another file; restart summitbot to use it", f.path, ErrDatabaseLost)
	default:
		return nil
	}
	f.lost.Add(1)
	return err
}

// mark writes the marker beside the database if it is not there yet.
func (f *dbFile) mark() error {
	m := f.abs + markerSuffix
	if _, err := os.Stat(m); err == nil {
		return nil
	}
	note := fmt.Sprintf("summitbot keeps its records in %s (marked %s).\n"+
		"While this file exists summitbot will not create a new, empty database in its place.\n"+
		"Delete this file too to start an empty store on purpose.\n", f.path, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(m, []byte(note), 0o644); err != nil {
		return fmt.Errorf("database %s: write marker: %w", f.path, err)
	}
	return nil
}

// checkNeverCreated refuses to create a database at abs where the marker or
// a WAL file says one existed.
func checkNeverCreated(abs, path string) error {
	var signs []string
	for _, sign := range []string{abs + markerSuffix, abs + "-wal"} {
		if _, err := os.Stat(sign); err == nil {
			signs = append(signs, sign)
		}
	}
	if len(signs) == 0 {
		return nil
	}
	// Every sign is named, so that deleting them as told takes one restart.
	list, verb := strings.Join(signs, " and "), "shows"
	if len(signs) > 1 {
		verb = "show"
	}
	return fmt.Errorf("database %s is missing, but %s %s one existed: %w; restore it from a backup, or delete %s to start an empty store",
		path, list, verb, ErrDatabaseLost, list)
}

// createSQLite creates a new SQLite database file at abs, in WAL mode.
func createSQLite(ctx context.Context, abs, path string) error {
	db, err := sql.Open("sqlite", sqliteDSN(abs, "rwc", true))
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", path, err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("cannot create database %s: %w", path, err)
	}
	return nil
}

// fileLost is how many writes were refused because the SQLite file was
// gone; 0 for PostgreSQL.
func (s *Store) fileLost() uint64 {
	if s.file == nil {
		return 0
	}
	return s.file.lost.Load()
}
