// Package realset holds the sets of real questions: questions people wrote
// on public pages, kept exactly as written, each with the page it came from
// and the topics that would answer it. real.yaml is the development set the
// engine was built against; real-test.yaml is a held-out test set collected
// afterwards from other pages, only ever measured. Both measure the engine;
// nothing here is ever copied into topics or tests.yaml.
package realset

import (
	_ "embed"
	"fmt"
	"net/url"
	"strings"
)

//go:embed real.yaml
var realYAML []byte

//go:embed real-test.yaml
var testYAML []byte

//go:embed planned.txt
var plannedTxt string

// File is where the development set lives in the source tree, for messages;
// TestFile is where the held-out test set lives.
const (
	File     = "knowledge/eval/real.yaml"
	TestFile = "knowledge/eval/real-test.yaml"
)

// Set is one embedded file of real questions.
type Set struct {
	// Name is "development" or "test".
	Name string
	// File is the set's path in the source tree.
	File string
	// HeldOut marks the test set: measured, never developed or tuned on.
	HeldOut bool
	src     []byte
}

// Load parses the set.
func (s Set) Load() ([]Question, error) { return ParseFile(s.File, s.src) }

// Development returns the development set (real.yaml).
func Development() Set { return Set{Name: "development", File: File, src: realYAML} }

// Test returns the held-out test set (real-test.yaml).
func Test() Set { return Set{Name: "test", File: TestFile, HeldOut: true, src: testYAML} }

// Sets returns every embedded set, the development set first.
func Sets() []Set { return []Set{Development(), Test()} }

// Question is one real question.
type Question struct {
	Question string
	URL      string
	// Expect lists the topic ids that answer the question, best first. It is
	// empty for an in-scope question no topic covers yet (see Uncovered).
	Expect []string
	// OffTopic marks a question the bot must decline (expect: none).
	OffTopic bool
	Line     int
}

// Uncovered reports an in-scope question that no topic answers yet.
func (q Question) Uncovered() bool { return !q.OffTopic && len(q.Expect) == 0 }

// Planned returns the topic ids the content helpers announced but that may
// not be merged yet; an expect id must be an existing topic or one of these.
func Planned() []string {
	var ids []string
	for _, l := range strings.Split(plannedTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			ids = append(ids, l)
		}
	}
	return ids
}

// Parse reads a set in the real.yaml format; errors name real.yaml.
func Parse(src []byte) ([]Question, error) { return ParseFile(File, src) }

// ParseFile reads a set in the real.yaml format, naming file in errors.
// Every entry needs a question, an http(s) url and an expect (none, or a list
// of ids); questions must be unique (compared case- and space-insensitively).
func ParseFile(file string, src []byte) ([]Question, error) {
	var raws []raw
	if err := unmarshal(src, &raws); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	seen := map[string]int{}
	out := make([]Question, 0, len(raws))
	for _, r := range raws {
		line := r.line
		q := Question{Question: r.Question, URL: r.URL, Line: line}
		if strings.TrimSpace(r.Question) == "" {
			return nil, fmt.Errorf("%s:%d: empty question", file, line)
		}
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s:%d: url %q is not an http(s) address", file, line, r.URL)
		}
		switch e := r.Expect.(type) {
		case string:
			if e != "none" {
				return nil, fmt.Errorf("%s:%d: expect must be none or a list of topic ids, not %q", file, line, e)
			}
			q.OffTopic = true
		case []any:
			for _, id := range e {
				s, ok := id.(string)
				if !ok || strings.TrimSpace(s) == "" {
					return nil, fmt.Errorf("%s:%d: expect holds %v, not a topic id", file, line, id)
				}
				q.Expect = append(q.Expect, s)
			}
		default:
			return nil, fmt.Errorf("%s:%d: expect is missing (none, [] or [ids])", file, line)
		}
		key := Key(r.Question)
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s:%d: question repeats line %d", file, line, prev)
		}
		seen[key] = line
		out = append(out, q)
	}
	return out, nil
}

// Key is the form two questions are compared in: lower case, single spaces.
func Key(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
