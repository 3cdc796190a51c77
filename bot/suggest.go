package bot

import (
	"strings"

	"github.com/sahilm/fuzzy"
)

// suggester serves autocomplete: a subsequence match (sahilm/fuzzy) over
// titles, aliases and alternate questions, mapped back to topics.
type suggester struct {
	texts  []string // lower-cased
	owners []int    // topic index of each text
	byName []int    // topic indexes sorted by title, for an empty prefix
}

func newSuggester(idx *index) suggester {
	var s suggester
	for i, e := range idx.topics {
		add := func(t string) {
			s.texts = append(s.texts, strings.ToLower(t))
			s.owners = append(s.owners, i)
		}
		add(e.t.Title)
		for _, a := range e.t.Aliases {
			add(a)
		}
		for _, q := range e.t.Questions {
			add(q)
		}
	}
	for _, r := range idx.topicList("") {
		s.byName = append(s.byName, idx.byID[r.ID])
	}
	return s
}

type suggestSource []string

func (s suggestSource) String(i int) string { return s[i] }
func (s suggestSource) Len() int            { return len(s) }

// maxSuggestInput bounds the work an autocomplete request can cause.
const maxSuggestInput = 100

func (idx *index) suggestTopics(prefix string, n int) []TopicRef {
	if n <= 0 {
		return []TopicRef{}
	}
	out := make([]TopicRef, 0, n)
	seen := map[int]bool{}
	push := func(i int) {
		if !seen[i] && len(out) < n {
			seen[i] = true
			out = append(out, refNoCategory(idx.topics[i].ref))
		}
	}
	p := strings.Join(strings.Fields(strings.ToLower(prefix)), " ")
	if len([]rune(p)) > maxSuggestInput {
		p = string([]rune(p)[:maxSuggestInput])
	}
	if p == "" {
		for _, i := range idx.suggest.byName {
			push(i)
		}
		return out
	}
	for _, m := range fuzzy.FindFrom(p, suggestSource(idx.suggest.texts)) {
		push(idx.suggest.owners[m.Index])
		if len(out) == n {
			return out
		}
	}
	// A typo breaks a subsequence match: fall back to the ranker.
	if ws := words(prefix); len(ws) > 0 {
		for _, c := range idx.rank(ws, idx.resolve(ws)) {
			push(c.topic)
		}
	}
	return out
}
