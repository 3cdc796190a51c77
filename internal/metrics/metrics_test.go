package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/store"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d", rec.Code)
	}
	return rec.Body.String()
}

// value reads one counter or gauge from the registry; -1 if absent.
func value(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, metric := range mf.GetMetric() {
			for _, lp := range metric.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			return counterOrGauge(metric)
		}
	}
	return -1
}

func counterOrGauge(m *dto.Metric) float64 {
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func TestObserveAnswer(t *testing.T) {
	m := New()
	ctx := context.Background()
	m.ObserveAnswer(ctx, bot.Question{Platform: bot.PlatformSlack}, bot.Answer{Outcome: bot.OutcomeAnswered}, 3*time.Millisecond)
	m.ObserveAnswer(ctx, bot.Question{Platform: bot.PlatformSlack}, bot.Answer{Outcome: bot.OutcomeAnswered}, time.Millisecond)
	m.ObserveAnswer(ctx, bot.Question{Platform: bot.PlatformDiscord}, bot.Answer{Outcome: bot.OutcomeRateLimited}, 0)
	m.ObserveAnswer(ctx, bot.Question{Platform: "irc"}, bot.Answer{Outcome: "weird"}, 0)
	m.ObserveAnswer(ctx, bot.Question{Platform: "irc"}, bot.Answer{Outcome: bot.OutcomeDeclined}, 0)
	m.ObserveAnswer(ctx, bot.Question{Platform: bot.PlatformAPI}, bot.Answer{Outcome: "weird"}, 0)

	tests := []struct {
		platform, outcome string
		want              float64
	}{
		{"slack", "answered", 2},
		{"discord", "rate-limited", 1},
		{"discord", "answered", 0},
		{"other", "other", 1},
		{"other", "declined", 1},
		{"api", "other", 1},
		{"api", "answered", 0},
	}
	for _, tt := range tests {
		if got := value(t, m, "summitbot_questions_total", map[string]string{"platform": tt.platform, "outcome": tt.outcome}); got != tt.want {
			t.Errorf("questions{%s,%s} = %v, want %v", tt.platform, tt.outcome, got, tt.want)
		}
	}
	out := scrape(t, m)
	for _, want := range []string{
		`summitbot_questions_total{outcome="error",platform="api"} 0`,
		`summitbot_answer_duration_seconds_count{platform="slack"} 2`,
		`summitbot_answer_duration_seconds_count{platform="api"} 1`,
		`summitbot_answer_duration_seconds_count{platform="other"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestReloadsAndAdapters(t *testing.T) {
	m := New()
	m.Loaded(42, time.Unix(1700000000, 0))
	m.Reloaded(true)
	m.Reloaded(false)
	m.ReloadTimedOut()
	calls := 0
	m.Recorder(func() store.RecorderStats {
		calls++
		return store.RecorderStats{Recorded: 7, Dropped: 1, FailedWrites: 2, Queued: 3, Capacity: 4096, DatabaseLost: 5}
	})
	up := false
	m.Adapter("discord-gateway", func() bool { return up })
	m.Adapter("slack-http", func() bool { return true })
	out := scrape(t, m)
	if calls != 1 {
		t.Errorf("one scrape read the recorder's stats %d times, want once", calls)
	}
	for _, want := range []string{
		"summitbot_topics_loaded 42",
		"summitbot_knowledge_reloads_total 1",
		"summitbot_knowledge_reload_failures_total 2",
		"summitbot_knowledge_loaded_timestamp_seconds 1.7e+09",
		"summitbot_records_dropped_total 1",
		"summitbot_records_written_total 7",
		"summitbot_record_write_failures_total 2",
		"summitbot_records_queued 3",
		"summitbot_records_queue_capacity 4096",
		"summitbot_record_database_lost_total 5",
		"summitbot_knowledge_reload_timeouts_total 1",
		`summitbot_adapter_connected{adapter="discord-gateway"} 0`,
		`summitbot_adapter_connected{adapter="slack-http"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	up = true
	if !strings.Contains(scrape(t, m), `summitbot_adapter_connected{adapter="discord-gateway"} 1`) {
		t.Error("adapter state is not read at scrape time")
	}
}

func TestInstrument(t *testing.T) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("POST /v1/ask", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {})
	// GET /empty is left out of the routes: it is counted the slow way.
	h := m.Instrument(mux, "GET /healthz", "POST /v1/ask")
	for _, r := range []*http.Request{
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("GET", "/healthz", nil),
		httptest.NewRequest("POST", "/v1/ask", nil),
		httptest.NewRequest("GET", "/empty", nil),
		httptest.NewRequest("GET", "/nope/secret-looking-path", nil),
		httptest.NewRequest("DELETE", "/v1/ask", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	tests := []struct {
		route, code string
		want        float64
	}{
		{"GET /healthz", "200", 2},
		{"POST /v1/ask", "401", 1},
		{"GET /empty", "200", 1},
		{"unmatched", "404", 1},
		{"unmatched", "405", 1},
		{"POST /v1/ask", "200", -1}, // a code shows once it has happened
	}
	for _, tt := range tests {
		if got := value(t, m, "summitbot_http_requests_total", map[string]string{"route": tt.route, "code": tt.code}); got != tt.want {
			t.Errorf("requests{%s,%s} = %v, want %v", tt.route, tt.code, got, tt.want)
		}
	}
	if strings.Contains(scrape(t, m), "secret-looking-path") {
		t.Error("an unmatched path became a label value")
	}
}

// BenchmarkObserveAnswer is the metrics' cost on every answer.
func BenchmarkObserveAnswer(b *testing.B) {
	m := New()
	ctx := context.Background()
	q := bot.Question{Platform: bot.PlatformSlack}
	a := bot.Answer{Outcome: bot.OutcomeDeclined}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveAnswer(ctx, q, a, time.Millisecond)
	}
}

// BenchmarkInstrument is the request metrics' cost on every request,
// with the mux's own.
func BenchmarkInstrument(b *testing.B) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/ask", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := m.Instrument(mux, "POST /v1/ask")
	r := httptest.NewRequest("POST", "/v1/ask", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
