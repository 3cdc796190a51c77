package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Limits enforced by validation.
const (
	// MaxAnswer is the longest answer paragraph, in characters.
	MaxAnswer = 500
	// maxFileSize bounds what Load reads from one file.
	maxFileSize = 1 << 20
	// StaleAfter is how long after its review date a topic is stale.
	StaleAfter = 365 * 24 * time.Hour
)

// Options configure Load. The zero value is a useful default.
type Options struct {
	// Now is the time used for "reviewed in the future" and staleness
	// checks; the zero value means time.Now().
	Now time.Time
	// Prefix is prepended to the paths in problems, so that they point at
	// the files a moderator edits (for example "knowledge/data").
	Prefix string
}

// Files in a knowledge folder.
const (
	TopicsDir    = "topics"
	TimelineFile = "summits.yaml"
	TestsFile    = "tests.yaml"
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	datePattern = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)
)

// ValidID reports whether id is a well-formed topic id: kebab-case, lower
// case letters and digits separated by single hyphens.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Load reads and validates a knowledge folder. On any error-severity problem
// it returns a *ValidationError listing every problem found; otherwise the
// KB, with warnings in KB.Warnings.
func Load(fsys fs.FS, opts Options) (*KB, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	l := &loader{fsys: fsys, opts: opts}
	kb := l.load()
	for i := range l.problems {
		l.problems[i].Path = path.Join(opts.Prefix, l.problems[i].Path)
	}
	l.problems.sort()
	if l.problems.Errors() > 0 {
		return nil, &ValidationError{Problems: l.problems}
	}
	kb.Warnings = l.problems
	return kb, nil
}

type loader struct {
	fsys     fs.FS
	opts     Options
	problems Problems
	// pubs is the publisher registry, read before anything else; nil when
	// the folder has no publishers.yaml.
	pubs map[string]*Publisher
}

func (l *loader) decoder(p string, offset int) *decoder {
	return &decoder{path: p, lineOffset: offset, problems: &l.problems}
}

func (l *loader) fileProblem(p, format string, args ...any) {
	l.problems = append(l.problems, Problem{Path: p, Severity: Error, Message: fmt.Sprintf(format, args...), blocking: true})
}

// missing reports whether the folder leaves p out. Any other failure to
// look at p is not "missing": read reports it.
func (l *loader) missing(p string) bool {
	_, err := fs.Stat(l.fsys, p)
	return errors.Is(err, fs.ErrNotExist)
}

// readOptional reads a file the folder may leave out, with a warning when
// it is missing.
func (l *loader) readOptional(p string) ([]byte, bool) {
	if l.missing(p) {
		l.problems = append(l.problems, Problem{Path: p, Severity: Warning, Message: "file is missing: sources' publishers are not checked and answers show no source kinds"})
		return nil, false
	}
	return l.read(p)
}

func (l *loader) read(p string) ([]byte, bool) {
	f, err := openRegular(l.fsys, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			l.fileProblem(p, "file is missing")
		} else {
			l.fileProblem(p, "cannot read: %v", err)
		}
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		l.fileProblem(p, "cannot read: %v", err)
		return nil, false
	}
	if len(b) > maxFileSize {
		l.fileProblem(p, "file is larger than %d bytes", maxFileSize)
		return nil, false
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		l.fileProblem(p, "file is not UTF-8 text")
		return nil, false
	}
	return bytes.TrimPrefix(b, []byte("\ufeff")), true
}

