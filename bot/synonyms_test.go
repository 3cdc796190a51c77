package bot

import (
	"slices"
	"strings"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// TestPhraseAt: a multiword term of synonyms.yaml is found in a question
// as written, and with an s on its last word (a possessive, whose
// apostrophe normalising drops, or a plural); not with an s elsewhere, nor
// cut short.
func TestPhraseAt(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{
		{ID: "xi", Title: "Xi Jinping and Russia", Keywords: []string{"xi jinping", "peace plan"}, Answer: "Xi calls Russia a partner."},
	}, knowledge.Timeline{}, nil)
	kb.Synonyms = knowledge.Synonyms{Groups: []knowledge.SynonymGroup{
		{Terms: []string{"xi jinping", "xi jin ping"}, Line: 3},
		{Terms: []string{"peace plan", "peace proposal"}, Line: 4},
	}}
	idx := buildIndex(kb)
	for _, tc := range []struct {
		q    string
		at   int
		want int // words of the term found there, 0 for none
	}{
		{"what does xi jin ping want", 2, 3},
		{"what are xi jin ping's interests", 2, 3},
		{"china's peace proposals", 1, 2},
		{"xis jin ping", 0, 0},
		{"xi jin", 0, 0},
	} {
		ws := words(tc.q)
		if n, _ := idx.lexicon.phraseAt(ws, tc.at); n != tc.want {
			t.Errorf("%q at %d (%q): %d words, want %d", tc.q, tc.at, ws[tc.at], n, tc.want)
		}
	}
}

// TestLexiconInOtherScripts: a Russian term of synonyms.yaml is found in
// its inflected forms, one word or several (Russian stems alike), and a
// Chinese one inside a run of Chinese characters, where it is one slot
// with its bigrams the index has; the run's other bigrams the index lacks
// weigh as filler.
func TestLexiconInOtherScripts(t *testing.T) {
	kb := knowledge.NewKB([]*knowledge.Topic{
		{ID: "oil", Title: "Russian oil for China", Keywords: []string{"crude oil", "northern sea route", "石油", "china", "partner"}, Answer: "China buys Russian crude."},
		{ID: "gas", Title: "Gas pipelines", Keywords: []string{"natural gas", "pipeline"}, Answer: "Gas flows east."},
	}, knowledge.Timeline{}, nil)
	kb.Synonyms = knowledge.Synonyms{Groups: []knowledge.SynonymGroup{
		{Terms: []string{"oil", "нефть", "石油"}, Line: 1},
		{Terms: []string{"northern sea route", "северный морской путь"}, Line: 2},
		{Terms: []string{"natural gas", "天然气"}, Line: 3},
		{Terms: []string{"china", "китай"}, Line: 4},
		{Terms: []string{"partner", "партнер"}, Line: 5},
	}}
	idx := buildIndex(kb)
	for _, tc := range []struct{ q, word, term string }{
		{"китай покупает нефть", "нефть", "oil"},
		{"китай покупает больше нефти", "нефти", "oil"},
		{"торговля российской нефтью", "нефтью", "oil"},
		{"грузы северного морского пути", "северного морского пути", "rout"},
		{"中国从俄罗斯进口天然气吗", "天然气", "natur"},
		{"中国为什么买石油", "石油", "oil"},
		// Snowball stems Китай кита but Китая кит: the lexicon folds them.
		{"экспорт нефти из китая", "китая", "china"},
		{"торговля с китаем", "китаем", "china"},
		{"почему россия партнёр китая", "партнер", "partner"}, // ё is е (fold)
	} {
		found := false
		for _, q := range idx.resolve(words(tc.q)) {
			if q.how == MatchSynonym && q.word == tc.word && idx.termName(q.id) == tc.term {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: %q does not stand for %q", tc.q, tc.word, tc.term)
		}
	}
	// A Russian question word is no unknown word, nor a stop word written
	// with ё (ещё is еще).
	for _, q := range idx.resolve(words("почему ещё китай покупает нефть, и это наш партнер")) {
		if q.word == "поч" || q.word == "почему" || strings.HasPrefix(q.word, "ещ") || q.word == "эт" || q.word == "наш" {
			t.Errorf("a stop word read as %+v", q)
		}
	}
	// The run's bigrams: 石油 the index has, one slot with what the term
	// stands for; 中国, 国为 ... it lacks, filler.
	qs := idx.resolve(words("中国为什么买石油"))
	slots := map[int32][]string{}
	for _, q := range qs {
		if q.id < 0 {
			if q.weight > softWeight*idx.maxIDF+1e-9 {
				t.Errorf("unknown bigram %q weighs %.2f, more than filler", q.word, q.weight)
			}
			continue
		}
		slots[q.slot] = append(slots[q.slot], idx.termName(q.id))
	}
	together := false
	for _, ts := range slots {
		together = together || slices.Contains(ts, "石油") && slices.Contains(ts, "oil")
	}
	if !together {
		t.Errorf("石油 and oil are not one slot: %v", slots)
	}
}
