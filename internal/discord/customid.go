package discord

import (
	"errors"
	"strconv"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
)

// Custom ids on the buttons the bot posts. Only topic ids, categories and
// page numbers go into them, never anything a user typed:
//
//	sb:more:<topic>        show the topic's details
//	sb:topic:<topic>       answer a topic (related, "Did you mean")
//	sb:fb:+:<topic>        helpful
//	sb:fb:-:<topic>        not helpful
//	sb:topics:<cat>:<page> a page of /topics; cat is a category or "all"
const (
	idPrefix     = "sb:"
	maxCustomID  = 100
	maxTopicID   = 80
	allTopics    = "all"
	maxTopicPage = 999
)

type actionKind int

const (
	actMore actionKind = iota + 1
	actTopic
	actFeedback
	actTopics
)

// action is a parsed custom id.
type action struct {
	kind     actionKind
	topic    string
	helpful  bool
	category string // a category or allTopics
	page     int
}

var errCustomID = errors.New("unknown or malformed custom id")

// validTopicID reports whether id is a topic id (knowledge.ValidID) short
// enough for every custom id scheme.
func validTopicID(id string) bool {
	return len(id) <= maxTopicID && knowledge.ValidID(id)
}

func validCategory(c string) bool {
	return c == allTopics || knowledge.Category(c).Valid()
}

// The encoders return "" when the id would be invalid; callers drop the button.

func moreID(topic string) string {
	if !validTopicID(topic) {
		return ""
	}
	return idPrefix + "more:" + topic
}

func topicID(topic string) string {
	if !validTopicID(topic) {
		return ""
	}
	return idPrefix + "topic:" + topic
}

func feedbackID(topic string, helpful bool) string {
	if !validTopicID(topic) {
		return ""
	}
	sign := "-"
	if helpful {
		sign = "+"
	}
	return idPrefix + "fb:" + sign + ":" + topic
}

func topicsPageID(category string, page int) string {
	if category == "" {
		category = allTopics
	}
	if !validCategory(category) || page < 0 || page > maxTopicPage {
		return ""
	}
	return idPrefix + "topics:" + category + ":" + strconv.Itoa(page)
}

// parseCustomID parses a custom id made by the encoders above.
func parseCustomID(s string) (action, error) {
	if len(s) > maxCustomID {
		return action{}, errCustomID
	}
	rest, ok := strings.CutPrefix(s, idPrefix)
	if !ok {
		return action{}, errCustomID
	}
	kind, arg, _ := strings.Cut(rest, ":")
	switch kind {
	case "more", "topic":
		if !validTopicID(arg) {
			return action{}, errCustomID
		}
		if kind == "more" {
			return action{kind: actMore, topic: arg}, nil
		}
		return action{kind: actTopic, topic: arg}, nil
	case "fb":
		sign, topic, _ := strings.Cut(arg, ":")
		if (sign != "+" && sign != "-") || !validTopicID(topic) {
			return action{}, errCustomID
		}
		return action{kind: actFeedback, topic: topic, helpful: sign == "+"}, nil
	case "topics":
		cat, p, _ := strings.Cut(arg, ":")
		page, err := strconv.Atoi(p)
		if !validCategory(cat) || err != nil || page < 0 || page > maxTopicPage || strconv.Itoa(page) != p {
			return action{}, errCustomID
		}
		return action{kind: actTopics, category: cat, page: page}, nil
	}
	return action{}, errCustomID
}
