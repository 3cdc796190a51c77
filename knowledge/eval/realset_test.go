package realset

import (
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/summitbot/summitbot/knowledge"
)

// Each embedded set keeps at least its minimum of in-scope and off-topic
// questions, so a set cannot quietly shrink below what its figures need.
func TestEmbeddedSetsAreLargeEnough(t *testing.T) {
	minimum := map[string][2]int{"development": {150, 40}, "test": {80, 25}}
	for _, set := range Sets() {
		t.Run(set.Name, func(t *testing.T) {
			qs, err := set.Load()
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
			want, ok := minimum[set.Name]
			if !ok {
				t.Fatalf("no minimum for set %q", set.Name)
			}
			if in < want[0] || off < want[1] {
				t.Errorf("%s: %d in-scope and %d off-topic questions; the set needs at least %d and %d", set.File, in, off, want[0], want[1])
			}
		})
	}
}

func TestSets(t *testing.T) {
	sets := Sets()
	if len(sets) != 2 || sets[0].Name != "development" || sets[0].File != File || sets[0].HeldOut ||
		sets[1].Name != "test" || sets[1].File != TestFile || !sets[1].HeldOut {
		t.Errorf("Sets() = %+v", sets)
	}
}

// Every address is an absolute http(s) URL with a dotted host and no spaces,
// and the test set cites no page the development set cites: it is held out
// by source as well as by question.
func TestURLsAreWellFormedAndTestPagesAreNew(t *testing.T) {
	devPages := map[string]bool{}
	for _, set := range Sets() {
		qs, err := set.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			u, err := url.Parse(q.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Hostname(), ".") ||
				strings.ContainsAny(q.URL, " \t\n") {
				t.Errorf("%s:%d: url %q is not a well-formed http(s) address", set.File, q.Line, q.URL)
			}
			if !set.HeldOut {
				devPages[q.URL] = true
			} else if devPages[q.URL] {
				t.Errorf("%s:%d: page %s is already cited by %s", set.File, q.Line, q.URL, File)
			}
		}
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
	for _, set := range Sets() {
		qs, err := set.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			for _, id := range q.Expect {
				if _, ok := kb.Topic(id); !ok && !planned[id] {
					t.Errorf("%s:%d: %q is neither a topic nor a planned one", set.File, q.Line, id)
				}
			}
		}
	}
}

// TestNeverCopiedIntoTheKnowledgeBase: the sets measure; if their questions
// were pasted into topics or tests.yaml they would measure nothing. The
// held-out set is held to a looser comparison too (letters and digits only),
// so that not even a copy differing in punctuation slips through.
func TestNeverCopiedIntoTheKnowledgeBase(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	where, loose := map[string]string{}, map[string]string{}
	add := func(s, w string) {
		where[Key(s)] = w
		loose[looseKey(s)] = w
	}
	for _, tc := range kb.Tests {
		add(tc.Question, "tests.yaml")
	}
	for _, tp := range kb.Topics {
		for _, s := range append(append([]string{tp.Title}, tp.Aliases...), tp.Questions...) {
			add(s, "topic "+tp.ID)
		}
	}
	for _, set := range Sets() {
		qs, err := set.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if w, ok := where[Key(q.Question)]; ok {
				t.Errorf("%s:%d: %q was copied into %s", set.File, q.Line, q.Question, w)
			} else if w, ok := loose[looseKey(q.Question)]; ok && set.HeldOut {
				t.Errorf("%s:%d: %q is, but for punctuation, in %s", set.File, q.Line, q.Question, w)
			}
		}
	}
}

// No question is in both sets, not even with different punctuation: a
// question the engine was developed against cannot be held out.
func TestSetsAreDisjoint(t *testing.T) {
	dev, err := Development().Load()
	if err != nil {
		t.Fatal(err)
	}
	test, err := Test().Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, q := range dev {
		seen[looseKey(q.Question)] = q.Line
	}
	for _, q := range test {
		if line, ok := seen[looseKey(q.Question)]; ok {
			t.Errorf("%s:%d: %q is also %s:%d", TestFile, q.Line, q.Question, File, line)
		}
	}
}

func TestLooseKey(t *testing.T) {
	if looseKey("Why did the Sino-Soviet split happen?") != looseKey("why did the sino soviet split  happen") ||
		looseKey("Is it safe?") == looseKey("Is it sage?") {
		t.Error("looseKey compares the wrong things")
	}
}

// looseKey keeps only letters and digits, lower-cased, one space between words.
func looseKey(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
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
	if _, err := ParseFile(TestFile, []byte("- question: Q\n  url: c.example/\n  expect: none\n")); err == nil || !strings.Contains(err.Error(), TestFile+":1:") {
		t.Errorf("ParseFile error %v does not name %s", err, TestFile)
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
