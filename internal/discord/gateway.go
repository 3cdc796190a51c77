package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// intents are all the gateway events the adapter needs. The privileged
// Message Content intent is deliberately absent: messages that mention the
// bot and DMs carry their content without it.
const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// RegisterCommands registers the slash commands with one bulk overwrite
// (guild commands when GuildID is set, global ones otherwise), never one
// create per boot. RunGateway calls it; a deployment that only serves the
// HTTP interactions endpoint calls it once at start. It needs Token and
// AppID.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	if a.cfg.Token == "" || a.cfg.AppID == "" {
		return errors.New("discord: registering commands needs a token and an application id")
	}
	cmds := a.commands()
	if _, err := a.newSession(0, 1).ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, cmds, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("discord: register commands: %w", err)
	}
	a.log.Info("discord: commands registered", "count", len(cmds), "guild", a.cfg.GuildID != "")
	return nil
}

// RunGateway registers the slash commands with one bulk overwrite, opens the
// shard session(s), and blocks until ctx is done; then it closes the
// sessions and returns nil. It needs Token and AppID.
func (a *Adapter) RunGateway(ctx context.Context) error {
	if a.cfg.Token == "" || a.cfg.AppID == "" {
		return errors.New("discord: the gateway needs a token and an application id")
	}
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("discord: gateway already running")
	}
	a.running, a.shards = true, nil
	a.mu.Unlock()
	a.workMu.Lock()
	a.draining = false
	a.workMu.Unlock()
	defer func() {
		a.mu.Lock()
		a.running, a.shards = false, nil
		a.mu.Unlock()
	}()

	if err := a.RegisterCommands(ctx); err != nil {
		return err
	}
	rest := a.newSession(0, 1)
	ids, count, concurrency, err := a.shardPlan(ctx, rest)
	if err != nil {
		return err
	}
	sessions := make([]*discordgo.Session, len(ids))
	shards := make([]*shard, len(ids))
	for n, id := range ids {
		sh := &shard{id: id}
		s := a.newSession(id, count)
		a.addHandlers(ctx, s, sh)
		sessions[n], shards[n] = s, sh
	}
	a.mu.Lock()
	a.shards = shards
	a.mu.Unlock()

	var opened []*discordgo.Session
	for n, s := range sessions {
		// Discord lets max_concurrency shards identify per 5 seconds.
		if n > 0 && n%concurrency == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(a.shardWait):
			}
		}
		if ctx.Err() != nil {
			break
		}
		if err := s.Open(); err != nil {
			closeAll(opened)
			return fmt.Errorf("discord: open shard %d of %d: %w", s.ShardID, count, err)
		}
		opened = append(opened, s)
		a.log.Info("discord: shard open", "shard", s.ShardID, "shards", count)
	}
	<-ctx.Done()
	closeAll(opened)
	a.drain()
	a.log.Info("discord: gateway closed", "shards", len(opened))
	return nil
}

// shardPlan returns the shard ids to run here, the total count, and how many
// may identify at once.
func (a *Adapter) shardPlan(ctx context.Context, rest *discordgo.Session) (ids []int, count, concurrency int, err error) {
	if a.cfg.ShardCount > 0 {
		return []int{a.cfg.ShardID}, a.cfg.ShardCount, 1, nil
	}
	gb, err := rest.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("discord: get recommended shard count: %w", err)
	}
	count = max(gb.Shards, 1)
	concurrency = max(gb.SessionStartLimit.MaxConcurrency, 1)
	for id := range count {
		ids = append(ids, id)
	}
	return ids, count, concurrency, nil
}

func (a *Adapter) newSession(shardID, shardCount int) *discordgo.Session {
	token := a.cfg.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, _ := discordgo.New(token) // New never fails
	s.ShardID, s.ShardCount = shardID, shardCount
	s.Identify.Intents = intents
	s.StateEnabled = true
	// Handlers run on the session's event goroutine, so the adapter, not
	// discordgo, starts (and bounds, and waits for) the goroutines that reply.
	s.SyncEvents = true
	if a.cfg.HTTPClient != nil {
		s.Client = a.cfg.HTTPClient
	}
	return s
}

func (a *Adapter) addHandlers(ctx context.Context, s *discordgo.Session, sh *shard) {
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { sh.connected.Store(true) })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { sh.connected.Store(true) })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Connect) { sh.connected.Store(true) })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		sh.connected.Store(false)
		a.log.Warn("discord: shard disconnected", "shard", sh.id)
	})
	s.AddHandler(func(s *discordgo.Session, rl *discordgo.RateLimit) {
		a.log.Warn("discord: rate limited", "retry_after", rl.RetryAfter)
	})
	// Replies already under way finish after ctx is done (each is bounded
	// by handleTimeout); RunGateway waits for them before it returns.
	hctx := context.WithoutCancel(ctx)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		a.interactionCreate(hctx, s, ic.Interaction)
	})
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) { a.messageCreate(hctx, s, m.Message) })
}

