package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/summitbot/summitbot/bot"
)

// This file is the one code path shared by HTTP and Socket Mode: each
// handler turns a parsed Slack request into an ack (sent at once) and, for
// anything slower, a background task that posts the reply.

// ack is the immediate answer to a Slack request.
type ack struct {
	status  int      // HTTP status; Socket Mode only acks 200s
	payload *payload // optional reply carried by the ack (slash commands)
}

var ackOK = ack{status: http.StatusOK}

// Notices the adapter writes itself.
const (
	busyText       = "I'm answering a lot of questions right now. Please try again in a moment."
	goneTopicText  = "Sorry, that topic is no longer available."
	thanksText     = "Thanks for the feedback."
	notModText     = "Sorry, that command is for moderators."
	modCheckText   = "I couldn't check your permissions just now. Please try again in a minute."
	noGapsText     = "The gaps report is not configured."
	gapsFailedText = "I couldn't build the gaps report just now. Please try again later."
	unfinishedText = "Sorry, I couldn't finish answering that before restarting. Please ask again in a moment."
	unknownCmdText = "Sorry, I don't know that command."
)

// target says where a reply goes.
type target struct {
	responseURL string // slash commands and clicks: reply through it
	channel     string
	user        string
	threadTS    string
	ephemeral   bool
}

func conversationKey(channel, user string) string {
	return bot.PlatformSlack + ":" + channel + ":" + user
}

func isDMChannel(channel string) bool { return strings.HasPrefix(channel, "D") }

// question builds the core's question from Slack text.
func question(text, user, channel, kind string) bot.Question {
	t := fromSlack(text)
	if r := []rune(t); len(r) > maxQuestionLen {
		t = string(r[:maxQuestionLen])
	}
	return bot.Question{
		Text:         t,
		Platform:     bot.PlatformSlack,
		UserID:       user,
		ChannelKind:  kind,
		Conversation: conversationKey(channel, user),
	}
}

// handleCommand handles a slash command.
func (a *Adapter) handleCommand(cmd slackgo.SlashCommand, wait time.Duration) ack {
	if cmd.UserID == "" || cmd.ChannelID == "" || cmd.Command == "" {
		return ack{status: http.StatusBadRequest}
	}
	t := target{responseURL: cmd.ResponseURL, channel: cmd.ChannelID, user: cmd.UserID, ephemeral: true}
	var task func(ctx context.Context)
	switch cmd.Command {
	case a.cfg.Command:
		kind := bot.ChannelChannel
		if isDMChannel(cmd.ChannelID) {
			kind = bot.ChannelDM
		}
		q := question(cmd.Text, cmd.UserID, cmd.ChannelID, kind)
		if q.Text == "" {
			return ack{status: http.StatusOK, payload: renderHelp(a.cfg.Command).ackPayload(slackgo.ResponseTypeEphemeral)}
		}
		task = func(ctx context.Context) { a.answer(ctx, "command", q, t) }
	case a.cfg.GapsCommand:
		task = func(ctx context.Context) { a.gaps(ctx, cmd.UserID, t) }
	default:
		return ack{status: http.StatusOK, payload: renderNotice(unknownCmdText).ackPayload(slackgo.ResponseTypeEphemeral)}
	}
	switch err := a.work.try(task, wait); {
	case errors.Is(err, errBusy):
		a.logBusy("command")
		return ack{status: http.StatusOK, payload: renderNotice(busyText).ackPayload(slackgo.ResponseTypeEphemeral)}
	case err != nil:
		return ack{status: http.StatusServiceUnavailable}
	}
	return ackOK
}

