package bot

import "testing"

// TestQueryTerm: query.phraseTerm finds the question's first term with an
// id, whatever the ids that share its remainder, and none for an id the
// question lacks.
func TestQueryTerm(t *testing.T) {
	idx := embeddedBot(t).idx.Load()
	many := make([]int32, 300) // more terms than query.at can index
	for i := range many {
		many[i] = int32(i)
	}
	for _, tc := range []struct {
		name string
		ids  []int32
	}{
		{"one id a remainder", []int32{3, 7, 12}},
		{"ids sharing a remainder", []int32{3, 259, 515, 7}},
		{"an id twice", []int32{3, 7, 3, 259, 7}},
		{"unknown words", []int32{-1, 10, -1, 10}},
		{"over 254 terms", many},
	} {
		qs := make([]qterm, len(tc.ids))
		for i, id := range tc.ids {
			qs[i] = qterm{id: id, slot: int32(i), factor: 1, weight: 1, word: "x"}
		}
		q := idx.newQuery(nil, qs)
		for _, id := range []int32{0, 3, 7, 10, 12, 259, 299, 515, 771, 1000} {
			var want *phraseTerm
			for i := range q.qs {
				if q.qs[i].id == id {
					want = &q.phraseTerms[i]
					break
				}
			}
			if got := q.phraseTerm(id); got != want {
				t.Errorf("%s: phraseTerm(%d) = %p, want %p", tc.name, id, got, want)
			}
		}
	}
}

// newQuery is the question's query, for the tests (rankIn sets its own in
// place: setQuery).
func (idx *index) newQuery(ws []string, qs []qterm) query {
	var q query
	idx.setQuery(&q, ws, qs, nil)
	return q
}
