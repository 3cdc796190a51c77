package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

// A knowledge base for the answer's sources, freshness, the timeline and
// follow-ups: meetings in person and by call, a trade topic with figures and
// answer_sources, and two exercise topics.
var answerKB = fstest.MapFS{
	"publishers.yaml": {Data: []byte(`publishers:
  - {name: TASS, kind: state media, country: Russia, hosts: [tass.example]}
  - {name: Reuters, kind: wire, country: International, hosts: [reuters.example]}
  - {name: Kremlin, kind: official, country: Russia, hosts: [kremlin.example]}
  - {name: Repost, kind: aggregator, country: Unknown, hosts: [repost.example]}
`)},
	"summits.yaml": {Data: []byte(`meetings:
  - {id: 2015-09-beijing, date: 2015-09-03, place: "Beijing, China", kind: visit, title: Putin at the Beijing parade, outcomes: [A parade.],
     sources: [{title: Parade copy, publisher: Repost, url: "https://repost.example/2015"}, {title: Parade, publisher: TASS, url: "https://tass.example/2015"}]}
  - {id: 2019-06-moscow, date: 2019-06-05, place: "Moscow, Russia", kind: state-visit, title: Xi's state visit to Moscow, aliases: [moscow victory day parade], outcomes: [Pandas.],
     sources: [{title: Visit, publisher: Kremlin, url: "https://kremlin.example/2019"}]}
  - {id: 2024-05-beijing, date: 2024-05-16, place: "Beijing, China", kind: state-visit, title: Putin's state visit to Beijing, outcomes: [A joint statement.],
     sources: [{title: Visit, publisher: Reuters, url: "https://reuters.example/2024"}]}
  - {id: 2025-09-beijing, date: 2025-09-02, end: 2025-09-03, place: "Beijing, China", kind: visit, title: Talks in Beijing, outcomes: [Twenty documents.],
     sources: [{title: Talks, publisher: Reuters, url: "https://reuters.example/2025"}]}
  - {id: 2026-02-call, date: 2026-02-04, place: "Moscow and Beijing", kind: video-call, title: New Year video call, outcomes: [A call.],
     sources: [{title: Call, publisher: Kremlin, url: "https://kremlin.example/2026-02"}]}
  - {id: 2026-05-beijing, date: 2026-05-19, end: 2026-05-20, place: "Beijing, China", kind: state-visit, title: Putin's May 2026 visit to Beijing, outcomes: [More documents.],
     sources: [{title: Visit, publisher: TASS, url: "https://tass.example/2026-05"}]}
`)},
	"topics/latest-meeting.md": topic("latest-meeting", "summits", "[when did xi and putin last meet, most recent putin xi summit, last meeting between putin and xi]", "[latest, last]",
		"[{title: Timeline, publisher: Reuters, url: \"https://reuters.example/timeline\"}]", "", "Their meetings are listed in the timeline."),
	"topics/summits-timeline.md": topic("summits-timeline", "summits", "[list of xi putin meetings, when have xi and putin met, timeline of putin and xi summits]", "[summit, meeting]",
		"[{title: Timeline, publisher: Reuters, url: \"https://reuters.example/timeline\"}]", "", "They have met dozens of times."),
	"topics/trade-volume.md": topic("trade-volume", "trade", "[how much do china and russia trade, what is the trade volume, bilateral trade figures]", "[trade, turnover, billion]",
		`
  - {title: Trade copy, publisher: Repost, url: "https://repost.example/trade"}
  - {title: Trade 2024, publisher: Reuters, url: "https://reuters.example/trade-2024"}
  - {title: Trade 2025, publisher: TASS, url: "https://tass.example/trade-2025"}
  - {title: Customs, publisher: Kremlin, url: "http://kremlin.example/customs"}
  - {title: Old trade, publisher: TASS, url: "https://tass.example/trade-old"}
answer_sources: [https://tass.example/trade-2025, https://reuters.example/trade-2024]
as_of: 2026-01
figures:
  - {year: 2024, answer: Trade was a record $245bn in 2024., sources: [http://kremlin.example/customs, https://reuters.example/trade-2024]}
  - {year: 2023, answer: Trade was $240bn in 2023., sources: [https://tass.example/trade-old], as_of: 2024-01}`,
		"", "Trade fell to $228bn in 2025, according to Chinese customs."),
	"topics/joint-exercises.md": topic("joint-exercises", "military", "[what joint military exercises do they hold, do china and russia hold drills together, military drills of china and russia]", "[exercises, drills, military]",
		"[{title: Drills, publisher: TASS, url: \"https://tass.example/drills\"}]", "related: [north-interaction-2023]\n", "They hold joint naval and air exercises every year."),
	// A military topic that shares nothing with North/Interaction-2023 but
	// its category: "what about 2023?" after it stays on it.
	"topics/arms-sales.md": topic("arms-sales", "military", "[what weapons does russia sell to china, arms sales between russia and china, does china buy russian fighter jets]", "[arms, weapons, fighter, jets, sales]",
		"[{title: Arms, publisher: Reuters, url: \"https://reuters.example/arms\"}]", "", "Russia has sold China fighter jets and air defence systems."),
	"topics/north-interaction-2023.md": topic("north-interaction-2023", "military", "[what was north interaction 2023, the 2023 sea of japan exercise, naval drills in july 2023]", "[exercises, drills, 2023, sea of japan, north interaction]",
		"[{title: North 2023, publisher: TASS, url: \"https://tass.example/north-2023\"}]", "aliases: [North/Interaction-2023]\n", "North/Interaction-2023 was a joint exercise in the Sea of Japan in July 2023."),
}

