package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// Left alone.
		{"plain", "what is power of siberia", "what is power of siberia"},
		{"year", "trade in 2024", "trade in 2024"},
		{"figure", "38 bcm of gas per year", "38 bcm of gas per year"},
		{"billions", "$240.1 billion in 2023", "$240.1 billion in 2023"},
		{"thousands spaces", "1 000 000 tonnes", "1 000 000 tonnes"},
		{"thousands dots", "1.000.000 tonnes", "1.000.000 tonnes"},
		{"thousands commas", "1,000,000 tonnes", "1,000,000 tonnes"},
		{"unbroken figure", "about 1000000 barrels", "about 1000000 barrels"},
		{"year range", "trade 2019-2024", "trade 2019-2024"},
		{"year range spaced", "trade 2019 - 2024", "trade 2019 - 2024"},
		{"year list", "in 2019 2020 2021", "in 2019 2020 2021"},
		{"iso date", "summit on 2024-05-16", "summit on 2024-05-16"},
		{"dotted date", "summit on 16.05.2024", "summit on 16.05.2024"},
		{"slashed date", "summit on 05/16/2024", "summit on 05/16/2024"},
		{"year in parens", "the treaty (2001)", "the treaty (2001)"},
		{"short numbers", "article 9 of the 2001 treaty, 20 years", "article 9 of the 2001 treaty, 20 years"},
		{"missing space after stop", "Russia.In 2024 what happened", "Russia.In 2024 what happened"},
		{"abbreviation", "e.g. the U.S. and China", "e.g. the U.S. and China"},
		{"version like", "s-400 and su-35", "s-400 and su-35"},
		{"at sign alone", "@everyone what is sco", "@everyone what is sco"},
		{"empty", "", ""},
		{"emoji", "🇨🇳🤝🇷🇺", "🇨🇳🤝🇷🇺"},

		// Emails.
		{"email", "write to ivan.petrov@example.com please", "write to [email] please"},
		{"email plus", "a+tag@mail.co.uk", "[email]"},
		{"email cyrillic", "почта иван@пример.рф", "почта [email]"},
		{"email upper", "IVAN@EXAMPLE.COM?", "[email]?"},

		// URLs.
		{"https", "see https://example.com/a?b=c#d now", "see [url] now"},
		{"http upper", "HTTP://EXAMPLE.ORG", "[url]"},
		{"www", "www.kremlin.ru/events", "[url]"},
		{"bare domain", "is example.com right", "is [url] right"},
		{"bare domain path", "example.com/path/to?x=1", "[url]"},
		{"bare domain unknown tld with path", "news.example.xyzzy/story", "[url]"},
		{"subdomain", "en.kremlin.ru", "[url]"},
		{"idn", "сайт кремль.рф", "сайт [url]"},
		{"domain at end of sentence", "I read it on tass.com.", "I read it on [url]."},

		// Phones, international.
		{"ru intl", "call +7 495 123-45-67", "call [phone]"},
		{"ru intl parens", "+7 (495) 123-45-67", "[phone]"},
		{"cn intl", "+86 10 6532 1817 embassy", "[phone] embassy"},
		{"us intl", "+1 (555) 123-4567.", "[phone]."},
		{"intl compact", "+74951234567", "[phone]"},
		{"intl dots", "+44.20.7946.0958", "[phone]"},
		{"nbsp", "+7\u00a0495\u00a0123\u00a045\u00a067", "[phone]"},

		// Phones, local.
		{"ru local", "8 (800) 555-35-35 hotline", "[phone] hotline"},
		{"ru short", "tel 123-45-67", "tel [phone]"},
		{"us local", "(555) 123-4567", "[phone]"},
		{"us dashes", "555-123-4567", "[phone]"},
		{"us dots", "555.123.4567", "[phone]"},
		{"cn local", "010-12345678", "[phone]"},
		{"spaces", "call 555 123 4567 now", "call [phone] now"},
		{"slashes", "call 030/1234567", "call [phone]"},
		{"unbroken national", "89161234567", "[phone]"},
		{"fullwidth", "＋７ ４９５ １２３ ４５ ６７", "[phone]"},

		// Long identifiers.
		{"card", "card 4111 1111 1111 1111", "card [number]"},

		// Several at once.
		{"mixed", "mail a@b.io or call +7 495 123 45 67, site x.com, year 2024",
			"mail [email] or call [phone], site [url], year 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mask(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"", "trade in 2024", "38 bcm", "a@b.com", "+7 495 123-45-67", "(495) 123-45-67",
		"https://example.com/x", "example.com/path", "1 000 000", "2019-2024", "\x00\xff",
		"((((((1", "+", "@.", "www.", "1.2.3.4.5.6.7.8", "🇨🇳 ＋７",
	} {
		f.Add(s, "ivan.petrov@example.com")
		f.Add(s, "+7 916 123-45-67")
		f.Add(s, "https://t.me/secret")
	}
	f.Fuzz(func(t *testing.T, text, secret string) {
		got := mask(text)
		if !utf8.ValidString(got) {
			t.Fatalf("mask(%q) = %q: not valid UTF-8", text, got)
		}
		if again := mask(got); again != got {
			t.Fatalf("mask not stable: mask(%q) = %q, mask of that = %q", text, got, again)
		}
		// A known secret planted between spaces never survives, whatever
		// surrounds it.
		for _, s := range []string{"ivan.petrov@example.com", "+7 916 123-45-67", "https://t.me/secret"} {
			if secret != s {
				continue
			}
			planted := mask(text + " " + s + " " + text)
			if strings.Contains(planted, s) {
				t.Fatalf("secret %q survived in %q", s, planted)
			}
		}
	})
}
