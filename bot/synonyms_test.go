package bot

import (
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
