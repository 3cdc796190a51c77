package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/summitbot/summitbot/bot"
)

// RecorderOptions configure a Recorder. The zero value is a useful default.
type RecorderOptions struct {
	// QueueSize bounds how many records wait to be written; when the queue
	// is full new records are dropped and counted. Default DefaultQueueSize.
	QueueSize int
	// RetentionDays is how long records are kept; older ones are deleted
	// daily. Default 90.
	RetentionDays int
	// Logger receives write failures and retention runs; never question
	// text or user ids. Default slog.Default().
	Logger *slog.Logger
}

// RecorderStats are the recorder's counters, for /metrics.
type RecorderStats struct {
	// Recorded is how many records were written.
	Recorded uint64
	// Dropped is how many records were lost.
	Dropped uint64
	// FailedWrites is how many writes failed or timed out: batches of
	// records (retried) and retention's deletions (retried an hour later).
	FailedWrites uint64
	// DatabaseLost is how many batch writes were refused because the
	// SQLite file was deleted or replaced while serving (also counted in
	// FailedWrites).
	DatabaseLost uint64
	// Queued is how many records wait to be written now, and Capacity how
	// many can wait before new ones are dropped.
	Queued, Capacity int
}

// Recorder records declined questions and feedback off the answer path: the
// hooks only enqueue, and Run writes the queue to the Store in batches. User
// ids are hashed with a random salt created once and kept in the database,
// so hashes are stable across restarts and replicas.
type Recorder struct {
	s             *Store
	log           *slog.Logger
	retentionDays int
	queue         chan event
	now           func() time.Time

	recorded, dropped, failed atomic.Uint64
	running                   atomic.Bool
	// retentionRuns counts finished retention runs, done or failed.
	retentionRuns atomic.Uint64
	// testHookRetry, set only by tests, sees each wait before a retry.
	testHookRetry func(wait time.Duration)

	// mu makes enqueue's check of closed and its send one step as far as
	// shutdown is concerned: enqueue holds it shared, shutdown takes it to
	// set closed. After that nothing enters the queue, so shutdown's drain
	// sees every record, and each one is either written or counted dropped.
	mu     sync.RWMutex
	closed bool
	// testHookBeforeSend, set only by tests, runs between enqueue's check
	// of closed and its send.
	testHookBeforeSend func()

	// Tuning, shortened by tests.
	maxBatch        int
	writeTimeout    time.Duration
	minBackoff      time.Duration
	maxBackoff      time.Duration
	retentionEvery  time.Duration
	retentionRetry  time.Duration
	retentionChunk  int
	shutdownTimeout time.Duration
}

// event is a record waiting in the queue. It still holds the raw text and
// user id: masking, normalising and hashing happen in Run, off the answer
// path, and the raw values never leave memory.
type event struct {
	id         string // set by Run, kept across retries
	feedback   bool
	at         time.Time
	text       string
	platform   string
	userID     string
	channel    string
	topicID    string
	topicTitle string
	confidence float64
	helpful    bool
}

// DefaultQueueSize is how many records may wait to be written: 27 s of
// declined questions at 300 a second, so that a database restart of that
// length loses nothing; at most about 16 MB of questions.
const DefaultQueueSize = 8192

// DefaultWriteTimeout bounds one batch write: a batch of a thousand rows
// commits in milliseconds, so a write that takes this long hangs (packets
// dropped, a lock never released) and is counted as a failure and retried.
const DefaultWriteTimeout = 3 * time.Second

// MaxRetryWait caps the wait between retries of a failed batch, so that the
// recorder notices within about a second that the database is back; the
// queue keeps filling meanwhile, and a longer wait only drops more.
const MaxRetryWait = time.Second