// handleEvent handles an Events API callback (URL verification is
// answered by the HTTP handler before this).
func (a *Adapter) handleEvent(ev slackevents.EventsAPIEvent, retryNum int, wait time.Duration) ack {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		if ev.Type == slackevents.AppRateLimited {
			a.log.Warn("slack is rate-limiting event delivery")
		}
		return ackOK
	}
	botUsers := map[string]bool{}
	for _, au := range cb.Authorizations {
		if au.IsBot && au.UserID != "" {
			botUsers[au.UserID] = true
		}
	}
	var q bot.Question
	var t target
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.User == "" || botUsers[e.User] || e.Channel == "" {
			return ackOK
		}
		kind := bot.ChannelChannel
		switch {
		case isDMChannel(e.Channel):
			kind = bot.ChannelDM
		case e.ThreadTimeStamp != "":
			kind = bot.ChannelThread
		}
		thread := e.ThreadTimeStamp
		if thread == "" {
			thread = e.TimeStamp
		}
		q = question(e.Text, e.User, e.Channel, kind)
		t = target{channel: e.Channel, user: e.User, threadTS: thread}
	case *slackevents.MessageEvent:
		// Only plain new messages in a DM with the bot; edits, deletions,
		// joins and anything from a bot (ourselves included) are ignored.
		if e.ChannelType != slackevents.ChannelTypeIM || e.SubType != "" || e.BotID != "" ||
			e.User == "" || botUsers[e.User] || e.Channel == "" {
			return ackOK
		}
		if e.Message != nil && (e.Message.BotID != "" || e.Message.SubType != "") {
			return ackOK
		}
		kind := bot.ChannelDM
		q = question(e.Text, e.User, e.Channel, kind)
		t = target{channel: e.Channel, user: e.User, threadTS: e.ThreadTimeStamp}
	default:
		return ackOK
	}
	if !a.seen.Claim(cb.EventID, a.cfg.Now()) {
		a.log.Info("duplicate event", "event_id", cb.EventID, "retry", retryNum)
		return ackOK
	}
	task := func(ctx context.Context) {
		if q.Text == "" {
			a.reply(ctx, "event", t, renderHelp(a.cfg.Command))
			return
		}
		a.answer(ctx, "event", q, t)
	}
	switch err := a.work.try(task, wait); {
	case errors.Is(err, errBusy):
		a.logBusy("event")
		a.busy(t)
	case err != nil:
		// Let Slack redeliver it to whoever is up.
		a.seen.Release(cb.EventID)
		return ack{status: http.StatusServiceUnavailable}
	}
	return ackOK
}

// handleInteraction handles a button click.
func (a *Adapter) handleInteraction(ic slackgo.InteractionCallback, wait time.Duration) ack {
	if ic.Type != slackgo.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) == 0 {
		return ackOK
	}
	act := ic.ActionCallback.BlockActions[0]
	kind, topicID, ok := parseAction(act.ActionID, act.Value)
	user := ic.User.ID
	channel := ic.Channel.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	if !ok || user == "" {
		a.log.Warn("ignored invalid action", "action_id_len", len(act.ActionID))
		return ackOK
	}
	// Clicks in a DM reply in the DM; anywhere else the reply is for the
	// clicker alone, with a button to share it.
	dm := isDMChannel(channel)
	t := target{responseURL: ic.ResponseURL, channel: channel, user: user, ephemeral: !dm,
		threadTS: ic.Container.ThreadTs}
	var task func(ctx context.Context)
	switch kind {
	case actMore, actTopic:
		task = func(ctx context.Context) {
			ans, ok := a.core.TopicAnswer(topicID)
			if !ok {
				a.reply(ctx, "click", t, renderNotice(goneTopicText))
				return
			}
			m := renderAnswer(ans, renderOpts{ephemeral: t.ephemeral})
			if kind == actMore {
				m = renderDetails(ans, renderOpts{ephemeral: t.ephemeral})
			}
			a.reply(ctx, "click", t, m)
		}
	case actFbUp, actFbDown:
		task = func(ctx context.Context) {
			a.core.Feedback(ctx, bot.Feedback{TopicID: topicID, Platform: bot.PlatformSlack, UserID: user, Helpful: kind == actFbUp})
			ft := t
			ft.ephemeral = true
			a.reply(ctx, "feedback", ft, renderNotice(thanksText))
		}
	case actShare:
		task = func(ctx context.Context) {
			// Re-rendered from the topic id: nothing the client sent back
			// is posted.
			ans, ok := a.core.TopicAnswer(topicID)
			st := t
			st.ephemeral = false
			if !ok {
				st.ephemeral = true
				a.reply(ctx, "share", st, renderNotice(goneTopicText))
				return
			}
			a.reply(ctx, "share", st, renderAnswer(ans, renderOpts{}))
		}
	}
	switch err := a.work.try(task, wait); {
	case errors.Is(err, errBusy):
		a.logBusy("click")
		bt := t
		bt.ephemeral = true
		a.busy(bt)
	case err != nil:
		return ack{status: http.StatusServiceUnavailable}
	}
	return ackOK
}

// logBusy logs a request turned away because every worker is busy, a few
// lines a second at most: under overload a line each would take the CPU
// the answers need.
func (a *Adapter) logBusy(kind string) {
	if n, ok := a.busyLog.Allow(a.cfg.Now()); ok {
		a.log.Warn("busy", "kind", kind, "unlogged_since_last", n)
	}
}

// answer asks the core and posts the reply.
func (a *Adapter) answer(ctx context.Context, kind string, q bot.Question, t target) {
	start := time.Now()
	ans := a.core.Ask(ctx, q)
	if ctx.Err() != nil {
		// Shutdown's deadline (or the task's) passed while answering: the
		// answer may be cut short, so say so instead.
		a.unfinished(ctx, kind, t)
		return
	}
	if ans.Outcome == bot.OutcomeRateLimited {
		// The core's friendly note is for the asker only.
		t.ephemeral = true
	}
	m := renderAnswer(ans, renderOpts{ephemeral: t.ephemeral})
	topic := ""
	if ans.Topic != nil {
		topic = ans.Topic.ID
	}
	err := a.send(ctx, t, m)
	attrs := []any{"kind", kind, "outcome", string(ans.Outcome), "topic", topic,
		"channel_kind", q.ChannelKind, "took", time.Since(start)}
	if err != nil {
		a.log.Error("reply failed", append(attrs, "err", err)...)
		a.unfinished(ctx, kind, t)
		return
	}
	a.log.Info("answered", attrs...)
}