// Bounds on the gateway's concurrent work. A reply mostly waits on the core
// and Discord's API; past these bounds, people are asked to try again.
const (
	gatewayWorkers = 128
	busyNotices    = 16
)

// interactionCreate answers a gateway interaction in a new goroutine, or
// says the bot is busy when gatewayWorkers replies are already under way.
func (a *Adapter) interactionCreate(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	if i == nil || i.Type == discordgo.InteractionPing {
		return
	}
	a.spawn(slog.String("interaction_id", i.ID),
		func() { a.onInteraction(ctx, s, i) },
		func() {
			defer a.recoverLog("interaction_id", i.ID)
			a.logReplyErr(i.ID, s.InteractionRespond(i, busyResponse(i).interactionResponse(), discordgo.WithContext(ctx)))
		})
}

// messageCreate answers a message addressed to the bot in a new goroutine,
// or says the bot is busy when gatewayWorkers replies are already under way.
func (a *Adapter) messageCreate(ctx context.Context, s *discordgo.Session, m *discordgo.Message) {
	if !addressed(m, selfID(s)) {
		return
	}
	a.spawn(slog.String("message_id", m.ID),
		func() { a.onMessage(ctx, s, m) },
		func() {
			defer a.recoverLog("message_id", m.ID)
			a.sendMessageReply(ctx, s, m, textReply(msgBusy, false).finish())
		})
}

// busyResponse is the reply to an interaction when no worker is free:
// an ephemeral notice, or no choices for autocomplete.
func busyResponse(i *discordgo.Interaction) response {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return response{typ: discordgo.InteractionApplicationCommandAutocompleteResult}
	}
	return message(textReply(msgBusy, true))
}

// spawn runs reply in a new goroutine if a worker is free, else busy if a
// notice slot is free, else nothing. Each goroutine is counted in
// a.replies before it starts, and none starts once drain has begun.
func (a *Adapter) spawn(ref slog.Attr, reply, busy func()) {
	a.workMu.Lock()
	defer a.workMu.Unlock()
	if a.draining {
		a.log.Warn("discord: event dropped at shutdown", ref)
		return
	}
	run := func(slots chan struct{}, fn func()) {
		a.replies.Add(1)
		go func() {
			defer a.replies.Done()
			defer func() { <-slots }()
			fn()
		}()
	}
	select {
	case a.work <- struct{}{}:
		run(a.work, reply)
		return
	default:
	}
	select {
	case a.notices <- struct{}{}:
		a.log.Warn("discord: busy", ref)
		run(a.notices, busy)
	default:
		a.log.Warn("discord: busy; notice dropped", ref)
	}
}

// drain stops new gateway work and waits for replies under way, at most
// handleTimeout.
func (a *Adapter) drain() {
	a.workMu.Lock()
	a.draining = true
	a.workMu.Unlock()
	done := make(chan struct{})
	go func() {
		a.replies.Wait()
		close(done)
	}()
	timer := time.NewTimer(handleTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		a.log.Warn("discord: replies still under way at shutdown")
	}
}

func closeAll(sessions []*discordgo.Session) {
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() { _ = s.Close() })
	}
	wg.Wait()
}

