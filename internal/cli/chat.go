package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
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
	fmt.Fprintln(env.Stdout, "Ask a question. Commands: more, sources, topics, quit (or Ctrl-D, Ctrl-C).")
	lines := readLines(ctx, env.Stdin)
	var last *bot.Answer
	var shown []string // the source URLs the session printed last
	for {
		fmt.Fprint(env.Stdout, "> ")
		var line string
		select {
		case <-ctx.Done():
			// Ctrl-C: end at once, without waiting for the line being typed.
			fmt.Fprintln(env.Stdout)
			return exitOK
		case l, ok := <-lines:
			if !ok {
				fmt.Fprintln(env.Stdout)
				return exitOK
			}
			line = l
		}
		switch cmd := chatCommand(line); cmd {
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
			printChatAnswer(env.Stdout, a, &shown)
			if a.Answered {
				last = &a
			}
		}
		fmt.Fprintln(env.Stdout)
	}
}

// chatCommand is a line as a chat command: trimmed, lower-case, without the
// punctuation people type after a word ("sources?", "more!").
func chatCommand(line string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(line)), "?!. ")
}

// printChatAnswer prints an answer, but not a source list the session has
// just printed: a follow-up on the same topic ("tell me more", "what about
// 2023?") would otherwise repeat the whole list each time, and an answer
// whose text is the list ("what are your sources?") would show it twice.
func printChatAnswer(w io.Writer, a bot.Answer, shown *[]string) {
	urls := sourceURLs(a)
	if a.Answered && len(urls) > 0 && slices.Equal(urls, *shown) {
		a.Sources = nil
		printAnswer(w, a)
		if !strings.Contains(a.Text, "Sources for my last answer") {
			fmt.Fprintln(w, "(Sources as above; type 'sources' to list them again.)")
		}
		return
	}
	printAnswer(w, a)
	if a.Answered {
		*shown = urls
	}
}

func sourceURLs(a bot.Answer) []string {
	urls := make([]string, len(a.Sources))
	for i, s := range a.Sources {
		urls[i] = s.URL
	}
	return urls
}

// readLines delivers stdin's lines on a channel, closed at the end of input,
// so the session can stop on Ctrl-C while a read is blocked. The reading
// goroutine ends with the input; when the context ends first it is left
// blocked on a read the process is about to abandon.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		in := bufio.NewReader(r)
		for {
			line, err := readLine(in)
			if err != nil && line == "" {
				return
			}
			select {
			case ch <- line:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}
