package eval

import (
	"context"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// scripted is a Ranker with fixed answers, to check the arithmetic.
type scripted map[string]Result

func (scripted) Name() string                              { return "scripted" }
func (s scripted) Rank(_ context.Context, q string) Result { return s[q] }

func TestEvaluateArithmetic(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{{ID: "a", Category: knowledge.Energy}, {ID: "b", Category: knowledge.Trade}}, knowledge.Timeline{}, nil)
	tests := []knowledge.TestCase{
		{Question: "q1", Expect: "a"}, // right, rank 1
		{Question: "q2", Expect: "b"}, // wrong topic; expected at rank 2
		{Question: "q3", Expect: "b"}, // wrongly declined; expected at rank 1
		{Question: "q4", Expect: knowledge.None},
		{Question: "q5", Expect: knowledge.None},
	}
	r := scripted{
		"q1": {Decides: true, Chosen: "a", Ranked: []string{"a", "b"}},
		"q2": {Decides: true, Chosen: "a", Ranked: []string{"a", "b"}},
		"q3": {Decides: true, Chosen: "", Ranked: []string{"b"}},
		"q4": {Decides: true, Chosen: ""},
		"q5": {Decides: true, Chosen: "b", Ranked: []string{"b"}},
	}
	rep := Evaluate(context.Background(), kb, tests, r)[0]
	want := Report{InScope: 3, OffTopic: 2, Top1: 0.3333, MRR: 0.8333, OffDeclined: 0.5, WronglyDeclined: 0.3333}
	if rep.InScope != want.InScope || rep.OffTopic != want.OffTopic || rep.Top1 != want.Top1 || rep.MRR != want.MRR ||
		rep.OffDeclined != want.OffDeclined || rep.WronglyDeclined != want.WronglyDeclined {
		t.Errorf("report = %+v, want %+v", rep, want)
	}
	if len(rep.Misses) != 3 || rep.Misses[0].Question != "q2" || rep.Misses[0].Chose != "a" || rep.Misses[1].Chose != knowledge.None {
		t.Errorf("misses = %+v", rep.Misses)
	}
	if len(rep.Categories) != 2 || rep.Categories[0].Category != "energy" || rep.Categories[0].Top1 != 1 || rep.Categories[1].Top1 != 0 {
		t.Errorf("categories = %+v", rep.Categories)
	}
}

func TestReferenceThresholdIsTheirBestCase(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{{ID: "a"}}, knowledge.Timeline{}, nil)
	tests := []knowledge.TestCase{{Question: "in", Expect: "a"}, {Question: "off", Expect: knowledge.None}}
	r := scripted{"in": {Ranked: []string{"a"}, Score: 5}, "off": {Ranked: []string{"a"}, Score: 2}}
	rep := Evaluate(context.Background(), kb, tests, r)[0]
	if rep.Threshold != 5 || rep.Top1 != 1 || rep.OffDeclined != 1 {
		t.Errorf("a threshold between the scores separates them: %+v", rep)
	}
}

func TestRankersOnFixture(t *testing.T) {
	kb, err := knowledge.Load(os.DirFS("../../bot/testdata/kb"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, r := range []Ranker{Engine{Bot: bot.New(kb, bot.Options{})}, NewFuzzy(kb), NewBM25(kb)} {
		res := r.Rank(ctx, "power of siberia")
		if len(res.Ranked) == 0 || res.Ranked[0] != "power-of-siberia" {
			t.Errorf("%s ranks %v first for an exact name", r.Name(), res.Ranked)
		}
	}
	folds := CrossValidate(ctx, kb, 3, map[string]float64{}, bot.Threshold)
	if len(folds) != 3 || folds[0].Ranker != "summitbot" || folds[0].Questions != 18 {
		t.Errorf("folds = %+v", folds)
	}
}

// A fold holds out every k-th alternate question of each topic, asks them,
// and keeps the regression set for the engine's fit, as the shipped
// knowledge base does; no held-out question stays indexed.
func TestFoldKeepsRegressionSetAndHoldsOutQuestions(t *testing.T) {
	tests := []knowledge.TestCase{{Question: "recipe for borscht", Expect: knowledge.None}}
	kb := knowledge.NewKB([]*knowledge.Topic{
		{ID: "a", Questions: []string{"a0", "a1", "a2", "a3"}},
		{ID: "b", Questions: []string{"b0", "b1"}},
	}, knowledge.Timeline{}, tests)
	foldKB, held := fold(kb, 2, 1)
	if !reflect.DeepEqual(foldKB.Tests, tests) {
		t.Errorf("fold's regression set = %+v, want the knowledge base's", foldKB.Tests)
	}
	want := []knowledge.TestCase{{Question: "a1", Expect: "a"}, {Question: "a3", Expect: "a"}, {Question: "b1", Expect: "b"}}
	if !reflect.DeepEqual(held, want) {
		t.Errorf("held = %+v, want %+v", held, want)
	}
	if a, _ := foldKB.Topic("a"); !slices.Equal(a.Questions, []string{"a0", "a2"}) {
		t.Errorf("fold's topic a keeps %v", a.Questions)
	}
	if a, _ := kb.Topic("a"); len(a.Questions) != 4 {
		t.Errorf("the knowledge base's own topic lost questions: %v", a.Questions)
	}
}
