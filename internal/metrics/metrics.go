// Package metrics collects summitbot's Prometheus metrics in a private
// registry: questions by platform and outcome, answer latency, the knowledge
// base and its reloads, adapter connections and HTTP requests.
package metrics

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/store"
)

// Metrics holds every summitbot metric. It is safe for concurrent use.
type Metrics struct {
	reg            *prometheus.Registry
	questions      *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	topics         prometheus.Gauge
	reloads        prometheus.Counter
	reloadFailures prometheus.Counter
	reloadTimeouts prometheus.Counter
	lastReload     prometheus.Gauge
	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	rejections     *prometheus.CounterVec
	// rejected holds rejections' children for the adapters' platforms and
	// rejectReasons, made in New, so that a refusal costs no label lookup.
	rejected map[[2]string]prometheus.Counter
	// answers holds the children of questions and latency for each known
	// platform, made in New, so that an answer costs no label lookup.
	answers map[string]platformAnswers
}

// platformAnswers are one platform's answer metrics.
type platformAnswers struct {
	latency  prometheus.Observer
	outcomes map[bot.Outcome]prometheus.Counter
}

// New returns Metrics registered in a new registry, with the Go runtime and
// process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "summitbot_questions_total",
			Help: "Questions asked, by platform and outcome (answered, declined, rate-limited, error).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "summitbot_answer_duration_seconds",
			Help:    "Time the core took to answer a question, by platform.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"platform"}),
		topics: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "summitbot_topics_loaded",
			Help: "Topics in the knowledge base being served.",
		}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "summitbot_knowledge_reloads_total",
			Help: "Successful knowledge base reloads.",
		}),
		reloadFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "summitbot_knowledge_reload_failures_total",
			Help: "Knowledge base reloads that failed (invalid, unreadable or timed out); the last good version stays in use.",
		}),
		reloadTimeouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "summitbot_knowledge_reload_timeouts_total",
			Help: "Knowledge base reloads that did not finish in time (also counted as failures).",
		}),
		lastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "summitbot_knowledge_loaded_timestamp_seconds",
			Help: "When the knowledge base being served was loaded (Unix time).",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "summitbot_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		requestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "summitbot_http_request_duration_seconds",
			Help:    "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "summitbot_webhook_rejections_total",
			Help: "Webhook requests refused, by platform and reason (bad_signature, stale, replay, too_large, busy).",
		}, []string{"platform", "reason"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.questions, m.latency, m.topics, m.reloads, m.reloadFailures, m.reloadTimeouts, m.lastReload,
		m.requests, m.requestLatency, m.rejections,
	)
	m.rejected = make(map[[2]string]prometheus.Counter, 2*len(rejectReasons))
	for _, p := range []string{bot.PlatformDiscord, bot.PlatformSlack} {
		for _, r := range rejectReasons {
			m.rejected[[2]string{p, r}] = m.rejections.WithLabelValues(p, r)
		}
	}
	// Show every platform and outcome from the start, so a dashboard's rate()
	// works before the first question.
	m.answers = make(map[string]platformAnswers, len(platforms))
	for _, p := range platforms {
		pa := platformAnswers{latency: m.latency.WithLabelValues(p), outcomes: make(map[bot.Outcome]prometheus.Counter, len(outcomes))}
		for _, o := range outcomes {
			pa.outcomes[o] = m.questions.WithLabelValues(p, string(o))
		}
		m.answers[p] = pa
	}
	return m
}

// rejectReasons are the reasons a webhook request is refused for; any
// other is counted as "other", so the label set stays fixed.
var rejectReasons = []string{"bad_signature", "stale", "replay", "too_large", "busy"}

// Rejected counts a webhook request that platform's adapter refused, for
// one of rejectReasons.
func (m *Metrics) Rejected(platform, reason string) {
	if c, ok := m.rejected[[2]string{platform, reason}]; ok {
		c.Inc()
		return
	}
	if !slices.Contains(rejectReasons, reason) {
		reason = "other"
	}
	m.rejections.WithLabelValues(platform, reason).Inc()
}

