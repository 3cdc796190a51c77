package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

var (
	meetingFields = []string{"id", "date", "end", "place", "kind", "title", "aliases", "outcomes", "sources"}
	countFields   = []string{"date", "count", "said_by", "source"}
)

func (l *loader) timeline() Timeline {
	var tl Timeline
	src, ok := l.read(TimelineFile)
	if !ok {
		return tl
	}
	d := l.decoder(TimelineFile, 0)
	root, ok := d.parse(src)
	if !ok || root == nil {
		if ok {
			d.add(Error, 1, 1, "%s is empty: it needs a meetings list", TimelineFile)
		}
		return tl
	}
	vals, _, ok := d.fields(root, TimelineFile, "meetings", "counts")
	if !ok {
		return tl
	}
	ids := map[string]bool{}
	items := d.list(vals["meetings"], "meetings")
	if len(items) == 0 && isList(vals["meetings"]) {
		d.add(Error, 1, 1, "%s lists no meetings", TimelineFile)
	}
	for i, item := range items {
		if m, ok := l.meeting(d, item, fmt.Sprintf("meetings[%d]", i), ids); ok {
			tl.Meetings = append(tl.Meetings, m)
		}
	}
	for i, item := range d.list(vals["counts"], "counts") {
		what := fmt.Sprintf("counts[%d]", i)
		cv, _, ok := d.fields(item, what, countFields...)
		if !ok {
			continue
		}
		var c MeetingCount
		good := true
		for _, f := range []string{"date", "count", "said_by"} {
			s, ok := d.required(cv, item, what, f)
			if !ok {
				good = false
				continue
			}
			switch f {
			case "date":
				c.Date = s.V
				if !validDate(s.V) {
					d.errStr(s, "%s.date %q must be YYYY, YYYY-MM or YYYY-MM-DD", what, s.V)
					good = false
				}
			case "count":
				c.Count = s.V
			case "said_by":
				c.SaidBy = s.V
			}
		}
		if n, ok := cv["source"]; ok {
			c.Source, ok = l.source(d, n, what+".source")
			good = good && ok
		} else {
			d.errAt(item, "%s is missing \"source\"", what)
			good = false
		}
		if good {
			tl.Counts = append(tl.Counts, c)
		}
	}
	slices.SortStableFunc(tl.Meetings, func(a, b Meeting) int { return strings.Compare(a.Date, b.Date) })
	slices.SortStableFunc(tl.Counts, func(a, b MeetingCount) int { return strings.Compare(a.Date, b.Date) })
	return tl
}

func (l *loader) meeting(d *decoder, item ast.Node, what string, ids map[string]bool) (Meeting, bool) {
	vals, _, ok := d.fields(item, what, meetingFields...)
	if !ok {
		return Meeting{}, false
	}
	line, _ := pos(item)
	m := Meeting{Line: line}
	good := true
	get := func(f string, required bool) (str, bool) {
		if required {
			s, ok := d.required(vals, item, what, f)
			good = good && ok
			return s, ok
		}
		s, ok := d.scalar(vals[f], what+"."+f)
		return s, ok && s.V != ""
	}
	if s, ok := get("id", true); ok {
		m.ID = s.V
		if !ValidID(s.V) {
			d.errStr(s, "%s.id %q must be kebab-case", what, s.V)
			good = false
		} else if ids[s.V] {
			d.errStr(s, "duplicate meeting id %q", s.V)
			good = false
		}
		ids[s.V] = true
	}
	today := dateOf(l.opts.Now)
	// checkDate reports whether s is a valid date, and reports a problem
	// if it is not or if it is in the future.
	checkDate := func(s str, f string) bool {
		if !validDate(s.V) || len(s.V) < 7 {
			d.errStr(s, "%s.%s %q must be YYYY-MM-DD (or YYYY-MM where the day is not sourced)", what, f, s.V)
			good = false
			return false
		}
		layout := map[int]string{7: "2006-01", 10: time.DateOnly}[len(s.V)]
		if t, _ := time.Parse(layout, s.V); t.After(today) {
			d.errStr(s, "%s.%s %s is in the future", what, f, s.V)
			good = false
		}
		return true
	}
	dated := false // the date is one, so an end can be compared with it
	if s, ok := get("date", true); ok {
		m.Date = s.V
		dated = checkDate(s, "date")
	}
	if s, ok := get("end", false); ok {
		m.End = s.V
		// Only two dates compare: an invalid one is reported once, as
		// such, not also as after or before the other.
		if checkDate(s, "end") && dated && s.V < m.Date {
			d.errStr(s, "%s.end %s is before its date %s", what, s.V, m.Date)
			good = false
		}
	}
	if s, ok := get("place", true); ok {
		m.Place = s.V
	}
	if s, ok := get("kind", true); ok {
		m.Kind = s.V
		if !slices.Contains(MeetingKinds, s.V) {
			d.errStr(s, "%s.kind %q is not one of: %s", what, s.V, strings.Join(MeetingKinds, ", "))
			good = false
		}
	}
	if s, ok := get("title", true); ok {
		m.Title = s.V
	}
	m.Aliases = values(d.strings(vals["aliases"], what+".aliases"))
	m.Outcomes = values(d.strings(vals["outcomes"], what+".outcomes"))
	if n, ok := vals["sources"]; ok {
		m.Sources = l.sources(d, n, what+".sources")
	}
	if len(m.Sources) == 0 {
		d.errAt(item, "%s needs at least one source", what)
		good = false
	} else if !slices.ContainsFunc(m.Sources, func(s Source) bool { return s.Kind != Aggregator }) && l.pubs != nil {
		// A timeline answer cites the meeting's own sources: the same rule
		// as a topic's answer_sources.
		d.errAt(vals["sources"], "%s.sources: an aggregator cannot be a meeting's only source; add a stronger one", what)
		good = false
	}
	return m, good
}

