// Package eval measures how well summitbot ranks and declines, on the
// regression set and by cross-validation, against two small reference
// rankers: sahilm/fuzzy alone over names and questions, and BM25 over all
// topic text. It backs `summitbot kb eval`.
package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// Result is what a ranker makes of one question: topic ids best first, the
// top score, and, for a ranker that decides for itself, what it chose ("" =
// declined).
type Result struct {
	Ranked  []string
	Score   float64
	Chosen  string
	Decides bool
}

// Ranker ranks topics for a question.
type Ranker interface {
	Name() string
	Rank(ctx context.Context, question string) Result
}

// Miss is a question a ranker got wrong.
type Miss struct {
	Line       int     `json:"line"`
	Question   string  `json:"question"`
	Expected   string  `json:"expected"`
	Chose      string  `json:"chose"`
	Confidence float64 `json:"confidence"`
	// Explanation is the engine's own account of the question (the same
	// as `summitbot ask --explain`); nil for the reference rankers.
	Explanation *bot.Explanation `json:"explanation,omitempty"`
}

// Bucket is one range of confidence and how often the first topic was
// right within it: calibrated, the share right falls inside the range.
type Bucket struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	N     int     `json:"questions"`
	Right float64 `json:"share_right"`
}

// calibration buckets the results of a ranker that decides by confidence
// (tenths): the first topic is right when it is the expected one; an
// off-topic question has no right topic.
func calibration(results []asked) []Bucket {
	return calibrationBy(results, func(a asked) float64 { return a.res.Score }, func(a asked) bool {
		return a.tc.Expect != knowledge.None && len(a.res.Ranked) > 0 && a.res.Ranked[0] == a.tc.Expect
	})
}

// calibrationBy buckets results by their confidence in tenths and gives
// the share within each bucket that right reports right.
func calibrationBy[T any](results []T, score func(T) float64, right func(T) bool) []Bucket {
	var n, ok [10]int
	for _, a := range results {
		b := min(9, max(0, int(score(a)*10)))
		n[b]++
		if right(a) {
			ok[b]++
		}
	}
	var out []Bucket
	for i := range n {
		if n[i] > 0 {
			out = append(out, Bucket{Low: float64(i) / 10, High: float64(i+1) / 10, N: n[i], Right: ratio(float64(ok[i]), n[i])})
		}
	}
	return out
}

