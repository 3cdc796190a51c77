package eval

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
	realset "github.com/summitbot/summitbot/knowledge/eval"
)

func TestEvaluateRealArithmetic(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{{ID: "a"}, {ID: "b"}}, knowledge.Timeline{}, nil)
	qs := []realset.Question{
		{Question: "q1", Expect: []string{"b", "a"}, Line: 1},         // right: a is one of the expected
		{Question: "q2", Expect: []string{"b"}, Line: 2},              // wrong topic; b at rank 2
		{Question: "q3", Expect: []string{"a", "planned-x"}, Line: 3}, // wrongly declined; planned id dropped
		{Question: "q4", Expect: []string{"planned-y"}, Line: 4},      // unknown: not scored
		{Question: "q5", Line: 5},                                     // uncovered: not scored
		{Question: "q6", OffTopic: true, Line: 6},                     // declined: right
		{Question: "q7", OffTopic: true, Line: 7},                     // answered: wrong
	}
	r := scripted{
		"q1": {Decides: true, Chosen: "a", Ranked: []string{"a", "b"}},
		"q2": {Decides: true, Chosen: "a", Ranked: []string{"a", "b"}},
		"q3": {Decides: true, Chosen: "", Ranked: []string{"a"}},
		"q4": {Decides: true, Chosen: "a", Ranked: []string{"a"}},
		"q6": {Decides: true},
		"q7": {Decides: true, Chosen: "b", Ranked: []string{"b"}},
	}
	rep := EvaluateReal(context.Background(), kb, qs, r)[0]
	want := RealReport{Ranker: "scripted", InScope: 3, OffTopic: 2, Unknown: 1, Uncovered: 1, Top1: 0.3333, MRR: 0.8333,
		OffDeclined: 0.5, WronglyDeclined: 0.3333, Balanced: 0.4167, NeverDeclining: 0.6667, MissCount: 3}
	if rep.Misses == nil {
		t.Errorf("no misses recorded")
	}
	rep.Misses = nil
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report = %+v\nwant     %+v", rep, want)
	}
	full := EvaluateReal(context.Background(), kb, qs, r)[0]
	if len(full.Misses) != 3 || full.Misses[0].Line != 2 || full.Misses[1].Chose != knowledge.None ||
		strings.Join(full.Misses[1].Expected, ",") != "a" || full.Misses[2].Expected != nil {
		t.Errorf("misses = %+v", full.Misses)
	}
}

// A reference ranker declines below the threshold that gives it the best
// balanced accuracy on the set: here, one that separates the two scores.
func TestRealReferenceThresholdIsBalancedBest(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{{ID: "a"}}, knowledge.Timeline{}, nil)
	qs := []realset.Question{
		{Question: "in1", Expect: []string{"a"}}, {Question: "in2", Expect: []string{"a"}}, {Question: "in3", Expect: []string{"a"}},
		{Question: "off", OffTopic: true},
	}
	r := scripted{
		"in1": {Ranked: []string{"a"}, Score: 5}, "in2": {Ranked: []string{"a"}, Score: 6}, "in3": {Ranked: []string{"a"}, Score: 7},
		"off": {Ranked: []string{"a"}, Score: 2},
	}
	rep := EvaluateReal(context.Background(), kb, qs, r)[0]
	if rep.Threshold != 5 || rep.Top1 != 1 || rep.OffDeclined != 1 || rep.NeverDeclining != 1 {
		t.Errorf("%+v", rep)
	}
}

