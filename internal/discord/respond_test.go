package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/internal/panics"
)

// TestResponsesGolden pins the JSON sent for each kind of interaction.
func TestResponsesGolden(t *testing.T) {
	gaps := gapsFunc(func(ctx context.Context, n int) ([]bot.Gap, error) {
		return []bot.Gap{
			{Count: 12, Examples: []string{"who is the *best* @everyone", "<@123> what about [x](https://evil.example)"},
				Nearest: &bot.TopicRef{ID: "trade-volume", Title: "Bilateral trade volume"}, Confidence: 0.31},
			{Count: 1, Examples: []string{"borscht recipe"}},
		}, nil
	})
	tests := []struct {
		name string
		i    *discordgo.Interaction
	}{
		{"ask_answer", commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "what is power of siberia"))},
		{"ask_private", commandInteraction("2", cmdAsk, true, strOpt(optQuestion, "what is power of siberia"), boolOptV(optPrivate, true))},
		{"ask_declined", commandInteraction("3", cmdAsk, true, strOpt(optQuestion, "best borscht recipe"))},
		{"topic_by_id", commandInteraction("4", cmdTopic, false, strOpt(optName, "power-of-siberia-2"))},
		{"topic_unknown", commandInteraction("5", cmdTopic, false, strOpt(optName, "zzz nothing"))},
		{"topics_all", commandInteraction("6", cmdTopics, true)},
		{"topics_energy", commandInteraction("7", cmdTopics, true, strOpt(optCategory, "energy"))},
		{"about", commandInteraction("8", cmdAbout, true)},
		{"gaps", withRoles(commandInteraction("9", cmdGaps, true), "mods")},
		{"button_more", buttonInteraction("10", "sb:more:power-of-siberia")},
		{"button_topic", buttonInteraction("11", "sb:topic:power-of-siberia-2")},
		{"button_feedback", buttonInteraction("12", "sb:fb:+:power-of-siberia")},
		{"button_topics_page", buttonInteraction("13", "sb:topics:all:1")},
		{"button_unknown", buttonInteraction("14", "something-else")},
		{"autocomplete_ask", autocompleteInteraction("15", cmdAsk, optQuestion, "power")},
		{"autocomplete_topic", autocompleteInteraction("16", cmdTopic, optName, "power")},
	}
	a, _ := newTestAdapter(t, newFakeCore(), Config{ModeratorRoleID: "mods", Gaps: gaps})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, tt.name, a.handle(context.Background(), tt.i).interactionResponse())
		})
	}
}

type gapsFunc func(ctx context.Context, n int) ([]bot.Gap, error)

func (f gapsFunc) TopGaps(ctx context.Context, n int) ([]bot.Gap, error) { return f(ctx, n) }

func withRoles(i *discordgo.Interaction, roles ...string) *discordgo.Interaction {
	i.Member.Roles = roles
	return i
}

func TestAskQuestionFields(t *testing.T) {
	core := newFakeCore()
	a, _ := newTestAdapter(t, core, Config{})
	a.handle(context.Background(), commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "  what is power of siberia  ")))
	a.handle(context.Background(), commandInteraction("2", cmdAsk, false, strOpt(optQuestion, "what is power of siberia")))
	got := core.questions()
	want := []bot.Question{
		{Text: "what is power of siberia", Platform: bot.PlatformDiscord, UserID: "user1", ChannelKind: bot.ChannelChannel, Conversation: "discord:chan1:user1"},
		{Text: "what is power of siberia", Platform: bot.PlatformDiscord, UserID: "user1", ChannelKind: bot.ChannelDM, Conversation: "discord:chan1:user1"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("questions:\n got %+v\nwant %+v", got, want)
	}
}

func TestRateLimitedIsEphemeralText(t *testing.T) {
	core := newFakeCore()
	core.answers["again"] = bot.Answer{Outcome: bot.OutcomeRateLimited, Text: "You're asking quickly. Try again in a minute."}
	a, _ := newTestAdapter(t, core, Config{})
	r := a.handle(context.Background(), commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "again"))).interactionResponse()
	if r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || r.Data.Content != "You're asking quickly. Try again in a minute." || len(r.Data.Embeds) != 0 {
		t.Errorf("rate-limited reply = %+v", r.Data)
	}
}

