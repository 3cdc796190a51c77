// Package server runs "summitbot serve": one HTTP server for probes,
// metrics, the /v1 API and the platforms' webhooks, every chat adapter whose
// configuration is present, and live reloading of the knowledge folder.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/discord"
	"github.com/summitbot/summitbot/internal/metrics"
	"github.com/summitbot/summitbot/internal/reload"
	"github.com/summitbot/summitbot/internal/slack"
	"github.com/summitbot/summitbot/internal/store"
	"github.com/summitbot/summitbot/knowledge"
)

// Options are what the caller supplies besides the configuration. The zero
// value is a useful default.
type Options struct {
	// Logger receives structured logs; default slog.Default(). Message text
	// and user names are never logged.
	Logger *slog.Logger
	// Now is the clock for the knowledge base's staleness checks; default
	// time.Now.
	Now func() time.Time
	// ReloadDebounce is how long the knowledge folder must be quiet before
	// a change is loaded; default reload.DefaultDebounce.
	ReloadDebounce time.Duration
	// MaxConns caps the connections held open (conns.go); default
	// DefaultMaxConns.
	MaxConns int
	// Drain is how long, at shutdown, open connections keep being served
	// after the listener closes, so that requests already sent on idle
	// keep-alive connections are answered (with Connection: close) rather
	// than reset; default DefaultDrain, at most the shutdown timeout. It
	// ends early once every connection has closed.
	Drain time.Duration
}

// DefaultDrain is Options.Drain's default. A request already written when
// SIGTERM arrives is read within milliseconds; a second covers a busy
// machine.
const DefaultDrain = time.Second

// Server is a configured summitbot service. Build it with New, run it with
// Serve.
type Server struct {
	cfg     config.Config
	opts    Options
	log     *slog.Logger
	bot     *bot.Bot
	metrics *metrics.Metrics
	handler http.Handler
	// client makes the adapters' platform API calls.
	client *http.Client

	discord *discord.Adapter
	slack   *slack.Adapter
	// store and recorder are nil when recording is off.
	store    *store.Store
	recorder *store.Recorder
	// links are the long-lived connections readiness waits for.
	links []*link
	// chores run in the background while serving; they are neither fatal
	// nor waited for by readiness.
	chores []func(ctx context.Context)

	reloadMu     sync.Mutex
	shuttingDown atomic.Bool
	// loading is set while a knowledge load runs (see loadKB); load is
	// knowledge.LoadDir unless a test replaces it.
	loading     atomic.Bool
	load        func(dir string, now time.Time) (*knowledge.KB, error)
	loadTimeout time.Duration
	// conns is the serving listener's connection cap, once Serve runs.
	conns atomic.Pointer[connLimiter]
	// Work slots of the API and of each platform's webhooks.
	apiSlots, slackSlots, discordSlots *slots
}

// link is a long-lived adapter connection (Discord gateway, Slack Socket
// Mode) that Serve runs and /readyz checks.
type link struct {
	name      string
	run       func(ctx context.Context) error
	connected func() bool
	running   atomic.Bool
}

func (l *link) up() bool { return l.running.Load() && l.connected() }

// AdapterDiscordCommands names the Discord command registration of a replica
// without the gateway in logs and the summitbot_adapter_connected metric,
// beside the adapter modes named in config.
const AdapterDiscordCommands = "discord-commands"

// closeTimeout bounds closing the gateway and Socket Mode connections once
// the work in flight is done.
const closeTimeout = 5 * time.Second

