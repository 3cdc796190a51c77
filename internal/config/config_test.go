package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

const pubHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c := Default()
	if c.Addr != ":8080" || c.KBDir != "" || c.LogFormat != "auto" || c.RateLimit != 5 || c.RateWindow != 30*time.Second ||
		c.RetentionDays != 90 || c.ShutdownTimeout != 10*time.Second || c.Discord.ShardCount != 0 || c.Slack.Command != "/ask" || c.Slack.GapsCommand != "/gaps" {
		t.Errorf("defaults = %+v", c)
	}
	if c.Discord.Enabled() || c.Slack.Enabled() || c.APIToken != "" {
		t.Errorf("an adapter or the API is on by default: %+v", c)
	}
}

func TestFlagsWinOverEnvironment(t *testing.T) {
	c, err := Parse([]string{"--addr", "127.0.0.1:9999", "--rate-limit=0"},
		env("SUMMITBOT_ADDR", ":7000", "SUMMITBOT_KB", "/kb", "SUMMITBOT_RATE_LIMIT", "10/1m"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.KBDir != "/kb" || c.RateLimit != 0 {
		t.Errorf("got addr %q kb %q rate %d", c.Addr, c.KBDir, c.RateLimit)
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name                                   string
		args                                   []string
		env                                    func(string) string
		gateway, interactions, slackHTTP, sock bool
	}{
		{"nothing", nil, env(), false, false, false, false},
		{"discord gateway", nil, env("DISCORD_TOKEN", "t", "DISCORD_APP_ID", "1"), true, false, false, false},
		{"discord http only", nil, env("DISCORD_TOKEN", "t", "DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", pubHex, "DISCORD_GATEWAY", "false"), false, true, false, false},
		{"discord both", nil, env("DISCORD_TOKEN", "t", "DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", pubHex), true, true, false, false},
		{"gateway flag off", []string{"--discord-gateway=false"}, env("DISCORD_TOKEN", "t", "DISCORD_APP_ID", "1"), false, false, false, false},
		{"slack http", nil, env("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_SIGNING_SECRET", "s"), false, false, true, false},
		{"slack socket", nil, env("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xapp-1"), false, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.args, tt.env, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got := []bool{c.Discord.GatewayEnabled(), c.Discord.InteractionsEnabled(), c.Slack.HTTPEnabled(), c.Slack.SocketModeEnabled()}
			want := []bool{tt.gateway, tt.interactions, tt.slackHTTP, tt.sock}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("gateway, interactions, slack http, socket = %v, want %v", got, want)
					break
				}
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want []string // substrings of the error
	}{
		{"slack token without secret", nil, env("SLACK_BOT_TOKEN", "xoxb-1"),
			[]string{"SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is missing"}},
		{"slack secret without token", nil, env("SLACK_SIGNING_SECRET", "s"),
			[]string{"SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing"}},
		{"bad app token", nil, env("SLACK_BOT_TOKEN", "xoxb-1", "SLACK_APP_TOKEN", "xoxb-2"),
			[]string{"SLACK_APP_TOKEN: does not start with xapp-"}},
		{"discord token without app", nil, env("DISCORD_TOKEN", "t"),
			[]string{"DISCORD_TOKEN is set but DISCORD_APP_ID is missing"}},
		{"bad public key", nil, env("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", "zz"),
			[]string{"DISCORD_PUBLIC_KEY (--discord-public-key)", "64 hex digits"}},
		{"short public key", nil, env("DISCORD_APP_ID", "1", "DISCORD_PUBLIC_KEY", "abcd"),
			[]string{"DISCORD_PUBLIC_KEY"}},
		{"non-numeric shard", nil, env("DISCORD_SHARD_ID", "two", "DISCORD_SHARD_COUNT", "2"),
			[]string{`DISCORD_SHARD_ID (--discord-shard-id) "two"`}},
		{"shard >= count", nil, env("DISCORD_SHARD_ID", "2", "DISCORD_SHARD_COUNT", "2"),
			[]string{"DISCORD_SHARD_ID is 2 but must be less than DISCORD_SHARD_COUNT (2)"}},
		{"ordinal without hostname", nil, env("DISCORD_SHARD_ID", "ordinal", "DISCORD_SHARD_COUNT", "2", "HOSTNAME", "summitbot"),
			[]string{"DISCORD_SHARD_ID", "HOSTNAME"}},
		{"shard without count", nil, env("DISCORD_SHARD_ID", "1"),
			[]string{"DISCORD_SHARD_ID is set but DISCORD_SHARD_COUNT is missing"}},
		{"same commands", nil, env("SLACK_GAPS_COMMAND", "/ask"), []string{"SLACK_COMMAND and SLACK_GAPS_COMMAND"}},
		{"zero shard count", nil, env("DISCORD_SHARD_COUNT", "0"), []string{"DISCORD_SHARD_COUNT"}},
		{"app id not a number", nil, env("DISCORD_APP_ID", "my-app"), []string{"DISCORD_APP_ID"}},
		{"bad addr", []string{"--addr", "8080"}, env(), []string{"SUMMITBOT_ADDR (--addr) \"8080\""}},
		{"bad rate", nil, env("SUMMITBOT_RATE_LIMIT", "five"), []string{"SUMMITBOT_RATE_LIMIT", "5/30s"}},
		{"bad rate window", nil, env("SUMMITBOT_RATE_LIMIT", "5/soon"), []string{"SUMMITBOT_RATE_LIMIT"}},
		{"bad level", nil, env("SUMMITBOT_LOG_LEVEL", "loud"), []string{"SUMMITBOT_LOG_LEVEL"}},
		{"bad format", nil, env("SUMMITBOT_LOG_FORMAT", "xml"), []string{"SUMMITBOT_LOG_FORMAT"}},
		{"short api token", nil, env("SUMMITBOT_API_TOKEN", "abc"), []string{"SUMMITBOT_API_TOKEN: too short"}},
		{"bad retention", nil, env("SUMMITBOT_RETENTION_DAYS", "0"), []string{"SUMMITBOT_RETENTION_DAYS"}},
		{"bad database url", nil, env("SUMMITBOT_DATABASE_URL", "mysql://localhost/db"), []string{"SUMMITBOT_DATABASE_URL"}},
		{"sqlite without path", nil, env("SUMMITBOT_DATABASE_URL", "sqlite:"), []string{"SUMMITBOT_DATABASE_URL"}},
		{"bad slack url", nil, env("SLACK_API_URL", "ftp://x"), []string{"SLACK_API_URL"}},
		{"bad command", nil, env("SLACK_COMMAND", "summit"), []string{"SLACK_COMMAND"}},
		{"bad gateway flag", nil, env("DISCORD_GATEWAY", "maybe"), []string{"DISCORD_GATEWAY"}},
		{"several at once", nil, env("SLACK_BOT_TOKEN", "xoxb-1", "DISCORD_TOKEN", "t"),
			[]string{"SLACK_SIGNING_SECRET is missing", "DISCORD_APP_ID is missing"}},
		{"argument", []string{"extra"}, env(), []string{"no arguments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args, tt.env, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	_, err := Parse(nil, env("SLACK_APP_TOKEN", "xoxp-very-secret", "SUMMITBOT_API_TOKEN", "tiny-secret"), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, s := range []string{"xoxp-very-secret", "tiny-secret"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q shows a secret", err)
		}
	}
}

func TestSecretsHaveNoFlags(t *testing.T) {
	for _, s := range Settings() {
		if (strings.Contains(s.Env, "TOKEN") || strings.Contains(s.Env, "SECRET")) && !s.Secret {
			t.Errorf("%s: a token must be secret", s.Env)
		}
		// The one exception: --database-url is a flag because the issue asks
		// for it, and a sqlite: path or a postgres:// URL without a password
		// is no secret. Its usage says to pass a password in the environment.
		if s.Secret && s.Flag != "" && s.Flag != "database-url" {
			t.Errorf("%s: a secret must be env-only, but has --%s", s.Env, s.Flag)
		}
	}
}

func TestHelp(t *testing.T) {
	var b strings.Builder
	_, err := Parse([]string{"-h"}, env(), &b)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"--addr", "SUMMITBOT_ADDR", "SLACK_BOT_TOKEN"} {
		if !strings.Contains(strings.ReplaceAll(b.String(), "  -", "  --"), w) {
			t.Errorf("help lacks %s:\n%s", w, b.String())
		}
	}
}

func TestShardOrdinal(t *testing.T) {
	tests := []struct {
		v, host string
		want    int
		ok      bool
	}{
		{"ordinal", "summitbot-gateway-0", 0, true},
		{"ordinal", "summitbot-gateway-12", 12, true},
		{"ordinal", "summitbot-gateway", 0, false},
		{"ordinal", "", 0, false},
		{"ordinal", "pod-1a", 0, false},
		{"3", "anything", 3, true},
		{"-1", "", 0, false},
	}
	for _, tt := range tests {
		got, err := parseShardID(tt.v, tt.host)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseShardID(%q, %q) = %d, %v; want %d, ok=%v", tt.v, tt.host, got, err, tt.want, tt.ok)
		}
	}
	c, err := Parse(nil, env("DISCORD_SHARD_ID", "ordinal", "DISCORD_SHARD_COUNT", "3", "HOSTNAME", "summitbot-gateway-2"), io.Discard)
	if err != nil || c.Discord.ShardID != 2 {
		t.Errorf("shard = %d, %v", c.Discord.ShardID, err)
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		w    time.Duration
		fail bool
	}{
		{"5/30s", 5, 30 * time.Second, false},
		{"100/1m", 100, time.Minute, false},
		{"0", 0, 0, false},
		{"off", 0, 0, false},
		{"0/1s", 0, 0, false},
		{"5", 0, 0, true},
		{"5/0s", 0, 0, true},
		{"-1/1s", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tt := range tests {
		n, w, err := parseRate(tt.in)
		if (err != nil) != tt.fail || n != tt.n || w != tt.w {
			t.Errorf("parseRate(%q) = %d, %v, %v", tt.in, n, w, err)
		}
	}
}

func TestLists(t *testing.T) {
	c, err := Parse(nil, env("SLACK_MODERATORS", " U1, U2,,", "SLACK_MODERATOR_GROUPS", "S1"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Slack.Moderators, "|") != "U1|U2" || strings.Join(c.Slack.ModeratorGroups, "|") != "S1" {
		t.Errorf("moderators %q groups %q", c.Slack.Moderators, c.Slack.ModeratorGroups)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("5/30s", "ordinal", "summitbot-1", "abcd")
	f.Fuzz(func(t *testing.T, rate, shard, host, key string) {
		// Must never panic, whatever the environment holds.
		_, _ = Parse(nil, env("SUMMITBOT_RATE_LIMIT", rate, "DISCORD_SHARD_ID", shard, "HOSTNAME", host, "DISCORD_PUBLIC_KEY", key), io.Discard)
	})
}

func TestDatabaseURLs(t *testing.T) {
	for _, u := range []string{"sqlite:/var/lib/summitbot/summitbot.db", "sqlite:///tmp/x.db", "postgres://bot:pw@db/summitbot", "postgresql://db/summitbot"} {
		c, err := Parse(nil, env("SUMMITBOT_DATABASE_URL", u), io.Discard)
		if err != nil || c.DatabaseURL != u {
			t.Errorf("%s: %v", u, err)
		}
	}
	_, err := Parse(nil, env("SUMMITBOT_DATABASE_URL", "mysql://bot:hunter2@db/x"), io.Discard)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/settings.md")

// TestTable keeps the README's configuration table (a copy of
// testdata/settings.md) in step with Settings.
func TestTable(t *testing.T) {
	var b strings.Builder
	if err := WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/settings.md"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("the settings table changed; run go test ./internal/config -update and copy %s into README.md", golden)
	}
	for _, s := range Settings() {
		if !strings.Contains(b.String(), "`"+s.Env+"`") {
			t.Errorf("table lacks %s", s.Env)
		}
	}
}
