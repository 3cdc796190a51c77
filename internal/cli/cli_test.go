package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtureKB = "../../bot/testdata/kb"

// run runs the command line in memory and returns its exit code and output.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runAt(t, clockFor(args), stdin, args...)
}

// runAt is run with an explicit clock.
func runAt(t *testing.T, now func() time.Time, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(string) string { return "" },
		Now:    now,
	}
	code := Main(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

// fixtureDay is the clock for commands run against a fixture folder (--kb
// DIR): fixtures are fixed files whose review dates were written for it.
var fixtureDay = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// clockFor returns the clock a command run with args sees: the fixed
// fixtureDay against a fixture folder, and the real clock against the
// shipped, embedded knowledge base, as a moderator's `kb lint` sees it, so a
// topic reviewed today never fails the tests.
func clockFor(args []string) func() time.Time {
	if slices.Contains(args, "--kb") {
		return func() time.Time { return fixtureDay }
	}
	return time.Now
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestLintBrokenFolderGolden(t *testing.T) {
	code, out, _ := run(t, "", "kb", "lint", "--kb", "testdata/broken-kb")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	golden(t, "lint-broken.golden", strings.ReplaceAll(out, "testdata/broken-kb/", "KB/"))
}

func TestLintStrict(t *testing.T) {
	if code, out, _ := run(t, "", "kb", "lint", "--kb", fixtureKB); code != exitOK || !strings.Contains(out, "0 errors, 0 warnings") {
		t.Errorf("clean fixture: exit %d\n%s", code, out)
	}
	if code, out, _ := runAt(t, time.Now, "", "kb", "lint", "--strict"); code != exitOK {
		t.Errorf("the embedded knowledge base must lint clean with --strict: exit %d\n%s", code, out)
	}
}

func TestAskText(t *testing.T) {
	code, out, _ := run(t, "", "ask", "--kb", fixtureKB, "What is the Power of Siberia pipeline?")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Power of Siberia gas pipeline\n", "Power of Siberia is a gas pipeline", "Sources:\n  1. Gas deliveries launched — TASS, Russian state media, 2019-12-02\n     https://example.org/pos-launch", "Related: Power of Siberia 2", "Reviewed 2026-11-20"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "**") {
		t.Errorf("terminal output keeps Markdown emphasis:\n%s", out)
	}
	_, out, _ = run(t, "", "ask", "--kb", fixtureKB, "a recipe for russian borscht")
	if !strings.Contains(out, "Sorry") {
		t.Errorf("declined: %s", out)
	}
}

func TestAskJSON(t *testing.T) {
	code, out, _ := run(t, "", "ask", "--json", "--kb", fixtureKB, "pwer of sibera")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"question", "answered", "topic", "answer", "details", "sources", "related", "suggestions", "confidence", "reviewed"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	topic, _ := m["topic"].(map[string]any)
	if m["answered"] != true || topic["id"] != "power-of-siberia" || topic["category"] != "energy" {
		t.Errorf("answer: %s", out)
	}
	src := m["sources"].([]any)[0].(map[string]any)
	if src["url"] != "https://example.org/pos-launch" || src["publisher"] != "TASS" || src["date"] != "2019-12-02" {
		t.Errorf("source: %v", src)
	}
}

func TestAskBatch(t *testing.T) {
	var in strings.Builder
	questions := []string{"power of siberia", "", "a recipe for russian borscht", strings.Repeat("x", 70000), "trade in 2024"}
	for range 400 {
		for _, q := range questions {
			in.WriteString(q + "\n")
		}
	}
	code, out, _ := run(t, in.String(), "ask", "--json", "--kb", fixtureKB)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2000 {
		t.Fatalf("%d output lines for 2000 questions", len(lines))
	}
	for i, l := range lines {
		var a bot.Answer
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want := []bool{true, false, false, false, true}[i%len(questions)]
		if a.Answered != want {
			t.Fatalf("line %d (%.40q): answered=%v, want %v", i+1, a.Question, a.Answered, want)
		}
		if i%len(questions) == 3 && !strings.Contains(a.Text, "too long") {
			t.Errorf("line %d: a huge line is declined as too long: %q", i+1, a.Text)
		}
	}
	// A last line without a newline is still answered.
	_, out, _ = run(t, "power of siberia", "ask", "--json", "--kb", fixtureKB)
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"answered":true`) {
		t.Errorf("unterminated last line: %q", out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"nonsense"},
		{"ask", "--nope", "x"},
		{"kb"},
		{"kb", "frobnicate"},
		{"kb", "export"},
		{"kb", "test", "--threshold", "120"},
		{"kb", "eval", "--folds", "1"},
		{"chat", "extra"},
	}
	for _, args := range tests {
		code, _, errOut := run(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, "usage") && !strings.Contains(errOut, "must") && !strings.Contains(errOut, "only") {
			t.Errorf("summitbot %v: exit %d, stderr %q; want exit 2 with a message", args, code, errOut)
		}
	}
	if code, out, _ := run(t, "", "--help"); code != exitOK || !strings.Contains(out, "commands:") {
		t.Errorf("--help: exit %d %q", code, out)
	}
}

func TestKBTestThreshold(t *testing.T) {
	code, out, _ := run(t, "", "kb", "test", "--kb", fixtureKB)
	if code != exitOK || !strings.Contains(out, "pass rate: 100.0% (7 of 7 questions") {
		t.Errorf("exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	copyDir(t, fixtureKB, dir)
	tests := "- question: a recipe for russian borscht\n  expect: power-of-siberia\n- question: power of siberia\n  expect: power-of-siberia\n"
	if err := os.WriteFile(filepath.Join(dir, "tests.yaml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "", "kb", "test", "--kb", dir)
	if code != exitFail || !strings.Contains(out, `FAIL tests.yaml:1: "a recipe for russian borscht": expected power-of-siberia, got none`) || !strings.Contains(out, "pass rate: 50.0%") {
		t.Errorf("failing test: exit %d\n%s", code, out)
	}
	if code, _, _ = run(t, "", "kb", "test", "--kb", dir, "--threshold", "50"); code != exitOK {
		t.Errorf("at the threshold: exit %d", code)
	}
}

func TestExportAndList(t *testing.T) {
	code, out, _ := run(t, "", "kb", "export", "--json", "--kb", fixtureKB)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var topics []map[string]any
	if err := json.Unmarshal([]byte(out), &topics); err != nil || len(topics) != 6 {
		t.Fatalf("export: %v, %d topics", err, len(topics))
	}
	for _, k := range []string{"id", "title", "category", "aliases", "questions", "keywords", "related", "reviewed", "sources", "answer", "details"} {
		if _, ok := topics[0][k]; !ok {
			t.Errorf("export lacks %q", k)
		}
	}
	_, out, _ = run(t, "", "kb", "list", "--kb", fixtureKB)
	if !strings.Contains(out, "energy (2)\n") || !strings.Contains(out, "\n  power-of-siberia    Power of Siberia gas pipeline\n") {
		t.Errorf("list:\n%s", out)
	}
}

func TestChat(t *testing.T) {
	in := "power of siberia\nmore\nsources\ntell me more\nwhat about 2023?\ntopics\nquit\n"
	code, out, _ := run(t, in, "chat", "--kb", fixtureKB)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"6 topics", "Power of Siberia is a gas pipeline", "Deliveries reached 38.8 bcm", "https://example.org/pos-launch", "22.7 bcm", "energy (2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
}

func TestMissingKBFolder(t *testing.T) {
	code, _, errOut := run(t, "", "ask", "--kb", "/nonexistent/kb", "x")
	if code != exitFail || !strings.Contains(errOut, "/nonexistent/kb") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

func TestEval(t *testing.T) {
	code, out, _ := run(t, "", "kb", "eval", "--kb", fixtureKB, "--folds", "3")
	if code != exitOK || !strings.Contains(out, "in-scope top-1 accuracy") || !strings.Contains(out, "Cross-validated, 3 folds") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "", "kb", "eval", "--kb", fixtureKB, "--json")
	var v map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || v["regression"] == nil {
		t.Errorf("--json: exit %d\n%s", code, out)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := os.CopyFS(to, os.DirFS(from))
	if err != nil {
		t.Fatal(err)
	}
}

// A moderator who checks a topic today and sets its reviewed date to today's
// date must pass `kb lint --strict`, whatever day the tests run on.
func TestShippedKBReviewedToday(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, knowledge.Embedded()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "topics", "trade-volume.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().Format(time.DateOnly)
	edited := regexp.MustCompile(`(?m)^reviewed: .*$`).ReplaceAll(b, []byte("reviewed: "+today))
	if bytes.Equal(edited, b) && !bytes.Contains(b, []byte("reviewed: "+today)) {
		t.Fatal("trade-volume.md has no reviewed line to edit")
	}
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runAt(t, time.Now, "", "kb", "lint", "--strict", "--kb", dir); code != exitOK {
		t.Errorf("a topic reviewed today (%s) fails kb lint --strict: exit %d\n%s", today, code, out)
	}
}

func TestChatSourcesOnce(t *testing.T) {
	in := "power of siberia\nsources?\ntell me more\nwhat are your sources\nquit\n"
	code, out, _ := run(t, in, "chat", "--kb", fixtureKB)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	// The first answer lists its sources; "sources?" is the command and lists
	// them again, once; "tell me more" does not repeat a list that is
	// already on the screen; "what are your sources" asks for it, once.
	if n := strings.Count(out, "https://example.org/pos-launch"); n != 3 {
		t.Errorf("the source URL is printed %d times, want 3 (answer, 'sources?', 'what are your sources'):\n%s", n, out)
	}
	i := strings.Index(out, "Deliveries reached")
	if i < 0 {
		t.Fatalf("'tell me more' gave no details:\n%s", out)
	}
	more := out[i:]
	if n := strings.Count(more, "https://example.org/pos-launch"); n != 1 {
		t.Errorf("after 'tell me more' the URL is printed %d times, want once (for 'what are your sources'):\n%s", n, more)
	}
	if !strings.Contains(out, "Sources as above") {
		t.Errorf("a follow-up does not say where its sources are:\n%s", out)
	}
}

// notifyWriter signals once the session has printed its first prompt.
type notifyWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prompt chan struct{}
	once   sync.Once
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if bytes.Contains(p, []byte("> ")) {
		w.once.Do(func() { close(w.prompt) })
	}
	return n, err
}

// Ctrl-C cancels the context while the session waits for a line that never
// comes: chat must end then, not at the next line.
func TestChatEndsOnInterrupt(t *testing.T) {
	stdin, typing := io.Pipe() // a terminal nobody types into
	defer typing.Close()
	out := &notifyWriter{prompt: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := &Env{Stdin: stdin, Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }, Now: func() time.Time { return fixtureDay }}
	done := make(chan int, 1)
	go func() { done <- Main(ctx, env, []string{"chat", "--kb", fixtureKB}) }()
	<-out.prompt
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after Ctrl-C, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("chat still waits for a line 30 s after Ctrl-C")
	}
}

// `ask` with no question waits for questions on stdin; on a terminal it must
// say so instead of waiting silently, and a pipe gets no such chatter.
func TestAskSaysWhatItWaitsFor(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var out, errOut bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }, Now: func() time.Time { return fixtureDay }, StdinIsTerminal: terminal}
		if code := Main(context.Background(), env, []string{"ask", "--kb", fixtureKB}); code != exitOK {
			t.Errorf("terminal=%v: exit %d", terminal, code)
		}
		if said := strings.Contains(errOut.String(), "reading questions from standard input"); said != terminal {
			t.Errorf("terminal=%v: stderr %q", terminal, errOut.String())
		}
	}
}

// healthcheck, kb gaps and kb feedback do not read the knowledge base; given
// --kb, as every other command takes, they say why it does not apply.
func TestKBFlagOnCommandsWithoutKB(t *testing.T) {
	for _, args := range [][]string{{"healthcheck"}, {"kb", "gaps"}, {"kb", "feedback"}} {
		code, _, errOut := run(t, "", append(args, "--kb", fixtureKB)...)
		if code != exitUsage || !strings.Contains(errOut, "does not read the knowledge base") || strings.Contains(errOut, "not defined") {
			t.Errorf("%v --kb: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// A miss marked known is reported but does not fail kb test; one that starts
// to pass is pointed out; any other miss fails at the default threshold.
func TestKBTestKnownMisses(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, fixtureKB, dir)
	write := func(tests string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "tests.yaml"), []byte(tests), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("- question: a recipe for russian borscht\n  expect: power-of-siberia\n  known: the fixture has no recipes\n- question: power of siberia\n  expect: power-of-siberia\n")
	code, out, _ := run(t, "", "kb", "test", "--kb", dir)
	if code != exitOK || !strings.Contains(out, "1 miss marked known") || strings.Contains(out, "FAIL") {
		t.Errorf("a known miss: exit %d\n%s", code, out)
	}
	write("- question: power of siberia\n  expect: power-of-siberia\n  known: was missed once\n")
	code, out, _ = run(t, "", "kb", "test", "--kb", dir)
	if code != exitOK || !strings.Contains(out, `NOW  tests.yaml:1: "power of siberia"`) || !strings.Contains(out, "drop their known") {
		t.Errorf("a known miss that passes: exit %d\n%s", code, out)
	}
	write("- question: power of siberia\n  expect: power-of-siberia\n  known: \"\"\n")
	if code, out, _ = run(t, "", "kb", "lint", "--kb", dir); code != exitFail || !strings.Contains(out, "known must say why") {
		t.Errorf("an empty known: exit %d\n%s", code, out)
	}
}
