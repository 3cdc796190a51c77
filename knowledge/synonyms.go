package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml/ast"
)

// SynonymsFile is the domain lexicon moderators own: groups of equivalent
// terms and one-way broader terms. It is optional.
const SynonymsFile = "synonyms.yaml"

// Synonyms is the domain lexicon from synonyms.yaml.
//
//	# groups: equivalent terms, any script. broader: one-way, narrow → broad
//	groups:
//	  - [alliance, mutual defence pact, military alliance, союз, 同盟]
//	broader:
//	  - narrow: [the kremlin, kremlin]
//	    broad: russia
//
// Terms are kept as written, trimmed; the engine normalises them as it
// normalises questions.
type Synonyms struct {
	// Groups are sets of terms that mean the same: a question using any
	// of them matches a topic using any other.
	Groups []SynonymGroup `json:"groups,omitempty"`
	// Broader are one-way links: a question using a narrow term matches a
	// topic using the broad one, not the reverse.
	Broader []BroaderTerm `json:"broader,omitempty"`
}

// SynonymGroup is one group of equivalent terms.
type SynonymGroup struct {
	Terms []string `json:"terms"`
	// Line is where the group starts in synonyms.yaml, for explanations.
	Line int `json:"line"`
}

// BroaderTerm says each Narrow term stands for the Broad one.
type BroaderTerm struct {
	Narrow []string `json:"narrow"`
	Broad  string   `json:"broad"`
	// Line is where the entry starts in synonyms.yaml.
	Line int `json:"line"`
}

// synonyms reads and checks synonyms.yaml against the loaded topics. A
// missing file is an empty lexicon.
func (l *loader) synonyms(kb *KB) Synonyms {
	var syn Synonyms
	if l.missing(SynonymsFile) {
		return syn
	}
	src, ok := l.read(SynonymsFile)
	if !ok {
		return syn
	}
	d := l.decoder(SynonymsFile, 0)
	root, ok := d.parse(src)
	if !ok || root == nil {
		return syn
	}
	vals, _, ok := d.fields(root, SynonymsFile, "groups", "broader")
	if !ok {
		return syn
	}
	lint := newSynonymLint(d, kb)
	for i, item := range d.list(vals["groups"], "groups") {
		what := fmt.Sprintf("groups[%d]", i)
		terms := lint.terms(d.strings(item, what), what)
		line, _ := pos(item)
		if len(terms) < 2 {
			d.errAt(item, "%s needs at least two terms (a group lists terms that mean the same)", what)
			continue
		}
		lint.group(terms, what, item)
		syn.Groups = append(syn.Groups, SynonymGroup{Terms: values(terms), Line: line})
	}
	for i, item := range d.list(vals["broader"], "broader") {
		what := fmt.Sprintf("broader[%d]", i)
		fields, _, ok := d.fields(item, what, "narrow", "broad")
		if !ok {
			continue
		}
		line, col := startOf(item)
		var narrow []str
		if _, one := unwrap(fields["narrow"]).(*ast.StringNode); one {
			s, _ := d.scalar(fields["narrow"], what+".narrow")
			narrow = []str{s}
		} else {
			narrow = d.strings(fields["narrow"], what+".narrow")
		}
		narrow = lint.terms(narrow, what+".narrow")
		broad, okb := d.scalar(fields["broad"], what+".broad")
		switch {
		case len(narrow) == 0:
			d.add(Error, line, col, "%s has no narrow terms", what)
			continue
		case !okb || broad.V == "":
			d.add(Error, line, col, "%s has no broad term", what)
			continue
		}
		lint.broader(narrow, broad, what)
		syn.Broader = append(syn.Broader, BroaderTerm{Narrow: values(narrow), Broad: broad.V, Line: line})
	}
	lint.cycles()
	return syn
}