// topic writes a topic file; its first source backs the answer unless
// sources sets answer_sources itself.
func topic(id, category, questions, keywords, sources, extra, answer string) *fstest.MapFile {
	if !strings.Contains(sources, "answer_sources") {
		first := regexp.MustCompile(`url: "([^"]+)"`).FindStringSubmatch(sources)[1]
		sources += "\nanswer_sources: [" + first + "]"
	}
	return &fstest.MapFile{Data: []byte(fmt.Sprintf("---\nid: %s\ntitle: %s\ncategory: %s\n%squestions: %s\nkeywords: %s\nreviewed: 2026-11-20\nsources: %s\n---\n%s\n\nMore detail on %s.\n",
		id, id, category, extra, questions, keywords, sources, answer, id))}
}

// answerBot is a bot over answerKB whose clock says now.
func answerBot(t *testing.T, now time.Time) *Bot {
	t.Helper()
	kb, err := knowledge.Load(answerKB, knowledge.Options{Now: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(kb.Warnings) > 0 {
		t.Fatalf("warnings: %v", kb.Warnings)
	}
	return New(kb, Options{Now: func() time.Time { return now }})
}

// checkText reports each of want that text lacks and each of wantNot that
// it has.
func checkText(t *testing.T, text string, want, wantNot []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("answer lacks %q:\n%s", w, text)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(text, w) {
			t.Errorf("answer has %q:\n%s", w, text)
		}
	}
}

func urls(ss []knowledge.Source) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.URL)
	}
	return strings.Join(out, " ")
}

