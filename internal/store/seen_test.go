package store

import (
	"context"
	"testing"
	"time"
)

func TestClaimInteraction(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		a := openTest(t, url)
		b := openTest(t, url) // another replica on the same database
		ctx := context.Background()
		t0 := time.Unix(1_800_000_000, 0)
		const window = 6 * time.Minute
		claim := func(s *Store, id string, at time.Time) bool {
			t.Helper()
			ok, err := s.ClaimInteraction(ctx, id, at, window)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim(a, "1", t0) {
			t.Fatal("a new id was reported seen")
		}
		if claim(b, "1", t0.Add(time.Second)) {
			t.Error("another replica did not see the id")
		}
		if !claim(b, "2", t0.Add(time.Second)) {
			t.Error("a second new id was reported seen")
		}
		// Past the window old ids are deleted: the table stays small.
		claim(a, "3", t0.Add(window+2*time.Minute))
		if n := count(t, a, "seen_interactions"); n != 1 {
			t.Errorf("%d ids kept after the window, want 1", n)
		}
	})
}