// countingGaps is a GapReporter that counts its calls.
type countingGaps struct {
	calls, n int
	err      error
}

func (g *countingGaps) TopGaps(_ context.Context, n int) ([]bot.Gap, error) {
	g.calls++
	g.n = n
	if g.err != nil {
		return nil, g.err
	}
	return []bot.Gap{{Count: 3, Examples: []string{"x"}}}, nil
}

func TestGapsPermissions(t *testing.T) {
	dm := commandInteraction("1", cmdGaps, false)
	tests := []struct {
		name      string
		modRole   string
		gaps      *countingGaps // nil: no reporter configured
		i         *discordgo.Interaction
		want      string
		wantCalls int // calls to this row's reporter
	}{
		{"not configured", "mods", nil, withRoles(commandInteraction("1", cmdGaps, true), "mods"), msgGapsOff, 0},
		{"dm", "mods", &countingGaps{}, dm, msgGapsDM, 0},
		{"no role", "mods", &countingGaps{}, withRoles(commandInteraction("1", cmdGaps, true), "other"), msgGapsDenied, 0},
		{"no role configured", "", &countingGaps{}, withRoles(commandInteraction("1", cmdGaps, true), ""), msgGapsDenied, 0},
		{"moderator", "mods", &countingGaps{}, withRoles(commandInteraction("1", cmdGaps, true), "x", "mods"), "", 1},
		{"reporter fails", "mods", &countingGaps{err: fmt.Errorf("db: connection refused to 10.0.0.1")}, withRoles(commandInteraction("1", cmdGaps, true), "mods"), msgGapsFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{ModeratorRoleID: tt.modRole}
			if tt.gaps != nil { // a nil *countingGaps would be a non-nil GapReporter
				cfg.Gaps = tt.gaps
			}
			a, _ := newTestAdapter(t, newFakeCore(), cfg)
			r := a.handle(context.Background(), tt.i).interactionResponse()
			if r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Error("gaps reply is not ephemeral")
			}
			if r.Data.Content != tt.want {
				t.Errorf("content = %q, want %q", r.Data.Content, tt.want)
			}
			if tt.gaps != nil {
				if tt.gaps.calls != tt.wantCalls {
					t.Errorf("TopGaps calls = %d, want %d", tt.gaps.calls, tt.wantCalls)
				}
				if tt.gaps.calls > 0 && tt.gaps.n != 5 {
					t.Errorf("TopGaps n = %d, want 5", tt.gaps.n)
				}
			}
			if tt.want == "" && (len(r.Data.Embeds) != 1 || len(r.Data.Embeds[0].Fields) != 1) {
				t.Errorf("moderator got %+v", r.Data)
			}
		})
	}
}

func TestGapsRegisteredOnlyWithReporter(t *testing.T) {
	names := func(cmds []*discordgo.ApplicationCommand) string {
		var s []string
		for _, c := range cmds {
			s = append(s, c.Name)
		}
		return strings.Join(s, ",")
	}
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	if got := names(a.commands()); got != "ask,topic,topics,about" {
		t.Errorf("commands without reporter = %s", got)
	}
	a, _ = newTestAdapter(t, newFakeCore(), Config{Gaps: gapsFunc(nil)})
	if got := names(a.commands()); got != "ask,topic,topics,about,gaps" {
		t.Errorf("commands with reporter = %s", got)
	}
}

// TestCommandDefinitionsWithinLimits checks what Discord validates on
// registration: names 1-32 lower-case, descriptions 1-100, <= 25 options and
// choices, and no option both autocompleted and with choices.
func TestCommandDefinitionsWithinLimits(t *testing.T) {
	a, _ := newTestAdapter(t, newFakeCore(), Config{Gaps: gapsFunc(nil)})
	for _, c := range a.commands() {
		if n := runes(c.Name); n < 1 || n > 32 || strings.ToLower(c.Name) != c.Name {
			t.Errorf("command name %q", c.Name)
		}
		if n := runes(c.Description); n < 1 || n > 100 {
			t.Errorf("%s: description has %d characters", c.Name, n)
		}
		if len(c.Options) > 25 {
			t.Errorf("%s: %d options", c.Name, len(c.Options))
		}
		for _, o := range c.Options {
			if n := runes(o.Description); n < 1 || n > 100 {
				t.Errorf("%s/%s: description has %d characters", c.Name, o.Name, n)
			}
			if o.Autocomplete && len(o.Choices) > 0 {
				t.Errorf("%s/%s: autocomplete with choices", c.Name, o.Name)
			}
			if len(o.Choices) > 25 {
				t.Errorf("%s/%s: %d choices", c.Name, o.Name, len(o.Choices))
			}
		}
	}
}

