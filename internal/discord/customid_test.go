package discord

import (
	"strings"
	"testing"
)

func TestParseCustomID(t *testing.T) {
	long := strings.Repeat("a", maxTopicID)
	tests := []struct {
		in   string
		want action
		ok   bool
	}{
		{"sb:more:power-of-siberia", action{kind: actMore, topic: "power-of-siberia"}, true},
		{"sb:topic:trade-2024", action{kind: actTopic, topic: "trade-2024"}, true},
		{"sb:fb:+:x", action{kind: actFeedback, topic: "x", helpful: true}, true},
		{"sb:fb:-:x", action{kind: actFeedback, topic: "x"}, true},
		{"sb:topics:all:0", action{kind: actTopics, category: "all"}, true},
		{"sb:topics:global-order:12", action{kind: actTopics, category: "global-order", page: 12}, true},
		{"sb:topic:" + long, action{kind: actTopic, topic: long}, true},
		{"sb:topic:" + long + "a", action{}, false},
		{"", action{}, false},
		{"sb:", action{}, false},
		{"sb:more:", action{}, false},
		{"sb:more:Power", action{}, false},
		{"sb:more:a b", action{}, false},
		{"sb:more:-a", action{}, false},
		{"sb:more:a--b", action{}, false},
		{"sb:more:a:b", action{}, false},
		{"sb:fb:*:x", action{}, false},
		{"sb:fb:+", action{}, false},
		{"sb:topics:cooking:0", action{}, false},
		{"sb:topics:all:-1", action{}, false},
		{"sb:topics:all:01", action{}, false},
		{"sb:topics:all:1000", action{}, false},
		{"sb:topics:all:", action{}, false},
		{"xx:more:a", action{}, false},
		{"sb:delete:a", action{}, false},
		{"sb:more:" + strings.Repeat("a", 200), action{}, false},
	}
	for _, tt := range tests {
		got, err := parseCustomID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseCustomID(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCustomIDRoundTrip(t *testing.T) {
	long := strings.Repeat("z", maxTopicID)
	for _, id := range []string{moreID(long), topicID(long), feedbackID(long, true), feedbackID(long, false), topicsPageID("", maxTopicPage), topicsPageID("global-order", 3)} {
		if id == "" || len(id) > maxCustomID {
			t.Errorf("custom id %q: length %d", id, len(id))
			continue
		}
		if _, err := parseCustomID(id); err != nil {
			t.Errorf("%q does not parse: %v", id, err)
		}
	}
	for _, id := range []string{moreID("Bad"), topicID(""), feedbackID(long+"z", true), topicsPageID("cooking", 0), topicsPageID("", -1)} {
		if id != "" {
			t.Errorf("invalid input encoded as %q", id)
		}
	}
}

func FuzzParseCustomID(f *testing.F) {
	for _, s := range []string{"sb:more:a", "sb:fb:+:a-b", "sb:topics:all:3", "sb:topics:energy:999", "sb::", "sb:fb::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		act, err := parseCustomID(s)
		if err != nil {
			return
		}
		// Whatever parses must re-encode to the same id.
		var again string
		switch act.kind {
		case actMore:
			again = moreID(act.topic)
		case actTopic:
			again = topicID(act.topic)
		case actFeedback:
			again = feedbackID(act.topic, act.helpful)
		case actTopics:
			again = topicsPageID(act.category, act.page)
		}
		if again != s {
			t.Fatalf("parseCustomID(%q) = %+v, re-encodes as %q", s, act, again)
		}
	})
}
