package eval

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/sahilm/fuzzy"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// Fuzzy is the usual quick approach: sahilm/fuzzy's subsequence matcher over
// titles, aliases and alternate questions. The whole question is matched
// first; when it matches nothing, each word is matched and scores add up.
type Fuzzy struct {
	texts  []string
	owners []string
}

// NewFuzzy indexes a knowledge base for the fuzzy reference ranker.
func NewFuzzy(kb *knowledge.KB) *Fuzzy {
	f := &Fuzzy{}
	for _, t := range kb.Topics {
		for _, s := range append(append([]string{t.Title}, t.Aliases...), t.Questions...) {
			f.texts = append(f.texts, strings.ToLower(s))
			f.owners = append(f.owners, t.ID)
		}
	}
	return f
}

// Name implements Ranker.
func (*Fuzzy) Name() string { return "fuzzy" }

type fuzzySource []string

func (s fuzzySource) String(i int) string { return s[i] }
func (s fuzzySource) Len() int            { return len(s) }

// Rank implements Ranker.
func (f *Fuzzy) Rank(_ context.Context, q string) Result {
	scores := map[string]float64{}
	add := func(pattern string) {
		for _, m := range fuzzy.FindFrom(pattern, fuzzySource(f.texts)) {
			scores[f.owners[m.Index]] = max(scores[f.owners[m.Index]], float64(m.Score))
		}
	}
	norm := bot.Normalize(q)
	add(norm)
	if len(scores) == 0 {
		words := map[string]float64{}
		for _, w := range strings.Fields(norm) {
			if len([]rune(w)) < 3 {
				continue
			}
			best := map[string]float64{}
			for _, m := range fuzzy.FindFrom(w, fuzzySource(f.texts)) {
				best[f.owners[m.Index]] = max(best[f.owners[m.Index]], float64(m.Score))
			}
			for id, s := range best {
				words[id] += s
			}
		}
		scores = words
	}
	return ranked(scores)
}

func ranked(scores map[string]float64) Result {
	var res Result
	for id := range scores {
		res.Ranked = append(res.Ranked, id)
	}
	slices.SortFunc(res.Ranked, func(a, b string) int {
		if scores[a] != scores[b] {
			if scores[a] > scores[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	if len(res.Ranked) > 0 {
		res.Score = scores[res.Ranked[0]]
	}
	return res
}

// BM25 is Okapi BM25 (k1 = 1.2, b = 0.75) over all of a topic's text, with
// plain lower-case words: the classic search-engine baseline.
type BM25 struct {
	docs  []map[string]int
	lens  []float64
	avg   float64
	df    map[string]int
	ids   []string
	k1, b float64
}

// NewBM25 indexes a knowledge base for the BM25 reference ranker.
func NewBM25(kb *knowledge.KB) *BM25 {
	r := &BM25{df: map[string]int{}, k1: 1.2, b: 0.75}
	var total float64
	for _, t := range kb.Topics {
		text := strings.Join(append(append(append([]string{t.Title, t.Answer, t.Details}, t.Aliases...), t.Questions...), t.Keywords...), " ")
		tf := map[string]int{}
		n := 0
		for _, w := range strings.Fields(bot.Normalize(text)) {
			tf[w]++
			n++
		}
		for w := range tf {
			r.df[w]++
		}
		r.docs = append(r.docs, tf)
		r.lens = append(r.lens, float64(n))
		r.ids = append(r.ids, t.ID)
		total += float64(n)
	}
	if len(r.docs) > 0 {
		r.avg = total / float64(len(r.docs))
	}
	return r
}

// Name implements Ranker.
func (*BM25) Name() string { return "bm25" }

// Rank implements Ranker.
func (r *BM25) Rank(_ context.Context, q string) Result {
	n := float64(len(r.docs))
	scores := map[string]float64{}
	seen := map[string]bool{}
	for _, w := range strings.Fields(bot.Normalize(q)) {
		if seen[w] || r.df[w] == 0 {
			continue
		}
		seen[w] = true
		df := float64(r.df[w])
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for i, tf := range r.docs {
			f := float64(tf[w])
			if f == 0 {
				continue
			}
			scores[r.ids[i]] += idf * f * (r.k1 + 1) / (f + r.k1*(1-r.b+r.b*r.lens[i]/r.avg))
		}
	}
	return ranked(scores)
}
