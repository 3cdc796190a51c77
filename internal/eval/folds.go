package eval

import (
	"context"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

// Fold is the cross-validated score of one ranker.
type Fold struct {
	Ranker          string  `json:"ranker"`
	Questions       int     `json:"questions"`
	Top1            float64 `json:"top1"`
	MRR             float64 `json:"mrr"`
	WronglyDeclined float64 `json:"in_scope_wrongly_declined"`
	// Calibration is for the engine only, on the held-out questions.
	Calibration []Bucket `json:"calibration,omitempty"`
}

// CrossValidate guards against tuning to the test: each topic's own
// alternate questions are split into k folds; for each fold, the engine
// and the reference rankers index a knowledge base without that fold's
// questions and are asked them. The references decline below the
// thresholds tuned on the regression set (their best case there).
func CrossValidate(ctx context.Context, kb *knowledge.KB, k int, thresholds map[string]float64, engineThreshold float64) []Fold {
	if k < 2 {
		return nil
	}
	totals := map[string]*[4]float64{} // questions, top1, rr, declined
	var names []string
	var engine []asked
	for f := range k {
		foldKB, held := fold(kb, k, f)
		rankers := []Ranker{Engine{Bot: bot.New(foldKB, bot.Options{Threshold: engineThreshold})}, NewFuzzy(foldKB), NewBM25(foldKB)}
		for _, r := range rankers {
			if totals[r.Name()] == nil {
				totals[r.Name()] = &[4]float64{}
				names = append(names, r.Name())
			}
			tot := totals[r.Name()]
			for _, tc := range held {
				res := r.Rank(ctx, tc.Question)
				if res.Decides {
					engine = append(engine, asked{tc, res})
				}
				c := chosen(res, thresholds[r.Name()])
				tot[0]++
				if c == tc.Expect {
					tot[1]++
				}
				if c == "" {
					tot[3]++
				}
				for i, id := range res.Ranked {
					if id == tc.Expect {
						tot[2] += 1 / float64(i+1)
						break
					}
				}
			}
		}
	}
	var out []Fold
	for _, name := range names {
		t := totals[name]
		n := int(t[0])
		f := Fold{Ranker: name, Questions: n, Top1: ratio(t[1], n), MRR: ratio(t[2], n), WronglyDeclined: ratio(t[3], n)}
		if name == (Engine{}).Name() {
			f.Calibration = calibration(engine)
		}
		out = append(out, f)
	}
	return out
}

// fold returns the knowledge base of fold f of k: every topic without its
// alternate questions i with i%k == f, which are returned as the questions
// to ask. The fold keeps the regression set and the lexicon, as the
// shipped knowledge base does: the engine's fit reads the regression set
// (its off-topic questions are negatives), and the held-out questions are
// only asked, never fit on.
func fold(kb *knowledge.KB, k, f int) (*knowledge.KB, []knowledge.TestCase) {
	var topics []*knowledge.Topic
	var held []knowledge.TestCase
	for _, t := range kb.Topics {
		c := *t
		c.Questions = nil
		for i, q := range t.Questions {
			if i%k == f {
				held = append(held, knowledge.TestCase{Question: q, Expect: t.ID})
			} else {
				c.Questions = append(c.Questions, q)
			}
		}
		topics = append(topics, &c)
	}
	foldKB := knowledge.NewKB(topics, kb.Timeline, kb.Tests)
	foldKB.Synonyms = kb.Synonyms
	return foldKB, held
}
