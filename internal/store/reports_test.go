package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
)

var reportNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// seedReports writes declined questions and feedback for the report tests.
func seedReports(t testing.TB, s *Store) {
	t.Helper()
	s.now = func() time.Time { return reportNow }
	recent, old := reportNow.Add(-2*24*time.Hour), reportNow.Add(-40*24*time.Hour)
	var declined []declinedRow
	add := func(n int, at time.Time, q, topic, title string, conf float64) {
		for range n {
			declined = append(declined, declinedRow{id: newID(), at: at, question: q, platform: "discord",
				channelKind: "channel", topicID: topic, topicTitle: title, confidence: conf})
		}
	}
	add(5, recent, "power of siberia 2 gas price", "power-of-siberia", "Power of Siberia", 0.40)
	add(3, recent, "gas price of power of siberia 2", "power-of-siberia", "Power of Siberia", 0.45)
	add(1, recent, "price of gas in power of siberia 2", "gas-trade", "Gas trade", 0.50)
	add(1, recent, "power of siberia 2 price gas 2024", "", "", 0)
	add(4, recent, "northern sea route shipping", "arctic", "The Arctic", 0.30)
	add(2, recent, "shipping on the northern sea route", "arctic", "The Arctic", 0.35)
	add(1, recent, "who won the football", "", "", 0)
	add(10, old, "northern sea route shipping", "arctic", "The Arctic", 0.90) // outside a 30-day window

	var feedback []feedbackRow
	vote := func(at time.Time, topic, user string, helpful bool) {
		feedback = append(feedback, feedbackRow{id: newID(), at: at, topicID: topic, platform: "slack", userHash: user, helpful: helpful})
	}
	vote(recent, "gas-trade", "a", false)
	vote(recent, "gas-trade", "b", false)
	vote(recent, "gas-trade", "c", true)
	vote(recent.Add(-time.Hour), "trade", "a", true)
	vote(recent, "trade", "a", false) // a changed their mind: only the latest counts
	vote(recent, "trade", "b", true)
	vote(recent, "arms", "", false) // no user id: each click counts
	vote(recent, "arms", "", false)
	vote(recent, "arms", "", false)
	vote(recent, "summits", "a", true)
	vote(old, "old-topic", "a", false)
	if err := s.write(context.Background(), declined, feedback); err != nil {
		t.Fatal(err)
	}
}

