package bot

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summitbot/summitbot/knowledge"
)

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func loadFixture(t testing.TB) *knowledge.KB {
	t.Helper()
	kb, err := knowledge.Load(os.DirFS("testdata/kb"), knowledge.Options{Now: testNow})
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return kb
}

func newTestBot(t testing.TB, opts Options) *Bot {
	return New(loadFixture(t), opts)
}

func ask(b *Bot, text string) Answer {
	return b.Ask(context.Background(), Question{Text: text, Platform: PlatformCLI})
}

func TestAskTopics(t *testing.T) {
	b := newTestBot(t, Options{})
	tests := []struct {
		question string
		want     string // topic id, or "none"
	}{
		{"What is the Power of Siberia pipeline?", "power-of-siberia"},
		{"power of siberia", "power-of-siberia"},
		{"POWER OF SIBERIA", "power-of-siberia"},
		{"pwer of sibera", "power-of-siberia"},
		{"powr of siberai pipline", "power-of-siberia"},
		{"hey so um what's the deal with the power of siberia", "power-of-siberia"},
		{"<@U123ABC> power of siberia?", "power-of-siberia"},
		{"<@!123456789> @here what is power of siberia https://example.com/x", "power-of-siberia"},
		{"Сила Сибири", "power-of-siberia"},
		{"西伯利亚力量", "power-of-siberia"},
		{"power of siberia 2", "power-of-siberia-2"},
		{"Сила Сибири 2", "power-of-siberia-2"},
		{"pipeline through mongolia", "power-of-siberia-2"},
		{"chinarussia trade", "trade-volume"},
		{"how much do russia and china trade", "trade-volume"},
		{"putin", "vladimir-putin"},
		{"when did xi and putin last meet?", "latest-meeting"},
		{"a recipe for Russian borscht", "none"},
		{"best Chinese restaurants in London", "none"},
		{"how cold is siberia in january", "none"},
		{"what is the weather in beijing", "none"},
		{"", "none"},
		{"   \t\n ", "none"},
		{"🙂🙂🙂", "none"},
		{"\x00\x01\xff\xfe binary", "none"},
		{"?!?!", "none"},
		{"the what is", "none"},
		{strings.Repeat("power of siberia ", 100), "none"}, // over 1,000 characters
	}
	for _, tt := range tests {
		t.Run(tt.question[:min(len(tt.question), 40)], func(t *testing.T) {
			a := ask(b, tt.question)
			got := "none"
			if a.Answered {
				got = a.Topic.ID
			}
			if got != tt.want {
				t.Errorf("Ask(%q) = %s (confidence %.2f), want %s", tt.question, got, a.Confidence, tt.want)
			}
			if a.Text == "" {
				t.Error("every answer, declined or not, has text")
			}
			if a.Confidence < 0 || a.Confidence > 1 {
				t.Errorf("confidence %v outside [0,1]", a.Confidence)
			}
			if a.Answered && (len(a.Sources) == 0 || a.Reviewed == "") {
				t.Errorf("an answer cites its sources and review date: %+v", a)
			}
		})
	}
}

func TestDeclineMessages(t *testing.T) {
	b := newTestBot(t, Options{})
	long := ask(b, strings.Repeat("x", MaxQuestion+1))
	if long.Answered || !strings.Contains(long.Text, "too long") {
		t.Errorf("a question over %d characters is declined as too long: %q", MaxQuestion, long.Text)
	}
	if a := ask(b, strings.Repeat("é", MaxQuestion)); strings.Contains(a.Text, "too long") {
		t.Error("the limit counts characters, not bytes")
	}
	off := ask(b, "a recipe for Russian borscht")
	if off.Outcome != OutcomeDeclined || off.Topic != nil || !strings.Contains(off.Text, "China–Russia relations") {
		t.Errorf("off-topic decline: %+v", off)
	}
	near := ask(b, "how cold is siberia in january")
	if near.Answered || len(near.Suggestions) == 0 || near.Suggestions[0].ID != "power-of-siberia" {
		t.Errorf("a near miss is declined with suggestions: %+v", near)
	}
}