// startOf is where a mapping begins: its first key (goccy/go-yaml places
// a mapping's own token at its first colon).
func startOf(n ast.Node) (int, int) {
	switch m := unwrap(n).(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			return pos(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return pos(m.Key)
	}
	return pos(n)
}

// synonymLint holds what the checks across entries need.
type synonymLint struct {
	d *decoder
	// text is every topic's words, normalised, with a space either side:
	// a term "appears" in the knowledge base when " term " is in it.
	text string
	// alias maps a normalised topic alias to its topic.
	alias map[string]string
	// grouped maps a normalised term to the group that holds it.
	grouped map[string]str
	// edges is the broader graph, between nodes (see node); edgeList
	// keeps the order the links were written in.
	edges    map[string][]edge
	pairs    map[[2]string]bool
	edgeList []string
}

type edge struct {
	to   string
	from str // where the link was written
}

func newSynonymLint(d *decoder, kb *KB) *synonymLint {
	var b strings.Builder
	alias := map[string]string{}
	b.WriteByte(' ')
	for _, t := range kb.Topics {
		for _, s := range slices.Concat([]string{t.ID, t.Title, t.Answer, t.Details}, t.Aliases, t.Questions, t.Keywords) {
			b.WriteString(wordsKey(s))
			b.WriteString(" | ") // no term spans two fields
		}
		for _, a := range t.Aliases {
			alias[wordsKey(a)] = t.ID
		}
	}
	return &synonymLint{d: d, text: b.String(), alias: alias, grouped: map[string]str{}, edges: map[string][]edge{}, pairs: map[[2]string]bool{}}
}

// wordsKey normalises a term, and topic text for the appears-in check:
// folded case, words of letters and digits joined by single spaces (so
// "Sino-Russian" and "sino russian" are one term).
func wordsKey(s string) string {
	return strings.Join(strings.FieldsFunc(foldKey(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	}), " ")
}

// appears reports whether term occurs in some topic, as whole words,
// allowing an English plural on its last word.
func (c *synonymLint) appears(term string) bool {
	k := wordsKey(term)
	if k == "" {
		return false
	}
	for _, suffix := range []string{" ", "s ", "es "} {
		if strings.Contains(c.text, " "+k+suffix) {
			return true
		}
	}
	return false
}

// terms drops duplicates within one entry, reporting them.
func (c *synonymLint) terms(ss []str, what string) []str {
	var out []str
	seen := map[string]bool{}
	for _, s := range ss {
		k := wordsKey(s.V)
		if k == "" {
			c.d.errStr(s, "%s: a term is empty (it has no letters or digits)", what)
			continue
		}
		if seen[k] {
			c.d.errStr(s, "%s lists %q twice", what, s.V)
			continue
		}
		seen[k] = true
		out = append(out, s)
	}
	return out
}

func (c *synonymLint) group(terms []str, what string, item ast.Node) {
	anyKnown := false
	var topicTerm str
	topic := ""
	for _, s := range terms {
		k := wordsKey(s.V)
		if first, dup := c.grouped[k]; dup {
			c.d.errStr(s, "%s: %q is already in the group on line %d (merge the two groups)", what, s.V, first.Line)
		} else {
			c.grouped[k] = str{V: terms[0].V, Line: terms[0].Line, Col: terms[0].Col}
		}
		if c.appears(s.V) {
			anyKnown = true
		}
		if id, ok := c.alias[k]; ok {
			if topic != "" && id != topic {
				c.d.errStr(s, "%s merges %q, an alias of topic %q, with %q, an alias of topic %q: a group must not make two topics' names the same", what, topicTerm.V, topic, s.V, id)
			} else {
				topic, topicTerm = id, s
			}
		}
	}
	if !anyKnown {
		c.d.errAt(item, "%s: none of its terms appears in any topic (unknown term); a group needs at least one term the knowledge base uses", what)
	}
}

// node is the broader graph's name for a term: a grouped term is its
// group.
func (c *synonymLint) node(term string) string {
	k := wordsKey(term)
	if g, ok := c.grouped[k]; ok {
		return "group:" + wordsKey(g.V)
	}
	return k
}

func (c *synonymLint) broader(narrow []str, broad str, what string) {
	if !c.appears(broad.V) {
		c.d.errStr(broad, "%s.broad: %q appears in no topic (unknown term)", what, broad.V)
	}
	to := c.node(broad.V)
	for _, n := range narrow {
		from := c.node(n.V)
		if from == to {
			c.d.errStr(n, "%s: %q is the broad term itself (or in its group)", what, n.V)
			continue
		}
		pair := [2]string{from, to}
		if c.pairs[pair] {
			c.d.errStr(n, "%s: %q → %q is listed twice", what, n.V, broad.V)
			continue
		}
		c.pairs[pair] = true
		if _, ok := c.edges[from]; !ok {
			c.edgeList = append(c.edgeList, from)
		}
		c.edges[from] = append(c.edges[from], edge{to: to, from: n})
	}
}

// cycles reports each cycle in the broader graph once, at the link that
// closes it.
func (c *synonymLint) cycles() {
	const (
		unvisited = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(n string)
	visit = func(n string) {
		state[n] = onPath
		path = append(path, n)
		for _, e := range c.edges[n] {
			switch state[e.to] {
			case onPath:
				i := slices.Index(path, e.to)
				loop := append(slices.Clone(path[i:]), e.to)
				for j, x := range loop {
					loop[j] = strings.TrimPrefix(x, "group:")
				}
				c.d.errStr(e.from, "broader terms form a cycle: %s", strings.Join(loop, " → "))
			case unvisited:
				visit(e.to)
			}
		}
		path = path[:len(path)-1]
		state[n] = done
	}
	for _, n := range c.edgeList {
		if state[n] == unvisited {
			visit(n)
		}
	}
}
