package lexicon

import (
	"github.com/summitbot/summitbot/internal/testutil"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/summitbot/summitbot/knowledge"
)

// kbTerms returns the distinct words of the embedded knowledge base's
// topics, as an index builder would meet them.
func kbTerms(tb testing.TB) []string {
	kb, err := knowledge.LoadDir("", time.Time{})
	if err != nil {
		tb.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range kb.Topics {
		text := strings.Join(append(append([]string{t.Title, t.Answer, t.Details}, t.Aliases...), append(t.Questions, t.Keywords...)...), " ")
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// BenchmarkExpandIndex is the index-build cost: Expand once for every
// distinct word of the embedded knowledge base, known being the set of
// those words. The target is well under 100 ms per build.
func BenchmarkExpandIndex(b *testing.B) {
	terms := kbTerms(b)
	known := knownSet(terms...)
	data()
	for b.Loop() {
		for _, w := range terms {
			Expand(w, known)
		}
	}
	b.ReportMetric(float64(len(terms)), "words")
}

// BenchmarkDecode is the one-off cost of the first Expand in a process,
// and the heap the decoded table keeps.
func BenchmarkDecode(b *testing.B) {
	heap := testutil.RetainedHeap(func() *table {
		t, err := decode(compressed)
		if err != nil {
			b.Fatal(err)
		}
		return t
	})
	for b.Loop() {
		if _, err := decode(compressed); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(heap)/(1<<20), "MiB-table")
}
