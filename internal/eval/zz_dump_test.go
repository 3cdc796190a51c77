package eval

import (
	"fmt"
	"os"
	"testing"

	"github.com/summitbot/summitbot/bot"
	"github.com/summitbot/summitbot/knowledge"
)

func TestZZDumpCV(t *testing.T) {
	out := os.Getenv("CVDUMP")
	if out == "" {
		t.Skip()
	}
	kb, err := knowledge.Load(knowledge.Embedded(), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(out)
	defer f.Close()
	k := 5
	for fo := range k {
		var topics []*knowledge.Topic
		var held []knowledge.TestCase
		for _, tp := range kb.Topics {
			c := *tp
			c.Questions = nil
			for i, q := range tp.Questions {
				if i%k == fo {
					held = append(held, knowledge.TestCase{Question: q, Expect: tp.ID})
				} else {
					c.Questions = append(c.Questions, q)
				}
			}
			topics = append(topics, &c)
		}
		foldKB := knowledge.NewKB(topics, kb.Timeline, held)
		foldKB.Synonyms = kb.Synonyms
		b := bot.New(foldKB, bot.Options{})
		for _, tc := range held {
			r := b.Rank(tc.Question, 3)
			top, conf := "", 0.0
			if len(r) > 0 {
				top, conf = r[0].ID, r[0].Confidence
			}
			fmt.Fprintf(f, "%v\t%.3f\t%s\t%s\t%s\n", top == tc.Expect, conf, tc.Expect, top, tc.Question)
		}
	}
}