func TestNoteForOtherLanguages(t *testing.T) {
	b := newTestBot(t, Options{})
	for q, lang := range map[string]string{"Сила Сибири": "Russian", "西伯利亚力量": "Chinese", "power of siberia": ""} {
		a := ask(b, q)
		if lang == "" && a.Note != "" || lang != "" && !strings.Contains(a.Note, lang) {
			t.Errorf("Ask(%q).Note = %q, want mention of %q", q, a.Note, lang)
		}
	}
}

func TestYearFigures(t *testing.T) {
	b := newTestBot(t, Options{})
	a := ask(b, "china russia trade in 2024")
	if !a.Answered || !strings.Contains(a.Text, "$244.8bn") || a.Sources[0].URL != "https://example.org/trade-2024" {
		t.Errorf("the 2024 figure with its source first: %+v", a)
	}
	a = ask(b, "china russia trade in 1999")
	if !a.Answered || !strings.Contains(a.Text, "2025") {
		t.Errorf("a year without a figure falls back to the answer: %q", a.Text)
	}
}

func TestFollowUps(t *testing.T) {
	b := newTestBot(t, Options{})
	ctx := context.Background()
	conv := func(text string) Answer {
		return b.Ask(ctx, Question{Text: text, Platform: PlatformDiscord, Conversation: "discord:c1:u1"})
	}
	if a := conv("tell me more"); a.Answered || !strings.Contains(a.Text, "full question") {
		t.Errorf("a follow-up with no context asks for a full question: %+v", a)
	}
	first := conv("power of siberia")
	if first.Topic == nil || first.Topic.ID != "power-of-siberia" {
		t.Fatalf("first = %+v", first)
	}
	if a := conv("tell me more"); a.Topic == nil || a.Topic.ID != "power-of-siberia" || !strings.Contains(a.Text, "38.8 bcm") {
		t.Errorf("tell me more shows the details: %+v", a)
	}
	if a := conv("sources?"); !strings.Contains(a.Text, "https://example.org/pos-launch") {
		t.Errorf("sources? lists the last answer's sources: %q", a.Text)
	}
	if a := conv("what about 2023?"); !strings.Contains(a.Text, "22.7 bcm") {
		t.Errorf("what about 2023 re-asks for that year: %q", a.Text)
	}
	// Another user in the same channel has no context.
	other := b.Ask(ctx, Question{Text: "tell me more", Conversation: "discord:c1:u2"})
	if other.Answered {
		t.Errorf("context is per conversation key: %+v", other)
	}
	// A new full question is not mistaken for a follow-up.
	if a := conv("how much do russia and china trade"); a.Topic == nil || a.Topic.ID != "trade-volume" {
		t.Errorf("a new question after a follow-up: %+v", a)
	}
}

func TestConversationsExpireAndAreBounded(t *testing.T) {
	now := testNow
	clock := func() time.Time { return now }
	b := newTestBot(t, Options{Now: clock, ConversationTTL: time.Minute, MaxConversations: 3})
	ctx := context.Background()
	for i := range 10 {
		b.Ask(ctx, Question{Text: "power of siberia", Conversation: string(rune('a' + i))})
	}
	if n := b.convs.len(); n != 3 {
		t.Errorf("conversations kept = %d, want 3", n)
	}
	now = now.Add(2 * time.Minute)
	if a := b.Ask(ctx, Question{Text: "tell me more", Conversation: "j"}); a.Answered {
		t.Errorf("context expires after its TTL: %+v", a)
	}
}

func TestTimeline(t *testing.T) {
	b := newTestBot(t, Options{})
	tests := []struct {
		question string
		want     []string
	}{
		{"When did Xi and Putin last meet?", []string{"most recent", "Kazan", "22 October 2024"}},
		{"how many times have xi and putin met", []string{"more than 40", "Xi Jinping", "16 May 2024"}},
		{"meetings in 2024", []string{"2 Xi–Putin meetings in 2024", "Beijing", "Kazan"}},
		{"putin xi 2024", []string{"in 2024"}},
		{"what happened at the kazan brics summit", []string{"Kazan", "third face-to-face"}},
		{"xi in moscow 2023", []string{"Moscow", "20–22 March 2023"}},
		{"did xi and putin meet in 2019", []string{"no Xi–Putin meeting in 2019"}},
	}
	for _, tt := range tests {
		a := ask(b, tt.question)
		if !a.Answered || a.Topic == nil {
			t.Errorf("%q declined: %+v", tt.question, a)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(a.Text, w) {
				t.Errorf("%q: answer %q lacks %q", tt.question, a.Text, w)
			}
		}
		if len(a.Sources) == 0 {
			t.Errorf("%q: no sources", tt.question)
		}
	}
}

