// Package e2e runs the moderators' report commands (summitbot kb gaps and
// kb feedback, in internal/cli/report.go) against a real store filled
// through the Recorder, the way serve fills it.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/cli"
	"github.com/summitbot/summitbot/internal/store"
)

// run runs summitbot with args and returns the exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), &cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    time.Now,
	}, args)
	return code, stdout.String(), stderr.String()
}

// record fills a new SQLite store the way serve does and returns its URL.
func record(t *testing.T) string {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "summitbot.db")
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := store.NewRecorder(s, store.RecorderOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	ask := func(text, user string, nearest string, conf float64) {
		a := bot.Answer{Outcome: bot.OutcomeDeclined, Confidence: conf}
		if nearest != "" {
			a.Suggestions = []bot.TopicRef{{ID: nearest, Title: strings.ToUpper(nearest)}}
		}
		r.OnAnswer(context.Background(), bot.Question{Text: text, Platform: bot.PlatformDiscord, UserID: user, ChannelKind: bot.ChannelChannel}, a, 0)
	}
	ask("What is the price of gas in Power of Siberia 2?", "u1", "power-of-siberia", 0.4)
	ask("what is the price of gas in power of siberia 2", "u2", "power-of-siberia", 0.42)
	ask("Power of Siberia 2 gas price?", "u3", "power-of-siberia", 0.3)
	ask("Who won the football? Mail me at fan@example.com", "u4", "", 0)
	for _, f := range []bot.Feedback{
		{TopicID: "arctic", Platform: bot.PlatformSlack, UserID: "u1", Helpful: false},
		{TopicID: "arctic", Platform: bot.PlatformSlack, UserID: "u2", Helpful: true},
		{TopicID: "trade", Platform: bot.PlatformSlack, UserID: "u1", Helpful: true},
	} {
		r.OnFeedback(context.Background(), f)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := r.Stats(); st.Recorded != 7 {
		t.Fatalf("recorded %d, want 7", st.Recorded)
	}
	return url
}

func TestKBGaps(t *testing.T) {
	url := record(t)

	code, out, errOut := run(t, nil, "kb", "gaps", "--database-url", url)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{
		"2 clusters",
		"1. 3 questions, nearest topic: power-of-siberia (POWER-OF-SIBERIA), confidence 0.42",
		"   - what is the price of gas in power of siberia 2\n",
		"   - power of siberia 2 gas price\n",
		"2. 1 question, no nearby topic",
		"who won the football mail me at email",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fan@example.com") {
		t.Errorf("output shows an email address:\n%s", out)
	}

	// The same from the environment, as JSON.
	code, out, errOut = run(t, map[string]string{"SUMMITBOT_DATABASE_URL": url}, "kb", "gaps", "--json", "--limit", "1", "--since", "2w")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var res store.GapsResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if len(res.Gaps) != 1 || res.Gaps[0].Count != 3 || res.Window != "2w" || time.Since(res.Since) < 14*24*time.Hour-time.Minute {
		t.Errorf("--json: %+v", res)
	}

	code, out, _ = run(t, nil, "kb", "gaps", "--markdown", "--database-url", url)
	if code != 0 || !strings.HasPrefix(out, "## Knowledge gaps") || !strings.Contains(out, "- `power of siberia 2 gas price`") {
		t.Errorf("--markdown: exit %d\n%s", code, out)
	}
}

func TestKBFeedback(t *testing.T) {
	url := record(t)
	code, out, errOut := run(t, nil, "kb", "feedback", "--database-url", url)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[3], "arctic ") || !strings.HasSuffix(lines[3], "50%") || !strings.HasPrefix(lines[4], "trade ") {
		t.Errorf("feedback report:\n%s", out)
	}
	code, out, _ = run(t, nil, "kb", "feedback", "--json", "--database-url", url)
	var res store.FeedbackResult
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || len(res.Topics) != 2 || res.Topics[0].Down != 1 {
		t.Errorf("--json: exit %d, %v\n%s", code, err, out)
	}
}

func TestReportsNeverCreateADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summitbot.db")
	for _, cmd := range []string{"gaps", "feedback"} {
		code, _, errOut := run(t, nil, "kb", cmd, "--database-url", "sqlite:"+path)
		if code != 1 || !strings.Contains(errOut, "no database at "+path) {
			t.Errorf("kb %s on a missing database: exit %d, stderr %q", cmd, code, errOut)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a report created %s", path)
	}
	// Unset means summitbot.db in the working folder.
	t.Chdir(t.TempDir())
	code, _, errOut := run(t, nil, "kb", "gaps")
	if code != 1 || !strings.Contains(errOut, "no database at summitbot.db") {
		t.Errorf("kb gaps with no URL: exit %d, stderr %q", code, errOut)
	}
}

func TestReportUsageErrors(t *testing.T) {
	url := record(t)
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"kb", "gaps", "--no-such-flag"}, 2, "usage: summitbot kb gaps"},
		{[]string{"kb", "gaps", "--json", "--markdown", "--database-url", url}, 2, "one of --json and --markdown"},
		{[]string{"kb", "feedback", "--since", "30x", "--database-url", url}, 2, "--since"},
		{[]string{"kb", "gaps", "--since", "0d", "--database-url", url}, 2, "positive"},
		{[]string{"kb", "gaps", "--limit", "-1", "--database-url", url}, 2, "--limit"},
		{[]string{"kb", "gaps", "extra", "--database-url", url}, 2, "unexpected argument"},
		{[]string{"kb", "gaps", "--database-url", "mysql://bot:s3cret@db/x"}, 2, "sqlite:PATH or postgres://"},
		{[]string{"kb", "feedback", "-h"}, 0, "-database-url URL"},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, nil, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.says) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.says)
		}
		if strings.Contains(errOut, "s3cret") {
			t.Errorf("%v: stderr shows a password", tt.args)
		}
	}
}
