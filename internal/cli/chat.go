package cli

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/summitbot/summitbot/bot"
)

func runChat(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "chat", "")
	kb := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitUsage
	}
	b, ok := newBot(env, *kb)
	if !ok {
		return exitFail
	}
	about := b.About()
	fmt.Fprintf(env.Stdout, "summitbot: %d topics on China–Russia relations, reviewed up to %s.\n", about.Topics, about.Newest)
	fmt.Fprintln(env.Stdout, "Ask a question. Commands: more, sources, topics, quit.")
	in := bufio.NewReader(env.Stdin)
	var last *bot.Answer
	for {
		fmt.Fprint(env.Stdout, "> ")
		line, err := readLine(in)
		if err != nil && line == "" {
			fmt.Fprintln(env.Stdout)
			return exitOK
		}
		if ctx.Err() != nil {
			return exitOK
		}
		switch cmd := strings.ToLower(strings.TrimSpace(line)); cmd {
		case "":
		case "quit", "exit", "q", "bye":
			return exitOK
		case "more":
			switch {
			case last == nil || !last.Answered:
				fmt.Fprintln(env.Stdout, "Ask a question first.")
			case last.Details == "":
				fmt.Fprintln(env.Stdout, "That's all I have on this topic.")
			default:
				fmt.Fprintln(env.Stdout, plain(last.Details))
			}
		case "sources":
			if last == nil || len(last.Sources) == 0 {
				fmt.Fprintln(env.Stdout, "No sources yet: ask a question first.")
			} else {
				// Every source of the last answer: those that back it, then
				// the topic's others.
				all := *last
				all.Sources = append(slices.Clone(last.Sources), last.MoreSources...)
				printSources(env.Stdout, all)
			}
		case "topics":
			printTopics(env, b)
		default:
			a := b.Ask(ctx, bot.Question{Text: line, Platform: bot.PlatformCLI, Conversation: "chat"})
			printAnswer(env.Stdout, a)
			if a.Answered {
				last = &a
			}
		}
		fmt.Fprintln(env.Stdout)
	}
}
