// Package knowledge owns summitbot's knowledge base: the topic file format,
// the summit timeline, the regression set, loading through fs.FS, and
// validation that reports every problem with its file, line and column.
//
// A knowledge folder has this layout:
//
//	topics/<id>.md   one topic per file: YAML front matter, then Markdown
//	summits.yaml     the dated timeline of Xi–Putin meetings
//	publishers.yaml  who publishes the sources: kind, country and URL hosts
//	tests.yaml       regression questions and the topic each must land on
//	synonyms.yaml    optional: equivalent and broader terms (see Synonyms)
package knowledge

import (
	"slices"
	"strings"
	"time"
)

// Category groups topics. The set is fixed; see Categories.
type Category string

// The fixed set of categories a topic may belong to.
const (
	History     Category = "history"
	Summits     Category = "summits"
	Energy      Category = "energy"
	Trade       Category = "trade"
	Military    Category = "military"
	Technology  Category = "technology"
	Diplomacy   Category = "diplomacy"
	GlobalOrder Category = "global-order"
	Regions     Category = "regions"
	Challenges  Category = "challenges"
	People      Category = "people"
)

// Categories lists every valid category in display order.
var Categories = []Category{History, Summits, Energy, Trade, Military, Technology, Diplomacy, GlobalOrder, Regions, Challenges, People}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Source is where a fact comes from. Date, when known, is "YYYY", "YYYY-MM"
// or "YYYY-MM-DD"; it is optional because not every source is dated.
type Source struct {
	Title     string `json:"title"`
	Publisher string `json:"publisher"`
	URL       string `json:"url"`
	Date      string `json:"date,omitempty"`
	// Kind and Country come from the publisher's entry in publishers.yaml;
	// empty when the folder has no registry.
	Kind    Kind   `json:"kind"`
	Country string `json:"country"`
}

// Label describes the source's publisher: "Russian state media".
func (s Source) Label() string { return Label(s.Kind, s.Country) }

// Byline names the publisher with its label, as chats show it: "TASS,
// Russian state media"; the publisher alone when it has no kind, and ""
// when it has no publisher (a label alone would name nobody).
func (s Source) Byline() string {
	p := strings.TrimSpace(s.Publisher)
	if p == "" {
		return ""
	}
	if l := s.Label(); l != "" {
		return p + ", " + l
	}
	return p
}

// Figure is a year-specific answer for a topic whose figures change over
// time (trade by year, gas volumes). Sources are one to three URLs from the
// topic's own sources list, strongest first.
type Figure struct {
	Year    int      `json:"year"`
	Answer  string   `json:"answer"`
	Sources []string `json:"sources"`
	// AsOf ("YYYY-MM"), when set, is the month the figure's facts end.
	AsOf string `json:"as_of,omitempty"`
}

// Topic is one question area the bot can answer.
type Topic struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Category  Category `json:"category"`
	Aliases   []string `json:"aliases"`
	Questions []string `json:"questions"`
	Keywords  []string `json:"keywords"`
	Related   []string `json:"related"`
	// Reviewed is the date ("YYYY-MM-DD") the content was last checked.
	Reviewed string   `json:"reviewed"`
	Sources  []Source `json:"sources"`
	// AnswerSources are one to three URLs from Sources, strongest first,
	// that back the answer paragraph.
	AnswerSources []string `json:"answer_sources,omitempty"`
	// AsOf ("YYYY-MM"), when set, is the month the topic's facts end.
	AsOf    string   `json:"as_of,omitempty"`
	Figures []Figure `json:"figures,omitempty"`
	// Answer is the first paragraph of the body: what the bot posts.
	Answer string `json:"answer"`
	// Details is the rest of the body, shown on request.
	Details string `json:"details"`
	// Path is the file the topic was loaded from, relative to the folder root.
	Path string `json:"-"`
}

// ReviewedTime parses Reviewed; the zero time if it does not parse.
func (t *Topic) ReviewedTime() time.Time {
	d, _ := time.Parse(time.DateOnly, t.Reviewed)
	return d
}

// MaxBacking is the most sources shown with an answer.
const MaxBacking = 3

// Backing returns the sources that back the answer paragraph, strongest
// first: those listed in answer_sources, or, for a topic that does not list
// them, up to MaxBacking of its sources, aggregators only if there is
// nothing else.
func (t *Topic) Backing() []Source {
	if len(t.AnswerSources) > 0 {
		return t.byURL(t.AnswerSources)
	}
	return Strongest(t.Sources, MaxBacking)
}

