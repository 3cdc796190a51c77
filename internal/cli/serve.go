package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/summitbot/summitbot/internal/config"
	"github.com/summitbot/summitbot/internal/server"
)

// runServe runs the HTTP server and every configured adapter until SIGTERM
// or SIGINT; SIGHUP reloads the knowledge folder. Exit codes: 0 after a
// graceful shutdown, 1 if it cannot start, a connection fails for good or
// records were lost (server.ErrRecordsLost), 2 on invalid configuration.
func runServe(ctx context.Context, env *Env, args []string) int {
	cfg, err := config.Parse(args, env.Getenv, env.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(env.Stderr, "summitbot serve: invalid configuration:\n")
		for line := range strings.SplitSeq(err.Error(), "\n") {
			fmt.Fprintf(env.Stderr, "  %s\n", line)
		}
		return exitUsage
	}
	log := newLogger(env, cfg)

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()

	srv, err := server.New(ctx, cfg, server.Options{Logger: log, Now: env.Now})
	if err != nil {
		log.Error("cannot start", "err", err)
		return exitFail
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("cannot listen", "addr", cfg.Addr, "err", err)
		srv.Close() // Serve would have; it never ran
		return exitFail
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the knowledge base")
				if err := srv.Reload(); errors.Is(err, server.ErrNoFolder) {
					log.Info("nothing to reload", "reason", err)
				}
			}
		}
	}()

	if err := srv.Serve(ctx, ln); err != nil {
		log.Error("stopped", "err", err)
		return exitFail
	}
	return exitOK
}

// newLogger logs JSON, or text when stdout is a terminal, to stderr.
// Durations read as text ("1.5s"), in JSON too, not as nanoseconds.
func newLogger(env *Env, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel, ReplaceAttr: durationText}
	text := cfg.LogFormat == "text" || (cfg.LogFormat == "auto" && env.IsTerminal)
	if text {
		return slog.New(slog.NewTextHandler(env.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(env.Stderr, opts))
}

// durationText renders a time.Duration attribute as its String, as the
// text handler does and the JSON handler does not.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// runHealthcheck probes a running server's /healthz, for container health
// checks (distroless images have no curl). Exit 0 if healthy, 1 if not.
func runHealthcheck(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "healthcheck", "")
	def := env.Getenv("SUMMITBOT_ADDR")
	if def == "" {
		def = config.DefaultAddr
	}
	addr := fs.String("addr", def, "the server's listen `address` (env SUMMITBOT_ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	notKBFlag(fs, "it probes a running server, which has its own --kb")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "summitbot healthcheck: takes no arguments\n")
		return exitUsage
	}
	target, err := probeAddr(*addr)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot healthcheck: --addr/SUMMITBOT_ADDR %q: %v\n", *addr, err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/healthz", nil)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot healthcheck: %v\n", err)
		return exitFail
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot healthcheck: %v\n", err)
		return exitFail
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(env.Stderr, "summitbot healthcheck: /healthz answered %s\n", resp.Status)
		return exitFail
	}
	fmt.Fprintln(env.Stdout, "ok")
	return exitOK
}

// probeAddr turns a listen address into one to connect to: an empty or
// unspecified host means this machine.
func probeAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port), nil
}
