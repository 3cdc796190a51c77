package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/summitbot/summitbot/internal/tokenbucket"
)

// Work slots bound the requests being worked on at once, per class of
// caller, so that a flood of one class cannot starve the others: the API
// (bearer token), Slack and Discord (signed webhooks) each have their own.
// A webhook takes its slot only once its signature is verified.
//
// A Slack request that finds every background worker busy waits for one
// for up to a second, holding its slot (see slack.Config.Workers): waiting
// costs no CPU, where a refusal makes the client resend at once. So Slack
// has slots for many waiting requests, beyond which requests are refused
// before their body is read (shedWhenFull).
const (
	apiSlots     = 256
	slackSlots   = 1024
	discordSlots = 256
)

// Read deadlines for request bodies, from when the handler starts. Slack
// and Discord send small bodies at once and want an answer within 3 s, so
// a webhook body that has not arrived within webhookReadTimeout never
// will; an API client gets longer.
const (
	webhookReadTimeout = 2 * time.Second
	apiReadTimeout     = 5 * time.Second
)

// slots is one class's bounded set of work slots.
type slots struct {
	name string
	ch   chan struct{}
}

func newSlots(name string, n int) *slots {
	return &slots{name: name, ch: make(chan struct{}, n)}
}

// take takes a slot if one is free, and returns the function that gives it
// back.
func (s *slots) take() (release func(), ok bool) {
	select {
	case s.ch <- struct{}{}:
		return func() { <-s.ch }, true
	default:
		return nil, false
	}
}

// full reports whether every slot is taken.
func (s *slots) full() bool { return len(s.ch) == cap(s.ch) }

// readDeadline bounds how long reading the rest of the request (its body)
// may take, from when the handler starts. The deadline is cleared once
// the body has been read to its end, and never set on a request without
// a body: net/http reads on in the background while the handler works,
// and a read deadline firing then would cancel the request's context. It
// is a no-op on a ResponseWriter that cannot set deadlines (httptest's
// recorder).
func readDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(d)) == nil {
			r.Body = &atEOF{ReadCloser: r.Body, done: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		}
		next.ServeHTTP(w, r)
	})
}

// work bounds concurrent requests of one class on a work route: when the
// class's slots are all taken it answers 503 with Retry-After. (Bodies
// are capped by each handler: /v1/ask at maxAskBody, the adapters'
// webhooks at their own limits.)
func work(sl *slots, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, ok := sl.take()
		if !ok {
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, "too many requests in flight")
			return
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

// shedWhenFull answers 503 with Retry-After and closes the connection,
// without reading the body or logging, while every slot of the class is taken; otherwise next runs
// (and takes its slot once the request is verified). The check is a hint,
// not a reservation: a request let through may still find the slots full
// and get the adapter's own 503.
func shedWhenFull(sl *slots, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sl.full() {
			w.Header().Set("Retry-After", "1")
			// Without this the server would read the unread body before
			// answering, to keep the connection.
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateBucket limits one caller to n requests per window: a token bucket
// holding up to n, refilled at n per window. The zero value (n 0) allows
// everything.
type rateBucket struct {
	n   int
	now func() time.Time

	mu     sync.Mutex
	bucket tokenbucket.Bucket
}

func newRateBucket(n int, window time.Duration, now func() time.Time) *rateBucket {
	b := &rateBucket{n: n, now: now}
	if n > 0 {
		b.bucket = tokenbucket.New(n, max(window/time.Duration(n), 1))
	}
	return b
}

// allow takes a token if there is one; if not, it says how long until
// there is.
func (b *rateBucket) allow() (ok bool, retry time.Duration) {
	if b.n <= 0 {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bucket.Take(b.now())
}

// rateLimited answers 429 with Retry-After once the caller's bucket is
// empty.
func rateLimited(b *rateBucket, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, retry := b.allow(); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(retry.Round(time.Second)/time.Second))))
			writeError(w, http.StatusTooManyRequests, "too many requests for this API token; slow down")
			return
		}
		next.ServeHTTP(w, r)
	})
}
