package slack

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestToMrkdwn(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bold and italics", "**bold**, _it_ and *it2*", "*bold*, _it_ and _it2_"},
		{"bold with spaces inside", "a ** b ** c", "a ** b ** c"},
		{"link", "[TASS](https://tass.com/economy/1094679)", "<https://tass.com/economy/1094679|TASS>"},
		{"link with ampersand", "[x](https://e.com/?a=1&b=2)", "<https://e.com/?a=1&amp;b=2|x>"},
		{"link label with pipe and angle", "[a|b>c](https://e.com)", "<https://e.com|abc>"},
		{"link label with ampersand", "[R&D](https://e.com)", "<https://e.com|R&amp;D>"},
		{"formatted link label", "[**bold** link](https://e.com)", "<https://e.com|bold link>"},
		{"link with pipe in URL", "[x](https://e.com/a|b)", "<https://e.com/a%7Cb|x>"},
		{"javascript link", "[click](javascript:alert(1))", "click"},
		{"relative link", "[page](/about)", "page"},
		{"slack scheme link", "[x](slack://open)", "x"},
		{"autolink", "<https://example.com/a?b=c&d=e>", "<https://example.com/a?b=c&amp;d=e>"},
		{"email autolink", "<press@example.com>", "<mailto:press@example.com|press@example.com>"},
		{"escapes", "a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"entity", "AT&amp;T &copy; &#60;", "AT&amp;T © &lt;"},
		{"backslash escape", `1\. not a list \_x\_`, "1. not a list _x_"},
		{"channel", "<!channel> hi", "&lt;!channel&gt; hi"},
		{"here with label", "<!here|here> hi", "&lt;!here|here&gt; hi"},
		{"user mention", "<@U123> hi", "&lt;@U123&gt; hi"},
		{"channel ref", "<#C123|general>", "&lt;#C123|general&gt;"},
		{"html", "<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"},
		{"code span", "`<!here>`", "`&lt;!here&gt;`"},
		{"soft break", "line one\nline two", "line one line two"},
		{"paragraphs", "one\n\ntwo", "one\n\ntwo"},
		{"list", "- **a:** x\n- b", "• *a:* x\n• b"},
		{"ordered list", "3. a\n4. b", "3. a\n4. b"},
		{"heading", "## Title", "*Title*"},
		{"code block", "```\n<@U1>\n```", "```\n&lt;@U1&gt;\n```"},
		{"image", "![chart](https://e.com/c.png)", "<https://e.com/c.png|chart>"},
		{"empty", "", ""},
		{"emoji only", "🇨🇳🤝🇷🇺", "🇨🇳🤝🇷🇺"},
		{"control characters", "a\x00b\x07c", "a\uFFFDbc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := toMrkdwn(tt.in); got != tt.want {
				t.Errorf("toMrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestToPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"**Power** of _Siberia_", "Power of Siberia"},
		{"see [TASS](https://tass.com/x?a=1&b=2)", "see TASS (https://tass.com/x?a=1&amp;b=2)"},
		{"<!channel> & <@U1>", "&lt;!channel&gt; &amp; &lt;@U1&gt;"},
		{"- a\n- b", "• a\n• b"},
	}
	for _, tt := range tests {
		if got := toPlain(tt.in); got != tt.want {
			t.Errorf("toPlain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFromSlack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@UBOT> what is power of siberia", "what is power of siberia"},
		{"<@UBOT|summitbot>   trade   in 2024?", "trade in 2024?"},
		{"tell me about <#C123|general> &amp; <https://x.com|x>", "tell me about #general & x"},
		{"<!here> trade &lt;2024&gt;", "trade <2024>"},
		{"<!subteam^S1|@policy> <!channel> <!everyone>", ""},
		{"see <https://tass.com/a>", "see https://tass.com/a"},
		{"line\nbreak\ttab", "line break tab"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fromSlack(tt.in); got != tt.want {
			t.Errorf("fromSlack(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"https://tass.com/economy/1094679", "https://tass.com/economy/1094679", true},
		{"http://example.com", "http://example.com", true},
		{"https://e.com/?q=<!channel>|x", "https://e.com/?q=%3C!channel%3E%7Cx", true},
		{"https://e.com/a b", "https://e.com/a%20b", true},
		{"mailto:a@b.c", "mailto:a@b.c", true},
		{"javascript:alert(1)", "", false},
		{"https:///nohost", "", false},
		{"/relative", "", false},
		{"", "", false},
		{"https://e.com/" + strings.Repeat("a", 2100), "", false},
	}
	for _, tt := range tests {
		got, ok := safeURL(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("safeURL(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// linkPattern is the only shape a "<...>" may take in converted text.
var linkPattern = regexp.MustCompile(`<(?:https?://|mailto:)[^<>|\s]+(?:\|[^<>|]*)?>`)

// quoteMarker is mrkdwn's block quote, the one raw ">" the converter writes.
var quoteMarker = regexp.MustCompile(`(?m)^[ \t]*(?:> ?)+`)

// checkSafeMrkdwn fails if s contains any Slack control sequence other
// than a well-formed link.
func checkSafeMrkdwn(t *testing.T, in, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 from %q", in)
	}
	for _, bad := range []string{"<!", "<@", "<#"} {
		if strings.Contains(s, bad) {
			t.Fatalf("%q from %q contains %q", s, in, bad)
		}
	}
	rest := linkPattern.ReplaceAllString(quoteMarker.ReplaceAllString(s, ""), "")
	if strings.ContainsAny(rest, "<>") {
		t.Fatalf("%q from %q has an unescaped angle bracket outside links", s, in)
	}
}

func FuzzToMrkdwn(f *testing.F) {
	for _, s := range []string{
		"**bold** [TASS](https://tass.com/x?a=1&b=2)",
		"<!channel> <!here> <!everyone> <@U123> <#C1|x>",
		"[<!channel>](https://e.com/|<!here>)",
		"<https://e.com|<!channel>>",
		"[x](<https://e.com/a b>)",
		"<mailto:a@b.c|<@U1>>",
		"`<!here>` ```<@U1>```",
		"&lt;!channel&gt; &#60;!here&#62; \\<!everyone\\>",
		"- [a](https://x.com)\n  - <b>nested</b>\n> quote <@U1>",
		"![img](https://x.com/a.png \"<!here>\")",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafeMrkdwn(t, in, toMrkdwn(in))
		if p := toPlain(in); strings.ContainsAny(p, "<>") {
			t.Fatalf("plain text %q from %q has an angle bracket", p, in)
		}
		if e := escapeText(fromSlack(in)); strings.ContainsAny(e, "<>") {
			t.Fatalf("escaped question %q from %q has an angle bracket", e, in)
		}
		for _, n := range []int{1, 10, 75, 3000} {
			m := truncateMrkdwn(toMrkdwn(in), n)
			if textLen(m) > n {
				t.Fatalf("truncateMrkdwn(%d) gave %d characters", n, textLen(m))
			}
			checkSafeMrkdwn(t, in, m)
		}
	})
}
