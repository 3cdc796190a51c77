package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/testutil"
)

func TestGatewayInteractionGolden(t *testing.T) {
	fd := newFakeDiscord(t)
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	s := fd.session(t)
	a.onInteraction(context.Background(), s, commandInteraction("201", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	calls := fd.recorded()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	c := calls[0]
	if c.Method != http.MethodPost || c.Path != "/api/v9/interactions/201/tok-201/callback" {
		t.Errorf("call = %s %s", c.Method, c.Path)
	}
	goldenBytes(t, "gateway_ask", c.Body)
}

func TestGatewayDefersSlowAnswers(t *testing.T) {
	tests := []struct {
		name      string
		i         *discordgo.Interaction
		wantDefer string // JSON of the deferral
		wantPaths []string
	}{
		{
			name:      "public answer is edited in",
			i:         commandInteraction("301", cmdAsk, true, strOpt(optQuestion, "slow question")),
			wantDefer: `{"type":5,"data":{"tts":false,"content":"","components":null,"embeds":null}}`,
			wantPaths: []string{"POST /api/v9/interactions/301/tok-301/callback", "PATCH /api/v9/webhooks/app1/tok-301/messages/@original"},
		},
		{
			name:      "private answer deferred ephemerally",
			i:         commandInteraction("302", cmdAsk, true, strOpt(optQuestion, "slow question"), boolOptV(optPrivate, true)),
			wantDefer: `{"type":5,"data":{"tts":false,"content":"","components":null,"embeds":null,"flags":64}}`,
			wantPaths: []string{"POST /api/v9/interactions/302/tok-302/callback", "PATCH /api/v9/webhooks/app1/tok-302/messages/@original"},
		},
		{
			name:      "decline after a public deferral becomes an ephemeral follow-up",
			i:         commandInteraction("303", cmdAsk, true, strOpt(optQuestion, "slow unknown question")),
			wantDefer: `{"type":5,"data":{"tts":false,"content":"","components":null,"embeds":null}}`,
			wantPaths: []string{"POST /api/v9/interactions/303/tok-303/callback", "DELETE /api/v9/webhooks/app1/tok-303/messages/@original", "POST /api/v9/webhooks/app1/tok-303"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := newFakeDiscord(t)
			core := newFakeCore()
			core.delay = 100 * time.Millisecond
			a, _ := newTestAdapter(t, core, Config{})
			a.deferAfter = time.Millisecond
			a.onInteraction(context.Background(), fd.session(t), tt.i)
			calls := fd.recorded()
			var paths []string
			for _, c := range calls {
				paths = append(paths, c.Method+" "+c.Path)
			}
			if strings.Join(paths, "\n") != strings.Join(tt.wantPaths, "\n") {
				t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(tt.wantPaths, "\n"))
			}
			if got := string(calls[0].Body); got != tt.wantDefer {
				t.Errorf("deferral = %s, want %s", got, tt.wantDefer)
			}
			var last struct {
				Content         string                            `json:"content"`
				Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
				Flags           int                               `json:"flags"`
				AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
			}
			if err := json.Unmarshal(calls[len(calls)-1].Body, &last); err != nil {
				t.Fatal(err)
			}
			if last.AllowedMentions == nil || len(last.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions = %+v", last.AllowedMentions)
			}
			if strings.Contains(tt.name, "decline") {
				if last.Flags != int(discordgo.MessageFlagsEphemeral) || !strings.Contains(last.Content, "Did you mean") {
					t.Errorf("follow-up = %+v", last)
				}
			} else if len(last.Embeds) != 1 || last.Embeds[0].Title != "Power of Siberia gas pipeline" {
				t.Errorf("edit = %+v", last)
			}
		})
	}
}

func TestGatewayDeferredPageIsUpdate(t *testing.T) {
	fd := newFakeDiscord(t)
	a, _ := newTestAdapter(t, &slowTopics{newFakeCore()}, Config{})
	a.deferAfter = time.Millisecond
	a.onInteraction(context.Background(), fd.session(t), buttonInteraction("401", "sb:topics:all:1"))
	calls := fd.recorded()
	if len(calls) != 2 || string(calls[0].Body) != `{"type":6,"data":{"tts":false,"content":"","components":null,"embeds":null}}` ||
		calls[1].Method != http.MethodPatch {
		t.Fatalf("calls = %+v", calls)
	}
}

type slowTopics struct{ *fakeCore }

func (s *slowTopics) Topics(c string) []bot.TopicRef {
	time.Sleep(50 * time.Millisecond)
	return s.fakeCore.Topics(c)
}

func TestGatewayRetries429(t *testing.T) {
	fd := newFakeDiscord(t)
	fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`)
			return true
		}
		return false
	}
	a, logs := newTestAdapter(t, newFakeCore(), Config{})
	a.onInteraction(context.Background(), fd.session(t), buttonInteraction("501", "sb:fb:+:power-of-siberia"))
	if n := len(fd.recorded()); n != 2 {
		t.Errorf("%d calls, want 2 (one 429, one retry)", n)
	}
	if strings.Contains(logs.String(), "reply failed") {
		t.Errorf("retried reply logged as failed:\n%s", logs)
	}
}

func TestGatewayReplyFailureLogged(t *testing.T) {
	fd := newFakeDiscord(t)
	fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"message":"Invalid Form Body","code":50035}`)
		return true
	}
	a, logs := newTestAdapter(t, newFakeCore(), Config{})
	a.onInteraction(context.Background(), fd.session(t), commandInteraction("601", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	out := logs.String()
	if !strings.Contains(out, "reply failed") || !strings.Contains(out, "interaction_id=601") {
		t.Errorf("failure not logged with the interaction id:\n%s", out)
	}
	if strings.Contains(out, "what is power of siberia") || strings.Contains(out, "someone") {
		t.Errorf("log contains question text or a user name:\n%s", out)
	}
}

// failingTransport fails every request whose path contains fail, the way
// a dropped connection does; others go to next.
type failingTransport struct {
	fail string
	next http.RoundTripper
}

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.Contains(r.URL.Path, f.fail) {
		return nil, errors.New("connection reset by peer")
	}
	return f.next.RoundTrip(r)
}

