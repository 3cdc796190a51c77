package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/summitbot/summitbot/bot"
)

// DefaultWindow is how far back reports look unless told otherwise, as
// WindowStart reads it.
const DefaultWindow = "30d"

// clusterThreshold is the bot.Similarity (Dice coefficient of stemmed
// terms) at or above which a declined question joins a cluster: at 0.5,
// "price of gas in 2023" and "gas price 2024" share a cluster, "gas price"
// and "arms trade" do not.
const clusterThreshold = 0.5

// maxPhrasings bounds how many distinct declined questions (the most
// frequent ones) a gaps report clusters. Clustering compares each phrasing
// with every cluster so far, so the worst case (every question unlike the
// others) grows with the square of this number; each question is stemmed
// once, so a comparison is a merge of two short sorted lists.
const maxPhrasings = 3000

// examplesPerGap is how many phrasings a gap shows.
const examplesPerGap = 3

// Gaps clusters the questions declined since the given time into groups of
// similar questions, largest first, at most limit of them (all if limit <= 0);
// an empty report is an empty slice, not nil.
// Each gap has its count, up to three example phrasings (the most frequent
// first) and the nearest existing topic: the best candidate topic most often
// recorded for the cluster's questions, with its highest confidence.
func (s *Store) Gaps(ctx context.Context, since time.Time, limit int) ([]bot.Gap, error) {
	return s.gaps(ctx, since, limit, maxPhrasings)
}

// gaps is Gaps clustering at most maxQuestions distinct questions: the most
// frequent ones, with all their candidate topics, so that a question's count
// is complete. Ties are broken by byte order, which SQLite, PostgreSQL
// (COLLATE "C", whatever the database's collation) and Go agree on.
func (s *Store) gaps(ctx context.Context, since time.Time, limit, maxQuestions int) ([]bot.Gap, error) {
	ctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	bytewise := s.bytewise()
	rows, err := s.db.QueryContext(ctx, `
		WITH top AS (
			SELECT question
			FROM declined
			WHERE created_at >= $1 AND question <> ''
			GROUP BY question
			ORDER BY COUNT(*) DESC, question `+bytewise+`
			LIMIT $2)
		SELECT d.question, d.topic_id, MAX(d.topic_title), COUNT(*), MAX(d.confidence)
		FROM declined d JOIN top ON top.question = d.question
		WHERE d.created_at >= $1
		GROUP BY d.question, d.topic_id
		ORDER BY d.question `+bytewise+`, d.topic_id `+bytewise,
		since.UnixMilli(), maxQuestions)
	if err != nil {
		return nil, fmt.Errorf("gaps: %w", err)
	}
	defer rows.Close()
	byText := map[string]*phrasing{}
	var phrasings []*phrasing
	for rows.Next() {
		var text, topicID, title string
		var n int
		var conf float64
		if err := rows.Scan(&text, &topicID, &title, &n, &conf); err != nil {
			return nil, fmt.Errorf("gaps: %w", err)
		}
		p := byText[text]
		if p == nil {
			p = &phrasing{text: text}
			byText[text] = p
			phrasings = append(phrasings, p)
		}
		p.count += n
		if topicID != "" {
			p.topics = append(p.topics, topicCount{id: topicID, title: title, count: n, confidence: conf})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("gaps: %w", err)
	}
	gaps := cluster(phrasings)
	if limit > 0 && len(gaps) > limit {
		gaps = gaps[:limit]
	}
	return gaps, nil
}

// bytewise is the collation that orders text by bytes (as Go's
// strings.Compare does) on the store's database.
func (s *Store) bytewise() string {
	if s.dialect == dialectPostgres {
		return `COLLATE "C"`
	}
	return "COLLATE BINARY"
}

// TopGaps returns the n largest gaps of the DefaultWindow; it serves the
// chat adapters' /gaps command.
func (s *Store) TopGaps(ctx context.Context, n int) ([]bot.Gap, error) {
	since, err := WindowStart(DefaultWindow, s.now())
	if err != nil {
		return nil, err
	}
	return s.Gaps(ctx, since, n)
}

// phrasing is one distinct stored question with how often it was declined
// and the candidate topics recorded for it.
type phrasing struct {
	text   string
	count  int
	topics []topicCount
}

type topicCount struct {
	id, title  string
	count      int
	confidence float64
}

// cluster groups phrasings by leader clustering: each phrasing, most
// frequent first, joins the most similar existing cluster (compared with
// the cluster's most frequent phrasing) if it is similar enough, or starts a
// new one. Leaders are stable, so the same data gives the same report.
func cluster(phrasings []*phrasing) []bot.Gap {
	slices.SortStableFunc(phrasings, func(a, b *phrasing) int {
		return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.text, b.text))
	})
	type group struct {
		leader  string
		terms   []string
		members []*phrasing
		count   int
	}
	var groups []*group
	for _, p := range phrasings {
		var best *group
		bestSim := 0.0
		terms := bot.Terms(p.text) // stem each question once, not per comparison
		for _, g := range groups {
			if sim := bot.Dice(terms, g.terms); sim >= clusterThreshold && sim > bestSim {
				best, bestSim = g, sim
			}
		}
		if best == nil {
			best = &group{leader: p.text, terms: terms}
			groups = append(groups, best)
		}
		best.members = append(best.members, p)
		best.count += p.count
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.leader, b.leader))
	})
	gaps := make([]bot.Gap, 0, len(groups))
	for _, g := range groups {
		gap := bot.Gap{Count: g.count, Examples: []string{}}
		for _, m := range g.members[:min(len(g.members), examplesPerGap)] {
			gap.Examples = append(gap.Examples, m.text)
		}
		gap.Nearest, gap.Confidence = nearest(g.members)
		gaps = append(gaps, gap)
	}
	return gaps
}

