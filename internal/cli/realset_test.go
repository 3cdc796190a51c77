package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// kb eval scores the embedded real-question set beside the regression set,
// whatever knowledge base it is given, and lists the misses only on request.
func TestEvalRealSet(t *testing.T) {
	code, out, _ := run(t, "", "kb", "eval", "--kb", fixtureKB)
	if code != exitOK || !strings.Contains(out, "Real questions nobody here wrote") ||
		!strings.Contains(out, "whose topics are not in this knowledge base yet") ||
		!strings.Contains(out, "list them with --real-misses") || strings.Contains(out, "misses on real questions") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--real-misses")
	if code != exitOK || !strings.Contains(out, "summitbot misses on real questions") || !strings.Contains(out, "real.yaml:") {
		t.Errorf("--real-misses: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--json")
	var v struct {
		Real []struct {
			Ranker  string           `json:"ranker"`
			Unknown int              `json:"unknown_topics"`
			Misses  []map[string]any `json:"misses"`
		} `json:"real"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || len(v.Real) != 3 || v.Real[0].Ranker != "summitbot" ||
		v.Real[0].Unknown == 0 || v.Real[0].Misses != nil {
		t.Errorf("--json: exit %d, %+v", code, v)
	}
}
