package bot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/summitbot/summitbot/knowledge"
)

// Which way a question runs between China and Russia. Terms are a bag of
// words: "is China arming Russia" and "Russian arms sales to China" share
// every one. The reading here looks at the words around the two parties'
// names (the little words "to", "from", "of", the order around a verb) and
// says who gives and who receives: the agent is where the thing flows from
// (the seller, the supplier, the holder of a view), the recipient where it
// goes. "Russian arms sales to China" and "China buys Russian weapons" both
// read Russia → China. The ranking compares the question's reading with
// its topics' titles, aliases and questions (rank.go, phraseSignals).

// direction is how a text reads between the two parties.
type direction uint8

const (
	dirUnknown       direction = iota // one party or none, or no clear reading
	dirChinaToRussia                  // China is the agent, Russia the recipient
	dirRussiaToChina                  // Russia is the agent, China the recipient
	dirMutual                         // both at once: "trade between China and Russia"
)

var directionNames = [...]string{"unknown", "China → Russia", "Russia → China", "mutual"}

func (d direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "direction(?)"
}

// directed reports whether d says who is the agent.
func (d direction) directed() bool { return d == dirChinaToRussia || d == dirRussiaToChina }

// agreement compares two readings: 1 when both run the same way, -1 when
// they run opposite ways, 0 when either does not say.
func agreement(a, b direction) float64 {
	switch {
	case !a.directed() || !b.directed():
		return 0
	case a == b:
		return 1
	}
	return -1
}

// party is who a name stands for.
type party uint8

const (
	noParty party = iota
	partyChina
	partyRussia
	partyBoth  // "sino-russian", "china-russia": the two at once
	partyNamed // a name of something else that holds a party's word ("power of siberia", "chinese taipei")
)

// partyNames knows the names of the two parties: the terms of the
// synonyms.yaml groups and broader terms that stand for China or Russia
// (or the USSR, Russia's side of the relationship before 1992), the
// demonyms of normalize.go, and the two leaders. Other multiword names are
// kept so that a party's word inside them ("Power of Siberia") is not read
// as the party.
type partyNames struct {
	single map[string]party
	// multi lists, by first word, the multiword names, longest first.
	multi map[string][]multiName
	// stems holds the Cyrillic names by stem, for inflected Russian.
	stems map[string]party
	// terms stems a word: the index's wordTerms, through its memos of the
	// knowledge base's words and of questions' words, so that reading a
	// question stems each Cyrillic word once, not once more than resolving
	// it does.
	terms func(string) []string
	// names holds every ASCII word without a hyphen that may start a name
	// or name a party: the first words of multi, the words of single
	// (possessive too), the demonyms and the countries. Any other (most of
	// a question's words) names none, found in one look-up instead of
	// wordParty's several (at).
	names map[string]bool
}

type multiName struct {
	ws []string
	p  party
}

// leaders stand for their countries: they are not in synonyms.yaml, whose
// groups would make them match every topic about the country.
var leaders = map[string]party{"putin": partyRussia, "xi": partyChina, "jinping": partyChina, "russo": partyRussia}

// newPartyNames reads the party names of the synonyms; terms stems a word
// (wordTerms when nil).
func newPartyNames(syn knowledge.Synonyms, terms func(string) []string) partyNames {
	if terms == nil {
		terms = wordTerms
	}
	pn := partyNames{single: map[string]party{}, multi: map[string][]multiName{}, stems: map[string]party{}, terms: terms}
	for w, p := range leaders {
		pn.single[w] = p
	}
	add := func(term string, p party) {
		ws := words(term)
		switch {
		case len(ws) == 0:
		case len(ws) == 1:
			if p == partyChina || p == partyRussia {
				if _, ok := pn.single[ws[0]]; !ok {
					pn.single[ws[0]] = p
				}
				if scriptOf(ws[0]) == cyrillic {
					if ts := pn.terms(ws[0]); len(ts) == 1 {
						pn.stems[foldStem(ts[0])] = p
					}
				}
			}
		default:
			if p == noParty {
				p = partyNamed
			}
			for _, m := range pn.multi[ws[0]] {
				if slices.Equal(m.ws, ws) {
					return
				}
			}
			pn.multi[ws[0]] = append(pn.multi[ws[0]], multiName{ws: ws, p: p})
		}
	}
	for _, g := range syn.Groups {
		p := noParty
		for _, t := range g.Terms {
			if p = countryOf(t); p != noParty {
				break
			}
		}
		// A group of a leader's names ("xi jinping", "xi jin ping") stands
		// for his side, as his name does.
		for _, t := range g.Terms {
			if p != noParty {
				break
			}
			p = leaderOf(t)
		}
		for _, t := range g.Terms {
			add(t, p)
		}
	}
	for _, b := range syn.Broader {
		p := countryOf(b.Broad)
		add(b.Broad, p)
		for _, n := range b.Narrow {
			add(n, p)
		}
	}
	for _, ms := range pn.multi {
		slices.SortStableFunc(ms, func(a, b multiName) int { return len(b.ws) - len(a.ws) })
	}
	pn.names = map[string]bool{"china": true, "russia": true, "ussr": true}
	for w := range pn.multi {
		pn.names[w] = true
	}
	for w := range pn.single {
		pn.names[w], pn.names[w+"s"] = true, true
	}
	for w := range demonyms {
		pn.names[w] = true
	}
	return pn
}

