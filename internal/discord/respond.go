package discord

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/bot"
)

// response is what the adapter decided to send for one interaction, the same
// for the gateway and the HTTP endpoint.
type response struct {
	// typ is ChannelMessageWithSource, UpdateMessage or AutocompleteResult.
	typ     discordgo.InteractionResponseType
	msg     reply
	choices []*discordgo.ApplicationCommandOptionChoice
}

// interactionResponse shapes r for InteractionRespond or the HTTP body.
func (r response) interactionResponse() *discordgo.InteractionResponse {
	if r.typ == discordgo.InteractionApplicationCommandAutocompleteResult {
		choices := r.choices
		if choices == nil {
			choices = []*discordgo.ApplicationCommandOptionChoice{}
		}
		return &discordgo.InteractionResponse{Type: r.typ, Data: &discordgo.InteractionResponseData{Choices: choices}}
	}
	d := &discordgo.InteractionResponseData{
		Content:         r.msg.content,
		Embeds:          r.msg.embeds,
		Components:      r.msg.components,
		AllowedMentions: noMentions(),
	}
	// An update keeps the clicked message's visibility; only a new message
	// may ask to be ephemeral.
	if r.msg.ephemeral && r.typ == discordgo.InteractionResponseChannelMessageWithSource {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return &discordgo.InteractionResponse{Type: r.typ, Data: d}
}

func message(r reply) response {
	return response{typ: discordgo.InteractionResponseChannelMessageWithSource, msg: r.finish()}
}

func update(r reply) response {
	return response{typ: discordgo.InteractionResponseUpdateMessage, msg: r.finish()}
}

// Replies the adapter writes itself.
const (
	msgFailed      = "Sorry, something went wrong on my side. Please try again in a moment."
	msgBusy        = "I'm answering a lot of questions right now. Please try again in a moment."
	msgUnsupported = "Sorry, I don't know that command or button. It may be from an older version of me."
	msgGoneTopic   = "That topic is no longer in my knowledge base. Try `/topics` to see what I know."
	msgNoTopic     = "I have no topic by that name. Start typing and pick one from the list, or try `/topics`."
	msgThanks      = "Thanks, your feedback was recorded."
	msgGapsOff     = "The gaps report is not configured on this bot."
	msgGapsDM      = "`/gaps` works only in a server, for moderators."
	msgGapsDenied  = "Sorry, `/gaps` is for moderators only."
	msgGapsFailed  = "Sorry, I couldn't load the gaps report right now."
	msgEmptyAsk    = "Ask me anything about China–Russia relations, e.g. `@summitbot what is Power of Siberia?`, or use `/ask`."
)

// maxAskRunes bounds the text passed to the core from any path: one past
// the core's own limit, so that an over-long question still gets the core's
// "too long" decline rather than being answered from its first part.
const maxAskRunes = bot.MaxQuestion + 1

// handleTimeout bounds the work for one interaction.
const handleTimeout = 10 * time.Second

// handle decides the response to an interaction. It never panics: a panic is
// logged with the interaction id and becomes an apology.
func (a *Adapter) handle(ctx context.Context, i *discordgo.Interaction) (resp response) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			a.logPanic(slog.String("interaction_id", i.ID), p)
			resp = message(textReply(msgFailed, true))
		}
		a.log.Debug("discord: interaction", "interaction_id", i.ID, "type", i.Type.String(), "took", time.Since(start))
	}()
	ctx, cancel := context.WithTimeout(ctx, handleTimeout)
	defer cancel()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return message(textReply(msgUnsupported, true))
		}
		return a.command(ctx, i, d)
	case discordgo.InteractionApplicationCommandAutocomplete:
		d, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok {
			return response{typ: discordgo.InteractionApplicationCommandAutocompleteResult}
		}
		return a.autocomplete(d)
	case discordgo.InteractionMessageComponent:
		d, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			return message(textReply(msgUnsupported, true))
		}
		return a.component(ctx, i, d)
	}
	return message(textReply(msgUnsupported, true))
}

