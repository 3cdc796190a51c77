// Package logsample limits how often a kind of log line is written: anyone
// can send bad requests by the thousand, and each would cost a line.
package logsample

import (
	"sync"
	"time"

	"github.com/summitbot/summitbot/internal/tokenbucket"
)

// Sampler lets through a burst of log lines and then one per interval,
// counting the lines it holds back. The zero value lets nothing through;
// make one with New. Use one Sampler per kind of line, so that a flood of
// one kind cannot silence another.
type Sampler struct {
	mu         sync.Mutex
	bucket     tokenbucket.Bucket
	suppressed int
}

// New returns a Sampler letting through burst lines at once, then one per
// every.
func New(burst int, every time.Duration) *Sampler {
	return &Sampler{bucket: tokenbucket.New(burst, every)}
}

// Allow reports whether a line may be logged now, and how many were held
// back since the last one allowed.
func (s *Sampler) Allow(now time.Time) (suppressed int, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok, _ := s.bucket.Take(now); !ok {
		s.suppressed++
		return 0, false
	}
	n := s.suppressed
	s.suppressed = 0
	return n, true
}