// onInteraction answers a gateway interaction within Discord's three
// seconds: if the answer is not ready after deferAfter, it defers and edits
// the reply in when it is.
func (a *Adapter) onInteraction(ctx context.Context, s *discordgo.Session, i *discordgo.Interaction) {
	if i == nil {
		return
	}
	defer a.recoverLog("interaction_id", i.ID)
	opt := discordgo.WithContext(ctx)
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete || i.Type == discordgo.InteractionPing {
		// Autocomplete cannot be deferred.
		if i.Type == discordgo.InteractionPing {
			return
		}
		a.logReplyErr(i.ID, s.InteractionRespond(i, a.handle(ctx, i).interactionResponse(), opt))
		return
	}
	done := make(chan response, 1)
	go func() { done <- a.handle(ctx, i) }() // handle recovers its own panics
	timer := time.NewTimer(a.deferAfter)
	defer timer.Stop()
	select {
	case r := <-done:
		a.logReplyErr(i.ID, s.InteractionRespond(i, r.interactionResponse(), opt))
		return
	case <-timer.C:
	}

	typ, ephemeral := deferredShape(i)
	d := &discordgo.InteractionResponseData{}
	if ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	if err := s.InteractionRespond(i, &discordgo.InteractionResponse{Type: typ, Data: d}, opt); err != nil {
		a.logReplyErr(i.ID, err)
		return
	}
	a.log.Info("discord: reply deferred", "interaction_id", i.ID)
	r := <-done
	if r.msg.ephemeral && !ephemeral && typ == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		// The deferral was public but this reply (a decline, a rate limit)
		// should be private: remove the placeholder and follow up privately.
		if err := s.InteractionResponseDelete(i, opt); err != nil {
			a.logReplyErr(i.ID, err)
		}
		_, err := s.FollowupMessageCreate(i, false, &discordgo.WebhookParams{
			Content:         r.msg.content,
			Embeds:          r.msg.embeds,
			Components:      r.msg.components,
			AllowedMentions: noMentions(),
			Flags:           discordgo.MessageFlagsEphemeral,
		}, opt)
		a.logReplyErr(i.ID, err)
		return
	}
	_, err := s.InteractionResponseEdit(i, &discordgo.WebhookEdit{
		Content:         &r.msg.content,
		Embeds:          &r.msg.embeds,
		Components:      &r.msg.components,
		AllowedMentions: noMentions(),
	}, opt)
	a.logReplyErr(i.ID, err)
}

func (a *Adapter) logReplyErr(interactionID string, err error) {
	if err != nil {
		a.log.Error("discord: reply failed", "interaction_id", interactionID, "err", withoutURL(err))
	}
}

// withoutURL strips the request URL from a REST error before it is logged:
// an interaction's callback and webhook URLs carry its token, a credential
// for 15 minutes. discordgo puts the URL in transport errors (*url.Error)
// and in rate-limit errors; a *RESTError's text is only status and body.
func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	if rl, ok := errors.AsType[*discordgo.RateLimitError](err); ok {
		if rl.RateLimit != nil && rl.TooManyRequests != nil {
			return fmt.Errorf("rate limited, retry after %s", rl.RetryAfter)
		}
		return errors.New("rate limited")
	}
	return err
}

// selfID is the bot's own user id, known once the session is ready.
func selfID(s *discordgo.Session) string {
	if s == nil || s.State == nil {
		return ""
	}
	s.State.RLock()
	defer s.State.RUnlock()
	if s.State.User == nil {
		return ""
	}
	return s.State.User.ID
}

// stripSelfMention removes <@id> and <@!id> for the bot's own id.
func stripSelfMention(text, id string) string {
	if id == "" {
		return text
	}
	text = strings.ReplaceAll(text, "<@"+id+">", " ")
	text = strings.ReplaceAll(text, "<@!"+id+">", " ")
	return strings.TrimSpace(text)
}

// addressed reports whether m is for the bot: a DM or a channel message
// that mentions it, from a person (not a bot, not itself).
func addressed(m *discordgo.Message, self string) bool {
	if m == nil || m.Author == nil || self == "" || m.Author.Bot || m.Author.ID == self {
		return false
	}
	if m.GuildID == "" {
		return true
	}
	for _, u := range m.Mentions {
		if u != nil && u.ID == self {
			return true
		}
	}
	return false
}

// onMessage answers a DM, or a channel message that mentions the bot, with
// a reply. It ignores bots (itself included) and everything else.
func (a *Adapter) onMessage(ctx context.Context, s *discordgo.Session, m *discordgo.Message) {
	self := selfID(s)
	if !addressed(m, self) {
		return
	}
	defer a.recoverLog("message_id", m.ID)
	var r reply
	if text := stripSelfMention(m.Content, self); text == "" {
		r = textReply(msgEmptyAsk, false)
	} else {
		ctx, cancel := context.WithTimeout(ctx, handleTimeout)
		defer cancel()
		r = answerReply(a.ask(ctx, slog.String("message_id", m.ID), text, m.Author.ID, m.ChannelID, m.GuildID), false)
	}
	a.sendMessageReply(ctx, s, m, r.finish())
}

// sendMessageReply posts r as a reply to m.
func (a *Adapter) sendMessageReply(ctx context.Context, s *discordgo.Session, m *discordgo.Message, r reply) {
	_, err := s.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Content:         r.content,
		Embeds:          r.embeds,
		Components:      r.components,
		AllowedMentions: noMentions(),
		Reference:       m.SoftReference(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		a.log.Error("discord: reply failed", "message_id", m.ID, "err", withoutURL(err))
	}
}
