// Package tokenbucket is the token bucket behind the server's per-token
// rate limit and logsample's sampled log lines.
package tokenbucket

import "time"

// Bucket holds up to burst tokens and earns one back every interval; it
// starts full. The zero value holds nothing and earns nothing. A Bucket is
// not safe for concurrent use: its owner holds a lock around Take.
type Bucket struct {
	burst  float64
	every  time.Duration
	tokens float64
	last   time.Time
}

// New returns a full Bucket of burst tokens that earns one back every
// interval.
func New(burst int, every time.Duration) Bucket {
	return Bucket{burst: float64(burst), every: every, tokens: float64(burst)}
}

// Take takes a token at now if there is one; if not, wait is how long until
// there is (0 when none will ever come).
func (b *Bucket) Take(now time.Time) (ok bool, wait time.Duration) {
	if b.every > 0 && !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+float64(now.Sub(b.last))/float64(b.every))
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	if b.every <= 0 || b.burst < 1 {
		return false, 0
	}
	return false, time.Duration((1 - b.tokens) * float64(b.every))
}
