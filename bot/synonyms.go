package bot

import (
	"fmt"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
)

// synTarget is what a term of synonyms.yaml stands for: the index terms of
// another term of its group, or of its broader term.
type synTarget struct {
	ids      []int32
	complete bool // the index holds every term of the target
	factor   float64
	via      string // "synonyms.yaml:14"
}

// domainLexicon is synonyms.yaml compiled against one index: each term,
// normalised as questions are, maps to the terms it may stand for, kept
// only where the index holds them.
type domainLexicon struct {
	terms map[string][]synTarget
	// longest is, for the first word of each multiword term, the most
	// words a term starting with it has.
	longest map[string]int
}

func newDomainLexicon(idx *index, syn knowledge.Synonyms) domainLexicon {
	l := domainLexicon{terms: map[string][]synTarget{}, longest: map[string]int{}}
	add := func(from, to string, factor float64, line int) {
		key := Normalize(from)
		ids, complete := idx.textTerms(to)
		if key == "" || len(ids) == 0 || key == Normalize(to) {
			return
		}
		l.terms[key] = append(l.terms[key], synTarget{ids: ids, complete: complete, factor: factor, via: fmt.Sprintf("%s:%d", knowledge.SynonymsFile, line)})
		if ws := strings.Fields(key); len(ws) > 1 {
			l.longest[ws[0]] = max(l.longest[ws[0]], len(ws))
		}
	}
	for _, g := range syn.Groups {
		for _, a := range g.Terms {
			for _, b := range g.Terms {
				if a != b {
					add(a, b, factorSynonym, g.Line)
				}
			}
		}
	}
	for _, b := range syn.Broader {
		for _, n := range b.Narrow {
			add(n, b.Broad, factorBroader, b.Line)
		}
	}
	return l
}

// phraseAt finds the longest multiword term starting at ws[i], returning
// its length in words (0 if none) and what it stands for. Its last word
// may have an s the term has not: a possessive, whose apostrophe
// normalising drops ("xi jin ping's"), or a plural ("peace plans").
func (l *domainLexicon) phraseAt(ws []string, i int) (int, []synTarget) {
	n := min(l.longest[ws[i]], len(ws)-i)
	for ; n > 1; n-- {
		key := strings.Join(ws[i:i+n], " ")
		if ts, ok := l.terms[key]; ok {
			return n, ts
		}
		if s, ok := strings.CutSuffix(key, "s"); ok {
			if ts, ok := l.terms[s]; ok {
				return n, ts
			}
		}
	}
	return 0, nil
}

// word returns what a one-word term stands for.
func (l *domainLexicon) word(w string) []synTarget { return l.terms[w] }
