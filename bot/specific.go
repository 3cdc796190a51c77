package bot

import (
	"math"

	"github.com/summitbot/summitbot/bot/lexicon"
)

// A word that matches a topic says more the more it belongs to the
// knowledge base's subject rather than to English at large. "phone",
// "currency" or "people" are rare in the topics but common everywhere: an
// off-topic question hits them by chance. "glonass", "zhenbao" or
// "pipeline" are, for their frequency in English, the knowledge base's own.
// A term's specificity is the log-ratio of the two: the share of topics
// that have it against its frequency in general English (its senses'
// tagged occurrences in WordNet's semantic concordance, SemCor). The
// decision reads it as two signals (calibrate.go): the explained weight's
// mean specificity, and that of its least specific matched word.

// englishLog returns, per term id, the log of the term's frequency in
// general English, +½ so that a word SemCor never saw is rare rather than
// impossible: the most of its surface words'. A term with no English
// surface word (Chinese, Russian) counts as never seen.
func englishLog(idx *index) []float32 {
	tags := make([]int, len(idx.postings))
	var buf []lexicon.Usage
	for w, id := range idx.surfaces {
		buf = lexicon.Usages(w, buf[:0])
		n := 0
		for _, u := range buf {
			n += u.Tags
		}
		tags[id] = max(tags[id], n)
	}
	out := make([]float32, len(tags))
	for id, n := range tags {
		out[id] = float32(math.Log(float64(n) + 0.5))
	}
	return out
}

// specificities returns each term's specificity: its log share of topics
// minus its log frequency in English (up to a constant, which the fit
// absorbs), 0 for a term no topic has.
func (idx *index) specificities() []float32 {
	out := make([]float32, len(idx.postings))
	for id := range out {
		out[id] = idx.specificityOf(int32(id))
	}
	return out
}

func (idx *index) specificityOf(id int32) float32 {
	df := len(idx.postings[id])
	if df == 0 || int(id) >= len(idx.enLog) {
		return 0
	}
	return float32(math.Log(float64(df)/float64(len(idx.topics)))) - idx.enLog[id]
}

// specificity is a term's specificity, computed at index build.
func (idx *index) specificity(id int32) float64 { return float64(idx.spec[id]) }
