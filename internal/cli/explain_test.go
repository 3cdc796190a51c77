package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/summitbot/summitbot/bot"
)

func TestAskExplain(t *testing.T) {
	code, out, _ := run(t, "", "ask", "--explain", "--kb", fixtureKB, "pwer of sibera")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	// The fixture is too small to fit a model on: its confidence is the
	// ranking's score, and --explain says so.
	for _, want := range []string{"Words:", "typo", "Candidates", "1. ", "credit", "the ranking's score"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "", "ask", "--explain", "--json", "--kb", fixtureKB, "power of siberia")
	var ex bot.Explanation
	if code != exitOK || json.Unmarshal([]byte(out), &ex) != nil || len(ex.Candidates) == 0 || ex.Candidates[0].Topic.ID != "power-of-siberia" {
		t.Errorf("--explain --json: exit %d, %.200s", code, out)
	}
	if code, _, _ := run(t, "", "ask", "--explain", "--kb", fixtureKB); code != exitUsage {
		t.Errorf("--explain without a question: exit %d, want %d", code, exitUsage)
	}
}

// --explain says when the timeline answers, and which sentence of a
// question of several answers when the whole would be declined.
func TestAskExplainSaysWhatAnswers(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"Glonass? My grandmother's cookbook has lasagne, dumplings and shortbread.", `this sentence of it is answered on its own: "Glonass"`},
		{"Lasagne recipe with ricotta and basil. How many times have they met?", "The summit timeline answers this question"},
	} {
		code, out, _ := run(t, "", "ask", "--explain", c.q)
		if code != exitOK || !strings.Contains(out, c.want) {
			t.Errorf("--explain %.50q: exit %d, output lacks %q:\n%.600s", c.q, code, c.want, out)
		}
	}
}