func (l *loader) load() *KB {
	kb := &KB{byID: map[string]*Topic{}}
	l.pubs = l.publishers()
	for _, p := range l.pubs {
		kb.Publishers = append(kb.Publishers, p)
	}
	slices.SortFunc(kb.Publishers, func(a, b *Publisher) int { return strings.Compare(a.Name, b.Name) })
	var raws []*rawTopic
	entries, err := fs.ReadDir(l.fsys, TopicsDir)
	if err != nil {
		l.fileProblem(TopicsDir, "cannot list topics: %v", err)
	}
	var paths []string
	for _, e := range entries {
		p := path.Join(TopicsDir, e.Name())
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if path.Ext(e.Name()) != ".md" {
			l.problems = append(l.problems, Problem{Path: p, Severity: Warning, Message: "not a topic file (topics end in .md); ignored", Skipped: true})
			continue
		}
		paths = append(paths, p)
	}
	// Topic files are independent, and YAML parsing is most of the cost of
	// loading: parse them in parallel, each with its own problem list.
	type parsed struct {
		rt       *rawTopic
		problems Problems
	}
	results := make([]parsed, len(paths))
	var wg sync.WaitGroup
	// The timeline and the regression set do not depend on the topics:
	// parse them alongside.
	var tl Timeline
	var tests []rawTest
	var side loader
	side.fsys, side.opts, side.pubs = l.fsys, l.opts, l.pubs
	wg.Add(1)
	go func() {
		defer wg.Done()
		tl = side.timeline()
		tests = side.parseTests()
	}()
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			sub := &loader{fsys: l.fsys, opts: l.opts, pubs: l.pubs}
			results[i] = parsed{sub.topic(p), sub.problems}
		}()
	}
	wg.Wait()
	l.problems = append(l.problems, side.problems...)
	// A topic that did not parse still exists for the regression set: its
	// own problems say what is wrong, without follow-on "does not exist".
	broken := map[string]bool{}
	for i, r := range results {
		l.problems = append(l.problems, r.problems...)
		if r.rt != nil {
			raws = append(raws, r.rt)
		} else {
			broken[strings.TrimSuffix(path.Base(paths[i]), ".md")] = true
		}
	}
	l.crossCheck(raws, broken)
	for _, rt := range raws {
		if _, dup := kb.byID[rt.t.ID]; dup || rt.t.ID == "" {
			continue
		}
		kb.Topics = append(kb.Topics, rt.t)
		kb.byID[rt.t.ID] = rt.t
	}
	slices.SortFunc(kb.Topics, func(a, b *Topic) int { return strings.Compare(a.ID, b.ID) })
	kb.Timeline = tl
	kb.Tests = l.checkTests(kb, tests, broken)
	kb.Synonyms = l.synonyms(kb)
	return kb
}

// rawTopic keeps the positions of what cross-topic checks need.
type rawTopic struct {
	t        *Topic
	id       str
	aliases  []str
	related  []str
	start    int // line of the opening ---
	reviewed str
}

var topicFields = []string{"id", "title", "category", "aliases", "questions", "keywords", "related", "reviewed", "as_of", "sources", "answer_sources", "figures"}

// MinQuestions is the fewest alternate phrasings a topic lists.
const MinQuestions = 3