// userID is the invoking user: Member.User in guilds, User in DMs.
func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func channelKind(guildID string) string {
	if guildID == "" {
		return bot.ChannelDM
	}
	return bot.ChannelChannel
}

// conversation keys follow-up context per user per channel.
func conversation(channelID, userID string) string {
	if channelID == "" || userID == "" {
		return ""
	}
	return bot.PlatformDiscord + ":" + channelID + ":" + userID
}

func stringOpt(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o != nil && o.Name == name {
			s, _ := o.Value.(string)
			return s
		}
	}
	return ""
}

func boolOpt(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	for _, o := range opts {
		if o != nil && o.Name == name {
			b, _ := o.Value.(bool)
			return b
		}
	}
	return false
}

// ask passes a question to the core and logs the outcome (never the text).
// ref names the interaction or message in the log.
func (a *Adapter) ask(ctx context.Context, ref slog.Attr, text, user, channelID, guildID string) bot.Answer {
	text = clipRunes(strings.TrimSpace(text), maxAskRunes)
	ans := a.core.Ask(ctx, bot.Question{
		Text:         text,
		Platform:     bot.PlatformDiscord,
		UserID:       user,
		ChannelKind:  channelKind(guildID),
		Conversation: conversation(channelID, user),
	})
	topic := ""
	if ans.Topic != nil {
		topic = ans.Topic.ID
	}
	a.log.Info("discord: question", ref, "outcome", string(ans.Outcome), "topic", topic)
	return ans
}

func (a *Adapter) command(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) response {
	switch d.Name {
	case cmdAsk:
		q := stringOpt(d.Options, optQuestion)
		if strings.TrimSpace(q) == "" {
			return message(textReply(msgEmptyAsk, true))
		}
		ans := a.ask(ctx, slog.String("interaction_id", i.ID), q, userID(i), i.ChannelID, i.GuildID)
		return message(answerReply(ans, boolOpt(d.Options, optPrivate)))
	case cmdTopic:
		return message(a.topicByName(stringOpt(d.Options, optName), boolOpt(d.Options, optPrivate)))
	case cmdTopics:
		cat := stringOpt(d.Options, optCategory)
		if cat != "" && !validCategory(cat) {
			return message(textReply("I don't know that category.", true))
		}
		return message(topicsReply(a.core.Topics(cat), cat, 0))
	case cmdAbout:
		return message(aboutReply(a.core.About()))
	case cmdGaps:
		return message(a.gaps(ctx, i))
	}
	return message(textReply(msgUnsupported, true))
}

// topicByName answers /topic: the value is a topic id when picked from
// autocomplete, or whatever was typed, which is matched with Suggest.
func (a *Adapter) topicByName(name string, private bool) reply {
	name = strings.TrimSpace(name)
	if name == "" {
		return textReply(msgNoTopic, true)
	}
	if validTopicID(name) {
		if ans, ok := a.core.TopicAnswer(name); ok {
			return answerReply(ans, private)
		}
	}
	if refs := a.core.Suggest(clipRunes(name, maxChoiceLen), 1); len(refs) > 0 {
		if ans, ok := a.core.TopicAnswer(refs[0].ID); ok {
			return answerReply(ans, private)
		}
	}
	return textReply(msgNoTopic, true)
}

// gaps answers /gaps for members holding the moderator role.
func (a *Adapter) gaps(ctx context.Context, i *discordgo.Interaction) reply {
	if a.cfg.Gaps == nil {
		return textReply(msgGapsOff, true)
	}
	if i.GuildID == "" || i.Member == nil {
		return textReply(msgGapsDM, true)
	}
	if a.cfg.ModeratorRoleID == "" || !slices.Contains(i.Member.Roles, a.cfg.ModeratorRoleID) {
		return textReply(msgGapsDenied, true)
	}
	gaps, err := a.cfg.Gaps.TopGaps(ctx, gapsShown)
	if err != nil {
		a.log.Error("discord: gaps report failed", "interaction_id", i.ID, "err", err)
		return textReply(msgGapsFailed, true)
	}
	return gapsReply(gaps)
}