func TestFeedbackRecorded(t *testing.T) {
	core := newFakeCore()
	a, _ := newTestAdapter(t, core, Config{})
	a.handle(context.Background(), buttonInteraction("1", "sb:fb:+:power-of-siberia"))
	a.handle(context.Background(), buttonInteraction("2", "sb:fb:-:trade-volume"))
	a.handle(context.Background(), buttonInteraction("3", "sb:fb:?:trade-volume"))
	got := core.feedbacks()
	want := []bot.Feedback{
		{TopicID: "power-of-siberia", Platform: bot.PlatformDiscord, UserID: "user1", Helpful: true},
		{TopicID: "trade-volume", Platform: bot.PlatformDiscord, UserID: "user1", Helpful: false},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("feedback = %+v, want %+v", got, want)
	}
}

func TestGoneTopicButton(t *testing.T) {
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	for _, id := range []string{"sb:more:deleted-topic", "sb:topic:deleted-topic"} {
		r := a.handle(context.Background(), buttonInteraction("1", id)).interactionResponse()
		if r.Data.Content != msgGoneTopic || r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%s: %+v", id, r.Data)
		}
	}
}

// TestHandleNeverPanics feeds interactions with missing or mistyped data.
func TestHandleNeverPanics(t *testing.T) {
	core := newFakeCore()
	a, logs := newTestAdapter(t, core, Config{})
	odd := []*discordgo.Interaction{
		{ID: "a", Type: discordgo.InteractionApplicationCommand},
		{ID: "b", Type: discordgo.InteractionMessageComponent},
		{ID: "c", Type: discordgo.InteractionApplicationCommandAutocomplete},
		{ID: "d", Type: discordgo.InteractionModalSubmit, Data: discordgo.ModalSubmitInteractionData{CustomID: "x"}},
		{ID: "e", Type: 99},
		{ID: "f", Type: discordgo.InteractionApplicationCommand, Data: discordgo.ApplicationCommandInteractionData{Name: cmdAsk,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{nil, {Name: optQuestion, Value: 42.0}, {Name: optPrivate, Value: "yes"}}}},
		{ID: "g", Type: discordgo.InteractionApplicationCommandAutocomplete, Data: discordgo.ApplicationCommandInteractionData{Name: cmdAsk,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: optQuestion, Focused: true, Value: nil}}}},
		{ID: "h", Type: discordgo.InteractionApplicationCommand, Data: discordgo.ApplicationCommandInteractionData{Name: cmdTopics,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: optCategory, Value: "not-a-category"}}}},
	}
	// handle turns a panic into the failure apology, so check for that
	// apology and for a logged panic rather than for a missing response.
	for _, i := range odd {
		r := a.handle(context.Background(), i).interactionResponse()
		if r.Data.Content == msgFailed {
			t.Errorf("%s: got the failure apology", i.ID)
		}
	}
	if out := logs.String(); strings.Contains(out, "handler panic") {
		t.Errorf("odd interactions panicked:\n%s", out)
	}
	if len(core.questions()) != 0 {
		t.Errorf("odd interactions reached the core: %+v", core.questions())
	}

	core.panics = true
	r := a.handle(context.Background(), commandInteraction("panicky-1", cmdAsk, true, strOpt(optQuestion, "secret question text")))
	if r.msg.content != msgFailed || !r.msg.ephemeral {
		t.Errorf("after panic: %+v", r.msg)
	}
	out := logs.String()
	if !strings.Contains(out, "panicky-1") || !strings.Contains(out, "panic=string") || strings.Contains(out, "secret question text") {
		t.Errorf("panic log must name the interaction and the panic's type, not the question:\n%s", out)
	}
}

