package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/testutil"
)

func declined(text string) (bot.Question, bot.Answer) {
	return bot.Question{Text: text, Platform: bot.PlatformDiscord, UserID: "user-1", ChannelKind: bot.ChannelChannel},
		bot.Answer{Question: text, Outcome: bot.OutcomeDeclined, Confidence: 0.31,
			Suggestions: []bot.TopicRef{{ID: "power-of-siberia", Title: "Power of Siberia"}}}
}

// runRecorder starts r.Run and returns a function that stops it and waits
// for it to flush and return.
func runRecorder(t testing.TB, r *Recorder) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
}

func TestRecorderRecordsWhatTheIssueAsks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		r := NewRecorder(s, RecorderOptions{})
		stop := runRecorder(t, r)
		ctx := context.Background()

		q, a := declined("Who is  IVAN@example.com and what is +7 495 123-45-67?")
		r.OnAnswer(ctx, q, a, time.Millisecond)

		answered := a
		answered.Outcome, answered.Answered = bot.OutcomeAnswered, true
		r.OnAnswer(ctx, q, answered, time.Millisecond) // answered: not recorded

		limited := a
		limited.Outcome = bot.OutcomeRateLimited
		r.OnAnswer(ctx, q, limited, time.Millisecond) // rate-limited: not recorded

		cli := q
		cli.Platform = bot.PlatformCLI
		r.OnAnswer(ctx, cli, a, time.Millisecond) // local ask/chat: not recorded

		api := q
		api.Platform, api.ChannelKind, api.UserID = bot.PlatformAPI, bot.ChannelAPI, ""
		r.OnAnswer(ctx, api, a, time.Millisecond) // /v1/ask: recorded

		r.OnFeedback(ctx, bot.Feedback{TopicID: "trade", Platform: bot.PlatformSlack, UserID: "U123", Helpful: false})
		r.OnFeedback(ctx, bot.Feedback{TopicID: "trade", Platform: bot.PlatformCLI, UserID: "me", Helpful: true})
		r.OnFeedback(ctx, bot.Feedback{TopicID: " ", Platform: bot.PlatformSlack, UserID: "U123"})

		if err := stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		if st := r.Stats(); st.Recorded != 3 || st.Dropped != 0 {
			t.Fatalf("Stats = %+v, want 3 recorded, 0 dropped", st)
		}

		rows, err := s.db.Query(`SELECT question, platform, user_hash, channel_kind, topic_id, topic_title, confidence, created_at
			FROM declined ORDER BY platform`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var question, platform, hash, channel, topic, title string
			var conf float64
			var at int64
			if err := rows.Scan(&question, &platform, &hash, &channel, &topic, &title, &conf, &at); err != nil {
				t.Fatal(err)
			}
			if time.Since(time.UnixMilli(at)) > time.Minute {
				t.Errorf("created_at %v is not now", time.UnixMilli(at))
			}
			got = append(got, fmt.Sprintf("%s|%s|%d|%s|%s|%s|%.2f", question, platform, len(hash), channel, topic, title, conf))
		}
		want := []string{
			"who is email and what is phone|api|0|api|power-of-siberia|Power of Siberia|0.31",
			"who is email and what is phone|discord|32|channel|power-of-siberia|Power of Siberia|0.31",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("declined rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var hash string
		var helpful int
		if err := s.db.QueryRow(`SELECT user_hash, helpful FROM feedback WHERE topic_id = 'trade'`).Scan(&hash, &helpful); err != nil {
			t.Fatal(err)
		}
		if hash == "" || strings.Contains(hash, "U123") || helpful != 0 {
			t.Errorf("feedback row: hash %q helpful %d", hash, helpful)
		}
		if n := count(t, s, "feedback"); n != 1 {
			t.Errorf("feedback rows = %d, want 1", n)
		}
	})
}

