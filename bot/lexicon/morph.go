package lexicon

import (
	"sort"
	"strings"
)

// Morphology after WordNet's morphy: an irregular form is looked up in the
// exception lists; a regular one loses its inflection by the detachment
// rules of its part of speech. Only forms that are lemmas of that part of
// speech are kept. In a multiword term only the last word is inflected
// ("military alliances" → "military alliance").

type suffixRule struct{ suffix, ending string }

var detachment = [...][]suffixRule{
	noun: {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
	verb: {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""}},
	adj:  {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
}

// lemma is a base form of the word in one part of speech.
type lemma struct {
	id  uint32
	pos uint8
}

// maxTerm bounds the words Expand looks at; WordNet's longest lemmas are
// shorter.
const maxTerm = 80

// normalise lower-cases w and joins its words with single spaces
// (underscores count as spaces, as in WordNet's files).
func normalise(w string) string {
	if len(w) > 4*maxTerm {
		return ""
	}
	return strings.Join(strings.FieldsFunc(strings.ToLower(w), func(r rune) bool {
		return r == ' ' || r == '_' || r == '\t' || r == '\n' || r == '\r'
	}), " ")
}

// isLemma reports whether w is a lemma of part of speech p.
func (t *table) isLemma(w string, p uint8) bool {
	id, ok := t.lookup(w)
	return ok && t.hasPOS(id, p)
}

// lemmas appends w's base forms to out: for each part of speech, w itself
// if it is a lemma, then its exceptions or else its detached forms.
func (t *table) lemmas(w string, out []lemma) []lemma {
	if w == "" || len(w) > maxTerm {
		return out
	}
	if rest, ok := strings.CutPrefix(w, "the "); ok && !t.isLemma(w, noun) {
		w = rest // "the Kremlin" is WordNet's Kremlin
	}
	add := func(form string, p uint8) {
		id, ok := t.lookup(form)
		if !ok || !t.hasPOS(id, p) {
			return
		}
		for _, l := range out {
			if l == (lemma{id, p}) {
				return
			}
		}
		out = append(out, lemma{id, p})
	}
	head, last := "", w
	if i := strings.LastIndexByte(w, ' '); i >= 0 {
		head, last = w[:i+1], w[i+1:]
	}
	for p := noun; p <= adj; p++ {
		n := len(out)
		add(w, p)
		// A lemma is not inflected again: "gas" is not the plural of "ga",
		// nor "news" of "new".
		lemmaHere := len(out) > n || t.isLemma(w, p)
		addP := func(form string) { add(form, p) }
		irregular := t.exceptions(w, "", p, addP)
		if head != "" {
			irregular = t.exceptions(last, head, p, addP) || irregular
		}
		if irregular || lemmaHere {
			continue
		}
		detach(head, last, p, addP)
	}
	return out
}

// exceptions passes to add, prefix before each, the bases WordNet's
// exception list gives the irregular form of part of speech p, and
// reports whether it gave any.
func (t *table) exceptions(form, prefix string, p uint8, add func(string)) bool {
	irregular := false
	for i := sort.SearchStrings(t.excForm, form); i < len(t.excForm) && t.excForm[i] == form; i++ {
		if t.excPOS[i] == p {
			add(prefix + t.word(t.excBase[i]))
			irregular = true
		}
	}
	return irregular
}

// detach passes to add, prefix before each, the forms the detachment rules
// of part of speech p give word, whether or not they are lemmas.
func detach(prefix, word string, p uint8, add func(string)) {
	for _, r := range detachment[p] {
		if len(word) > len(r.suffix) && strings.HasSuffix(word, r.suffix) {
			add(prefix + word[:len(word)-len(r.suffix)] + r.ending)
		}
	}
}
