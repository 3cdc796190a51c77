// Package slack connects summitbot to Slack. It translates slash commands,
// app mentions, direct messages and button clicks into the core's questions
// and renders answers as Block Kit, over HTTP (signed requests) or Socket
// Mode. The core never sees a Slack type.
package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/logsample"
	"github.com/summitbot/summitbot/internal/panics"
	"github.com/summitbot/summitbot/internal/seen"
)

// Core is what the adapter needs from the bot. *bot.Bot satisfies it.
type Core interface {
	Ask(ctx context.Context, q bot.Question) bot.Answer
	TopicAnswer(id string) (bot.Answer, bool)
	Feedback(ctx context.Context, f bot.Feedback)
}

var _ Core = (*bot.Bot)(nil)

// GapReporter reports the most frequent questions the bot declined, for
// the moderators' gaps command.
type GapReporter interface {
	TopGaps(ctx context.Context, n int) ([]bot.Gap, error)
}

// Config configures an Adapter. Zero values are documented defaults.
type Config struct {
	// SigningSecret verifies HTTP requests from Slack. Required for the
	// HTTP handlers; unused in Socket Mode.
	SigningSecret string
	// BotToken (xoxb-) authenticates Web API calls. Required.
	BotToken string
	// AppToken (xapp-) enables Socket Mode.
	AppToken string
	// APIURL is the Web API base URL; default Slack's. GovSlack and tests
	// point it elsewhere.
	APIURL string
	// Command is the slash command that asks a question; default "/ask".
	Command string
	// GapsCommand is the moderators' slash command; default "/gaps".
	GapsCommand string
	// Moderators are user ids allowed to run GapsCommand.
	Moderators []string
	// ModeratorGroups are user-group ids whose members may run GapsCommand
	// (looked up with usergroups.users.list and cached briefly).
	ModeratorGroups []string
	// Gaps produces the gaps report; nil means "not configured".
	Gaps GapReporter
	// Logger receives ids, outcomes and latencies, never message text;
	// default slog.Default().
	Logger *slog.Logger
	// HTTPClient makes Web API and response_url calls; default a client
	// with a 15 s timeout.
	HTTPClient *http.Client
	// Now returns the current time; default time.Now. For tests.
	Now func() time.Time
	// Workers bounds the replies worked on at once after an ack (each
	// mostly waits on Slack's API); default 128. When all are busy the user
	// is asked to try again.
	Workers int
	// Seen, if set, remembers the signatures of the HTTP slash commands and
	// clicks answered where every replica sees them (a shared database), so
	// a replay is refused wherever it lands. Nil keeps them in this
	// process's memory only.
	Seen SeenStore
	// Admit, if set, is asked for a work slot once an HTTP request's
	// signature is verified, before any work on it; the adapter calls the
	// returned release when the request is answered. When ok is false the
	// request gets 503. Nil admits every verified request.
	Admit func() (release func(), ok bool)
	// OnReject, if set, is told of each HTTP request refused, with one of
	// the reasons bad_signature, stale, replay, too_large, busy (for
	// metrics).
	OnReject func(reason string)
}

// Tuning that the contract does not expose.
const (
	defaultWorkers  = 128
	taskTimeout     = 45 * time.Second
	busyNotices     = 16 // "busy" notices posted at once; past that they are dropped
	busyPostTimeout = 2 * time.Second
	// workerWait is how long a webhook request waits for a free worker
	// before it is told "busy": well inside the 3 s Slack gives an ack.
	// Socket Mode acks one request at a time, so there nothing waits.
	workerWait = time.Second
	// unfinishedTimeout bounds the "couldn't finish" notice a task posts
	// when shutdown cancels it; Shutdown waits that long more for them.
	unfinishedTimeout = 2 * time.Second
	// maxQuestionLen bounds the text sent to the core; one past the core's
	// limit, so an over-long question still gets the core's polite decline.
	maxQuestionLen = bot.MaxQuestion + 1
	webAPIRetries  = 3
	groupCacheTTL  = 2 * time.Minute
	dedupeTTL      = 30 * time.Minute
	dedupeMax      = 10000
)

// Adapter serves Slack for one bot. Create it with New.
type Adapter struct {
	core Core
	cfg  Config
	log  *slog.Logger
	api  *slackgo.Client
	work *pool
	// notices posts "busy" notices after the ack, when work is full.
	notices *pool
	// seen remembers the Events API event ids handled, so that Slack's
	// redeliveries (sent when an ack is late) are answered once.
	seen *seen.Memory
	// replays remembers the signatures of the slash commands and button
	// clicks answered, for as long as a signature is accepted; shared
	// claims them where every replica sees them (Config.Seen).
	replays *seen.Memory
	shared  *seen.Shared
	// rejectLog samples the log lines of rejected requests, busyLog those
	// of requests turned away because every worker is busy.
	rejectLog, busyLog *logsample.Sampler
	mods               *moderators
	socket             atomic.Bool // Socket Mode connected
}