func (l *loader) topic(p string) *rawTopic {
	src, ok := l.read(p)
	if !ok {
		return nil
	}
	front, body, bodyLine, ok := splitFrontMatter(src)
	if !ok {
		l.problems = append(l.problems, Problem{Path: p, Line: 1, Col: 1, Severity: Error, Message: "a topic starts with YAML front matter between two --- lines", blocking: true})
		return nil
	}
	d := l.decoder(p, 1)
	root, ok := d.parse(front)
	if !ok {
		return nil
	}
	if root == nil {
		d.add(Error, 0, 1, "front matter is empty")
		return nil
	}
	vals, _, ok := d.fields(root, "front matter", topicFields...)
	if !ok {
		return nil
	}
	rt := &rawTopic{t: &Topic{Path: p}, start: 1}
	t := rt.t
	required := func(field string) (str, bool) {
		n, present := vals[field]
		s, ok := str{}, false
		if present {
			s, ok = d.scalar(n, field)
		}
		if !ok || s.V == "" {
			if present {
				d.errAt(n, "%s is empty", field)
			} else {
				d.add(Error, 0, 1, "missing required field %q", field)
			}
			return s, false
		}
		return s, true
	}
	if s, ok := required("id"); ok {
		rt.id, t.ID = s, s.V
		want := strings.TrimSuffix(path.Base(p), ".md")
		if !ValidID(s.V) {
			d.errStr(s, "id %q must be kebab-case (lowercase letters, digits and single hyphens)", s.V)
		} else if s.V != want {
			d.errStr(s, "id %q does not match the file name %q", s.V, want+".md")
		}
	}
	if s, ok := required("title"); ok {
		t.Title = s.V
	}
	if s, ok := required("category"); ok {
		t.Category = Category(s.V)
		if !t.Category.Valid() {
			d.errStr(s, "unknown category %q (one of: %s)", s.V, joinCategories())
		}
	}
	rt.aliases = d.strings(vals["aliases"], "aliases")
	t.Aliases = values(rt.aliases)
	t.Questions = values(d.strings(vals["questions"], "questions"))
	if n, present := vals["questions"]; !present {
		d.add(Error, 0, 1, "missing required field %q (at least %d alternate phrasings of the question)", "questions", MinQuestions)
	} else if len(t.Questions) < MinQuestions {
		d.errAt(n, "a topic needs at least %d questions (alternate phrasings); it has %d", MinQuestions, len(t.Questions))
	}
	t.Keywords = values(d.strings(vals["keywords"], "keywords"))
	rt.related = d.strings(vals["related"], "related")
	t.Related = values(rt.related)
	if s, ok := required("reviewed"); ok {
		rt.reviewed, t.Reviewed = s, s.V
		l.checkReviewed(d, s)
	}
	var asOf str
	if n, present := vals["as_of"]; present {
		if s, ok := d.scalar(n, "as_of"); ok {
			asOf, t.AsOf = s, s.V
			l.checkAsOf(d, "as_of", s, rt.reviewed.V)
		}
	}
	if n, present := vals["sources"]; present {
		t.Sources = l.sources(d, n, "sources")
		if isList(n) && len(d.list(n, "sources")) == 0 {
			d.errAt(n, "a topic needs at least one source")
		}
	} else {
		d.add(Error, 0, 1, "missing required field %q (at least one source per topic)", "sources")
	}
	n, current := vals["answer_sources"]
	if current {
		t.AnswerSources = l.backing(d, n, "answer_sources", t.Sources, true)
	} else if requireAnswerSources {
		d.add(Error, 0, 1, "missing required field %q (1 to %d URLs from sources, strongest first, that back the answer paragraph)", "answer_sources", MaxBacking)
	}
	current = current || requireAnswerSources
	t.Figures = l.figures(d, vals["figures"], t.Sources, rt.reviewed.V, current)
	answerLine := l.body(p, t, body, bodyLine)
	if asOf.V == "" && current {
		l.checkSelfDating(p, t, answerLine)
	}
	return rt
}

func values(ss []str) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.V
	}
	return out
}

