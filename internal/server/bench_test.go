package server

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
)

// BenchmarkWebhooks drives signed Slack slash commands and Discord
// interactions, alternately, at the real HTTP server over loopback, from
// 32 concurrent clients. It reports throughput, latency percentiles
// (client-side, request to response; for Slack that is the ack, and every
// asynchronous reply must also reach the response_url), errors, and the live
// heap before and after the run. Run it as the issue asks:
//
//	go test -run '^$' -bench BenchmarkWebhooks -benchtime 100000x ./internal/server
func BenchmarkWebhooks(b *testing.B) {
	var replies atomic.Int64
	sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		replies.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})}
	sinkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go sink.Serve(sinkLn)
	defer sink.Close()
	sinkURL := "http://" + sinkLn.Addr().String()

	dsig := newDiscordSigner(b)
	cfg := config.Default() // the embedded knowledge base, as shipped
	cfg.RateLimit = 0       // one simulated user sends thousands of questions
	cfg.Discord.AppID = "1"
	cfg.Discord.PublicKey = dsig.pub
	cfg.Slack.BotToken = "xoxb-bench"
	cfg.Slack.SigningSecret = slackSecret
	cfg.Slack.APIURL = sinkURL + "/api/"
	// Production log level and format, discarded.
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	in := start(b, cfg, Options{Logger: logger, Now: time.Now})

	const clients = 32
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	questions := []string{
		"what is power of siberia", "what is brics", "who are the members of the sco",
		"how much did china russia trade reach in 2024", "best borscht recipe", "tell me about the 1969 border conflict",
	}
	var next, failures atomic.Int64
	var firstErr atomic.Value
	fail := func(msg string) {
		failures.Add(1)
		firstErr.CompareAndSwap(nil, msg)
	}
	one := func(n int64) {
		q := questions[n%int64(len(questions))]
		var req *http.Request
		discord := n%2 == 0
		if discord {
			req = dsig.request(in.url, discordAsk(strconv.FormatInt(n, 10), "u"+strconv.FormatInt(n%500, 10), q))
		} else {
			req = slackCommand(in.url, "U"+strconv.FormatInt(n%500, 10), q, sinkURL+"/response")
		}
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
		case discord && !strings.Contains(string(body), `"type":4`):
			fail("discord: not a message: " + string(body))
		case !discord && len(body) != 0:
			fail("slack: not a plain ack (busy?): " + string(body))
		}
	}

	// Warm up connections, caches and the heap, then measure.
	for i := range 2 * clients {
		one(1<<40 + int64(i)) // ids the measured run will not reuse
	}
	waitReplies := func(want int64) bool {
		deadline := time.Now().Add(30 * time.Second)
		for replies.Load() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		return replies.Load() >= want
	}
	waitReplies(clients)
	latencies := make([]time.Duration, b.N)
	replies.Store(0)
	heapBefore, goroutinesBefore := liveHeap(), runtime.NumGoroutine()

	b.ResetTimer()
	begin := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				t0 := time.Now()
				one(n)
				latencies[n] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begin)
	b.StopTimer()

	slackRequests := int64(b.N / 2)
	if !waitReplies(slackRequests) {
		fail("slack replies missing: " + strconv.FormatInt(slackRequests-replies.Load(), 10))
	}
	client.CloseIdleConnections()
	heapAfter := liveHeap()

	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(failures.Load()), "errors")
	b.ReportMetric(float64(heapBefore)/(1<<20), "heap-before-MB")
	b.ReportMetric(float64(heapAfter)/(1<<20), "heap-after-MB")
	b.ReportMetric(0, "ns/op") // per-op time means little for a concurrent load
	b.Logf("req/s %.0f p50 %.2fms p99 %.2fms errors %d heap %.1f→%.1f MB replies %d", float64(b.N)/elapsed.Seconds(), pct(0.5), pct(0.99), failures.Load(), float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), replies.Load())
	if n := failures.Load(); n > 0 {
		b.Errorf("%d of %d requests failed; first: %v", n, b.N, firstErr.Load())
	}
	if g := runtime.NumGoroutine(); g > goroutinesBefore+2*clients {
		b.Errorf("goroutines grew from %d to %d", goroutinesBefore, g)
	}
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