// NewRecorder returns a Recorder writing to s. Call Run to start writing.
func NewRecorder(s *Store, opts RecorderOptions) *Recorder {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.RetentionDays <= 0 {
		opts.RetentionDays = 90
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Recorder{
		s:               s,
		log:             opts.Logger,
		retentionDays:   opts.RetentionDays,
		queue:           make(chan event, opts.QueueSize),
		now:             time.Now,
		maxBatch:        1000,
		writeTimeout:    DefaultWriteTimeout,
		minBackoff:      100 * time.Millisecond,
		maxBackoff:      MaxRetryWait,
		retentionEvery:  24 * time.Hour,
		retentionRetry:  time.Hour,
		retentionChunk:  5000,
		shutdownTimeout: 5 * time.Second,
	}
}

// OnAnswer records a declined question from any platform but the local
// command line. It fits bot.Options.OnAnswer and never blocks: when the
// queue is full the record is dropped and counted.
func (r *Recorder) OnAnswer(ctx context.Context, q bot.Question, a bot.Answer, took time.Duration) {
	if a.Outcome != bot.OutcomeDeclined || q.Platform == bot.PlatformCLI {
		return
	}
	ev := event{
		at:         r.now(),
		text:       q.Text,
		platform:   q.Platform,
		userID:     q.UserID,
		channel:    q.ChannelKind,
		confidence: a.Confidence,
	}
	if len(a.Suggestions) > 0 {
		ev.topicID, ev.topicTitle = a.Suggestions[0].ID, a.Suggestions[0].Title
	}
	r.enqueue(ev)
}

// OnFeedback records a 👍 or 👎 from any platform but the local command
// line. It fits bot.Options.OnFeedback and never blocks.
func (r *Recorder) OnFeedback(ctx context.Context, f bot.Feedback) {
	if f.Platform == bot.PlatformCLI || strings.TrimSpace(f.TopicID) == "" {
		return
	}
	r.enqueue(event{
		feedback: true,
		at:       r.now(),
		topicID:  f.TopicID,
		platform: f.Platform,
		userID:   f.UserID,
		helpful:  f.Helpful,
	})
}

func (r *Recorder) enqueue(ev event) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.dropped.Add(1)
		return
	}
	if r.testHookBeforeSend != nil {
		r.testHookBeforeSend()
	}
	select {
	case r.queue <- ev:
	default:
		r.dropped.Add(1)
	}
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() RecorderStats {
	return RecorderStats{
		Recorded:     r.recorded.Load(),
		Dropped:      r.dropped.Load(),
		FailedWrites: r.failed.Load(),
		Queued:       len(r.queue),
		Capacity:     cap(r.queue),
		DatabaseLost: r.s.fileLost(),
	}
}

// Run writes queued records in batches until ctx is done, then writes what
// is left (for a few seconds at most) and returns. While the database is
// unreachable it retries the current batch with exponential backoff capped
// at MaxRetryWait, each write bounded by DefaultWriteTimeout (a hang is a
// failure); the queue meanwhile fills and further records are dropped and
// counted. Run
// also deletes records older than RetentionDays at start and daily, a
// chunk at a time between batches (each chunk a write bounded by the same
// timeout and counted as a failure if it fails). It returns an error only
// if records were lost at shutdown. Call it once.
func (r *Recorder) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("recorder: Run called twice")
	}
	retention := time.NewTimer(0)
	defer retention.Stop()
	var (
		batch    []event
		backoff  = r.minBackoff
		failures = 0
		purge    *retentionRun // a retention run under way, if any
	)
	for {
		if len(batch) == 0 && purge != nil {
			// Queued records go first; retention takes a chunk when
			// there are none.
			select {
			case <-ctx.Done():
				return r.shutdown(ctx, nil)
			case ev := <-r.queue:
				batch = r.fill(append(batch, ev))
			default:
				if next, done := r.retainChunk(ctx, purge); done {
					purge = nil
					retention.Reset(next)
				}
				continue
			}
		}
		if len(batch) == 0 {
			select {
			case <-ctx.Done():
				return r.shutdown(ctx, nil)
			case <-retention.C:
				purge = r.startRetention()
				continue
			case ev := <-r.queue:
				batch = r.fill(append(batch, ev))
			}
		}
		err := r.writeBatch(ctx, batch)
		if err == nil {
			if failures > 0 {
				r.log.Info("recording resumed", "failed_attempts", failures)
			}
			batch, backoff, failures = batch[:0], r.minBackoff, 0
			continue
		}
		if ctx.Err() != nil {
			return r.shutdown(ctx, batch)
		}
		failures++
		r.failed.Add(1)
		wait := jitter(backoff)
		if r.testHookRetry != nil {
			r.testHookRetry(wait)
		}
		if errors.Is(err, ErrDatabaseLost) {
			r.log.Error("recording refused: the database file was deleted or replaced; records queue and then drop until it is restored", "err", err, "records", len(batch), "attempt", failures, "retry_in", wait.String())
		} else {
			r.log.Warn("recording failed; will retry", "err", err, "records", len(batch), "attempt", failures, "retry_in", wait.String())
		}
		select {
		case <-ctx.Done():
			return r.shutdown(ctx, batch)
		case <-time.After(wait):
		}
		backoff = min(backoff*2, r.maxBackoff)
	}
}

