package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// maxLine bounds one line of batch input; longer lines are answered as too long.
const maxLine = 64 << 10

func runAsk(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "ask", `"question"  (or questions on stdin, one per line)`)
	asJSON := fs.Bool("json", false, "print one JSON object per answer")
	explain := fs.Bool("explain", false, "say how the question was read: the top five topics, every matched term and how it matched, the parts of the confidence")
	kb := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	b, ok := newBot(env, *kb)
	if !ok {
		return exitFail
	}
	if *explain {
		if fs.NArg() == 0 {
			fmt.Fprintln(env.Stderr, "summitbot ask --explain: give the question as an argument")
			return exitUsage
		}
		ex := b.Explain(strings.Join(fs.Args(), " "), 5)
		if *asJSON {
			return writeJSON(env, ex)
		}
		printExplanation(env.Stdout, ex, "")
		return exitOK
	}
	if fs.NArg() > 0 {
		a := b.Ask(ctx, bot.Question{Text: strings.Join(fs.Args(), " "), Platform: bot.PlatformCLI})
		if *asJSON {
			return writeJSON(env, a)
		}
		printAnswer(env.Stdout, a)
		return exitOK
	}
	if env.StdinIsTerminal {
		fmt.Fprintln(env.Stderr, `summitbot ask: reading questions from standard input, one per line; Ctrl-D ends. To ask one question, give it as an argument: summitbot ask "What is the Power of Siberia pipeline?"`)
	}
	return askBatch(ctx, env, b, *asJSON)
}

// askBatch answers one question per input line, in order. An empty line
// yields an unanswered result so output lines match input lines.
func askBatch(ctx context.Context, env *Env, b *bot.Bot, asJSON bool) int {
	in := bufio.NewReaderSize(env.Stdin, 64<<10)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := readLine(in)
		if line == "" && err != nil {
			if err != io.EOF {
				fmt.Fprintf(env.Stderr, "summitbot: reading questions: %v\n", err)
				return exitFail
			}
			return exitOK
		}
		if ctx.Err() != nil {
			return exitFail
		}
		a := b.Ask(ctx, bot.Question{Text: strings.TrimRight(line, "\r\n"), Platform: bot.PlatformCLI})
		if asJSON {
			if err := enc.Encode(a); err != nil {
				fmt.Fprintf(env.Stderr, "summitbot: %v\n", err)
				return exitFail
			}
		} else {
			printAnswer(out, a)
			fmt.Fprintln(out)
		}
		if err == io.EOF {
			return exitOK
		}
	}
}

// readLine reads one line of any length, keeping at most maxLine+1 bytes of
// it (enough for the engine to see it is too long).
func readLine(r *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if sb.Len() <= maxLine {
			sb.Write(chunk[:min(len(chunk), maxLine+1-sb.Len())])
		}
		if err != nil {
			if sb.Len() > 0 {
				return sb.String(), io.EOF
			}
			return "", err
		}
		if !isPrefix {
			if sb.Len() == 0 {
				return "\n", nil // an empty line is still a line
			}
			return sb.String(), nil
		}
	}
}

func writeJSON(env *Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(env.Stderr, "summitbot: %v\n", err)
		return exitFail
	}
	return exitOK
}

// printAnswer writes an answer for a terminal: title, answer, numbered
// sources, related topics.
func printAnswer(w io.Writer, a bot.Answer) {
	if !a.Answered {
		fmt.Fprintln(w, a.Text)
		if len(a.Suggestions) > 0 {
			names := make([]string, len(a.Suggestions))
			for i, s := range a.Suggestions {
				names[i] = s.Title
			}
			fmt.Fprintf(w, "Did you mean: %s?\n", strings.Join(names, "; "))
		}
		return
	}
	fmt.Fprintf(w, "%s\n\n%s\n", a.Topic.Title, plain(a.Text))
	if a.Note != "" {
		fmt.Fprintf(w, "(%s)\n", a.Note)
	}
	printSources(w, a)
	if len(a.Related) > 0 {
		names := make([]string, len(a.Related))
		for i, r := range a.Related {
			names[i] = r.Title
		}
		fmt.Fprintf(w, "\nRelated: %s\n", strings.Join(names, "; "))
	}
	if f := a.Freshness(); f != "" {
		fmt.Fprintln(w, f)
	}
}