// mayName reports whether w may start a name or name a party: it is one
// of names, or has a hyphen ("sino-russian") or a letter beyond ASCII (a
// Cyrillic name's inflected form).
func (pn *partyNames) mayName(w string) bool {
	return pn.names[w] || strings.Contains(w, "-") || !isASCII(w)
}

// leaderOf is the party of a name made only of one leader's names ("xi
// jinping"), noParty for any other.
func leaderOf(name string) party {
	p := noParty
	for _, w := range words(name) {
		lp, ok := leaders[w]
		if !ok || p != noParty && lp != p {
			return noParty
		}
		p = lp
	}
	return p
}

// countryOf is the party of a one-word name whose term is the country
// itself: "china", "PRC", "Russian", "USSR".
func countryOf(name string) party {
	ws := words(name)
	if len(ws) != 1 {
		return noParty
	}
	return basicParty(ws[0])
}

func basicParty(w string) party {
	if d, ok := demonyms[w]; ok {
		w = d
	}
	switch w {
	case "china":
		return partyChina
	case "russia", "ussr":
		return partyRussia
	}
	return noParty
}

// wordParty is the party of one word, and whether it is a possessive
// ("china's", normalised "chinas").
func (pn *partyNames) wordParty(w string) (party, bool) {
	if p, ok := pn.single[w]; ok {
		return p, false
	}
	if p := basicParty(w); p != noParty {
		return p, w == "chinas" || w == "russias"
	}
	if len(w) > 2 && strings.HasSuffix(w, "s") {
		if p, ok := pn.single[w[:len(w)-1]]; ok {
			return p, true // "putin's", "moscow's"
		}
	}
	if scriptOf(w) == cyrillic {
		for stem := range pn.stems {
			// Stemming costs: only words that may have a party's stem.
			if strings.HasPrefix(w, stem) {
				if ts := pn.terms(w); len(ts) == 1 {
					return pn.stems[foldStem(ts[0])], false
				}
				break
			}
		}
	}
	return noParty, false
}

// named reports which parties the words name, anywhere.
func (pn *partyNames) named(ws []string) (china, russia bool) {
	for i := 0; i < len(ws); i++ {
		p, n, _ := pn.at(ws, i)
		china = china || p == partyChina || p == partyBoth
		russia = russia || p == partyRussia || p == partyBoth
		i += max(n, 1) - 1
	}
	return china, russia
}

// at finds a name starting at ws[i]: its party and length in words (0 if
// there is none).
func (pn *partyNames) at(ws []string, i int) (party, int, bool) {
	if !pn.mayName(ws[i]) {
		return noParty, 0, false
	}
	for _, m := range pn.multi[ws[i]] {
		if len(m.ws) <= len(ws)-i && slices.Equal(m.ws, ws[i:i+len(m.ws)]) {
			return m.p, len(m.ws), false
		}
	}
	w := ws[i]
	if strings.Contains(w, "-") {
		found := noParty
		for part := range strings.SplitSeq(w, "-") {
			if p, _ := pn.wordParty(part); p == partyChina || p == partyRussia {
				if found != noParty && found != p {
					return partyBoth, 1, false
				}
				found = p
			}
		}
		if found != noParty {
			return found, 1, false
		}
	}
	p, poss := pn.wordParty(w)
	if p == noParty {
		return noParty, 0, false
	}
	return p, 1, poss
}

