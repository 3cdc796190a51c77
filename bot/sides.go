package bot

import "slices"

// A question about the relationship names both sides of it. The two sides
// are the knowledge base's two most widespread terms (for this one, china
// and russia): every topic is about both. A question names a side when one
// of its words is that term, or stands for it through synonyms.yaml (a
// group, or a broader term: "the Kremlin", "Beijing"), or is a leader's
// name. Whether a question names both, one or neither is one of the
// signals of the decision (calibrate.go): it is fit from data like the
// others, not a rule.

// sideTerms are the two sides' term ids, or -1 when the index has too few
// terms, and which of the two is China's and which Russia's (-1 when
// neither is), for the words that stand for one of them.
type sideTerms struct {
	ids           [2]int32
	china, russia int
}

func findSides(idx *index) sideTerms {
	p := [2]int32{-1, -1}
	for id, ps := range idx.postings {
		n := len(ps)
		switch {
		case p[0] < 0 || n > len(idx.postings[p[0]]):
			p[1], p[0] = p[0], int32(id)
		case p[1] < 0 || n > len(idx.postings[p[1]]):
			p[1] = int32(id)
		}
	}
	side := func(term string) int {
		if id, ok := idx.vocab[term]; ok {
			return slices.Index(p[:], id)
		}
		return -1
	}
	return sideTerms{ids: p, china: side("china"), russia: side("russia")}
}

// pairWords name both sides at once.
var pairWords = set(`bilateral sino-russian russo-chinese china-russia russia-china chinese-russian russian-chinese sino-soviet`)

// sovietWords name the Soviet Union, Russia's side before 1991.
var sovietWords = set(`soviet soviets ussr`)

// sides returns how many sides the question names, over two: 0, 0.5 or 1.
func (idx *index) sides(qs []qterm) float64 {
	var side [2]bool
	for _, t := range qs {
		if pairWords[t.word] {
			return 1
		}
		for k, id := range idx.sideTerms.ids {
			if id >= 0 && t.id == id && t.how <= MatchSynonym {
				side[k] = true
			}
		}
		if k := idx.leaderSide(t.word); k >= 0 {
			side[k] = true
		}
		if k := idx.sideTerms.russia; sovietWords[t.word] && k >= 0 {
			side[k] = true
		}
	}
	n := 0.0
	for _, s := range side {
		if s {
			n += 0.5
		}
	}
	return n
}

// leaderSide returns the side a leader's name stands for (-1 for none):
// Xi for China, Putin for Russia, as the leader words of timeline.go say.
func (idx *index) leaderSide(w string) int {
	switch {
	case xiWords[w]:
		return idx.sideTerms.china
	case putinWords[w]:
		return idx.sideTerms.russia
	}
	return -1
}