func TestRecorderUserHashIsStableAcrossRestartsAndSecret(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		var salt []byte
		hashOf := func(user string) string {
			s := openTest(t, url)
			r := NewRecorder(s, RecorderOptions{})
			stop := runRecorder(t, r)
			r.OnFeedback(context.Background(), bot.Feedback{TopicID: "t-" + user, Platform: bot.PlatformDiscord, UserID: user})
			if err := stop(); err != nil {
				t.Fatal(err)
			}
			var h string
			if err := s.db.QueryRow(`SELECT user_hash FROM feedback WHERE topic_id = $1`, "t-"+user).Scan(&h); err != nil {
				t.Fatal(err)
			}
			var stored string
			if err := s.db.QueryRow(`SELECT value FROM settings WHERE name = $1`, saltSetting).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			var err error
			if salt, err = hex.DecodeString(stored); err != nil || len(salt) < 16 {
				t.Fatalf("stored salt %q: %v", stored, err)
			}
			s.Close()
			return h
		}
		first := hashOf("42")
		firstSalt := salt
		// The hash is keyed with the salt kept in the database...
		if want := newUserHasher(firstSalt).hash(bot.PlatformDiscord, "42"); first != want {
			t.Errorf("hash %s is not keyed with the stored salt (want %s)", first, want)
		}
		// ...which a restart (new Store, new Recorder) reuses.
		if again := hashOf("42"); again != first || !bytes.Equal(salt, firstSalt) {
			t.Errorf("hash changed across restarts: %s, then %s", first, again)
		}
		if other := hashOf("43"); other == first {
			t.Errorf("two users share hash %s", first)
		}
		h := newUserHasher([]byte("a"))
		if h.hash("discord", "42") == newUserHasher([]byte("b")).hash("discord", "42") {
			t.Errorf("hash does not depend on the salt")
		}
		if h.hash("discord", "42") == h.hash("slack", "42") {
			t.Errorf("hash does not depend on the platform")
		}
		// Hashes already stored must keep matching: HMAC-SHA256 keyed with
		// the salt over platform NUL id, first 16 bytes in hex.
		if got := newUserHasher([]byte("salt")).hash("discord", "42"); got != "9ec6509446e2a5023f870c069fcd50bf" {
			t.Errorf("hash of a known id changed: %s", got)
		}
		// One hasher serves a whole batch: each hash is as if computed alone.
		if a, b := h.hash("discord", "4"), h.hash("discord", "2"); a != newUserHasher([]byte("a")).hash("discord", "4") || b == a ||
			b != newUserHasher([]byte("a")).hash("discord", "2") || h.hash("discord", "") != "" {
			t.Errorf("a reused hasher differs from a new one")
		}
	})
}

func TestRecorderNeverBlocksAndCountsDrops(t *testing.T) {
	s := openTest(t, "sqlite:"+t.TempDir()+"/x.db")
	r := NewRecorder(s, RecorderOptions{QueueSize: 10})
	// Run is not started: nothing drains the queue.
	q, a := declined("what about the arctic")
	done := make(chan struct{})
	go func() {
		for range 25 {
			r.OnAnswer(context.Background(), q, a, 0)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("OnAnswer blocked on a full queue")
	}
	if st := r.Stats(); st.Dropped != 15 || st.Queued != 10 {
		t.Fatalf("Stats = %+v; want 15 dropped, 10 queued", st)
	}
	// The queued ten are written when Run starts and stops.
	if err := runRecorder(t, r)(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "declined"); n != 10 {
		t.Fatalf("declined rows = %d, want 10", n)
	}
	// After Run has returned, records are dropped, not left in the queue.
	r.OnAnswer(context.Background(), q, a, 0)
	if st := r.Stats(); st.Dropped != 16 || st.Queued != 0 {
		t.Fatalf("after shutdown Stats = %+v", st)
	}
}

// TestRecorderConcurrentWrites: 10,000 records from 50 goroutines, all
// counted.
func TestRecorderConcurrentWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		const goroutines, each = 50, 200
		r := NewRecorder(s, RecorderOptions{QueueSize: goroutines * each})
		stop := runRecorder(t, r)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					if i%4 == 0 {
						r.OnFeedback(context.Background(), bot.Feedback{TopicID: "t" + strconv.Itoa(i), Platform: bot.PlatformSlack,
							UserID: strconv.Itoa(g), Helpful: i%8 == 0})
						continue
					}
					q, a := declined(fmt.Sprintf("question %d from %d", i, g))
					r.OnAnswer(context.Background(), q, a, 0)
				}
			})
		}
		wg.Wait()
		// The property is that nothing is lost, not how fast 10,000 rows
		// reach the disk (slow under -race): wait for the writer, then stop.
		deadline := time.Now().Add(2 * time.Minute)
		for r.Stats().Recorded < goroutines*each && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		total := count(t, s, "declined") + count(t, s, "feedback")
		if st := r.Stats(); total != goroutines*each || st.Recorded != goroutines*each || st.Dropped != 0 {
			t.Fatalf("stored %d, Stats %+v; want all %d", total, st, goroutines*each)
		}
	})
}

