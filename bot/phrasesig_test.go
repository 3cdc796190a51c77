package bot

import "testing"

// TestPhraseSignatures: every phrase's signature has the bit of each of its
// terms, in the index and in the patched index the fit uses, so that
// phraseSignals passes over only phrases with no term of the question.
func TestPhraseSignatures(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	held := map[int]func(int) bool{}
	parts := map[int]*topicParts{}
	for ti, tp := range idx.kb.Topics {
		if ti%2 == 0 && len(tp.Questions) > 1 {
			held[ti] = func(qi int) bool { return qi%2 == 0 }
			p := idx.parts(tp)
			parts[ti] = &p
		}
	}
	for _, tc := range []struct {
		name string
		idx  *index
	}{
		{"built", idx},
		{"without held-out questions", idx.without(held, parts)},
	} {
		phrases := 0
		for _, e := range tc.idx.topics {
			for _, p := range e.phrases {
				phrases++
				for _, id := range p.terms {
					if p.sig&(1<<(id&63)) == 0 {
						t.Errorf("%s: %s: phrase %d lacks the bit of term %q", tc.name, e.t.ID, p.text, tc.idx.termName(id))
					}
				}
			}
		}
		if phrases == 0 {
			t.Errorf("%s: no phrases", tc.name)
		}
	}
}
