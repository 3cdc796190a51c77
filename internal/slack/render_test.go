package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestGoldenPayloads(t *testing.T) {
	withNote := powerAnswer()
	withNote.Note = "Your question was not in English; I answered in English."
	withNote.AsOf = "2026-01"
	manySources := powerAnswer()
	manySources.Sources = nil
	for i := 1; i <= 12; i++ {
		manySources.Sources = append(manySources.Sources, knowledge.Source{
			Title: fmt.Sprintf("Source %d", i), Publisher: "TASS", URL: fmt.Sprintf("https://tass.com/economy/%d", i), Date: "2024"})
	}
	gaps := []bot.Gap{
		{Count: 12, Examples: []string{"what is the arctic lng 2 project", "arctic lng 2?", "arctic LNG sanctions", "a fourth example"},
			Nearest: &bot.TopicRef{ID: "energy-after-2022", Title: "Energy trade after 2022"}, Confidence: 0.41},
		{Count: 5, Examples: []string{"<!channel> ping <@U123> & who pays?"}},
		{Count: 3, Examples: []string{strings.Repeat("very long question ", 30)}},
		{Count: 2, Examples: []string{"b"}}, {Count: 2, Examples: []string{"c"}}, {Count: 1, Examples: []string{"not shown"}},
	}
	tests := []struct {
		name string
		m    message
	}{
		{"answer_ephemeral", renderAnswer(powerAnswer(), renderOpts{ephemeral: true})},
		{"answer_public_with_note", renderAnswer(withNote, renderOpts{})},
		{"answer_many_sources", renderAnswer(manySources, renderOpts{})},
		{"declined", renderAnswer(declinedAnswer("best borscht recipe"), renderOpts{ephemeral: true})},
		{"rate_limited", renderAnswer(rateLimitedAnswer("x"), renderOpts{ephemeral: true})},
		{"details", renderDetails(powerAnswer(), renderOpts{ephemeral: true})},
		{"gaps", renderGaps(gaps)},
		{"gaps_empty", renderGaps(nil)},
		{"help", renderHelp("/ask")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkLimits(tt.m.Blocks); err != nil {
				t.Fatalf("limits: %v", err)
			}
			if tt.m.fellBack {
				t.Fatal("blocks broke a limit and were replaced by the plain text")
			}
			got := goldenJSON(t, tt.m.ackPayload(slackgo.ResponseTypeEphemeral))
			path := filepath.Join("testdata", tt.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("payload differs from %s (run go test -update and review the diff):\n%s", path, got)
			}
		})
	}
}

