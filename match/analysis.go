package match

import (
	"fmt"
	"strings"

	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/internal/reponame"
	"github.com/ecrsign/ecrsign/rules"
)

// DefaultMaxAnalysisWork bounds Analyze: each comparison of two filters costs one unit, and
// one that runs the quadratic overlap search one more per 64 token pairs it may examine.
// 10 million units take a few seconds at most on one core (1,000 rules x 100 filters: 2 to 4 s
// on the benchmark machine); a full API configuration (10 x 100 filters) needs about 1.5
// million even when every pair is compared for redundancy, shadowing and overlap, so only
// organisation-wide configurations reach the cap.
const DefaultMaxAnalysisWork = 10_000_000

// WithAnalysisBudget sets the work budget of Analyze (see DefaultMaxAnalysisWork).
func WithAnalysisBudget(units int) Option { return func(o *options) { o.analysisWork = units } }

// Analyze reports what the compiled configuration's filters imply, exactly (star-only glob
// languages are compared, never sampled): redundant filters within a rule (ECR401), rules
// shadowed by another rule with the same profile (ECR402), filters that match no valid
// repository name (ECR403), and, as info, pairs of rules with different profiles that both
// apply to some repository (ECR404). Paths are set; Line and Column are left to the caller,
// which knows the document. Work is bounded (ECR405 says when the budget ran out).
func (m *Matcher) Analyze(opts ...Option) []rules.Finding {
	o := options{analysisWork: DefaultMaxAnalysisWork}
	for _, opt := range opts {
		opt(&o)
	}
	a := analysis{m: m, budget: o.analysisWork}
	a.validNames()
	a.redundantFilters()
	if !m.prefix {
		a.shadowedRules()
		a.overlaps()
	}
	if a.truncated {
		a.add(rules.Finding{
			Code: rules.CodeAnalysisTruncated, Severity: rules.SeverityInfo,
			Message: fmt.Sprintf("analysis stopped after %d units of work; more findings may exist", a.budget),
			Hint:    "raise the budget with match.WithAnalysisBudget",
		})
	}
	return a.findings
}

type analysis struct {
	m         *Matcher
	budget    int
	used      int
	truncated bool
	findings  []rules.Finding
}

func (a *analysis) add(f rules.Finding) { a.findings = append(a.findings, f) }

// spend charges the cost of comparing p and q and reports whether the budget allows it.
func (a *analysis) spend(p, q glob.Pattern, quadratic bool) bool {
	cost := 1
	if quadratic {
		cost += (p.MinLen() + len(p.Middle) + 2) * (q.MinLen() + len(q.Middle) + 2) / 64
	}
	if a.used+cost > a.budget {
		a.truncated = true
		return false
	}
	a.used += cost
	return true
}

func (a *analysis) pattern(k int) glob.Pattern { return a.m.eng.Pattern(k).Pattern }

// includes reports whether filter k matches every name filter l matches, within budget.
func (a *analysis) includes(k, l int) bool {
	p, q := a.pattern(k), a.pattern(l)
	if a.m.eng.PatternID(k) == a.m.eng.PatternID(l) {
		return true
	}
	if !a.spend(p, q, false) {
		return false
	}
	switch {
	case q.Exact:
		return p.Match(q.Prefix)
	case p.Exact:
		return false // q matches infinitely many names
	case !strings.HasPrefix(q.Prefix, p.Prefix) || !strings.HasSuffix(q.Suffix, p.Suffix):
		return false // q's text starts (ends) with its own literal, then a star p's literal cannot match
	}
	return p.Includes(q)
}

func (a *analysis) validNames() {
	m := a.m
	valid := make(map[int]bool) // per distinct pattern: decided once
	for i, r := range m.rules {
		for k := r.filters.lo; k < r.filters.hi; k++ {
			p := a.pattern(k)
			ok, done := valid[m.eng.PatternID(k)]
			if !done {
				if !a.spend(p, glob.Pattern{}, false) {
					return
				}
				_, ok = p.MatchesValidName()
				valid[m.eng.PatternID(k)] = ok
			}
			if ok {
				continue
			}
			why := "its literal parts break the repository-name grammar (lowercase letters and digits in runs joined by '.', '_', '__', '-' runs or '/') wherever the '*' match"
			switch {
			case p.Exact && len(p.Prefix) < reponame.MinLength:
				why = fmt.Sprintf("it has no '*' and repository names have at least %d characters", reponame.MinLength)
			case p.MinLen() > reponame.MaxLength:
				why = fmt.Sprintf("it needs %d characters and repository names have at most %d", p.MinLen(), reponame.MaxLength)
			}
			a.add(rules.Finding{
				Code: rules.CodeNoValidName, Severity: rules.SeverityWarning, Path: rules.FilterPath(i, k-r.filters.lo),
				Message: fmt.Sprintf("filter %q cannot match any repository name: %s", m.filters[k], why),
				Hint:    "fix the filter or remove it",
			})
		}
	}
}

