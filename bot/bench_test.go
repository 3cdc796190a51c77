package bot

import (
	"context"
	"fmt"
	"github.com/summitbot/summitbot/internal/testutil"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/summitbot/summitbot/knowledge"
)

var benchQuestions = []string{
	"What is the Power of Siberia pipeline?",
	"pwer of sibera",
	"how much do china and russia trade",
	"when did xi and putin last meet",
	"a recipe for russian borscht",
	"hey so um what's the deal with the no limits partnership",
	"Сила Сибири",
	"joint naval exercises in the sea of japan",
}

func BenchmarkAskEmbedded(b *testing.B) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchAsk(b, New(kb, Options{}), benchQuestions)
}

func BenchmarkAsk1000Topics(b *testing.B)  { benchSynthetic(b, 1000) }
func BenchmarkAsk10000Topics(b *testing.B) { benchSynthetic(b, 10000) }
func BenchmarkAsk50000Topics(b *testing.B) { benchSynthetic(b, 50000) }

// BenchmarkIndexHeap10000Topics reports the live heap an index of 10,000
// generated topics holds (heap-MiB), beyond the knowledge base itself, and
// how long building it takes.
func BenchmarkIndexHeap10000Topics(b *testing.B) {
	kb, _ := syntheticKB(b, 10000)
	var heap int64
	for b.Loop() {
		heap = testutil.RetainedHeap(func() *index { return buildIndex(kb) })
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
}

func benchAsk(b *testing.B, bot *Bot, qs []string) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		bot.Ask(ctx, Question{Text: qs[i%len(qs)], Conversation: "bench"})
		i++
	}
}

// benchSynthetic builds a knowledge base of n generated topics with a
// realistic spread of words (a few very common, most rare) and asks
// questions made from their titles, with typos, and off-topic ones.
func benchSynthetic(b *testing.B, n int) {
	kb, qs := syntheticKB(b, n)
	benchAsk(b, New(kb, Options{}), qs)
}

func syntheticKB(b *testing.B, n int) (*knowledge.KB, []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	common := strings.Fields("china russia relations trade energy gas oil military summit agreement cooperation beijing moscow president visit")
	vocab := make([]string, 20000)
	for i := range vocab {
		var sb strings.Builder
		for range 5 + r.IntN(6) {
			sb.WriteByte(byte('a' + r.IntN(26)))
		}
		vocab[i] = sb.String()
	}
	word := func() string {
		if r.IntN(4) == 0 {
			return common[r.IntN(len(common))]
		}
		return vocab[int(r.ExpFloat64()*2000)%len(vocab)]
	}
	phrase := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}
	fsys := fstest.MapFS{
		"summits.yaml": {Data: []byte("meetings:\n  - {id: m1, date: 2024-05-16, place: Beijing, kind: state-visit, title: Visit, outcomes: [x], sources: [{title: t, publisher: p, url: \"https://example.org/m\"}]}\n")},
	}
	var qs []string
	for i := range n {
		id := fmt.Sprintf("topic-%05d", i)
		title := phrase(3)
		var body strings.Builder
		fmt.Fprintf(&body, "---\nid: %s\ntitle: %s\ncategory: trade\naliases: [%q]\nquestions: [%q, %q, %q]\nkeywords: [%s]\nreviewed: 2026-01-01\nsources: [{title: s, publisher: p, url: \"https://example.org/%d\"}]\nanswer_sources: [\"https://example.org/%d\"]\n---\n%s.\n\n%s.\n",
			id, title, id+" "+phrase(2), "what is "+title, phrase(5), phrase(6), strings.Join(strings.Fields(phrase(4)), ", "), i, i, phrase(40), phrase(80))
		fsys["topics/"+id+".md"] = &fstest.MapFile{Data: []byte(body.String())}
		if i%(n/20) == 0 {
			typo := []byte(title)
			typo[1], typo[2] = typo[2], typo[1]
			qs = append(qs, "what is "+title, string(typo), "tell me about "+phrase(3), "a recipe for russian borscht")
		}
	}
	kb, err := knowledge.Load(fsys, knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return kb, qs
}

// BenchmarkLoadAndIndexEmbedded is the time from nothing to ready: loading and
// validating the embedded knowledge base, then building the index.
func BenchmarkLoadAndIndexEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
		if err != nil {
			b.Fatal(err)
		}
		New(kb, Options{})
	}
}

// longTokenQuestions are the worst questions of MaxQuestion characters
// found so far: one run-together token each (issue 13 finding 10), beside
// the normal question they are compared with.
func longTokenQuestions() map[string]string {
	r := rand.New(rand.NewPCG(13, 10))
	random := make([]byte, MaxQuestion)
	for i := range random {
		random[i] = byte('a' + r.IntN(26))
	}
	rep := func(s string) string { return strings.Repeat(s, MaxQuestion/len(s)+1)[:MaxQuestion] }
	return map[string]string{
		"powerofsiberia": rep("powerofsiberia"),
		"chinarussia":    rep("chinarussia"),
		"typos":          rep("pwerofsibera"),
		"one-letter":     rep("a"),
		"random":         string(random),
		"digits":         rep("2024"),
		// Hyphenated words the index lacks are read part by part (resolve.go).
		"hyphenated": rep("pwerof-sibera-"),
		"compounds":  rep("military-political-"),
	}
}

// BenchmarkAskLongToken asks a normal question and each long run-together
// token; the worst must stay within 10× of the normal one:
//
//	go test -run '^$' -bench BenchmarkAskLongToken -benchtime 200x ./bot
func BenchmarkAskLongToken(b *testing.B) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	bt := New(kb, Options{})
	b.Run("normal", func(b *testing.B) { benchAsk(b, bt, benchQuestions[:1]) })
	qs := longTokenQuestions()
	for _, name := range []string{"powerofsiberia", "chinarussia", "typos", "one-letter", "random", "digits", "hyphenated", "compounds"} {
		b.Run(name, func(b *testing.B) { benchAsk(b, bt, []string{qs[name]}) })
	}
}

// BenchmarkReadDirectionRussian is the direction reader on questions in
// Russian, whose words it stems to find the parties' inflected names.
func BenchmarkReadDirectionRussian(b *testing.B) {
	idx := embeddedBot(b).idx.Load()
	var wss [][]string
	for _, q := range []string{"Сила Сибири", "отношения России и Китая", "Путин и Си в Москве", "торговля между Россией и Китаем", "что Китай покупает у России"} {
		wss = append(wss, words(q))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		idx.parties.read(wss[i%len(wss)])
	}
}

// BenchmarkExplainEmbedded is `summitbot ask --explain`: the five best
// candidates explained.
func BenchmarkExplainEmbedded(b *testing.B) {
	bt := embeddedBot(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bt.Explain(benchQuestions[i%len(benchQuestions)], 5)
	}
}

// BenchmarkAskSentences asks questions of several sentences whose whole is
// declined, so that each sentence is asked on its own too: one of two
// sentences, and the worst, 1,000 characters of short off-topic ones (at
// most maxSentences of them are asked).
func BenchmarkAskSentences(b *testing.B) {
	bt := embeddedBot(b)
	b.Run("normal", func(b *testing.B) { benchAsk(b, bt, benchQuestions[:1]) })
	b.Run("two", func(b *testing.B) {
		benchAsk(b, bt, []string{"Lasagne recipe with ricotta and basil. What is the SCO?"})
	})
	b.Run("many", func(b *testing.B) { benchAsk(b, bt, []string{strings.Repeat("tie shoe? ", 100)}) })
}