func TestRateLimit(t *testing.T) {
	now := testNow
	b := newTestBot(t, Options{RateLimit: 2, RateWindow: 30 * time.Second, Now: func() time.Time { return now }})
	q := Question{Text: "power of siberia", Platform: PlatformSlack, UserID: "U1"}
	ctx := context.Background()
	for i := range 2 {
		if a := b.Ask(ctx, q); a.Outcome != OutcomeAnswered {
			t.Fatalf("question %d: %v", i, a.Outcome)
		}
	}
	if a := b.Ask(ctx, q); a.Outcome != OutcomeRateLimited || a.Answered || a.Text == "" {
		t.Errorf("third question in the window: %+v", a)
	}
	if a := b.Ask(ctx, Question{Text: q.Text, Platform: PlatformDiscord, UserID: "U1"}); a.Outcome != OutcomeAnswered {
		t.Error("limits are per platform and user")
	}
	now = now.Add(31 * time.Second)
	if a := b.Ask(ctx, q); a.Outcome != OutcomeAnswered {
		t.Error("the window slides")
	}
}

func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var outcomes []Outcome
	var feedback []Feedback
	b := newTestBot(t, Options{
		OnAnswer: func(_ context.Context, q Question, a Answer, took time.Duration) {
			mu.Lock()
			outcomes = append(outcomes, a.Outcome)
			mu.Unlock()
		},
		OnFeedback: func(_ context.Context, f Feedback) { feedback = append(feedback, f) },
	})
	ask(b, "power of siberia")
	ask(b, "borscht recipe")
	b.Feedback(context.Background(), Feedback{TopicID: "power-of-siberia", Helpful: true})
	if len(outcomes) != 2 || outcomes[0] != OutcomeAnswered || outcomes[1] != OutcomeDeclined || len(feedback) != 1 {
		t.Errorf("outcomes = %v, feedback = %v", outcomes, feedback)
	}
}

func TestSuggestTopicsAbout(t *testing.T) {
	b := newTestBot(t, Options{})
	got := b.Suggest("power of sib", 5)
	if len(got) < 2 || got[0].ID != "power-of-siberia" && got[0].ID != "power-of-siberia-2" {
		t.Errorf("Suggest(power of sib) = %v", got)
	}
	if got := b.Suggest("pwer sibera", 3); len(got) == 0 || !strings.HasPrefix(got[0].ID, "power-of-siberia") {
		t.Errorf("Suggest falls back to the typo-tolerant ranker: %v", got)
	}
	if got := b.Suggest("", 3); len(got) != 3 {
		t.Errorf("Suggest(\"\", 3) = %v", got)
	}
	if got := b.Suggest(strings.Repeat("a", 10000), 25); len(got) > 25 {
		t.Errorf("Suggest bounds its results: %d", len(got))
	}
	if got := b.Topics("energy"); len(got) != 2 {
		t.Errorf("Topics(energy) = %v", got)
	}
	if a, ok := b.TopicAnswer("trade-volume"); !ok || !a.Answered || a.Topic.Title != "China–Russia trade volume" {
		t.Errorf("TopicAnswer = %+v, %v", a, ok)
	}
	if _, ok := b.TopicAnswer("nope"); ok {
		t.Error("TopicAnswer(nope) found something")
	}
	ab := b.About()
	if ab.Topics != 6 || ab.Meetings != 3 || ab.Newest != "2026-11-20" || ab.Sources == 0 {
		t.Errorf("About = %+v", ab)
	}
}

