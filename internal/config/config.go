// Package config reads and validates the configuration of "summitbot serve"
// from flags and environment variables. Flags win over the environment, and
// the environment wins over defaults. Every setting is listed once, in
// Settings, which is also the source of the README's configuration table.
package config

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/summitbot/summitbot/internal/store"
)

// Config is the validated configuration of "summitbot serve". Build it with
// Parse; Default returns the defaults with every adapter off.
type Config struct {
	// Addr is the HTTP listen address, e.g. ":8080".
	Addr string
	// KBDir is a knowledge folder to serve and watch; empty means the
	// knowledge base built into the binary.
	KBDir string
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// LogFormat is "auto" (text on a terminal, JSON otherwise), "json" or "text".
	LogFormat string
	// RateLimit questions per RateWindow per user per platform; 0 means off.
	RateLimit  int
	RateWindow time.Duration
	// APIToken enables the /v1 API for callers that present it as a bearer
	// token. Empty means the API answers 401 to everyone.
	APIToken string
	// APIRateLimit requests per APIRateWindow per API token on POST
	// /v1/ask; 0 means off. More get 429 with Retry-After.
	APIRateLimit  int
	APIRateWindow time.Duration
	// DatabaseURL is where questions and feedback are recorded; empty means
	// recording is off (the setting's "off"). Unset, the setting defaults to
	// DefaultDatabaseURL.
	DatabaseURL string
	// RetentionDays is how long recorded questions are kept.
	RetentionDays int
	// ShutdownTimeout bounds how long in-flight work may take after SIGTERM.
	// It has no setting: Parse sets DefaultShutdownTimeout, tests shorten it.
	ShutdownTimeout time.Duration

	Discord Discord
	Slack   Slack

	shardIDSet bool
}

// Discord configures the Discord adapter. It is on when Enabled reports true.
type Discord struct {
	Token   string
	AppID   string
	GuildID string
	// ShardID and ShardCount select the one gateway shard this process
	// runs; ShardCount 0 means Discord's recommended count, all shards run
	// by this process.
	ShardID         int
	ShardCount      int
	PublicKey       ed25519.PublicKey
	ModeratorRoleID string
	// Gateway runs the gateway connection (mentions, DMs and slash commands
	// over the websocket). It defaults to on when Token is set; stateless
	// HTTP replicas turn it off and keep Token for REST calls.
	Gateway bool
}

// GatewayEnabled reports whether the gateway connection should run.
func (d Discord) GatewayEnabled() bool { return d.Token != "" && d.Gateway }

// InteractionsEnabled reports whether POST /discord/interactions is served.
func (d Discord) InteractionsEnabled() bool { return len(d.PublicKey) == ed25519.PublicKeySize }

// Enabled reports whether the Discord adapter runs in any mode.
func (d Discord) Enabled() bool { return d.GatewayEnabled() || d.InteractionsEnabled() }

// Slack configures the Slack adapter.
type Slack struct {
	SigningSecret   string
	BotToken        string
	AppToken        string
	APIURL          string
	Command         string
	GapsCommand     string
	Moderators      []string
	ModeratorGroups []string
}

// HTTPEnabled reports whether the Slack HTTP endpoints are served.
func (s Slack) HTTPEnabled() bool { return s.BotToken != "" && s.SigningSecret != "" }

// SocketModeEnabled reports whether a Socket Mode connection should run.
func (s Slack) SocketModeEnabled() bool { return s.BotToken != "" && s.AppToken != "" }

// Enabled reports whether the Slack adapter runs in any mode.
func (s Slack) Enabled() bool { return s.HTTPEnabled() || s.SocketModeEnabled() }

// Adapter mode names, used in logs, /readyz and the
// summitbot_adapter_connected metric.
const (
	AdapterDiscordGateway      = "discord-gateway"
	AdapterDiscordInteractions = "discord-interactions"
	AdapterSlackHTTP           = "slack-http"
	AdapterSlackSocketMode     = "slack-socket-mode"
)

// AdapterState says whether one adapter mode is on, and if not, why.
type AdapterState struct {
	Name string
	On   bool
	// Why names the missing setting when the adapter is off.
	Why string
}