func joinCategories() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// splitFrontMatter splits "---\nyaml\n---\nbody". bodyLine is the file line
// on which the body starts.
func splitFrontMatter(src []byte) (front, body []byte, bodyLine int, ok bool) {
	s := string(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")))
	if !strings.HasPrefix(s, "---\n") {
		return nil, nil, 0, false
	}
	rest := s[4:]
	end := -1
	if strings.HasPrefix(rest, "---\n") || rest == "---" {
		end = 0
	} else if i := strings.Index(rest, "\n---\n"); i >= 0 {
		end = i + 1
	} else if strings.HasSuffix(rest, "\n---") {
		end = len(rest) - 3
	}
	if end < 0 {
		return nil, nil, 0, false
	}
	front = []byte(rest[:end])
	after := rest[min(end+4, len(rest)):]
	bodyLine = 2 + strings.Count(rest[:end], "\n") + 1
	return front, []byte(after), bodyLine, true
}

func (l *loader) checkReviewed(d *decoder, s str) {
	day, err := time.Parse(time.DateOnly, s.V)
	if err != nil {
		d.errStr(s, "reviewed %q must be a date written YYYY-MM-DD", s.V)
		return
	}
	today := dateOf(l.opts.Now)
	if day.After(today) {
		d.errStr(s, "reviewed %s is in the future", s.V)
		return
	}
	if today.Sub(day) > StaleAfter {
		d.add(Warning, s.Line, s.Col, "stale: reviewed %s, over a year ago", s.V)
	}
}

func dateOf(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

var sourceFields = []string{"title", "publisher", "url", "date"}

func (l *loader) sources(d *decoder, n ast.Node, field string) []Source {
	var out []Source
	seen := map[string]bool{}
	for i, item := range d.list(n, field) {
		what := fmt.Sprintf("%s[%d]", field, i)
		if s, ok := l.source(d, item, what); ok {
			if seen[s.URL] {
				d.errAt(item, "%s: %q is listed twice", what, s.URL)
				continue
			}
			seen[s.URL] = true
			out = append(out, s)
		}
	}
	return out
}

func (l *loader) source(d *decoder, item ast.Node, what string) (Source, bool) {
	vals, _, ok := d.fields(item, what, sourceFields...)
	if !ok {
		return Source{}, false
	}
	var src Source
	var pub, u str
	good := true
	for _, f := range sourceFields {
		n, present := vals[f]
		s, ok := str{}, false
		if present {
			s, ok = d.scalar(n, what+"."+f)
		}
		if !ok || s.V == "" {
			if f == "date" && !present {
				continue // optional: many facts are sourced without a date
			}
			if present {
				d.errAt(n, "%s.%s is empty", what, f)
			} else {
				d.errAt(item, "%s is missing %q", what, f)
			}
			good = false
			continue
		}
		switch f {
		case "title":
			src.Title = s.V
		case "publisher":
			src.Publisher, pub = s.V, s
		case "url":
			src.URL = s.V
			if err := checkURL(s.V); err != nil {
				d.errStr(s, "%s.url %v", what, err)
				good = false
			} else {
				u = s
				d.samePage(s)
			}
		case "date":
			src.Date = s.V
			if !validDate(s.V) {
				d.errStr(s, "%s.date %q must be YYYY, YYYY-MM or YYYY-MM-DD", what, s.V)
				good = false
			}
		}
	}
	// A publisher the registry does not know, or a host that is not the
	// publisher's, is reported here once; the source is still kept, so that
	// the answer_sources, figures and meetings that cite it are not reported
	// again as citing nothing (the knowledge base does not load either way).
	if pub.V != "" {
		l.checkPublisher(d, what, &src, pub, u)
	}
	return src, good
}

// checkURL accepts absolute http and https URLs: the facts files verify some
// pages only over http, and URLs are copied from them exactly.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%q must use https (or http where the facts files give http)", raw)
	}
	if strings.ContainsAny(raw, " <>\"") {
		return fmt.Errorf("%q contains characters that are not allowed in a URL", raw)
	}
	return nil
}

func validDate(s string) bool {
	if !datePattern.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: time.DateOnly}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

var figureFields = []string{"year", "answer", "sources", "as_of"}

// With ranked false (a topic not yet in the current format) figure sources
// are checked only against the topic's sources.
func (l *loader) figures(d *decoder, n ast.Node, topicSources []Source, reviewed string, ranked bool) []Figure {
	var out []Figure
	seen := map[int]bool{}
	for i, item := range d.list(n, "figures") {
		what := fmt.Sprintf("figures[%d]", i)
		vals, _, ok := d.fields(item, what, figureFields...)
		if !ok {
			continue
		}
		var f Figure
		if s, ok := d.scalar(vals["year"], what+".year"); ok {
			if _, err := fmt.Sscanf(s.V, "%d", &f.Year); err != nil || f.Year < 1900 || f.Year > 2100 || fmt.Sprint(f.Year) != s.V {
				d.errStr(s, "%s.year %q must be a year such as 2024", what, s.V)
			} else if seen[f.Year] {
				d.errStr(s, "%s.year %d appears twice", what, f.Year)
			}
			seen[f.Year] = true
		} else {
			d.errAt(item, "%s is missing \"year\"", what)
		}
		if s, ok := d.scalar(vals["answer"], what+".answer"); ok && s.V != "" {
			f.Answer = s.V
			if c := utf8.RuneCountInString(s.V); c > MaxAnswer {
				d.errStr(s, "%s.answer is %d characters; the limit is %d", what, c, MaxAnswer)
			}
		} else {
			d.errAt(item, "%s is missing \"answer\"", what)
		}
		if n, listed := vals["sources"]; listed {
			f.Sources = l.backing(d, n, what+".sources", topicSources, ranked)
		} else {
			d.errAt(item, "%s needs at least one source from the topic's sources", what)
		}
		if n, present := vals["as_of"]; present {
			if s, ok := d.scalar(n, what+".as_of"); ok {
				f.AsOf = s.V
				l.checkAsOf(d, what+".as_of", s, reviewed)
			}
		}
		out = append(out, f)
	}
	return out
}

