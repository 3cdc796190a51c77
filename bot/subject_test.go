package bot

import (
	"testing"

	"github.com/summitbot/summitbot/bot/lexicon"
	"github.com/summitbot/summitbot/knowledge"
)

// TestSubjectFit: fit on the knowledge base's own questions, the kinds of
// word that name an off-topic subject (food, animals, plants, weather)
// score as off-topic, the general vocabulary of analysis and of the
// knowledge base's own questions (verbs of social life, adverbs) does
// not, and a word WordNet lacks is neutral.
func TestSubjectFit(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	s := idx.subject
	for _, f := range []int{5, 13, 20, 43} { // noun.animal, noun.food, noun.plant, verb.weather
		if s.file[f] <= 0 {
			t.Errorf("%s: log-odds %.2f, want off-topic (> 0)", lexicon.File(f), s.file[f])
		}
	}
	for _, f := range []int{2, 41} { // adv.all, verb.social
		if s.file[f] >= 0 {
			t.Errorf("%s: log-odds %.2f, want in-scope (< 0)", lexicon.File(f), s.file[f])
		}
	}
	for _, pair := range [][2]string{{"borscht", "chances"}, {"lasagna", "prospects"}, {"puppy", "cooperate"}, {"dumplings", "lately"}} {
		if off, in := s.score(pair[0]), s.score(pair[1]); off <= in {
			t.Errorf("score(%q) = %.2f, not above score(%q) = %.2f", pair[0], off, pair[1], in)
		}
	}
	if v := s.score("zxqvw"); v != 0 || s.english("zxqvw") || !s.english("dumplings") {
		t.Errorf("a word WordNet lacks: score %.2f, english %v", v, s.english("zxqvw"))
	}
	var none *subjectFit
	if none.score("borscht") != 0 || none.english("borscht") {
		t.Error("a nil fit must score every word 0")
	}
}

// TestSubjectFitWithoutData: with no off-topic questions to fit on, every
// file is even.
func TestSubjectFitWithoutData(t *testing.T) {
	kb := &knowledge.KB{}
	fit := newSubjectFit(buildIndex(kb), kb, nil)
	for f, v := range fit.file {
		if v != 0 {
			t.Fatalf("%s: %.2f with nothing to fit on", lexicon.File(f), v)
		}
	}
}

// TestEnglishWordIsNoTypo: a word two edits from a knowledge-base word but
// itself English ("dumplings", near "dump") stays unknown and carries the
// kind of its senses; a slip that is no word still matches.
func TestEnglishWordIsNoTypo(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	qs := idx.resolve(words("dumplings"))
	if len(qs) != 1 || qs[0].how != MatchUnknown || qs[0].subject <= 0 {
		t.Errorf("dumplings resolved to %+v, want one unknown, off-topic word", qs)
	}
	qs = idx.resolve(words("sanctoins"))
	if len(qs) == 0 || qs[0].how != MatchTypo {
		t.Errorf("sanctoins resolved to %+v, want a typo match", qs)
	}
}