// Adapters lists the four adapter modes in a fixed order with their state.
func (c Config) Adapters() []AdapterState {
	d, s := c.Discord, c.Slack
	gw := AdapterState{Name: AdapterDiscordGateway, On: d.GatewayEnabled()}
	switch {
	case d.Token == "":
		gw.Why = "DISCORD_TOKEN is not set"
	case !d.Gateway:
		gw.Why = "DISCORD_GATEWAY is false"
	}
	in := AdapterState{Name: AdapterDiscordInteractions, On: d.InteractionsEnabled()}
	if !in.On {
		in.Why = "DISCORD_PUBLIC_KEY is not set"
	}
	sh := AdapterState{Name: AdapterSlackHTTP, On: s.HTTPEnabled()}
	switch {
	case s.SigningSecret == "":
		sh.Why = "SLACK_SIGNING_SECRET is not set"
	case s.BotToken == "":
		sh.Why = "SLACK_BOT_TOKEN is not set"
	}
	sm := AdapterState{Name: AdapterSlackSocketMode, On: s.SocketModeEnabled()}
	switch {
	case s.AppToken == "":
		sm.Why = "SLACK_APP_TOKEN is not set"
	case s.BotToken == "":
		sm.Why = "SLACK_BOT_TOKEN is not set"
	}
	return []AdapterState{gw, in, sh, sm}
}

// DefaultShutdownTimeout is how long in-flight work may take after SIGTERM.
const DefaultShutdownTimeout = 10 * time.Second

// Setting is one configuration knob: an environment variable and, unless it
// holds a secret, a flag.
type Setting struct {
	// Flag is the flag name without dashes; empty for tokens, which are read
	// only from the environment so they never show in a process listing.
	Flag string
	// Env is the environment variable.
	Env string
	// Default is the default as documented ("" means unset).
	Default string
	// Usage says what the setting does.
	Usage string
	// Secret marks values that must never be logged.
	Secret bool

	bool  bool // a boolean flag: "--x" means "--x=true"
	apply func(c *Config, v string, getenv func(string) string) error
}

