package bot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

func TestNamedYears(t *testing.T) {
	cases := []struct {
		topic knowledge.Topic
		want  [][2]int
	}{
		{knowledge.Topic{ID: "vostok-2018", Title: "Vostok-2018"}, [][2]int{{2018, 2018}}},
		{knowledge.Topic{ID: "summits-timeline", Title: "Xi–Putin meetings, 2013–2026"}, [][2]int{{2013, 2026}}},
		{knowledge.Topic{ID: "treaty-2001-at-25", Title: "The 2001 treaty at 25", Aliases: []string{"treaty anniversary 2026"}}, [][2]int{{2001, 2001}, {2026, 2026}}},
		{knowledge.Topic{ID: "s-400-contract", Title: "The S-400 contract", Aliases: []string{"S-400"}}, nil},
		{knowledge.Topic{ID: "x", Title: "Route 1800 and 2100"}, nil}, // not years of this century or the last
	}
	for _, c := range cases {
		if got := namedYears(&c.topic); !slices.Equal(got, c.want) {
			t.Errorf("namedYears(%s) = %v, want %v", c.topic.ID, got, c.want)
		}
	}
}

// TestNamesYear: a topic is about one year when its id, title or an alias
// names it alone, hyphenated or not; the ends of a span of years are not
// years of their own (the span covers every year between).
func TestNamesYear(t *testing.T) {
	topics := []*knowledge.Topic{
		{ID: "vostok-2018", Title: "Vostok-2018"},
		{ID: "summits-timeline", Title: "Xi–Putin meetings, 2013–2026"},
		{ID: "border-settlement", Title: "Settling the border (1991–2008)", Aliases: []string{"2008 border protocol"}},
		{ID: "drill", Title: "Joint Sea-2019"},
		{ID: "s-400-contract", Title: "The S-400 contract"},
	}
	idx := &index{byID: map[string]int{}}
	for i, tp := range topics {
		idx.byID[tp.ID] = i
		idx.topics = append(idx.topics, topicEntry{t: tp, years: namedYears(tp)})
	}
	cases := []struct {
		topic int
		year  int
		want  bool
	}{
		{0, 2018, true},
		{0, 2019, false},
		{1, 2013, false}, // a span's end
		{1, 2026, false},
		{1, 2019, false}, // covered by the span, not named
		{2, 1991, false},
		{2, 2008, true}, // named alone by an alias, as well as ending the span
		{3, 2019, true}, // hyphenated in the title only
		{4, 2018, false},
	}
	for _, c := range cases {
		if got := idx.namesYear(topics[c.topic], c.year); got != c.want {
			t.Errorf("namesYear(%s, %d) = %v, want %v", topics[c.topic].ID, c.year, got, c.want)
		}
	}
	if idx.namesYear(&knowledge.Topic{ID: "not-indexed-2018"}, 2018) {
		t.Error("namesYear of a topic the index does not hold = true")
	}
}

// TestQuestionYears: Ask's year (yearIn) is the first of the years the
// ranking reads (readYears), both read with wordYears: a hyphenated word
// names the years among its parts. A span ("2022-2023") is not one year:
// Ask reads none from it, the ranking both.
func TestQuestionYears(t *testing.T) {
	idx := newTestBot(t, Options{}).idx.Load()
	cases := []struct {
		question string
		want     []int // the ranking's years; yearIn is the first, or 0
		year     int   // yearIn when it is not the first of want; -1: none (a span)
	}{
		{"xi putin 2019", []int{2019}, 0},
		{"how many troops went to vostok-2018", []int{2018}, 0},
		{"trade in 2022-2023", []int{2022, 2023}, -1},
		{"xi putin meetings 2013-2026", []int{2013, 2026}, -1},
		{"xi putin 2019-2019", []int{2019}, 0},
		{"the 1949-1950 treaty in 2014", []int{1949, 1950, 2014}, 2014},
		{"the meeting on 2024-05-16", []int{2024}, 0},
		{"did they meet in 2017 or 2018 or 2017", []int{2017, 2018}, 0},
		{"s-400 and su-35 deliveries", nil, 0},
		{"route 1800 and 2100", nil, 0}, // not years of this century or the last
		{"power of siberia", nil, 0},
	}
	for _, c := range cases {
		ws := words(c.question)
		want := 0
		switch {
		case c.year < 0:
			want = 0
		case c.year > 0:
			want = c.year
		case len(c.want) > 0:
			want = c.want[0]
		}
		if got := yearIn(ws); got != want {
			t.Errorf("yearIn(%q) = %d, want %d", c.question, got, want)
		}
		q := idx.newQuery(ws, idx.resolve(ws))
		if !slices.Equal(q.years, c.want) {
			t.Errorf("%q: the ranking reads years %v, want %v", c.question, q.years, c.want)
		}
	}
}