// FigureBacking returns the sources of a figure in the figure's order, at
// most MaxBacking, aggregators only if there is nothing else (lint enforces
// this for topics in the current format; others are trimmed here).
func (t *Topic) FigureBacking(f Figure) []Source {
	if len(f.Sources) == 0 {
		return t.Backing()
	}
	return Strongest(t.byURL(f.Sources), MaxBacking)
}

func (t *Topic) byURL(urls []string) []Source {
	out := make([]Source, 0, len(urls))
	for _, u := range urls {
		if i := slices.IndexFunc(t.Sources, func(s Source) bool { return s.URL == u }); i >= 0 {
			out = append(out, t.Sources[i])
		}
	}
	return out
}

// Strongest keeps up to n sources in the order given, leaving out
// aggregators unless there is nothing else.
func Strongest(srcs []Source, n int) []Source {
	out := slices.DeleteFunc(slices.Clone(srcs), func(s Source) bool { return s.Kind == Aggregator })
	if len(out) == 0 {
		out = slices.Clone(srcs)
	}
	return out[:min(len(out), n)]
}

// Meeting is one dated Xi–Putin meeting in the summit timeline.
type Meeting struct {
	// ID is a short kebab-case handle, e.g. "2024-10-kazan".
	ID string `json:"id"`
	// Date is the first day ("YYYY-MM-DD", or "YYYY-MM" where the day is not sourced).
	Date string `json:"date"`
	// End is the last day, if the meeting spanned several days.
	End   string `json:"end,omitempty"`
	Place string `json:"place"`
	// Kind is one of MeetingKinds.
	Kind     string   `json:"kind"`
	Title    string   `json:"title"`
	Aliases  []string `json:"aliases,omitempty"`
	Outcomes []string `json:"outcomes"`
	Sources  []Source `json:"sources"`
	Line     int      `json:"-"`
}

// MeetingKinds lists the valid Meeting.Kind values.
var MeetingKinds = []string{"state-visit", "official-visit", "visit", "summit-sidelines", "video-call", "phone-call"}

// Year returns the meeting's year, or 0 if Date does not parse.
func (m Meeting) Year() int {
	if len(m.Date) < 4 {
		return 0
	}
	y := 0
	for _, r := range m.Date[:4] {
		if r < '0' || r > '9' {
			return 0
		}
		y = y*10 + int(r-'0')
	}
	return y
}

// MeetingCount is a sourced statement of how many times the leaders had met.
type MeetingCount struct {
	Date   string `json:"date"`
	Count  string `json:"count"` // as stated: "more than 40"
	SaidBy string `json:"said_by"`
	Source Source `json:"source"`
}

// Timeline is the summit timeline from summits.yaml.
type Timeline struct {
	Meetings []Meeting      `json:"meetings"`
	Counts   []MeetingCount `json:"counts"`
}

// TestCase is one regression question from tests.yaml.
type TestCase struct {
	Question string `json:"question"`
	// Expect is a topic id, or None for questions the bot must decline.
	Expect string `json:"expect"`
	// Known, when set, says why the engine is known to miss this question
	// today. kb test reports such a miss but does not fail on it, and says
	// when the question starts to pass, so the mark can go.
	Known string `json:"known,omitempty"`
	Line  int    `json:"line"`
}

// None is the TestCase.Expect value for questions that must be declined.
const None = "none"

// KB is a loaded, validated knowledge base. It is never modified after Load
// returns, so it is safe for concurrent use.
type KB struct {
	Topics   []*Topic // sorted by ID
	Timeline Timeline
	Tests    []TestCase
	// Synonyms is the domain lexicon from synonyms.yaml (empty without it).
	Synonyms Synonyms
	// Warnings are problems that do not stop the knowledge base from loading,
	// such as stale topics.
	Warnings Problems
	// Publishers is the registry from publishers.yaml, sorted by name.
	Publishers []*Publisher
	byID       map[string]*Topic
}

// Topic returns the topic with the given id.
func (kb *KB) Topic(id string) (*Topic, bool) {
	t, ok := kb.byID[id]
	return t, ok
}

// NewKB builds a KB from parts without validating them, for tools that
// derive a knowledge base from a loaded one (evaluation folds, benchmarks).
// Use Load for anything a person wrote.
func NewKB(topics []*Topic, tl Timeline, tests []TestCase) *KB {
	kb := &KB{Topics: topics, Timeline: tl, Tests: tests, byID: make(map[string]*Topic, len(topics))}
	for _, t := range topics {
		kb.byID[t.ID] = t
	}
	return kb
}
