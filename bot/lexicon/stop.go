package lexicon

// functionWords are English words that WordNet lists as content words in
// senses nobody means in a question: "is" as the verb be (equal, hold),
// "in" as Indiana or inch, "it" as information technology, "us" as the
// United States (the knowledge base's own lexicon names the United States),
// "first" and "third" as gears of a car. Expand returns nothing for them.
var functionWords = setOf(
	// be, have, do and the modal verbs, in every form
	"be", "am", "is", "are", "was", "were", "been", "being", "'s", "'re", "'m",
	"have", "has", "had", "having", "do", "does", "did", "done", "doing",
	"can", "could", "may", "might", "must", "shall", "should", "will", "would",
	// pronouns and determiners
	"i", "me", "my", "mine", "we", "us", "our", "ours", "you", "your", "yours",
	"he", "him", "his", "she", "her", "hers", "it", "its", "they", "them", "their", "theirs",
	"this", "that", "these", "those", "who", "whom", "whose", "which", "what",
	"a", "an", "the", "some", "any", "no", "not", "each", "every", "all", "both",
	"either", "neither", "other", "another", "such", "own", "same",
	"one", "first", "second", "third", "last", "next",
	// prepositions, conjunctions, adverbs of degree and place
	"in", "on", "at", "by", "for", "of", "to", "from", "with", "without", "into",
	"onto", "over", "under", "about", "above", "below", "after", "before", "between",
	"through", "during", "against", "among", "across", "along", "around", "off",
	"out", "up", "down", "upon", "within", "via", "per",
	"and", "or", "but", "nor", "so", "yet", "if", "then", "than", "as", "because",
	"while", "when", "where", "why", "how", "whether", "though", "although",
	"very", "too", "also", "just", "only", "even", "still", "ever", "never",
	"here", "there", "now", "again", "more", "most", "less", "least", "much",
	"many", "few", "well", "s", "t",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
