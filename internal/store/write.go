package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// declinedRow is one declined question as stored.
type declinedRow struct {
	id          string
	at          time.Time
	question    string // normalised and masked
	platform    string
	userHash    string
	channelKind string
	topicID     string
	topicTitle  string
	confidence  float64
}

// feedbackRow is one 👍 / 👎 as stored.
type feedbackRow struct {
	id       string
	at       time.Time
	topicID  string
	platform string
	userHash string
	helpful  bool
}

// Rows per INSERT statement: well under the parameter limits of SQLite
// (32,766) and PostgreSQL (65,535) for the widest table.
const insertChunk = 500

// table is a table the recorder inserts into.
type table struct {
	name, columns string
	width         int // number of columns
}

var (
	declinedTable = table{"declined", "id, created_at, question, platform, user_hash, channel_kind, topic_id, topic_title, confidence", 9}
	feedbackTable = table{"feedback", "id, created_at, topic_id, platform, user_hash, helpful", 6}
)

// write inserts the rows in one transaction. Ids are chosen by the writer,
// so retrying a batch whose commit succeeded without the writer hearing of
// it does not record anything twice.
func (s *Store) write(ctx context.Context, declined []declinedRow, feedback []feedbackRow) (err error) {
	if s.file != nil {
		if err := s.file.check(); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for len(declined) > 0 {
		n := min(len(declined), insertChunk)
		args := make([]any, 0, n*declinedTable.width)
		for _, r := range declined[:n] {
			args = append(args, r.id, r.at.UnixMilli(), r.question, r.platform, r.userHash,
				r.channelKind, r.topicID, r.topicTitle, r.confidence)
		}
		if _, err := tx.ExecContext(ctx, s.insertStatement(declinedTable, n), args...); err != nil {
			return fmt.Errorf("insert declined: %w", err)
		}
		declined = declined[n:]
	}
	for len(feedback) > 0 {
		n := min(len(feedback), insertChunk)
		args := make([]any, 0, n*feedbackTable.width)
		for _, r := range feedback[:n] {
			helpful := 0
			if r.helpful {
				helpful = 1
			}
			args = append(args, r.id, r.at.UnixMilli(), r.topicID, r.platform, r.userHash, helpful)
		}
		if _, err := tx.ExecContext(ctx, s.insertStatement(feedbackTable, n), args...); err != nil {
			return fmt.Errorf("insert feedback: %w", err)
		}
		feedback = feedback[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insertStatement is the INSERT of rows rows into t: the one built at open
// for a full chunk, which busy batches use for every chunk but the last,
// or a new one.
func (s *Store) insertStatement(t table, rows int) string {
	if q, ok := s.fullInsert[t]; ok && rows == insertChunk {
		return q
	}
	return s.insertSQL(t, rows)
}

// fullInserts builds the full-chunk INSERT of each table, for Store.fullInsert.
func (s *Store) fullInserts() map[table]string {
	m := map[table]string{}
	for _, t := range []table{declinedTable, feedbackTable} {
		m[t] = s.insertSQL(t, insertChunk)
	}
	return m
}

// insertSQL builds a multi-row INSERT. It is the same statement on both
// databases but for the placeholders: PostgreSQL needs $n, and SQLite
// parses thousands of $n in quadratic time (it looks each name up in a
// list), so it gets plain ? instead.
func (s *Store) insertSQL(t table, rows int) string {
	cols := t.width
	var b strings.Builder
	b.Grow(len(t.name) + len(t.columns) + rows*cols*6 + 64)
	b.WriteString("INSERT INTO ")
	b.WriteString(t.name)
	b.WriteString(" (")
	b.WriteString(t.columns)
	b.WriteString(") VALUES ")
	p := 1
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			if s.dialect == dialectSQLite {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	b.WriteString(" ON CONFLICT (id) DO NOTHING")
	return b.String()
}

// retentionTables are the tables retention purges, in order.
var retentionTables = []string{"declined", "feedback"}

// deleteChunk removes at most n records of table older than cutoff and
// returns how many: a day's records are deleted a chunk at a time, each a
// short write, so that retention never holds the writer (or the table)
// for long.
func (s *Store) deleteChunk(ctx context.Context, table string, cutoff time.Time, n int) (int64, error) {
	res, err := s.db.ExecContext(ctx,
		"DELETE FROM "+table+" WHERE id IN (SELECT id FROM "+table+" WHERE created_at < $1 LIMIT $2)",
		cutoff.UnixMilli(), n)
	if err != nil {
		return 0, fmt.Errorf("delete old %s: %w", table, err)
	}
	deleted, _ := res.RowsAffected()
	return deleted, nil
}

// saltSetting names the user-hash salt in the settings table.
const saltSetting = "user_hash_salt"

// userSalt returns the salt for user hashes, creating it on first use. The
// first replica to ask creates it; the others read the same one, so hashes
// stay stable across restarts and replicas.
func (s *Store) userSalt(ctx context.Context) ([]byte, error) {
	s.saltMu.Lock()
	defer s.saltMu.Unlock()
	if s.salt != nil {
		return s.salt, nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		saltSetting, hex.EncodeToString(fresh))
	if err != nil {
		return nil, fmt.Errorf("create salt: %w", err)
	}
	var v string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, saltSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("read salt: missing after insert")
	}
	if err != nil {
		return nil, fmt.Errorf("read salt: %w", err)
	}
	salt, err := hex.DecodeString(v)
	if err != nil || len(salt) < 16 {
		return nil, errors.New("read salt: stored salt is malformed")
	}
	s.salt = salt
	return salt, nil
}

// newID returns a random record id.
func newID() string { return rand.Text() }
