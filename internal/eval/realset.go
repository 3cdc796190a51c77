package eval

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
	realset "github.com/summitbot/summitbot/knowledge/eval"
)

// RealMiss is a real question a ranker got wrong.
type RealMiss struct {
	Line       int      `json:"line"`
	Question   string   `json:"question"`
	Expected   []string `json:"expected"` // empty: must decline
	Chose      string   `json:"chose"`
	Confidence float64  `json:"confidence"`
}

// RealReport is one ranker's score on the real-question set
// (knowledge/eval/real.yaml): questions people wrote on public pages,
// never seen by the people who wrote the topics.
type RealReport struct {
	Ranker string `json:"ranker"`
	// Threshold is the score below which the ranker declines. For the
	// reference rankers it is tuned on this same set for the best balanced
	// accuracy (their best case).
	Threshold float64 `json:"threshold"`
	// InScope counts the in-scope questions scored: at least one expected
	// topic exists in the knowledge base under test.
	InScope  int `json:"in_scope"`
	OffTopic int `json:"off_topic"`
	// Unknown counts in-scope questions left out because none of their
	// expected topics exists here yet (planned topics not merged).
	Unknown int `json:"unknown_topics"`
	// Uncovered counts in-scope questions no topic is meant to answer.
	Uncovered int `json:"uncovered"`
	// Top1 is the share of scored in-scope questions whose chosen topic is
	// one of the expected ones.
	Top1            float64 `json:"top1"`
	MRR             float64 `json:"mrr"`
	OffDeclined     float64 `json:"off_topic_declined"`
	WronglyDeclined float64 `json:"in_scope_wrongly_declined"`
	// Balanced is the mean of Top1 and OffDeclined.
	Balanced float64 `json:"balanced_accuracy"`
	// NeverDeclining is Top1 had the ranker answered every question with
	// its first-ranked topic.
	NeverDeclining float64 `json:"top1_never_declining"`
	// MissCount counts the questions got wrong; Misses lists them (kb eval
	// keeps the list only with --real-misses).
	MissCount int        `json:"miss_count"`
	Misses    []RealMiss `json:"misses,omitempty"`
	// Calibration is for the engine only, whose score is a probability:
	// how often its first topic is right, by confidence. An off-topic
	// question has no right topic, so it counts against every bucket.
	Calibration []Bucket `json:"calibration,omitempty"`
}

type realAsked struct {
	q      realset.Question
	expect []string // the expected ids that exist in the knowledge base
	res    Result
}

// EvaluateReal runs every ranker over the real-question set. A question
// counts right when the ranker's chosen topic is in its expect list, or,
// for an off-topic one, when it declines. Expected ids the knowledge base
// does not hold are dropped; a question left with none is counted as
// Unknown and not scored, so planned topics that are not merged yet never
// break the evaluation.
func EvaluateReal(ctx context.Context, kb *knowledge.KB, qs []realset.Question, rankers ...Ranker) []RealReport {
	var scored []realAsked
	var unknown, uncovered int
	for _, q := range qs {
		a := realAsked{q: q}
		if !q.OffTopic {
			if q.Uncovered() {
				uncovered++
				continue
			}
			for _, id := range q.Expect {
				if _, ok := kb.Topic(id); ok {
					a.expect = append(a.expect, id)
				}
			}
			if len(a.expect) == 0 {
				unknown++
				continue
			}
		}
		scored = append(scored, a)
	}
	var out []RealReport
	for _, r := range rankers {
		results := slices.Clone(scored)
		for i := range results {
			results[i].res = r.Rank(ctx, results[i].q.Question)
		}
		threshold := 0.0
		if len(results) > 0 && !results[0].res.Decides {
			threshold = bestBalancedThreshold(results)
		}
		rep := scoreReal(results, threshold)
		rep.Ranker, rep.Unknown, rep.Uncovered = r.Name(), unknown, uncovered
		if e, ok := r.(Engine); ok {
			rep.Threshold = e.Bot.Threshold()
			rep.Calibration = realCalibration(results)
		}
		out = append(out, rep)
	}
	return out
}

