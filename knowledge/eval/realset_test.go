package realset

import (
	"strings"
	"testing"

	"github.com/summitbot/summitbot/knowledge"
)

func TestEmbeddedSetIsLargeEnough(t *testing.T) {
	qs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var in, off int
	for _, q := range qs {
		if q.OffTopic {
			off++
		} else {
			in++
		}
	}
	if in < 150 || off < 40 {
		t.Errorf("%d in-scope and %d off-topic questions; the set needs at least 150 and 40", in, off)
	}
}

// TestExpectIDsExist: every id names a topic of the embedded knowledge base or
// one the content helpers planned (planned.txt), so a typo cannot hide as an
// "unknown" topic.
func TestExpectIDsExist(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]bool{}
	for _, id := range Planned() {
		planned[id] = true
	}
	qs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		for _, id := range q.Expect {
			if _, ok := kb.Topic(id); !ok && !planned[id] {
				t.Errorf("%s:%d: %q is neither a topic nor a planned one", File, q.Line, id)
			}
		}
	}
}

// TestNeverCopiedIntoTheKnowledgeBase: the set measures; if its questions
// were pasted into topics or tests.yaml it would measure nothing.
func TestNeverCopiedIntoTheKnowledgeBase(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{}
	for _, tc := range kb.Tests {
		where[Key(tc.Question)] = "tests.yaml"
	}
	for _, tp := range kb.Topics {
		for _, s := range append(append([]string{tp.Title}, tp.Aliases...), tp.Questions...) {
			where[Key(s)] = "topic " + tp.ID
		}
	}
	qs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if w, ok := where[Key(q.Question)]; ok {
			t.Errorf("%s:%d: %q was copied into %s", File, q.Line, q.Question, w)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, src, err string
		want           []Question
	}{
		{name: "in scope", src: "- question: Why?\n  url: https://a.example/x\n  expect: [a, b]\n",
			want: []Question{{Question: "Why?", URL: "https://a.example/x", Expect: []string{"a", "b"}, Line: 1}}},
		{name: "off topic", src: "# c\n- question: Tie?\n  url: http://b.example/\n  expect: none\n",
			want: []Question{{Question: "Tie?", URL: "http://b.example/", OffTopic: true, Line: 2}}},
		{name: "uncovered", src: "- question: Q\n  url: https://c.example/\n  expect: []  # no topic covers this\n",
			want: []Question{{Question: "Q", URL: "https://c.example/", Line: 1}}},
		{name: "ftp url", src: "- question: Q\n  url: ftp://c.example/\n  expect: none\n", err: "not an http(s) address"},
		{name: "bare url", src: "- question: Q\n  url: c.example/x\n  expect: none\n", err: "not an http(s) address"},
		{name: "no expect", src: "- question: Q\n  url: https://c.example/\n", err: "expect is missing"},
		{name: "bad expect", src: "- question: Q\n  url: https://c.example/\n  expect: maybe\n", err: "must be none or a list"},
		{name: "empty question", src: "- question: ' '\n  url: https://c.example/\n  expect: none\n", err: "empty question"},
		{name: "duplicate", src: "- question: Why  not?\n  url: https://c.example/\n  expect: none\n- question: why not?\n  url: https://d.example/\n  expect: none\n",
			err: ":4: question repeats line 1"},
		{name: "unknown field", src: "- question: Q\n  url: https://c.example/\n  expect: none\n  note: x\n", err: "note"},
		{name: "tagged scalar for the list", src: "!x 0\n", err: "cannot decode"},
		{name: "tagged scalar for an entry", src: "- !x 0\n", err: File},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d questions, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Question != w.Question || g.URL != w.URL || g.OffTopic != w.OffTopic || g.Line != w.Line || strings.Join(g.Expect, ",") != strings.Join(w.Expect, ",") {
					t.Errorf("got %+v, want %+v", g, w)
				}
				if g.Uncovered() != (tt.name == "uncovered") {
					t.Errorf("Uncovered() = %v", g.Uncovered())
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("- question: Why?\n  url: https://a.example/x\n  expect: [a]\n"))
	f.Add([]byte("- question: x\n  expect: none\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		qs, err := Parse(src)
		if err != nil {
			return
		}
		for _, q := range qs {
			if strings.TrimSpace(q.Question) == "" || !(strings.HasPrefix(q.URL, "http://") || strings.HasPrefix(q.URL, "https://")) {
				t.Fatalf("accepted %+v", q)
			}
		}
	})
}
