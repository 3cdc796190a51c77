package server

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
)

// BenchmarkSlackOverload drives signed Slack slash commands at the real
// server over loopback from 8 and from 512 connections, each sending its
// next command as soon as the last one is acknowledged or refused, and
// reports the questions actually answered per second (answers that reached
// the response_url stand-in, not "busy" notices) beside the refusals. Issue
// 13 finding 9: under overload the answered rate must not fall below the
// server's best.
//
//	go test -run '^$' -bench BenchmarkSlackOverload -benchtime 6000x ./internal/server
func BenchmarkSlackOverload(b *testing.B) {
	for _, conns := range []int{8, 512} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchSlackOverload(b, conns) })
	}
}

func benchSlackOverload(b *testing.B, conns int) {
	var answers, notices atomic.Int64
	sinkURL := startSink(b, func(body []byte) {
		if bytes.Contains(body, []byte("answering a lot of questions")) || bytes.Contains(body, []byte("couldn't finish")) {
			notices.Add(1)
		} else {
			answers.Add(1)
		}
	})

	dsig := newDiscordSigner(b)
	cfg := config.Default()
	cfg.DatabaseURL = ""
	cfg.RateLimit = 0
	withSlack(&cfg, "xoxb-bench", sinkURL)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	in := start(b, cfg, Options{Logger: logger, Now: time.Now})

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	defer client.CloseIdleConnections()
	// Odd numbers are Slack commands (signRequest).
	batch := make([]signedRequest, b.N)
	for i := range batch {
		batch[i] = signRequest(dsig, int64(2*i+1), sinkURL+"/response")
	}
	var acked, busyAcks, refused, failed atomic.Int64
	var firstErr atomic.Value
	b.ResetTimer()
	begin := time.Now()
	driveLoad(conns, 0, int64(b.N), func(n int64) {
		p := batch[n]
		req, _ := http.NewRequest(http.MethodPost, in.url+p.path, bytes.NewReader(p.body))
		req.Header = p.header
		resp, err := client.Do(req)
		if err != nil {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
			refused.Add(1)
		case resp.StatusCode != http.StatusOK:
			failed.Add(1)
			firstErr.CompareAndSwap(nil, resp.Status+": "+string(body))
		case strings.Contains(string(body), "answering a lot of questions"):
			busyAcks.Add(1)
		default:
			acked.Add(1)
		}
	})
	// Every acknowledged command is answered in the background.
	for deadline := time.Now().Add(30 * time.Second); answers.Load()+notices.Load() < acked.Load() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(begin)
	b.StopTimer()
	rate := float64(answers.Load()) / elapsed.Seconds()
	b.ReportMetric(rate, "answered/s")
	b.ReportMetric(100*float64(answers.Load())/float64(b.N), "answered-%")
	b.ReportMetric(float64(refused.Load()+busyAcks.Load()), "refused")
	b.ReportMetric(float64(failed.Load()), "errors")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d commands from %d connections in %v: %d answered (%.0f/s), %d refused with 503, %d acked busy, %d busy notices, %d errors",
		b.N, conns, elapsed.Round(time.Millisecond), answers.Load(), rate, refused.Load(), busyAcks.Load(), notices.Load(), failed.Load())
	if n := failed.Load(); n > 0 {
		b.Errorf("%d of %d requests failed; first: %v", n, b.N, firstErr.Load())
	}
}
