package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Issue 13 finding 7: 42,000 bad-signature requests a second wrote 421,000
// warning lines in 10 s.
func TestRejectedRequestsDoNotFloodTheLogs(t *testing.T) {
	e := newTestEnv(t)
	for range 500 {
		r := signed(http.MethodPost, "/slack/commands", "application/x-www-form-urlencoded", []byte("text=x"), time.Now(), "wrong secret")
		if w := serve(e.a.CommandsHandler(), r); w.Code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", w.Code)
		}
	}
	// The test runs in far less than the seconds it would take to earn
	// more lines than a burst and a few.
	if n := strings.Count(e.logs.String(), "rejected request"); n < 1 || n > rejectBurst+10 {
		t.Errorf("%d log lines for 500 rejected requests, want at most %d", n, rejectBurst+10)
	}
}