var (
	platforms = []string{bot.PlatformDiscord, bot.PlatformSlack, bot.PlatformAPI, bot.PlatformCLI}
	outcomes  = []bot.Outcome{bot.OutcomeAnswered, bot.OutcomeDeclined, bot.OutcomeRateLimited, bot.OutcomeError}
)

// other stands for every unknown platform or outcome, so a buggy adapter
// cannot blow up the label cardinality.
const other = "other"

// label maps a value to itself if it is in the known set, other otherwise.
func label[T ~string](v T, known []T) string {
	for _, k := range known {
		if v == k {
			return string(v)
		}
	}
	return other
}

// ObserveAnswer counts a question and its latency. Its signature matches
// bot.Options.OnAnswer.
func (m *Metrics) ObserveAnswer(_ context.Context, q bot.Question, a bot.Answer, took time.Duration) {
	pa, ok := m.answers[q.Platform]
	if !ok {
		// A buggy adapter: the slow path, with bounded labels.
		m.questions.WithLabelValues(other, label(a.Outcome, outcomes)).Inc()
		m.latency.WithLabelValues(other).Observe(took.Seconds())
		return
	}
	if c, ok := pa.outcomes[a.Outcome]; ok {
		c.Inc()
	} else {
		m.questions.WithLabelValues(q.Platform, other).Inc()
	}
	pa.latency.Observe(took.Seconds())
}

// Loaded records that a knowledge base with n topics is now being served.
func (m *Metrics) Loaded(n int, at time.Time) {
	m.topics.Set(float64(n))
	m.lastReload.Set(float64(at.UnixNano()) / 1e9)
}

// Reloaded counts a reload attempt: ok reports whether the new version was
// valid and swapped in.
func (m *Metrics) Reloaded(ok bool) {
	if ok {
		m.reloads.Inc()
	} else {
		m.reloadFailures.Inc()
	}
}

// ReloadTimedOut counts a reload that did not finish in time: a failure,
// and a timeout.
func (m *Metrics) ReloadTimedOut() {
	m.reloadFailures.Inc()
	m.reloadTimeouts.Inc()
}

// Recorder exports the recording queue's counters (declined questions and
// feedback written to the database), read from stats once per scrape. Call
// it once, when recording is on.
func (m *Metrics) Recorder(stats func() store.RecorderStats) {
	m.reg.MustRegister(&recorderCollector{
		stats: stats,
		written: prometheus.NewDesc("summitbot_records_written_total",
			"Declined questions and feedback written to the database.", nil, nil),
		dropped: prometheus.NewDesc("summitbot_records_dropped_total",
			"Records lost because the queue was full or the database unreachable at shutdown.", nil, nil),
		failures: prometheus.NewDesc("summitbot_record_write_failures_total",
			"Writes to the database that failed or timed out: batches of records (retried) and retention deletions (retried an hour later).", nil, nil),
		queued: prometheus.NewDesc("summitbot_records_queued",
			"Records waiting to be written.", nil, nil),
		lost: prometheus.NewDesc("summitbot_record_database_lost_total",
			"Batch writes refused because the SQLite file was deleted or replaced while serving.", nil, nil),
		capacity: prometheus.NewDesc("summitbot_records_queue_capacity",
			"Records that can wait to be written before new ones are dropped.", nil, nil),
	})
}

// recorderCollector turns one snapshot of the recorder's counters into the
// six recording metrics.
type recorderCollector struct {
	stats                                              func() store.RecorderStats
	written, dropped, failures, queued, capacity, lost *prometheus.Desc
}

func (c *recorderCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.written
	ch <- c.dropped
	ch <- c.failures
	ch <- c.queued
	ch <- c.capacity
	ch <- c.lost
}

