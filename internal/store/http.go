package store

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/summitbot/summitbot/bot"
)

// GapsResult is the gaps report as served by GET /v1/gaps and printed by
// summitbot kb gaps --json.
type GapsResult struct {
	// Since is the start of the window, Window its length as asked ("30d").
	Since  time.Time `json:"since"`
	Window string    `json:"window"`
	Gaps   []bot.Gap `json:"gaps"`
}

// FeedbackResult is the feedback report as served by GET /v1/feedback and
// printed by summitbot kb feedback --json.
type FeedbackResult struct {
	Since  time.Time     `json:"since"`
	Window string        `json:"window"`
	Topics []FeedbackRow `json:"topics"`
}

// Limits on ?limit=N.
const (
	defaultLimit = 20
	maxLimit     = 1000
)

// GapsHandler serves the gaps report as JSON (a GapsResult) for
// GET ?since=30d&limit=N; since defaults to DefaultWindow, limit to 20 (at
// most 1000). It checks neither the method nor authentication: mount it on
// a "GET /..." pattern, whose mux answers other methods with 405, behind
// the API's bearer-token check. Failures are logged to log (nil: slog's
// default logger), without the request.
func GapsHandler(s *Store, log *slog.Logger) http.Handler {
	return reportHandler(s, log, "gaps", func(ctx context.Context, since time.Time, window string, limit int) (any, error) {
		gaps, err := s.Gaps(ctx, since, limit)
		return GapsResult{Since: since, Window: window, Gaps: gaps}, err
	})
}

// FeedbackHandler serves the feedback report as JSON (a FeedbackResult) for
// GET ?since=30d&limit=N, the most disliked topics first; since defaults to
// DefaultWindow, limit to 20 (at most 1000). Mount it as GapsHandler.
func FeedbackHandler(s *Store, log *slog.Logger) http.Handler {
	return reportHandler(s, log, "feedback", func(ctx context.Context, since time.Time, window string, limit int) (any, error) {
		rows, err := s.FeedbackReport(ctx, since, limit)
		return FeedbackResult{Since: since, Window: window, Topics: rows}, err
	})
}

type reportFunc func(ctx context.Context, since time.Time, window string, limit int) (any, error)

func reportHandler(s *Store, log *slog.Logger, name string, report reportFunc) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		window := q.Get("since")
		if window == "" {
			window = DefaultWindow
		}
		since, err := WindowStart(window, s.now())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "since: " + err.Error()})
			return
		}
		limit := defaultLimit
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxLimit {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be a whole number from 1 to " + strconv.Itoa(maxLimit)})
				return
			}
			limit = n
		}
		body, err := report(r.Context(), since, window, limit)
		if errors.Is(err, context.DeadlineExceeded) {
			// The database did not answer in time (Store.queryTimeout).
			log.ErrorContext(r.Context(), name+" report timed out", "err", err)
			w.Header().Set("Retry-After", "10")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the database did not answer in time; try again later"})
			return
		}
		if err != nil {
			log.ErrorContext(r.Context(), name+" report failed", "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the report is unavailable right now"})
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
