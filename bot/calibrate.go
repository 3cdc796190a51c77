package bot

import (
	_ "embed"
	"math"
	"slices"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
)

// The decision to answer is a logistic regression over the ranking's
// signals, fit every time an index is built, on the knowledge base's own
// data: each topic's alternate questions, held out by fold, are the
// positives (a question is a positive when its topic comes first); the
// regression set's `expect: none` questions and a built-in set of everyday
// off-topic questions are the negatives. The confidence it gives is the
// fitted probability that the first topic is the right answer.

// The signals the model reads, in order.
var signalNames = [...]string{
	"score",          // the ranking's own score
	"coverage",       // share of the question's weight the topic explains
	"known",          // the same, of the words the index knows
	"similarity",     // cosine similarity to the closest phrase
	"contained",      // share of the best alias, title or question in the question
	"margin",         // lead over the next candidate
	"informative",    // how much the known words say
	"unknown",        // share of the weight in unknown, uncommon words
	"name",           // a whole alias is in the question
	"rarest",         // idf of the rarest matched term, relative
	"expanded",       // share of the explained weight matched through synonyms or WordNet
	"unknown-more",   // more than one uncommon unknown word
	"fields",         // share of the question's weight found in names, questions, titles, keywords
	"typos",          // share of the explained weight matched by typo or compound
	"missed",         // share of the question's uncommon words the topic lacks
	"matched",        // how many uncommon words the topic has, over four at most
	"evidence",       // the explained weight against the largest idf, over three at most
	"sides",          // how many of the relationship's two sides the question names, over two
	"subject",        // off-topic log-odds of the unknown words' kinds, by their share of the weight
	"specific",       // how much the matched words belong to the knowledge base rather than to English
	"least-specific", // the same, of the least specific matched word
	"dense",          // cosine of the question's and the topic's word vectors (dense.go)
	"direction",      // + the question's way, - the other way: the closest phrase, if the topic reads only one way (direction.go)
	"year",           // + the topic's names name the question's year, - only other years (yearSignal), by the coverage of its other words
	"question-only",  // share of the explained weight in common words the topic has only in its alternate questions
	"one-sided",      // the question names one side, and the topic's alternate questions name both (topicEntry.bilateral)
	"one-of-two",     // the question names Xi and Putin, and the topic is one leader's own
}

const nSignals = len(signalNames)

type features [nSignals]float64

func signals(c *scored, q *query) features {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	return features{c.score, c.coverage, c.known, c.similarity, c.contained, c.margin, q.info, q.hardUnknown,
		b(c.name), c.rarest, c.loose, b(q.hardWords > 1), c.strong, c.typo, c.missed, c.matched, c.evidence, q.sides, q.subject, c.specific, c.leastSpecific, c.dense, c.direction, c.year * c.restCoverage, c.questionOnly, c.oneSided, c.leaderOfTwo}
}

// model is the fitted decision: two logistic regressions over the same
// signals. The first is the probability that a candidate is the answer;
// it orders the candidates (without the one-sided signal's part: see
// model.order) and is the confidence shown. The second is the
// probability that the question is in scope at all, whichever topic
// answers it: the bot declines when that is low. The two differ on an
// in-scope question whose topic is uncertain: declining it helps no one.
type model struct {
	coef [nSignals]float64
	bias float64
	// scope is the in-scope model; nil when there was too little to fit.
	scope *scopeModel
}

// scopeModel is the in-scope logistic regression. Its inputs are the
// signals twice: as they are, and again for a question that does not name
// both sides of the relationship (zero when it does). A question about
// both sides and one about AUKUS alone are in scope for different
// reasons; a linear model over the signals alone could learn only one.
type scopeModel struct {
	coef []float64
	bias float64
}

// sidesSignal is the index of "sides" in the signals.
var sidesSignal = slices.Index(signalNames[:], "sides")

// scopeInputs returns the in-scope model's inputs for a candidate's signals.
func scopeInputs(x features) (out [2 * nSignals]float64) {
	copy(out[:], x[:])
	if x[sidesSignal] < 1 {
		copy(out[nSignals:], x[:])
	}
	// Whether a question is in scope does not depend on which of a topic's
	// fields its words are found in.
	out[questionOnlySignal], out[nSignals+questionOnlySignal] = 0, 0
	// The one-sided signal is zero unless the question names one side:
	// its copy for such questions would be the same input twice.
	out[nSignals+oneSidedSignal] = 0
	return out
}

// scopeName is the name of the in-scope model's input i.
func scopeName(i int) string {
	if i < nSignals {
		return signalNames[i]
	}
	return signalNames[i-nSignals] + " (not both sides)"
}