func (c *recorderCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.written, prometheus.CounterValue, float64(st.Recorded))
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(st.Dropped))
	ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(st.FailedWrites))
	ch <- prometheus.MustNewConstMetric(c.queued, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(c.capacity, prometheus.GaugeValue, float64(st.Capacity))
	ch <- prometheus.MustNewConstMetric(c.lost, prometheus.CounterValue, float64(st.DatabaseLost))
}

// Adapter registers summitbot_adapter_connected{adapter=name}, read from
// connected at every scrape. Call it once per adapter.
func (m *Metrics) Adapter(name string, connected func() bool) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "summitbot_adapter_connected",
		Help:        "Whether a configured chat adapter is connected (1) or not (0).",
		ConstLabels: prometheus.Labels{"adapter": name},
	}, func() float64 {
		if connected() {
			return 1
		}
		return 0
	}))
}

// Connections registers the HTTP server's open connections and those it
// closed to stay under its cap (idle ones, and ones still sending a
// request), read at every scrape. Call it once.
func (m *Metrics) Connections(open func() int, shed, shedUnsent func() uint64) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "summitbot_http_connections_open",
			Help: "HTTP connections open now (capped).",
		}, func() float64 { return float64(open()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "summitbot_http_idle_connections_closed_total",
			Help: "Idle keep-alive connections closed to make room for new ones under the connection cap.",
		}, func() float64 { return float64(shed()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "summitbot_http_unfinished_connections_closed_total",
			Help: "Connections closed to make room under the connection cap while still sending their request (headers or body) after a second or more.",
		}, func() float64 { return float64(shedUnsent()) }),
	)
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Instrument wraps an http.ServeMux (or anything that sets
// Request.Pattern) and counts every request by the pattern that matched,
// so the route label has one value per registered route and "unmatched"
// for the rest. routes are the mux's patterns: their metrics are made here,
// once per route and status code, so that a request costs no label lookup.
// (A pattern left out is still counted, the slow way.)
func (m *Metrics) Instrument(next http.Handler, routes ...string) http.Handler {
	byRoute := make(map[string]*routeMetrics, len(routes)+1)
	for _, r := range append([]string{""}, routes...) {
		byRoute[r] = m.route(r)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			code := rec.code
			if code == 0 {
				code = http.StatusOK
			}
			took := time.Since(start).Seconds()
			if rm, ok := byRoute[r.Pattern]; ok {
				rm.count(code)
				rm.latency.Observe(took)
				return
			}
			m.requests.WithLabelValues(r.Pattern, strconv.Itoa(code)).Inc()
			m.requestLatency.WithLabelValues(r.Pattern).Observe(took)
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeMetrics are one route's request metrics.
type routeMetrics struct {
	requests *prometheus.CounterVec // curried by route: the code label is left
	latency  prometheus.Observer
	// codes caches requests' children by status code (100 to 599), each
	// made on the route's first response with that code, so that a code
	// shows in the metrics only once it has happened.
	codes [500]atomic.Pointer[prometheus.Counter]
}

func (m *Metrics) route(pattern string) *routeMetrics {
	if pattern == "" {
		pattern = "unmatched"
	}
	return &routeMetrics{
		requests: m.requests.MustCurryWith(prometheus.Labels{"route": pattern}),
		latency:  m.requestLatency.WithLabelValues(pattern),
	}
}

func (rm *routeMetrics) count(code int) {
	i := code - 100
	if i < 0 || i >= len(rm.codes) {
		rm.requests.WithLabelValues(strconv.Itoa(code)).Inc()
		return
	}
	c := rm.codes[i].Load()
	if c == nil {
		// Two requests may both get here: WithLabelValues returns the same
		// child to both.
		child := rm.requests.WithLabelValues(strconv.Itoa(code))
		c = &child
		rm.codes[i].Store(c)
	}
	(*c).Inc()
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
