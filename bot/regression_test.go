package bot

import (
	"context"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// TestEmbeddedRegressionSet runs knowledge/data/tests.yaml against the
// embedded knowledge base, so `go test ./...` catches a moderator's edit
// that breaks answers before it ships. The bar is the project's target:
// at least 95% of the questions land where they must.
func TestEmbeddedRegressionSet(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{Prefix: knowledge.EmbeddedPrefix})
	if err != nil {
		t.Fatalf("embedded knowledge base: %v", err)
	}
	if len(kb.Warnings) > 0 {
		t.Errorf("kb lint --strict would fail: %v", kb.Warnings)
	}
	b := New(kb, Options{})
	passed := 0
	for _, tc := range kb.Tests {
		a := b.Ask(context.Background(), Question{Text: tc.Question, Platform: PlatformCLI})
		got := knowledge.None
		if a.Answered {
			got = a.Topic.ID
		}
		if got == tc.Expect {
			passed++
		} else {
			t.Logf("tests.yaml:%d: %q: expected %s, got %s (%.2f)", tc.Line, tc.Question, tc.Expect, got, a.Confidence)
		}
	}
	rate := float64(passed) / float64(len(kb.Tests))
	if len(kb.Tests) < 250 || rate < 0.95 {
		t.Errorf("regression set: %d of %d passed (%.1f%%); want at least 250 questions and 95%%", passed, len(kb.Tests), 100*rate)
	}
}