// TestConcurrentAskAndLoad runs questions while the knowledge base is
// swapped: with -race it checks the engine is safe for concurrent use, and
// every answer comes from a whole knowledge base.
func TestConcurrentAskAndLoad(t *testing.T) {
	kb := loadFixture(t)
	b := New(kb, Options{RateLimit: 1000, RateWindow: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				a := b.Ask(ctx, Question{Text: "power of siberia", UserID: "u", Conversation: string(rune('a' + i))})
				if a.Outcome == OutcomeAnswered && a.Topic.ID != "power-of-siberia" {
					t.Errorf("got %s", a.Topic.ID)
					return
				}
				b.Suggest("pow", 5)
			}
		}()
	}
	for range 20 {
		b.Load(loadFixture(t))
	}
	cancel()
	wg.Wait()
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"What's the  Power-of-Siberia?!", "whats the power-of-siberia"},
		{"<@U123|bob> hi <#C1|general> <!here> @everyone", "hi"},
		{"see <https://example.com|the docs> and https://x.org/a?b=c", "see the docs and"},
		{"ＦＵＬＬＷＩＤＴＨ", "fullwidth"},
		{"СИЛА Сибири", "сила сибири"},
		{"Партнёр? Ещё", "партнер еще"}, // ё is е
		{"西伯利亚力量是什么", "西伯利亚力量是什么"},
		{"Xi习近平Putin", "xi 习近平 putin"},
		// Chinese without spaces: the words the package reads are split off,
		// and a particle alone between two of them dropped.
		{"普京访问中国", "普京 访问 中国"},
		{"普京和习近平见过几次面", "普京 习近平 见过 几次 面"},
		{"学习中文", "学习中文"},              // 习 alone is not Xi
		{"中国支持俄罗斯吗", "中国支持俄罗斯吗"},      // nor are the countries' names words to split at
		{"为什么普京访问中国", "为什么 普京 访问 中国"}, // nor bigrams of question words (为什)
		// Hyphens and apostrophes do not join Chinese: the word ends there.
		{"中国-俄罗斯关系", "中国 俄罗斯关系"},
		{"普京'访问中国", "普京 访问 中国"},
		{"普京访问中国's impact", "普京 访问 中国 s impact"},
		{"S-400 and Su-35", "s-400 and su-35"},
		// A hyphen keeps a word together up to three hyphens, and while the
		// word before it is short; past that it separates words.
		{"state-of-the-art", "state-of-the-art"},
		{"a-b-c-d-e-f", "a-b-c-d e-f"},
		{"military-political-military-political", "military-political military-political"},
		{"trade 2024-中俄", "trade 2024 中俄"},
		{"a-中", "a 中"},
		{"ꮚᏊ", "ᏊᏊ"},
		{"straße", "strasse"},
		{"\x00bad\xffbytes", "bad bytes"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	if s := Similarity("how much gas does power of siberia carry", "power of siberia gas volumes"); s < 0.5 {
		t.Errorf("similar questions: %.2f", s)
	}
	if s := Similarity("borscht recipe", "power of siberia"); s != 0 {
		t.Errorf("unrelated questions: %.2f", s)
	}
	if s := Similarity("", "x"); s != 0 {
		t.Errorf("empty: %.2f", s)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"power", "power", 2, 0}, {"pwer", "power", 2, 1}, {"sibera", "siberia", 2, 1},
		{"ab", "ba", 2, 1}, {"kitten", "sitting", 3, 3}, {"kitten", "sitting", 2, 3}, {"", "abc", 5, 3},
		// Rows on the stack up to maxWordLen (30) letters, made beyond.
		{"abcdefghijklmnopqrstuvwxyzabcd", "abcdefghijklmnopqrstuvwxyzabcx", 2, 1},
		{"abcdefghijklmnopqrstuvwxyzabcde", "abcdefghijklmnopqrstuvwxyzabdce", 2, 1},
		{"abcdefghijklmnopqrstuvwxyzabcdefghij", "abcdefghijklmnopqrstuvwxyzabcdefgh", 2, 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"What's up?", "<@U1> <#C|x>", "Сила Сибири", "西伯利亚", "\xff\x00", "S-400-", "--", "'", "a'b",
		"中国-俄罗斯关系", "普京'访问中国", "普京访问中国's impact", "普京'访问-中国", "普京和习近平见过几次面",
		"a-b-c-d-e-f", "a'bcdefghijklmn-x", "military-political-military", "state-of-the-art-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Errorf("Normalize is not idempotent: %q -> %q -> %q", s, n, Normalize(n))
		}
		if strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Errorf("Normalize(%q) = %q has stray spaces", s, n)
		}
	})
}