// New returns an Adapter for core. It makes no network calls.
func New(core Core, cfg Config) (*Adapter, error) {
	if core == nil {
		return nil, errors.New("slack: core is nil")
	}
	if strings.TrimSpace(cfg.BotToken) == "" {
		return nil, errors.New("slack: bot token is required")
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return nil, errors.New("slack: app token must be an app-level token (xapp-)")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: a signing secret (HTTP) or an app token (Socket Mode) is required")
	}
	if cfg.Command == "" {
		cfg.Command = "/ask"
	}
	if cfg.GapsCommand == "" {
		cfg.GapsCommand = "/gaps"
	}
	for _, c := range []string{cfg.Command, cfg.GapsCommand} {
		if !strings.HasPrefix(c, "/") || len(c) < 2 || strings.ContainsAny(c, " \t\n") {
			return nil, fmt.Errorf("slack: bad command name %q", c)
		}
	}
	if cfg.Command == cfg.GapsCommand {
		return nil, fmt.Errorf("slack: command and gaps command are both %q", cfg.Command)
	}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("slack: bad API URL %q", cfg.APIURL)
		}
		// slack-go appends the method name directly.
		if !strings.HasSuffix(cfg.APIURL, "/") {
			cfg.APIURL += "/"
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slackgo.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	// OptionRetry wraps the HTTP client, so it must come after
	// OptionHTTPClient; it honours 429 Retry-After.
	opts = append(opts, slackgo.OptionRetry(webAPIRetries))

	log := cfg.Logger.With("platform", bot.PlatformSlack)
	a := &Adapter{
		core:    core,
		cfg:     cfg,
		log:     log,
		api:     slackgo.New(cfg.BotToken, opts...),
		work:    newPool(cmp.Or(cfg.Workers, defaultWorkers), log),
		notices: newPool(busyNotices, log),
		seen:    seen.NewMemory(dedupeMax, dedupeTTL),
		replays: seen.NewMemory(replayMax, replayWindow),
		// The shared record's warnings have a sampler of their own, so
		// that attackers' rejections cannot silence them.
		shared: seen.NewShared(cfg.Seen, replayWindow, log, "request signatures"),

		rejectLog: logsample.New(rejectBurst, rejectEvery),
		busyLog:   logsample.New(rejectBurst, rejectEvery),
	}
	a.mods = newModerators(cfg.Moderators, cfg.ModeratorGroups, groupCacheTTL, cfg.Now, a.groupMembers)
	return a, nil
}

// Connected reports whether the Socket Mode connection is up. It is true
// when Socket Mode is not used, so it can back a readiness check.
func (a *Adapter) Connected() bool {
	if a.cfg.AppToken == "" {
		return true
	}
	return a.socket.Load()
}

// Shutdown stops taking new work and waits for replies already being
// prepared. When ctx ends first, the remaining work is cancelled, each
// cancelled request posts a short "couldn't finish" notice to its asker
// (Shutdown waits up to unfinishedTimeout more for those), and ctx's error
// is returned. New requests are then refused (HTTP 503, or left
// unacked in Socket Mode) so that Slack redelivers them. It does not close
// the Socket Mode connection: cancel RunSocketMode's context for that.
func (a *Adapter) Shutdown(ctx context.Context) error {
	err := a.work.shutdown(ctx)
	if nerr := a.notices.shutdown(ctx); err == nil {
		err = nerr
	}
	return err
}

// pool runs background replies with bounded concurrency. When every
// worker is busy the caller is told so and replies "busy" instead of
// queueing without limit.
type pool struct {
	sem    chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
	// closing is closed with closed set, for callers waiting for a worker;
	// waiting counts them.
	closing chan struct{}
	waiting atomic.Int64
	base    context.Context
	cancel  context.CancelFunc
	log     *slog.Logger
}

func newPool(workers int, log *slog.Logger) *pool {
	ctx, cancel := context.WithCancel(context.Background())
	return &pool{sem: make(chan struct{}, workers), base: ctx, cancel: cancel, log: log, closing: make(chan struct{})}
}

var (
	errBusy     = errors.New("all workers are busy")
	errShutdown = errors.New("shutting down")
)

// try starts fn in the background once a worker is free, waiting at most
// wait for one (not at all when wait is 0). Waiting costs no CPU, so under
// overload the workers stay busy answering while the callers queue for a
// short while, where turning them away at once would have them resend and
// spend the CPU on refusals.
func (p *pool) try(fn func(ctx context.Context), wait time.Duration) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return errShutdown
	}
	select {
	case p.sem <- struct{}{}:
	default:
		if wait <= 0 {
			return errBusy
		}
		p.waiting.Add(1)
		defer p.waiting.Add(-1)
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case p.sem <- struct{}{}:
		case <-t.C:
			return errBusy
		case <-p.closing:
			return errShutdown
		}
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.sem
		return errShutdown
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		defer func() { <-p.sem }()
		defer func() {
			if r := recover(); r != nil {
				p.log.Error("background reply panicked", "panic", panics.Detail(r))
			}
		}()
		ctx, cancel := context.WithTimeout(p.base, taskTimeout)
		defer cancel()
		fn(ctx)
	}()
	return nil
}

func (p *pool) shutdown(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.closing)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		p.cancel()
		return nil
	case <-ctx.Done():
		// Cancel what is still running; each task then tells its asker it
		// could not finish, in a bounded time, which is waited for.
		p.cancel()
		t := time.NewTimer(unfinishedTimeout + time.Second)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
		return fmt.Errorf("slack: shutdown: %w", ctx.Err())
	}
}