// probability returns the in-scope probability for a candidate's signals,
// and records its parts in sc if it is not nil.
func (m *scopeModel) probability(x features, sc *Scope) float64 {
	in := scopeInputs(x)
	var parts *[]Signal
	if sc != nil {
		sc.Bias = round3(m.bias)
		parts = &sc.Signals
	}
	return logistic(m.bias, m.coef, in[:], scopeName, parts)
}

// logistic returns sigmoid(bias + coef·x), and appends each input's part
// to parts if it is not nil, named by name: the explanation is the sum.
func logistic(bias float64, coef, x []float64, name func(int) string, parts *[]Signal) float64 {
	z := logit(bias, coef, x)
	if parts != nil {
		for i, v := range x {
			*parts = append(*parts, Signal{Name: name(i), Value: round3(v), Coef: round3(coef[i]), Part: round3(coef[i] * v)})
		}
	}
	return sigmoid(z)
}

// logit returns bias + coef·x.
func logit(bias float64, coef, x []float64) float64 {
	z := bias
	for i, v := range x {
		z += coef[i] * v
	}
	return z
}

func fitScope(data []sample) *scopeModel {
	xs := make([][]float64, len(data))
	for k := range data {
		in := scopeInputs(data[k].x)
		xs[k] = in[:]
	}
	coef, bias, ok := fitWeights(data, xs, nil)
	if !ok {
		return nil
	}
	return &scopeModel{coef: coef, bias: bias}
}

// inScope returns the probability that the question is in scope, judged
// on the candidate that ranks first.
// It records its parts in ex.Scope if ex is not nil.
func (m *model) inScope(c *scored, q *query, ex *CandidateExplanation) float64 {
	if m == nil || m.scope == nil {
		return c.confidence
	}
	var sc *Scope
	if ex != nil {
		sc = &Scope{}
	}
	p := m.scope.probability(signals(c, q), sc)
	if ex != nil {
		sc.InScope = round3(p)
		ex.Scope = sc
	}
	// A topic the first model is sure of is the answer to an in-scope
	// question, whatever the scope model makes of its form ("glonass").
	return max(c.confidence, p)
}

// confidence returns the calibrated probability for a candidate, and
// records its parts in ex if it is not nil. Without a model (while one is
// being fit) it is the ranking's score.
func (m *model) confidence(c *scored, q *query, ex *CandidateExplanation) float64 {
	if m == nil {
		return c.score
	}
	x := signals(c, q)
	var parts *[]Signal
	if ex != nil {
		ex.Bias = round3(m.bias)
		parts = &ex.Signals
	}
	return logistic(m.bias, m.coef[:], x[:], signalName, parts)
}

// order returns the key the candidates are ordered by: the confidence
// without the part of the one-sided signal. That signal says a question
// naming one side is less likely to be about a topic of the two together
// (visa-free travel) than its words say; it is the decision's, which it
// helps decline "do I need a visa for China", and not the order's, where it
// would favour any topic about one side over one about both.
func (m *model) order(c *scored, q *query) float64 {
	_, order := m.scores(c, q)
	return order
}

// scores returns a candidate's confidence and its order key (order), from
// one logit: the order is that logit without the one-sided part.
func (m *model) scores(c *scored, q *query) (confidence, order float64) {
	if m == nil {
		return c.score, c.score
	}
	x := signals(c, q)
	z := logit(m.bias, m.coef[:], x[:])
	confidence = sigmoid(z)
	if c.oneSided == 0 {
		return confidence, confidence
	}
	return confidence, sigmoid(z - m.coef[oneSidedSignal]*x[oneSidedSignal])
}

func signalName(i int) string { return signalNames[i] }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

//go:embed offtopic.txt
var offTopicText string

//go:embed clauses.txt
var clausesText string

// lines returns the non-empty lines of a text that are not # comments.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

var (
	offTopic = lines(offTopicText)
	clauses  = lines(clausesText)
)

const (
	// fitFolds is how many folds the alternate questions are held out in.
	fitFolds = 5
	// maxFitQuestions bounds the alternate questions the fit asks, so that
	// building a large index stays quick; topics are then sampled evenly.
	maxFitQuestions = 1500
	// ridge is the L2 penalty on the standardised coefficients.
	ridge = 30.0
)

type sample struct {
	x features
	y float64
	w float64 // weight: the variants of one question share one
}