var testFields = []string{"question", "expect", "known"}

// rawTest is a test case with the position of its expected topic, kept
// until the topics are known.
type rawTest struct {
	tc     TestCase
	expect str
}

// parseTests reads tests.yaml. A missing file is allowed (a knowledge folder
// under construction); kb test then has nothing to run. Expected topics are
// checked by checkTests once the topics are loaded.
func (l *loader) parseTests() []rawTest {
	if l.missing(TestsFile) {
		return nil
	}
	src, ok := l.read(TestsFile)
	if !ok {
		return nil
	}
	d := l.decoder(TestsFile, 0)
	root, ok := d.parse(src)
	if !ok || root == nil {
		return nil
	}
	var out []rawTest
	seen := map[string]int{}
	for i, item := range d.list(root, "tests") {
		what := fmt.Sprintf("test %d", i+1)
		vals, _, ok := d.fields(item, what, testFields...)
		if !ok {
			continue
		}
		q, okq := d.scalar(vals["question"], what+".question")
		e, oke := d.scalar(vals["expect"], what+".expect")
		if !okq || q.V == "" {
			d.errAt(item, "%s has no question", what)
			continue
		}
		if !oke || e.V == "" {
			d.errAt(item, "%s has no expect (a topic id, or %q)", what, None)
			continue
		}
		key := foldKey(q.V)
		if prev, dup := seen[key]; dup {
			d.add(Warning, q.Line, q.Col, "question already tested on line %d", prev)
			continue
		}
		seen[key] = q.Line
		tc := TestCase{Question: q.V, Expect: e.V, Line: q.Line}
		if n, ok := vals["known"]; ok {
			k, ok := d.scalar(n, what+".known")
			if !ok || strings.TrimSpace(k.V) == "" {
				d.errAt(item, "%s.known must say why the miss is accepted", what)
				continue
			}
			tc.Known = k.V
		}
		out = append(out, rawTest{tc: tc, expect: e})
	}
	return out
}

// checkTests keeps the test cases whose expected topic exists.
// A test of a topic whose file did not parse (broken) is left out without a
// problem of its own: the topic file's error says what to fix.
func (l *loader) checkTests(kb *KB, raws []rawTest, broken map[string]bool) []TestCase {
	d := l.decoder(TestsFile, 0)
	out := make([]TestCase, 0, len(raws))
	for i, r := range raws {
		if broken[r.tc.Expect] {
			continue
		}
		if _, ok := kb.Topic(r.tc.Expect); !ok && r.tc.Expect != None {
			d.errStr(r.expect, "test %d expects topic %q, which does not exist", i+1, r.tc.Expect)
			continue
		}
		out = append(out, r.tc)
	}
	return out
}
