package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/eval"
	realset "github.com/summitbot/summitbot/knowledge/eval"
)

func runKBEval(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "kb eval", "")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	folds := fs.Int("folds", 0, "also cross-validate over topics' own questions split into `k` folds (e.g. 5)")
	threshold := fs.Float64("threshold", bot.Threshold, "the engine's decline `threshold`, to see the trade-off")
	realMisses := fs.Bool("real-misses", false, "also list the engine's misses on the real-question development set (knowledge/eval/real.yaml; the held-out test set's are never listed)")
	kbDir := kbFlag(fs, env)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 || *folds == 1 || *folds < 0 || *folds > 50 {
		fmt.Fprintln(env.Stderr, "summitbot kb eval: --folds must be 0 (off) or between 2 and 50")
		return exitUsage
	}
	kb, err := loadKB(env, *kbDir)
	if err != nil {
		reportLoadError(env.Stderr, err)
		return exitFail
	}
	if len(kb.Tests) == 0 {
		fmt.Fprintln(env.Stderr, "summitbot kb eval: tests.yaml has no questions")
		return exitFail
	}
	// One engine and one of each reference ranker serve the three sets:
	// none keeps anything from a question to the next (no conversation, no
	// user to rate-limit), and each is an index of the whole knowledge base.
	rankers := []eval.Ranker{eval.Engine{Bot: bot.New(kb, bot.Options{Threshold: *threshold})}, eval.NewFuzzy(kb), eval.NewBM25(kb)}
	reports := eval.Evaluate(ctx, kb, kb.Tests, rankers...)
	var cv []eval.Fold
	if *folds > 0 {
		thresholds := map[string]float64{}
		for _, r := range reports {
			thresholds[r.Ranker] = r.Threshold
		}
		cv = eval.CrossValidate(ctx, kb, *folds, thresholds, *threshold)
	}
	real, err := eval.RealSet(ctx, kb, rankers...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot kb eval: real-question set: %v\n", err)
		return exitFail
	}
	test, err := eval.EvaluateSet(ctx, kb, realset.Test(), rankers...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "summitbot kb eval: held-out real-question set: %v\n", err)
		return exitFail
	}
	for i := range real {
		if !*realMisses {
			real[i].Misses = nil
		}
	}
	for i := range test {
		test[i].Misses = nil // the held-out set only measures
	}
	if *asJSON {
		return writeJSON(env, struct {
			Regression      []eval.Report     `json:"regression"`
			Folds           int               `json:"folds,omitempty"`
			CrossValidation []eval.Fold       `json:"cross_validation,omitempty"`
			Real            []eval.RealReport `json:"real"`
			RealTest        []eval.RealReport `json:"real_test"`
		}{reports, *folds, cv, real, test})
	}
	printEval(env.Stdout, reports, *folds, cv)
	eval.WriteReal(env.Stdout, real, *realMisses)
	eval.WriteRealTest(env.Stdout, test)
	return exitOK
}

func printEval(w io.Writer, reports []eval.Report, folds int, cv []eval.Fold) {
	eng := reports[0]
	fmt.Fprintf(w, "Regression set: %d in-scope and %d off-topic questions (knowledge/data/tests.yaml)\n\n", eng.InScope, eng.OffTopic)
	header := fmt.Sprintf("%-28s", "")
	for _, r := range reports {
		header += fmt.Sprintf("%12s", r.Ranker)
	}
	fmt.Fprintln(w, header)
	row := func(name string, f func(eval.Report) string) {
		line := fmt.Sprintf("%-28s", name)
		for _, r := range reports {
			line += fmt.Sprintf("%12s", f(r))
		}
		fmt.Fprintln(w, line)
	}
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	row("in-scope top-1 accuracy", func(r eval.Report) string { return pct(r.Top1) })
	row("mean reciprocal rank", func(r eval.Report) string { return fmt.Sprintf("%.3f", r.MRR) })
	row("off-topic declined", func(r eval.Report) string { return pct(r.OffDeclined) })
	row("in-scope wrongly declined", func(r eval.Report) string { return pct(r.WronglyDeclined) })
	row("decline threshold", func(r eval.Report) string { return fmt.Sprintf("%.3g", r.Threshold) })
	row("misses", func(r eval.Report) string { return fmt.Sprint(len(r.Misses)) })
	fmt.Fprintln(w, "\nTop-1 accuracy by category:")
	for i, c := range eng.Categories {
		line := fmt.Sprintf("  %-26s", fmt.Sprintf("%s (%d)", c.Category, c.N))
		for _, r := range reports {
			line += fmt.Sprintf("%12s", pct(r.Categories[i].Top1))
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "\n(The reference rankers decline below a threshold tuned on this same set: their best case.)")
	eval.WriteCalibration(w, "Calibration on the regression set (summitbot's confidence against how often its first topic is right):", eng.Calibration)
	if folds > 0 && len(cv) > 0 {
		fmt.Fprintf(w, "\nCross-validated, %d folds over the topics' own alternate questions (%d questions; each fold asked while only the others are indexed):\n", folds, cv[0].Questions)
		fmt.Fprintf(w, "%-28s%12s%12s%12s\n", "", "top-1", "MRR", "declined")
		for _, f := range cv {
			fmt.Fprintf(w, "%-28s%12s%12s%12s\n", f.Ranker, pct(f.Top1), fmt.Sprintf("%.3f", f.MRR), pct(f.WronglyDeclined))
		}
		eval.WriteCalibration(w, "Calibration on the held-out questions:", cv[0].Calibration)
	}
	fmt.Fprintf(w, "\nsummitbot misses (%d):\n", len(eng.Misses))
	for _, m := range eng.Misses {
		fmt.Fprintf(w, "  tests.yaml:%d: %q: expected %s, chose %s (confidence %.2f)\n", m.Line, m.Question, m.Expected, m.Chose, m.Confidence)
		if m.Explanation != nil {
			printExplanation(w, *m.Explanation, "      ")
		}
	}
}