// role is what the words before a party's name make of it.
type role uint8

const (
	rolePlain  role = iota // no marker: its place in the sentence decides
	roleSource             // "from China": the agent, whatever the verb
	roleDest               // "to China": the recipient, whatever the verb
	roleDoer               // "by China", "does China ...": the verb's subject
	roleObject             // "of China", "on China", "in China": the verb's object
	roleMutual             // "with China", "and China"
	roleHolder             // "opinion in China": the one who holds the view, before any other subject
)

var markers = map[string]role{
	"from": roleSource,
	"to":   roleDest, "into": roleDest, "towards": roleDest, "toward": roleDest, "onto": roleDest,
	"by": roleDoer, "does": roleDoer, "do": roleDoer, "did": roleDoer, "is": roleDoer, "are": roleDoer,
	"was": roleDoer, "were": roleDoer, "has": roleDoer, "have": roleDoer, "had": roleDoer, "will": roleDoer,
	"would": roleDoer, "can": roleDoer, "could": roleDoer, "should": roleDoer, "might": roleDoer, "may": roleDoer,
	"of": roleObject, "on": roleObject, "for": roleObject, "about": roleObject, "against": roleObject,
	"in": roleObject, "at": roleObject, "over": roleObject, "upon": roleObject,
	"with": roleMutual, "and": roleMutual, "between": roleMutual, "or": roleMutual, "nor": roleMutual,
	"vs": roleMutual, "versus": roleMutual, "than": roleMutual,
	// Russian's words for and, with, between, or.
	"и": roleMutual, "с": roleMutual, "со": roleMutual, "между": roleMutual, "или": roleMutual,
}

// determiners are skipped between a marker and a name: "to the Kremlin".
var determiners = set(`the a an its their his her our`)

// holders up to three words before "in" make the party the one who holds
// a view: "public opinion in Russia", "how popular is China in Russia".
var holders = set(`people public opinion opinions attitude attitudes view views popular popularity perception
perceptions image media press experts analysts officials elites`)

// receiving words turn a sentence around: their subject is the recipient.
// "China buys Russian weapons", "Russia's dependence on China", "is China
// Russia's best oil customer".
var receiving = set(`buy buys buying bought buyer buyers purchase purchases purchased purchasing import imports
imported importing importer importers receive receives received receiving get gets getting got gotten
obtain obtains obtained acquire acquires acquired acquiring acquisition acquisitions want wants wanted
need needs needed demand depend depends depended depending dependent dependence dependency reliance rely
relies relied reliant seek seeks sought borrow borrows borrowed customer customers client clients
ask asks asked request requests requested`)

// notReceiving words after a receiving word make it something else.
var notReceiving = set(`to round around away along closer`)

// reading is a text's direction and the words that decided it, for
// explanations.
type reading struct {
	dir direction
	// cue is the marker word that decided ("to", "from", "with"), or ""
	// when the order of the names did.
	cue string
	// flip is the receiving word that turned the order around, if any.
	flip string
}

// maxMentions bounds the names a reading looks at.
const maxMentions = 8

type mention struct {
	p      party
	at     int // first word
	role   role
	marker string
}

