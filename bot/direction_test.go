package bot

import (
	"strings"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// testParties are the parties' names as synonyms.yaml gives them, and a
// multiword name that holds one of them.
func testParties() partyNames {
	return newPartyNames(knowledge.Synonyms{
		Groups: []knowledge.SynonymGroup{
			{Terms: []string{"china", "prc", "people's republic of china", "中国", "китай"}},
			{Terms: []string{"russia", "russian federation", "россия"}},
			{Terms: []string{"taiwan", "chinese taipei"}},
			{Terms: []string{"power of siberia", "sila sibiri"}},
		},
		Broader: []knowledge.BroaderTerm{
			{Narrow: []string{"the kremlin", "kremlin", "moscow"}, Broad: "russia"},
			{Narrow: []string{"beijing", "zhongnanhai"}, Broad: "china"},
			{Narrow: []string{"siberia"}, Broad: "russia"},
		},
	}, nil)
}

func TestReadDirection(t *testing.T) {
	pn := testParties()
	for _, tc := range []struct {
		text string
		want direction
		cue  string // the marker that decided ("" for the order of the names)
		flip string
	}{
		// The same flow, said four ways.
		{"Russian arms sales to China", dirRussiaToChina, "to", ""},
		{"China buys Russian weapons", dirRussiaToChina, "", "buys"},
		{"does China buy weapons from Russia?", dirRussiaToChina, "from", ""},
		{"is Russia still selling China fighter jets?", dirRussiaToChina, "is", ""},
		// And its reverse.
		{"is china arming russia", dirChinaToRussia, "is", ""},
		{"does China sell weapons to Russia", dirChinaToRussia, "to", ""},
		{"Chinese goods to Russia", dirChinaToRussia, "to", ""},
		{"Russian oil to China", dirRussiaToChina, "to", ""},
		{"how much oil does China import from Russia", dirRussiaToChina, "from", ""},
		{"Chinese imports of Russian oil", dirRussiaToChina, "of", "imports"},
		{"how much Russian oil does China buy", dirRussiaToChina, "does", "buy"},
		// Wants and views: the holder is the agent.
		{"what does russia want from china", dirChinaToRussia, "from", ""},
		{"what does china want from russia", dirRussiaToChina, "from", ""},
		{"China's view of Russia", dirChinaToRussia, "of", ""},
		{"Russia's view of China", dirRussiaToChina, "of", ""},
		{"what do Russians think of China?", dirRussiaToChina, "do", ""},
		{"public opinion in Russia about China", dirRussiaToChina, "in", ""},
		{"Chinese investment in Russia", dirChinaToRussia, "in", ""},
		{"how popular is China in Russia?", dirRussiaToChina, "in", ""},
		{"is China helping Russia get round sanctions", dirChinaToRussia, "is", ""},
		{"what did Blinken say about China helping Russia", dirChinaToRussia, "", ""},
		{"the share of Chinese cars in Russia", dirChinaToRussia, "in", ""},
		{"does China want to take back the Russian Far East", dirChinaToRussia, "does", ""},
		// Dependence runs the other way from the dependent.
		{"Russia's dependence on China", dirChinaToRussia, "on", "dependence"},
		{"is China dependent on Russia?", dirRussiaToChina, "is", "dependent"},
		{"is China Russia's best oil customer", dirRussiaToChina, "is", "customer"},
		{"is Russia China's junior partner", dirRussiaToChina, "is", ""},
		// Other names of the parties.
		{"does Moscow still arm Beijing", dirRussiaToChina, "does", ""},
		{"what Beijing wants from the Kremlin", dirRussiaToChina, "from", ""},
		{"Putin's view of Xi", dirRussiaToChina, "of", ""},
		{"exports from the People's Republic of China to the Russian Federation", dirChinaToRussia, "from", ""},
		{"Китай Россия", dirMutual, "", ""},
		{"Россия продаёт оружие Китаю", dirRussiaToChina, "", ""},
		// Both at once.
		{"trade between China and Russia", dirMutual, "and", ""},
		{"between China and Russia, who sells more?", dirMutual, "and", ""},
		{"China's trade with Russia", dirMutual, "with", ""},
		{"China–Russia relations", dirMutual, "", ""},
		{"sino-russian trade", dirMutual, "sino-russian", ""},
		{"which side sells arms to the other, russia or china?", dirMutual, "or", ""},
		{"is China's economy bigger than Russia's?", dirMutual, "than", ""},
		{"Китай и Россия: друзья или соперники?", dirMutual, "и", ""},
		{"торговля России с Китаем", dirMutual, "с", ""},
		{"отношения России и Китая", dirMutual, "и", ""}, // Китая stems кит, not Китай's кита
		// No reading: one party, or none, or markers that contradict.
		{"what does russia want", dirUnknown, "", ""},
		{"Power of Siberia gas to China", dirUnknown, "", ""},
		{"trade between China and India", dirUnknown, "", ""},
		{"Chinese Taipei and Russia", dirUnknown, "", ""},
		{"from china from russia", dirUnknown, "", ""},
		{"", dirUnknown, "", ""},
	} {
		got := pn.read(words(tc.text))
		if got.dir != tc.want || got.cue != tc.cue || got.flip != tc.flip {
			t.Errorf("%q reads %v (cue %q, flip %q), want %v (cue %q, flip %q)", tc.text, got.dir, got.cue, got.flip, tc.want, tc.cue, tc.flip)
		}
	}
}

func TestAgreement(t *testing.T) {
	for _, tc := range []struct {
		a, b direction
		want float64
	}{
		{dirChinaToRussia, dirChinaToRussia, 1},
		{dirRussiaToChina, dirRussiaToChina, 1},
		{dirChinaToRussia, dirRussiaToChina, -1},
		{dirRussiaToChina, dirChinaToRussia, -1},
		{dirMutual, dirChinaToRussia, 0},
		{dirMutual, dirMutual, 0},
		{dirUnknown, dirRussiaToChina, 0},
		{dirChinaToRussia, dirUnknown, 0},
	} {
		if got := agreement(tc.a, tc.b); got != tc.want {
			t.Errorf("agreement(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestReadManyNames: past maxMentions names, two names side by side are
// compared with the last name read, not the last one kept.
func TestReadManyNames(t *testing.T) {
	pn := testParties()
	text := strings.Repeat("from china to russia ", maxMentions/2) + "from china china"
	if got := pn.read(words(text)); got.dir == dirMutual {
		t.Errorf("%q read as mutual: the last two names are both China's", text)
	}
}

// A topic's phrase that runs the other way is not like the question: the
// two readings of the same words land on different topics.
func TestOppositePhraseIsNotLikeTheQuestion(t *testing.T) {
	b := embeddedBot(t)
	for _, tc := range []struct{ q, want string }{
		{"does russia supply china with weapons", "arms-sales"},
		{"is russia arming china", "arms-sales"},
		{"is china supplying weapons to russia", "dual-use-goods"},
		{"is china arming russia", "dual-use-goods"},
	} {
		if r := b.Rank(tc.q, 1); len(r) == 0 || r[0].ID != tc.want {
			t.Errorf("Rank(%q) = %v, want %s first", tc.q, r, tc.want)
		}
	}
}