func TestAnswerShowsBackingSources(t *testing.T) {
	b := answerBot(t, testNow)
	ctx := context.Background()
	conv := Question{Platform: PlatformCLI, Conversation: "c"}
	q := func(text string) Answer { conv.Text = text; return b.Ask(ctx, conv) }

	a := q("how much do china and russia trade")
	if a.Topic == nil || a.Topic.ID != "trade-volume" {
		t.Fatalf("answer = %+v", a)
	}
	if got := urls(a.Sources); got != "https://tass.example/trade-2025 https://reuters.example/trade-2024" {
		t.Errorf("sources = %s, want the answer_sources in order", got)
	}
	if got := urls(a.MoreSources); got != "https://repost.example/trade http://kremlin.example/customs https://tass.example/trade-old" {
		t.Errorf("more sources = %s", got)
	}
	if a.Sources[0].Kind != knowledge.StateMedia || a.Sources[0].Country != "Russia" {
		t.Errorf("first source carries no kind: %+v", a.Sources[0])
	}
	if a.AsOf != "2026-01" || a.Freshness() != "As of January 2026" {
		t.Errorf("as_of = %q, freshness = %q", a.AsOf, a.Freshness())
	}

	more := q("tell me more") // the sources the answer did not show, aggregators last
	if !strings.HasPrefix(more.Text, "More detail on trade-volume") || urls(more.Sources) != "http://kremlin.example/customs https://tass.example/trade-old https://repost.example/trade" {
		t.Errorf("details follow-up: text %q, sources %s; want the details with the sources the answer did not show", more.Text, urls(more.Sources))
	}

	src := q("sources?")
	for _, want := range []string{"1. [Trade 2025](https://tass.example/trade-2025), TASS, Russian state media", "2. [Trade 2024](https://reuters.example/trade-2024), Reuters, international news agency",
		"3. [Trade copy](https://repost.example/trade), Repost, aggregator", "5. [Old trade]"} {
		if !strings.Contains(src.Text, want) {
			t.Errorf("sources follow-up lacks %q:\n%s", want, src.Text)
		}
	}
	if len(src.Sources) != 0 {
		t.Errorf("the sources follow-up lists the sources in its text; listing them under it again repeats them: %s", urls(src.Sources))
	}
	if again := q("sources"); again.Text != src.Text {
		t.Errorf("asking for sources twice changed the list:\n%s\nthen\n%s", src.Text, again.Text)
	}

	fig := q("what about 2024?")
	if fig.Text != "Trade was a record $245bn in 2024." || urls(fig.Sources) != "http://kremlin.example/customs https://reuters.example/trade-2024" {
		t.Errorf("figure follow-up = %q with %s", fig.Text, urls(fig.Sources))
	}
	if fig.Question != "what about 2024?" {
		t.Errorf("a follow-up keeps the question as asked, got %q", fig.Question)
	}
	if old := q("and 2023?"); old.Text != "Trade was $240bn in 2023." || old.Freshness() != "As of January 2024" {
		t.Errorf("2023 figure = %q, %q: the figure's own as_of", old.Text, old.Freshness())
	}
}

func TestFreshness(t *testing.T) {
	tests := []struct{ asOf, reviewed, want string }{
		{"2026-01", "2026-12-01", "As of January 2026"},
		{"2026-12", "2026-12-01", "Reviewed 2026-12-01"},
		{"", "2026-12-01", "Reviewed 2026-12-01"},
		{"2025-13", "2026-12-01", "Reviewed 2026-12-01"},
		{"2025-06", "", "As of June 2025"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := (Answer{AsOf: tt.asOf, Reviewed: tt.reviewed}).Freshness(); got != tt.want {
			t.Errorf("Freshness(as_of %q, reviewed %q) = %q, want %q", tt.asOf, tt.reviewed, got, tt.want)
		}
	}
}

func TestLatestMeeting(t *testing.T) {
	tests := []struct {
		name     string
		now      time.Time
		want     []string
		wantNot  []string
		wantURLs string
	}{
		{"a call after the last visit", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			[]string{"**Talks in Beijing** (Beijing, China, 2–3 September 2025)", "by video call, on 4 February 2026"},
			[]string{"May 2026"}, "https://reuters.example/2025 https://kremlin.example/2026-02"},
		{"a visit after the last call", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			[]string{"**Putin's May 2026 visit to Beijing** (Beijing, China, 19–20 May 2026)"},
			[]string{"video call"}, "https://tass.example/2026-05"},
		{"a meeting dated after now is not the latest", time.Date(2026, 5, 19, 0, 0, 0, 0, time.UTC).Add(-time.Hour),
			[]string{"September 2025"}, []string{"May 2026"}, "https://reuters.example/2025 https://kremlin.example/2026-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ask(answerBot(t, tt.now), "when did xi and putin last meet")
			checkText(t, a.Text, tt.want, tt.wantNot)
			if got := urls(a.Sources); got != tt.wantURLs {
				t.Errorf("sources = %s, want %s", got, tt.wantURLs)
			}
		})
	}
}

