package realset

import (
	"slices"
	"strings"
	"testing"
)

// TestParseLines: each entry's line comes from the syntax tree. Lines used
// to be found by scanning the text for "- " at the start of a line, so an
// indented or flow-style list had every line 0.
func TestParseLines(t *testing.T) {
	tests := []struct {
		name, src string
		want      []int
	}{
		{"block", "# c\n\n- question: A\n  url: https://a.example/\n  expect: none\n- question: B\n  url: https://b.example/\n  expect: []\n", []int{3, 6}},
		{"indented", "  - question: A\n    url: https://a.example/\n    expect: none\n  - question: B\n    url: https://b.example/\n    expect: [x]\n", []int{1, 4}},
		{"flow", "[{question: A, url: 'https://a.example/', expect: none},\n {question: B, url: 'https://b.example/', expect: [x]}]\n", []int{1, 2}},
		{"key on the next line", "-\n  question: A\n  url: https://a.example/\n  expect: none\n", []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, q := range qs {
				got = append(got, q.Line)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines %v, want %v", got, tt.want)
			}
		})
	}
}

// TestParseErrorPositions: a malformed document is reported at the line
// and column of what is wrong.
func TestParseErrorPositions(t *testing.T) {
	const ok = "- question: A\n  url: https://a.example/\n  expect: none\n"
	tests := []struct{ name, src, want string }{
		{"unknown field", ok + "- question: B\n  url: https://b.example/\n  note: x\n", File + `: 6:3: unknown field "note" in entry 2`},
		{"url a list", "- question: A\n  url: [https://a.example/]\n  expect: none\n", File + ": 2:8: url is a single value, not a list"},
		{"question a mapping", "- question: {a: b}\n  url: https://a.example/\n  expect: none\n", File + ": 1:13: question is a single value, not a mapping"},
		{"expect a mapping", ok + "- question: B\n  url: https://b.example/\n  expect: {a: b}\n", File + ": 6:11: expect is none or a list of topic ids, not a mapping"},
		{"entry a scalar", ok + "- just text\n", File + ": 4:3: cannot decode entry 2: it is a mapping"},
		{"set a mapping", "question: A\n", File + ": 1:9: cannot decode the set: it is a list"},
		{"duplicate key", "- question: A\n  question: B\n", File + ": 2:3: "},
		{"syntax", ok + "- question: [B\n", File + ": "},
		{"two documents", ok + "---\n" + ok, File + ": 5:1: only one YAML document"},
		{"alias", "- question: &q A\n  url: https://a.example/\n  expect: none\n- question: *q\n", File + ": 4:13: question is a single value, not an alias"},
		{"expect item not an id", "- question: A\n  url: https://a.example/\n  expect: [[a]]\n", File + ":1: expect holds [a], not a topic id"},
		{"expect a number", "- question: A\n  url: https://a.example/\n  expect: 5\n", File + `:1: expect must be none or a list of topic ids, not "5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want one starting %q", err, tt.want)
			}
		})
	}
}