// FuzzAsk checks that no input makes the engine panic or answer without text.
func FuzzAsk(f *testing.F) {
	b := newTestBot(f, Options{})
	for _, s := range []string{"power of siberia", "tell me more", "2023", "<@1>", "西伯利亚力量", "a" + strings.Repeat(" b", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := b.Ask(context.Background(), Question{Text: s, Conversation: "fuzz"})
		if a.Text == "" || a.Answered != (a.Outcome == OutcomeAnswered) || a.Answered != (a.Topic != nil) {
			t.Errorf("Ask(%q) = %+v", s, a)
		}
	})
}

// FuzzAskEmbedded is FuzzAsk on the embedded knowledge base, whose index
// has a fitted decision: the in-scope model, the side, specificity, word
// kind and direction signals, and the explanation built as it scores.
func FuzzAskEmbedded(f *testing.F) {
	b := embeddedBot(f)
	for _, s := range []string{"is china arming russia", "How to Make Chinese Dumplings", "glonass", "soviet union and china",
		"from china to russia from china to russia from china to russia from china to russia from china china", "ШОС", "习近平访俄", "🙂🙂", "%s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := b.Ask(context.Background(), Question{Text: s, Conversation: "fuzz"})
		if a.Text == "" || a.Answered != (a.Outcome == OutcomeAnswered) || a.Answered != (a.Topic != nil) || a.Outcome == OutcomeError {
			t.Errorf("Ask(%q) = %+v", s, a)
		}
		if a.Answered && (len(a.Sources) == 0 || len(a.Sources) > 3) {
			t.Errorf("Ask(%q) answered with %d sources", s, len(a.Sources))
		}
		ex := b.Explain(s, 5)
		if len(ex.Candidates) > 0 && ex.Candidates[0].Scope == nil {
			t.Errorf("Explain(%q): the first candidate has no in-scope verdict", s)
		}
		for _, c := range ex.Candidates {
			if c.Confidence < 0 || c.Confidence > 1 || c.Confidence != c.Confidence {
				t.Errorf("Explain(%q): %s has confidence %v", s, c.Topic.ID, c.Confidence)
			}
		}
	})
}

// The plural of a name with digits is the name: "s-400s" finds the S-400.
func TestDigitPlurals(t *testing.T) {
	for _, c := range []struct {
		word string
		want []string
	}{
		{"s-400s", []string{"s400", "400"}},
		{"su-35s", []string{"su35", "su", "35"}},
		{"1990s", []string{"1990"}},
		{"s-400", []string{"s400", "400"}},
		{"pipelines", []string{"pipelin"}},
		{"s", nil},
		{"4s", []string{"4"}},
	} {
		if got := wordTerms(c.word); !slices.Equal(got, c.want) {
			t.Errorf("wordTerms(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

// A country's people are the country and a term of their own: "do russians
// like china" is about what people think; "Russian gas" is Russia's alone.
func TestPeoples(t *testing.T) {
	for _, c := range []struct {
		word string
		want []string
	}{
		{"russians", []string{"russia", "russians"}},
		{"russian", []string{"russia"}},
		{"russia", []string{"russia"}},
		{"americans", []string{"us", "americans"}},
		{"chinese", []string{"china"}}, // an adjective as often as the people
	} {
		if got := wordTerms(c.word); !slices.Equal(got, c.want) {
			t.Errorf("wordTerms(%q) = %q, want %q", c.word, got, c.want)
		}
	}
	b := embeddedBot(t)
	if a := ask(b, "do russians like china?"); !a.Answered || a.Topic == nil || a.Topic.ID != "public-opinion" {
		t.Errorf("do russians like china? = %+v, want public-opinion", a.Topic)
	}
}
