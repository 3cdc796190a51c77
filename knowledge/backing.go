package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// requireAnswerSources makes answer_sources a required field. It was off
// while the shipped topics were brought to the issue-12 format; with it off,
// a topic without answer_sources loads, its figure sources are not ranked,
// its answer is not checked for self-dated phrasing, and its answer cites up
// to three of its sources, aggregators left out. A variable only so that a
// test can turn it off.
var requireAnswerSources = true

// backing reads a list of 1 to MaxBacking URLs that back an answer: each
// one of the topic's sources, none twice, an aggregator never the only one
// and never before a stronger source. With ranked false (figures of a topic
// not yet in the current format) only the first two rules apply.
func (l *loader) backing(d *decoder, n ast.Node, field string, topicSources []Source, ranked bool) []string {
	var out []string
	var kinds []Kind
	var at []str
	items := d.list(n, field) // reports a value that is not a list
	if len(items) == 0 {
		if isList(n) {
			d.errAt(n, "%s needs 1 to %d URLs from the topic's sources", field, MaxBacking)
		}
		return nil
	}
	for _, s := range d.stringsOf(items, field) {
		i := slices.IndexFunc(topicSources, func(src Source) bool { return src.URL == s.V })
		switch {
		case i < 0:
			d.errStr(s, "%s: %q is not one of this topic's sources", field, s.V)
			continue
		case slices.Contains(out, s.V):
			d.errStr(s, "%s: %q is listed twice", field, s.V)
			continue
		}
		out = append(out, s.V)
		kinds = append(kinds, topicSources[i].Kind)
		at = append(at, s)
	}
	if !ranked {
		return out
	}
	if len(out) > MaxBacking {
		d.errStr(at[MaxBacking], "%s lists %d sources; an answer shows at most %d (keep the strongest; the rest stay in sources)", field, len(out), MaxBacking)
	}
	aggregators := 0
	for i, k := range kinds {
		if k != Aggregator {
			continue
		}
		aggregators++
		for j := i + 1; j < len(kinds); j++ {
			if kinds[j] != Aggregator {
				d.errStr(at[i], "%s: the aggregator %q is listed before a stronger source (%q); list the strongest first", field, out[i], out[j])
				break
			}
		}
	}
	if aggregators > 0 && aggregators == len(out) {
		d.errStr(at[0], "%s: an aggregator cannot be the only backing source; pair it with a stronger source or attribute the fact to the original", field)
	}
	return out
}

var asOfPattern = regexp.MustCompile(`^\d{4}-\d{2}$`)

// checkAsOf checks an as_of month: YYYY-MM, not in the future, not after the
// month the topic was reviewed.
func (l *loader) checkAsOf(d *decoder, field string, s str, reviewed string) {
	m, err := time.Parse("2006-01", s.V)
	if !asOfPattern.MatchString(s.V) || err != nil {
		d.errStr(s, "%s %q must be a month written YYYY-MM (the month the facts end)", field, s.V)
		return
	}
	if m.After(dateOf(l.opts.Now)) {
		d.errStr(s, "%s %s is in the future", field, s.V)
		return
	}
	if len(reviewed) >= 7 && s.V > reviewed[:7] {
		d.errStr(s, "%s %s is after the topic was reviewed (%s)", field, s.V, reviewed)
	}
}

// selfDating finds words that date an answer to when it was written.
var selfDating = regexp.MustCompile(`(?i)\b(currently|current|now running|still running|is now|are now|nowadays|these days|at present|presently|right now|this year|last year|next year|this month|recently|latest|so far|to date|ongoing|upcoming|as yet)\b`)

// checkSelfDating warns on phrasing that dates the answer or a figure when
// the topic has no as_of saying when its facts end.
func (l *loader) checkSelfDating(p string, t *Topic, answerLine int) {
	check := func(what, text string, hasAsOf bool) {
		if hasAsOf {
			return
		}
		if m := selfDating.FindString(text); m != "" {
			l.problems = append(l.problems, Problem{Path: p, Line: answerLine, Col: 1, Severity: Warning,
				Message: fmt.Sprintf("%s says %q, which dates itself: add as_of (YYYY-MM, when the facts end) or write the date", what, m)})
		}
	}
	check("the answer", t.Answer, false)
	for i, f := range t.Figures {
		check(fmt.Sprintf("figures[%d].answer", i), f.Answer, f.AsOf != "")
	}
}
