// Package discord is summitbot's Discord adapter. It translates Discord
// interactions (slash commands, autocomplete, button clicks) and messages
// that mention the bot or arrive in a DM into the core's questions, and the
// core's answers into Discord messages. The core never sees a Discord type.
//
// It connects in two ways that share one code path: the gateway
// (RunGateway, a websocket per shard) and the HTTP interactions endpoint
// (InteractionsHandler, requests signed with Ed25519).
package discord

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/panics"
	"github.com/summitbot/summitbot/internal/seen"
)

// Core is what the adapter needs from the bot's core. *bot.Bot satisfies it.
type Core interface {
	Ask(ctx context.Context, q bot.Question) bot.Answer
	TopicAnswer(id string) (bot.Answer, bool)
	Topics(category string) []bot.TopicRef
	Suggest(prefix string, n int) []bot.TopicRef
	About() bot.About
	Feedback(ctx context.Context, f bot.Feedback)
}

var _ Core = (*bot.Bot)(nil)

// GapReporter reports the questions the knowledge base does not answer, for
// the moderators' /gaps command.
type GapReporter interface {
	TopGaps(ctx context.Context, n int) ([]bot.Gap, error)
}

// Config configures an Adapter. Environment variables are read by the
// caller, not here.
type Config struct {
	// Token is the bot token; "Bot " is prepended if missing. Needed by
	// RunGateway only.
	Token string
	// AppID is the application id; needed by RunGateway to register commands.
	AppID string
	// GuildID, if set, registers the commands to that one guild (instant)
	// instead of globally.
	GuildID string
	// ShardID and ShardCount select the one shard this process runs.
	// ShardCount 0 means: use the gateway's recommended count and run all
	// shards in this process.
	ShardID, ShardCount int
	// PublicKey is the application's Ed25519 public key. Nil turns the HTTP
	// interactions endpoint off (it answers 404).
	PublicKey ed25519.PublicKey
	// ModeratorRoleID is the guild role allowed to use /gaps. Empty means
	// nobody may.
	ModeratorRoleID string
	// Gaps backs /gaps. Nil means /gaps is not registered and answers
	// "not configured".
	Gaps GapReporter
	// Logger receives ids, outcomes and latencies, never message text.
	// Nil means slog.Default().
	Logger *slog.Logger
	// HTTPClient, if set, is used for every REST call (tests point it at an
	// httptest server).
	HTTPClient *http.Client
	// Seen, if set, remembers the ids of the HTTP interactions answered,
	// where every replica sees them (a shared database), so a replayed
	// request is refused wherever it lands and after a restart. Nil keeps
	// them in this process's memory.
	Seen SeenStore
	// Admit, if set, is asked for a work slot once an HTTP interaction's
	// signature is verified, before any work on it; the adapter calls the
	// returned release when the interaction is answered. When ok is false
	// the request gets 503. Nil admits every verified request.
	Admit func() (release func(), ok bool)
	// OnReject, if set, is told of each HTTP interaction refused, with one
	// of the reasons bad_signature, stale, replay, too_large, busy (for
	// metrics).
	OnReject func(reason string)
}

// Adapter connects a Core to Discord. Its methods are safe for concurrent use.
type Adapter struct {
	core Core
	cfg  Config
	log  *slog.Logger

	// now is the clock used to check request timestamps.
	now func() time.Time
	// deferAfter is how long a gateway interaction may take before the
	// adapter defers its reply and edits it in later.
	deferAfter time.Duration
	// shardWait is the pause between identifying shard groups.
	shardWait time.Duration
	// httpBudget bounds the handling of one HTTP interaction.
	httpBudget time.Duration

	// seen remembers the interaction ids answered in this process, shared
	// those every replica answered (Config.Seen).
	seen   *seen.Memory
	shared *seen.Shared

	// Gateway replies run in goroutines the adapter starts itself: at most
	// cap(work) replies and cap(notices) "busy" notices at once, each
	// counted in replies before it starts so that drain can wait for them.
	work     chan struct{}
	notices  chan struct{}
	replies  sync.WaitGroup
	workMu   sync.Mutex
	draining bool // set by drain: events still arriving are dropped

	mu      sync.Mutex
	running bool
	shards  []*shard
}

// shard is one gateway connection's state.
type shard struct {
	id        int
	connected atomic.Bool
}

// New returns an Adapter for core. It checks the configuration but does not
// connect to anything.
func New(core Core, cfg Config) (*Adapter, error) {
	if core == nil {
		return nil, errors.New("discord: core is nil")
	}
	if cfg.ShardCount < 0 {
		return nil, fmt.Errorf("discord: shard count %d is negative", cfg.ShardCount)
	}
	if cfg.ShardCount > 0 && (cfg.ShardID < 0 || cfg.ShardID >= cfg.ShardCount) {
		return nil, fmt.Errorf("discord: shard id %d is outside 0..%d", cfg.ShardID, cfg.ShardCount-1)
	}
	if cfg.PublicKey != nil && len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key is %d bytes, want %d", len(cfg.PublicKey), ed25519.PublicKeySize)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("platform", bot.PlatformDiscord)
	return &Adapter{
		core:       core,
		cfg:        cfg,
		log:        log,
		now:        time.Now,
		deferAfter: 1500 * time.Millisecond,
		shardWait:  5 * time.Second,
		httpBudget: httpBudget,
		seen:       seen.NewMemory(seenMax, replayWindow),
		shared:     seen.NewShared(cfg.Seen, replayWindow, log, "interaction ids"),
		work:       make(chan struct{}, gatewayWorkers),
		notices:    make(chan struct{}, busyNotices),
	}, nil
}

// Connected reports whether every gateway shard is connected. It is true when
// the gateway is not in use.
func (a *Adapter) Connected() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.running {
		return true
	}
	if len(a.shards) == 0 {
		return false
	}
	for _, s := range a.shards {
		if !s.connected.Load() {
			return false
		}
	}
	return true
}

// recoverLog, deferred, recovers a panic and logs it with key=id.
func (a *Adapter) recoverLog(key, id string) {
	if p := recover(); p != nil {
		a.logPanic(slog.String(key, id), p)
	}
}

// logPanic logs a recovered panic p with ref (an interaction or message id)
// and the stack, which holds no message text.
func (a *Adapter) logPanic(ref slog.Attr, p any) {
	a.log.Error("discord: handler panic", ref, "panic", panics.Detail(p), "stack", string(debug.Stack()))
}
