package knowledge

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// PublishersFile lists the publishers that sources may name.
const PublishersFile = "publishers.yaml"

// Kind says what sort of publisher a source comes from, so that a reader can
// weigh it: "TASS, Russian state media".
type Kind string

// The publisher kinds.
const (
	Official   Kind = "official"    // governments, ministries, the UN, companies' own sites
	StateMedia Kind = "state media" // TASS, Xinhua, CGTN, RT...
	Wire       Kind = "wire"        // Reuters, AP, AFP, Bloomberg
	Research   Kind = "research"    // think tanks, universities, journals
	Reference  Kind = "reference"   // encyclopaedias
	Press      Kind = "press"       // independent newspapers, magazines, broadcasters
	Aggregator Kind = "aggregator"  // reposts, content farms, copies of others' articles
)

// Kinds lists every valid Kind.
var Kinds = []Kind{Official, StateMedia, Wire, Research, Reference, Press, Aggregator}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Publisher is one entry of publishers.yaml.
type Publisher struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Country is the publisher's country, "International" for multinational
	// bodies and "Unknown" where the site does not say.
	Country string `json:"country"`
	// Hosts are URL hosts without "www."; a subdomain of a host matches too.
	Hosts []string `json:"hosts"`
}

// Countries without a usable adjective in Label.
const (
	International  = "International"
	UnknownCountry = "Unknown"
)

// countryAdjectives turns a publisher's country into the adjective of its
// label. A country missing here is a lint error, so that every label reads
// well.
var countryAdjectives = map[string]string{
	International: "international", UnknownCountry: "",
	"Australia": "Australian", "Azerbaijan": "Azerbaijani", "Bangladesh": "Bangladeshi",
	"Belgium": "Belgian", "Brazil": "Brazilian", "Canada": "Canadian", "China": "Chinese",
	"Egypt": "Egyptian", "Estonia": "Estonian", "Finland": "Finnish", "France": "French",
	"Germany": "German", "Ghana": "Ghanaian", "Guyana": "Guyanese", "Hong Kong": "Hong Kong",
	"India": "Indian", "Iran": "Iranian", "Israel": "Israeli", "Italy": "Italian", "Japan": "Japanese",
	"Kazakhstan": "Kazakh", "Kenya": "Kenyan", "Kyrgyzstan": "Kyrgyz", "Moldova": "Moldovan",
	"Mongolia": "Mongolian", "Netherlands": "Dutch", "Nigeria": "Nigerian", "North Korea": "North Korean",
	"Norway": "Norwegian", "Pakistan": "Pakistani", "Poland": "Polish", "Qatar": "Qatari",
	"Romania": "Romanian", "Russia": "Russian", "Saudi Arabia": "Saudi", "Singapore": "Singaporean",
	"South Africa": "South African", "South Korea": "South Korean", "Spain": "Spanish",
	"Sweden": "Swedish", "Switzerland": "Swiss", "Syria": "Syrian", "Taiwan": "Taiwanese",
	"Tajikistan": "Tajik", "Turkey": "Turkish", "Turkmenistan": "Turkmen", "Ukraine": "Ukrainian",
	"United Arab Emirates": "Emirati", "United Kingdom": "British", "United States": "American",
	"Uzbekistan": "Uzbek", "Venezuela": "Venezuelan", "Vietnam": "Vietnamese", "Belarus": "Belarusian",
	"Czech Republic": "Czech", "Denmark": "Danish", "Georgia": "Georgian", "Hungary": "Hungarian",
	"Indonesia": "Indonesian", "Lithuania": "Lithuanian", "Latvia": "Latvian", "Malaysia": "Malaysian",
	"Philippines": "Philippine", "Serbia": "Serbian", "Thailand": "Thai", "Austria": "Austrian",
	"Greece": "Greek", "Zimbabwe": "Zimbabwean", "Armenia": "Armenian", "Sri Lanka": "Sri Lankan",
}

// kindNouns are the words a label uses for a kind where the kind's own name
// would not read as a noun ("Russian official" reads as a person).
var kindNouns = map[Kind]string{Official: "official source", Wire: "news agency", Reference: "reference work"}

// Label describes a kind from a country in words, "Russian state media",
// "international news agency"; without the country when it is unknown.
func Label(kind Kind, country string) string {
	if kind == "" {
		return ""
	}
	noun := string(kind)
	if n, ok := kindNouns[kind]; ok {
		noun = n
	}
	if adj := countryAdjectives[country]; adj != "" {
		return adj + " " + noun
	}
	return noun
}

// Label describes the publisher: "Russian state media".
func (p Publisher) Label() string { return Label(p.Kind, p.Country) }

