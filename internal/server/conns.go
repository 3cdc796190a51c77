package server

import (
	"container/list"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxConns caps the connections a server holds open. 10,000 idle
// keep-alive connections, of which 8,192 are held, took the server's RSS
// from 48 to 210 MB (about 20 KB a held connection): under a 256 MiB pod
// limit however many clients connect, and an attacker must keep that many
// open to fill it.
const DefaultMaxConns = 8192

// readHeaderTimeout bounds how long a client may take to send a request's
// headers.
const readHeaderTimeout = 5 * time.Second

// shedGrace is how long a connection is left alone before it may be
// closed to make room: a real client sends its request at once, and one
// that just turned idle may be about to send its next.
const shedGrace = time.Second

// connLimiter is a listener that holds at most max connections open. When
// it is full, it closes, to make room, the connection that has gone
// longest without a complete request: an idle keep-alive connection, a new
// one still sending its headers, or one still sending its body (each costs
// a real client a reconnect at most, and it would not have sent its
// request slowly). Connections at work, whose request has fully arrived,
// are never closed. If every connection is at work or younger than
// shedGrace, Accept waits, and new clients wait in the kernel's backlog.
type connLimiter struct {
	net.Listener
	max int
	now func() time.Time

	mu      sync.Mutex
	open    int
	waiting *list.List    // of *limitedConn without a complete request, oldest first
	changed chan struct{} // signalled when a connection closes or turns idle
	done    chan struct{} // closed with the listener
	once    sync.Once

	shed       atomic.Uint64 // idle connections closed to make room
	shedUnsent atomic.Uint64 // connections closed to make room while sending a request
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{
		Listener: ln,
		max:      max,
		now:      time.Now,
		waiting:  list.New(),
		changed:  make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

func (l *connLimiter) signal() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// Accept waits for room, then accepts the next connection.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.open < l.max {
			l.open++
			l.mu.Unlock()
			break
		}
		victim, idle, wait := l.victim()
		l.mu.Unlock()
		if victim != nil {
			if idle {
				l.shed.Add(1)
			} else {
				l.shedUnsent.Add(1)
			}
			victim.Close()
			continue
		}
		if !l.wait(wait) {
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	lc := &limitedConn{Conn: c, l: l}
	l.mu.Lock()
	l.setWaiting(lc, false)
	l.mu.Unlock()
	return lc, nil
}

// wait waits until a connection closes or turns idle, or for d if d > 0
// (when the oldest waiting connection may be closed); false when the
// listener is closed.
func (l *connLimiter) wait(d time.Duration) bool {
	var retry <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		retry = t.C
	}
	select {
	case <-l.changed:
	case <-retry:
	case <-l.done:
		return false
	}
	return true
}

// victim takes out of the waiting list, and returns, the connection that
// has waited longest for a complete request, if it has waited shedGrace;
// if not, it says how long until it has. idle says whether it was idle.
// l.mu is held.
func (l *connLimiter) victim() (c *limitedConn, idle bool, wait time.Duration) {
	e := l.waiting.Front()
	if e == nil {
		return nil, false, 0
	}
	c = e.Value.(*limitedConn)
	if wait := c.since.Add(shedGrace).Sub(l.now()); wait > 0 {
		return nil, false, wait
	}
	l.waiting.Remove(e)
	c.elem = nil
	return c, c.idle, 0
}

// setWaiting (re)starts c's wait for a complete request, at the back of
// the list. l.mu is held.
func (l *connLimiter) setWaiting(c *limitedConn, idle bool) {
	if c.closed {
		return // closed to make room while its server goroutine went on
	}
	if c.elem != nil {
		l.waiting.Remove(c.elem)
	}
	c.since, c.idle = l.now(), idle
	c.elem = l.waiting.PushBack(c)
}

// setBusy takes c out of the waiting list: its request has arrived. l.mu
// is held.
func (l *connLimiter) setBusy(c *limitedConn) {
	if c.elem != nil {
		l.waiting.Remove(c.elem)
		c.elem = nil
	}
}

func (l *connLimiter) release() {
	l.mu.Lock()
	l.open--
	l.mu.Unlock()
	l.signal()
}

// Close closes the listener; closing it again does nothing.
func (l *connLimiter) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
	})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// drain waits until every connection has closed, for at most d (or until
// ctx ends).
func (l *connLimiter) drain(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for l.openConns() > 0 {
		select {
		case <-l.changed:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// openConns is how many connections are open now.
func (l *connLimiter) openConns() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// shedCounts returns how many connections were shed idle or half sent,
// and how many with nothing sent; zeros for a nil limiter (before Serve).
func (l *connLimiter) shedCounts() (shed, unsent uint64) {
	if l == nil {
		return 0, 0
	}
	return l.shed.Load(), l.shedUnsent.Load()
}

// connState is the http.Server's ConnState hook: a connection turning
// idle starts waiting for its next request; one whose request headers
// have arrived is at work (arriving puts it back while its body is still
// to come).
func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	switch state {
	case http.StateIdle:
		l.setWaiting(lc, true)
	case http.StateActive, http.StateHijacked, http.StateClosed:
		l.setBusy(lc)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		l.signal()
	}
}

// connKey is the context key under which connContext keeps a request's
// connection.
type connKey struct{}

// connContext is the http.Server's ConnContext hook: it lets arriving
// find the request's connection.
func (l *connLimiter) connContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*limitedConn); ok {
		return context.WithValue(ctx, connKey{}, lc)
	}
	return ctx
}

// arriving counts a request whose body is still to come as not yet
// complete, so that its connection may be closed to make room, until the
// body has been read to its end. A request without a body is complete
// once its headers are.
func arriving(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lc, ok := r.Context().Value(connKey{}).(*limitedConn)
		if !ok || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		l := lc.l
		l.mu.Lock()
		l.setWaiting(lc, false)
		l.mu.Unlock()
		r.Body = &atEOF{ReadCloser: r.Body, done: func() {
			l.mu.Lock()
			l.setBusy(lc)
			l.mu.Unlock()
		}}
		next.ServeHTTP(w, r)
	})
}

// atEOF calls done, once, when its body has been read to its end.
type atEOF struct {
	io.ReadCloser
	done func()
	once sync.Once
}

func (b *atEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.once.Do(b.done)
	}
	return n, err
}

// limitedConn gives its place back when closed, once. Its fields but
// Conn are guarded by l.mu.
type limitedConn struct {
	net.Conn
	l      *connLimiter
	elem   *list.Element // in l.waiting, or nil
	since  time.Time     // when it started waiting
	idle   bool          // waiting as an idle keep-alive connection
	closed bool
	once   sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.setBusy(c)
		c.closed = true
		c.l.mu.Unlock()
		c.l.release()
	})
	return err
}