// crossCheck validates what spans topics: duplicate ids, related ids and
// aliases shared between topics.
//
// An alias shared by two topics is reported on both files, each naming the
// other, and the one modified last is marked: blaming only one of them sent
// moderators to the file they had not touched.
func (l *loader) crossCheck(raws []*rawTopic, broken map[string]bool) {
	ids := map[string]*rawTopic{}
	for _, rt := range raws {
		if rt.t.ID == "" {
			continue
		}
		if first, dup := ids[rt.t.ID]; dup {
			l.problems = append(l.problems, Problem{Path: rt.t.Path, Line: rt.id.Line + 1, Col: rt.id.Col, Severity: Error,
				Message: fmt.Sprintf("duplicate id %q (also in %s)", rt.t.ID, path.Join(l.opts.Prefix, first.t.Path))})
			continue
		}
		ids[rt.t.ID] = rt
	}
	type aliasAt struct {
		rt *rawTopic
		a  str
	}
	aliases := map[string]aliasAt{}
	for _, rt := range raws {
		for _, r := range rt.related {
			switch _, ok := ids[r.V]; {
			case r.V == rt.t.ID:
				l.problems = append(l.problems, Problem{Path: rt.t.Path, Line: r.Line + 1, Col: r.Col, Severity: Error, Message: "a topic cannot be related to itself"})
			case !ok && !broken[r.V]:
				l.problems = append(l.problems, Problem{Path: rt.t.Path, Line: r.Line + 1, Col: r.Col, Severity: Error, Message: fmt.Sprintf("related topic %q does not exist", r.V)})
			}
		}
		own := map[string]bool{}
		for _, a := range rt.aliases {
			key := foldKey(a.V)
			if own[key] {
				l.problems = append(l.problems, Problem{Path: rt.t.Path, Line: a.Line + 1, Col: a.Col, Severity: Warning, Message: fmt.Sprintf("alias %q is listed twice", a.V)})
				continue
			}
			own[key] = true
			if other, dup := aliases[key]; dup {
				mine, theirs := l.changedLast(rt.t.Path, other.rt.t.Path)
				l.problems = append(l.problems,
					Problem{Path: rt.t.Path, Line: a.Line + 1, Col: a.Col, Severity: Error,
						Message: fmt.Sprintf("alias %q is also an alias of %q (%s:%d): keep it on one topic%s", a.V, other.rt.t.ID, path.Join(l.opts.Prefix, other.rt.t.Path), other.a.Line+1, mine)},
					Problem{Path: other.rt.t.Path, Line: other.a.Line + 1, Col: other.a.Col, Severity: Error,
						Message: fmt.Sprintf("alias %q is also an alias of %q (%s:%d): keep it on one topic%s", other.a.V, rt.t.ID, path.Join(l.opts.Prefix, rt.t.Path), a.Line+1, theirs)})
				continue
			}
			aliases[key] = aliasAt{rt, a}
		}
	}
}

// changedLast returns a note for whichever of two files was modified more
// recently, the one a moderator most likely just edited; none when the
// folder has no modification times (the embedded one) or they are within a
// minute of each other, as files written by one checkout are.
func (l *loader) changedLast(a, b string) (noteA, noteB string) {
	const note = " (this file changed last)"
	ta, tb := l.modTime(a), l.modTime(b)
	switch {
	case ta.IsZero() || tb.IsZero() || ta.Sub(tb).Abs() < time.Minute:
		return "", ""
	case ta.After(tb):
		return note, ""
	}
	return "", note
}

func (l *loader) modTime(p string) time.Time {
	fi, err := fs.Stat(l.fsys, p)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

var folder = cases.Fold()

// foldKey compares aliases regardless of case, width and spacing.
func foldKey(s string) string {
	return strings.Join(strings.Fields(folder.String(norm.NFKC.String(s))), " ")
}