func TestYearSignal(t *testing.T) {
	cases := []struct {
		name       string
		asked      []int
		named      [][2]int
		namedOther bool
		want       float64
	}{
		{"no year asked", nil, [][2]int{{2018, 2018}}, true, 0},
		{"topic names no year", []int{2018}, nil, true, 0},
		{"names the year and another word", []int{2018}, [][2]int{{2018, 2018}}, true, 1},
		{"names the year alone", []int{2019}, [][2]int{{2019, 2019}}, false, 0},
		{"names another year", []int{2018}, [][2]int{{2021, 2021}}, true, -1},
		{"a span covers the year", []int{2019}, [][2]int{{2013, 2026}}, true, 0},
		{"one of two years asked", []int{2001, 2026}, [][2]int{{2026, 2026}}, true, 1},
	}
	for _, c := range cases {
		if got := yearSignal(c.asked, c.named, c.namedOther); got != c.want {
			t.Errorf("%s: yearSignal = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestHeldOutYearQuestions asks questions that name the year of an event
// topic, each left out of its topic as the cross-validation leaves it out:
// the topic named for that year must rank first, above the general topic
// of the series (Vostok-2018 above the Vostok exercises).
func TestHeldOutYearQuestions(t *testing.T) {
	cases := []heldOut{
		{"vostok-2018", "how many pla troops went to russia for the 2018 drill"},
		{"zapad-interaction-2021", "which joint war games did china host in 2021"},
		{"north-interaction-2023", "was there a big china russia naval and air drill in 2023?"},
		{"treaty-2001-at-25", "is the friendship treaty still in force in 2026?"},
	}
	heldOutRanksFirst(t, cases)
}

// TestLaterSignalFitOnTop checks that the year, fit after the other
// signals, leaves their coefficients as they are without it, and is itself
// fit: positive when it says so.
func TestLaterSignalFitOnTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	year := laterSignals[0]
	var with, without []sample
	for range 2000 {
		var x features
		for i := range x {
			x[i] = rng.Float64()
		}
		x[year] = 0
		z := -2 + 3*x[0] + 2*x[1]
		if rng.IntN(5) == 0 {
			x[year] = rng.Float64()*2 - 1
			z += 2 * x[year]
		}
		y := 0.0
		if rng.Float64() < sigmoid(z) {
			y = 1
		}
		with = append(with, sample{x: x, y: y, w: 1})
		x[year] = 0
		without = append(without, sample{x: x, y: y, w: 1})
	}
	a, b := fitLogistic(with), fitLogistic(without)
	if a == nil || b == nil {
		t.Fatal("no fit")
	}
	for i := range a.coef {
		if i != year && math.Abs(a.coef[i]-b.coef[i]) > 1e-12 {
			t.Errorf("%s: %v with the year, %v without", signalNames[i], a.coef[i], b.coef[i])
		}
	}
	if b.coef[year] != 0 || a.coef[year] < 1 {
		t.Errorf("year coefficient %v (want about 2), %v without it (want 0)", a.coef[year], b.coef[year])
	}
}

// heldOut is an alternate question of a topic.
type heldOut struct{ topic, question string }

// heldOutRanksFirst asks each question of a knowledge base that lacks it,
// as the cross-validation asks it: its topic must rank first.
func heldOutRanksFirst(t *testing.T, cases []heldOut) {
	t.Helper()
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		var topics []*knowledge.Topic
		found := false
		for _, tp := range kb.Topics {
			cp := *tp
			if cp.ID == c.topic {
				cp.Questions = slices.DeleteFunc(slices.Clone(cp.Questions), func(q string) bool { return q == c.question })
				found = len(cp.Questions) < len(tp.Questions)
			}
			topics = append(topics, &cp)
		}
		if !found {
			t.Fatalf("%s has no question %q", c.topic, c.question)
		}
		held := knowledge.NewKB(topics, kb.Timeline, kb.Tests)
		held.Synonyms = kb.Synonyms
		r := New(held, Options{}).Rank(c.question, 2)
		if len(r) == 0 || r[0].ID != c.topic {
			t.Errorf("%q held out: ranked %v, want %s first", c.question, r, c.topic)
		}
	}
}