// realCalibration buckets the results by confidence: the first topic is
// right when it is one of the expected ones; an off-topic question has no
// right topic, so a confident answer to one counts as overconfidence.
func realCalibration(results []realAsked) []Bucket {
	return calibrationBy(results, func(a realAsked) float64 { return a.res.Score }, func(a realAsked) bool {
		return !a.q.OffTopic && len(a.res.Ranked) > 0 && slices.Contains(a.expect, a.res.Ranked[0])
	})
}

func realCorrect(a realAsked, threshold float64) bool {
	c := chosen(a.res, threshold)
	if a.q.OffTopic {
		return c == ""
	}
	return c != "" && slices.Contains(a.expect, c)
}

func balanced(results []realAsked, threshold float64) float64 {
	var in, inRight, off, offRight float64
	for _, a := range results {
		ok := realCorrect(a, threshold)
		if a.q.OffTopic {
			off++
			if ok {
				offRight++
			}
		} else {
			in++
			if ok {
				inRight++
			}
		}
	}
	var b float64
	if in > 0 {
		b += inRight / in / 2
	}
	if off > 0 {
		b += offRight / off / 2
	}
	return b
}

// bestBalancedThreshold picks the decline threshold with the best balanced
// accuracy on the set itself: the reference rankers' best case.
func bestBalancedThreshold(results []realAsked) float64 {
	return bestThresholdBy(results, func(a realAsked) float64 { return a.res.Score }, func(t float64) float64 {
		return balanced(results, t)
	})
}

func scoreReal(results []realAsked, threshold float64) RealReport {
	var rep RealReport
	rep.Threshold = threshold
	var top1, rr, offDeclined, wrongDeclined, never float64
	for _, a := range results {
		c := chosen(a.res, threshold)
		if a.q.OffTopic {
			rep.OffTopic++
			if c == "" {
				offDeclined++
			}
		} else {
			rep.InScope++
			if c != "" && slices.Contains(a.expect, c) {
				top1++
			}
			if c == "" {
				wrongDeclined++
			}
			if len(a.res.Ranked) > 0 && slices.Contains(a.expect, a.res.Ranked[0]) {
				never++
			}
			for i, id := range a.res.Ranked {
				if slices.Contains(a.expect, id) {
					rr += 1 / float64(i+1)
					break
				}
			}
		}
		if !realCorrect(a, threshold) {
			name := c
			if name == "" {
				name = knowledge.None
			}
			rep.Misses = append(rep.Misses, RealMiss{Line: a.q.Line, Question: a.q.Question, Expected: a.expect, Chose: name, Confidence: a.res.Score})
		}
	}
	rep.MissCount = len(rep.Misses)
	rep.Top1 = ratio(top1, rep.InScope)
	rep.MRR = ratio(rr, rep.InScope)
	rep.OffDeclined = ratio(offDeclined, rep.OffTopic)
	rep.WronglyDeclined = ratio(wrongDeclined, rep.InScope)
	rep.NeverDeclining = ratio(never, rep.InScope)
	rep.Balanced = ratio((rep.Top1+rep.OffDeclined)/2, 1)
	return rep
}

// RealSet loads the embedded real-question development set and evaluates
// the rankers on it.
func RealSet(ctx context.Context, kb *knowledge.KB, rankers ...Ranker) ([]RealReport, error) {
	return EvaluateSet(ctx, kb, realset.Development(), rankers...)
}

// EvaluateSet loads one embedded real-question set and evaluates the rankers
// on it.
func EvaluateSet(ctx context.Context, kb *knowledge.KB, set realset.Set, rankers ...Ranker) ([]RealReport, error) {
	qs, err := set.Load()
	if err != nil {
		return nil, err
	}
	return EvaluateReal(ctx, kb, qs, rankers...), nil
}

