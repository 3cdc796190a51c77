package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// timelineIndex answers dated questions about Xi–Putin meetings from the
// summit timeline: the latest meeting, meetings in a year or a place, a
// named meeting ("the Kazan BRICS summit"), and how many times they met.
type timelineIndex struct {
	meetings   []knowledge.Meeting // by date
	counts     []knowledge.MeetingCount
	places     map[string][]int  // place term -> meetings
	placeNames map[string]string // place term -> the city's word it matched, as written
	// countries maps a country's term to the meetings held there, and
	// countryNames to its name as the timeline writes it ("Uzbekistan").
	countries    map[string][]int
	countryNames map[string]string
	// sideCountry are the terms of China's and Russia's names as the
	// meetings' places write them ("" if no meeting was held there).
	sideCountry [2]string
	starts      []start // of each meeting
	// whens are the meetings' dates as answers write them (when): parsing
	// and formatting them cost more than the rest of a timeline answer.
	whens []string
	// aliases are the multi-word names of meetings, by their first term.
	aliases map[string][]timelineAlias
	summits []*knowledge.Topic // topics in the summits category, by id
	// about maps a topic to the one meeting it is about: the latest
	// meeting's topic (latestHome) to the latest meeting before its review.
	about map[string]int
}

type timelineAlias struct {
	terms   []string
	meeting int
}

func newTimelineIndex(kb *knowledge.KB) timelineIndex {
	tl := timelineIndex{meetings: kb.Timeline.Meetings, counts: kb.Timeline.Counts, places: map[string][]int{},
		countries: map[string][]int{}, countryNames: map[string]string{}, aliases: map[string][]timelineAlias{}}
	for i, m := range tl.meetings {
		tl.starts = append(tl.starts, startOf(m))
		tl.whens = append(tl.whens, when(m))
		if isCall(m) {
			continue // "Moscow and Beijing (video link)" is not a meeting in Moscow
		}
		cities, country := splitPlace(m.Place)
		for _, t := range terms(words(cities)) {
			addMeeting(tl.places, t, i)
		}
		if country != "" {
			for _, t := range terms(words(country)) {
				addMeeting(tl.countries, t, i)
				tl.countryNames[t] = country
			}
		}
		for _, a := range m.Aliases {
			if ts := terms(words(a)); len(ts) > 0 {
				tl.aliases[ts[0]] = append(tl.aliases[ts[0]], timelineAlias{terms: ts, meeting: i})
			}
		}
	}
	for k, name := range [2]string{"China", "Russia"} {
		if ts := terms(words(name)); len(ts) == 1 && len(tl.countries[ts[0]]) > 0 {
			tl.sideCountry[k] = ts[0]
		}
	}
	tl.placeNames = make(map[string]string, len(tl.places))
	for t, ms := range tl.places {
		tl.placeNames[t] = tl.placeName(ms[0], t)
	}
	tl.about = map[string]int{}
	for _, t := range kb.Topics {
		if t.Category == knowledge.Summits {
			tl.summits = append(tl.summits, t)
		}
		if t.ID == latestHome[0] {
			if m := tl.latestBy(t.ReviewedTime()); m >= 0 {
				tl.about[t.ID] = m
			}
		}
	}
	return tl
}

// addMeeting adds meeting i to term t's meetings, once.
func addMeeting(byTerm map[string][]int, t string, i int) {
	if l := byTerm[t]; len(l) == 0 || l[len(l)-1] != i {
		byTerm[t] = append(l, i)
	}
}

// latestBy returns the latest meeting that had started by then, or -1: the
// latest meeting's topic is about the one before its review, not one
// planned after it.
func (tl *timelineIndex) latestBy(then time.Time) int {
	for i := len(tl.meetings) - 1; i >= 0; i-- {
		if tl.starts[i].by(then) {
			return i
		}
	}
	return -1
}

