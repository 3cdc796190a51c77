package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
)

// BenchmarkRecordingUnderLoad drives the real server with off-topic
// questions only, every one declined and so recorded in SQLite, as fast as
// benchClients clients can ask, and reports what the server answered
// (req/s) and what the recorder wrote and dropped. The target of issue 13
// (finding 5) is no drop at the rate the server itself sustains:
//
//	go test -run '^$' -bench RecordingUnderLoad -benchtime 50000x ./internal/server
func BenchmarkRecordingUnderLoad(b *testing.B) {
	cfg := config.Default() // the embedded knowledge base, as shipped
	cfg.DatabaseURL = "sqlite:" + filepath.Join(b.TempDir(), "summitbot.db")
	cfg.APIToken = testToken
	cfg.RateLimit, cfg.APIRateLimit = 0, 0
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	in := start(b, cfg, Options{Logger: logger, Now: time.Now})

	bodies := make([][]byte, 512)
	for i := range bodies {
		bodies[i], _ = json.Marshal(map[string]string{"question": fmt.Sprintf("best borscht recipe number %d with beetroot and dill", i)})
	}
	clients := benchClients
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	var failures atomic.Int64
	b.ResetTimer()
	begin := time.Now()
	driveLoad(clients, 0, int64(b.N), func(n int64) {
		req, _ := http.NewRequest(http.MethodPost, in.url+"/v1/ask", bytes.NewReader(bodies[n%int64(len(bodies))]))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			failures.Add(1)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			failures.Add(1)
		}
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	st := in.srv.recorder.Stats()
	deadline := time.Now().Add(30 * time.Second)
	for st.Recorded+st.Dropped < uint64(b.N) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		st = in.srv.recorder.Stats()
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(st.Recorded), "written")
	b.ReportMetric(float64(st.Dropped), "dropped")
	b.ReportMetric(float64(failures.Load()), "errors")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d off-topic questions from %d clients: %.0f req/s; recorder wrote %d, dropped %d (%.1f%%), %d request errors",
		b.N, clients, float64(b.N)/elapsed.Seconds(), st.Recorded, st.Dropped, 100*float64(st.Dropped)/float64(b.N), failures.Load())
	if failures.Load() > 0 {
		b.Errorf("%d requests failed", failures.Load())
	}
}
