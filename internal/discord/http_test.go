package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
)

type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t *testing.T) signer {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub, priv}
}

// request builds a POST signed as Discord signs: Ed25519 over timestamp+body.
func (s signer) request(body []byte, ts time.Time) *http.Request {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(s.priv, append([]byte(stamp), body...))
	r := httptest.NewRequest(http.MethodPost, "/discord/interactions", bytes.NewReader(body))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
	r.Header.Set("Content-Type", "application/json")
	return r
}

func interactionJSON(t *testing.T, i *discordgo.Interaction) []byte {
	t.Helper()
	// discordgo.Interaction has no MarshalJSON for Data; build the wire shape.
	raw := map[string]any{
		"id": i.ID, "application_id": i.AppID, "type": i.Type, "token": i.Token,
		"channel_id": i.ChannelID, "guild_id": i.GuildID, "data": i.Data,
	}
	if i.Member != nil {
		raw["member"] = i.Member
	}
	if i.User != nil {
		raw["user"] = i.User
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInteractionsHandler(t *testing.T) {
	sg := newSigner(t)
	other := newSigner(t)
	now := time.Now()
	ask := interactionJSON(t, commandInteraction("101", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	auto := interactionJSON(t, autocompleteInteraction("102", cmdAsk, optQuestion, "power"))
	click := interactionJSON(t, buttonInteraction("103", "sb:fb:+:power-of-siberia"))
	ping := []byte(`{"id":"100","type":1,"application_id":"app1","token":"t"}`)

	tests := []struct {
		name     string
		req      func() *http.Request
		status   int
		wantType discordgo.InteractionResponseType
		check    func(t *testing.T, r *wireResponse, core *fakeCore)
	}{
		{name: "ping", req: func() *http.Request { return sg.request(ping, now) }, status: 200, wantType: discordgo.InteractionResponsePong},
		{name: "ask", req: func() *http.Request { return sg.request(ask, now) }, status: 200, wantType: discordgo.InteractionResponseChannelMessageWithSource,
			check: func(t *testing.T, r *wireResponse, core *fakeCore) {
				if len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Title != "Power of Siberia gas pipeline" {
					t.Errorf("embeds = %+v", r.Data.Embeds)
				}
				q := core.questions()
				if len(q) != 1 || q[0].UserID != "user1" || q[0].Conversation != "discord:chan1:user1" || q[0].Platform != bot.PlatformDiscord {
					t.Errorf("questions = %+v", q)
				}
			}},
		{name: "autocomplete", req: func() *http.Request { return sg.request(auto, now) }, status: 200, wantType: discordgo.InteractionApplicationCommandAutocompleteResult,
			check: func(t *testing.T, r *wireResponse, core *fakeCore) {
				if len(r.Data.Choices) != 2 || r.Data.Choices[0].Name != "Power of Siberia gas pipeline" {
					t.Errorf("choices = %+v", r.Data.Choices)
				}
			}},
		{name: "button", req: func() *http.Request { return sg.request(click, now) }, status: 200, wantType: discordgo.InteractionResponseChannelMessageWithSource,
			check: func(t *testing.T, r *wireResponse, core *fakeCore) {
				if r.Data.Content != msgThanks || r.Data.Flags != discordgo.MessageFlagsEphemeral {
					t.Errorf("data = %+v", r.Data)
				}
				if f := core.feedbacks(); len(f) != 1 || !f[0].Helpful || f[0].TopicID != "power-of-siberia" {
					t.Errorf("feedback = %+v", f)
				}
			}},
		{name: "wrong key", req: func() *http.Request { return other.request(ping, now) }, status: 401},
		{name: "tampered body", req: func() *http.Request {
			r := sg.request(ask, now)
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(ask, []byte("siberia"), []byte("SIBERIA"), 1)))
			return r
		}, status: 401},
		{name: "signature for another timestamp", req: func() *http.Request {
			r := sg.request(ping, now)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(now.Unix()+1, 10))
			return r
		}, status: 401},
		{name: "stale timestamp", req: func() *http.Request { return sg.request(ping, now.Add(-6*time.Minute)) }, status: 401},
		{name: "future timestamp", req: func() *http.Request { return sg.request(ping, now.Add(6*time.Minute)) }, status: 401},
		{name: "two minutes ahead", req: func() *http.Request { return sg.request(ping, now.Add(2*time.Minute)) }, status: 401},
		{name: "half a minute ahead", req: func() *http.Request { return sg.request(ping, now.Add(30*time.Second)) }, status: 200, wantType: discordgo.InteractionResponsePong},
		{name: "year 2001 timestamp", req: func() *http.Request { return sg.request(ping, time.Unix(1000000000, 0)) }, status: 401},
		{name: "missing signature", req: func() *http.Request {
			r := sg.request(ping, now)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, status: 401},
		{name: "missing timestamp", req: func() *http.Request {
			r := sg.request(ping, now)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, status: 401},
		{name: "non-hex signature", req: func() *http.Request {
			r := sg.request(ping, now)
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("zz", 64))
			return r
		}, status: 401},
		{name: "short signature", req: func() *http.Request {
			r := sg.request(ping, now)
			r.Header.Set("X-Signature-Ed25519", "abcd")
			return r
		}, status: 401},
		{name: "malformed body", req: func() *http.Request { return sg.request([]byte(`{"type":2,"data":`), now) }, status: 400},
		{name: "not an interaction", req: func() *http.Request { return sg.request([]byte(`[1,2,3]`), now) }, status: 400},
		{name: "empty object", req: func() *http.Request { return sg.request([]byte(`{}`), now) }, status: 400},
		{name: "binary body", req: func() *http.Request { return sg.request([]byte{0xff, 0x00, 0xfe}, now) }, status: 400},
		{name: "oversized body", req: func() *http.Request {
			big := append([]byte(`{"type":1,"id":"1","pad":"`), bytes.Repeat([]byte("a"), maxBody)...)
			return sg.request(append(big, `"}`...), now)
		}, status: 413},
		{name: "get", req: func() *http.Request { return httptest.NewRequest(http.MethodGet, "/discord/interactions", nil) }, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core := newFakeCore()
			a, _ := newTestAdapter(t, core, Config{PublicKey: sg.pub})
			w := httptest.NewRecorder()
			a.InteractionsHandler().ServeHTTP(w, tt.req())
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 200 {
				if len(core.questions()) != 0 || len(core.feedbacks()) != 0 {
					t.Error("a rejected request reached the core")
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			var r wireResponse
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Type != tt.wantType {
				t.Errorf("response type = %d, want %d", r.Type, tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, &r, core)
			}
		})
	}
}

// wireResponse decodes an interaction response; discordgo cannot decode
// components into its interface type.
type wireResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Content    string                                      `json:"content"`
		Embeds     []*discordgo.MessageEmbed                   `json:"embeds"`
		Components json.RawMessage                             `json:"components"`
		Flags      discordgo.MessageFlags                      `json:"flags"`
		Choices    []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

func TestInteractionsHandlerPingBody(t *testing.T) {
	sg := newSigner(t)
	a, _ := newTestAdapter(t, newFakeCore(), Config{PublicKey: sg.pub})
	w := httptest.NewRecorder()
	a.InteractionsHandler().ServeHTTP(w, sg.request([]byte(`{"id":"1","type":1}`), time.Now()))
	if got := strings.TrimSpace(w.Body.String()); got != `{"type":1}` {
		t.Errorf("PING answer = %s, want {\"type\":1}", got)
	}
}

func TestInteractionsHandlerReplay(t *testing.T) {
	sg := newSigner(t)
	core := newFakeCore()
	a, _ := newTestAdapter(t, core, Config{PublicKey: sg.pub})
	body := interactionJSON(t, buttonInteraction("555", "sb:fb:+:power-of-siberia"))
	now := time.Now()
	for n, want := range []int{200, 401} {
		w := httptest.NewRecorder()
		a.InteractionsHandler().ServeHTTP(w, sg.request(body, now))
		if w.Code != want {
			t.Errorf("delivery %d: status %d, want %d", n+1, w.Code, want)
		}
	}
	if n := len(core.feedbacks()); n != 1 {
		t.Errorf("feedback recorded %d times, want 1", n)
	}
}

// TestInteractionsHandlerSlowGaps: Discord drops an HTTP reply after 3 s, so
// the work for one is bounded below that, and a gaps report still running
// then gives way to the apology.
func TestInteractionsHandlerSlowGaps(t *testing.T) {
	sg := newSigner(t)
	var left time.Duration
	block := false
	slow := gapsFunc(func(ctx context.Context, n int) ([]bot.Gap, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return nil, errors.New("no deadline")
		}
		left = time.Until(dl)
		if block {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return []bot.Gap{{Count: 1, Examples: []string{"x"}}}, nil
	})
	a, _ := newTestAdapter(t, newFakeCore(), Config{PublicKey: sg.pub, ModeratorRoleID: "mods", Gaps: slow})
	post := func(id string) wireResponse {
		t.Helper()
		w := httptest.NewRecorder()
		a.InteractionsHandler().ServeHTTP(w, sg.request(interactionJSON(t, withRoles(commandInteraction(id, cmdGaps, true), "mods")), time.Now()))
		var r wireResponse
		if err := json.Unmarshal(w.Body.Bytes(), &r); w.Code != 200 || err != nil {
			t.Fatalf("status %d, %v: %s", w.Code, err, w.Body)
		}
		return r
	}

	if r := post("1"); len(r.Data.Embeds) != 1 {
		t.Errorf("gaps report = %+v", r.Data)
	}
	if left <= 0 || left > 2500*time.Millisecond {
		t.Errorf("the reporter had %v left, want at most 2.5s (Discord waits 3s)", left)
	}

	a.httpBudget = 20 * time.Millisecond
	block = true
	if r := post("2"); r.Data.Content != msgGapsFailed || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("slow gaps report = %+v, want the apology", r.Data)
	}
}

func TestInteractionsHandlerOff(t *testing.T) {
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	w := httptest.NewRecorder()
	a.InteractionsHandler().ServeHTTP(w, newSigner(t).request([]byte(`{"type":1}`), time.Now()))
	if w.Code != http.StatusNotFound {
		t.Errorf("status %d with no public key, want 404", w.Code)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"short key":          {PublicKey: ed25519.PublicKey{1, 2, 3}},
		"negative shards":    {ShardCount: -1},
		"shard out of range": {ShardID: 2, ShardCount: 2},
	} {
		if _, err := New(newFakeCore(), cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	if _, err := New(nil, Config{}); err == nil {
		t.Error("New accepted a nil core")
	}
}
