package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxConns caps the connections a server holds open. An idle
// keep-alive connection costs about 20 KB (its goroutine and buffers), so
// 2,048 of them stay far below a 256 MiB pod limit however many clients
// connect.
const DefaultMaxConns = 2048

// connLimiter is a listener that holds at most max connections open. When
// it is full, it closes the longest-idle keep-alive connection to make
// room (an idle connection costs its client a reconnect, nothing more); if
// none is idle, Accept waits until one closes or turns idle, and new
// clients wait in the kernel's backlog. A connection still sending its
// headers is bounded by ReadHeaderTimeout, a body by the handlers' read
// deadlines, so none holds its place for long.
type connLimiter struct {
	net.Listener
	max int

	mu      sync.Mutex
	open    int
	idle    map[*limitedConn]uint64 // idle connections, with when (seq) they turned idle
	seq     uint64
	changed chan struct{} // signalled when a connection closes or turns idle
	done    chan struct{} // closed with the listener
	once    sync.Once

	shed atomic.Uint64 // idle connections closed to make room
}

func newConnLimiter(ln net.Listener, max int) *connLimiter {
	return &connLimiter{
		Listener: ln,
		max:      max,
		idle:     map[*limitedConn]uint64{},
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
		victim := l.oldestIdle()
		l.mu.Unlock()
		if victim != nil {
			l.shed.Add(1)
			victim.Close()
			continue
		}
		select {
		case <-l.changed:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	return &limitedConn{Conn: c, l: l}, nil
}

// oldestIdle returns the connection idle the longest, if any. l.mu is held.
func (l *connLimiter) oldestIdle() *limitedConn {
	var victim *limitedConn
	var at uint64
	for c, seq := range l.idle {
		if victim == nil || seq < at {
			victim, at = c, seq
		}
	}
	if victim != nil {
		delete(l.idle, victim)
	}
	return victim
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
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// connState is the http.Server's ConnState hook: it tracks which
// connections are idle.
func (l *connLimiter) connState(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	if state == http.StateIdle {
		l.seq++
		l.idle[lc] = l.seq
	} else {
		delete(l.idle, lc)
	}
	l.mu.Unlock()
	if state == http.StateIdle {
		l.signal()
	}
}

// limitedConn gives its place back when closed, once.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		c.l.release()
	})
	return err
}
