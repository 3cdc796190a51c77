package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// newFlags returns a flag set that reports errors instead of exiting, with
// the usage line a command wants.
func newFlags(env *Env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: summitbot %s [flags] %s\n\nflags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses and turns -h into exit 0 and bad flags into exit 2.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// kbFlag registers --kb with its environment default.
func kbFlag(fs *flag.FlagSet, env *Env) *string {
	return fs.String("kb", env.Getenv("SUMMITBOT_KB"), "load the knowledge base from `DIR` instead of the embedded one (env SUMMITBOT_KB)")
}

// notKBFlag registers --kb on a command that never reads the knowledge base
// (healthcheck, kb gaps, kb feedback), so that a moderator who passes it, as
// with every other command, is told why it does not apply instead of seeing
// "flag provided but not defined".
func notKBFlag(fs *flag.FlagSet, why string) {
	fs.Func("kb", "not used: "+why, func(string) error {
		return fmt.Errorf("this command does not read the knowledge base (%s); drop --kb", why)
	})
}

// loadKB loads the embedded knowledge base, or dir when it is set.
func loadKB(env *Env, dir string) (*knowledge.KB, error) {
	return knowledge.LoadDir(dir, env.Now())
}

// reportLoadError prints a load failure with every problem on its own line.
func reportLoadError(w io.Writer, err error) {
	var ve *knowledge.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Fprintln(w, p)
		}
		fmt.Fprintf(w, "summitbot: the knowledge base has %s; run 'summitbot kb lint' for details\n", plural(ve.Problems.Errors(), "error"))
		return
	}
	fmt.Fprintf(w, "summitbot: %v\n", err)
}

// newBot loads the knowledge base and builds a Bot for local commands,
// which record nothing and are not rate-limited.
func newBot(env *Env, dir string) (*bot.Bot, bool) {
	kb, err := loadKB(env, dir)
	if err != nil {
		reportLoadError(env.Stderr, err)
		return nil, false
	}
	return bot.New(kb, bot.Options{Now: env.Now}), true
}

var (
	mdLink     = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]*)\)`)
	mdEmphasis = regexp.MustCompile(`\*\*|__|\*|(?:^|\s)_|_(?:\s|$)`)
)

// plain renders the knowledge base's Markdown for a terminal: links become
// "text (url)" and emphasis markers go.
func plain(md string) string {
	s := mdLink.ReplaceAllString(md, "$1 ($2)")
	return mdEmphasis.ReplaceAllStringFunc(s, func(m string) string {
		return strings.Trim(m, "*_")
	})
}
