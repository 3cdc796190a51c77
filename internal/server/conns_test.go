package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/testutil"
)

// Review H1: at the connection cap, connections still sending their
// request were never closed, so 20 clients trickling headers (held 5 s
// each) or a body to an unmatched route (15 s) stalled every route,
// /healthz included. Now the oldest connection without a complete request
// makes room.
func TestUnfinishedRequestsCannotHoldTheCap(t *testing.T) {
	const max = 20
	in := start(t, testConfig(copyKB(t)), Options{MaxConns: max})
	for i := range max {
		req := "GET /healthz HTTP/1.1\r\nHost: x\r\n" // headers never finished
		if i%2 == 1 {
			req = "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nx" // body never finished
		}
		rawConn(t, in.addr, req)
	}
	// Without shedding, the first place frees when the attackers' own
	// deadlines expire: the header timeout at the earliest.
	sent := time.Now()
	freed := sent.Add(readHeaderTimeout)
	testutil.WaitFor(t, "the attackers' connections to be accepted", func() bool { return in.srv.conns.Load().openConns() == max })

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	for i := range 6 {
		var resp *http.Response
		var err error
		if i%2 == 0 {
			resp, err = client.Get(in.url + "/healthz")
		} else {
			req, _ := http.NewRequest("POST", in.url+"/v1/ask", strings.NewReader(`{"question":"what is brics"}`))
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err = client.Do(req)
		}
		if err != nil {
			t.Fatalf("probe %d under the attack: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("probe %d under the attack: status %d", i, resp.StatusCode)
		}
	}
	t.Logf("6 probes answered %v after the %d attackers' requests were sent", time.Since(sent), max)
	if now := time.Now(); !now.Before(freed) {
		t.Errorf("probes answered only after the attackers' header timeout (%v late): nothing made room", now.Sub(freed))
	}
	if got := in.metric(t, "summitbot_http_unfinished_connections_closed_total"); got < 1 {
		t.Errorf("unfinished connections closed = %v, want at least 1", got)
	}
	if open := in.srv.conns.Load().openConns(); open > max {
		t.Errorf("%d connections open, cap %d", open, max)
	}
}

// A connection whose request has fully arrived is never closed to make
// room, however long it takes to answer; new clients wait for it.
func TestConnectionsAtWorkAreKept(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lim := newConnLimiter(ln, 1)
	now := time.Now()
	lim.now = func() time.Time { return now.Add(time.Hour) } // every connection is past its grace
	entered, release := make(chan struct{}), make(chan struct{})
	hs := &http.Server{
		Handler: arriving(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if r.URL.Path == "/slow" {
				close(entered)
				<-release
			}
			fmt.Fprint(w, "ok")
		})),
		ConnState:   lim.connState,
		ConnContext: lim.connContext,
	}
	go hs.Serve(lim)
	t.Cleanup(func() { hs.Close() })
	url := "http://" + ln.Addr().String()
	dialed := make(chan struct{}, 2)
	var d net.Dialer
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			dialed <- struct{}{}
			return c, err
		}}}

	slow := make(chan error, 1)
	go func() {
		resp, err := client.Post(url+"/slow", "text/plain", strings.NewReader("a body"))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "ok" {
				err = fmt.Errorf("body %q", b)
			}
		}
		slow <- err
	}()
	<-entered
	<-dialed
	fast := make(chan error, 1)
	go func() {
		resp, err := client.Get(url + "/fast")
		if err == nil {
			resp.Body.Close()
		}
		fast <- err
	}()
	<-dialed     // the second client waits in the backlog
	lim.signal() // and Accept looks for room again
	// Served within a moment would be a limiter that lets it through.
	select {
	case err := <-fast:
		t.Fatalf("second client served while the first held the only place: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-slow; err != nil {
		t.Errorf("request at work: %v", err)
	}
	if err := <-fast; err != nil {
		t.Errorf("waiting client: %v", err)
	}
	if n := lim.shed.Load() + lim.shedUnsent.Load(); n != 0 {
		t.Errorf("%d connections shed, want 0", n)
	}
}

// Review M1: the body read deadline also cancelled the request's context
// (net/http's background read fails when it fires), so /v1/gaps answered
// 500 at the read deadline instead of 503 at its own, and Discord's
// budget shrank. Through a real connection, a handler outliving the read
// deadline keeps its context.
func TestReadDeadlineDoesNotCancelTheRequest(t *testing.T) {
	const deadline = 20 * time.Millisecond
	srv := httptest.NewServer(bodies(readDeadline(deadline, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		// A report with a timeout of its own, well past the read deadline.
		ctx, cancel := context.WithTimeout(r.Context(), 25*deadline)
		defer cancel()
		<-ctx.Done()
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) && r.Context().Err() == nil {
			w.WriteHeader(http.StatusServiceUnavailable) // its own deadline
			return
		}
		w.WriteHeader(http.StatusInternalServerError) // cancelled under it
	}))))
	defer srv.Close()
	for _, tc := range []struct {
		method string
		body   io.Reader
	}{
		{"GET", nil},
		{"POST", strings.NewReader(`{"question":"x"}`)},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+"/v1/gaps", tc.body)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503 at the handler's own deadline (500: the read deadline cancelled the request)", tc.method, resp.StatusCode)
		}
	}
}