func printSources(w io.Writer, a bot.Answer) {
	if len(a.Sources) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for i, s := range a.Sources {
		fmt.Fprintf(w, "  %d. %s — %s\n     %s\n", i+1, s.Title, sourceLine(s), s.URL)
	}
}

// sourceLine is "Publisher, kind, date": "TASS, Russian state media,
// 2024-05-16"; kind and date where known.
func sourceLine(s knowledge.Source) string {
	if s.Date == "" {
		return s.Byline()
	}
	return s.Byline() + ", " + s.Date
}

// printExplanation writes the engine's account of a question: how each word
// matched, then each candidate with its matched terms and the parts of its
// confidence. Every line starts with indent.
func printExplanation(w io.Writer, ex bot.Explanation, indent string) {
	fmt.Fprintf(w, "%sWords:", indent)
	if len(ex.Terms) == 0 {
		fmt.Fprint(w, " none the index can use")
	}
	fmt.Fprintln(w)
	for _, t := range ex.Terms {
		fmt.Fprintf(w, "%s  %-18s %s\n", indent, t.Word, termLine(t))
	}
	if ex.Direction != "" {
		fmt.Fprintf(w, "%sDirection: %s\n", indent, ex.Direction)
	}
	fmt.Fprintf(w, "%sCandidates (the bot answers when the first one's confidence, or the question's in-scope probability, is %.2f or more):\n", indent, ex.Threshold)
	printCandidates(w, ex.Candidates, indent)
	if ex.Timeline {
		fmt.Fprintf(w, "%sThe summit timeline answers this question; the topics above are what the ranking made of it.\n", indent)
	}
	if ex.Sentence != "" {
		fmt.Fprintf(w, "%sThe whole question is declined; this sentence of it is answered on its own: %q\n", indent, ex.Sentence)
		printCandidates(w, ex.SentenceCandidates, indent)
	}
}

// printCandidates writes each candidate with its matched terms and the
// parts of its confidence.
func printCandidates(w io.Writer, cands []bot.CandidateExplanation, indent string) {
	for i, c := range cands {
		fmt.Fprintf(w, "%s%d. %s (%s): confidence %.3f\n", indent, i+1, c.Topic.Title, c.Topic.ID, c.Confidence)
		for _, m := range c.Matches {
			fmt.Fprintf(w, "%s     %-18s %s in %s, credit %.2f of %.2f\n", indent, m.Word, termLine(m), m.Field, m.Credit, m.Weight)
		}
		for _, d := range c.Direction {
			way := "the question's way"
			if d.Agreement < 0 {
				way = "the other way"
			}
			fmt.Fprintf(w, "%s     direction: %q reads %s, %s (similarity %.2f)\n", indent, d.Phrase, d.Reads, way, d.Similarity)
		}
		if len(c.Signals) == 0 {
			fmt.Fprintf(w, "%s     confidence = the ranking's score (too few questions in this knowledge base to fit a model)\n", indent)
			continue
		}
		fmt.Fprintf(w, "%s     confidence = logistic(%s)\n", indent, logisticParts(c.Bias, c.Signals))
		if c.Order != 0 {
			fmt.Fprintf(w, "%s     ordered by %.3f, the confidence without its one-sided part (the decision's, not the order's)\n", indent, c.Order)
		}
		if s := c.Scope; s != nil {
			fmt.Fprintf(w, "%s     in scope %.3f = logistic(%s)\n", indent, s.InScope, logisticParts(s.Bias, s.Signals))
		}
	}
}

// logisticParts lists a logistic model's bias and non-zero terms.
func logisticParts(bias float64, signals []bot.Signal) string {
	parts := make([]string, 0, len(signals)+1)
	parts = append(parts, fmt.Sprintf("bias %+.2f", bias))
	for _, s := range signals {
		if s.Part != 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f×%.2f=%+.2f", s.Name, s.Value, s.Coef, s.Part))
		}
	}
	return strings.Join(parts, ", ")
}

// termLine says how one word matched: "→ term (how, via)".
func termLine(t bot.TermMatch) string {
	if t.Term == "" {
		return fmt.Sprintf("(%s, weight %.2f)", t.How, t.Weight)
	}
	how := t.How
	if t.Via != "" {
		how += ", " + t.Via
	}
	return fmt.Sprintf("→ %s (%s)", t.Term, how)
}