var (
	meetingWords = set(`meet meets met meeting meetings summit summits talks
встреча встречи встречу встрече встреч встречались встретились встречался встречалась встретился встречаются встречается саммит
会晤 会见 会谈 峰会 见面 见过`)
	// travelWords say a meeting only with a leader or both countries named:
	// people visit Beijing for other reasons ("the best time to visit").
	travelWords = set(`visit visits visited visiting trip trips визит 访问`)
	latestWords = set(`last latest recent recently newest previous
последний последняя последнее последней последнего последнюю 最近一次 上次 上一次`)
	countWords = set(`many often frequently count counted times number сколько часто 几次 多少次`)
	putinWords = set(`putin putins путин путина путиным 普京`)
	xiWords    = set(`xi xis jinping цзиньпин цзиньпина си 习近平 习`)
	// purposeWords ask what a visit was for or what came of it, which a
	// list of meetings (dates and places) does not say.
	purposeWords = set(`why purpose purposes point aim aims goal goals reason reasons motive motives agenda
achieve achieved hope hoped hopes hoping want wants wanted get got gain gained expect expected expecting
expectations outcome outcomes result results sign signed discuss discussed deliver delivered significance
зачем почему цель цели итоги 为什 目的 成果`)
	// whenWords ask when, which the list of meetings does say.
	whenWords = set(`when когда 何时 什么时候`)
	// timelineKinds says which of the sets above have a word.
	timelineKinds = wordKinds(meetingWords, travelWords, putinWords, xiWords, latestWords, countWords, purposeWords, whenWords)
)

// The bits of timelineKinds, in the order of its sets.
const (
	kindMeeting = 1 << iota
	kindTravel
	kindPutin
	kindXi
	kindLatest
	kindCount
	kindPurpose
	kindWhen
)

