package vectors

import (
	"github.com/summitbot/summitbot/internal/testutil"
	"testing"
)

// benchWords are the words of a question about the two countries, some
// of them not in the table.
var benchWords = []string{"why", "did", "the", "power", "of", "siberia", "pipeline", "deal", "between",
	"russia", "and", "china", "take", "so", "long", "gazprom", "cnpc", "negotiate", "sanctions", "2014"}

// BenchmarkFind is one lookup, hits and misses mixed as in a question.
func BenchmarkFind(b *testing.B) {
	data()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Find(benchWords[i%len(benchWords)])
		i++
	}
}

// BenchmarkAddTo is adding one word's vector to a sum.
func BenchmarkAddTo(b *testing.B) {
	r, _ := Find("pipeline")
	var v [Dim]float32
	b.ReportAllocs()
	for b.Loop() {
		r.AddTo(&v, 0.5)
	}
}

// BenchmarkParse is the one-off cost of the first Find in a process, and
// the heap the parsed table keeps.
func BenchmarkParse(b *testing.B) {
	heap := testutil.RetainedHeap(func() table {
		t, err := parse(embedded)
		if err != nil {
			b.Fatal(err)
		}
		return t
	})
	for b.Loop() {
		if _, err := parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
	// After the loop: b.Loop's first call resets the reported metrics.
	b.ReportMetric(float64(heap), "heap-B")
}

// TestNoAllocs holds Find, AddTo and the first use to no allocation.
func TestNoAllocs(t *testing.T) {
	var v [Dim]float32
	tests := map[string]func(){
		"Find hit":  func() { Find("pipeline") },
		"Find miss": func() { Find("gazprom") },
		"AddTo": func() {
			r, _ := Find("gas")
			r.AddTo(&v, 1)
		},
		"parse": func() { parse(embedded) },
	}
	for name, f := range tests {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}