func goldenJSON(t *testing.T, v any) []byte {
	t.Helper()
	// Round-trip through slack-go's marshalling first: it is what goes on
	// the wire.
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hugeAnswer breaks every limit it can.
func hugeAnswer() bot.Answer {
	a := powerAnswer()
	a.Text = strings.Repeat("A [very long link label](https://example.com/a?b=c&d=e) & more <text>. ", 150)
	a.Note = strings.Repeat("note ", 1000)
	a.Details = strings.Repeat(strings.Repeat("Detail paragraph text & <stuff>. ", 30)+"\n\n", 120)
	a.Sources = nil
	for i := 0; i < 30; i++ {
		a.Sources = append(a.Sources, knowledge.Source{Title: strings.Repeat("Title ", 100), Publisher: strings.Repeat("P", 500),
			URL: "https://example.com/" + strings.Repeat("x", 1900), Date: "2024-01-01"})
	}
	for i := 0; i < 20; i++ {
		a.Related = append(a.Related, bot.TopicRef{ID: fmt.Sprintf("topic-%d", i), Title: strings.Repeat("Related title ", 20)})
	}
	for i := 0; i < 20; i++ {
		a.Suggestions = append(a.Suggestions, bot.TopicRef{ID: fmt.Sprintf("topic-%d", i), Title: strings.Repeat("Suggestion ", 20)})
	}
	return a
}

func TestRenderWithinLimits(t *testing.T) {
	huge := hugeAnswer()
	declined := huge
	declined.Outcome = bot.OutcomeDeclined
	gaps := make([]bot.Gap, 50)
	for i := range gaps {
		gaps[i] = bot.Gap{Count: i, Examples: []string{strings.Repeat("<!here> ", 1000), strings.Repeat("x", 5000)},
			Nearest: &bot.TopicRef{ID: "a", Title: strings.Repeat("t", 5000)}}
	}
	cases := map[string]message{
		"answer":   renderAnswer(huge, renderOpts{ephemeral: true}),
		"declined": renderAnswer(declined, renderOpts{}),
		"details":  renderDetails(huge, renderOpts{ephemeral: true}),
		"gaps":     renderGaps(gaps),
		"notice":   renderNotice(strings.Repeat("busy ", 2000)),
	}
	for name, m := range cases {
		if err := checkLimits(m.Blocks); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		// finish swaps rule-breaking blocks for the plain text, which
		// always passes checkLimits: an oversized answer must be cut to
		// fit instead.
		if m.fellBack {
			t.Errorf("%s: blocks broke a limit and were replaced by the plain text", name)
		}
		if textLen(m.Text) > maxFallbackLen {
			t.Errorf("%s: fallback text of %d characters", name, textLen(m.Text))
		}
		for _, b := range m.Blocks {
			if s, ok := b.(*slackgo.SectionBlock); ok && !strings.HasSuffix(s.Text.Text, "…") && textLen(s.Text.Text) > maxTextLen-10 {
				t.Errorf("%s: a long section was not visibly truncated", name)
			}
		}
	}
	// The answer kept its structure rather than falling back to text.
	a := cases["answer"]
	if len(a.Blocks) != 4 {
		t.Fatalf("answer has %d blocks, want section, note, sources, actions", len(a.Blocks))
	}
	ctx := a.Blocks[2].(*slackgo.ContextBlock)
	if n := len(ctx.ContextElements.Elements); n != 9 {
		t.Errorf("sources context has %d elements, want 8 (30 sources, 4 per element) + reviewed", n)
	}
	if first := ctx.ContextElements.Elements[0].(*slackgo.TextBlockObject).Text; !strings.HasPrefix(first, "1. <https://example.com/") {
		t.Errorf("first sources element %.80q", first)
	}
	acts := a.Blocks[3].(*slackgo.ActionBlock).Elements.ElementSet
	if len(acts) != 1+maxRelated+3 {
		t.Errorf("%d buttons, want more + %d related + 👍 👎 share", len(acts), maxRelated)
	}
	if d := cases["details"]; len(d.Blocks) < 10 || len(d.Blocks) > maxBlocks {
		t.Errorf("details has %d blocks", len(d.Blocks))
	}
	if g := cases["gaps"]; len(g.Blocks) != 1+maxGaps {
		t.Errorf("gaps has %d blocks, want %d", len(g.Blocks), 1+maxGaps)
	}
	if d := cases["declined"]; len(d.Blocks[2].(*slackgo.ActionBlock).Elements.ElementSet) != maxSuggestions {
		t.Errorf("declined does not cap suggestions at %d", maxSuggestions)
	}
}

func TestCheckLimitsCatchesViolations(t *testing.T) {
	text := func(n int) *slackgo.SectionBlock {
		return slackgo.NewSectionBlock(mrkdwnText(strings.Repeat("a", n)), nil, nil)
	}
	btn := func(id, label, value string) *slackgo.ButtonBlockElement {
		return slackgo.NewButtonBlockElement(id, value, slackgo.NewTextBlockObject(slackgo.PlainTextType, label, true, false))
	}
	many := func(n int) []slackgo.Block {
		var bs []slackgo.Block
		for range n {
			bs = append(bs, text(1))
		}
		return bs
	}
	ctxEls := func(n int) []slackgo.MixedElement {
		var els []slackgo.MixedElement
		for range n {
			els = append(els, mrkdwnText("x"))
		}
		return els
	}
	tests := []struct {
		name   string
		blocks []slackgo.Block
		ok     bool
	}{
		{"fine", []slackgo.Block{text(3000), slackgo.NewContextBlock("", ctxEls(10)...),
			slackgo.NewActionBlock("", btn("a", strings.Repeat("b", 75), strings.Repeat("v", 2000)))}, true},
		{"50 blocks", many(50), true},
		{"51 blocks", many(51), false},
		{"no blocks", nil, false},
		{"3001 characters", []slackgo.Block{text(3001)}, false},
		{"3000 characters counted in UTF-16", []slackgo.Block{slackgo.NewSectionBlock(mrkdwnText(strings.Repeat("😀", 1501)), nil, nil)}, false},
		{"empty section", []slackgo.Block{text(0)}, false},
		{"11 context elements", []slackgo.Block{slackgo.NewContextBlock("", ctxEls(11)...)}, false},
		{"button text 76", []slackgo.Block{slackgo.NewActionBlock("", btn("a", strings.Repeat("b", 76), "v"))}, false},
		{"action id 256", []slackgo.Block{slackgo.NewActionBlock("", btn(strings.Repeat("a", 256), "b", "v"))}, false},
		{"value 2001", []slackgo.Block{slackgo.NewActionBlock("", btn("a", "b", strings.Repeat("v", 2001)))}, false},
		{"duplicate action id", []slackgo.Block{slackgo.NewActionBlock("", btn("a", "b", "v"), btn("a", "c", "v"))}, false},
	}
	for _, tt := range tests {
		if err := checkLimits(tt.blocks); (err == nil) != tt.ok {
			t.Errorf("%s: checkLimits = %v", tt.name, err)
		}
	}
}

func TestFinishFallsBack(t *testing.T) {
	ok := finish(message{Text: "hello", Blocks: []slackgo.Block{section("hello")}})
	if ok.fellBack || len(ok.Blocks) != 1 {
		t.Errorf("a valid message fell back: %+v", ok)
	}
	bad := finish(message{Text: "hello", Blocks: []slackgo.Block{slackgo.NewSectionBlock(mrkdwnText(strings.Repeat("a", maxTextLen+1)), nil, nil)}})
	if !bad.fellBack || checkLimits(bad.Blocks) != nil {
		t.Errorf("an over-long section did not fall back to valid text: %+v", bad)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"hello world", 8, "hello w…"},
		{"see <https://example.com/long|label> now", 20, "see…"},
		{"AT&amp;T rocks", 6, "AT…"},
		{"```\ncode code code code\n```", 20, "```\ncode code c\n```…"},
		{"😀😀😀", 5, "😀😀…"},
	}
	for _, tt := range tests {
		got := truncateMrkdwn(tt.in, tt.n)
		if got != tt.want || textLen(got) > tt.n {
			t.Errorf("truncateMrkdwn(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	if got := truncatePlain(strings.Repeat("é", 100), 75); textLen(got) != 75 || !strings.HasSuffix(got, "…") {
		t.Errorf("truncatePlain gave %d characters", textLen(got))
	}
	if got := buttonLabel("  <b>Trade</b>\nin 2024  "); got != "bTrade/b in 2024" {
		t.Errorf("buttonLabel = %q", got)
	}
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		id, value, kind, topic string
		ok                     bool
	}{
		{"more", "power-of-siberia", actMore, "power-of-siberia", true},
		{"topic:2", "2024-10-kazan", actTopic, "2024-10-kazan", true},
		{"fb_up", "a", actFbUp, "a", true},
		{"fb_down", "a", actFbDown, "a", true},
		{"share", "a", actShare, "a", true},
		{"share", "<!channel>", "", "", false},
		{"share", "Power of Siberia", "", "", false},
		{"topic:", "a", "", "", false},
		{"topic:-1", "a", "", "", false},
		{"topic:100", "a", "", "", false},
		{"topic:1:2", "a", "", "", false},
		{"other", "a", "", "", false},
		{"more", "", "", "", false},
		{"more", strings.Repeat("a", 101), "", "", false},
		{"more", "a--b", "", "", false},
	}
	for _, tt := range tests {
		kind, topic, ok := parseAction(tt.id, tt.value)
		if kind != tt.kind || topic != tt.topic || ok != tt.ok {
			t.Errorf("parseAction(%q, %q) = %q, %q, %v", tt.id, tt.value, kind, topic, ok)
		}
	}
}

func BenchmarkRenderAnswer(b *testing.B) {
	a := powerAnswer()
	for b.Loop() {
		renderAnswer(a, renderOpts{ephemeral: true})
	}
}

func BenchmarkToMrkdwn(b *testing.B) {
	md := powerAnswer().Text + "\n\n" + powerAnswer().Details
	for b.Loop() {
		toMrkdwn(md)
	}
}
