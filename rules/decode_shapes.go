package rules

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/ecrsign/ecrsign/internal/source"
)

// style is the naming of members in a format.
type style int

const (
	styleAPI   style = iota // signingProfileArn
	styleCFN                // SigningProfileArn
	styleSnake              // signing_profile_arn
)

// name returns the member name of API member api in the style.
func (s style) name(api string) string {
	if api == "" {
		return api
	}
	switch s {
	case styleCFN:
		return strings.ToUpper(api[:1]) + api[1:]
	case styleSnake:
		var b strings.Builder
		for i, r := range api {
			if unicode.IsUpper(r) {
				if i > 0 {
					b.WriteByte('_')
				}
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return api
}

// decoder turns a source tree into a typed configuration, recording positions and findings.
type decoder struct {
	c     *Config
	style style
	// ev is the evaluation of the CloudFormation template the values come from: it knows
	// which values stay unknown and which Fn::If branch each value comes from. nil for
	// other formats.
	ev *evaluation
	// tf reads null as absent and ignores members it does not know.
	tf bool
}

func newConfig(file, name string, f Format, k Kind, st style, b *findingBudget) (*Config, *decoder) {
	c := &Config{Name: name, Format: f, Kind: k, file: file, positions: map[string]source.Pos{},
		problems: map[string]bool{}, invalid: map[Path]bool{}, lengths: map[string]int{}, style: st, budget: b}
	return c, &decoder{c: c, style: st, tf: f == FormatTerraformPlan || f == FormatTerraformState}
}

func (d *decoder) problem(path string, n *source.Node, code Code, sev Severity, msg, hint string) {
	d.c.problems[path] = true
	d.c.add(Finding{Code: code, Severity: sev, Path: path, Line: n.Pos.Line, Column: n.Pos.Column, Message: msg, Hint: hint})
}

// intrinsic reports whether n is a value of a CloudFormation template that stays unknown
// (an attribute of another resource, a parameter without a value, ...), and if so records
// it as a value that cannot be checked. It also records the Fn::If branch n comes from, which
// findings at path name.
func (d *decoder) intrinsic(n *source.Node, path string) bool {
	if d.ev == nil {
		return false
	}
	if b := d.ev.branch[n]; b != "" {
		if d.c.branches == nil {
			d.c.branches = map[string]string{}
		}
		d.c.branches[path] = b
	}
	u, ok := d.ev.unknown[n]
	if !ok {
		return false
	}
	d.c.Unresolved = append(d.c.Unresolved, path)
	if u.failed { // a template error says why
		d.c.problems[path] = true
		return true
	}
	d.problem(path, n, CodeUnresolved, SeverityInfo,
		fmt.Sprintf("%s is unknown: %s; it is not checked", d.member(path), u.what), u.hint)
	return true
}

// member names the last member of path in the source's style, for messages.
func (d *decoder) member(path string) string { return memberName(d.style, path) }

func memberName(st style, path string) string {
	if path == "" {
		return "the configuration"
	}
	last := path[strings.LastIndexByte(path, '.')+1:]
	name := last
	idx := ""
	if i := strings.IndexByte(last, '['); i >= 0 {
		name, idx = last[:i], last[i:]
	}
	return st.name(name) + idx
}

func (d *decoder) wrongType(path string, n *source.Node, want string) {
	hint := ""
	if want == "a string" && (n.Kind == source.Number || n.Kind == source.Bool) {
		hint = fmt.Sprintf("quote it: \"%s\"", n.Text)
	}
	d.problem(path, n, CodeWrongType, SeverityError,
		fmt.Sprintf("%s must be %s, found %s", d.member(path), want, n.Brief()), hint)
}

// object checks that n is an object, reports members not in allowed and duplicate keys, and
// returns the members by API name. ok is false when n is no object (or is absent).
func (d *decoder) object(n *source.Node, path string, allowed ...string) (map[string]*source.Node, bool) {
	if n == nil {
		return nil, false
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return nil, false
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return nil, false
	}
	if n.Kind != source.Object {
		d.wrongType(path, n, "an object")
		return nil, false
	}
	byName := map[string]string{}
	for _, a := range allowed {
		byName[d.style.name(a)] = a
	}
	out := make(map[string]*source.Node, len(allowed))
	seen := make(map[string]source.Pos, len(allowed))
	for _, m := range n.Members {
		if first, dup := seen[m.Key]; dup && d.c.budget.take(SeverityError) {
			d.c.record(Finding{Code: CodeDuplicateKey, Severity: SeverityError, Path: join(path, m.Key),
				Line: m.KeyPos.Line, Column: m.KeyPos.Column,
				Message: fmt.Sprintf("key %q appears twice in the object (first at %d:%d); the last value is used", m.Key, first.Line, first.Column),
				Hint:    "remove one of them"})
		}
		seen[m.Key] = m.KeyPos
		api, ok := byName[m.Key]
		if !ok {
			if !d.tf && d.c.budget.take(SeverityError) {
				d.c.record(Finding{Code: CodeUnknownField, Severity: SeverityError, Path: join(path, m.Key),
					Line: m.KeyPos.Line, Column: m.KeyPos.Column,
					Message: fmt.Sprintf("unknown member %q in %s; it must be one of %s", m.Key, d.member(path), d.list(allowed)),
					Hint:    d.suggest(m.Key, allowed)})
			}
			continue
		}
		out[api] = m.Value
	}
	return out, true
}

func (d *decoder) list(allowed []string) string {
	var names []string
	for _, a := range allowed {
		names = append(names, d.style.name(a))
	}
	return strings.Join(names, ", ")
}

// suggest proposes the allowed member a mistyped key was probably meant to be.
func (d *decoder) suggest(key string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, a := range allowed {
		name := d.style.name(a)
		if norm(key) == norm(name) || editDistance(norm(key), norm(name)) <= 2 {
			h := fmt.Sprintf("did you mean %s?", name)
			if norm(key) == norm(name) && d.style != styleSnake {
				switch d.style {
				case styleAPI:
					h += " (the API uses camelCase; PascalCase is CloudFormation's)"
				case styleCFN:
					h += " (CloudFormation uses PascalCase; camelCase is the API's)"
				}
			}
			return h
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 100
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// array returns the elements of a list member; present is false when the member is absent
// (or unusable: a wrong type or an intrinsic, which are reported).
func (d *decoder) array(n *source.Node, path string) (items []*source.Node, present bool) {
	if n == nil {
		return nil, false
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return nil, false
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return nil, false
	}
	if n.Kind != source.Array {
		d.wrongType(path, n, "a list")
		return nil, false
	}
	return n.Items, true
}

// capped returns the elements of the list at path to decode: all of them, or, when the list
// is longer than max+1, the first max+1. One element past the API's maximum is enough for
// every violation and lint to be reported; checking the rest would only repeat them, and a
// 16 MiB list of millions of elements would take minutes. The list's real length is kept
// for messages, and a finding says where checking stopped.
func (d *decoder) capped(items []*source.Node, path string, max int, what string) []*source.Node {
	if len(items) <= max+1 {
		return items
	}
	d.c.lengths[path] = len(items)
	first := items[max+1]
	d.c.add(Finding{Code: CodeNotChecked, Severity: SeverityInfo, Path: fmt.Sprintf("%s[%d]", path, max+1),
		Line: first.Pos.Line, Column: first.Pos.Column,
		Message: fmt.Sprintf("%s holds %d %s, far more than the %d the API allows; only the first %d are checked, the %d from here on are not",
			d.member(path), len(items), what, max, max+1, len(items)-max-1)})
	return items[:max+1]
}

// str returns a string member; "" when absent or unusable.
func (d *decoder) str(n *source.Node, path string) string {
	if n == nil {
		return ""
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return ""
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return ""
	}
	if n.Kind != source.String {
		d.wrongType(path, n, "a string")
		return ""
	}
	return n.Text
}

// ruleItems decodes the configuration object at n down to its "rules" array, cut to one element
// past maxRules; present is false when there is no usable rules array (already reported).
func (d *decoder) ruleItems(n *source.Node, maxRules int) (items []*source.Node, present bool) {
	m, ok := d.object(n, "", "rules")
	if !ok {
		return nil, false
	}
	items, present = d.array(m["rules"], "rules")
	if !present {
		return nil, false
	}
	return d.capped(items, "rules", maxRules, "rules"), true
}

// signing decodes a SigningConfiguration at n.
func (d *decoder) signing(n *source.Node) {
	cfg := &SigningConfiguration{}
	d.c.Signing = cfg
	items, present := d.ruleItems(n, MaxSigningRules)
	if !present {
		return
	}
	cfg.Rules = make([]SigningRule, len(items))
	for i, it := range items {
		p := RulePath(i)
		rm, ok := d.object(it, p, "signingProfileArn", "repositoryFilters")
		if !ok {
			continue
		}
		r := &cfg.Rules[i]
		r.SigningProfileArn = d.str(rm["signingProfileArn"], p+".signingProfileArn")
		r.RepositoryFilters = repositoryFilters(d, rm["repositoryFilters"], i, MaxSigningFilters, signingFilter)
	}
}

// signingFilter makes a signing rule's filter.
func signingFilter(filter, filterType string) SigningRepositoryFilter {
	return SigningRepositoryFilter{Filter: filter, FilterType: SigningRepositoryFilterType(filterType)}
}

// replicationFilter makes a replication rule's filter.
func replicationFilter(filter, filterType string) RepositoryFilter {
	return RepositoryFilter{Filter: filter, FilterType: RepositoryFilterType(filterType)}
}

// repositoryFilters decodes the repositoryFilters array of rule i, at n, cut to one element
// past max: newFilter makes each filter from its filter and filter type, and an element that
// is not an object (already reported) stays the zero filter. nil when n is not a usable array.
func repositoryFilters[F any](d *decoder, n *source.Node, i, max int, newFilter func(filter, filterType string) F) []F {
	path := RulePath(i) + ".repositoryFilters"
	fs, present := d.array(n, path)
	if !present {
		return nil
	}
	fs = d.capped(fs, path, max, "filters")
	filters := make([]F, len(fs))
	for j, fn := range fs {
		fp := FilterPath(i, j)
		fm, ok := d.object(fn, fp, "filter", "filterType")
		if !ok {
			continue
		}
		filters[j] = newFilter(d.str(fm["filter"], fp+".filter"), d.str(fm["filterType"], fp+".filterType"))
	}
	return filters
}

// replication decodes a ReplicationConfiguration at n.
func (d *decoder) replication(n *source.Node) {
	cfg := &ReplicationConfiguration{}
	d.c.Replication = cfg
	items, present := d.ruleItems(n, MaxReplicationRules)
	if !present {
		return
	}
	cfg.Rules = make([]ReplicationRule, len(items))
	for i, it := range items {
		p := RulePath(i)
		rm, ok := d.object(it, p, "destinations", "repositoryFilters")
		if !ok {
			continue
		}
		r := &cfg.Rules[i]
		if ds, present := d.array(rm["destinations"], p+".destinations"); present {
			ds = d.capped(ds, p+".destinations", MaxReplicationDestinations, "destinations")
			r.Destinations = make([]ReplicationDestination, len(ds))
			for j, dn := range ds {
				dp := fmt.Sprintf("%s.destinations[%d]", p, j)
				dm, ok := d.object(dn, dp, "region", "registryId")
				if !ok {
					continue
				}
				r.Destinations[j].Region = d.str(dm["region"], dp+".region")
				r.Destinations[j].RegistryID = d.str(dm["registryId"], dp+".registryId")
			}
		}
		r.RepositoryFilters = repositoryFilters(d, rm["repositoryFilters"], i, MaxReplicationFilters, replicationFilter)
	}
}
