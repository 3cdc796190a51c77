package slack

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	slackgo "github.com/slack-go/slack"
)

// Block Kit limits (docs.slack.dev/reference/block-kit). Slack rejects a
// whole message that breaks one, and slack-go checks none of them for us,
// so the builders truncate to them and checkLimits verifies the result.
const (
	maxBlocks          = 50
	maxTextLen         = 3000 // a section's or context element's text
	maxContextElements = 10
	maxActionElements  = 25
	maxButtonText      = 75
	maxActionIDLen     = 255
	maxButtonValue     = 2000
	// maxFallbackLen bounds the plain-text fallback. Slack allows far more,
	// but a notification needs only the start.
	maxFallbackLen = 3000
)

// textLen counts characters the way Slack's limits do (UTF-16 code units),
// which is never less than the rune count.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}

// cutTo returns the longest prefix of s whose textLen is at most n.
func cutTo(s string, n int) string {
	total := 0
	for i, r := range s {
		l := utf16.RuneLen(r)
		if l < 0 {
			l = 1
		}
		if total+l > n {
			return s[:i]
		}
		total += l
	}
	return s
}

// truncatePlain shortens plain text to at most n characters, ending with
// an ellipsis when it cuts.
func truncatePlain(s string, n int) string {
	if textLen(s) <= n {
		return s
	}
	return strings.TrimRightFunc(cutTo(s, n-1), isSpace) + "…"
}

// truncateMrkdwn shortens escaped mrkdwn to at most n characters without
// leaving half a link ("<https://..."), half an entity ("&am") or an
// unclosed code fence behind.
func truncateMrkdwn(s string, n int) string {
	if textLen(s) <= n {
		return s
	}
	cut := trimPartial(cutTo(s, n-1))
	if strings.Count(cut, "```")%2 == 1 {
		// Close the open code block, making room for the fence.
		cut = trimPartial(cutTo(cut, max(n-1-4, 0)))
		if strings.Count(cut, "```")%2 == 1 {
			cut += "\n```"
		}
	}
	return cut + "…"
}

// trimPartial drops a trailing half link or half entity, and white space.
func trimPartial(cut string) string {
	if lt := strings.LastIndexByte(cut, '<'); lt >= 0 && lt > strings.LastIndexByte(cut, '>') {
		cut = cut[:lt]
	}
	if amp := strings.LastIndexByte(cut, '&'); amp >= 0 && amp > strings.LastIndexByte(cut, ';') {
		cut = cut[:amp]
	}
	return strings.TrimRightFunc(cut, isSpace)
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }

// checkLimits reports the first Block Kit limit the blocks break. Every
// message the adapter sends passes through it.
func checkLimits(blocks []slackgo.Block) error {
	if len(blocks) == 0 {
		return errors.New("no blocks")
	}
	if len(blocks) > maxBlocks {
		return fmt.Errorf("%d blocks, limit %d", len(blocks), maxBlocks)
	}
	actionIDs := map[string]bool{}
	for i, b := range blocks {
		switch b := b.(type) {
		case *slackgo.SectionBlock:
			if b.Text == nil {
				return fmt.Errorf("block %d: section without text", i)
			}
			if err := checkText(b.Text, maxTextLen); err != nil {
				return fmt.Errorf("block %d: %w", i, err)
			}
		case *slackgo.ContextBlock:
			els := b.ContextElements.Elements
			if len(els) == 0 || len(els) > maxContextElements {
				return fmt.Errorf("block %d: %d context elements, limit %d", i, len(els), maxContextElements)
			}
			for _, e := range els {
				t, ok := e.(*slackgo.TextBlockObject)
				if !ok {
					return fmt.Errorf("block %d: unexpected context element %T", i, e)
				}
				if err := checkText(t, maxTextLen); err != nil {
					return fmt.Errorf("block %d: %w", i, err)
				}
			}
		case *slackgo.ActionBlock:
			if b.Elements == nil || len(b.Elements.ElementSet) == 0 || len(b.Elements.ElementSet) > maxActionElements {
				return fmt.Errorf("block %d: bad number of action elements", i)
			}
			for _, e := range b.Elements.ElementSet {
				btn, ok := e.(*slackgo.ButtonBlockElement)
				if !ok {
					return fmt.Errorf("block %d: unexpected action element %T", i, e)
				}
				if err := checkText(btn.Text, maxButtonText); err != nil {
					return fmt.Errorf("block %d: button: %w", i, err)
				}
				if btn.Text.Type != slackgo.PlainTextType {
					return fmt.Errorf("block %d: button text must be plain_text", i)
				}
				if btn.ActionID == "" || len(btn.ActionID) > maxActionIDLen {
					return fmt.Errorf("block %d: action_id length %d", i, len(btn.ActionID))
				}
				if actionIDs[btn.ActionID] {
					return fmt.Errorf("block %d: duplicate action_id %q", i, btn.ActionID)
				}
				actionIDs[btn.ActionID] = true
				if len(btn.Value) > maxButtonValue {
					return fmt.Errorf("block %d: button value length %d", i, len(btn.Value))
				}
			}
		case *slackgo.DividerBlock:
		default:
			return fmt.Errorf("block %d: unexpected block %T", i, b)
		}
	}
	return nil
}

func checkText(t *slackgo.TextBlockObject, limit int) error {
	if t == nil || strings.TrimSpace(t.Text) == "" {
		return errors.New("empty text")
	}
	if !utf8.ValidString(t.Text) {
		return errors.New("text is not valid UTF-8")
	}
	if n := textLen(t.Text); n > limit {
		return fmt.Errorf("text length %d, limit %d", n, limit)
	}
	return nil
}