// reply posts m and logs the result.
func (a *Adapter) reply(ctx context.Context, kind string, t target, m message) {
	if err := a.send(ctx, t, m); err != nil {
		a.log.Error("reply failed", "kind", kind, "err", err)
		a.unfinished(ctx, kind, t)
		return
	}
	a.log.Info("replied", "kind", kind)
}

// unfinished tells the user their request was acknowledged but could not
// be finished, when ctx ended under it (shutdown's deadline cancels the
// work still running, and a task has its own timeout). The notice gets a
// short time of its own, which Shutdown waits for. A reply that failed
// for another reason (Slack refused it) is only logged.
func (a *Adapter) unfinished(ctx context.Context, kind string, t target) {
	if ctx.Err() == nil {
		return
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unfinishedTimeout)
	defer cancel()
	t.ephemeral = true
	if err := a.send(nctx, t, renderNotice(unfinishedText)); err != nil {
		a.log.Error("unfinished notice failed", "kind", kind, "err", err)
		return
	}
	a.log.Warn("unfinished", "kind", kind, "reason", context.Cause(ctx).Error())
}

// busy tells the user, briefly, that no worker is free. The notice is
// posted in the background so that the ack is not held up by a Web API
// call (Socket Mode acks one request at a time); when the notice workers
// are busy too, it is dropped.
func (a *Adapter) busy(t target) {
	t.ephemeral = true
	err := a.notices.try(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, busyPostTimeout)
		defer cancel()
		if err := a.send(ctx, t, renderNotice(busyText)); err != nil {
			a.log.Error("busy notice failed", "err", err)
		}
	}, 0)
	if err != nil {
		if n, ok := a.busyLog.Allow(a.cfg.Now()); ok {
			a.log.Warn("busy notice dropped", "err", err, "unlogged_since_last", n)
		}
	}
}

// gaps answers the moderators' gaps command.
func (a *Adapter) gaps(ctx context.Context, user string, t target) {
	ok, err := a.mods.allowed(ctx, user)
	switch {
	case !ok && err != nil:
		a.log.Error("moderator check failed", "err", err)
		a.reply(ctx, "gaps", t, renderNotice(modCheckText))
		return
	case !ok:
		a.log.Info("gaps refused: not a moderator")
		a.reply(ctx, "gaps", t, renderNotice(notModText))
		return
	case a.cfg.Gaps == nil:
		a.reply(ctx, "gaps", t, renderNotice(noGapsText))
		return
	}
	gs, err := a.cfg.Gaps.TopGaps(ctx, maxGaps)
	if err != nil {
		a.log.Error("gaps report failed", "err", err)
		a.reply(ctx, "gaps", t, renderNotice(gapsFailedText))
		return
	}
	a.reply(ctx, "gaps", t, renderGaps(gs))
}

func (a *Adapter) groupMembers(ctx context.Context, group string) ([]string, error) {
	return a.api.GetUserGroupMembersContext(ctx, group)
}

// send posts m to t: through the response URL when there is one (slash
// commands and clicks), else with chat.postEphemeral or chat.postMessage.
func (a *Adapter) send(ctx context.Context, t target, m message) error {
	opts := []slackgo.MsgOption{
		slackgo.MsgOptionText(m.Text, false),
		slackgo.MsgOptionBlocks(m.Blocks...),
	}
	if t.threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(t.threadTS))
	}
	var err error
	switch {
	case t.responseURL != "":
		rt := slackgo.ResponseTypeInChannel
		if t.ephemeral {
			rt = slackgo.ResponseTypeEphemeral
		}
		opts = append(opts, slackgo.MsgOptionResponseURL(t.responseURL, rt))
		_, _, _, err = a.api.SendMessageContext(ctx, t.channel, opts...)
	case t.ephemeral:
		_, err = a.api.PostEphemeralContext(ctx, t.channel, t.user, opts...)
	default:
		opts = append(opts, slackgo.MsgOptionDisableLinkUnfurl(), slackgo.MsgOptionDisableMediaUnfurl())
		_, _, err = a.api.PostMessageContext(ctx, t.channel, opts...)
	}
	if err != nil {
		return fmt.Errorf("slack: post reply: %w", withoutURL(err))
	}
	return nil
}

// withoutURL strips the URL from a transport error: a response URL is a
// credential for half an hour and must not reach the logs.
func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