func TestGaps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		seedReports(t, s)
		ctx := context.Background()
		got, err := s.Gaps(ctx, reportNow.Add(-30*24*time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []bot.Gap{
			{Count: 10, Examples: []string{"power of siberia 2 gas price", "gas price of power of siberia 2", "power of siberia 2 price gas 2024"},
				Nearest: &bot.TopicRef{ID: "power-of-siberia", Title: "Power of Siberia"}, Confidence: 0.45},
			{Count: 6, Examples: []string{"northern sea route shipping", "shipping on the northern sea route"},
				Nearest: &bot.TopicRef{ID: "arctic", Title: "The Arctic"}, Confidence: 0.35},
			{Count: 1, Examples: []string{"who won the football"}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Gaps:\n%s\nwant:\n%s", js(got), js(want))
		}
		top, err := s.TopGaps(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(top, want[:2]) {
			t.Errorf("TopGaps(2):\n%s\nwant the first two", js(top))
		}
		// A window reaching back 60 days includes the old questions.
		wide, err := s.Gaps(ctx, reportNow.Add(-60*24*time.Hour), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(wide) != 1 || wide[0].Count != 16 || wide[0].Nearest.ID != "arctic" || wide[0].Confidence != 0.9 {
			t.Errorf("Gaps over 60 days: %s", js(wide))
		}
		// An empty window is an empty report, not an error, and not nil
		// (the API writes it as []).
		none, err := s.Gaps(ctx, reportNow.Add(time.Hour), 10)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("Gaps in the future = %v, %v", none, err)
		}
	})
}

// TestGapsKeepsWholeQuestions: the cap on distinct questions keeps the most
// frequent questions with all their rows, and breaks ties the same way on
// every database.
func TestGapsKeepsWholeQuestions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		ctx := context.Background()
		if s.dialect == dialectPostgres {
			// Order text the way a database created with a language's
			// collation does, where é sorts before f.
			if _, err := s.db.Exec(`ALTER TABLE declined ALTER COLUMN question TYPE TEXT COLLATE "und-x-icu"`); err != nil {
				t.Logf("no ICU collation, testing the database's own: %v", err)
			}
		}
		at := reportNow.Add(-time.Hour)
		var rows []declinedRow
		add := func(q, topic string) {
			rows = append(rows, declinedRow{id: newID(), at: at, question: q, platform: "discord", topicID: topic})
		}
		// The most frequent question, asked 12 times with 12 different
		// candidate topics: 12 (question, topic) groups of 1.
		for i := range 12 {
			add("arctic shipping", fmt.Sprintf("topic-%02d", i))
		}
		for range 5 {
			add("gas price", "gas")
		}
		// A tie for the last place: byte order keeps "football", which a
		// language's collation puts after "élection".
		add("football", "")
		add("élection", "")
		if err := s.write(ctx, rows, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.gaps(ctx, at.Add(-time.Minute), 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		var summary []string
		for _, g := range got {
			summary = append(summary, fmt.Sprintf("%d %s", g.Count, strings.Join(g.Examples, ",")))
		}
		want := []string{"12 arctic shipping", "5 gas price", "1 football"}
		if !reflect.DeepEqual(summary, want) {
			t.Errorf("gaps capped at 3 questions = %q, want %q", summary, want)
		}
	})
}

func TestFeedbackReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		seedReports(t, s)
		ctx := context.Background()
		month := reportNow.Add(-30 * 24 * time.Hour)
		got, err := s.FeedbackReport(ctx, month, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []FeedbackRow{
			{TopicID: "arms", Up: 0, Down: 3, DownShare: 1},
			{TopicID: "gas-trade", Up: 1, Down: 2, DownShare: 2.0 / 3},
			{TopicID: "trade", Up: 1, Down: 1, DownShare: 0.5},
			{TopicID: "summits", Up: 1, Down: 0, DownShare: 0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("FeedbackReport:\n%s\nwant:\n%s", js(got), js(want))
		}
		for _, limit := range []int{1, 3, 4, 10} {
			got, err := s.FeedbackReport(ctx, month, limit)
			if n := min(limit, len(want)); err != nil || !reflect.DeepEqual(got, want[:n]) {
				t.Errorf("FeedbackReport(limit %d) = %s, %v; want the first %d", limit, js(got), err, n)
			}
		}
		// An empty window is an empty report, not nil (the API writes []).
		none, err := s.FeedbackReport(ctx, reportNow.Add(time.Hour), 0)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("FeedbackReport in the future = %#v, %v", none, err)
		}
	})
}