func TestYearWithoutMeeting(t *testing.T) {
	b := answerBot(t, testNow)
	tests := []struct {
		question string
		want     []string
		wantURLs string
	}{
		{"did xi and putin meet in 2017", []string{"My timeline has no Xi–Putin meeting in 2017.",
			"The nearest are Putin at the Beijing parade (Beijing, China, 3 September 2015) before and Xi's state visit to Moscow (Moscow, Russia, 5 June 2019) after."},
			"https://tass.example/2015 https://kremlin.example/2019"},
		// A named meeting (the alias) in another year: this reached scope()
		// with no meetings and ended in an internal error (issue 14).
		{"did xi attend the 2015 victory day parade in moscow", []string{"My timeline has no Xi–Putin meeting in Moscow in 2015.",
			"The nearest in Moscow is Xi's state visit to Moscow (Moscow, Russia, 5 June 2019), after it",
			"That year they met elsewhere: Putin at the Beijing parade (Beijing, China, 3 September 2015)."},
			"https://tass.example/2015 https://kremlin.example/2019"},
		{"putin xi 1990", []string{"no Xi–Putin meeting in 1990", "The nearest is Putin at the Beijing parade", "my timeline has none earlier"}, "https://tass.example/2015"},
		{"putin xi meeting 2031", []string{"no Xi–Putin meeting in 2031", "The nearest is Putin's May 2026 visit", "my timeline has none later"}, "https://tass.example/2026-05"},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a := ask(b, tt.question)
			if a.Outcome != OutcomeAnswered {
				t.Fatalf("outcome %s: %s", a.Outcome, a.Text)
			}
			checkText(t, a.Text, tt.want, nil)
			if got := urls(a.Sources); got != tt.wantURLs {
				t.Errorf("sources = %s, want the nearest meetings' own: %s", got, tt.wantURLs)
			}
		})
	}
}

// TestYearFollowUps: "what about 2023?" is the last question asked for
// that year, on every kind of topic.
func TestYearFollowUps(t *testing.T) {
	tests := []struct {
		first, follow string
		wantTopic     string
		want          string
		note          string // "" for none
	}{
		{"when did xi and putin last meet", "what about 2024?", "", "Putin's state visit to Beijing", ""},
		{"when did xi and putin last meet", "and in 2017?", "", "no Xi–Putin meeting in 2017", ""},
		{"what joint military exercises do they hold", "what about 2023?", "north-interaction-2023", "North/Interaction-2023", ""},
		{"how much do china and russia trade", "what about 2024?", "trade-volume", "record $245bn", ""},
		{"how much do china and russia trade", "what about 2019?", "trade-volume", "Trade fell to $228bn", "I have no figure for 2019 on this topic"},
		// The same category is no reason to jump (review High 1): stay on
		// the topic and say it has nothing on that year.
		{"what weapons does russia sell to china", "what about 2023?", "arms-sales", "fighter jets", "I have nothing specific on 2023 in this topic"},
		{"what joint military exercises do they hold", "what about 2019?", "joint-exercises", "every year", "I have nothing specific on 2019 in this topic"},
	}
	for _, tt := range tests {
		t.Run(tt.first+" / "+tt.follow, func(t *testing.T) {
			b := answerBot(t, testNow)
			q := Question{Platform: PlatformCLI, Conversation: "c", Text: tt.first}
			if a := b.Ask(context.Background(), q); !a.Answered {
				t.Fatalf("%q declined", tt.first)
			}
			q.Text = tt.follow
			a := b.Ask(context.Background(), q)
			if !a.Answered || !strings.Contains(a.Text, tt.want) {
				t.Fatalf("%q then %q = %q (%s), want it to mention %q", tt.first, tt.follow, a.Text, a.Outcome, tt.want)
			}
			if tt.wantTopic != "" && a.Topic.ID != tt.wantTopic {
				t.Errorf("topic = %s, want %s", a.Topic.ID, tt.wantTopic)
			}
			if (tt.note == "") != (a.Note == "") || !strings.Contains(a.Note, tt.note) {
				t.Errorf("note = %q, want %q", a.Note, tt.note)
			}
		})
	}
}

