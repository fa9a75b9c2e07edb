package match

import (
	"iter"

	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/rules"
)

// Matcher answers which rules of a configuration apply to a repository name.
// It is immutable after Compile and safe for concurrent use.
type Matcher struct {
	rules []compiledRule
	// profiles holds the distinct signing profile ARNs (or replication rule keys) in order
	// of first use; rules[i].profile indexes it.
	profiles []string
}

type compiledRule struct {
	all      bool // the rule has no filters and applies to every name
	filters  []string
	patterns []glob.Pattern
	prefix   bool // PREFIX_MATCH semantics (replication)
	profile  int  // index into Matcher.profiles, -1 for replication rules
}

// Compile builds a matcher for every rule of a signing configuration. It does not re-apply the
// API's size limits; validate with package rules first when that matters.
func Compile(cfg *rules.SigningConfiguration) (*Matcher, error) {
	m := &Matcher{}
	index := map[string]int{}
	for _, r := range cfg.Rules {
		cr := compiledRule{all: r.RepositoryFilters == nil}
		for _, f := range r.RepositoryFilters {
			cr.filters = append(cr.filters, f.Filter)
			cr.patterns = append(cr.patterns, glob.Parse(f.Filter))
		}
		p, ok := index[r.SigningProfileArn]
		if !ok {
			p = len(m.profiles)
			index[r.SigningProfileArn] = p
			m.profiles = append(m.profiles, r.SigningProfileArn)
		}
		cr.profile = p
		m.rules = append(m.rules, cr)
	}
	return m, nil
}

// CompileReplication builds a matcher for the PREFIX_MATCH filters of a replication
// configuration; Result.Profiles yields nothing for it.
func CompileReplication(cfg *rules.ReplicationConfiguration) (*Matcher, error) {
	m := &Matcher{}
	for _, r := range cfg.Rules {
		cr := compiledRule{all: r.RepositoryFilters == nil, prefix: true, profile: -1}
		for _, f := range r.RepositoryFilters {
			cr.filters = append(cr.filters, f.Filter)
			cr.patterns = append(cr.patterns, glob.Pattern{Prefix: f.Filter})
		}
		m.rules = append(m.rules, cr)
	}
	return m, nil
}

// NumRules is the number of rules the matcher was compiled from.
func (m *Matcher) NumRules() int { return len(m.rules) }

// Profiles returns the distinct signing profile ARNs of the configuration in order of first use.
func (m *Matcher) Profiles() []string { return append([]string(nil), m.profiles...) }

func (r *compiledRule) firstMatch(name string) int {
	for i, p := range r.patterns {
		if p.Match(name) {
			return i
		}
	}
	return -1
}

// Match returns the rules that apply to name. It does not allocate for configurations of up to
// smallRules rules.
func (m *Matcher) Match(name string) Result {
	res := Result{m: m}
	if len(m.rules) > smallRules {
		res.large = make([]uint64, (len(m.rules)+63)/64)
	}
	for i := range m.rules {
		r := &m.rules[i]
		if r.all || r.firstMatch(name) >= 0 {
			res.set(i)
		}
	}
	return res
}

// smallRules is how many rules a Result holds inline; more need a heap-allocated bit set.
const smallRules = 128

// Result lists the rules that apply to one name, in configuration order.
type Result struct {
	m     *Matcher
	small [smallRules / 64]uint64
	large []uint64
}

func (r *Result) words() []uint64 {
	if r.large != nil {
		return r.large
	}
	return r.small[:]
}

func (r *Result) set(i int) { r.words()[i/64] |= 1 << (i % 64) }

// Has reports whether the rule at index rule (configuration order) applies.
func (r Result) Has(rule int) bool {
	w := r.words()
	if rule < 0 || rule/64 >= len(w) {
		return false
	}
	return w[rule/64]&(1<<(rule%64)) != 0
}

// Len is the number of applying rules.
func (r Result) Len() int {
	n := 0
	for i := range r.Rules() {
		_ = i
		n++
	}
	return n
}

// Rules yields the indexes of the applying rules in configuration order.
func (r Result) Rules() iter.Seq[int] {
	return func(yield func(int) bool) {
		if r.m == nil {
			return
		}
		for i := range r.m.rules {
			if r.Has(i) && !yield(i) {
				return
			}
		}
	}
}

// Profiles yields the distinct signing profile ARNs of the applying rules, in the order of the
// first rule that applies with each.
func (r Result) Profiles() iter.Seq[string] {
	return func(yield func(string) bool) {
		if r.m == nil {
			return
		}
		var seen [smallRules / 64]uint64
		var seenLarge map[int]bool
		for i := range r.Rules() {
			p := r.m.rules[i].profile
			if p < 0 {
				continue
			}
			if p < smallRules {
				if seen[p/64]&(1<<(p%64)) != 0 {
					continue
				}
				seen[p/64] |= 1 << (p % 64)
			} else {
				if seenLarge == nil {
					seenLarge = map[int]bool{}
				}
				if seenLarge[p] {
					continue
				}
				seenLarge[p] = true
			}
			if !yield(r.m.profiles[p]) {
				return
			}
		}
	}
}

// Explanation says, for one name, which rules apply and why.
type Explanation struct {
	Name  string
	Rules []RuleExplanation
}

// RuleExplanation is the verdict on one rule for one name.
type RuleExplanation struct {
	Rule    int  // index of the rule in configuration order
	Applies bool // whether the rule applies
	// AllRepositories is set when the rule has no filters and so applies to every name.
	AllRepositories bool
	// Filter is the index of the first filter that matched, -1 when none did.
	Filter int
	// FilterText is the text of that filter.
	FilterText string
	// Profile is the rule's signing profile ARN (empty for replication rules).
	Profile string
}

// Explain reports for every rule whether it applies to name and which filter made it so.
func (m *Matcher) Explain(name string) Explanation {
	e := Explanation{Name: name}
	for i := range m.rules {
		r := &m.rules[i]
		re := RuleExplanation{Rule: i, Filter: -1, AllRepositories: r.all}
		if r.profile >= 0 {
			re.Profile = m.profiles[r.profile]
		}
		if r.all {
			re.Applies = true
		} else if j := r.firstMatch(name); j >= 0 {
			re.Applies, re.Filter, re.FilterText = true, j, r.filters[j]
		}
		e.Rules = append(e.Rules, re)
	}
	return e
}
