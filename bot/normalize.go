package bot

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Chat markup that must not influence matching: user, role and channel
// mentions (Discord and Slack forms), broadcast mentions, custom emoji and
// URLs. Slack links keep their label: <https://x|label> becomes "label".
var (
	slackLabelled = regexp.MustCompile(`<(?:https?://|mailto:)[^|>\s]*\|([^>]*)>`)
	markup        = regexp.MustCompile(`<(?:@[!&]?|#|!)[^>]*>|<a?:\w+:\d+>|<(?:https?://|mailto:)[^>\s]*>|(?i:https?://\S+|www\.\S+)|(?i:@(?:here|everyone|channel))\b`)
)

var folder = cases.Fold()

// mayHaveMarkup reports whether s could hold a mention, channel link or URL.
func mayHaveMarkup(s string) bool {
	return strings.ContainsAny(s, "<@") || strings.Contains(s, "http") || strings.Contains(s, "HTTP") ||
		strings.Contains(s, "www.") || strings.Contains(s, "WWW.")
}

// Normalize returns the canonical form of a question used for matching,
// clustering and storage: chat markup and URLs removed, Unicode NFKC,
// case-folded, punctuation turned into spaces, whitespace collapsed, and
// Chinese written without spaces split at the words the engine reads
// (appendHanWords).
func Normalize(s string) string {
	return strings.Join(words(s), " ")
}

// words is Normalize before joining: the plain words of s, in order.
func words(s string) []string {
	s = fold(plain(s))
	out := make([]string, 0, 16)
	start, han := -1, false // start of the current word in s
	var b []byte            // the word when it differs from s[start:i] (apostrophes dropped)
	hyphens := 0            // hyphens kept in the current word
	flush := func(end int) {
		switch {
		case start < 0:
		case b != nil:
			out = append(out, string(b))
		case han:
			out = appendHanWords(out, s[start:end])
		default:
			out = append(out, s[start:end])
		}
		start, b, hyphens = -1, nil, 0
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r): // no ASCII is a mark
			if start >= 0 && isHan(r) != han {
				flush(i)
			}
			if start < 0 {
				start, han = i, isHan(r)
			}
			if b != nil {
				b = utf8.AppendRune(b, r)
			}
		case (r == '\'' || r == '’') && start >= 0 && !han && unicode.IsLetter(runeAfter(s, i, r)):
			// what's -> whats, China's -> chinas: drop the apostrophe.
			if b == nil {
				b = append([]byte(nil), s[start:i]...)
			}
		case r == '-' && start >= 0 && !han && hyphens < maxHyphens && i-start < maxHyphenAt && joinsHyphen(runeAfter(s, i, r)):
			// Keep hyphenated words together (s-400, su-35); terms() splits them.
			// Not across a change of script ("2024-中俄"): the word ends there,
			// and a hyphen left dangling would be dropped on a second pass.
			if b != nil {
				b = append(b, '-')
			}
			hyphens++
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}

// A hyphen keeps a word together ("state-of-the-art", "military-political")
// while the word has fewer than maxHyphens hyphens and fewer than
// maxHyphenAt bytes before it; past that it separates words, as a space
// does. So a run of words joined by hyphens costs about what the same
// words with spaces cost, its pieces short enough for the memo of words'
// terms (askedMemo), not a fresh split and stemming of the whole run at
// every question (TestLongTokenCostsLikeANormalQuestion).
const (
	maxHyphens  = 3
	maxHyphenAt = maxWordLen / 2
)

// runeAfter is the rune after r, at i in s: read only for the rare runes
// whose case needs it, not for every rune.
func runeAfter(s string, i int, r rune) rune {
	next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
	return next
}

// joinsHyphen reports whether a hyphen before next keeps a word together.
func joinsHyphen(next rune) bool {
	return (unicode.IsLetter(next) || unicode.IsDigit(next)) && !isHan(next)
}

// Chinese is written without spaces: "普京访问中国" is Putin, visit, China.
// The words the package reads by themselves (a leader's name, a word of
// travel, meeting or counting, in timeline.go and sides.go) are found in a
// run of Chinese by forward maximum matching against those words
// (hanWords); what lies between them stays a stretch of its own, which
// terms splits into bigrams as before. No word of one character is looked
// for: "习" of Xi is also the "习" of 学习, to study. Nor the countries'
// names: split off, they make any question naming the two read as one
// about both sides whose other words are few, which the decision takes
// for in scope ("中国支持俄罗斯吗" would be answered with whichever topic's
// Chinese alias holds both names), while whole, the run's bigrams match
// the topics' own Chinese as before. Bigrams of question words (hanFiller:
// 为什 of 为什么) are not words either.