// WriteCalibration prints buckets under a title; nothing when there are
// none (a ranker whose score is not a probability).
func WriteCalibration(w io.Writer, title string, bs []Bucket) {
	if len(bs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n%-28s%12s%12s\n", title, "confidence", "questions", "right")
	for _, b := range bs {
		fmt.Fprintf(w, "%-28s%12d%11.1f%%\n", fmt.Sprintf("  %.1f–%.1f", b.Low, b.High), b.N, 100*b.Right)
	}
}

// Category is top-1 accuracy within one category of expected topics.
type Category struct {
	Category string  `json:"category"`
	N        int     `json:"questions"`
	Top1     float64 `json:"top1"`
}

// Report is one ranker's score on a set of questions.
type Report struct {
	Ranker string `json:"ranker"`
	// Threshold is the score below which the ranker declines. For the
	// reference rankers it is tuned on the same questions (their best case).
	Threshold       float64    `json:"threshold"`
	InScope         int        `json:"in_scope"`
	OffTopic        int        `json:"off_topic"`
	Top1            float64    `json:"top1"`
	MRR             float64    `json:"mrr"`
	OffDeclined     float64    `json:"off_topic_declined"`
	WronglyDeclined float64    `json:"in_scope_wrongly_declined"`
	Categories      []Category `json:"categories"`
	Misses          []Miss     `json:"misses"`
	// Calibration is for the engine only, whose score is a probability.
	Calibration []Bucket `json:"calibration,omitempty"`
}

type asked struct {
	tc  knowledge.TestCase
	res Result
}

// Evaluate runs every ranker over the test cases.
func Evaluate(ctx context.Context, kb *knowledge.KB, tests []knowledge.TestCase, rankers ...Ranker) []Report {
	var out []Report
	for _, r := range rankers {
		results := make([]asked, len(tests))
		for i, tc := range tests {
			results[i] = asked{tc, r.Rank(ctx, tc.Question)}
		}
		threshold := 0.0
		if len(results) > 0 && !results[0].res.Decides {
			threshold = bestThreshold(results)
		}
		rep := score(kb, results, threshold)
		rep.Ranker = r.Name()
		if e, ok := r.(Engine); ok {
			rep.Threshold = e.Bot.Threshold()
			rep.Calibration = calibration(results)
			for i := range rep.Misses {
				ex := e.Bot.Explain(rep.Misses[i].Question, 3)
				rep.Misses[i].Explanation = &ex
			}
		}
		out = append(out, rep)
	}
	return out
}

func chosen(res Result, threshold float64) string {
	if res.Decides {
		return res.Chosen
	}
	if len(res.Ranked) == 0 || res.Score < threshold {
		return ""
	}
	return res.Ranked[0]
}

func correct(a asked, threshold float64) bool {
	c := chosen(a.res, threshold)
	if a.tc.Expect == knowledge.None {
		return c == ""
	}
	return c == a.tc.Expect
}

// bestThreshold picks the decline threshold that gets the most questions
// right: the reference rankers' best case.
func bestThreshold(results []asked) float64 {
	return bestThresholdBy(results, func(a asked) float64 { return a.res.Score }, func(t float64) float64 {
		n := 0
		for _, a := range results {
			if correct(a, t) {
				n++
			}
		}
		return float64(n)
	})
}

// bestThresholdBy tries 0 and every result's score as the decline threshold,
// lowest first, and returns the first that maximises value.
func bestThresholdBy[T any](results []T, scoreOf func(T) float64, value func(threshold float64) float64) float64 {
	cands := []float64{0}
	for _, a := range results {
		cands = append(cands, scoreOf(a))
	}
	sort.Float64s(cands)
	best, bestV := 0.0, -1.0
	for _, t := range slices.Compact(cands) {
		if v := value(t); v > bestV {
			best, bestV = t, v
		}
	}
	return best
}

func score(kb *knowledge.KB, results []asked, threshold float64) Report {
	rep := Report{Threshold: threshold, Misses: []Miss{}}
	var top1, rr, offDeclined, wrongDeclined float64
	perCat := map[string][2]int{}
	for _, a := range results {
		c := chosen(a.res, threshold)
		if a.tc.Expect == knowledge.None {
			rep.OffTopic++
			if c == "" {
				offDeclined++
			}
		} else {
			rep.InScope++
			cat := "unknown"
			if t, ok := kb.Topic(a.tc.Expect); ok {
				cat = string(t.Category)
			}
			pc := perCat[cat]
			pc[0]++
			if c == a.tc.Expect {
				top1++
				pc[1]++
			}
			perCat[cat] = pc
			if c == "" {
				wrongDeclined++
			}
			if i := slices.Index(a.res.Ranked, a.tc.Expect); i >= 0 {
				rr += 1 / float64(i+1)
			}
		}
		if !correct(a, threshold) {
			name := c
			if name == "" {
				name = knowledge.None
			}
			rep.Misses = append(rep.Misses, Miss{Line: a.tc.Line, Question: a.tc.Question, Expected: a.tc.Expect, Chose: name, Confidence: a.res.Score})
		}
	}
	rep.Top1 = ratio(top1, rep.InScope)
	rep.MRR = ratio(rr, rep.InScope)
	rep.OffDeclined = ratio(offDeclined, rep.OffTopic)
	rep.WronglyDeclined = ratio(wrongDeclined, rep.InScope)
	for _, c := range knowledge.Categories {
		if pc, ok := perCat[string(c)]; ok {
			rep.Categories = append(rep.Categories, Category{Category: string(c), N: pc[0], Top1: ratio(float64(pc[1]), pc[0])})
		}
	}
	return rep
}

func ratio(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(int(x/float64(n)*10000+0.5)) / 10000
}

// Engine ranks with summitbot's own engine and lets it decide.
type Engine struct{ Bot *bot.Bot }

// Name implements Ranker.
func (Engine) Name() string { return "summitbot" }

// Rank implements Ranker.
func (e Engine) Rank(ctx context.Context, q string) Result {
	a := e.Bot.Ask(ctx, bot.Question{Text: q, Platform: bot.PlatformCLI})
	res := Result{Decides: true, Score: a.Confidence}
	for _, r := range e.Bot.Rank(q, 20) {
		res.Ranked = append(res.Ranked, r.ID)
	}
	if a.Answered {
		res.Chosen = a.Topic.ID
		res.Ranked = append([]string{a.Topic.ID}, slices.DeleteFunc(res.Ranked, func(id string) bool { return id == a.Topic.ID })...)
	}
	return res
}