// autocomplete offers topics matching the focused option: titles for
// /ask (the title is a question the core answers), ids for /topic.
func (a *Adapter) autocomplete(d discordgo.ApplicationCommandInteractionData) response {
	resp := response{typ: discordgo.InteractionApplicationCommandAutocompleteResult, choices: []*discordgo.ApplicationCommandOptionChoice{}}
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range d.Options {
		if o != nil && o.Focused {
			focused = o
		}
	}
	if focused == nil {
		return resp
	}
	typed, _ := focused.Value.(string)
	typed = clipRunes(strings.TrimSpace(typed), maxChoiceLen)
	byID := d.Name == cmdTopic && focused.Name == optName
	if !byID && !(d.Name == cmdAsk && focused.Name == optQuestion) {
		return resp
	}
	for _, t := range a.core.Suggest(typed, maxChoices) {
		value := clipRunes(oneLine(t.Title), maxChoiceLen)
		if byID {
			if !validTopicID(t.ID) {
				continue
			}
			value = t.ID
		}
		if c := choice(t.Title, value); c != nil {
			resp.choices = append(resp.choices, c)
		}
		if len(resp.choices) == maxChoices {
			break
		}
	}
	return resp
}

// component answers a button click.
func (a *Adapter) component(ctx context.Context, i *discordgo.Interaction, d discordgo.MessageComponentInteractionData) response {
	act, err := parseCustomID(d.CustomID)
	if err != nil {
		a.log.Warn("discord: unknown custom id", "interaction_id", i.ID, "len", len(d.CustomID))
		return message(textReply(msgUnsupported, true))
	}
	switch act.kind {
	case actMore:
		ans, ok := a.core.TopicAnswer(act.topic)
		if !ok {
			return message(textReply(msgGoneTopic, true))
		}
		return message(detailsReply(ans))
	case actTopic:
		ans, ok := a.core.TopicAnswer(act.topic)
		if !ok {
			return message(textReply(msgGoneTopic, true))
		}
		return message(answerReply(ans, true))
	case actFeedback:
		a.core.Feedback(ctx, bot.Feedback{TopicID: act.topic, Platform: bot.PlatformDiscord, UserID: userID(i), Helpful: act.helpful})
		a.log.Info("discord: feedback", "interaction_id", i.ID, "topic", act.topic, "helpful", act.helpful)
		return message(textReply(msgThanks, true))
	case actTopics:
		cat := act.category
		if cat == allTopics {
			cat = ""
		}
		return update(topicsReply(a.core.Topics(cat), act.category, act.page))
	}
	return message(textReply(msgUnsupported, true))
}

// deferredShape says how a slow interaction is deferred: as a coming
// message (ephemeral or not) or as a coming update of the clicked message.
func deferredShape(i *discordgo.Interaction) (discordgo.InteractionResponseType, bool) {
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		if d, ok := i.Data.(discordgo.MessageComponentInteractionData); ok {
			if act, err := parseCustomID(d.CustomID); err == nil && act.kind == actTopics {
				return discordgo.InteractionResponseDeferredMessageUpdate, false
			}
		}
		return discordgo.InteractionResponseDeferredChannelMessageWithSource, true
	case discordgo.InteractionApplicationCommand:
		if d, ok := i.Data.(discordgo.ApplicationCommandInteractionData); ok {
			switch d.Name {
			case cmdAsk, cmdTopic:
				return discordgo.InteractionResponseDeferredChannelMessageWithSource, boolOpt(d.Options, optPrivate)
			}
		}
	}
	return discordgo.InteractionResponseDeferredChannelMessageWithSource, true
}