// Settings lists every setting "summitbot serve" reads, in documentation order.
func Settings() []Setting {
	return []Setting{
		{Flag: "addr", Env: "SUMMITBOT_ADDR", Default: DefaultAddr,
			Usage: "HTTP listen address for /healthz, /readyz, /metrics, /v1 and the webhook endpoints",
			apply: func(c *Config, v string, _ func(string) string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("want host:port like :8080: %w", err)
				}
				c.Addr = v
				return nil
			}},
		{Flag: "kb", Env: "SUMMITBOT_KB", Default: "",
			Usage: "knowledge folder to serve and watch for changes (unset: the knowledge base built into the binary)",
			apply: func(c *Config, v string, _ func(string) string) error { c.KBDir = v; return nil }},
		{Flag: "log-level", Env: "SUMMITBOT_LOG_LEVEL", Default: "info",
			Usage: "minimum log level: debug, info, warn or error",
			apply: func(c *Config, v string, _ func(string) string) error {
				return c.LogLevel.UnmarshalText([]byte(v))
			}},
		{Flag: "log-format", Env: "SUMMITBOT_LOG_FORMAT", Default: "auto",
			Usage: "log format: auto (text on a terminal, JSON otherwise), json or text",
			apply: func(c *Config, v string, _ func(string) string) error {
				switch v {
				case "auto", "json", "text":
					c.LogFormat = v
					return nil
				}
				return fmt.Errorf("want auto, json or text")
			}},
		{Flag: "rate-limit", Env: "SUMMITBOT_RATE_LIMIT", Default: "5/30s",
			Usage: "questions per user per platform per window, as N/duration; 0 turns the limit off",
			apply: func(c *Config, v string, _ func(string) string) error {
				n, w, err := parseRate(v)
				c.RateLimit, c.RateWindow = n, w
				return err
			}},
		{Flag: "api-rate-limit", Env: "SUMMITBOT_API_RATE_LIMIT", Default: "600/10s",
			Usage: "POST /v1/ask requests per API token per window, as N/duration (an integration asks for many users, so the limit is far above a chat user's); 0 turns the limit off",
			apply: func(c *Config, v string, _ func(string) string) error {
				n, w, err := parseRate(v)
				c.APIRateLimit, c.APIRateWindow = n, w
				return err
			}},
		{Env: "SUMMITBOT_API_TOKEN", Secret: true,
			Usage: "bearer token for POST /v1/ask, GET /v1/gaps and GET /v1/feedback (at least 16 characters); unset: the API answers 401",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v != "" && len(v) < 16 {
					return fmt.Errorf("too short: want at least 16 characters")
				}
				c.APIToken = v
				return nil
			}},
		{Flag: "database-url", Env: "SUMMITBOT_DATABASE_URL", Secret: true, Default: DefaultDatabaseURL,
			Usage: "where declined questions and feedback are recorded for the gaps and feedback reports: sqlite:PATH (created on first start), postgres://… (several replicas), or off; a URL with a password belongs in the environment, not the flag, which shows in a process listing",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v == "off" {
					c.DatabaseURL = ""
					return nil
				}
				if _, err := store.Location(v); err != nil {
					return fmt.Errorf("want sqlite:/var/lib/summitbot/summitbot.db, postgres://user@host/db or off")
				}
				c.DatabaseURL = v
				return nil
			}},
		{Flag: "retention-days", Env: "SUMMITBOT_RETENTION_DAYS", Default: "90",
			Usage: "days recorded questions and feedback are kept",
			apply: func(c *Config, v string, _ func(string) string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return fmt.Errorf("want a whole number of days, 1 or more")
				}
				c.RetentionDays = n
				return nil
			}},

		{Env: "DISCORD_TOKEN", Secret: true,
			Usage: "Discord bot token; turns on the gateway connection (see DISCORD_GATEWAY)",
			apply: func(c *Config, v string, _ func(string) string) error { c.Discord.Token = v; return nil }},
		{Flag: "discord-app-id", Env: "DISCORD_APP_ID",
			Usage: "Discord application id; required with DISCORD_TOKEN or DISCORD_PUBLIC_KEY",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Discord.AppID = v
				return snowflake(v)
			}},
		{Flag: "discord-guild-id", Env: "DISCORD_GUILD_ID",
			Usage: "register slash commands in this guild only (instant); unset: global commands",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Discord.GuildID = v
				return snowflake(v)
			}},
		{Flag: "discord-public-key", Env: "DISCORD_PUBLIC_KEY",
			Usage: "application public key (64 hex digits); turns on POST /discord/interactions",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v == "" {
					return nil
				}
				k, err := hex.DecodeString(v)
				if err != nil || len(k) != ed25519.PublicKeySize {
					return fmt.Errorf("want %d hex digits (the application's public key)", 2*ed25519.PublicKeySize)
				}
				c.Discord.PublicKey = k
				return nil
			}},
		{Flag: "discord-gateway", Env: "DISCORD_GATEWAY", Default: "true", bool: true,
			Usage: "run the gateway connection when DISCORD_TOKEN is set; false for stateless HTTP replicas",
			apply: func(c *Config, v string, _ func(string) string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("want true or false")
				}
				c.Discord.Gateway = b
				return nil
			}},
		{Flag: "discord-shard-count", Env: "DISCORD_SHARD_COUNT",
			Usage: "number of gateway shards across all processes; unset: Discord's recommended count, all run by this process",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v == "" {
					return nil
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					return fmt.Errorf("want a whole number, 1 or more")
				}
				c.Discord.ShardCount = n
				return nil
			}},
		{Flag: "discord-shard-id", Env: "DISCORD_SHARD_ID",
			Usage: "the one gateway shard this process runs, 0 to DISCORD_SHARD_COUNT-1; \"ordinal\" takes the trailing -N of HOSTNAME (a StatefulSet pod's ordinal)",
			apply: func(c *Config, v string, getenv func(string) string) error {
				if v == "" {
					return nil
				}
				n, err := parseShardID(v, getenv("HOSTNAME"))
				c.Discord.ShardID, c.shardIDSet = n, true
				return err
			}},
		{Flag: "discord-moderator-role", Env: "DISCORD_MODERATOR_ROLE",
			Usage: "role id whose members may use moderator commands",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Discord.ModeratorRoleID = v
				return snowflake(v)
			}},

		{Env: "SLACK_SIGNING_SECRET", Secret: true,
			Usage: "Slack signing secret; with SLACK_BOT_TOKEN turns on POST /slack/commands, /slack/events and /slack/interactions",
			apply: func(c *Config, v string, _ func(string) string) error { c.Slack.SigningSecret = v; return nil }},
		{Env: "SLACK_BOT_TOKEN", Secret: true,
			Usage: "Slack bot token (xoxb-…); needs SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)",
			apply: func(c *Config, v string, _ func(string) string) error { c.Slack.BotToken = v; return nil }},
		{Env: "SLACK_APP_TOKEN", Secret: true,
			Usage: "Slack app-level token (xapp-…); with SLACK_BOT_TOKEN turns on Socket Mode",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v != "" && !strings.HasPrefix(v, "xapp-") {
					return fmt.Errorf("does not start with xapp- (an app-level token with connections:write)")
				}
				c.Slack.AppToken = v
				return nil
			}},
		{Flag: "slack-api-url", Env: "SLACK_API_URL",
			Usage: "Slack Web API base URL (tests and proxies); unset: https://slack.com/api/",
			apply: func(c *Config, v string, _ func(string) string) error {
				if v != "" {
					u, err := url.Parse(v)
					if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
						return fmt.Errorf("want an absolute http(s) URL")
					}
				}
				c.Slack.APIURL = v
				return nil
			}},
		{Flag: "slack-command", Env: "SLACK_COMMAND", Default: "/ask",
			Usage: "the slash command that asks a question, as registered in the Slack app",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Slack.Command = v
				return slashCommand(v)
			}},
		{Flag: "slack-gaps-command", Env: "SLACK_GAPS_COMMAND", Default: "/gaps",
			Usage: "the moderators' slash command that lists unanswered questions",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Slack.GapsCommand = v
				return slashCommand(v)
			}},
		{Flag: "slack-moderators", Env: "SLACK_MODERATORS",
			Usage: "comma-separated Slack user ids allowed to use moderator commands",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Slack.Moderators = splitList(v)
				return nil
			}},
		{Flag: "slack-moderator-groups", Env: "SLACK_MODERATOR_GROUPS",
			Usage: "comma-separated Slack user group ids whose members may use moderator commands",
			apply: func(c *Config, v string, _ func(string) string) error {
				c.Slack.ModeratorGroups = splitList(v)
				return nil
			}},
	}
}

