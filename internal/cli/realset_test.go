package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// kb eval scores the embedded real-question sets beside the regression set,
// whatever knowledge base it is given: the development set's misses only on
// request, the held-out test set after it, its misses never.
func TestEvalRealSet(t *testing.T) {
	code, out, _ := run(t, "", "kb", "eval", "--kb", fixtureKB)
	dev, held := strings.Index(out, "Real questions nobody here wrote"), strings.Index(out, "Held-out test set, measured only")
	if code != exitOK || dev < 0 || held < dev ||
		!strings.Contains(out, "whose topics are not in this knowledge base yet") ||
		!strings.Contains(out, "list them with --real-misses") || strings.Contains(out, "misses on real questions") ||
		!strings.Contains(out, "not listed for the held-out set") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--real-misses")
	if code != exitOK || !strings.Contains(out, "summitbot misses on real questions") || !strings.Contains(out, "real.yaml:") ||
		strings.Contains(out, "real-test.yaml:") {
		t.Errorf("--real-misses: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--json")
	type real []struct {
		Ranker    string           `json:"ranker"`
		Unknown   int              `json:"unknown_topics"`
		MissCount int              `json:"miss_count"`
		Misses    []map[string]any `json:"misses"`
	}
	var v struct {
		Real     real `json:"real"`
		RealTest real `json:"real_test"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || len(v.Real) != 3 || v.Real[0].Ranker != "summitbot" ||
		v.Real[0].Unknown == 0 || v.Real[0].Misses != nil || len(v.RealTest) != 3 || v.RealTest[0].Ranker != "summitbot" ||
		v.RealTest[0].Unknown == 0 || v.RealTest[0].MissCount == 0 {
		t.Errorf("--json: exit %d, %+v", code, v)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--json", "--real-misses")
	v.Real, v.RealTest = nil, nil
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || len(v.Real) != 3 || v.Real[0].Misses == nil ||
		len(v.RealTest) != 3 || v.RealTest[0].Misses != nil {
		t.Errorf("--json --real-misses: exit %d, %+v", code, v)
	}
}