func TestWithYear(t *testing.T) {
	tests := []struct {
		q    string
		year int
		want string
	}{
		{"when did xi and putin last meet?", 2023, "when did xi and putin last meet in 2023"},
		{"trade in 2024", 2023, "trade in 2023"},
		{"did xi visit moscow in 2017 or 2018", 2015, "did xi visit moscow in 2015 or 2018"},
		{"", 2023, " in 2023"},
	}
	for _, tt := range tests {
		if got := withYear(tt.q, tt.year); got != tt.want {
			t.Errorf("withYear(%q, %d) = %q, want %q", tt.q, tt.year, got, tt.want)
		}
	}
}

// TestYearAndPlaceQuestions: a question about the leaders meeting in a year
// (and place) goes to the timeline, not to a leader's own topic or a topic
// about another year (review High 2). Built from the shipped timeline: every
// year of an in-person meeting in Moscow or Beijing, and every year between
// the first and last meeting with none.
func TestYearAndPlaceQuestions(t *testing.T) {
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := New(kb, Options{})
	type tc struct{ question, want string }
	var tests []tc
	years := map[int]bool{}
	ms := kb.Timeline.Meetings
	for _, m := range ms {
		years[m.Year()] = true
		if isCall(m) {
			continue
		}
		city, _, _ := strings.Cut(m.Place, ",")
		switch city {
		case "Moscow":
			tests = append(tests, tc{fmt.Sprintf("did xi visit moscow in %d", m.Year()), m.Title})
		case "Beijing":
			tests = append(tests, tc{fmt.Sprintf("did putin visit beijing in %d", m.Year()), m.Title})
		}
	}
	for y := ms[0].Year(); y <= ms[len(ms)-1].Year(); y++ {
		if !years[y] {
			tests = append(tests, tc{fmt.Sprintf("did xi and putin meet in %d", y), fmt.Sprintf("My timeline has no Xi–Putin meeting in %d.", y)},
				tc{fmt.Sprintf("when did xi and putin meet in %d", y), "The nearest are"})
		}
	}
	if len(tests) < 8 {
		t.Fatalf("only %d cases from the timeline", len(tests))
	}
	for _, tt := range tests {
		a := ask(b, tt.question)
		if a.Answered && a.Topic != nil && !strings.Contains(tt.want, "no Xi–Putin") && !strings.Contains(tt.want, "nearest") {
			// A topic about that very visit ("beijing-visit-may-2026") is
			// as good an answer as the timeline's entry.
			if at, ok := kb.Topic(a.Topic.ID); ok && at.Category != knowledge.People && b.idx.Load().namesYear(at, yearIn(words(tt.question))) {
				continue
			}
		}
		if !a.Answered || !strings.Contains(a.Text, tt.want) {
			topic := ""
			if a.Topic != nil {
				topic = a.Topic.ID
			}
			t.Errorf("%q = %s %q, want it to mention %q", tt.question, topic, a.Text, tt.want)
		}
	}
}