// Default returns the configuration with every setting at its default.
func Default() Config {
	c, err := Parse(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic("config: defaults do not validate: " + err.Error()) // a bug in Settings
	}
	return c
}

// DefaultAddr is the HTTP listen address when SUMMITBOT_ADDR is unset.
const DefaultAddr = ":8080"

// DefaultDatabaseURL is a SQLite file in the working folder, the same
// default the kb gaps and kb feedback reports read.
const DefaultDatabaseURL = "sqlite:summitbot.db"

// Parse builds the configuration from command-line flags (args, without the
// command name) and the environment (getenv). Flags win over the
// environment. Usage and flag errors are written to w. It returns
// flag.ErrHelp for -h, and otherwise an error listing every problem, each
// naming its environment variable (and flag).
func Parse(args []string, getenv func(string) string, w io.Writer) (Config, error) {
	settings := Settings()
	fs := flag.NewFlagSet("summitbot serve", flag.ContinueOnError)
	fs.SetOutput(w)
	fromFlag := map[string]string{}
	for _, s := range settings {
		if s.Flag == "" {
			continue
		}
		usage := s.Usage + " (env " + s.Env + ")"
		if s.bool {
			fs.BoolFunc(s.Flag, usage, func(v string) error { fromFlag[s.Flag] = v; return nil })
		} else {
			fs.Func(s.Flag, usage, func(v string) error { fromFlag[s.Flag] = v; return nil })
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(w, "usage: summitbot serve [flags]\n\nSecrets are read only from the environment: ")
		var secrets []string
		for _, s := range settings {
			if s.Flag == "" {
				secrets = append(secrets, s.Env)
			}
		}
		fmt.Fprintf(w, "%s.\n\nflags:\n", strings.Join(secrets, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("serve takes no arguments, got %q", fs.Arg(0))
	}

	c := Config{ShutdownTimeout: DefaultShutdownTimeout}
	var problems []error
	for _, s := range settings {
		v, ok := fromFlag[s.Flag]
		if !ok || s.Flag == "" {
			v = strings.TrimSpace(getenv(s.Env))
		}
		if v == "" {
			v = s.Default
		}
		if err := s.apply(&c, v, getenv); err != nil {
			if s.Secret {
				problems = append(problems, fmt.Errorf("%s: %w", s.name(), err))
			} else {
				problems = append(problems, fmt.Errorf("%s %q: %w", s.name(), v, err))
			}
		}
	}
	problems = append(problems, c.check()...)
	if len(problems) > 0 {
		return Config{}, errors.Join(problems...)
	}
	return c, nil
}

func (s Setting) name() string {
	if s.Flag == "" {
		return s.Env
	}
	return s.Env + " (--" + s.Flag + ")"
}

// check validates combinations of settings.
func (c *Config) check() []error {
	var p []error
	d, s := c.Discord, c.Slack
	if d.Token != "" && d.AppID == "" {
		p = append(p, errors.New("DISCORD_TOKEN is set but DISCORD_APP_ID is missing"))
	}
	if len(d.PublicKey) > 0 && d.AppID == "" {
		p = append(p, errors.New("DISCORD_PUBLIC_KEY is set but DISCORD_APP_ID is missing"))
	}
	switch {
	case c.shardIDSet && d.ShardCount == 0:
		p = append(p, errors.New("DISCORD_SHARD_ID is set but DISCORD_SHARD_COUNT is missing"))
	case d.ShardCount > 0 && d.ShardID >= d.ShardCount:
		p = append(p, fmt.Errorf("DISCORD_SHARD_ID is %d but must be less than DISCORD_SHARD_COUNT (%d)", d.ShardID, d.ShardCount))
	}
	if s.BotToken != "" && s.SigningSecret == "" && s.AppToken == "" {
		p = append(p, errors.New("SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is missing (HTTP mode), and so is SLACK_APP_TOKEN (Socket Mode)"))
	}
	if s.SigningSecret != "" && s.BotToken == "" {
		p = append(p, errors.New("SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing"))
	}
	if s.AppToken != "" && s.BotToken == "" {
		p = append(p, errors.New("SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is missing"))
	}
	if s.Command == s.GapsCommand {
		p = append(p, fmt.Errorf("SLACK_COMMAND and SLACK_GAPS_COMMAND are both %s", s.Command))
	}
	return p
}

// parseRate parses a rate limit such as "5/30s" into a count and window.
// "0" and "off" mean no limit.
func parseRate(v string) (int, time.Duration, error) {
	if v == "0" || v == "off" {
		return 0, 0, nil
	}
	ns, ws, ok := strings.Cut(v, "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil || n < 0 {
		return 0, 0, fmt.Errorf("want N/duration such as 5/30s, or 0 for no limit")
	}
	w, err := time.ParseDuration(ws)
	if err != nil || w <= 0 {
		return 0, 0, fmt.Errorf("want N/duration such as 5/30s, or 0 for no limit")
	}
	if n == 0 {
		return 0, 0, nil
	}
	return n, w, nil
}

// parseShardID parses DISCORD_SHARD_ID. The value "ordinal" takes the
// number after the last "-" of hostname, which in a StatefulSet is the pod's
// ordinal (summitbot-gateway-2 → 2).
func parseShardID(v, hostname string) (int, error) {
	if v == "ordinal" {
		i := strings.LastIndexByte(hostname, '-')
		n, err := strconv.Atoi(hostname[i+1:])
		if i < 0 || err != nil || n < 0 {
			return 0, fmt.Errorf("\"ordinal\" needs HOSTNAME ending in -N (a StatefulSet pod name), got %q", hostname)
		}
		return n, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a whole number, 0 or more, or \"ordinal\"")
	}
	return n, nil
}

func slashCommand(v string) error {
	if !strings.HasPrefix(v, "/") || len(v) < 2 || strings.ContainsAny(v, " \t") {
		return fmt.Errorf("want a slash command like /ask")
	}
	return nil
}

// snowflake checks that a Discord id, if set, is a number.
func snowflake(v string) error {
	if v == "" {
		return nil
	}
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return fmt.Errorf("want a numeric Discord id")
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// WriteTable writes the settings as the Markdown table in README.md: flag,
// environment variable, default and meaning.
func WriteTable(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Flag | Environment variable | Default | Meaning |\n|---|---|---|---|\n")
	for _, s := range Settings() {
		flag := "—"
		if s.Flag != "" {
			flag = "`--" + s.Flag + "`"
		}
		def := "—"
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		usage := strings.ReplaceAll(s.Usage, "|", `\|`)
		if s.Secret {
			usage += " (secret)"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", flag, s.Env, def, usage)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