// hanWords are the Chinese words of two characters or more that a run is
// split at, and hanLongest the most characters one has.
var hanWords, hanLongest = hanDictionary(timelineKinds, sideKinds)

func hanDictionary(sets ...map[string]uint8) (map[string]bool, int) {
	out, longest := map[string]bool{}, 0
	add := func(w string) {
		if n := utf8.RuneCountInString(w); n >= 2 && scriptOf(w) == han && !hanFiller[w] {
			out[w] = true
			longest = max(longest, n)
		}
	}
	for _, s := range sets {
		for w := range s {
			add(w)
		}
	}
	return out, longest
}

// appendHanWords appends the words of a run of Chinese characters: each of
// hanWords found in it, longest first from the left, and each stretch
// between them whole. It slices the run at its characters' offsets, so
// looking a candidate up copies nothing.
func appendHanWords(out []string, run string) []string {
	if len(run) <= 2*utf8.UTFMax { // two characters: nothing to split
		return append(out, run)
	}
	at := make([]int, 0, len(run)/3+1) // each character's offset, and the end
	for i := range run {
		at = append(at, i)
	}
	at = append(at, len(run))
	chars := len(at) - 1
	rest := 0 // the character the stretch not yet appended starts at
	for i := 0; i < chars; {
		n := min(hanLongest, chars-i)
		for ; n >= 2 && !hanWords[run[at[i]:at[i+n]]]; n-- {
		}
		if n < 2 {
			i++
			continue
		}
		out = appendStretch(out, run[at[rest]:at[i]])
		out = append(out, run[at[i]:at[i+n]])
		i += n
		rest = i
	}
	if rest == 0 {
		return append(out, run)
	}
	return appendStretch(out, run[at[rest]:])
}

// hanParticles are characters that, alone between two words, join them
// ("和", and) or mark a question ("吗"), and say nothing of a topic.
var hanParticles = set(`的 和 与 及 了 吗 呢 吧`)

// appendStretch appends a stretch of characters between two words, unless
// it is empty or a particle.
func appendStretch(out []string, s string) []string {
	if s == "" || hanParticles[s] {
		return out
	}
	return append(out, s)
}

// plain is s as valid UTF-8 without chat markup and links: a link's label
// stays, its address goes.
func plain(s string) string {
	s = strings.ToValidUTF8(s, " ")
	if mayHaveMarkup(s) { // the regexps are costly: skip them when nothing can match
		s = slackLabelled.ReplaceAllString(s, " $1 ")
		s = markup.ReplaceAllString(s, " ")
	}
	return s
}

// fold is NFKC then case folding. ASCII text is its own NFKC form and
// folds by lowering A–Z, which spares the transformers and their copy.
func fold(s string) string {
	if !isASCII(s) {
		s = foldCherokee(folder.String(norm.NFKC.String(s)))
		if strings.Contains(s, "ё") {
			// Most Russian text writes е for ё (партнер, еще): one spelling
			// for stop words, stems and the lexicon alike.
			s = strings.ReplaceAll(s, "ё", "е")
		}
		return s
	}
	return strings.ToLower(s)
}

