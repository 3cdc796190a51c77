// Package cli implements summitbot's command line: ask, chat, kb, serve and
// healthcheck. main only builds an Env and calls Main.
package cli

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Env is everything a command may touch outside itself, so tests can run
// commands in memory.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable; main passes os.Getenv.
	Getenv func(string) string
	// Now is the clock; main passes time.Now.
	Now func() time.Time
	// IsTerminal reports whether Stdout is a terminal (text logs instead of JSON).
	IsTerminal bool
	// StdinIsTerminal reports whether Stdin is a terminal, where a command
	// that reads it must say what it waits for.
	StdinIsTerminal bool
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and found a failure (lint errors, failing tests)
	exitUsage = 2 // unknown command or flag, invalid configuration
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) int
}

// commands is the top level; "kb" has its own table in kbCommands.
func commands() []command {
	return []command{
		{"ask", "answer one question, or one per line from stdin with --json", runAsk},
		{"chat", "interactive session with the same engine", runChat},
		{"kb", "knowledge base tools: lint, test, list, export, eval, gaps, feedback", runKB},
		{"serve", "run the HTTP server and every configured chat adapter", runServe},
		{"healthcheck", "probe a running server's /healthz (for container health checks)", runHealthcheck},
	}
}

// kbCommands are the "summitbot kb" subcommands.
func kbCommands() []command {
	return []command{
		{"lint", "validate the knowledge files; --strict fails on warnings too", runKBLint},
		{"test", "run tests.yaml and print failures and the pass rate", runKBTest},
		{"list", "list topics by category", runKBList},
		{"export", "print every topic as one JSON array (--json)", runKBExport},
		{"eval", "measure ranking and declines against reference rankers (--folds 5 cross-validates)", runKBEval},
		{"gaps", "cluster recorded declined questions, largest first", runKBGaps},
		{"feedback", "topics ranked by share of 👎", runKBFeedback},
	}
}

// Main runs the command named by args[0] and returns the exit code.
func Main(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		usage(env.Stderr, "summitbot", commands())
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(env.Stdout, "summitbot", commands())
		return exitOK
	}
	return dispatch(ctx, env, "summitbot", commands(), args)
}

func runKB(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.Stderr
		if len(args) > 0 {
			w = env.Stdout
		}
		usage(w, "summitbot kb", kbCommands())
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	return dispatch(ctx, env, "summitbot kb", kbCommands(), args)
}

func dispatch(ctx context.Context, env *Env, prog string, cmds []command, args []string) int {
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "%s: unknown command %q\n\n", prog, args[0])
	usage(env.Stderr, prog, cmds)
	return exitUsage
}

func usage(w io.Writer, prog string, cmds []command) {
	fmt.Fprintf(w, "usage: %s <command> [flags] [args]\n\ncommands:\n", prog)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> -h' for a command's flags.\n", prog)
}