func TestPanicDetail(t *testing.T) {
	var m map[string]int
	runtimeErr := func() (p any) {
		defer func() { p = recover() }()
		m["x"] = 1 // assignment to a nil map
		return nil
	}()
	tests := []struct {
		p    any
		want string
	}{
		{"question: what is power of siberia", "string"},
		{fmt.Errorf("ask %q: %w", "what is power of siberia", context.Canceled), "*fmt.wrapError"},
		{errors.New("what is power of siberia"), "*errors.errorString"},
		{runtimeErr, "assignment to entry in nil map"},
	}
	for _, tt := range tests {
		if got := panics.Detail(tt.p); got != tt.want {
			t.Errorf("panics.Detail(%#v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// TestGatewayPanicLogged: a panic outside handle (here a nil session) is
// recovered and logged as a runtime error.
func TestGatewayPanicLogged(t *testing.T) {
	a, logs := newTestAdapter(t, newFakeCore(), Config{})
	a.onInteraction(context.Background(), nil, autocompleteInteraction("p1", cmdAsk, optQuestion, "power"))
	if out := logs.String(); !strings.Contains(out, "handler panic") || !strings.Contains(out, "interaction_id=p1") || !strings.Contains(out, "nil pointer") {
		t.Errorf("panic not logged with its id and runtime error:\n%s", out)
	}
}

func TestTopicByTypedName(t *testing.T) {
	a, _ := newTestAdapter(t, newFakeCore(), Config{})
	r := a.handle(context.Background(), commandInteraction("1", cmdTopic, true, strOpt(optName, "Siberia gas"))).interactionResponse()
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Title != "Power of Siberia gas pipeline" {
		t.Errorf("typed name: %+v", r.Data)
	}
	if r.Data.Flags != 0 {
		t.Error("/topic without private should be public")
	}
}

func TestMentionsNeutralised(t *testing.T) {
	core := newFakeCore()
	core.answers["x"] = bot.Answer{Answered: true, Outcome: bot.OutcomeAnswered,
		Topic: &bot.TopicRef{ID: "t", Title: "@everyone title"}, Text: "hi @here and <@123> and <@&456>"}
	a, _ := newTestAdapter(t, core, Config{})
	r := a.handle(context.Background(), commandInteraction("1", cmdAsk, true, strOpt(optQuestion, "x"))).interactionResponse()
	e := r.Data.Embeds[0]
	for _, s := range []string{e.Title, e.Description} {
		for _, bad := range []string{"@everyone", "@here", "<@1", "<@&"} {
			if strings.Contains(s, bad) {
				t.Errorf("%q still contains %q", s, bad)
			}
		}
	}
	if r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed mentions = %+v, want parse: []", r.Data.AllowedMentions)
	}
}

// TestAnswerReplyByOutcome: only an answered outcome becomes an embed;
// everything else is the core's text, for the asker only.
func TestAnswerReplyByOutcome(t *testing.T) {
	sugg := []bot.TopicRef{{ID: "trade-volume", Title: "Bilateral trade volume"}}
	tests := []struct {
		outcome   bot.Outcome
		wantEmbed bool
		wantSugg  bool
	}{
		{bot.OutcomeAnswered, true, false},
		{bot.OutcomeRateLimited, false, false},
		{bot.OutcomeDeclined, false, true},
		{bot.OutcomeError, false, true},
		{"something-new", false, true},
	}
	for _, tt := range tests {
		a := posAnswer
		a.Outcome, a.Suggestions = tt.outcome, sugg
		r := answerReply(a, false)
		if got := len(r.embeds) == 1; got != tt.wantEmbed {
			t.Errorf("%s: embed %v, want %v", tt.outcome, got, tt.wantEmbed)
		}
		if tt.wantEmbed {
			continue
		}
		want := a.Text
		if tt.wantSugg {
			want += "\n**Did you mean:**"
		}
		if !r.ephemeral || r.content != want {
			t.Errorf("%s: reply %+v, want ephemeral %q", tt.outcome, r, want)
		}
	}
}