// TestReplyFailureLogsNoToken: the callback and webhook URLs carry the
// interaction token, a credential; a failed reply must not log them.
func TestReplyFailureLogsNoToken(t *testing.T) {
	tests := []struct {
		name     string
		fail     string // path part that fails
		deferred bool
		limit    bool // answer 429 without retrying instead of failing the transport
	}{
		{name: "callback", fail: "/callback"},
		{name: "deferred edit", fail: "/webhooks/", deferred: true},
		{name: "rate limited", limit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := newFakeDiscord(t)
			if tt.limit {
				fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"message":"You are being rate limited.","retry_after":0.01,"global":false}`)
					return true
				}
			}
			core := newFakeCore()
			a, logs := newTestAdapter(t, core, Config{})
			s := fd.session(t)
			s.ShouldRetryOnRateLimit = !tt.limit
			if tt.fail != "" {
				c := fd.client()
				c.Transport = failingTransport{fail: tt.fail, next: c.Transport}
				s.Client = c
			}
			if tt.deferred {
				core.delay = 50 * time.Millisecond
				a.deferAfter = time.Millisecond
			}
			a.onInteraction(context.Background(), s, commandInteraction("801", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
			out := logs.String()
			if !strings.Contains(out, "reply failed") {
				t.Fatalf("no failure logged:\n%s", out)
			}
			if strings.Contains(out, "tok-801") {
				t.Errorf("log contains the interaction token:\n%s", out)
			}
		})
	}
}

// callsFor returns the calls to an interaction's callback.
func callsFor(fd *fakeDiscord, interactionID string) []recorded {
	var out []recorded
	for _, c := range fd.recorded() {
		if strings.HasPrefix(c.Path, "/api/v9/interactions/"+interactionID+"/") {
			out = append(out, c)
		}
	}
	return out
}

// TestGatewayWorkBounded: past the worker bound an interaction gets an
// ephemeral "busy" notice (autocomplete: no choices), a message addressed
// to the bot a "busy" reply, and nothing at all once the notice slots are
// full too; drain waits for the replies under way.
func TestGatewayWorkBounded(t *testing.T) {
	fd := newFakeDiscord(t)
	core := newFakeCore()
	core.block = make(chan struct{})
	core.started = make(chan struct{}, 1)
	a, logs := newTestAdapter(t, core, Config{})
	a.work = make(chan struct{}, 1)
	a.deferAfter = time.Hour
	s := fd.session(t)
	ctx := context.Background()

	a.interactionCreate(ctx, s, commandInteraction("901", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	<-core.started // the only worker is now busy

	a.interactionCreate(ctx, s, commandInteraction("902", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	testutil.WaitFor(t, "busy notice", func() bool { return len(callsFor(fd, "902")) == 1 })
	var busy discordgo.InteractionResponse
	if err := json.Unmarshal(callsFor(fd, "902")[0].Body, &busy); err != nil {
		t.Fatal(err)
	}
	if busy.Type != discordgo.InteractionResponseChannelMessageWithSource || busy.Data.Content != msgBusy || busy.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("busy notice = %+v", busy.Data)
	}

	a.interactionCreate(ctx, s, autocompleteInteraction("903", cmdTopic, optName, "siberia"))
	testutil.WaitFor(t, "busy autocomplete", func() bool { return len(callsFor(fd, "903")) == 1 })
	if got := string(callsFor(fd, "903")[0].Body); !strings.HasPrefix(got, `{"type":8,`) || strings.Contains(got, `"value"`) {
		t.Errorf("busy autocomplete = %s", got)
	}

	human := &discordgo.User{ID: "u1"}
	a.messageCreate(ctx, s, &discordgo.Message{ID: "m1", ChannelID: "c1", GuildID: "g1", Author: human, Content: "not for the bot"})
	a.messageCreate(ctx, s, &discordgo.Message{ID: "m2", ChannelID: "d1", Author: human, Content: "what is power of siberia"})
	testutil.WaitFor(t, "busy message reply", func() bool { return len(fd.recorded()) == 3 })
	if c := fd.recorded()[2]; c.Path != "/api/v9/channels/d1/messages" || !strings.Contains(string(c.Body), msgBusy) {
		t.Errorf("busy message reply = %s %s", c.Path, c.Body)
	}

	a.notices = make(chan struct{}) // no notice slot either
	a.interactionCreate(ctx, s, commandInteraction("904", cmdAsk, true, strOpt(optQuestion, "what is power of siberia")))
	if !strings.Contains(logs.String(), "notice dropped") {
		t.Errorf("dropped notice not logged:\n%s", logs)
	}

	close(core.block)
	a.drain()
	// drain returned, so the first reply has been sent.
	if n := len(callsFor(fd, "901")); n != 1 {
		t.Errorf("first interaction: %d calls after drain, want 1", n)
	}
	if n := len(callsFor(fd, "904")); n != 0 {
		t.Errorf("interaction with no slot at all: %d calls", n)
	}
	if n := len(core.questions()); n != 1 {
		t.Errorf("core asked %d times, want 1", n)
	}
}

// TestDrainWaitsForJustStarted: a reply counts as under way from the moment
// it is accepted, not from when its goroutine first runs.
func TestDrainWaitsForJustStarted(t *testing.T) {
	fd := newFakeDiscord(t)
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	s := fd.session(t)
	for n := range 20 {
		a.interactionCreate(context.Background(), s, buttonInteraction(fmt.Sprint(1000+n), "sb:fb:+:power-of-siberia"))
	}
	a.drain()
	if n := len(fd.recorded()); n != 20 {
		t.Errorf("%d replies sent before drain returned, want 20", n)
	}
	a.interactionCreate(context.Background(), s, buttonInteraction("2000", "sb:fb:+:power-of-siberia"))
	a.drain()
	if n := len(fd.recorded()); n != 20 {
		t.Errorf("an interaction after drain began was answered")
	}
}

func TestGatewayAutocomplete(t *testing.T) {
	fd := newFakeDiscord(t)
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	a.deferAfter = 0 // autocomplete is never deferred
	a.onInteraction(context.Background(), fd.session(t), autocompleteInteraction("701", cmdTopic, optName, "siberia"))
	calls := fd.recorded()
	if len(calls) != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	want := `{"type":8,"data":{"tts":false,"content":"","components":null,"embeds":null,"choices":[{"name":"Power of Siberia gas pipeline","value":"power-of-siberia"},{"name":"Power of Siberia 2","value":"power-of-siberia-2"}]}}`
	if got := string(calls[0].Body); got != want {
		t.Errorf("body = %s\nwant %s", got, want)
	}
}

func TestGatewayMessages(t *testing.T) {
	mention := []*discordgo.User{{ID: botUserID}}
	human := &discordgo.User{ID: "u1", Username: "someone"}
	tests := []struct {
		name     string
		m        *discordgo.Message
		wantText string // question passed to the core; "" means no reply at all
		wantKind string
	}{
		{"mention in channel", &discordgo.Message{ID: "m1", ChannelID: "c1", GuildID: "g1", Author: human, Mentions: mention,
			Content: "<@" + botUserID + "> what is power of siberia"}, "what is power of siberia", bot.ChannelChannel},
		{"nickname mention", &discordgo.Message{ID: "m2", ChannelID: "c1", GuildID: "g1", Author: human, Mentions: mention,
			Content: "what is power of siberia <@!" + botUserID + ">"}, "what is power of siberia", bot.ChannelChannel},
		{"dm", &discordgo.Message{ID: "m3", ChannelID: "d1", Author: human, Content: "what is power of siberia"}, "what is power of siberia", bot.ChannelDM},
		{"other mentions kept for the core to strip", &discordgo.Message{ID: "m4", ChannelID: "c1", GuildID: "g1", Author: human, Mentions: mention,
			Content: "<@" + botUserID + "> ping @everyone"}, "ping @everyone", bot.ChannelChannel},
		{"not mentioned", &discordgo.Message{ID: "m5", ChannelID: "c1", GuildID: "g1", Author: human, Content: "what is power of siberia"}, "", ""},
		{"someone else mentioned", &discordgo.Message{ID: "m6", ChannelID: "c1", GuildID: "g1", Author: human, Mentions: []*discordgo.User{{ID: "42"}},
			Content: "<@42> what is power of siberia"}, "", ""},
		{"bot author", &discordgo.Message{ID: "m7", ChannelID: "d1", Author: &discordgo.User{ID: "b2", Bot: true}, Content: "what is power of siberia"}, "", ""},
		{"itself", &discordgo.Message{ID: "m8", ChannelID: "d1", Author: &discordgo.User{ID: botUserID}, Content: "what is power of siberia"}, "", ""},
		{"no author", &discordgo.Message{ID: "m9", ChannelID: "d1", Content: "x"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := newFakeDiscord(t)
			core := newFakeCore()
			a, _ := newTestAdapter(t, core, Config{})
			a.onMessage(context.Background(), fd.session(t), tt.m)
			calls := fd.recorded()
			if tt.wantText == "" {
				if len(calls) != 0 || len(core.questions()) != 0 {
					t.Errorf("expected no reply; calls %+v, questions %+v", calls, core.questions())
				}
				return
			}
			q := core.questions()
			if len(q) != 1 || q[0].Text != tt.wantText || q[0].ChannelKind != tt.wantKind || q[0].UserID != "u1" ||
				q[0].Conversation != "discord:"+tt.m.ChannelID+":u1" {
				t.Errorf("questions = %+v", q)
			}
			if len(calls) != 1 || calls[0].Method != http.MethodPost || calls[0].Path != "/api/v9/channels/"+tt.m.ChannelID+"/messages" {
				t.Fatalf("calls = %+v", calls)
			}
			var sent struct {
				Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
				AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
				Reference       *discordgo.MessageReference       `json:"message_reference"`
			}
			if err := json.Unmarshal(calls[0].Body, &sent); err != nil {
				t.Fatal(err)
			}
			if sent.AllowedMentions == nil || sent.AllowedMentions.Parse == nil || len(sent.AllowedMentions.Parse) != 0 || sent.AllowedMentions.RepliedUser {
				t.Errorf("allowed mentions = %+v", sent.AllowedMentions)
			}
			if sent.Reference == nil || sent.Reference.MessageID != tt.m.ID {
				t.Errorf("reference = %+v", sent.Reference)
			}
			if len(sent.Embeds) != 1 {
				t.Errorf("embeds = %+v", sent.Embeds)
			}
			if tt.name == "mention in channel" {
				goldenBytes(t, "mention_reply", calls[0].Body)
			}
		})
	}
}

func TestGatewayEmptyMention(t *testing.T) {
	fd := newFakeDiscord(t)
	core := newFakeCore()
	a, _ := newTestAdapter(t, core, Config{})
	a.onMessage(context.Background(), fd.session(t), &discordgo.Message{ID: "m1", ChannelID: "c1", GuildID: "g1",
		Author: &discordgo.User{ID: "u1"}, Mentions: []*discordgo.User{{ID: botUserID}}, Content: "<@" + botUserID + ">  "})
	if len(core.questions()) != 0 {
		t.Error("an empty mention reached the core")
	}
	calls := fd.recorded()
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), "Ask me anything") {
		t.Errorf("calls = %+v", calls)
	}
}

// fakeGateway speaks just enough of the gateway protocol for Open: Hello,
// then READY after the identify, when the test releases it.
type fakeGateway struct {
	mu         sync.Mutex
	identifies []map[string]any
	release    chan struct{}
}

func (g *fakeGateway) serve(t *testing.T) http.HandlerFunc {
	up := websocket.Upgrader{}
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer c.Close()
		_ = c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
		for {
			var msg struct {
				Op int             `json:"op"`
				D  json.RawMessage `json:"d"`
			}
			if err := c.ReadJSON(&msg); err != nil {
				return
			}
			switch msg.Op {
			case 1: // heartbeat
				_ = c.WriteJSON(map[string]any{"op": 11})
				continue
			case 6: // resume after a dropped connection
				_ = c.WriteJSON(map[string]any{"op": 0, "s": 2, "t": "RESUMED", "d": map[string]any{}})
				continue
			case 2:
			default:
				continue
			}
			var d map[string]any
			if err := json.Unmarshal(msg.D, &d); err != nil {
				t.Errorf("identify: %v", err)
				return
			}
			g.mu.Lock()
			g.identifies = append(g.identifies, d)
			g.mu.Unlock()
			<-g.release
			shard, _ := d["shard"].([]any)
			_ = c.WriteJSON(map[string]any{"op": 0, "s": 1, "t": "READY", "d": map[string]any{
				"v": 9, "session_id": "s", "user": map[string]any{"id": botUserID, "username": "summitbot", "bot": true},
				"guilds": []any{}, "private_channels": []any{}, "shard": shard,
			}})
		}
	}
}

func TestRunGateway(t *testing.T) {
	gw := &fakeGateway{release: make(chan struct{})}
	fd := newFakeDiscord(t)
	wsURL := "ws" + strings.TrimPrefix(fd.URL, "http") + "/ws"
	fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/ws"):
			gw.serve(t)(w, r)
		case r.URL.Path == "/api/v9/gateway/bot":
			fmt.Fprintf(w, `{"url":%q,"shards":2,"session_start_limit":{"total":1000,"remaining":999,"reset_after":0,"max_concurrency":1}}`, wsURL)
		case r.URL.Path == "/api/v9/gateway":
			fmt.Fprintf(w, `{"url":%q}`, wsURL)
		case r.Method == http.MethodPut:
			fmt.Fprint(w, `[]`)
		default:
			return false
		}
		return true
	}
	a, _ := newTestAdapter(t, newFakeCore(), Config{Token: "secret", AppID: "app1", GuildID: "g1", HTTPClient: fd.client(),
		Gaps: gapsFunc(func(context.Context, int) ([]bot.Gap, error) { return nil, nil })})
	a.shardWait = 0
	if !a.Connected() {
		t.Error("Connected() before the gateway runs should be true")
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.RunGateway(ctx) }()

	testutil.WaitFor(t, "first identify", func() bool { gw.mu.Lock(); defer gw.mu.Unlock(); return len(gw.identifies) == 1 })
	if a.Connected() {
		t.Error("Connected() is true before READY")
	}
	close(gw.release)
	testutil.WaitFor(t, "both shards connected", func() bool { return a.Connected() })

	gw.mu.Lock()
	ids := gw.identifies
	gw.mu.Unlock()
	if len(ids) != 2 {
		t.Fatalf("identifies = %d, want 2", len(ids))
	}
	for n, id := range ids {
		if fmt.Sprint(id["shard"]) != fmt.Sprintf("[%d 2]", n) {
			t.Errorf("identify %d shard = %v", n, id["shard"])
		}
		intents := discordgo.Intent(id["intents"].(float64))
		if intents&discordgo.IntentMessageContent != 0 {
			t.Error("identify requests the privileged Message Content intent")
		}
		if intents&discordgo.IntentsGuildMessages == 0 || intents&discordgo.IntentsDirectMessages == 0 {
			t.Errorf("intents %b lack guild or direct messages", intents)
		}
		if id["token"] != "Bot secret" {
			t.Errorf("token = %v", id["token"])
		}
	}
	// Commands: one bulk overwrite to the guild, gaps included.
	var put []recorded
	for _, c := range fd.recorded() {
		if c.Method == http.MethodPut {
			put = append(put, c)
		}
		if c.Method == http.MethodPost && strings.Contains(c.Path, "commands") {
			t.Errorf("command created one by one: %s", c.Path)
		}
	}
	if len(put) != 1 || put[0].Path != "/api/v9/applications/app1/guilds/g1/commands" {
		t.Fatalf("PUT calls = %+v", put)
	}
	var cmds []discordgo.ApplicationCommand
	if err := json.Unmarshal(put[0].Body, &cmds); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "ask,topic,topics,about,gaps" {
		t.Errorf("registered %v", names)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Errorf("RunGateway returned %v on clean shutdown", err)
	}
	if !a.Connected() {
		t.Error("Connected() after shutdown should be true (gateway not in use)")
	}
}

func TestRunGatewayOneShardOfMany(t *testing.T) {
	gw := &fakeGateway{release: make(chan struct{})}
	close(gw.release)
	fd := newFakeDiscord(t)
	wsURL := "ws" + strings.TrimPrefix(fd.URL, "http") + "/ws"
	fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/ws"):
			gw.serve(t)(w, r)
		case r.URL.Path == "/api/v9/gateway/bot":
			t.Error("asked for the recommended shard count despite ShardCount")
		case r.URL.Path == "/api/v9/gateway":
			fmt.Fprintf(w, `{"url":%q}`, wsURL)
		case r.Method == http.MethodPut:
			fmt.Fprint(w, `[]`)
		default:
			return false
		}
		return true
	}
	a, _ := newTestAdapter(t, newFakeCore(), Config{Token: "Bot secret", AppID: "app1", ShardID: 2, ShardCount: 3, HTTPClient: fd.client()})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.RunGateway(ctx) }()
	testutil.WaitFor(t, "connected", func() bool { gw.mu.Lock(); defer gw.mu.Unlock(); return len(gw.identifies) == 1 && a.Connected() })
	gw.mu.Lock()
	if fmt.Sprint(gw.identifies[0]["shard"]) != "[2 3]" {
		t.Errorf("shard = %v", gw.identifies[0]["shard"])
	}
	gw.mu.Unlock()
	for _, c := range fd.recorded() {
		if c.Method == http.MethodPut && c.Path != "/api/v9/applications/app1/commands" {
			t.Errorf("global registration went to %s", c.Path)
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Error(err)
	}
}

func TestRunGatewayErrors(t *testing.T) {
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	if err := a.RunGateway(context.Background()); err == nil {
		t.Error("RunGateway without a token succeeded")
	}
	fd := newFakeDiscord(t)
	fd.respond = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"401: Unauthorized","code":0}`)
		return true
	}
	a, _ = newTestAdapter(t, newFakeCore(), Config{Token: "bad", AppID: "app1", HTTPClient: fd.client()})
	err := a.RunGateway(context.Background())
	if err == nil || !strings.Contains(err.Error(), "register commands") {
		t.Errorf("err = %v", err)
	}
	var rest *discordgo.RESTError
	if !errorsAs(err, &rest) || rest.Response.StatusCode != 401 {
		t.Errorf("error does not wrap the REST error: %v", err)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// TestRegisterCommandsAlone: an HTTP-only deployment registers the slash
// commands with one global bulk overwrite and opens no gateway.
func TestRegisterCommandsAlone(t *testing.T) {
	fd := newFakeDiscord(t)
	fd.respond = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		_, _ = io.WriteString(w, "[]")
		return true
	}
	a, _ := newTestAdapter(t, newFakeCore(), Config{Token: "secret", AppID: "app1", HTTPClient: fd.client()})
	if err := a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := fd.recorded()
	if len(calls) != 1 || calls[0].Method != http.MethodPut || calls[0].Path != "/api/v9/applications/app1/commands" {
		t.Fatalf("calls = %+v, want one PUT of the global commands", calls)
	}
	if strings.Contains(string(calls[0].Body), `"gaps"`) {
		t.Error("/gaps is registered without a gaps reporter")
	}
	b, _ := newTestAdapter(t, newFakeCore(), Config{PublicKey: make([]byte, 32)})
	if err := b.RegisterCommands(context.Background()); err == nil {
		t.Error("RegisterCommands without a token succeeded")
	}
}