// fitStride is the fit's step through the topics: 1 while the knowledge
// base has at most maxFitQuestions alternate questions, more beyond, so
// that the topics it asks are sampled evenly. It is 0 when there are too
// few questions to fit on (minFit).
func fitStride(kb *knowledge.KB) int {
	nq := 0
	for _, t := range kb.Topics {
		nq += len(t.Questions)
	}
	if nq < minFit {
		return 0
	}
	return max(1, (nq+maxFitQuestions-1)/maxFitQuestions)
}

// fitParts returns the parts (index.parts) of the topics whose alternate
// questions the fit holds out, by topic: every stride-th topic of more
// than one question. The index builds them before the topics' vectors,
// which are made of the same vector parts (setVectors).
func (idx *index) fitParts(kb *knowledge.KB) map[int]*topicParts {
	stride := fitStride(kb)
	if stride == 0 {
		return nil
	}
	parts := map[int]*topicParts{}
	for ti := 0; ti < len(kb.Topics); ti += stride {
		if len(kb.Topics[ti].Questions) > 1 {
			p := idx.parts(kb.Topics[ti])
			parts[ti] = &p
		}
	}
	return parts
}

// fit fits the decision model on the knowledge base's own questions, with
// the held-out topics' parts from fitParts. It is deterministic: the
// folds, the sampled topics and the context clauses added to questions
// all follow from the order of the knowledge base.
func (idx *index) fit(kb *knowledge.KB, parts map[int]*topicParts) *model {
	var data, scope []sample
	// ask asks a question of in and keeps its first candidate's signals:
	// for the in-scope model always, for the first model unless scopeOnly.
	ask := func(in *index, q string, want int, weight float64, scopeOnly bool) {
		ws := words(q)
		r := in.rankIn(ws, in.resolve(ws), false)
		cands, query := r.cands, r.q
		if len(cands) == 0 {
			return
		}
		y, in_ := 0.0, 0.0
		if cands[0].topic == want {
			y = 1
		}
		if want >= 0 {
			in_ = 1
		}
		x := signals(&cands[0], &query)
		if !scopeOnly {
			data = append(data, sample{x: x, y: y, w: weight})
		}
		scope = append(scope, sample{x: x, y: in_, w: weight})
	}
	stride := fitStride(kb)
	if stride == 0 {
		return nil // too few to fit on (see minFit): skip asking them
	}
	for f := range fitFolds {
		held := map[int]func(int) bool{}
		for ti := range parts {
			held[ti] = func(qi int) bool { return qi%fitFolds == f }
		}
		in := idx.without(held, parts)
		for ti := 0; ti < len(kb.Topics); ti += stride {
			if held[ti] == nil {
				continue
			}
			for qi, q := range kb.Topics[ti].Questions {
				if qi%fitFolds != f {
					continue
				}
				ask(in, q, ti, 0.5, false)
				// The same question after a clause of context: words the
				// knowledge base does not know must not sink it by themselves.
				if len(clauses) > 0 {
					ask(in, clauses[(ti+qi)%len(clauses)]+" "+q, ti, 0.25, false)
				}
				// And as people type it: letters slipped in its long words,
				// two words run together.
				if typo := slips(q); typo != q {
					ask(in, typo, ti, 0.25, false)
				}
				if joined := runTogether(q); joined != q {
					ask(in, joined, ti, 0.25, false)
				}
			}
		}
	}
	// A name typed alone ("glonass", "the Sino-Soviet split") is an
	// in-scope question too, and the index holds it as a user would find
	// it: the topics' aliases and titles, asked of the whole index, are
	// positives of the in-scope model only.
	for ti := 0; ti < len(kb.Topics); ti += stride {
		t := kb.Topics[ti]
		names := append([]string{t.Title}, t.Aliases...)
		for _, a := range names {
			ask(idx, a, ti, 0.5/float64(len(names)), true)
		}
	}
	for _, tc := range kb.Tests {
		if tc.Expect == knowledge.None {
			ask(idx, tc.Question, -1, 1, false)
		}
	}
	for _, q := range offTopic {
		ask(idx, q, -1, 1, false)
	}
	m := fitLogistic(data)
	if m != nil {
		if enough(scope) {
			// Balanced only once there is enough of each class to fit on.
			m.scope = fitScope(balanced(scope))
		}
	}
	return m
}

// balanced returns the samples with the negatives reweighted to weigh as
// much as the positives: whether a question is in scope should not depend
// on how many questions of each kind the fit happens to ask.
func balanced(data []sample) []sample {
	pos, neg := classWeights(data)
	out := slices.Clone(data)
	if pos > 0 && neg > 0 {
		for i := range out {
			if out[i].y == 0 {
				out[i].w *= pos / neg
			}
		}
	}
	return out
}