// TestRecorderSeveralProcesses: processes sharing one database (a SQLite
// file, or a PostgreSQL schema as replicas do) lose nothing.
func TestRecorderSeveralProcesses(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		const procs, goroutines, each = 3, 10, 300
		s := openTest(t, url) // migrate once; children open concurrently afterwards
		var wg sync.WaitGroup
		errs := make([]error, procs)
		outs := make([]bytes.Buffer, procs)
		for p := range procs {
			wg.Go(func() {
				cmd := exec.Command(os.Args[0])
				cmd.Env = append(os.Environ(), "SUMMITBOT_STORE_CHILD="+url,
					"SUMMITBOT_STORE_CHILD_N="+strconv.Itoa(goroutines)+"x"+strconv.Itoa(each), "SUMMITBOT_STORE_CHILD_ID="+strconv.Itoa(p))
				cmd.Stdout, cmd.Stderr = &outs[p], &outs[p]
				errs[p] = cmd.Run()
			})
		}
		wg.Wait()
		for p, err := range errs {
			if err != nil {
				t.Fatalf("child %d: %v\n%s", p, err, outs[p].String())
			}
		}
		if n := count(t, s, "declined"); n != procs*goroutines*each {
			t.Fatalf("declined rows = %d, want %d", n, procs*goroutines*each)
		}
	})
}

// TestMain lets the test binary act as one process of
// TestRecorderSeveralProcesses.
func TestMain(m *testing.M) {
	if url := os.Getenv("SUMMITBOT_STORE_CHILD"); url != "" {
		if err := childProcess(url); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childProcess records goroutines×each declined questions and checks they
// were all written.
func childProcess(url string) error {
	var goroutines, each int
	fmt.Sscanf(os.Getenv("SUMMITBOT_STORE_CHILD_N"), "%dx%d", &goroutines, &each)
	id := os.Getenv("SUMMITBOT_STORE_CHILD_ID")
	s, err := Open(context.Background(), url)
	if err != nil {
		return err
	}
	defer s.Close()
	r := NewRecorder(s, RecorderOptions{QueueSize: goroutines * each})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				q, a := declined(fmt.Sprintf("process %s goroutine %d question %d", id, g, i))
				r.OnAnswer(context.Background(), q, a, 0)
				if i%50 == 0 {
					time.Sleep(time.Millisecond) // interleave with the other processes
				}
			}
		})
	}
	wg.Wait()
	// As in TestRecorderConcurrentWrites: the property is that nothing is
	// lost, so wait for the writer instead of leaving the rest to the
	// few seconds shutdown allows (three processes under -race on a busy
	// machine can take longer than that to take turns at the write lock).
	deadline := time.Now().Add(2 * time.Minute)
	for r.Stats().Recorded < uint64(goroutines*each) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		return err
	}
	if st := r.Stats(); st.Recorded != uint64(goroutines*each) {
		return fmt.Errorf("child %s: Stats = %+v, want %d recorded", id, st, goroutines*each)
	}
	return nil
}