// Calibration on a real set counts the first topic right when it is any
// expected one, and an off-topic question as wrong in its bucket, whether
// or not the engine declined it.
func TestRealCalibration(t *testing.T) {
	res := func(score float64, ranked ...string) Result {
		return Result{Decides: true, Score: score, Ranked: ranked}
	}
	results := []realAsked{
		{q: realset.Question{}, expect: []string{"a", "b"}, res: res(0.95, "b")}, // right
		{q: realset.Question{}, expect: []string{"a"}, res: res(0.91, "c")},      // wrong topic
		{q: realset.Question{OffTopic: true}, res: res(0.99, "a")},               // off topic, answered
		{q: realset.Question{}, expect: []string{"a"}, res: res(0.12, "a")},      // right, low
		{q: realset.Question{OffTopic: true}, res: res(0.1)},                     // off topic, nothing ranked
		{q: realset.Question{}, expect: []string{"a"}, res: res(1.0, "a")},       // 1.0 falls in the top bucket
	}
	got := realCalibration(results)
	want := []Bucket{{Low: 0.1, High: 0.2, N: 2, Right: 0.5}, {Low: 0.9, High: 1, N: 4, Right: 0.5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calibration = %+v\nwant          %+v", got, want)
	}
	var out bytes.Buffer
	WriteReal(&out, []RealReport{{Ranker: "summitbot", InScope: 4, OffTopic: 2, Calibration: got}}, false)
	if !strings.Contains(out.String(), "Calibration") || !strings.Contains(out.String(), "  0.9–1.0                              4       50.0%") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestWriteRealHidesMissesUnlessAsked(t *testing.T) {
	reps := []RealReport{{Ranker: "summitbot", InScope: 2, OffTopic: 1, Unknown: 3, MissCount: 1,
		Misses: []RealMiss{{Line: 9, Question: "secret?", Chose: "a"}}}}
	var quiet, loud bytes.Buffer
	WriteReal(&quiet, reps, false)
	WriteReal(&loud, reps, true)
	if strings.Contains(quiet.String(), "secret?") || !strings.Contains(quiet.String(), "1 summitbot misses") ||
		!strings.Contains(quiet.String(), "3 whose topics are not in this knowledge base yet") {
		t.Errorf("quiet output:\n%s", quiet.String())
	}
	if !strings.Contains(loud.String(), `real.yaml:9: "secret?": expected none, chose a`) {
		t.Errorf("loud output:\n%s", loud.String())
	}
}

// The held-out set's block says it is held out and measured only, and never
// lists a miss, whatever the report holds.
func TestWriteRealTestNeverListsMisses(t *testing.T) {
	reps := []RealReport{{Ranker: "summitbot", InScope: 2, OffTopic: 1, Uncovered: 1, MissCount: 1,
		Misses: []RealMiss{{Line: 9, Question: "secret?", Chose: "a"}}}}
	var out bytes.Buffer
	WriteRealTest(&out, reps)
	s := out.String()
	if strings.Contains(s, "secret?") || !strings.Contains(s, "Held-out test set, measured only, never developed on") ||
		!strings.Contains(s, realset.TestFile) || !strings.Contains(s, "1 no topic covers") ||
		!strings.Contains(s, "1 summitbot misses; not listed") || !strings.Contains(s, "balanced accuracy") {
		t.Errorf("output:\n%s", s)
	}
	out.Reset()
	WriteRealTest(&out, nil)
	if out.Len() != 0 {
		t.Errorf("no reports printed %q", out.String())
	}
}

// Each embedded set loads and every ranker scores it against the embedded
// knowledge base, whatever topics are merged.
func TestRealSetsOnEmbeddedKB(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		set        realset.Set
		in, offMin int
	}{{realset.Development(), 150, 40}, {realset.Test(), 80, 25}}
	for _, tt := range tests {
		t.Run(tt.set.Name, func(t *testing.T) {
			reps, err := EvaluateSet(context.Background(), kb, tt.set, NewBM25(kb))
			if err != nil {
				t.Fatal(err)
			}
			if r := reps[0]; r.InScope+r.Unknown+r.Uncovered < tt.in || r.OffTopic < tt.offMin || r.Top1 < 0 || r.Top1 > 1 {
				t.Errorf("%+v", r)
			}
		})
	}
	dev, err := RealSet(context.Background(), kb, NewBM25(kb))
	if err != nil {
		t.Fatal(err)
	}
	if dev[0].InScope+dev[0].Unknown+dev[0].Uncovered < 150 {
		t.Errorf("RealSet does not load the development set: %+v", dev[0])
	}
}