// enough reports whether both classes weigh at least minFit.
func enough(data []sample) bool {
	pos, neg := classWeights(data)
	return pos >= minFit && neg >= minFit
}

// classWeights returns the summed weights of the positives and negatives.
func classWeights(data []sample) (pos, neg float64) {
	for _, s := range data {
		if s.y > 0 {
			pos += s.w
		} else {
			neg += s.w
		}
	}
	return pos, neg
}

// minFit is the least weight of each class (questions, whatever their
// variants) to fit a model on. A knowledge base too small for that (a test
// fixture of a few topics) keeps the ranking's score as its confidence.
const minFit = 40

// fitLogistic fits the decision model on signals: see fitWeights.
// The signals in laterSignals are fit after the others, each on top of
// the model without any of them (fitOn).
func fitLogistic(data []sample) *model {
	xs := make([][]float64, len(data))
	for k := range data {
		x := data[k].x
		for _, i := range laterSignals {
			x[i] = 0
		}
		xs[k] = x[:]
	}
	coef, bias, ok := fitWeights(data, xs, nil)
	if !ok {
		return nil
	}
	m := &model{bias: bias}
	copy(m.coef[:], coef)
	// Each on top of the others alone: not of one another, so that adding
	// one leaves the others' coefficients as they were.
	base := *m
	for _, i := range laterSignals {
		m.coef[i] = fitOn(&base, data, i)
	}
	return m
}

// laterSignals are the signals the confidence model fits after the
// others. The year is zero for most questions: fit with the others it
// shifts every coefficient a little, and with them the order of questions
// that name no year; fit on top of them it moves the confidence only where
// it is not zero. So is the question-only share, for most questions. (The
// in-scope model fits the year with the others, and does not read the
// question-only share: see scopeInputs.)
var laterSignals = [...]int{slices.Index(signalNames[:], "year"), questionOnlySignal}

// oneSidedSignal is the index of "one-sided" in the signals.
var oneSidedSignal = slices.Index(signalNames[:], "one-sided")

// questionOnlySignal is the index of "question-only" in the signals.
var questionOnlySignal = slices.Index(signalNames[:], "question-only")

// fitOn returns the coefficient of signal i fit on top of m, whose
// coefficient of i is zero: a one-variable logistic regression with m's
// logit as its offset (fitWeights).
func fitOn(m *model, data []sample, i int) float64 {
	xs := make([][]float64, len(data))
	offset := make([]float64, len(data))
	for k := range data {
		x := &data[k].x
		xs[k] = x[i : i+1]
		offset[k] = m.bias
		for j, v := range x {
			offset[k] += m.coef[j] * v
		}
	}
	coef, _, ok := fitWeights(data, xs, offset)
	if !ok {
		return 0
	}
	return coef[0]
}