// read reads the direction of a text's normalised words.
func (pn *partyNames) read(ws []string) reading {
	var buf [maxMentions]mention
	ms := buf[:0]
	flip := ""
	lastEnd := -1 // the word after the last name
	lastPoss := false
	var lastP party // the last name's party, whether or not ms had room for it
	for i := 0; i < len(ws); {
		p, n, poss := pn.at(ws, i)
		if n == 0 {
			// "wants to take", "get round": not receiving.
			if flip == "" && receiving[ws[i]] && (i+1 == len(ws) || !notReceiving[ws[i+1]]) {
				flip = ws[i]
			}
			i++
			continue
		}
		if p == partyBoth {
			return reading{dir: dirMutual, cue: ws[i]}
		}
		if p == partyChina || p == partyRussia {
			m := mention{p: p, at: i}
			j := i - 1
			for j >= 0 && j >= lastEnd && determiners[ws[j]] {
				j--
			}
			if j >= 0 && j == lastEnd-1 && !poss && !lastPoss && lastP != p {
				// "china russia trade": two names side by side.
				return reading{dir: dirMutual}
			}
			if j >= 0 && j >= lastEnd {
				m.marker = ws[j]
				m.role = markers[ws[j]]
				if m.role == roleObject && ws[j] == "in" && slices.ContainsFunc(ws[max(0, j-3):j], func(w string) bool { return holders[w] }) {
					m.role = roleHolder
				}
			}
			if m.role == roleMutual && m.marker != "between" && slices.ContainsFunc(ms, func(o mention) bool { return o.p != p }) {
				return reading{dir: dirMutual, cue: m.marker}
			}
			if len(ms) < maxMentions {
				ms = append(ms, m)
			}
			lastEnd, lastPoss, lastP = i+n, poss, p
		}
		i += n
	}
	// Each party's role: that of its first marked name, else its place.
	var first [2]int // China's, Russia's: index in ms plus one
	for k, m := range ms {
		f := &first[m.p-partyChina]
		if *f == 0 || ms[*f-1].role == rolePlain && m.role != rolePlain && m.role != roleMutual {
			*f = k + 1
		}
	}
	if first[0] == 0 || first[1] == 0 {
		return reading{}
	}
	cm, rm := ms[first[0]-1], ms[first[1]-1]
	c, r := &cm, &rm
	// "about China helping Russia": a party named first is the clause's
	// subject, whatever the preposition before it.
	if c.role == roleObject && c.at < r.at {
		c.role = rolePlain
	} else if r.role == roleObject && r.at < c.at {
		r.role = rolePlain
	}
	if c.marker == "between" || r.marker == "between" {
		return reading{dir: dirMutual, cue: "between"}
	}
	if c.role == roleHolder || r.role == roleHolder {
		holder, other := c, r
		if r.role == roleHolder {
			holder, other = r, c
		}
		holder.role = roleDoer
		if other.role == roleDoer || other.role == rolePlain {
			other.role = roleObject
		}
	}
	// "from" and "to" say who gives whatever the verb.
	switch {
	case c.role == roleSource && r.role != roleSource, r.role == roleDest && c.role != roleDest:
		return reading{dir: dirChinaToRussia, cue: cueOf(c, r, roleSource, roleDest)}
	case r.role == roleSource && c.role != roleSource, c.role == roleDest && r.role != roleDest:
		return reading{dir: dirRussiaToChina, cue: cueOf(r, c, roleSource, roleDest)}
	case c.role == roleSource || c.role == roleDest || r.role == roleSource || r.role == roleDest:
		return reading{}
	}
	// Otherwise the verb's subject gives, unless the verb receives.
	var doer party
	cue := ""
	switch {
	case c.role == roleDoer && r.role != roleDoer, r.role == roleObject && c.role != roleObject:
		doer, cue = partyChina, cueOf(c, r, roleDoer, roleObject)
	case r.role == roleDoer && c.role != roleDoer, c.role == roleObject && r.role != roleObject:
		doer, cue = partyRussia, cueOf(r, c, roleDoer, roleObject)
	case c.role == rolePlain && r.role == rolePlain:
		doer = partyChina
		if r.at < c.at {
			doer = partyRussia
		}
	default:
		return reading{}
	}
	if flip != "" {
		doer = partyChina + partyRussia - doer
	}
	if doer == partyChina {
		return reading{dir: dirChinaToRussia, cue: cue, flip: flip}
	}
	return reading{dir: dirRussiaToChina, cue: cue, flip: flip}
}

// cueOf is the marker that decided: agent's if it has the agent's role,
// else the recipient's.
func cueOf(agent, recipient *mention, agentRole, recipientRole role) string {
	if agent.role == agentRole {
		return agent.marker
	}
	return recipient.marker
}

// String says the reading and what decided it, for explanations.
func (r reading) String() string {
	if r.dir == dirUnknown {
		return r.dir.String()
	}
	s := r.dir.String()
	if r.cue != "" {
		s += fmt.Sprintf(", by %q", r.cue)
	} else {
		s += ", by word order"
	}
	if r.flip != "" {
		s += fmt.Sprintf(", turned round by %q", r.flip)
	}
	return s
}
