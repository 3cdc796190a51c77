package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
)

// benchClients is how many clients send requests concurrently, each
// waiting for its response before sending the next; BENCH_CLIENTS
// overrides it.
var benchClients = 8

func init() {
	if v, err := strconv.Atoi(os.Getenv("BENCH_CLIENTS")); err == nil && v > 0 {
		benchClients = v
	}
}

// signedRequest is a request body with its signature headers.
type signedRequest struct {
	path    string
	body    []byte
	header  http.Header
	discord bool
}

// BenchmarkWebhooks drives signed Slack slash commands and Discord /ask
// interactions, alternately, at the real HTTP server over loopback. It
// reports throughput, client-side latency percentiles (request to response;
// for Slack that is the 3-second ack, and every asynchronous reply must also
// reach the response_url stand-in), errors, and the live heap after a full
// GC before the run, half-way and after it. Requests are signed before the
// timed window (each half's just before it). As the issue asks:
//
//	go test -run '^$' -bench BenchmarkWebhooks -benchtime 100000x ./internal/server
//
// Any non-200 response, a Discord response that is not a message, a Slack
// ack that is not empty (the adapter's "busy" notice), or a missing Slack
// reply counts as an error and fails the benchmark.
func BenchmarkWebhooks(b *testing.B) {
	var replies atomic.Int64
	sinkURL := startSink(b, func(body []byte) { replies.Add(1) })

	dsig := newDiscordSigner(b)
	cfg := config.Default() // the embedded knowledge base, as shipped
	cfg.DatabaseURL = ""    // measure the webhooks, not SQLite
	cfg.RateLimit = 0       // 500 simulated users send thousands of questions
	withDiscord(&cfg, dsig)
	withSlack(&cfg, "xoxb-bench", sinkURL)
	// Production log level and format, written nowhere.
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	in := start(b, cfg, Options{Logger: logger, Now: time.Now})

	clients := benchClients
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	var failures atomic.Int64
	var firstErr atomic.Value
	fail := func(msg string) {
		failures.Add(1)
		firstErr.CompareAndSwap(nil, msg)
	}
	send := func(p signedRequest) {
		req, _ := http.NewRequest(http.MethodPost, in.url+p.path, bytes.NewReader(p.body))
		req.Header = p.header
		resp, err := client.Do(req)
		if err != nil {
			fail(err.Error())
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode != 200:
			fail("status " + resp.Status + ": " + string(body))
		case p.discord && !bytes.Contains(body, []byte(`"type":4`)):
			fail("discord: not a message: " + string(body))
		case !p.discord && len(body) != 0:
			fail("slack: not a plain ack (busy?): " + string(body))
		}
	}
	waitReplies := func(want int64) bool {
		deadline := time.Now().Add(30 * time.Second)
		for replies.Load() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		return replies.Load() >= want
	}

	// Warm up connections and caches with ids the run does not use.
	const warmBase = 1 << 40
	for i := range int64(4 * clients) {
		send(signRequest(dsig, warmBase+i, sinkURL+"/response"))
	}
	waitReplies(int64(2 * clients))

	latencies := make([]time.Duration, b.N)
	replies.Store(0)
	idle := func() int {
		// Idle keep-alive connections hold goroutines; they are not leaks.
		client.CloseIdleConnections()
		in.srv.client.CloseIdleConnections()
		time.Sleep(100 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	goroutinesBefore := idle()
	heapBefore := liveHeap()
	var heapMid uint64

	// Each half's requests are signed before the timer runs, and each is
	// dropped once sent, so the live heap measured before, half-way and
	// after holds the server's memory, not the requests waiting to go. A
	// half takes well under the 5 minutes a signature's timestamp stays
	// valid.
	var elapsed time.Duration
	run := func(from, until int64) {
		b.StopTimer()
		batch := make([]signedRequest, until-from)
		for i := range batch {
			batch[i] = signRequest(dsig, from+int64(i), sinkURL+"/response")
		}
		b.StartTimer()
		begin := time.Now()
		driveLoad(clients, from, until, func(n int64) {
			p := batch[n-from]
			batch[n-from] = signedRequest{}
			t0 := time.Now()
			send(p)
			latencies[n] = time.Since(t0)
		})
		elapsed += time.Since(begin)
		b.StopTimer()
	}
	b.ResetTimer()
	// Two halves, with the live heap measured in between: flat memory means
	// the second half adds nothing.
	run(0, int64(b.N/2))
	heapMid = liveHeap()
	run(int64(b.N/2), int64(b.N))

	if slackRequests := int64(b.N / 2); !waitReplies(slackRequests) {
		fail(fmt.Sprintf("%d slack replies missing", slackRequests-replies.Load()))
	}
	goroutinesAfter := idle()
	heapAfter := liveHeap()

	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(failures.Load()), "errors")
	b.ReportMetric(float64(heapBefore)/(1<<20), "heap-before-MB")
	b.ReportMetric(float64(heapMid)/(1<<20), "heap-mid-MB")
	b.ReportMetric(float64(heapAfter)/(1<<20), "heap-after-MB")
	b.ReportMetric(0, "ns/op") // time per op means little for a concurrent load
	b.Logf("%d requests from %d clients: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors, live heap %.1f → %.1f (half-way) → %.1f MB, goroutines %d → %d",
		b.N, clients, rate, pct(0.5), pct(0.99), failures.Load(),
		float64(heapBefore)/(1<<20), float64(heapMid)/(1<<20), float64(heapAfter)/(1<<20), goroutinesBefore, goroutinesAfter)
	if n := failures.Load(); n > 0 {
		b.Errorf("%d of %d requests failed; first: %v", n, b.N, firstErr.Load())
	}
	if goroutinesAfter > goroutinesBefore+clients {
		b.Errorf("goroutines grew from %d to %d", goroutinesBefore, goroutinesAfter)
	}
}

// benchQuestions are asked in turn: four answered, one declined, one on a
// timeline topic.
var benchQuestions = []string{
	"what is power of siberia", "what is brics", "who are the members of the sco",
	"how much did china russia trade reach in 2024", "best borscht recipe", "tell me about the 1969 border conflict",
}

// signRequest builds request n, signed as Discord or Slack sign them with
// the current time as timestamp: even n are Discord /ask interactions (interaction id n),
// odd n Slack slash commands, from 500 simulated users.
func signRequest(dsig discordSigner, n int64, responseURL string) signedRequest {
	q := benchQuestions[n%int64(len(benchQuestions))]
	user := strconv.FormatInt(n%500, 10)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if n%2 == 0 {
		body := discordAsk(strconv.FormatInt(n, 10), "u"+user, q)
		sig := ed25519.Sign(dsig.priv, append([]byte(stamp), body...))
		return signedRequest{path: "/discord/interactions", body: body, discord: true, header: http.Header{
			"Content-Type":          {"application/json"},
			"X-Signature-Ed25519":   {hex.EncodeToString(sig)},
			"X-Signature-Timestamp": {stamp},
		}}
	}
	form := url.Values{
		"team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U" + user}, "command": {"/ask"},
		"text": {q}, "response_url": {responseURL}, "trigger_id": {strconv.FormatInt(n, 10)},
	}
	body := []byte(form.Encode())
	mac := hmac.New(sha256.New, []byte(slackSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	return signedRequest{path: "/slack/commands", body: body, header: http.Header{
		"Content-Type":              {"application/x-www-form-urlencoded"},
		"X-Slack-Request-Timestamp": {stamp},
		"X-Slack-Signature":         {"v0=" + hex.EncodeToString(mac.Sum(nil))},
	}}
}

// startSink serves a stand-in for Slack's API and response_url on loopback
// until b ends, passing each request body to got and answering {"ok":true};
// it returns the stand-in's base URL.
func startSink(b *testing.B, got func(body []byte)) string {
	sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got(body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go sink.Serve(ln)
	b.Cleanup(func() { sink.Close() })
	return "http://" + ln.Addr().String()
}

// driveLoad runs do(n) for every n in [from, until) from clients
// goroutines, each taking the next n as soon as its last do returns, and
// waits for all of them.
func driveLoad(clients int, from, until int64, do func(n int64)) {
	var next atomic.Int64
	next.Store(from)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n >= until {
					return
				}
				do(n)
			}
		})
	}
	wg.Wait()
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