// fitWeights fits a ridge-penalised, weighted logistic regression of the
// samples' labels on xs (one vector per sample, all of one length) by
// Newton's method on standardised inputs. It fails with less than minFit
// of either class.
//
// offset, if not nil, is each sample's logit before xs: the logit of a
// model the inputs are fit on top of. There is then no bias of the fit's
// own (the offset holds one; the bias returned is 0), and the inputs are
// scaled but not centred, so that an input moves the logit only where it
// is not zero.
func fitWeights(data []sample, xs [][]float64, offset []float64) (coef []float64, bias float64, ok bool) {
	if !enough(data) || len(xs) == 0 {
		return nil, 0, false
	}
	n := len(xs[0])
	mean, sd := make([]float64, n), make([]float64, n)
	for _, x := range xs {
		for i, v := range x {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(len(xs))
	}
	for _, x := range xs {
		for i, v := range x {
			sd[i] += (v - mean[i]) * (v - mean[i])
		}
	}
	// With a bias (nBias 1), w[0] is the bias and w[1..n] the standardised
	// coefficients; with an offset (nBias 0), w[0..n-1] are.
	nBias := 1
	if offset != nil {
		nBias = 0
	}
	for i := range sd {
		sd[i] = math.Sqrt(sd[i] / float64(len(xs)))
		if offset != nil {
			mean[i] = 0
		}
	}
	// perSD is v over input i's standard deviation: 0 for a constant
	// input, whose coefficient then stays 0.
	perSD := func(i int, v float64) float64 {
		if sd[i] < 1e-9 {
			return 0
		}
		return v / sd[i]
	}
	w := make([]float64, nBias+n)
	z := make([][]float64, len(xs))
	flat := make([]float64, len(xs)*len(w)) // the rows in one array
	for k, x := range xs {
		z[k], flat = flat[:len(w):len(w)], flat[len(w):]
		if nBias == 1 {
			z[k][0] = 1
		}
		for i, v := range x {
			z[k][nBias+i] = perSD(i, v-mean[i])
		}
	}
	newton(data, z, offset, nBias, w)
	coef = make([]float64, n)
	if nBias == 1 {
		bias = w[0]
	}
	for i := range n {
		coef[i] = perSD(i, w[nBias+i])
		bias -= coef[i] * mean[i]
	}
	return coef, bias, true
}

// newton fits w, from where it starts, by Newton's method: the weighted
// logistic regression of the samples' labels on z (one row per sample)
// plus the offset (if not nil), with every weight but the first nBias
// penalised by ridge·w²/2.
func newton(data []sample, z [][]float64, offset []float64, nBias int, w []float64) {
	n := len(w)
	g := make([]float64, n)
	h := make([][]float64, n)
	for i := range h {
		h[i] = make([]float64, n)
	}
	for range 50 {
		clear(g)
		for i := range h {
			clear(h[i])
		}
		for k, s := range data {
			zk := z[k]
			var lin float64
			if offset != nil {
				lin = offset[k]
			}
			for i := range w {
				lin += w[i] * zk[i]
			}
			p := sigmoid(lin)
			r := s.w * p * (1 - p)
			for i, zi := range zk {
				g[i] += s.w * (p - s.y) * zi
				// The upper triangle, in slices the loop needs no
				// bounds checks in: it is most of the fit's time.
				rz, zs := r*zi, zk[i:]
				hi := h[i][i:]
				hi = hi[:len(zs)]
				for j, zj := range zs {
					hi[j] += rz * zj
				}
			}
		}
		for i := range h {
			for j := range i {
				h[i][j] = h[j][i]
			}
		}
		for i := nBias; i < n; i++ {
			g[i] += ridge * w[i]
			h[i][i] += ridge
		}
		for i := range nBias {
			h[i][i] += 1e-9
		}
		step, ok := solve(h, g)
		if !ok {
			break
		}
		size := 0.0
		for i := range w {
			w[i] -= step[i]
			size = max(size, math.Abs(step[i]))
		}
		if size < 1e-8 {
			break
		}
	}
}

// solve solves a x = b by Gaussian elimination with partial pivoting. It
// works on copies: a and b are left as they were.
func solve(a [][]float64, b []float64) ([]float64, bool) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = slices.Clone(a[i])
	}
	b = slices.Clone(b)
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if math.Abs(m[p][col]) < 1e-12 {
			return b, false
		}
		m[col], m[p] = m[p], m[col]
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c < n; c++ {
				m[r][c] -= f * m[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		v := b[r]
		for c := r + 1; c < n; c++ {
			v -= m[r][c] * x[c]
		}
		x[r] = v / m[r][r]
	}
	return x, true
}

// slips makes typist's slips, one in each word of five or six letters and
// two in longer words, never in the first letter: letters swapped,
// dropped, doubled or replaced, in turn.
func slips(q string) string {
	ws := strings.Fields(q)
	k := 0
	for i, w := range ws {
		if len(w) < 5 || !isASCIIAlpha(strings.ToLower(w)) {
			continue
		}
		b := []byte(w)
		for n := 0; n < 1 || n < 2 && len(w) >= 7; n++ {
			p := 1 + (i*7+k)%(len(b)-2)
			switch k % 4 {
			case 0:
				b[p], b[p+1] = b[p+1], b[p]
			case 1:
				b = append(b[:p:p], b[p+1:]...)
			case 2:
				b = append(b[:p+1:p+1], b[p:]...)
			default:
				b[p] = 'a' + (b[p]-'a'+1)%26
			}
			k++
		}
		ws[i] = string(b)
	}
	return strings.Join(ws, " ")
}

// runTogether writes the first two adjacent words of four letters or more
// without the space between them.
func runTogether(q string) string {
	ws := strings.Fields(q)
	for i := 0; i+1 < len(ws); i++ {
		a, b := strings.ToLower(ws[i]), strings.ToLower(ws[i+1])
		if len(a) >= 4 && len(b) >= 4 && isASCIIAlpha(a) && isASCIIAlpha(b) && !enStop[a] && !enStop[b] {
			return strings.Join(append(append(ws[:i:i], ws[i]+ws[i+1]), ws[i+2:]...), " ")
		}
	}
	return q
}