// fill adds what is already queued to batch, up to maxBatch, and gives each
// record the id it keeps across retries.
func (r *Recorder) fill(batch []event) []event {
	for len(batch) < r.maxBatch {
		select {
		case ev := <-r.queue:
			batch = append(batch, ev)
			continue
		default:
		}
		break
	}
	assignIDs(batch)
	return batch
}

func assignIDs(batch []event) {
	for i := range batch {
		if batch[i].id == "" {
			batch[i].id = newID()
		}
	}
}

// writeBatch prepares the batch for storage and writes it in one
// transaction, for at most writeTimeout.
func (r *Recorder) writeBatch(ctx context.Context, batch []event) error {
	ctx, cancel := context.WithTimeout(ctx, r.writeTimeout)
	defer cancel()
	salt, err := r.s.userSalt(ctx)
	if err != nil {
		return err
	}
	var declined []declinedRow
	var feedback []feedbackRow
	users := newUserHasher(salt)
	lost := 0
	for _, ev := range batch {
		if !prepare(ev, users, &declined, &feedback) {
			lost++
		}
	}
	if err := r.s.write(ctx, declined, feedback); err != nil {
		return err
	}
	r.recorded.Add(uint64(len(declined) + len(feedback)))
	if lost > 0 {
		r.log.Error("records could not be prepared and were dropped", "records", lost)
		r.dropped.Add(uint64(lost))
	}
	return nil
}

// prepare turns an event into a row: masked, normalised text and a salted
// user hash. It reports false if the event could not be prepared (a panic
// in normalisation must not take the server down with it).
func prepare(ev event, users *userHasher, declined *[]declinedRow, feedback *[]feedbackRow) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if ev.feedback {
		*feedback = append(*feedback, feedbackRow{
			id:       ev.id,
			at:       ev.at,
			topicID:  cleanField(ev.topicID),
			platform: cleanField(ev.platform),
			userHash: users.hash(ev.platform, ev.userID),
			helpful:  ev.helpful,
		})
		return true
	}
	conf := ev.confidence
	if conf != conf || conf < 0 { // NaN or negative
		conf = 0
	}
	*declined = append(*declined, declinedRow{
		id:          ev.id,
		at:          ev.at,
		question:    storedQuestion(ev.text),
		platform:    cleanField(ev.platform),
		userHash:    users.hash(ev.platform, ev.userID),
		channelKind: cleanField(ev.channel),
		topicID:     cleanField(ev.topicID),
		topicTitle:  cleanField(ev.topicTitle),
		confidence:  min(conf, 1),
	})
	return true
}

// Limits on what is stored. Questions are cut at a word boundary before
// masking, so that no email address or URL is cut in half and left
// unmasked.
const (
	maxRawQuestion    = 4096
	maxStoredQuestion = 500
	maxField          = 200
)

// storedQuestion is what is kept of a question: masked, then normalised with
// the engine's own normalisation (so that clustering compares like with
// like), with control characters removed and a bounded length. Masking comes
// first and only once: Normalize turns the dots and slashes that tell a date
// (16.05.2024) from a phone number into spaces. NFKC before masking turns
// fullwidth digits and signs into the ASCII ones mask knows. The
// placeholders come out of Normalize as plain words: email, url, phone,
// number.
func storedQuestion(text string) string {
	text = cutAtSpace(Clean(text), maxRawQuestion)
	text = bot.Normalize(mask(norm.NFKC.String(text)))
	return cutAtSpace(Clean(text), maxStoredQuestion)
}