// New loads the knowledge base and builds the bot, the metrics and every
// configured adapter. It connects to nothing; Serve does.
func New(ctx context.Context, cfg config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns
	}
	if opts.Drain <= 0 {
		opts.Drain = DefaultDrain
	}
	s := &Server{
		cfg:     cfg,
		opts:    opts,
		log:     opts.Logger,
		metrics: metrics.New(),
		client:  newHTTPClient(),

		loadTimeout: loadTimeout,

		apiSlots:     newSlots("api", apiSlots),
		slackSlots:   newSlots("slack", slackSlots),
		discordSlots: newSlots("discord", discordSlots),
	}
	kb, err := s.loadKB()
	if err != nil {
		s.logLoadError(err)
		return nil, err
	}
	s.metrics.Connections(
		func() int { return s.conns.Load().openConns() },
		func() uint64 { shed, _ := s.conns.Load().shedCounts(); return shed },
		func() uint64 { _, unsent := s.conns.Load().shedCounts(); return unsent })
	s.metrics.Loaded(len(kb.Topics), opts.Now())
	s.log.Info("knowledge base loaded", "source", s.kbSource(), "topics", len(kb.Topics), "warnings", len(kb.Warnings))
	for _, p := range kb.Warnings {
		s.logWarning(p)
	}

	botOpts := bot.Options{
		OnAnswer:   s.metrics.ObserveAnswer,
		RateLimit:  cfg.RateLimit,
		RateWindow: cfg.RateWindow,
	}
	if cfg.DatabaseURL != "" {
		if err := s.openStore(ctx); err != nil {
			return nil, err
		}
		rec := s.recorder
		botOpts.OnAnswer = func(ctx context.Context, q bot.Question, a bot.Answer, took time.Duration) {
			s.metrics.ObserveAnswer(ctx, q, a, took)
			rec.OnAnswer(ctx, q, a, took)
		}
		botOpts.OnFeedback = rec.OnFeedback
	} else {
		s.log.Info("recording off", "reason", "SUMMITBOT_DATABASE_URL (or --database-url) is off")
	}
	s.bot = bot.New(kb, botOpts)
	if err := s.buildAdapters(); err != nil {
		s.Close()
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// newHTTPClient is the adapters' client for platform API calls and Slack
// response_url posts: bounded by a timeout, and keeping enough idle
// connections that a burst of replies does not open a connection each.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Timeout: 15 * time.Second, Transport: t}
}

// openStore opens the database and the recorder that writes declined
// questions and feedback to it off the answer path.
func (s *Server) openStore(ctx context.Context) error {
	st, err := store.Open(ctx, s.cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	s.store = st
	s.recorder = store.NewRecorder(st, store.RecorderOptions{RetentionDays: s.cfg.RetentionDays, Logger: s.log})
	s.metrics.Recorder(s.recorder.Stats)
	s.log.Info("recording on", "database", st.Where(), "retention_days", s.cfg.RetentionDays)
	return nil
}

// Close releases what New opened (the database). Serve calls it when it
// returns; call it yourself only for a Server that was never served.
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	return s.store.Close()
}

func (s *Server) kbSource() string {
	if s.cfg.KBDir == "" {
		return "embedded"
	}
	return s.cfg.KBDir
}

// logWarning logs a knowledge base warning: at debug level, but at warn
// level for a file left out of the knowledge base (Problem.Skipped).
func (s *Server) logWarning(p knowledge.Problem) {
	level := slog.LevelDebug
	if p.Skipped {
		level = slog.LevelWarn
	}
	s.log.Log(context.Background(), level, "knowledge warning", "problem", p.String())
}

// logLoadError logs every validation problem with its file:line:col.
func (s *Server) logLoadError(err error) {
	var ve *knowledge.ValidationError
	if !errors.As(err, &ve) {
		s.log.Error("cannot load knowledge base", "source", s.kbSource(), "err", err)
		return
	}
	for _, p := range ve.Problems {
		if p.Severity == knowledge.Error {
			s.log.Error("invalid knowledge file", "problem", p.String())
		}
	}
	s.log.Error("knowledge base is invalid", "source", s.kbSource(), "errors", ve.Problems.Errors())
}

// loadTimeout bounds one load of the knowledge base. A load reads a few
// hundred small files and takes milliseconds; one that takes this long is
// stuck (a hung network mount) and fails instead of freezing reloads.
const loadTimeout = 10 * time.Second

// ErrLoadTimeout is returned by New and Reload when loading the knowledge
// base took longer than loadTimeout, or an earlier load is still stuck.
var ErrLoadTimeout = errors.New("loading the knowledge base timed out")

