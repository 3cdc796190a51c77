package lexicon_test

import (
	"fmt"

	"github.com/summitbot/summitbot/bot/lexicon"
)

func ExampleExpand() {
	// known is the knowledge base's vocabulary; Expand offers only terms in it.
	vocabulary := map[string]bool{"europe": true, "european country": true, "treaty": true, "mediation": true}
	known := func(term string) bool { return vocabulary[term] }
	for _, word := range []string{"Poland", "pacts", "mediated"} {
		for _, e := range lexicon.Expand(word, known) {
			fmt.Printf("%s → %s (%s, sense %d)\n", word, e.Term, e.Rel, e.Sense)
		}
	}
	// Output:
	// Poland → european country (hypernym, sense 1)
	// Poland → europe (holonym, sense 1)
	// pacts → treaty (synonym, sense 1)
	// mediated → mediation (derivation, sense 1)
}
