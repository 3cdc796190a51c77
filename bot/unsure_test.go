package bot

import (
	"strings"
	"testing"
)

// TestUnsureNote: an answer given because the question is in scope, while
// its topic's own confidence is below the threshold, says it is the
// closest topic and not a sure one; a confident answer does not.
func TestUnsureNote(t *testing.T) {
	b := embeddedBot(t)
	unsure := 0
	for _, tc := range b.idx.Load().kb.Tests {
		a := ask(b, tc.Question)
		if !a.Answered || a.Topic == nil || strings.HasPrefix(a.Text, "My timeline") {
			continue
		}
		low := a.Confidence < b.Threshold()
		if low {
			unsure++
		}
		if has := strings.Contains(a.Note, msgUnsure); has != low {
			t.Errorf("%q: confidence %.3f, note %q; want the unsure note only below %.2f", tc.Question, a.Confidence, a.Note, b.Threshold())
		}
	}
	if unsure == 0 {
		t.Error("no regression question was answered below the threshold: the test checks nothing")
	}
}
