// Command summitbot answers questions about China–Russia relations from a
// curated, sourced knowledge base: on the command line, on Discord and on
// Slack. Run "summitbot help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/summitbot/summitbot/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful shutdown, restore the
		// default handling so a second Ctrl-C ends the process at once.
		<-ctx.Done()
		stop()
	}()
	env := &cli.Env{
		Stdin:           os.Stdin,
		Stdout:          os.Stdout,
		Stderr:          os.Stderr,
		Getenv:          os.Getenv,
		Now:             time.Now,
		IsTerminal:      isTerminal(os.Stderr),
		StdinIsTerminal: isTerminal(os.Stdin),
	}
	code := cli.Main(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
