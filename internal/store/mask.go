package store

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The tokens that replace personal data in a stored question.
const (
	maskEmail  = "[email]"
	maskURL    = "[url]"
	maskPhone  = "[phone]"
	maskNumber = "[number]"
)

// Patterns for mask. RE2 runs in linear time, so hostile input cannot make
// masking slow. Each pattern that needs a left boundary captures the
// character before the match in group 1 (RE2 has no look-behind) and the part
// to mask in group 2.
var (
	// A URL with a scheme, or starting with www.
	schemeURLRe = regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_])((?:https?|ftp|wss?)://[^\s<>"]+|www\.[^\s<>"]+)`)
	// local@domain.tld, Unicode letters allowed.
	emailRe = regexp.MustCompile(`(^|[^\p{L}\p{N}._%+\-])([\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,})`)
	// A bare domain (example.com, kremlin.ru/path). Whether it is one is
	// decided by domainLike.
	domainRe = regexp.MustCompile(`(^|[^\p{L}\p{N}_@.\-])((?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?\.)+\p{L}{2,}(?:[/?#][^\s<>"]*)?)`)
	// A run of digits with the separators phone numbers use (030/1234567
	// too). Whether it is a phone number is decided by phoneLike.
	digitRunRe = regexp.MustCompile(`(^|[^\p{L}\p{N}_])([+\x{FF0B}]?\(?\p{Nd}[\p{Nd}\s\x{00A0}()./\-]*\p{Nd}\)?)`)
	// Shapes of digit runs that are not phone numbers.
	dateRe      = regexp.MustCompile(`^(?:\p{Nd}{4}[-./]\p{Nd}{1,2}[-./]\p{Nd}{1,2}|\p{Nd}{1,2}[-./]\p{Nd}{1,2}[-./]\p{Nd}{2,4})$`)
	thousandsRe = regexp.MustCompile(`^\p{Nd}{1,3}(?:(?:[ .\x{00A0}])\p{Nd}{3})+$`)
	decimalRe   = regexp.MustCompile(`^\p{Nd}+\.\p{Nd}+$`)
	groupSepRe  = regexp.MustCompile(`[^\p{Nd}]+`)
)

// mask replaces what looks like an email address, a URL (with a scheme, www.,
// or a bare domain such as example.com/path) or a phone number (international
// or local format) with a placeholder, so that a stored question holds no
// contact details. Years (2024), figures (38 bcm, 1 000 000, 240.1) and dates
// are left alone. Runs of 16 or more digits (card or account numbers) are
// masked too.
func mask(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// The regexps are the costly part of recording; skip those that
	// cannot match.
	if strings.Contains(s, "://") || containsFold(s, "www.") {
		s = replaceGroup(schemeURLRe, s, func(string) string { return maskURL })
	}
	if strings.Contains(s, "@") {
		s = replaceGroup(emailRe, s, func(string) string { return maskEmail })
	}
	if strings.Contains(s, ".") {
		s = replaceGroup(domainRe, s, maskDomain)
	}
	if countDigits(s) >= 7 { // the fewest digits a phone number has
		s = replaceGroup(digitRunRe, s, maskDigits)
	}
	return s
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), sub)
}

// replaceGroup replaces capture group 2 of every match of re in s with
// repl(group 2), keeping group 1 (the left boundary).
func replaceGroup(re *regexp.Regexp, s string, repl func(string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range idx {
		start, end := m[4], m[5]
		b.WriteString(s[last:start])
		b.WriteString(repl(s[start:end]))
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// maskDigits masks a digit run if it looks like a phone number or a long
// identifier, and returns it unchanged otherwise.
func maskDigits(run string) string {
	// A closing parenthesis is only part of a phone number if it closes an
	// area code: "(495) 123-45-67". "in 2024)" keeps its parenthesis.
	trail := ""
	if strings.HasSuffix(run, ")") && strings.Count(run, "(") < strings.Count(run, ")") {
		run, trail = run[:len(run)-1], ")"
	}
	// Trailing separators ("12 " before a word) are not part of the number.
	trimmed := strings.TrimRightFunc(run, func(r rune) bool { return !unicode.IsDigit(r) && r != ')' })
	trail = run[len(trimmed):] + trail
	run = trimmed
	switch n := countDigits(run); {
	case n >= 16:
		return maskNumber + trail
	case phoneLike(run, n):
		return maskPhone + trail
	}
	return run + trail
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// phoneLike decides whether a run of n digits with separators is a phone
// number: +7 495 123-45-67, (495) 123-45-67, 8 800 555 35 35, 123-4567,
// 4951234567. Dates, years, grouped thousands and decimals are not.
func phoneLike(run string, n int) bool {
	if n < 7 || n > 15 {
		return false
	}
	if strings.HasPrefix(run, "+") || strings.HasPrefix(run, "\uFF0B") { // + or fullwidth ＋
		return true
	}
	if dateRe.MatchString(run) || thousandsRe.MatchString(run) || decimalRe.MatchString(run) {
		return false
	}
	groups := groupSepRe.Split(strings.Trim(run, "()"), -1)
	if len(groups) == 1 {
		// One unbroken number: a phone if it is as long as a full
		// national number; shorter ones are figures (1000000).
		return n >= 10
	}
	years := 0
	for _, g := range groups {
		if y, err := strconv.Atoi(g); err == nil && len(g) == 4 && y >= 1900 && y <= 2099 {
			years++
		}
	}
	// "2019 2020 2021" or "2019-2024" is a list or a range of years.
	return years != len(groups)
}

// wellKnownTLDs are the top-level domains that make a bare name.tld a
// domain even without a path. It leaves out top-level domains that are also
// common words (in, it, me, us, to, so, no, be, by), so that a missing space
// after a full stop ("Russia.In 2024") is not taken for a domain.
var wellKnownTLDs = map[string]bool{
	"com": true, "org": true, "net": true, "edu": true, "gov": true, "mil": true, "int": true,
	"info": true, "biz": true, "io": true, "co": true, "ru": true, "su": true, "рф": true,
	"cn": true, "中国": true, "hk": true, "tw": true, "jp": true, "kr": true, "kz": true,
	"ua": true, "uk": true, "de": true, "fr": true, "eu": true, "ca": true, "au": true,
	"ch": true, "app": true, "dev": true, "ai": true, "news": true, "tv": true, "xyz": true,
	"online": true, "site": true, "top": true,
}

// maskDomain masks name.tld if the top-level domain is a well-known one, or
// any name.tld followed by a path (example.xyz/page).
func maskDomain(d string) string {
	host, hasPath := d, false
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		host, hasPath = d[:i], true
	}
	tld := strings.ToLower(host[strings.LastIndexByte(host, '.')+1:])
	if hasPath || wellKnownTLDs[tld] {
		return maskURL
	}
	return d
}