// HasHost reports whether host (as in a URL, "www." and a final dot allowed)
// is one of the publisher's hosts or a subdomain of one.
func (p Publisher) HasHost(host string) bool {
	host = canonicalHost(host)
	for _, h := range p.Hosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

func canonicalHost(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.TrimPrefix(host, "www.")
}

// urlHost returns the canonical host of a URL, or "" if it has none.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return canonicalHost(u.Hostname())
}

var publisherFields = []string{"name", "kind", "country", "hosts"}

// publishers reads publishers.yaml. A folder without one loads with a
// warning and without source kinds: the check needs the registry.
func (l *loader) publishers() map[string]*Publisher {
	src, ok := l.readOptional(PublishersFile)
	if !ok {
		return nil
	}
	d := l.decoder(PublishersFile, 0)
	root, ok := d.parse(src)
	if !ok {
		// The syntax error is the problem; checking every source against an
		// empty registry would bury it under follow-on errors.
		return nil
	}
	// An empty or missing list is the one problem to report, like a syntax
	// error: nil skips the checks that would fail on every source.
	out := map[string]*Publisher{}
	if root == nil {
		d.add(Error, 1, 1, "%s is empty: it needs a publishers list", PublishersFile)
		return nil
	}
	vals, _, ok := d.fields(root, PublishersFile, "publishers")
	if !ok {
		return nil
	}
	items := d.list(vals["publishers"], "publishers")
	if len(items) == 0 {
		if isList(vals["publishers"]) { // list reported anything else
			d.add(Error, 1, 1, "%s: the publishers list is empty; every source's publisher must be listed here", PublishersFile)
		}
		return nil
	}
	// Two publishers may share a host ("Stabroek News" and "Stabroek News
	// (Reuters)"): the source's publisher decides its kind.
	for i, item := range items {
		what := fmt.Sprintf("publishers[%d]", i)
		pv, _, ok := d.fields(item, what, publisherFields...)
		if !ok {
			continue
		}
		var p Publisher
		good := true
		for _, f := range publisherFields[:3] {
			s, ok := d.required(pv, item, what, f)
			if !ok {
				good = false
				continue
			}
			switch f {
			case "name":
				p.Name = s.V
				if _, dup := out[s.V]; dup {
					d.errStr(s, "publisher %q is listed twice", s.V)
					good = false
				}
			case "kind":
				p.Kind = Kind(s.V)
				if !p.Kind.Valid() {
					d.errStr(s, "%s.kind %q is not one of: %s", what, s.V, joinKinds())
					good = false
				}
			case "country":
				p.Country = s.V
				if _, known := countryAdjectives[s.V]; !known {
					d.errStr(s, "%s.country %q is not a country this registry knows (use the English short name, %q or %q; new countries go in knowledge/publishers.go)", what, s.V, International, UnknownCountry)
					good = false
				}
			}
		}
		for _, h := range d.strings(pv["hosts"], what+".hosts") {
			c := canonicalHost(h.V)
			if c != h.V || strings.ContainsAny(c, "/: ") || !strings.Contains(c, ".") {
				d.errStr(h, "%s.hosts: %q must be a bare host name such as tass.com (no scheme, path or \"www.\")", what, h.V)
				good = false
				continue
			}
			p.Hosts = append(p.Hosts, c)
		}
		if len(p.Hosts) == 0 {
			d.errAt(item, "%s needs at least one host", what)
			good = false
		}
		if good {
			out[p.Name] = &p
		}
	}
	return out
}

func joinKinds() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// checkPublisher checks a source's publisher and URL host against the
// registry, and fills in the source's kind and country.
func (l *loader) checkPublisher(d *decoder, what string, src *Source, pub, u str) {
	if l.pubs == nil {
		return
	}
	p, ok := l.pubs[pub.V]
	if !ok {
		// Every registered name that differs only in case, in order: the
		// registry is a map, and the hint must not change from run to run.
		var like []string
		for name := range l.pubs {
			if strings.EqualFold(name, pub.V) {
				like = append(like, strconv.Quote(name))
			}
		}
		hint := ""
		if len(like) > 0 {
			slices.Sort(like)
			hint = " (did you mean " + strings.Join(like, " or ") + "?)"
		}
		d.errStr(pub, "%s.publisher %q is not in %s%s: add it there with its kind, country and hosts", what, pub.V, PublishersFile, hint)
		return
	}
	src.Kind, src.Country = p.Kind, p.Country
	if u.V != "" && !p.HasHost(urlHost(u.V)) {
		d.errStr(u, "%s.url: host %q is not one of %s's hosts in %s (%s)", what, urlHost(u.V), p.Name, PublishersFile, strings.Join(p.Hosts, ", "))
	}
}