// answer recognises a timeline question and answers it. It leaves a
// question alone when a non-summit topic matches it clearly by name. now
// bounds "latest": a meeting dated after it is not the latest. threshold
// is the Bot's: a topic it would answer with on its own is one it is
// that sure of.
func (tl *timelineIndex) answer(idx *index, ws []string, year int, cands []scored, now time.Time, threshold float64) (Answer, bool) {
	if len(tl.meetings) == 0 || len(tl.summits) == 0 {
		return Answer{}, false
	}
	var meetingWord, travel, putin, xi, latest, count, purpose, when bool
	for _, w := range ws {
		k := timelineKinds[w]
		purpose = purpose || k&kindPurpose != 0
		when = when || k&kindWhen != 0
		meetingWord = meetingWord || k&kindMeeting != 0
		travel = travel || k&kindTravel != 0
		putin = putin || k&kindPutin != 0
		xi = xi || k&kindXi != 0
		latest = latest || k&kindLatest != 0
		count = count || k&kindCount != 0
	}
	// byTravel: only a word of travel and the two countries make it a
	// question about meetings ("how often do russia and china visit each
	// other"); then a topic that matches clearly ("how many tourists visit
	// russia and china": visa-free travel) keeps even a count question, as
	// it keeps one about someone else's meetings (alone, below).
	byTravel := false
	var china, russia bool // the countries named, read with a word of travel (and by alone)
	if travel {
		china, russia = idx.parties.named(ws)
	}
	if travel && !meetingWord && !putin && !xi {
		meetingWord = china && russia
		byTravel = meetingWord
	} else {
		meetingWord = meetingWord || travel
	}
	if !meetingWord && !putin && !xi {
		return Answer{}, false
	}
	if year > now.Year() && !meetingWord {
		// "what did xi and putin agree for 2030": no meeting of the
		// timeline is dated after today (the loader checks), so a later
		// year without a word of meeting is a plan's or a target's, which
		// topics answer. "putin xi meeting 2031" still hears that the
		// timeline has none.
		return Answer{}, false
	}
	qterms := idx.terms(ws)
	named := tl.named(qterms)
	var placed []int
	var names []string
	for _, t := range qterms {
		if ms, ok := tl.places[t]; ok {
			placed = append(placed, ms...)
			if n := tl.placeNames[t]; !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(placed) == 0 && travel && putin != xi {
		// "putin's visit to china", "xi's state visit to russia": one
		// leader travelling to a country names his meetings there. Not
		// his own country, which his name already stands for ("putin's
		// trips abroad from russia"), and only with a word of travel:
		// "what does putin think of china" is about him.
		// The other side's country in any script ("китай", "中国",
		// "the PRC") as the parties' names read it; a third country
		// ("uzbekistan") by the timeline's own terms.
		other, otherNamed := tl.sideCountry[0], china
		if xi {
			other, otherNamed = tl.sideCountry[1], russia
		}
		if otherNamed && other != "" {
			placed = append(placed, tl.countries[other]...)
			names = append(names, tl.countryNames[other])
		}
		for _, t := range qterms {
			if ms, ok := tl.countries[t]; ok && !slices.Contains(tl.sideCountry[:], t) {
				placed = append(placed, ms...)
				if n := tl.countryNames[t]; !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	// "in beijing or moscow": one pool, by date, each meeting once.
	placed = filterYear(tl.meetings, placed, 0)
	place := strings.Join(names, " or ")
	leaders := meetingWord || (putin && xi)
	// A question that names another topic clearly ("the Iran meeting in
	// Beijing", "what they signed at the Winter Olympics") is about that
	// topic, even if it mentions a meeting.
	//
	// One leader's name without a meeting word ("tsugol range putin war
	// games 2018") is weak evidence of a question about meetings: then any
	// topic that would be answered on its own (threshold) takes it.
	clearTopic := len(cands) > 0 && (cands[0].score >= 0.6 || !leaders && cands[0].inScope >= threshold) &&
		idx.topics[cands[0].topic].t.Category != knowledge.Summits
	if clearTopic && len(placed) > 0 && (putin || xi) && idx.topics[cands[0].topic].t.Category == knowledge.People {
		// "why is xi in moscow", "what is putin up to in china": a
		// leader's own topic matches them by the name alone; the place
		// makes them questions about his visits there.
		clearTopic = false
	}
	if clearTopic && year != 0 && leaders && (putin || xi) {
		// "did xi visit moscow in 2019": another topic takes a question
		// about a leader's meetings in a year only if it is about that
		// year. Never a leader's own topic: the names that make it match
		// are the words that make this a question about their meetings.
		// Without a leader's name ("sco summit tianjin 2025") the topic
		// that matches clearly keeps it.
		t := idx.topics[cands[0].topic].t
		_, fig := figureFor(t, year)
		clearTopic = t.Category != knowledge.People && (fig || idx.namesYear(t, year))
	}
	// sure is whether the Bot would answer with the topic the ranking puts
	// first, and the question does not ask when, which the list says
	// surer ("when did xi get to moscow"). Then a topic about one of the
	// meetings ms takes the question from their list when it is about one
	// meeting ("did putin's 2026 china trip bring a pipeline deal": the
	// topic says what came of it as well as its date) or asks what a visit
	// was for (purpose: "why is xi in moscow", "what did putin hope to
	// achieve in beijing"; dates and places, however few, do not say why).
	// Not a topic about none of these meetings ("the latest meeting" in
	// another city).
	sure := !when && len(cands) > 0 && cands[0].inScope >= threshold
	topicTakes := func(ms []int, purpose bool) bool {
		return sure && (purpose || len(ms) == 1) && tl.namesOneOf(idx, cands[0].topic, ms)
	}
	// alone: a count that names neither leader ("how often do the russian
	// and chinese premiers meet"), or one leader without the other side
	// ("how often do xi and the central asian leaders meet"), may be about
	// someone else's meetings; then a topic that matches clearly keeps it,
	// as it keeps a count by travel words.
	// It reads the countries named only when asked, after the cheaper
	// tests.
	alone := func() bool {
		if !putin && !xi {
			return true
		}
		if putin == xi {
			return false
		}
		if !travel { // else read above
			china, russia = idx.parties.named(ws)
		}
		return putin && !china || xi && !russia
	}
	switch {
	case leaders && count && !(clearTopic && idx.topics[cands[0].topic].t.Category != knowledge.People && (byTravel || alone())) && !latest && year == 0:
		if len(placed) > 0 {
			// "how many times has xi visited moscow": the meetings there,
			// which the list counts, not the count of all of them.
			return tl.listAnswer(idx, cands, placed, place, threshold), true
		}
		return tl.countAnswer(idx, cands), true
	case leaders && latest && year == 0 && (meetingWord || !clearTopic):
		// "when did xi last visit moscow": the latest of that place's.
		// Without a word of meeting, a topic that matches clearly keeps
		// the question ("xi and putin's latest statement on taiwan").
		pool := placed
		if len(pool) == 0 {
			pool = allIndexes(len(tl.meetings))
		}
		if a, ok := tl.latestAnswer(idx, cands, pool, place, now); ok {
			return a, true
		}
		return Answer{}, false
	case clearTopic:
		return Answer{}, false
	case len(named) > 0:
		ms := filterYear(tl.meetings, named, year)
		if len(ms) == 0 {
			// "the 2015 victory day parade" when the timeline has a Victory
			// Day meeting, but not in 2015.
			return tl.noneAnswer(idx, cands, year, placed, place), true
		}
		if topicTakes(ms, false) {
			return Answer{}, false
		}
		return tl.listAnswer(idx, cands, ms, "", threshold), true
	case (year != 0 || len(placed) > 0) && (leaders || putin || xi):
		// "meetings in 2024", "putin xi 2024", "xi in moscow", "the Kazan
		// summit". A question clearly about another topic ("the Iran
		// meeting in Beijing") was left alone above.
		ms := placed
		if len(ms) == 0 {
			ms = allIndexes(len(tl.meetings))
		}
		ms = filterYear(tl.meetings, ms, year)
		if len(ms) == 0 {
			return tl.noneAnswer(idx, cands, year, placed, place), true
		}
		if topicTakes(ms, purpose) {
			return Answer{}, false
		}
		if purpose && sure {
			// "why is putin visiting china": the leader's own topic ranks
			// first by his name, and says nothing of the visits; a topic
			// the Bot is sure enough of about one of them, ranked after
			// it, does.
			if idx.topics[cands[0].topic].t.Category == knowledge.People {
				for _, c := range cands[1:] {
					if c.confidence >= threshold && tl.namesOneOf(idx, c.topic, ms) {
						return idx.topicAnswer(idx.topics[c.topic].t, "", c.confidence), true
					}
				}
			}
		}
		return tl.listAnswer(idx, cands, ms, place, threshold), true
	}
	return Answer{}, false
}

// namesOneOf reports whether topic ti's names name, as a single year, the
// year of one of the meetings ms: it is about one of them.
func (tl *timelineIndex) namesOneOf(idx *index, ti int, ms []int) bool {
	t := idx.topics[ti].t
	return slices.ContainsFunc(ms, func(m int) bool { return idx.namesYear(t, tl.meetings[m].Year()) })
}

// named finds meetings one of whose aliases appears whole in the question:
// only those whose first term it has can.
func (tl *timelineIndex) named(qterms []string) []int {
	var out []int
	for _, first := range qterms {
		for _, a := range tl.aliases[first] {
			all := true
			for _, t := range a.terms[1:] {
				if !slices.Contains(qterms, t) {
					all = false
					break
				}
			}
			if all && !slices.Contains(out, a.meeting) {
				out = append(out, a.meeting)
			}
		}
	}
	slices.Sort(out)
	return out
}

func filterYear(ms []knowledge.Meeting, idxs []int, year int) []int {
	var out []int
	for _, i := range idxs {
		if (year == 0 || ms[i].Year() == year) && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// topic picks the summits topic a timeline answer belongs to: the best
// ranked one, or the first.
func (tl *timelineIndex) topic(idx *index, cands []scored) *knowledge.Topic {
	var best *knowledge.Topic
	bestScore := -1.0
	for _, c := range cands {
		if t := idx.topics[c.topic].t; t.Category == knowledge.Summits && c.score > bestScore {
			best, bestScore = t, c.score // the ranking's score: how well it reads the question
		}
	}
	if best != nil {
		return best
	}
	return tl.summits[0]
}

// Topics a computed timeline answer belongs to, by kind of answer: its
// identity, title and freshness, and the "More detail" button's target.
var (
	timelineHome = []string{"summits-timeline"}
	latestHome   = []string{"latest-meeting", "summits-timeline"}
	countHome    = []string{"how-often-they-meet", "latest-meeting", "summits-timeline"}
)

// home is the first of the summits topics ids that the knowledge base has,
// or else the best ranked summits topic: a computed answer is the timeline's,
// not that of whichever meeting's topic ranked first.
func (tl *timelineIndex) home(idx *index, cands []scored, ids []string) *knowledge.Topic {
	for _, id := range ids {
		if t, ok := idx.kb.Topic(id); ok && t.Category == knowledge.Summits {
			return t
		}
	}
	return tl.topic(idx, cands)
}

func (tl *timelineIndex) base(idx *index, cands []scored, ids []string) Answer {
	a := idx.topicAnswer(tl.home(idx, cands, ids), "", 0.9)
	a.Sources, a.MoreSources = []knowledge.Source{}, []knowledge.Source{}
	return a
}

const maxListed = 5

// listAnswer lists meetings ms, the meetings in place when it is not ""
// ("Moscow", "Beijing or Moscow"), which the list's first sentence then
// names. Its home is the first candidate's topic when that is a summits
// topic about them that the Bot would answer with on its own (threshold),
// or about the one year listed.
func (tl *timelineIndex) listAnswer(idx *index, cands []scored, ms []int, place string, threshold float64) Answer {
	home := timelineHome
	if len(cands) > 0 && len(ms) > 0 {
		// A summits topic that answers the question on its own ("why did
		// xi go to russia in march 2023"), or is about the one year listed
		// ("xi in moscow 2023"), names the meetings listed.
		t := idx.topics[cands[0].topic].t
		y := tl.meetings[ms[0]].Year()
		oneYear := tl.meetings[ms[len(ms)-1]].Year() == y && idx.namesYear(t, y)
		// A topic about one year's visit ("xi in moscow 2023") is not the
		// home of a list that spans other years ("xi in moscow": six
		// visits, 2013–2025), however well it matches.
		otherYears := len(idx.topics[cands[0].topic].years) > 0 && !oneYear
		// Nor is a topic about one meeting (the latest meeting's) the home
		// of a list of others.
		m, aboutOne := tl.about[t.ID]
		otherMeetings := aboutOne && (len(ms) != 1 || ms[0] != m)
		if t.Category == knowledge.Summits && (cands[0].confidence >= threshold && !otherYears && !otherMeetings || oneYear) {
			home = []string{t.ID}
		}
	}
	a := tl.base(idx, cands, home)
	var text, details strings.Builder
	switch {
	case len(ms) == 0:
		return tl.noneAnswer(idx, cands, 0, nil, "")
	case len(ms) == 1:
		m := tl.meetings[ms[0]]
		fmt.Fprintf(&text, "**%s** (%s, %s).", m.Title, m.Place, tl.whens[ms[0]])
		// The outcomes in order: once one does not fit the text, it and
		// every later one go to the details.
		full := false
		for _, o := range m.Outcomes {
			if full = full || text.Len()+len(o) > knowledge.MaxAnswer+100; full {
				details.WriteString(o + "\n")
				continue
			}
			text.WriteString(" " + o)
		}
	default:
		where := scope(tl.meetings, ms)
		if place != "" {
			// "how many times has xi visited moscow": the count is of
			// the meetings there, and says so.
			where = "in " + place + ", " + where
		}
		fmt.Fprintf(&text, "My timeline has %d Xi–Putin meetings %s:", len(ms), where)
		for i, mi := range ms {
			m := tl.meetings[mi]
			if i < maxListed {
				fmt.Fprintf(&text, " %s (%s, %s);", m.Title, m.Place, tl.whens[mi])
			}
			tl.writeMeeting(&details, mi)
		}
		s := strings.TrimSuffix(text.String(), ";") + "."
		text.Reset()
		text.WriteString(s)
		if len(ms) > maxListed {
			fmt.Fprintf(&text, " Ask for more detail to see all %d.", len(ms))
		}
	}
	a.Text = text.String()
	a.Details = strings.TrimSpace(details.String())
	// Cite the meetings themselves; the topic's own sources are about
	// something broader.
	tl.cite(&a, ms)
	return a
}

// cite backs a timeline answer with the sources of the meetings it names,
// up to three, aggregators last; the meetings' other sources go with the
// details.
func (tl *timelineIndex) cite(a *Answer, ms []int) {
	var all []knowledge.Source
	for _, mi := range ms {
		all = appendSources(all, tl.meetings[mi].Sources)
	}
	// One source per meeting first, so that each named meeting is backed.
	var firsts []knowledge.Source
	for _, mi := range ms {
		firsts = appendSources(firsts, knowledge.Strongest(tl.meetings[mi].Sources, 1))
	}
	a.Sources = knowledge.Strongest(appendSources(firsts, all), knowledge.MaxBacking)
	a.MoreSources = others(all, a.Sources)
}

// callHow says how a call of each kind was held.
var callHow = map[string]string{"video-call": "by video call", "phone-call": "by telephone"}

// isCall reports whether a meeting was held by video or telephone.
func isCall(m knowledge.Meeting) bool { return m.Kind == "video-call" || m.Kind == "phone-call" }

// start is when a meeting counts as started; never, if its date does not
// parse.
type start struct {
	at time.Time
	ok bool
}

func (s start) by(now time.Time) bool { return s.ok && !s.at.After(now) }

// startOf returns when a meeting counts as started: its first day; for a
// month-only date ("2026-12"), once that month is over, since the day may
// be late in the month.
func startOf(m knowledge.Meeting) start {
	if len(m.Date) == 7 {
		d, err := time.Parse("2006-01", m.Date)
		return start{d.AddDate(0, 1, 0), err == nil}
	}
	d, err := time.Parse(time.DateOnly, m.Date)
	return start{d, err == nil}
}

// latestAnswer answers "when did they last meet" (in a place: pool holds
// its meetings, ascending): the latest meeting in
// person up to now and, when they have spoken by call since, the latest call.
func (tl *timelineIndex) latestAnswer(idx *index, cands []scored, pool []int, place string, now time.Time) (Answer, bool) {
	inPerson, call := -1, -1
	for _, i := range pool { // ascending
		m := tl.meetings[i]
		if !tl.starts[i].by(now) {
			continue
		}
		if isCall(m) {
			call = i
		} else {
			inPerson = i
		}
	}
	if inPerson < 0 && call < 0 {
		return Answer{}, false
	}
	a := tl.base(idx, cands, latestHome)
	var text, details strings.Builder
	cited := []int{}
	if inPerson >= 0 {
		m := tl.meetings[inPerson]
		where := " in person"
		if place != "" {
			where = " in " + place
		}
		fmt.Fprintf(&text, "Their most recent meeting%s in my timeline: **%s** (%s, %s).", where, m.Title, m.Place, tl.whens[inPerson])
		if len(m.Outcomes) > 0 {
			text.WriteString(" " + m.Outcomes[0])
		}
		cited = append(cited, inPerson)
	}
	if call > inPerson {
		m := tl.meetings[call]
		how := callHow[m.Kind]
		if inPerson >= 0 {
			fmt.Fprintf(&text, " Since then they have spoken %s, on %s: %s.", how, tl.whens[call], strings.TrimSuffix(m.Title, "."))
		} else {
			fmt.Fprintf(&text, "Their most recent meeting in my timeline was held %s: **%s** (%s).", how, m.Title, tl.whens[call])
		}
		cited = append(cited, call)
	}
	last := max(inPerson, call)
	details.WriteString("Earlier meetings:")
	at := slices.Index(pool, last)
	for k := at - 1; k >= 0 && k >= at-maxListed; k-- {
		tl.writeMeeting(&details, pool[k])
	}
	a.Text = text.String()
	a.Details = details.String()
	tl.cite(&a, cited)
	return a, true
}

// placeName is the word of meeting m's city that the question's term t
// matched, as the timeline writes it: "Moscow" for "moscow".
func (tl *timelineIndex) placeName(m int, t string) string {
	cities, _ := splitPlace(tl.meetings[m].Place)
	for _, w := range strings.FieldsFunc(cities, func(r rune) bool { return r == ' ' || r == ',' }) {
		if slices.Contains(terms(words(w)), t) {
			return w
		}
	}
	return cities
}

// splitPlace splits a meeting's place into its cities and its country,
// which comes after the last comma: "Beijing, Tianjin and Qingdao, China".
// A place without a comma ("Video link") is all cities, no country.
func splitPlace(p string) (cities, country string) {
	i := strings.LastIndex(p, ",")
	if i < 0 {
		return strings.TrimSpace(p), ""
	}
	return strings.TrimSpace(p[:i]), strings.TrimSpace(p[i+1:])
}

// noneAnswer says the timeline has no meeting for the year (and place)
// asked about, names the nearest meetings before and after that year (in
// that place, when one was asked about), and cites their sources: the
// timeline's own evidence, not the topic's.
func (tl *timelineIndex) noneAnswer(idx *index, cands []scored, year int, placed []int, place string) Answer {
	a := tl.base(idx, cands, timelineHome)
	where := ""
	if place != "" {
		where = " in " + place
	}
	if year != 0 {
		where += fmt.Sprintf(" in %d", year)
	}
	var text strings.Builder
	fmt.Fprintf(&text, "My timeline has no Xi–Putin meeting%s.", where)
	var near []int
	if year != 0 {
		pool := placed
		if len(pool) == 0 {
			pool = allIndexes(len(tl.meetings))
		}
		before, after := tl.nearest(pool, year)
		there := ""
		if place != "" {
			there = " in " + place
		}
		switch {
		case before >= 0 && after >= 0:
			fmt.Fprintf(&text, " The nearest%s are %s before and %s after.", there, tl.brief(before), tl.brief(after))
		case before >= 0:
			fmt.Fprintf(&text, " The nearest%s is %s, before it; my timeline has none later.", there, tl.brief(before))
		case after >= 0:
			fmt.Fprintf(&text, " The nearest%s is %s, after it; my timeline has none earlier.", there, tl.brief(after))
		}
		for _, i := range []int{before, after} {
			if i >= 0 {
				near = append(near, i)
			}
		}
		if place != "" {
			// Meetings elsewhere that year answer "did Xi visit Moscow in
			// 2015" as much as the nearest Moscow ones.
			that := filterYear(tl.meetings, allIndexes(len(tl.meetings)), year)
			met := slices.DeleteFunc(slices.Clone(that), func(i int) bool { return isCall(tl.meetings[i]) })
			switch {
			case len(met) > 0:
				more := ""
				if len(met) > 1 {
					more = fmt.Sprintf(" (and %d more)", len(met)-1)
				}
				fmt.Fprintf(&text, " That year they met elsewhere: %s%s.", tl.brief(met[0]), more)
				near = append([]int{met[0]}, near...)
			case len(that) > 0:
				how := callHow[tl.meetings[that[0]].Kind]
				fmt.Fprintf(&text, " That year they spoke %s: %s.", how, tl.brief(that[0]))
				near = append([]int{that[0]}, near...)
			}
		}
	}
	fmt.Fprintf(&text, " It covers %d sourced meetings from %s to %s.", len(tl.meetings), tl.whens[0], tl.whens[len(tl.whens)-1])
	a.Text = text.String()
	a.Confidence = 0.6
	if len(near) == 0 {
		near = []int{0, len(tl.meetings) - 1}
	}
	tl.cite(&a, near)
	return a
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// nearest returns, of the meetings in pool (ascending), the last before
// year and the first after it, -1 where there is none.
func (tl *timelineIndex) nearest(pool []int, year int) (before, after int) {
	before, after = -1, -1
	for _, i := range pool {
		switch y := tl.meetings[i].Year(); {
		case y < year:
			before = i
		case y > year && after < 0:
			after = i
		}
	}
	return before, after
}

// brief names meeting i in a sentence: "Putin's visit to Beijing (16–17 May 2024)".
func (tl *timelineIndex) brief(i int) string {
	m := tl.meetings[i]
	return strings.TrimSuffix(m.Title, ".") + " (" + m.Place + ", " + tl.whens[i] + ")"
}

func (tl *timelineIndex) countAnswer(idx *index, cands []scored) Answer {
	a := tl.base(idx, cands, countHome)
	var text strings.Builder
	if n := len(tl.counts); n > 0 {
		c := tl.counts[n-1]
		fmt.Fprintf(&text, "The most recent sourced count: %s meetings since 2013, according to %s (%s). ", c.Count, c.SaidBy, humanDate(c.Date))
		text.WriteString("Such counts include video calls and meetings on the sidelines of summits.")
		var d strings.Builder
		d.WriteString("Counts over time:")
		for i := n - 1; i >= 0; i-- {
			c := tl.counts[i]
			fmt.Fprintf(&d, "\n- %s: %s (%s)", humanDate(c.Date), c.Count, c.SaidBy)
			a.MoreSources = appendSources(a.MoreSources, []knowledge.Source{c.Source})
		}
		fmt.Fprintf(&d, "\n\nMy own timeline lists %d sourced meetings from %s to %s.", len(tl.meetings), tl.whens[0], tl.whens[len(tl.whens)-1])
		a.Details = d.String()
	} else {
		fmt.Fprintf(&text, "My timeline lists %d sourced meetings from %s to %s; it is not a complete record.", len(tl.meetings), tl.whens[0], tl.whens[len(tl.whens)-1])
	}
	a.Text = text.String()
	// The counts' sources, newest first, back the answer.
	all := a.MoreSources
	if len(all) == 0 {
		all = tl.home(idx, cands, countHome).Backing()
	}
	a.Sources = knowledge.Strongest(all, knowledge.MaxBacking)
	a.MoreSources = others(all, a.Sources)
	return a
}

// writeMeeting writes meeting i as a line of a list.
func (tl *timelineIndex) writeMeeting(b *strings.Builder, i int) {
	m := tl.meetings[i]
	b.WriteString("\n- ")
	b.WriteString(tl.whens[i])
	b.WriteString(": ")
	b.WriteString(m.Title)
	b.WriteString(" (")
	b.WriteString(m.Place)
	b.WriteString(")")
}

func scope(all []knowledge.Meeting, ms []int) string {
	if len(ms) == 0 {
		return ""
	}
	first, last := all[ms[0]], all[ms[len(ms)-1]]
	if first.Year() == last.Year() {
		return fmt.Sprintf("in %d", first.Year())
	}
	return fmt.Sprintf("from %d to %d", first.Year(), last.Year())
}

func appendSources(dst, src []knowledge.Source) []knowledge.Source {
	for _, s := range src {
		if !slices.ContainsFunc(dst, func(d knowledge.Source) bool { return d.URL == s.URL }) {
			dst = append(dst, s)
		}
	}
	return dst
}

// when formats a meeting's dates: "22 October 2024", "7–10 May 2025".
func when(m knowledge.Meeting) string {
	if m.End == "" || m.End == m.Date {
		return humanDate(m.Date)
	}
	a, errA := time.Parse(time.DateOnly, m.Date)
	b, errB := time.Parse(time.DateOnly, m.End)
	if errA != nil || errB != nil {
		return humanDate(m.Date) + " – " + humanDate(m.End)
	}
	if a.Year() == b.Year() && a.Month() == b.Month() {
		return fmt.Sprintf("%d–%s", a.Day(), b.Format("2 January 2006"))
	}
	return a.Format("2 January") + " – " + b.Format("2 January 2006")
}

func humanDate(s string) string {
	for _, l := range []struct{ in, out string }{{time.DateOnly, "2 January 2006"}, {"2006-01", "January 2006"}, {"2006", "2006"}} {
		if t, err := time.Parse(l.in, s); err == nil {
			return t.Format(l.out)
		}
	}
	return s
}
