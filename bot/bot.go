// Package bot is summitbot's core: it normalises questions, ranks topics,
// decides whether to answer or decline, keeps short follow-up context, and
// builds answers with their sources. It knows no chat platform.
package bot

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// Options configure a Bot. The zero value is a useful default.
type Options struct {
	// OnAnswer, if set, is called after every question with the answer and
	// how long it took. It runs on the answer path, so it must be quick
	// (count a metric, enqueue a record).
	OnAnswer func(ctx context.Context, q Question, a Answer, took time.Duration)
	// OnFeedback, if set, is called for every Feedback.
	OnFeedback func(ctx context.Context, f Feedback)
	// RateLimit is how many questions one user may ask per RateWindow on one
	// platform. Zero means no limit. Questions without a UserID are not limited.
	RateLimit  int
	RateWindow time.Duration
	// ConversationTTL is how long follow-up context lives; default 10 minutes.
	ConversationTTL time.Duration
	// MaxConversations bounds follow-up memory; default 10,000.
	MaxConversations int
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// Threshold is the probability the bot answers at: it declines when
	// neither the best topic's confidence nor the question's in-scope
	// probability reaches it (see bot.Threshold); zero means the default.
	Threshold float64
}

// Bot answers questions from a knowledge base. It is safe for concurrent use,
// and Load swaps the knowledge base atomically: a question sees either the old
// or the new one, never a mix.
type Bot struct {
	opts  Options
	idx   atomic.Pointer[index]
	convs *conversations
	rate  *rateLimiter
}

// New returns a Bot that answers from kb.
func New(kb *knowledge.KB, opts Options) *Bot {
	b := newBot(opts)
	b.Load(kb)
	return b
}

// newBot is a Bot with its options' defaults filled in and no index yet.
func newBot(opts Options) *Bot {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ConversationTTL <= 0 {
		opts.ConversationTTL = 10 * time.Minute
	}
	if opts.Threshold <= 0 {
		opts.Threshold = Threshold
	}
	if opts.MaxConversations <= 0 {
		opts.MaxConversations = 10000
	}
	b := &Bot{opts: opts}
	b.convs = newConversations(opts.MaxConversations, opts.ConversationTTL, opts.Now)
	if opts.RateLimit > 0 && opts.RateWindow > 0 {
		b.rate = newRateLimiter(opts.RateLimit, opts.RateWindow, opts.Now)
	}
	return b
}

// Load replaces the knowledge base. The new index is built before the swap.
func (b *Bot) Load(kb *knowledge.KB) {
	b.idx.Store(buildIndex(kb))
}

// KB returns the knowledge base currently in use.
func (b *Bot) KB() *knowledge.KB { return b.idx.Load().kb }

// Ask answers a question. It never panics and never returns an internal error
// text: a failure becomes a polite message with OutcomeError.
func (b *Bot) Ask(ctx context.Context, q Question) (a Answer) {
	start := b.opts.Now()
	defer func() {
		if r := recover(); r != nil {
			a = errorAnswer(q.Text)
		}
		if b.opts.OnAnswer != nil {
			b.opts.OnAnswer(ctx, q, a, time.Since(start))
		}
	}()
	if b.rate != nil && q.UserID != "" && !b.rate.allow(q.Platform+"\x00"+q.UserID) {
		return rateLimitedAnswer(q.Text)
	}
	return b.ask(ctx, b.idx.Load(), q)
}

// Feedback passes a 👍 or 👎 to the configured recorder.
func (b *Bot) Feedback(ctx context.Context, f Feedback) {
	if b.opts.OnFeedback != nil {
		b.opts.OnFeedback(ctx, f)
	}
}

// TopicAnswer returns the answer for one topic by id, as if it had been asked
// about directly (used for related-topic buttons and /topic).
func (b *Bot) TopicAnswer(id string) (Answer, bool) {
	idx := b.idx.Load()
	t, ok := idx.kb.Topic(id)
	if !ok {
		return Answer{}, false
	}
	return idx.topicAnswer(t, "", 1), true
}

// Topics lists topics in a category (all topics if category is empty),
// sorted by title.
func (b *Bot) Topics(category string) []TopicRef {
	return b.idx.Load().topicList(category)
}

// Suggest returns up to n topics whose title, aliases or questions match the
// partial text, best first, for autocomplete. An empty prefix returns the
// first n topics by title.
func (b *Bot) Suggest(prefix string, n int) []TopicRef {
	return b.idx.Load().suggestTopics(prefix, n)
}

// About summarises the knowledge base in use.
func (b *Bot) About() About { return b.idx.Load().about }

// Ranked is a topic with the engine's confidence in it.
type Ranked struct {
	TopicRef
	Confidence float64
}

// Rank returns up to n topics for a question, best first, before any
// decision to answer or decline. It is for evaluation and tools; chat
// adapters use Ask.
func (b *Bot) Rank(question string, n int) []Ranked {
	idx := b.idx.Load()
	ws := words(question)
	qs := idx.resolve(ws)
	if len(qs) == 0 || n <= 0 {
		return nil
	}
	var out []Ranked
	for _, c := range idx.rank(ws, qs) {
		if len(out) == n {
			break
		}
		out = append(out, Ranked{TopicRef: idx.topics[c.topic].ref, Confidence: round3(c.confidence)})
	}
	return out
}

// Threshold returns the probability this Bot answers at (Options.Threshold).
func (b *Bot) Threshold() float64 { return b.opts.Threshold }
