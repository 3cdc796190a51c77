package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/summitbot/summitbot/internal/store"
	"github.com/summitbot/summitbot/internal/store/report"
)

// reportOptions are the flags kb gaps and kb feedback share.
type reportOptions struct {
	databaseURL *string
	since       *string
	limit       *int
	json        *bool
	markdown    *bool
}

func addReportFlags(fs *flag.FlagSet, limit int, limitUsage string) reportOptions {
	return reportOptions{
		// No default from the environment here: -h would print it, and a
		// PostgreSQL URL may hold a password.
		databaseURL: fs.String("database-url", "", "read what serve recorded from `URL`: sqlite:PATH or postgres://... (env SUMMITBOT_DATABASE_URL; default sqlite:summitbot.db)"),
		since:       fs.String("since", store.DefaultWindow, "report the last `WINDOW`: a number and m, h, d or w, as in 12h, 30d, 2w"),
		limit:       fs.Int("limit", limit, limitUsage),
		json:        fs.Bool("json", false, "write JSON with the fields of the HTTP API's response (indented)"),
		markdown:    fs.Bool("markdown", false, "write Markdown, for pasting into an issue"),
	}
}

// reportRun is a parsed report command with its database open.
type reportRun struct {
	store  *store.Store
	since  time.Time
	window string // as given, e.g. "30d"
	format report.Format
	limit  int
}

// reportSetup parses the shared flags and opens the database. On failure it
// prints why and returns nil and the exit code.
func reportSetup(ctx context.Context, env *Env, name string, args []string, limit int, limitUsage string) (*reportRun, int) {
	fs := newFlags(env, name, "")
	o := addReportFlags(fs, limit, limitUsage)
	notKBFlag(fs, "it reports what serve recorded in the database")
	if code, ok := parseFlags(fs, args); !ok {
		return nil, code
	}
	usageErr := func(format string, a ...any) (*reportRun, int) {
		fmt.Fprintf(env.Stderr, "summitbot %s: %s\n", name, fmt.Sprintf(format, a...))
		fs.Usage()
		return nil, exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if *o.json && *o.markdown {
		return usageErr("choose one of --json and --markdown")
	}
	if *o.limit < 0 {
		return usageErr("--limit must be 0 (all) or more")
	}
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	since, err := store.WindowStart(*o.since, now())
	if err != nil {
		return usageErr("--since: %v", err)
	}
	run := &reportRun{since: since, window: *o.since, limit: *o.limit, format: report.Text}
	switch {
	case *o.json:
		run.format = report.JSON
	case *o.markdown:
		run.format = report.Markdown
	}
	url := *o.databaseURL
	if url == "" && env.Getenv != nil {
		url = env.Getenv("SUMMITBOT_DATABASE_URL")
	}
	// A report never creates a database: where serve has recorded nothing
	// yet, it says so.
	run.store, err = store.OpenExisting(ctx, url)
	if errors.Is(err, store.ErrBadURL) {
		return usageErr("--database-url: %v", err)
	}
	if errors.Is(err, store.ErrNoDatabase) {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n(serve creates it on its first start; point --database-url or SUMMITBOT_DATABASE_URL at the database serve uses)\n", name, err)
		return nil, exitFail
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n", name, err)
		return nil, exitFail
	}
	return run, exitOK
}

// runKBGaps prints the declined questions of a window, clustered.
func runKBGaps(ctx context.Context, env *Env, args []string) int {
	const name = "kb gaps"
	run, code := reportSetup(ctx, env, name, args, 20, "show at most `N` clusters, largest first; 0 for all")
	if run == nil {
		return code
	}
	defer run.store.Close()
	gaps, err := run.store.Gaps(ctx, run.since, run.limit)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n", name, err)
		return exitFail
	}
	if err := report.WriteGaps(env.Stdout, run.format, store.GapsResult{Since: run.since, Window: run.window, Gaps: gaps}); err != nil {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n", name, err)
		return exitFail
	}
	return exitOK
}

// runKBFeedback prints topics ranked by share of 👎, with their 👍.
func runKBFeedback(ctx context.Context, env *Env, args []string) int {
	const name = "kb feedback"
	run, code := reportSetup(ctx, env, name, args, 0, "show at most `N` topics, most disliked first; 0 for all")
	if run == nil {
		return code
	}
	defer run.store.Close()
	rows, err := run.store.FeedbackReport(ctx, run.since, run.limit)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n", name, err)
		return exitFail
	}
	if err := report.WriteFeedback(env.Stdout, run.format, store.FeedbackResult{Since: run.since, Window: run.window, Topics: rows}); err != nil {
		fmt.Fprintf(env.Stderr, "summitbot %s: %v\n", name, err)
		return exitFail
	}
	return exitOK
}