// loadKB loads the knowledge base (knowledge.LoadDir unless a test set
// s.load), for at most loadTimeout. A load that times out keeps running
// in the background; until it ends every further load fails at once, so
// stuck loads cannot pile up.
func (s *Server) loadKB() (*knowledge.KB, error) {
	if !s.loading.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("%w: an earlier load is still running", ErrLoadTimeout)
	}
	load := s.load
	if load == nil {
		load = knowledge.LoadDir
	}
	type result struct {
		kb  *knowledge.KB
		err error
	}
	done := make(chan result, 1)
	now := s.opts.Now()
	go func() {
		defer s.loading.Store(false)
		kb, err := load(s.cfg.KBDir, now)
		done <- result{kb, err}
	}()
	t := time.NewTimer(s.loadTimeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.kb, r.err
	case <-t.C:
		return nil, fmt.Errorf("%w after %v (%s)", ErrLoadTimeout, s.loadTimeout, s.kbSource())
	}
}

// ErrRecordsLost is returned by Serve when the recorder lost records while
// serving or at shutdown (its dropped count is above zero), so that the
// process exits non-zero and the loss does not go unnoticed.
var ErrRecordsLost = errors.New("records were lost")

// ErrNoFolder is returned by Reload when the embedded knowledge base is in use.
var ErrNoFolder = errors.New("no knowledge folder to reload: --kb/SUMMITBOT_KB is unset, the built-in knowledge base is in use")

