package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/testutil"
	"github.com/summitbot/summitbot/knowledge"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata/")

// fakeCore is a Core with canned answers, so rendering tests are exact.
type fakeCore struct {
	mu       sync.Mutex
	answers  map[string]bot.Answer // by question text
	topics   map[string]bot.Answer // by topic id
	refs     []bot.TopicRef
	about    bot.About
	delay    time.Duration
	block    chan struct{} // if set, Ask waits for it to close
	started  chan struct{} // if set, Ask signals it has started
	panics   bool
	asked    []bot.Question
	feedback []bot.Feedback
}

func (f *fakeCore) Ask(ctx context.Context, q bot.Question) bot.Answer {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	a, ok := f.answers[q.Text]
	f.mu.Unlock()
	if f.panics {
		panic("boom: " + q.Text) // a panic value may carry the question
	}
	if f.started != nil {
		f.started <- struct{}{}
	}
	if f.block != nil {
		<-f.block
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if !ok {
		return bot.Answer{Question: q.Text, Outcome: bot.OutcomeDeclined,
			Text:        "I can only answer questions about China–Russia relations, and I don't have an answer for that.",
			Suggestions: []bot.TopicRef{{ID: "power-of-siberia", Title: "Power of Siberia gas pipeline", Category: "energy"}, {ID: "trade-volume", Title: "Bilateral trade volume", Category: "trade"}}}
	}
	a.Question = q.Text
	return a
}

func (f *fakeCore) TopicAnswer(id string) (bot.Answer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.topics[id]
	return a, ok
}

func (f *fakeCore) Topics(category string) []bot.TopicRef {
	var out []bot.TopicRef
	for _, r := range f.refs {
		if category == "" || r.Category == category {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeCore) Suggest(prefix string, n int) []bot.TopicRef {
	var out []bot.TopicRef
	for _, r := range f.refs {
		if strings.Contains(strings.ToLower(r.Title), strings.ToLower(prefix)) {
			out = append(out, r)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

func (f *fakeCore) About() bot.About { return f.about }

func (f *fakeCore) Feedback(ctx context.Context, fb bot.Feedback) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feedback = append(f.feedback, fb)
}

func (f *fakeCore) questions() []bot.Question {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Question(nil), f.asked...)
}

func (f *fakeCore) feedbacks() []bot.Feedback {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Feedback(nil), f.feedback...)
}

var posAnswer = bot.Answer{
	Answered: true,
	Outcome:  bot.OutcomeAnswered,
	Topic:    &bot.TopicRef{ID: "power-of-siberia", Title: "Power of Siberia gas pipeline", Category: "energy"},
	Text:     "**Power of Siberia** carries Russian gas from Yakutia to China; it opened on 2 December 2019 ([TASS](https://tass.com/economy/1094679)).",
	Details:  "The pipeline runs about 3,000 km in Russia.\n\n- Gazprom operates it\n- CNPC buys the gas",
	Sources: []knowledge.Source{
		{Title: "Russian gas exports to China launched via the eastern route", Publisher: "TASS", URL: "https://tass.com/economy/1094679", Date: "2019-12-02", Kind: knowledge.StateMedia, Country: "Russia"},
		{Title: "Power of Siberia [fact sheet]", Publisher: "Gazprom", URL: "https://www.gazprom.com/projects/power-of-siberia/", Date: "2024", Kind: knowledge.Official, Country: "Russia"},
	},
	Related: []bot.TopicRef{
		{ID: "power-of-siberia-2", Title: "Power of Siberia 2", Category: "energy"},
		{ID: "gas-contract-2014", Title: "The 2014 gas contract", Category: "energy"},
		{ID: "energy-after-2022", Title: "Energy trade after 2022", Category: "energy"},
		{ID: "fourth-is-dropped", Title: "A fourth related topic", Category: "energy"},
	},
	Confidence: 0.92,
	Reviewed:   "2026-11-26",
	AsOf:       "2026-01",
}

func newFakeCore() *fakeCore {
	pos := posAnswer
	rel := bot.Answer{Answered: true, Outcome: bot.OutcomeAnswered,
		Topic: &bot.TopicRef{ID: "power-of-siberia-2", Title: "Power of Siberia 2", Category: "energy"},
		Text:  "Power of Siberia 2 is a planned pipeline through Mongolia.", Reviewed: "2026-10-01"}
	refs := []bot.TopicRef{
		{ID: "power-of-siberia", Title: "Power of Siberia gas pipeline", Category: "energy"},
		{ID: "power-of-siberia-2", Title: "Power of Siberia 2", Category: "energy"},
		{ID: "trade-volume", Title: "Bilateral trade volume", Category: "trade"},
		{ID: "sino-soviet-split", Title: "The Sino-Soviet split", Category: "history"},
	}
	for i := range 30 {
		refs = append(refs, bot.TopicRef{ID: "history-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Title: "History topic " + string(rune('A'+i%26)), Category: "history"})
	}
	return &fakeCore{
		answers: map[string]bot.Answer{
			"what is power of siberia": pos,
			"slow question":            pos,
			"ping @everyone":           pos,
		},
		topics: map[string]bot.Answer{"power-of-siberia": pos, "power-of-siberia-2": rel},
		refs:   refs,
		about: bot.About{Topics: 34, Categories: map[string]int{"energy": 2, "trade": 1, "history": 31}, Meetings: 45, Sources: 120,
			Newest: "2026-11-26", Oldest: "2026-01-15"},
	}
}

func newTestAdapter(t *testing.T, core Core, cfg Config) (*Adapter, *testutil.LockedBuffer) {
	t.Helper()
	logs := &testutil.LockedBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(core, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, logs
}

// rewriteHost sends every request to target, whatever host it names, so
// discordgo's fixed endpoints reach an httptest server.
type rewriteHost struct{ target *url.URL }

func (rt rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = rt.target.Scheme, rt.target.Host, rt.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// recorded is one REST call the fake Discord received.
type recorded struct {
	Method, Path, Query string
	Body                []byte
}

// fakeDiscord is a REST API stand-in recording every call.
type fakeDiscord struct {
	*httptest.Server
	mu    sync.Mutex
	calls []recorded
	// respond, if set, may answer a call itself (return false to fall through).
	respond func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	f := &fakeDiscord{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.calls = append(f.calls, recorded{r.Method, r.URL.Path, r.URL.RawQuery, body})
		n := len(f.calls)
		respond := f.respond
		f.mu.Unlock()
		if respond != nil && respond(w, r, n) {
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/callback"):
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"900"}`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDiscord) client() *http.Client {
	u, _ := url.Parse(f.URL)
	return &http.Client{Transport: rewriteHost{u}, Timeout: 10 * time.Second}
}

func (f *fakeDiscord) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.calls...)
}

// session returns a session that talks to f and knows its own user.
func (f *fakeDiscord) session(t *testing.T) *discordgo.Session {
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = f.client()
	s.State.User = &discordgo.User{ID: botUserID, Username: "summitbot", Bot: true}
	return s
}

const botUserID = "1000"

// golden compares got (indented JSON of v) with testdata/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	goldenBytes(t, name, got)
}

// goldenBytes compares raw JSON (re-indented) with testdata/name.json.
func goldenBytes(t *testing.T, name string, raw []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatalf("%s: invalid JSON: %v\n%s", name, err, raw)
	}
	got := bytes.TrimSpace(buf.Bytes())
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run go test -update if intended)\n got: %s\nwant: %s", path, got, want)
	}
}

// Interaction builders.

func commandInteraction(id, name string, guild bool, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	i := &discordgo.Interaction{
		ID: id, AppID: "app1", Token: "tok-" + id, Type: discordgo.InteractionApplicationCommand,
		ChannelID: "chan1",
		Data:      discordgo.ApplicationCommandInteractionData{Name: name, Options: opts},
	}
	setUser(i, guild, "user1")
	return i
}

func setUser(i *discordgo.Interaction, guild bool, uid string, roles ...string) {
	u := &discordgo.User{ID: uid, Username: "someone"}
	if guild {
		i.GuildID = "guild1"
		i.Member = &discordgo.Member{User: u, Roles: roles}
	} else {
		i.User = u
	}
}

func strOpt(name, v string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
}

func boolOptV(name string, v bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: v}
}

func buttonInteraction(id, customID string) *discordgo.Interaction {
	i := &discordgo.Interaction{
		ID: id, AppID: "app1", Token: "tok-" + id, Type: discordgo.InteractionMessageComponent,
		ChannelID: "chan1",
		Data:      discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}
	setUser(i, true, "user1")
	return i
}

func autocompleteInteraction(id, cmd, opt, typed string) *discordgo.Interaction {
	o := strOpt(opt, typed)
	o.Focused = true
	i := &discordgo.Interaction{
		ID: id, AppID: "app1", Token: "tok-" + id, Type: discordgo.InteractionApplicationCommandAutocomplete,
		ChannelID: "chan1",
		Data:      discordgo.ApplicationCommandInteractionData{Name: cmd, Options: []*discordgo.ApplicationCommandInteractionDataOption{o}},
	}
	setUser(i, true, "user1")
	return i
}
