package store

import (
	"context"
	"fmt"
	"time"
)

// purgeEvery is how often ClaimInteraction deletes expired ids.
const purgeEvery = time.Minute

// ClaimInteraction records a Discord interaction id (or a Slack request
// signature, prefixed "slack:") as seen at now and
// reports whether it was new, in a table every replica shares, so that a
// replayed signed request is refused by whichever replica it reaches, and
// after a restart. Ids seen more than window ago are deleted, at most once
// a minute per process. It satisfies seen.Store (discord.SeenStore, slack.SeenStore).
func (s *Store) ClaimInteraction(ctx context.Context, id string, now time.Time, window time.Duration) (bool, error) {
	s.purgeMu.Lock()
	purge := now.Sub(s.lastPurge) >= purgeEvery
	if purge {
		s.lastPurge = now
	}
	s.purgeMu.Unlock()
	if purge {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM seen_interactions WHERE seen_at < $1`, now.Add(-window).UnixMilli()); err != nil {
			return false, fmt.Errorf("forget old interaction ids: %w", err)
		}
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO seen_interactions (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
		id, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("record interaction id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record interaction id: %w", err)
	}
	return n == 1, nil
}