func (a *analysis) redundantFilters() {
	m := a.m
	for i, r := range m.rules {
	filters:
		for k := r.filters.lo; k < r.filters.hi; k++ {
			for l := r.filters.lo; l < r.filters.hi; l++ {
				if l == k || !a.includes(l, k) {
					continue
				}
				// equal languages: only the later filter is redundant
				if l > k && a.includes(k, l) {
					continue
				}
				msg := fmt.Sprintf("filter %q is redundant: filter %d %q of the same rule matches every repository it matches",
					m.filters[k], l-r.filters.lo, m.filters[l])
				if a.m.eng.PatternID(k) == a.m.eng.PatternID(l) {
					msg = fmt.Sprintf("filter %q repeats filter %d %q of the same rule", m.filters[k], l-r.filters.lo, m.filters[l])
				}
				a.add(rules.Finding{
					Code: rules.CodeRedundantFilter, Severity: rules.SeverityWarning, Path: rules.FilterPath(i, k-r.filters.lo),
					Message: msg, Hint: "remove it; the rule applies to the same repositories without it",
				})
				continue filters
			}
		}
	}
}

// covers reports whether rule k applies to every repository rule i applies to.
func (a *analysis) covers(k, i int) bool {
	rk, ri := a.m.rules[k], a.m.rules[i]
	if rk.all {
		return true
	}
	if ri.all {
		return false
	}
	for f := ri.filters.lo; f < ri.filters.hi; f++ {
		found := false
		for g := rk.filters.lo; g < rk.filters.hi && !found; g++ {
			found = a.includes(g, f)
		}
		if !found {
			return false
		}
	}
	return true
}

func (a *analysis) shadowedRules() {
	m := a.m
	byProfile := map[int32][]int{}
	for i, r := range m.rules {
		byProfile[r.profile] = append(byProfile[r.profile], i)
	}
	for i, r := range m.rules {
		for _, k := range byProfile[r.profile] {
			if k == i || !a.covers(k, i) {
				continue
			}
			if k > i && a.covers(i, k) {
				continue // equal rules: only the later one is reported
			}
			a.add(rules.Finding{
				Code: rules.CodeShadowedRule, Severity: rules.SeverityWarning, Path: rules.RulePath(i),
				Message: fmt.Sprintf("rule %d changes nothing: rule %d has the same signing profile and applies to every repository this rule applies to", i, k),
				Hint:    "remove the rule, or merge its filters into the other rule",
			})
			break
		}
	}
}

// overlaps reports, once per pair of rules with different profiles and filters, a repository
// name both apply to.
func (a *analysis) overlaps() {
	m := a.m
	for i, ri := range m.rules {
		if ri.all {
			continue
		}
		for k := i + 1; k < len(m.rules); k++ {
			rk := m.rules[k]
			if rk.all || rk.profile == ri.profile {
				continue
			}
			if name, f, g, ok := a.overlap(ri, rk); ok {
				a.add(rules.Finding{
					Code: rules.CodeOverlap, Severity: rules.SeverityInfo, Path: rules.RulePath(k),
					Message: fmt.Sprintf("rules %d and %d both apply to some repositories, for example %q (filters %q and %q): images pushed there are signed with both profiles",
						i, k, name, m.filters[f], m.filters[g]),
				})
			}
			if a.truncated {
				return
			}
		}
	}
}

func (a *analysis) overlap(ri, rk compiledRule) (string, int, int, bool) {
	for f := ri.filters.lo; f < ri.filters.hi; f++ {
		p := a.pattern(f)
		for g := rk.filters.lo; g < rk.filters.hi; g++ {
			q := a.pattern(g)
			if !a.spend(p, q, false) {
				return "", 0, 0, false
			}
			if !compatibleEnds(p, q) {
				continue
			}
			if !a.spend(p, q, true) {
				return "", 0, 0, false
			}
			if name, ok := p.Overlap(q); ok {
				return name, f, g, true
			}
		}
	}
	return "", 0, 0, false
}

// compatibleEnds is a necessary condition for an overlap: the literal prefixes agree up to the
// shorter one, and so do the literal suffixes.
func compatibleEnds(p, q glob.Pattern) bool {
	lead := func(p glob.Pattern) string { return p.Prefix }
	tail := func(p glob.Pattern) string {
		if p.Exact {
			return p.Prefix
		}
		return p.Suffix
	}
	a, b := lead(p), lead(q)
	n := min(len(a), len(b))
	if a[:n] != b[:n] {
		return false
	}
	a, b = tail(p), tail(q)
	n = min(len(a), len(b))
	return a[len(a)-n:] == b[len(b)-n:]
}