// Reload loads the knowledge folder again. If it is valid, it replaces the
// knowledge base atomically; if not, the last good version stays in use,
// every problem is logged, and the failure is counted. Reloads never run
// concurrently.
func (s *Server) Reload() error {
	if s.cfg.KBDir == "" {
		return ErrNoFolder
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	start := time.Now()
	kb, err := s.loadKB()
	if errors.Is(err, ErrLoadTimeout) {
		s.metrics.ReloadTimedOut()
		s.log.Error("knowledge reload timed out; still serving the last good version", "dir", s.cfg.KBDir, "timeout", s.loadTimeout.String(), "topics", len(s.bot.KB().Topics))
		return err
	}
	if err != nil {
		s.metrics.Reloaded(false)
		s.logLoadError(err)
		s.log.Warn("knowledge reload failed; still serving the last good version", "topics", len(s.bot.KB().Topics))
		return err
	}
	s.bot.Load(kb)
	s.metrics.Reloaded(true)
	s.metrics.Loaded(len(kb.Topics), s.opts.Now())
	s.log.Info("knowledge base reloaded", "topics", len(kb.Topics), "warnings", len(kb.Warnings), "took", time.Since(start).String())
	for _, p := range kb.Warnings {
		s.logWarning(p)
	}
	return nil
}

// buildAdapters creates the configured adapters and logs the ones that are
// off, and why.
func (s *Server) buildAdapters() error {
	d, sl := s.cfg.Discord, s.cfg.Slack
	if d.Enabled() {
		cfg := discord.Config{
			Token:           d.Token,
			AppID:           d.AppID,
			GuildID:         d.GuildID,
			ShardID:         d.ShardID,
			ShardCount:      d.ShardCount,
			ModeratorRoleID: d.ModeratorRoleID,
			Logger:          s.log,
			HTTPClient:      s.client,
			Admit:           s.discordSlots.take,
			OnReject:        func(reason string) { s.metrics.Rejected(bot.PlatformDiscord, reason) },
		}
		if s.store != nil {
			// (a nil *Store would not be a nil interface)
			cfg.Gaps = s.store
			cfg.Seen = s.store
		}
		if d.InteractionsEnabled() {
			cfg.PublicKey = d.PublicKey
		}
		a, err := discord.New(s.bot, cfg)
		if err != nil {
			return fmt.Errorf("discord: %w", err)
		}
		s.discord = a
		if d.InteractionsEnabled() {
			s.metrics.Adapter(config.AdapterDiscordInteractions, always)
		}
		switch {
		case d.GatewayEnabled():
			s.links = append(s.links, &link{name: config.AdapterDiscordGateway, run: a.RunGateway, connected: a.Connected})
		case d.Token != "" && d.AppID != "":
			// HTTP-only replicas still register the slash commands, best
			// effort: a failure must not take Slack and the webhooks down
			// with it, nor keep the replica unready.
			var registered atomic.Bool
			s.metrics.Adapter(AdapterDiscordCommands, registered.Load)
			s.chores = append(s.chores, func(ctx context.Context) {
				err := retry(ctx, registerFirstWait, registerMaxWait, a.RegisterCommands, func(err error, wait time.Duration) {
					s.log.Warn("cannot register the Discord commands; retrying", "adapter", AdapterDiscordCommands, "err", err, "retry_in", wait.String())
				})
				if err == nil {
					registered.Store(true)
				}
			})
		}
	}
	if sl.Enabled() {
		cfg := slack.Config{
			BotToken:        sl.BotToken,
			APIURL:          sl.APIURL,
			Command:         sl.Command,
			GapsCommand:     sl.GapsCommand,
			Moderators:      sl.Moderators,
			ModeratorGroups: sl.ModeratorGroups,
			Logger:          s.log,
			HTTPClient:      s.client,
			Admit:           s.slackSlots.take,
			OnReject:        func(reason string) { s.metrics.Rejected(bot.PlatformSlack, reason) },
		}
		if s.store != nil {
			cfg.Gaps = s.store
			cfg.Seen = s.store
		}
		if sl.HTTPEnabled() {
			cfg.SigningSecret = sl.SigningSecret
		}
		if sl.SocketModeEnabled() {
			cfg.AppToken = sl.AppToken
		}
		a, err := slack.New(s.bot, cfg)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		s.slack = a
		if sl.HTTPEnabled() {
			s.metrics.Adapter(config.AdapterSlackHTTP, always)
		}
		if sl.SocketModeEnabled() {
			s.links = append(s.links, &link{name: config.AdapterSlackSocketMode, run: a.RunSocketMode, connected: a.Connected})
		}
	}
	for _, l := range s.links {
		s.metrics.Adapter(l.name, l.up)
	}
	for _, st := range s.cfg.Adapters() {
		if !st.On {
			s.log.Info("adapter off", "adapter", st.Name, "reason", st.Why)
			continue
		}
		s.log.Info("adapter on", "adapter", st.Name)
	}
	return nil
}

// always is the connection state of a webhook adapter: it has no connection
// to lose.
func always() bool { return true }

// Handler returns the HTTP handler with every route (for tests and
// benchmarks that serve it themselves).
func (s *Server) Handler() http.Handler { return s.handler }

// Bot returns the bot the server answers with.
func (s *Server) Bot() *bot.Bot { return s.bot }

// ready reports whether the server is not shutting down and every
// configured connection is up, and the state of each connection. (The
// knowledge base is always loaded: New fails without one.)
func (s *Server) ready() (bool, map[string]bool) {
	ok := !s.shuttingDown.Load()
	links := make(map[string]bool, len(s.links))
	for _, l := range s.links {
		up := l.up()
		links[l.name] = up
		ok = ok && up
	}
	return ok, links
}

// Serve serves HTTP on ln, runs the adapters' connections, the background
// chores (an HTTP-only replica's Discord command registration) and the
// knowledge folder watcher, and blocks until ctx is done or a connection fails for
// good. Then it stops taking new work, lets work in flight finish (for at
// most the configured shutdown timeout), closes the connections and
// returns. It returns nil after a shutdown asked for through ctx, unless
// records were lost (ErrRecordsLost).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		// Bodies have shorter deadlines of their own (bodies, in http.go).
		ReadTimeout:  10 * time.Second,
		WriteTimeout: 30 * time.Second,
		// Idle keep-alive connections are dropped after 30 s, and sooner
		// when the connection cap needs their place.
		IdleTimeout:    30 * time.Second,
		MaxHeaderBytes: 32 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	lim := newConnLimiter(ln, s.opts.MaxConns)
	hs.ConnState = lim.connState
	hs.ConnContext = lim.connContext
	s.conns.Store(lim)
	ln = lim
	defer s.Close()
	var watcher *reload.Watcher
	if s.cfg.KBDir != "" {
		w, err := reload.New(s.cfg.KBDir, reload.Options{Debounce: s.opts.ReloadDebounce, Logger: s.log})
		if err != nil {
			return err
		}
		watcher = w
	}
	// Connections and the recorder get contexts of their own, so that
	// shutdown can stop them in order; requests in flight are never
	// cancelled by the signal (http.Server.Shutdown lets them finish).
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	// The recorder stops last, so answers given while draining are recorded.
	recCtx, stopRecorder := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRecorder()
	var recDone chan struct{}
	if s.recorder != nil {
		recDone = make(chan struct{})
		go func() {
			defer close(recDone)
			if err := s.recorder.Run(recCtx); err != nil {
				s.log.Error("recorder stopped", "err", err)
			}
		}()
	}

	fatal := make(chan error, len(s.links)+2)
	var wg sync.WaitGroup
	wg.Go(func() {
		err := hs.Serve(ln)
		if s.shuttingDown.Load() && errors.Is(err, net.ErrClosed) {
			return // shutdown closed the listener to drain
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			fatal <- fmt.Errorf("http server: %w", err)
		}
	})
	for _, l := range s.links {
		l.running.Store(true)
		wg.Go(func() {
			defer l.running.Store(false)
			err := l.run(runCtx)
			if runCtx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("stopped unexpectedly")
			}
			fatal <- fmt.Errorf("%s: %w", l.name, err)
		})
	}
	for _, chore := range s.chores {
		wg.Go(func() { chore(runCtx) })
	}
	if watcher != nil {
		wg.Go(func() {
			err := watcher.Run(runCtx, func(context.Context) { _ = s.Reload() })
			if err != nil {
				// Reloads still work through SIGHUP; keep serving.
				s.log.Error("cannot watch the knowledge folder; reload with SIGHUP", "dir", s.cfg.KBDir, "err", err)
			}
		})
	}
	s.log.Info("serving", "addr", ln.Addr().String(), "kb", s.kbSource())

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	case runErr = <-fatal:
		s.log.Error("shutting down after a fatal error", "err", runErr)
	}
	s.shutdown(hs, lim, stopRun, &wg)
	if recDone != nil {
		stopRecorder()
		<-recDone // Run bounds its own final flush
		if lost := s.recorder.Stats().Dropped; lost > 0 {
			s.log.Error("records were lost", "records", lost)
			runErr = errors.Join(runErr, fmt.Errorf("recording: %w: %d declined questions or feedback not stored", ErrRecordsLost, lost))
		}
	}
	s.log.Info("stopped")
	return runErr
}

