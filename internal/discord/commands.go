package discord

import (
	"github.com/bwmarrin/discordgo"
	"github.com/summitbot/summitbot/knowledge"
)

// Command and option names.
const (
	cmdAsk    = "ask"
	cmdTopic  = "topic"
	cmdTopics = "topics"
	cmdAbout  = "about"
	cmdGaps   = "gaps"

	optQuestion = "question"
	optPrivate  = "private"
	optName     = "name"
	optCategory = "category"
)

// maxQuestionLen is the longest question the /ask option accepts; Discord
// enforces it in the client.
const maxQuestionLen = 500

// commands returns the slash commands to register. /gaps is included only
// when a gap reporter is configured.
func (a *Adapter) commands() []*discordgo.ApplicationCommand {
	minLen := 1
	private := &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionBoolean,
		Name:        optPrivate,
		Description: "Show the answer only to you",
	}
	var cats []*discordgo.ApplicationCommandOptionChoice
	for _, c := range knowledge.Categories {
		cats = append(cats, &discordgo.ApplicationCommandOptionChoice{Name: categoryName(string(c)), Value: string(c)})
	}
	cmds := []*discordgo.ApplicationCommand{
		{
			Name:        cmdAsk,
			Description: "Ask a question about China–Russia relations",
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:         discordgo.ApplicationCommandOptionString,
					Name:         optQuestion,
					Description:  "Your question, e.g. what is Power of Siberia?",
					Required:     true,
					Autocomplete: true,
					MinLength:    &minLen,
					MaxLength:    maxQuestionLen,
				},
				private,
			},
		},
		{
			Name:        cmdTopic,
			Description: "Show one topic",
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:         discordgo.ApplicationCommandOptionString,
					Name:         optName,
					Description:  "Start typing a topic's name",
					Required:     true,
					Autocomplete: true,
					MinLength:    &minLen,
					MaxLength:    maxChoiceLen,
				},
				private,
			},
		},
		{
			Name:        cmdTopics,
			Description: "List the topics I know, by category",
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:        discordgo.ApplicationCommandOptionString,
					Name:        optCategory,
					Description: "Only this category",
					Choices:     cats,
				},
			},
		},
		{
			Name:        cmdAbout,
			Description: "What I know, how fresh it is, and where answers come from",
		},
	}
	if a.cfg.Gaps != nil {
		guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
		cmds = append(cmds, &discordgo.ApplicationCommand{
			Name:        cmdGaps,
			Description: "Moderators: the questions people ask that I cannot answer",
			Contexts:    &guildOnly,
		})
	}
	for _, c := range cmds {
		if c.Options == nil {
			c.Options = []*discordgo.ApplicationCommandOption{}
		}
	}
	return cmds
}
