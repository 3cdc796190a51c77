package bot

import (
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// Platform names used in Question.Platform and Feedback.Platform.
const (
	PlatformCLI     = "cli"
	PlatformDiscord = "discord"
	PlatformSlack   = "slack"
	PlatformAPI     = "api"
)

// Channel kinds used in Question.ChannelKind.
const (
	ChannelDM      = "dm"
	ChannelChannel = "channel"
	ChannelThread  = "thread"
	ChannelAPI     = "api"
)

// Question is what someone asked, with the context the core needs. Adapters
// fill it from platform events; the core never sees platform types.
type Question struct {
	Text string
	// Platform is one of the Platform* constants.
	Platform string
	// UserID is the platform's user id. The core uses it only for rate
	// limiting; recorders must hash it before storing.
	UserID string
	// ChannelKind is one of the Channel* constants.
	ChannelKind string
	// Conversation keys the short-lived follow-up context ("tell me more",
	// "sources?", "what about 2023?"). Empty means no context is kept.
	// Adapters typically use platform + channel + user.
	Conversation string
}

// Outcome says what happened to a question.
type Outcome string

// The outcomes of a question.
const (
	OutcomeAnswered    Outcome = "answered"
	OutcomeDeclined    Outcome = "declined"
	OutcomeRateLimited Outcome = "rate-limited"
	OutcomeError       Outcome = "error"
)

// TopicRef names a topic without its content.
type TopicRef struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category,omitempty"`
}

// Answer is the core's reply to a question. Text is always safe to post: it
// is either the topic's answer or a polite message written by the core.
type Answer struct {
	Question string    `json:"question"`
	Answered bool      `json:"answered"`
	Outcome  Outcome   `json:"outcome"`
	Topic    *TopicRef `json:"topic"`
	// Text is the answer (Markdown: bold, italics, links), or the decline or
	// rate-limit message when Answered is false.
	Text    string `json:"answer"`
	Details string `json:"details"`
	// Sources are the one to three sources that back Text, strongest first,
	// each with its publisher's kind and country.
	Sources []knowledge.Source `json:"sources"`
	// MoreSources are the topic's other sources: they go with the details
	// and the "sources" follow-up, not with the answer.
	MoreSources []knowledge.Source `json:"more_sources"`
	Related     []TopicRef         `json:"related"`
	// Suggestions are "Did you mean" topics for a declined question.
	Suggestions []TopicRef `json:"suggestions"`
	Confidence  float64    `json:"confidence"`
	// Reviewed is when a person last checked the topic against the facts
	// (YYYY-MM-DD).
	Reviewed string `json:"reviewed"`
	// AsOf ("YYYY-MM"), when set, is the month the answer's facts end.
	AsOf string `json:"as_of,omitempty"`
	// Note is a short remark to show with the answer, e.g. that a question in
	// another language was answered in English.
	Note string `json:"note,omitempty"`
}

// addNote adds a remark to the answer's Note, after any it has.
func (a *Answer) addNote(s string) {
	if a.Note != "" {
		a.Note += " "
	}
	a.Note += s
}

// Freshness says how current the answer is, for the line under it: "As of
// January 2026" when its facts end before the month it was reviewed,
// otherwise "Reviewed 2026-12-01"; "" when the answer has no date.
func (a Answer) Freshness() string {
	if asOf, err := time.Parse("2006-01", a.AsOf); err == nil && (len(a.Reviewed) < 7 || a.AsOf < a.Reviewed[:7]) {
		return "As of " + asOf.Format("January 2006")
	}
	if a.Reviewed != "" {
		return "Reviewed " + a.Reviewed
	}
	return ""
}

// Feedback is a 👍 or 👎 on an answer.
type Feedback struct {
	TopicID  string
	Platform string
	// UserID is the platform's user id; recorders must hash it.
	UserID  string
	Helpful bool
}

// About summarises what the bot knows.
type About struct {
	Topics     int            `json:"topics"`
	Categories map[string]int `json:"categories"`
	Meetings   int            `json:"meetings"`
	Sources    int            `json:"sources"`
	// Newest and Oldest are the most and least recent reviewed dates.
	Newest string `json:"newest_review"`
	Oldest string `json:"oldest_review"`
}

// Gap is a cluster of similar declined questions: something people ask
// that the knowledge base does not answer.
type Gap struct {
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
	// Nearest is the closest existing topic, if any, and its best confidence.
	Nearest    *TopicRef `json:"nearest,omitempty"`
	Confidence float64   `json:"confidence"`
}