// breakTable makes writes fail as if the database had gone away, in a way
// that works on both backends; the returned function mends it.
func breakTable(t testing.TB, s *Store) (mend func()) {
	t.Helper()
	if _, err := s.db.Exec(`ALTER TABLE declined RENAME TO declined_away`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := s.db.Exec(`ALTER TABLE declined_away RENAME TO declined`); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecorderRetriesWhileTheDatabaseIsDown(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		var logs bytes.Buffer
		r := NewRecorder(s, RecorderOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		r.minBackoff, r.maxBackoff = time.Millisecond, 20*time.Millisecond
		stop := runRecorder(t, r)
		ctx := context.Background()

		q, a := declined("secret question about user-1")
		r.OnAnswer(ctx, q, a, 0)
		testutil.WaitFor(t, "first record", func() bool { return r.Stats().Recorded == 1 })

		mend := breakTable(t, s)
		for range 5 {
			r.OnAnswer(ctx, q, a, 0)
		}
		testutil.WaitFor(t, "failed writes", func() bool { return r.Stats().FailedWrites >= 3 })
		mend()
		testutil.WaitFor(t, "recording to resume", func() bool { return r.Stats().Recorded == 6 })
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "declined"); n != 6 {
			t.Fatalf("declined rows = %d, want 6", n)
		}
		out := logs.String()
		if !strings.Contains(out, "recording failed") || !strings.Contains(out, "recording resumed") {
			t.Errorf("logs do not tell of the outage:\n%s", out)
		}
		if strings.Contains(out, "secret") || strings.Contains(out, "user-1") {
			t.Errorf("logs show question text or a user id:\n%s", out)
		}
	})
}

func TestRecorderCountsWhatIsLostAtShutdown(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		r := NewRecorder(s, RecorderOptions{Logger: slog.New(slog.DiscardHandler)})
		r.minBackoff, r.maxBackoff, r.shutdownTimeout = time.Millisecond, 10*time.Millisecond, 200*time.Millisecond
		stop := runRecorder(t, r)
		defer breakTable(t, s)()
		q, a := declined("what about the arctic")
		for range 7 {
			r.OnAnswer(context.Background(), q, a, 0)
		}
		testutil.WaitFor(t, "a failed write", func() bool { return r.Stats().FailedWrites > 0 })
		err := stop()
		if err == nil || !strings.Contains(err.Error(), "7 records not written") {
			t.Fatalf("Run = %v, want it to report 7 lost records", err)
		}
		if st := r.Stats(); st.Dropped != 7 {
			t.Fatalf("Stats = %+v; want 7 dropped", st)
		}
	})
}

// TestRecorderShutdownCountsEveryRecord: records sent while Run shuts down
// are each either written or counted dropped; none is left in the queue.
func TestRecorderShutdownCountsEveryRecord(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		r := NewRecorder(s, RecorderOptions{QueueSize: 64, Logger: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithCancel(context.Background())
		done, returned := make(chan error, 1), make(chan struct{})
		go func() {
			done <- r.Run(ctx)
			close(returned)
		}()
		// Hold the first record between enqueue's check of closed and its
		// send until Run has returned: the worst interleaving. (Where
		// enqueue holds the lock shutdown needs, Run cannot return, and the
		// record goes on after a moment.)
		var held atomic.Bool
		r.testHookBeforeSend = func() {
			if held.CompareAndSwap(false, true) {
				select {
				case <-returned:
				case <-time.After(time.Second):
				}
			}
		}
		var sent atomic.Uint64
		stopSending := make(chan struct{})
		var wg sync.WaitGroup
		q, a := declined("what about the arctic")
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stopSending:
						return
					case <-time.After(50 * time.Microsecond):
					}
					r.OnAnswer(context.Background(), q, a, 0)
					sent.Add(1)
				}
			})
		}
		time.Sleep(20 * time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // keep sending after Run returned
		close(stopSending)
		wg.Wait()
		st := r.Stats()
		if st.Recorded+st.Dropped != sent.Load() || st.Queued != 0 {
			t.Errorf("sent %d, Stats = %+v: want every record written or dropped, none queued", sent.Load(), st)
		}
		if n := count(t, s, "declined"); uint64(n) != st.Recorded {
			t.Errorf("declined rows = %d, Recorded = %d", n, st.Recorded)
		}
	})
}

func TestRecorderRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
		r := NewRecorder(s, RecorderOptions{RetentionDays: 30, Logger: slog.New(slog.DiscardHandler)})
		r.retentionChunk = 2 // several chunks a table
		ctx := context.Background()
		for _, age := range []int{0, 29, 31, 32, 33, 34, 400} {
			r.now = func() time.Time { return now.AddDate(0, 0, -age) }
			q, a := declined(fmt.Sprintf("asked %d days ago", age))
			r.OnAnswer(ctx, q, a, 0)
			r.OnFeedback(ctx, bot.Feedback{TopicID: "trade", Platform: bot.PlatformDiscord, UserID: strconv.Itoa(age)})
		}
		r.now = func() time.Time { return now }
		// Run purges at start, after the queue is written at shutdown;
		// here: write first, then purge explicitly.
		if err := runRecorder(t, r)(); err != nil {
			t.Fatal(err)
		}
		if next := r.retain(ctx); next != r.retentionEvery {
			t.Fatalf("retain returned %v, want %v", next, r.retentionEvery)
		}
		if d, f := count(t, s, "declined"), count(t, s, "feedback"); d != 2 || f != 2 {
			t.Fatalf("after retention in chunks of 2: %d declined, %d feedback; want 2 and 2", d, f)
		}
	})
}

// TestStoredQuestion checks the stored form: masked once, before
// normalising, so that dates stay dates and every placeholder comes out as
// the same plain word.
func TestStoredQuestion(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "What is Power of Siberia 2?", "what is power of siberia 2"},

		// Dates and figures are kept (normalised), not taken for phones.
		{"dotted date", "summit on 16.05.2024", "summit on 16 05 2024"},
		{"slashed date", "summit on 05/16/2024", "summit on 05 16 2024"},
		{"iso date", "summit on 2024-05-16", "summit on 2024-05-16"},
		{"year range", "trade 2019-2024", "trade 2019-2024"},
		{"thousands", "1.000.000 tonnes in 2024", "1 000 000 tonnes in 2024"},

		// Phone numbers.
		{"intl phone", "call +7 (495) 123-45-67 now", "call phone now"},
		{"local phone", "tel 123-45-67", "tel phone"},
		{"dotted phone", "555.123.4567", "phone"},
		{"slashed phone", "call 030/1234567", "call phone"},
		{"fullwidth phone", "＋７ ４９５ １２３ ４５ ６７", "phone"},
		{"card", "card 4111 1111 1111 1111", "card number"},

		// Emails.
		{"email", "mail me: ivan@example.com", "mail me email"},
		{"fullwidth email", "ＩＶＡＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "email"},
		{"slack mailto", "<mailto:ivan@example.com|ivan@example.com>", "email"},

		// URLs.
		{"url", "see https://example.com/x?a=1", "see url"},
		{"www", "www.kremlin.ru/events", "url"},
		{"bare domain", "is tass.com right", "is url right"},
		{"slack link", "see <https://example.com/x|the site>", "see url site"},

		{"all at once", "mail a@b.io, call +7 495 123 45 67 or see x.com on 16.05.2024",
			"mail email call phone or see url on 16 05 2024"},
		{"control and invalid", "nul\x00byte and \xff invalid", "nul byte and invalid"},
		{"long", strings.Repeat("word ", 2000), strings.TrimSpace(strings.Repeat("word ", 100))},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := storedQuestion(tt.in); got != tt.want {
				t.Errorf("storedQuestion(%.40q) = %.80q, want %.80q", tt.in, got, tt.want)
			}
		})
	}
}

// retain runs a whole retention run at once and says when to run again;
// Run takes a run a chunk at a time, so only the tests call it.
func (r *Recorder) retain(ctx context.Context) time.Duration {
	run := r.startRetention()
	for {
		if next, done := r.retainChunk(ctx, run); done {
			return next
		}
	}
}
