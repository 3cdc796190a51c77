package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestWriteInChunks writes more rows than one INSERT takes, so that full
// chunks use the statements built at open and the rest new ones.
func TestWriteInChunks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openTest(t, url)
		for _, tb := range []table{declinedTable, feedbackTable} {
			q := s.insertStatement(tb, insertChunk)
			if q != s.insertSQL(tb, insertChunk) || strings.Count(q, "),(") != insertChunk-1 {
				t.Errorf("full-chunk INSERT into %s is not the one for %d rows", tb.name, insertChunk)
			}
			if s.insertStatement(tb, 2) != s.insertSQL(tb, 2) {
				t.Errorf("INSERT of 2 rows into %s is wrong", tb.name)
			}
		}
		now := time.Now()
		declined := make([]declinedRow, 2*insertChunk+3)
		for i := range declined {
			declined[i] = declinedRow{id: newID(), at: now, question: "q", platform: "discord"}
		}
		feedback := make([]feedbackRow, insertChunk)
		for i := range feedback {
			feedback[i] = feedbackRow{id: newID(), at: now, topicID: "t", platform: "slack", helpful: i%2 == 0}
		}
		if err := s.write(context.Background(), declined, feedback); err != nil {
			t.Fatal(err)
		}
		if d, f := count(t, s, "declined"), count(t, s, "feedback"); d != len(declined) || f != len(feedback) {
			t.Errorf("stored %d declined, %d feedback; want %d, %d", d, f, len(declined), len(feedback))
		}
	})
}