// TestTimelineAnswerIdentity: a computed timeline answer is the timeline's
// (title, freshness, "tell me more"), not that of whichever summits topic
// ranked first (review Medium 5).
func TestTimelineAnswerIdentity(t *testing.T) {
	tests := []struct {
		question, topic, more string
		moreURLs              string
	}{
		{"did xi visit moscow in 2017", "summits-timeline", "More detail on summits-timeline", "https://kremlin.example/2019"},
		{"when did xi and putin last meet", "latest-meeting", "Earlier meetings:\n- 2–3 September 2025: Talks in Beijing", ""},
		{"xi and putin meetings in beijing", "summits-timeline", "- 16 May 2024: Putin's state visit to Beijing (Beijing, China)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			b := answerBot(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
			conv := Question{Platform: PlatformCLI, Conversation: "c", Text: tt.question}
			a := b.Ask(context.Background(), conv)
			if !a.Answered || a.Topic.ID != tt.topic {
				t.Fatalf("%q = %+v, want topic %s", tt.question, a.Topic, tt.topic)
			}
			conv.Text = "tell me more"
			more := b.Ask(context.Background(), conv)
			if !strings.Contains(more.Text, tt.more) {
				t.Errorf("tell me more = %q, want the answer's own details %q", more.Text, tt.more)
			}
			if tt.moreURLs != "" && urls(more.Sources) != tt.moreURLs {
				t.Errorf("tell me more sources = %s, want %s (aggregators last)", urls(more.Sources), tt.moreURLs)
			}
		})
	}
}

// TestTimelinePlaces: "last" with a place, two places in one question, and a
// video call that is not a meeting in either city (review Medium 3, 4).
func TestTimelinePlaces(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		question string
		want     []string
		wantNot  []string
	}{
		{"when did xi last visit moscow", []string{"Their most recent meeting in Moscow in my timeline: **Xi's state visit to Moscow** (Moscow, Russia, 5 June 2019)."}, []string{"video call"}},
		// The May 2026 visit is after now.
		{"when did putin last visit beijing", []string{"Their most recent meeting in Beijing in my timeline: **Talks in Beijing**"}, []string{"May 2026", "video call"}},
		{"did xi and putin meet in beijing or moscow in 2017", []string{"no Xi–Putin meeting in Beijing or Moscow in 2017.",
			"The nearest in Beijing or Moscow are Putin at the Beijing parade (Beijing, China, 3 September 2015) before and Xi's state visit to Moscow (Moscow, Russia, 5 June 2019) after."}, nil},
		{"did xi and putin meet in moscow or beijing in 2017", []string{"no Xi–Putin meeting in Moscow or Beijing in 2017.",
			"The nearest in Moscow or Beijing are Putin at the Beijing parade (Beijing, China, 3 September 2015) before and Xi's state visit to Moscow (Moscow, Russia, 5 June 2019) after."}, nil},
		{"xi and putin meetings in moscow", []string{"**Xi's state visit to Moscow** (Moscow, Russia, 5 June 2019)."}, []string{"video call"}},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a := ask(answerBot(t, now), tt.question)
			checkText(t, a.Text, tt.want, tt.wantNot)
		})
	}
}

func TestStarted(t *testing.T) {
	at := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		date, now string
		want      bool
	}{
		{"2026-12-15", "2026-12-14", false},
		{"2026-12-15", "2026-12-15", true},
		// A month-only date may be any day of it (review Low 11).
		{"2026-12", "2026-12-01", false},
		{"2026-12", "2026-12-31", false},
		{"2026-12", "2027-01-01", true},
		{"2026-13", "2030-01-01", false},
	}
	for _, tt := range tests {
		if got := startOf(knowledge.Meeting{Date: tt.date}).by(at(tt.now)); got != tt.want {
			t.Errorf("started(%s) at %s = %v, want %v", tt.date, tt.now, got, tt.want)
		}
	}
}

// TestSourcesFollowUpPhrasing: the ways people ask for the last answer's
// sources (review Low 12).
func TestSourcesFollowUpPhrasing(t *testing.T) {
	for _, follow := range []string{"sources?", "what are your sources", "what sources have you got", "where is this from, any sources"} {
		t.Run(follow, func(t *testing.T) {
			b := answerBot(t, testNow)
			q := Question{Platform: PlatformCLI, Conversation: "c", Text: "how much do china and russia trade"}
			b.Ask(context.Background(), q)
			q.Text = follow
			if a := b.Ask(context.Background(), q); !strings.HasPrefix(a.Text, "Sources for my last answer:") {
				t.Errorf("%q = %s %q", follow, a.Outcome, a.Text)
			}
		})
	}
}