// shutdown stops taking new work everywhere at once: the listener closes,
// and the gateway and Socket Mode connections stop receiving (the adapters
// finish the events already under way before their Run returns). The
// connections already open are drained first: for up to Options.Drain
// every request still arriving on them is answered with Connection:
// close, so a request a client had already sent on an idle keep-alive
// connection is answered rather than reset (http.Server.Shutdown closes
// idle connections at once). Work in flight gets ShutdownTimeout;
// closing the connections gets closeTimeout more.
func (s *Server) shutdown(hs *http.Server, lim *connLimiter, stopRun context.CancelFunc, wg *sync.WaitGroup) {
	s.shuttingDown.Store(true)
	closeBy := time.Now().Add(s.cfg.ShutdownTimeout + closeTimeout)
	deadline, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	stopRun() // connections and the watcher

	_ = lim.Close() // new clients are refused by the kernel from now on
	lim.drain(deadline, min(s.opts.Drain, s.cfg.ShutdownTimeout))
	// Waits for requests in flight and closes the connections left idle.
	if err := hs.Shutdown(deadline); err != nil {
		s.log.Warn("requests still in flight at the shutdown deadline; closing them", "err", err)
		_ = hs.Close()
	}
	if s.slack != nil {
		// Only now: the Slack adapter refuses new work once shut down, and a
		// slash command still being read above must get its ack. Then wait
		// for the replies it is posting in the background.
		if err := s.slack.Shutdown(deadline); err != nil {
			s.log.Warn("slack replies still in flight at the shutdown deadline", "err", err)
		}
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(closeBy)):
		s.log.Warn("connections did not close in time", "timeout", (s.cfg.ShutdownTimeout + closeTimeout).String())
	}
}

// Waits between attempts to register the Discord commands: doubling from
// the first to the most.
const (
	registerFirstWait = time.Second
	registerMaxWait   = 5 * time.Minute
)

// retry calls fn until it succeeds or ctx ends, waiting first after the
// first failure and twice as long after each next one, up to most. It
// reports each failure and the wait that follows to failed. It returns nil
// once fn has succeeded, or ctx's error.
func retry(ctx context.Context, first, most time.Duration, fn func(context.Context) error, failed func(err error, wait time.Duration)) error {
	wait := first
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failed(err, wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, most)
	}
}
