package bot

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

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
	// hanTermLongest is the most characters a Chinese term of the lexicon
	// has, and hanLeast each Chinese term's least idf among what it stands
	// for (resolver.equivalents), set once for the index.
	hanTermLongest int
	hanLeast       map[string]float64
	// stemTerms and stemLongest are terms and longest for the terms with
	// a Russian word, by their Russian words' stems (russianKey): Russian
	// is inflected, and "нефть" is also the нефти and нефтью of questions.
	stemTerms   map[string][]synTarget
	stemLongest map[string]int
	// stem is a Russian word's stem, from the index's memos (stemming
	// costs more than the rest of a look-up).
	stem func(w string) string
}

func newDomainLexicon(idx *index, syn knowledge.Synonyms) domainLexicon {
	l := domainLexicon{terms: map[string][]synTarget{}, longest: map[string]int{},
		stemTerms: map[string][]synTarget{}, stemLongest: map[string]int{}, hanLeast: map[string]float64{}, stem: func(w string) string {
			if ts := idx.wordTerms(w); len(ts) == 1 {
				return ts[0]
			}
			if ruStop[w] {
				return w // no term starts with one: not worth stemming
			}
			return ruStem(w)
		}}
	add := func(from, to string, factor float64, line int) {
		key := Normalize(from)
		ids, complete := idx.textTerms(to)
		if key == "" || len(ids) == 0 || key == Normalize(to) {
			return
		}
		t := synTarget{ids: ids, complete: complete, factor: factor, via: fmt.Sprintf("%s:%d", knowledge.SynonymsFile, line)}
		if scriptOf(key) == han && !strings.Contains(key, " ") {
			l.hanTermLongest = max(l.hanTermLongest, utf8.RuneCountInString(key))
			least, seen := l.hanLeast[key]
			if !seen {
				least = math.Inf(1)
			}
			for _, id := range ids {
				least = min(least, idx.idf[id])
			}
			l.hanLeast[key] = least
		}
		l.terms[key] = append(l.terms[key], t)
		ws := strings.Fields(key)
		if len(ws) > 1 {
			l.longest[ws[0]] = max(l.longest[ws[0]], len(ws))
		}
		if k, ok := russianKey(ws); ok {
			l.stemTerms[k] = append(l.stemTerms[k], t)
			if len(ws) > 1 {
				first := strings.Fields(k)[0]
				l.stemLongest[first] = max(l.stemLongest[first], len(ws))
			}
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

// russianKey is the key of words with a Cyrillic word (stemWords joined);
// ok is false without one.
func russianKey(ws []string) (string, bool) {
	out, ok := stemWords(ws, ruStem)
	return strings.Join(out, " "), ok
}

// stemWords returns the words with each Cyrillic one's stem (by stem,
// folded: foldStem) and the others as they are, and whether one was
// Cyrillic: the words of a Russian term as stemTerms keys them, at build
// (ruStem) and in a question (the index's memos).
func stemWords(ws []string, stem func(string) string) ([]string, bool) {
	out := make([]string, len(ws))
	ok := false
	for i, w := range ws {
		out[i] = w
		if scriptOf(w) == cyrillic {
			out[i], ok = foldStem(stem(w)), true
		}
	}
	return out, ok
}

// foldStem is a Russian stem as the lexicon keys it: a country's
// inflections and adjectives are the country (ruDemonyms).
func foldStem(s string) string {
	if d, ok := ruDemonyms[s]; ok {
		return d
	}
	return s
}

// phraseAt finds the longest multiword term starting at ws[i], returning
// its length in words (0 if none) and what it stands for. Its last word
// may have an s the term has not: a possessive, whose apostrophe
// normalising drops ("xi jin ping's"), or a plural ("peace plans").
func (l *domainLexicon) phraseAt(ws []string, i int) (int, []synTarget) {
	if n, ts := phraseIn(l.terms, l.longest, ws, i); n > 0 || ws[i][0] < utf8.RuneSelf || scriptOf(ws[i]) != cyrillic {
		return n, ts
	}
	// "северного морского пути": the stems of its Cyrillic words.
	end := min(i+l.stemLongest[foldStem(l.stem(ws[i]))], len(ws))
	if end-i < 2 {
		return 0, nil
	}
	stems, _ := stemWords(ws[i:end], l.stem)
	return phraseIn(l.stemTerms, l.stemLongest, stems, 0)
}

// phraseIn is phraseAt in one of the lexicon's maps.
func phraseIn(terms map[string][]synTarget, longest map[string]int, ws []string, i int) (int, []synTarget) {
	n := min(longest[ws[i]], len(ws)-i)
	for ; n > 1; n-- {
		key := strings.Join(ws[i:i+n], " ")
		if ts, ok := terms[key]; ok {
			return n, ts
		}
		if s, ok := strings.CutSuffix(key, "s"); ok {
			if ts, ok := terms[s]; ok {
				return n, ts
			}
		}
	}
	return 0, nil
}

// word returns what a one-word term stands for; a Russian word, what
// its stem does when the word itself is no term.
func (l *domainLexicon) word(w string) []synTarget {
	if ts, ok := l.terms[w]; ok || w == "" || w[0] < utf8.RuneSelf {
		return ts
	}
	if scriptOf(w) == cyrillic {
		return l.stemTerms[foldStem(l.stem(w))]
	}
	return nil
}

// hanSpan is a term of the lexicon found inside a run of Chinese: its
// characters [start, end) and what it stands for.
type hanSpan struct {
	start, end int
	term       string
	targets    []synTarget
	least      float64 // its least idf among them (domainLexicon.hanLeast)
}

// hanTerms finds the lexicon's Chinese terms inside a run of Chinese
// characters (w), longest first from left to right: Chinese is written
// without spaces, so "中国为什么不支持俄罗斯" holds 中国 and 俄罗斯 as words.
func (l *domainLexicon) hanTerms(w string) []hanSpan {
	// at[i] is the byte offset of character i: a candidate is a slice of
	// w, and looking it up copies nothing.
	at := make([]int, 0, len(w)/3+1)
	for i := range w {
		at = append(at, i)
	}
	n := len(at)
	at = append(at, len(w))
	var out []hanSpan
	for i := 0; i < n; {
		k := min(l.hanTermLongest, n-i)
		for ; k >= 2; k-- {
			key := w[at[i]:at[i+k]]
			if ts, ok := l.terms[key]; ok {
				out = append(out, hanSpan{start: i, end: i + k, term: key, targets: ts, least: l.hanLeast[key]})
				break
			}
		}
		if k >= 2 {
			i += k
		} else {
			i++
		}
	}
	return out
}