func TestReportHandlers(t *testing.T) {
	s := openTest(t, "sqlite:"+t.TempDir()+"/x.db")
	seedReports(t, s)
	tests := []struct {
		name, method, target string
		handler              http.Handler
		status               int
		check                func(t *testing.T, body []byte)
	}{
		{"gaps", "GET", "/v1/gaps?since=30d&limit=2", GapsHandler(s, nil), 200, func(t *testing.T, body []byte) {
			var r GapsResult
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Gaps) != 2 || r.Gaps[0].Count != 10 || r.Window != "30d" || !r.Since.Equal(reportNow.Add(-30*24*time.Hour)) {
				t.Errorf("body: %s", body)
			}
		}},
		{"gaps defaults", "GET", "/v1/gaps", GapsHandler(s, nil), 200, func(t *testing.T, body []byte) {
			var r GapsResult
			json.Unmarshal(body, &r)
			if len(r.Gaps) != 3 || r.Window != "30d" {
				t.Errorf("body: %s", body)
			}
		}},
		{"gaps empty is a list", "GET", "/v1/gaps?since=1h", GapsHandler(s, nil), 200, func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), `"gaps":[]`) {
				t.Errorf("body: %s", body)
			}
		}},
		{"gaps head", "HEAD", "/v1/gaps", GapsHandler(s, nil), 200, nil},
		{"feedback empty is a list", "GET", "/v1/feedback?since=1h", FeedbackHandler(s, nil), 200, func(t *testing.T, body []byte) {
			if !strings.Contains(string(body), `"topics":[]`) {
				t.Errorf("body: %s", body)
			}
		}},
		{"feedback", "GET", "/v1/feedback?since=2w&limit=1", FeedbackHandler(s, nil), 200, func(t *testing.T, body []byte) {
			var r FeedbackResult
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if len(r.Topics) != 1 || r.Topics[0].TopicID != "arms" || r.Window != "2w" {
				t.Errorf("body: %s", body)
			}
		}},
		{"bad since", "GET", "/v1/gaps?since=30x", GapsHandler(s, nil), 400, errorSays("unit")},
		{"negative since", "GET", "/v1/feedback?since=-3d", FeedbackHandler(s, nil), 400, errorSays("positive")},
		{"bad limit", "GET", "/v1/gaps?limit=0", GapsHandler(s, nil), 400, errorSays("limit")},
		{"huge limit", "GET", "/v1/feedback?limit=99999999999999999999", FeedbackHandler(s, nil), 400, errorSays("limit")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.handler.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if tt.check != nil {
				tt.check(t, rec.Body.Bytes())
			}
		})
	}

	t.Run("database gone", func(t *testing.T) {
		s.Close()
		for _, h := range []http.Handler{GapsHandler(s, nil), FeedbackHandler(s, nil)} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != 500 || strings.Contains(rec.Body.String(), "sql") {
				t.Errorf("status %d body %s; want 500 without internals", rec.Code, rec.Body)
			}
		}
	})
}

func errorSays(s string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, s) {
			t.Errorf("error body %s, want it to mention %q", body, s)
		}
	}
}

func TestWindowStart(t *testing.T) {
	now := time.Date(2026, 11, 20, 15, 4, 5, 999, time.FixedZone("MSK", 3*3600))
	got, err := WindowStart("2d", now)
	if want := time.Date(2026, 11, 18, 12, 4, 5, 0, time.UTC); err != nil || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("WindowStart(2d) = %v, %v; want %v", got, err, want)
	}
	if got, err := WindowStart(DefaultWindow, now); err != nil || !got.Equal(now.Add(-30*24*time.Hour).Truncate(time.Second)) {
		t.Errorf("WindowStart(DefaultWindow) = %v, %v; want 30 days before", got, err)
	}
	if _, err := WindowStart("30x", now); err == nil {
		t.Errorf("WindowStart(30x): no error")
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30d", 30 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{" 7d ", 7 * 24 * time.Hour, true},
		{"3650d", 3650 * 24 * time.Hour, true},
		{"3651d", 0, false},
		{"0d", 0, false},
		{"-1d", 0, false},
		{"+1d", 0, false},
		{"1.5d", 0, false},
		{"d", 0, false},
		{"30", 0, false},
		{"30s", 0, false},
		{"30D", 0, false},
		{"", 0, false},
		{"99999999999999999999h", 0, false},
	}
	for _, tt := range tests {
		got, err := parseWindow(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseWindow(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"30d", "12h", "2w", "0d", "-1d", "9999999999w", "\x00", "1\u00a0d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseWindow(s)
		if err == nil && (d <= 0 || d > maxWindow) {
			t.Fatalf("parseWindow(%q) = %v: out of range", s, d)
		}
		if err != nil && d != 0 {
			t.Fatalf("parseWindow(%q) returned %v with error %v", s, d, err)
		}
	})
}

func js(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