// WriteReal prints the real-set table beside the regression one; misses
// are listed only when asked for, so that tuning on them is a deliberate
// act rather than a habit.
func WriteReal(w io.Writer, reps []RealReport, misses bool) {
	if len(reps) == 0 {
		return
	}
	eng := reps[0]
	fmt.Fprintf(w, "\nReal questions nobody here wrote: %d in-scope and %d off-topic scored (%s)\n", eng.InScope, eng.OffTopic, realset.File)
	writeRealTable(w, reps)
	if !misses {
		fmt.Fprintf(w, "(%d summitbot misses; list them with --real-misses.)\n", eng.MissCount)
		writeRealCalibration(w, eng)
		return
	}
	defer writeRealCalibration(w, eng)
	fmt.Fprintf(w, "\nsummitbot misses on real questions (%d):\n", len(eng.Misses))
	for _, m := range eng.Misses {
		exp := knowledge.None
		if len(m.Expected) > 0 {
			exp = strings.Join(m.Expected, "|")
		}
		fmt.Fprintf(w, "  %s:%d: %q: expected %s, chose %s (confidence %.2f)\n", path.Base(realset.File), m.Line, m.Question, exp, m.Chose, m.Confidence)
	}
}

// WriteRealTest prints the held-out test set's table after the development
// set's. Its misses are never listed: the set only measures.
func WriteRealTest(w io.Writer, reps []RealReport) {
	if len(reps) == 0 {
		return
	}
	eng := reps[0]
	fmt.Fprintf(w, "\nHeld-out test set, measured only, never developed on: %d in-scope and %d off-topic scored (%s)\n", eng.InScope, eng.OffTopic, realset.TestFile)
	fmt.Fprintln(w, "(Real questions from pages the development set does not cite, collected after the engine was built; its")
	fmt.Fprintln(w, "figures were known when one content decision was made, see knowledge/eval/README.md.)")
	writeRealTable(w, reps)
	fmt.Fprintf(w, "(%d summitbot misses; not listed for the held-out set.)\n", eng.MissCount)
	writeRealCalibration(w, eng)
}

// writeRealTable prints the figures every real set shares.
func writeRealTable(w io.Writer, reps []RealReport) {
	eng := reps[0]
	if eng.Unknown > 0 || eng.Uncovered > 0 {
		fmt.Fprintf(w, "  not scored: %d whose topics are not in this knowledge base yet, %d no topic covers\n", eng.Unknown, eng.Uncovered)
	}
	fmt.Fprintln(w)
	header := fmt.Sprintf("%-28s", "")
	for _, r := range reps {
		header += fmt.Sprintf("%12s", r.Ranker)
	}
	fmt.Fprintln(w, header)
	row := func(name string, f func(RealReport) string) {
		line := fmt.Sprintf("%-28s", name)
		for _, r := range reps {
			line += fmt.Sprintf("%12s", f(r))
		}
		fmt.Fprintln(w, line)
	}
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	row("in-scope answered right", func(r RealReport) string { return pct(r.Top1) })
	row("off-topic declined", func(r RealReport) string { return pct(r.OffDeclined) })
	row("balanced accuracy", func(r RealReport) string { return pct(r.Balanced) })
	row("in-scope wrongly declined", func(r RealReport) string { return pct(r.WronglyDeclined) })
	row("right if never declining", func(r RealReport) string { return pct(r.NeverDeclining) })
	row("mean reciprocal rank", func(r RealReport) string { return fmt.Sprintf("%.3f", r.MRR) })
	row("decline threshold", func(r RealReport) string { return fmt.Sprintf("%.3g", r.Threshold) })
	fmt.Fprintln(w, "\n(The reference rankers decline below a threshold tuned on this set for balanced accuracy: their best case.)")
}

// writeRealCalibration prints the engine's calibration on a real set.
func writeRealCalibration(w io.Writer, eng RealReport) {
	WriteCalibration(w, "Calibration (summitbot's confidence against how often its first topic is right; off-topic questions count as wrong):", eng.Calibration)
}
