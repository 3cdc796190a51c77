package server

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summitbot/summitbot/internal/config"
)

// Request builders that sign as Discord and Slack do, with keys and
// secrets the tests generate; nothing touches the internet.

const slackSecret = "test-signing-secret"

// withSlack turns Slack's webhooks on in cfg: signed with slackSecret,
// replies posted to apiBase.
func withSlack(cfg *config.Config, token, apiBase string) {
	cfg.Slack.BotToken = token
	cfg.Slack.SigningSecret = slackSecret
	cfg.Slack.APIURL = apiBase + "/api/"
}

// withDiscord turns Discord's interactions on in cfg, verified with
// dsig's key.
func withDiscord(cfg *config.Config, dsig discordSigner) {
	cfg.Discord.AppID = "1"
	cfg.Discord.PublicKey = dsig.pub
}

type discordSigner struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newDiscordSigner(t testing.TB) discordSigner {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return discordSigner{pub, priv}
}

// request signs body as Discord does: Ed25519 over timestamp+body.
func (s discordSigner) request(base string, body []byte) *http.Request {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(s.priv, append([]byte(stamp), body...))
	r, _ := http.NewRequest(http.MethodPost, base+"/discord/interactions", strings.NewReader(string(body)))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// discordAsk is the body of a /ask slash command interaction.
func discordAsk(id, user, question string) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": id, "application_id": "1", "type": 2, "token": "interaction-token-" + id,
		"channel_id": "10", "guild_id": "20",
		"member": map[string]any{"user": map[string]any{"id": user, "username": "someone"}},
		"data": map[string]any{"id": "99", "name": "ask", "type": 1,
			"options": []map[string]any{{"name": "question", "type": 3, "value": question}}},
	})
	return b
}

// slackCommand builds a signed slash command request.
func slackCommand(base, user, text, responseURL string) *http.Request {
	form := url.Values{
		"token": {"unused"}, "team_id": {"T1"}, "team_domain": {"summit"}, "channel_id": {"C1"}, "channel_name": {"general"},
		"user_id": {user}, "user_name": {"someone"}, "command": {"/ask"}, "text": {text},
		"response_url": {responseURL}, "trigger_id": {"1.2.3"},
	}
	body := form.Encode()
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(slackSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	r, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return r
}

// responseSink stands in for Slack's response_url endpoint and Web API,
// keeping every body it receives.
type responseSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func newResponseSink(t testing.TB) *responseSink {
	s := &responseSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, string(b))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *responseSink) bodies() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.got, "\n")
}