// isASCII reports whether s has no byte beyond ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldCherokee settles Cherokee letters on their capital form, which is
// what Unicode case folding maps them to: x/text's folder swaps capital and
// small Cherokee letters, so folding its own output would undo it and
// Normalize would not be idempotent.
func foldCherokee(s string) string {
	if strings.IndexByte(s, 0xe1) < 0 && strings.IndexByte(s, 0xea) < 0 {
		return s // no rune in U+1000–U+1FFF or U+A000–U+AFFF
	}
	if !strings.ContainsFunc(s, isCherokee) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isCherokee(r) {
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

func isCherokee(r rune) bool { return r >= 0x13a0 && r <= 0x13ff || r >= 0xab70 && r <= 0xabbf }

// hanFirst is the first Han code point: Latin and Cyrillic letters are
// below it, which spares them the search of the Han table.
var hanFirst = rune(unicode.Han.R16[0].Lo)

func isHan(r rune) bool { return r >= hanFirst && unicode.Is(unicode.Han, r) }

// script classifies a word for stemming and language detection.
type script uint8

const (
	latin script = iota
	cyrillic
	han
	other
)

func scriptOf(w string) script {
	for _, r := range w {
		switch {
		case isHan(r):
			return han
		case unicode.Is(unicode.Cyrillic, r):
			return cyrillic
		case unicode.Is(unicode.Latin, r):
			return latin
		}
	}
	if w != "" && unicode.IsDigit([]rune(w)[0]) {
		return latin
	}
	return other
}

// terms turns normalised words into index terms: stop words dropped,
// English and Russian words stemmed, demonyms folded onto their country,
// hyphenated words kept whole and split, Chinese split into bigrams.
func terms(ws []string) []string {
	out := make([]string, 0, len(ws)+4)
	for _, w := range ws {
		out = append(out, wordTerms(w)...)
	}
	return out
}

// wordTerms returns the index terms of one normalised word; none for a
// stop word.
func wordTerms(w string) []string {
	sc := scriptOf(w)
	switch sc {
	case han:
		return appendHan(nil, w)
	case cyrillic:
		if ruStop[w] {
			return nil
		}
	}
	if strings.Contains(w, "-") {
		// The whole and its parts ("s-400": s400, 400; "сибири-2": сибири2,
		// сибир, 2), each as its script stems it.
		parts := strings.Split(w, "-")
		out := []string{partTerm(strings.Join(parts, ""))}
		for _, p := range parts {
			if p != "" && !enStop[p] && !ruStop[p] && !isLetter(p) {
				out = append(out, partTerm(p))
			}
		}
		return out
	}
	if sc == cyrillic {
		return []string{ruStem(w)}
	}
	if enStop[w] || isLetter(w) {
		return nil
	}
	if peoples[w] {
		// "Russians" is Russia, and its people: "do russians like china"
		// is about what people think, which "Russian gas" is not.
		return []string{stem(w), w}
	}
	return []string{stem(w)}
}

// partTerm is the term of a part of a hyphenated word, or of its parts
// joined: Russian or English stemming by its script.
func partTerm(w string) string {
	if scriptOf(w) == cyrillic {
		return ruStem(w)
	}
	return stem(w)
}

// ruStem is a Russian word's term: its Snowball stem (fold has read ё as е).
func ruStem(w string) string { return russian.Stem(w, true) }

// ruDemonyms fold the stems of the countries' inflections and adjectives
// onto the country's, for the domain lexicon's and the parties' look-ups
// (foldStem), as demonyms does for English: Snowball makes Китай кита but
// Китая кит, and китайский китайск.
var ruDemonyms = map[string]string{
	"кит": "кита", "китайск": "кита", "китайц": "кита",
	"российск": "росс", "русск": "росс", "россиян": "росс", "россия": "росс",
	"советск": "ссср",
}

// peoples are the plural demonyms that name a country's people, which
// stem onto the country and are a term of their own besides.
var peoples = set(`russians ukrainians americans europeans iranians koreans indians`)

// isLetter reports whether w is a single Latin letter: the "s" of "S-400"
// or of "%s" says nothing about a topic.
func isLetter(w string) bool { return len(w) == 1 && w[0] >= 'a' && w[0] <= 'z' }

// appendHan splits a run of Chinese characters into overlapping bigrams (a
// single character stays whole), the usual way to match Chinese without a
// dictionary-based segmenter.
func appendHan(out []string, w string) []string {
	rs := []rune(w)
	if len(rs) == 1 {
		return append(out, w)
	}
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

func stem(w string) string {
	if d, ok := demonyms[w]; ok {
		return d
	}
	// The plural of a name with digits ("s-400s", "su-35s", "the 1990s")
	// is the name: Snowball stems only words of letters.
	if n := len(w); n > 1 && w[n-1] == 's' && w[n-2] >= '0' && w[n-2] <= '9' {
		return w[:n-1]
	}
	if len(w) <= 3 || !isASCIIAlpha(w) {
		return w
	}
	if s, ok := stemOverrides[w]; ok {
		return s
	}
	w = british(w)
	s := english.Stem(w, true)
	if d, ok := demonyms[s]; ok {
		return d
	}
	return s
}

// british spells an American -ize word the British way, as most of the
// knowledge base does, so that both stem alike: Snowball makes
// "organization" organ but "organisation" organis, and "normalize" normal
// but "normalise" normalis. Words of six letters or fewer ("prize",
// "seize") are left as they are.
func british(w string) string {
	if len(w) < 7 {
		return w
	}
	for _, s := range [...]string{"ization", "izations", "izational", "ize", "izes", "ized", "izing", "izer", "izers"} {
		if base, ok := strings.CutSuffix(w, s); ok {
			return base + "is" + s[2:]
		}
	}
	return w
}

// stemOverrides are words whose Snowball stem is another, unrelated
// word's: "important" is not "import", "relatively" not "relations".
var stemOverrides = map[string]string{
	"important": "importan", "importance": "importan", "importantly": "importan", "unimportant": "importan",
	"relative": "relativ", "relatively": "relativ", "relatives": "relativ",
}

func isASCIIAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// demonyms map adjectives and plurals onto the country, so "Chinese cars"
// matches "China" and "Russian gas" matches "Russia".
var demonyms = map[string]string{
	"russian": "russia", "russians": "russia", "russias": "russia",
	"chinese": "china", "chinas": "china", "prc": "china",
	"soviet": "ussr", "soviets": "ussr", "ussr": "ussr",
	"american": "us", "americans": "us", "usa": "us", "america": "us",
	"ukrainian": "ukraine", "ukrainians": "ukraine",
	"iranian": "iran", "korean": "korea", "mongolian": "mongolia",
	"european": "europe", "japanese": "japan", "indian": "india",
	"kazakh": "kazakhstan", "uzbek": "uzbekistan", "syrian": "syria",
	"taiwanese": "taiwan", "arctic": "arctic", "sino": "china", "russo": "russia",
	// Words for the relationship itself.
	"tie": "relat", "ties": "relat", "relationship": "relat", "relationships": "relat",
}

// enStop are English words that carry no topic: question words, filler and
// chat noise ("hey so um what's the deal with ...").
var enStop = set(`a about above after again all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no nor not
now of off on once only or other our ours out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours whats hows whos wheres whens thats theres
hey hi hello hiya yo um uh umm erm hmm so ok okay please pls plz thanks thank tell explain describe
know wondering wonder curious question questions quick ask asking deal anyone someone something thing
everyone everybody everything anybody somebody anything
things like really actually basically just kind sort lot lots bit get got give say said says let lets
mean means happen happened happening going go goes gonna wanna whats hows id im ive youre dont doesnt
didnt isnt arent cant wont u ur r wat wut whut bot summitbot info information`)

var ruStop = set(`и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был
него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого
какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту
моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
расскажи скажи привет пожалуйста
почему отчего каков какова каково каковы какие каких каким какими какую какое является являются являлся
являлась стоит такое такая такие
это эта эти этих этим этими наш наша наше наши нашей наших ваш ваша ваше ваши вашей ваших свой своя свое
свои своих своей своим одна одно одни одного одной насколько наиболее кому кем двух двум двумя`)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// wordKinds maps each word of the sets to which of them have it: bit i for
// sets[i], so at most eight sets. A word is then looked up once, not once a
// set.
func wordKinds(sets ...map[string]bool) map[string]uint8 {
	if len(sets) > 8 {
		panic("wordKinds: more than eight sets do not fit a uint8") // the tables are built at start: a programming error
	}
	m := map[string]uint8{}
	for i, s := range sets {
		for w, in := range s {
			if in {
				m[w] |= 1 << i
			}
		}
	}
	return m
}

// languageOf reports the main non-English script of a question, if any, so
// the answer can say it is in English.
func languageOf(ws []string) string {
	var lat, cyr, hanN int
	for _, w := range ws {
		switch scriptOf(w) {
		case latin:
			lat++
		case cyrillic:
			cyr++
		case han:
			hanN += len([]rune(w))
		}
	}
	switch {
	case cyr > lat && cyr >= hanN:
		return "Russian"
	case hanN > 0 && hanN >= lat:
		return "Chinese"
	}
	return ""
}

// Similarity compares two questions in [0,1]: the Dice coefficient of their
// stemmed, stop-word-free terms. It needs no knowledge base, so reports can
// cluster stored questions with the engine's own normalisation.
func Similarity(a, b string) float64 { return Dice(Terms(a), Terms(b)) }

// Terms returns the distinct index terms of a text, sorted: what Similarity
// compares. Callers comparing many texts compute them once.
func Terms(s string) []string {
	ts := terms(words(s))
	slices.Sort(ts)
	return slices.Compact(ts)
}

// Dice is the Dice coefficient of two sorted, distinct term lists.
func Dice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			common++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}
