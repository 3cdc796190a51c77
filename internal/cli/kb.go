package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

func runKBLint(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "kb lint", "")
	strict := fs.Bool("strict", false, "fail on warnings (such as stale topics) too")
	kbDir := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	kb, err := loadKB(env, *kbDir)
	var problems knowledge.Problems
	var ve *knowledge.ValidationError
	switch {
	case errors.As(err, &ve):
		problems = ve.Problems
	case err != nil:
		fmt.Fprintf(env.Stderr, "summitbot: %v\n", err)
		return exitFail
	default:
		problems = kb.Warnings
	}
	for _, p := range problems {
		fmt.Fprintln(env.Stdout, p)
	}
	errs := problems.Errors()
	warns := len(problems) - errs
	if kb != nil {
		fmt.Fprintf(env.Stdout, "%d topics, %d meetings, %d tests: %s, %s\n", len(kb.Topics), len(kb.Timeline.Meetings), len(kb.Tests), plural(errs, "error"), plural(warns, "warning"))
	} else {
		fmt.Fprintf(env.Stdout, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	}
	if errs > 0 || (*strict && warns > 0) {
		return exitFail
	}
	return exitOK
}

func runKBTest(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "kb test", "")
	threshold := fs.Float64("threshold", 100, "least pass rate, in `percent`, for exit status 0; at 100 every question not marked known must pass")
	verbose := fs.Bool("v", false, "print every question, not only failures")
	kbDir := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *threshold < 0 || *threshold > 100 {
		fmt.Fprintln(env.Stderr, "summitbot kb test: --threshold must be between 0 and 100")
		return exitUsage
	}
	b, ok := newBot(env, *kbDir)
	if !ok {
		return exitFail
	}
	tests := b.KB().Tests
	if len(tests) == 0 {
		fmt.Fprintf(env.Stdout, "no tests: add questions to %s\n", knowledge.TestsFile)
		return exitFail
	}
	passed, failed := 0, 0
	var knownMisses, nowPass []knowledge.TestCase
	for _, tc := range tests {
		a := b.Ask(ctx, bot.Question{Text: tc.Question, Platform: bot.PlatformCLI})
		got := knowledge.None
		if a.Answered {
			got = a.Topic.ID
		}
		ok := got == tc.Expect
		status := "ok  "
		switch {
		case ok && tc.Known != "":
			passed++
			nowPass = append(nowPass, tc)
			status = "NOW "
		case ok:
			passed++
		case tc.Known != "":
			knownMisses = append(knownMisses, tc)
			status = "KNOWN"
		default:
			failed++
			status = "FAIL"
		}
		if status == "FAIL" || status == "NOW " || *verbose {
			fmt.Fprintf(env.Stdout, "%s %s:%d: %q: expected %s, got %s (confidence %.2f)\n", status, knowledge.TestsFile, tc.Line, tc.Question, tc.Expect, got, a.Confidence)
		}
	}
	rate := 100 * float64(passed) / float64(len(tests))
	fmt.Fprintf(env.Stdout, "pass rate: %.1f%% (%d of %d questions land where they must)\n", rate, passed, len(tests))
	if len(knownMisses) > 0 {
		misses := "1 miss"
		if len(knownMisses) != 1 {
			misses = fmt.Sprintf("%d misses", len(knownMisses))
		}
		fmt.Fprintf(env.Stdout, "%s marked known in %s, not counted as failures (-v lists them)\n", misses, knowledge.TestsFile)
	}
	if len(nowPass) > 0 {
		fmt.Fprintf(env.Stdout, "%s marked known now pass: drop their known: lines\n", plural(len(nowPass), "question"))
	}
	// Every question not marked known must pass, whatever the threshold: a
	// regression set is there to catch the edit that breaks one.
	if *threshold >= 100 {
		if failed > 0 {
			return exitFail
		}
		return exitOK
	}
	if rate+1e-9 < *threshold {
		return exitFail
	}
	return exitOK
}

func runKBList(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "kb list", "")
	kbDir := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	b, ok := newBot(env, *kbDir)
	if !ok {
		return exitFail
	}
	printTopics(env, b)
	return exitOK
}

func printTopics(env *Env, b *bot.Bot) {
	for _, c := range knowledge.Categories {
		ts := b.Topics(string(c))
		if len(ts) == 0 {
			continue
		}
		fmt.Fprintf(env.Stdout, "%s (%d)\n", c, len(ts))
		width := 0
		for _, t := range ts {
			width = max(width, len(t.ID))
		}
		for _, t := range ts {
			fmt.Fprintf(env.Stdout, "  %-*s  %s\n", width, t.ID, t.Title)
		}
	}
}

func runKBExport(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "kb export", "--json")
	asJSON := fs.Bool("json", false, "write one JSON array of every topic (the only format)")
	kbDir := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !*asJSON || fs.NArg() > 0 {
		fmt.Fprintln(env.Stderr, "summitbot kb export: only --json output is supported")
		fs.Usage()
		return exitUsage
	}
	kb, err := loadKB(env, *kbDir)
	if err != nil {
		reportLoadError(env.Stderr, err)
		return exitFail
	}
	out := make([]knowledge.Topic, len(kb.Topics))
	for i, t := range kb.Topics {
		out[i] = *t
		for _, s := range []*[]string{&out[i].Aliases, &out[i].Questions, &out[i].Keywords, &out[i].Related} {
			if *s == nil {
				*s = []string{}
			}
		}
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(env.Stderr, "summitbot: %v\n", err)
		return exitFail
	}
	return exitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