// nearest is the candidate topic recorded most often for the phrasings,
// with the highest confidence recorded for it.
func nearest(members []*phrasing) (*bot.TopicRef, float64) {
	type agg struct {
		title      string
		count      int
		confidence float64
	}
	byID := map[string]*agg{}
	for _, m := range members {
		for _, t := range m.topics {
			a := byID[t.id]
			if a == nil {
				a = &agg{}
				byID[t.id] = a
			}
			a.count += t.count
			a.confidence = max(a.confidence, t.confidence)
			if a.title == "" {
				a.title = t.title
			}
		}
	}
	bestID := ""
	for id, a := range byID {
		b := byID[bestID]
		if b == nil || a.count > b.count ||
			a.count == b.count && (a.confidence > b.confidence || a.confidence == b.confidence && id < bestID) {
			bestID = id
		}
	}
	if bestID == "" {
		return nil, 0
	}
	a := byID[bestID]
	return &bot.TopicRef{ID: bestID, Title: a.title}, a.confidence
}

// FeedbackRow is one topic's 👍 and 👎 counts in the feedback report.
type FeedbackRow struct {
	TopicID string `json:"topic_id"`
	Up      int    `json:"up"`
	Down    int    `json:"down"`
	// DownShare is Down / (Up + Down).
	DownShare float64 `json:"down_share"`
}

// FeedbackReport returns the topics that got 👍 or 👎 since the given time,
// the most disliked first: by share of 👎, then by number of 👎; at most
// limit of them (all if limit <= 0), and an empty slice, not nil, if none.
// Each user counts once per topic, with their latest click, so repeated
// clicks do not skew the report; clicks without a user id count each.
func (s *Store) FeedbackReport(ctx context.Context, since time.Time, limit int) ([]FeedbackRow, error) {
	ctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, `
		SELECT topic_id,
		       SUM(CASE WHEN helpful = 1 THEN 1 ELSE 0 END),
		       SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END)
		FROM (
			SELECT topic_id, helpful,
			       ROW_NUMBER() OVER (
			           PARTITION BY topic_id, CASE WHEN user_hash = '' THEN id ELSE user_hash END
			           ORDER BY created_at DESC, id DESC) AS nth
			FROM feedback
			WHERE created_at >= $1
		) latest
		WHERE nth = 1
		GROUP BY topic_id`, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("feedback report: %w", err)
	}
	defer rows.Close()
	out := []FeedbackRow{}
	for rows.Next() {
		var r FeedbackRow
		if err := rows.Scan(&r.TopicID, &r.Up, &r.Down); err != nil {
			return nil, fmt.Errorf("feedback report: %w", err)
		}
		if total := r.Up + r.Down; total > 0 {
			r.DownShare = float64(r.Down) / float64(total)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback report: %w", err)
	}
	slices.SortFunc(out, func(a, b FeedbackRow) int {
		return cmp.Or(cmp.Compare(b.DownShare, a.DownShare), cmp.Compare(b.Down, a.Down),
			cmp.Compare(a.Up, b.Up), strings.Compare(a.TopicID, b.TopicID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// maxWindow bounds report windows: ten years is longer than any retention.
const maxWindow = 3650 * 24 * time.Hour

// WindowStart returns the start of the report window that ends at now: the
// window is written as 30d, 12h or 2w (also m for minutes), a positive whole
// number and a unit, at most ten years. The start is in UTC, to the second,
// so that a report says where it starts the same way everywhere.
func WindowStart(window string, now time.Time) (time.Time, error) {
	d, err := parseWindow(window)
	if err != nil {
		return time.Time{}, err
	}
	return now.Add(-d).UTC().Truncate(time.Second), nil
}

// parseWindow parses the window of WindowStart.
func parseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, errors.New("window must be a number and a unit, as in 30d, 12h or 2w")
	}
	units := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	unit, ok := units[s[len(s)-1]]
	if !ok {
		return 0, fmt.Errorf("window %q: unit must be m, h, d or w, as in 30d", s)
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("window %q: want a positive whole number before the unit, as in 30d", s)
	}
	if time.Duration(n) > maxWindow/unit {
		return 0, fmt.Errorf("window %q: at most ten years", s)
	}
	return time.Duration(n) * unit, nil
}
