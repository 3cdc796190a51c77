package bot

import (
	"context"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

// TestEmbeddedRegressionSet runs knowledge/data/tests.yaml against the
// embedded knowledge base, so `go test ./...` catches a moderator's edit
// that breaks answers before it ships, as `kb test` does: every question
// not marked `known` lands where it must, and known misses stay few (at
// most 3% of the set).
func TestEmbeddedRegressionSet(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{Prefix: knowledge.EmbeddedPrefix})
	if err != nil {
		t.Fatalf("embedded knowledge base: %v", err)
	}
	if len(kb.Warnings) > 0 {
		t.Errorf("kb lint --strict would fail: %v", kb.Warnings)
	}
	b := New(kb, Options{})
	passed, known := 0, 0
	for _, tc := range kb.Tests {
		a := b.Ask(context.Background(), Question{Text: tc.Question, Platform: PlatformCLI})
		got := knowledge.None
		if a.Answered {
			got = a.Topic.ID
		}
		switch {
		case got == tc.Expect:
			passed++
		case tc.Known != "":
			known++
			t.Logf("known miss, tests.yaml:%d: %q: expected %s, got %s (%.2f)", tc.Line, tc.Question, tc.Expect, got, a.Confidence)
		default:
			t.Errorf("tests.yaml:%d: %q: expected %s, got %s (%.2f)", tc.Line, tc.Question, tc.Expect, got, a.Confidence)
		}
	}
	if len(kb.Tests) < 250 || float64(known) > 0.03*float64(len(kb.Tests)) {
		t.Errorf("regression set: %d of %d passed, %d known misses; want at least 250 questions and at most 3%% known misses", passed, len(kb.Tests), known)
	}
}