// userHasher hashes the user ids of one batch: one HMAC, reset for each
// record, instead of one keyed anew per record. Not safe for concurrent use.
type userHasher struct {
	mac      hash.Hash
	buf, sum []byte
}

func newUserHasher(salt []byte) *userHasher {
	return &userHasher{mac: hmac.New(sha256.New, salt)}
}

// hash is a salted HMAC of platform and user id: stable, so distinct users
// can be told apart, but not reversible to the id. An empty id gives an
// empty hash.
func (h *userHasher) hash(platform, userID string) string {
	if userID == "" {
		return ""
	}
	h.buf = append(append(append(h.buf[:0], platform...), 0), userID...)
	h.mac.Reset()
	h.mac.Write(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	return hex.EncodeToString(h.sum[:16])
}

// Clean is text as the store keeps it: valid UTF-8 on one line, without
// control characters (PostgreSQL rejects NUL in text; a terminal would obey
// escape sequences), with runs of white space as one space. The reports
// print what they show through it too.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

func cleanField(s string) string { return cutAtSpace(Clean(s), maxField) }

// cutAtSpace shortens s to at most n bytes, at the last space before the
// limit if there is one, and never inside a UTF-8 sequence.
func cutAtSpace(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		return cut[:i]
	}
	for len(cut) > 0 && !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut
}

// retentionRun is a retention run under way: the records older than
// cutoff still to delete from tables (the first one in progress).
type retentionRun struct {
	cutoff  time.Time
	tables  []string
	deleted int64
}

func (r *Recorder) startRetention() *retentionRun {
	return &retentionRun{
		cutoff: r.now().Add(-time.Duration(r.retentionDays) * 24 * time.Hour),
		tables: retentionTables,
	}
}

// retainChunk deletes one chunk of expired records, bounded by
// writeTimeout like a batch (a hang is a failure). done says whether the
// run is over, and next when to start the next one.
func (r *Recorder) retainChunk(ctx context.Context, run *retentionRun) (next time.Duration, done bool) {
	wctx, cancel := context.WithTimeout(ctx, r.writeTimeout)
	n, err := r.s.deleteChunk(wctx, run.tables[0], run.cutoff, r.retentionChunk)
	cancel()
	if err != nil {
		r.retentionRuns.Add(1)
		if ctx.Err() == nil {
			r.failed.Add(1)
			r.log.Warn("retention failed; will retry", "err", err, "deleted", run.deleted, "retry_in", r.retentionRetry.String())
		}
		return r.retentionRetry, true
	}
	run.deleted += n
	if n < int64(r.retentionChunk) {
		run.tables = run.tables[1:]
	}
	if len(run.tables) > 0 {
		return 0, false
	}
	r.retentionRuns.Add(1)
	if run.deleted > 0 {
		r.log.Info("retention deleted old records", "records", run.deleted, "days", r.retentionDays)
	}
	return r.retentionEvery, true
}

// shutdown writes the batch in hand and what is queued, retrying for at most
// shutdownTimeout, and counts whatever could not be written as dropped.
func (r *Recorder) shutdown(ctx context.Context, batch []event) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.shutdownTimeout)
	defer cancel()
	// Take everything queued: from now on enqueue counts new records as
	// dropped instead of queueing them.
	for n := len(r.queue); n > 0; n-- {
		batch = append(batch, <-r.queue)
	}
	backoff := r.minBackoff
	for len(batch) > 0 {
		n := min(len(batch), r.maxBatch)
		chunk := batch[:n]
		assignIDs(chunk)
		err := r.writeBatch(ctx, chunk)
		if err == nil {
			batch = batch[n:]
			continue
		}
		r.failed.Add(1)
		select {
		case <-ctx.Done():
			r.dropped.Add(uint64(len(batch)))
			r.log.Error("records lost at shutdown", "err", err, "records", len(batch))
			return fmt.Errorf("recorder: %d records not written at shutdown: %w", len(batch), err)
		case <-time.After(jitter(backoff)):
		}
		backoff = min(backoff*2, r.maxBackoff)
	}
	return nil
}

// jitter spreads retries of several replicas: d ± 20%.
func jitter(d time.Duration) time.Duration {
	return d - d/5 + time.Duration(rand.Int64N(int64(d/5)*2+1))
}
