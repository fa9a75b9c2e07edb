package match

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ecrsign/ecrsign/internal/engine"
	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/rules"
)

// Default compile budgets; see [Budget]. Compile refuses a configuration beyond them with an
// error wrapping [ErrBudget], so compile time and memory stay bounded for any input.
const (
	// DefaultMaxRules caps the rules of one configuration (the API allows 10; organisation-wide
	// analysis may merge many configurations).
	DefaultMaxRules = engine.DefaultMaxRules
	// DefaultMaxFilters caps the filters over all rules (1,000 rules x 100 filters fit with margin).
	DefaultMaxFilters = engine.DefaultMaxFilters
	// DefaultMaxFilterLength caps one filter in bytes (the API allows 256).
	DefaultMaxFilterLength = engine.DefaultMaxFilterLength
	// DefaultMaxTextBytes caps the total bytes of all filters (16 MiB).
	DefaultMaxTextBytes = engine.DefaultMaxTextBytes
	// DefaultMaxAutomatonCells caps the dense Aho-Corasick table over middle literals of the
	// fallback index engine (4 bytes a cell, so 64 MiB).
	DefaultMaxAutomatonCells = engine.DefaultMaxAutomatonCells
	// DefaultMaxDFABytes is the state budget of the matching automaton (1 MiB): names that
	// need states beyond it are answered by the index engine.
	DefaultMaxDFABytes = engine.DefaultMaxDFABytes
	// DefaultMaxDirectPatterns is the largest configuration, in distinct filters, matched by
	// checking each filter in turn instead of walking the automaton (3).
	DefaultMaxDirectPatterns = engine.DefaultMaxDirectPatterns
)

// MaxInlineRules is how many rules a [Result] holds inline. Beyond, Match writes each Result's
// bit set into a block of words the matcher allocates 16 KiB at a time and hands out in turn
// (one allocation per 128 calls at 1,000 rules), so Match costs no per-call allocation at any
// size; a Result kept alive keeps its block alive. Up to 1,024 rules were inline until
// 28 November 2026: a 160-byte Result, zeroed and copied per call, cost more than matching
// one filter.
const MaxInlineRules = 64

// ErrBudget is wrapped by the error Compile returns for a configuration beyond its budget;
// that error is a *rules.CodeError with code ECR406 (rules.CodeCompileBudget).
var ErrBudget = engine.ErrBudget

// Budget bounds what Compile accepts and how large the matching automaton may grow; a zero
// field takes its Default value, a negative MaxDFABytes turns the automaton off (and the
// direct path with it), and a negative MaxDirectPatterns walks the automaton however small
// the configuration.
type Budget = engine.Budget

// Option changes how Compile builds a matcher.
type Option func(*options)

type options struct {
	budget       Budget
	analysisWork int
}

// WithBudget replaces the default compile budget; zero fields keep their defaults.
func WithBudget(b Budget) Option { return func(o *options) { o.budget = b } }

// Matcher answers which rules of a configuration apply to a repository name.
// It is immutable after Compile and safe for concurrent use.
type Matcher struct {
	rules []compiledRule
	// profiles holds the distinct signing profile ARNs in order of first use;
	// rules[i].profile indexes it.
	profiles []string
	// filters holds the text of every filter in configuration order; rules[i].filters
	// is rule i's range of it, and engine input filter k is filters[k].
	filters []string
	// always holds, one bit per rule, the rules without filters.
	always []uint64
	eng    *engine.Engine
	budget engine.Budget
	// byFilter is the index behind AppendCauses.
	byFilter lazyEngine
	// block hands out the bit sets of Results beyond MaxInlineRules rules (takeWords).
	block atomic.Pointer[bitBlock]
	// always0 is always[0], for the inline Match.
	always0 uint64
	// direct holds the engine's patterns when it takes the direct path (engine.DirectPatterns)
	direct []engine.Pattern
	// prefix is set for replication matchers (PREFIX_MATCH semantics).
	prefix bool
}

type compiledRule struct {
	all     bool  // the rule has no filters and applies to every name
	filters span  // range of Matcher.filters
	profile int32 // index into Matcher.profiles, -1 for replication rules
}

type span struct{ lo, hi int }

// Compile builds a matcher for every rule of a signing configuration. It does not re-apply
// the API's size limits (validate with package rules first when that matters); it refuses only
// configurations beyond its [Budget].
func Compile(cfg *rules.SigningConfiguration, opts ...Option) (*Matcher, error) {
	if cfg == nil {
		return nil, fmt.Errorf("match: nil signing configuration")
	}
	b := newBuilder(len(cfg.Rules), false)
	total := 0
	for _, r := range cfg.Rules {
		total += len(r.RepositoryFilters)
	}
	b.filters = make([]engine.Filter, 0, total)
	b.m.filters = make([]string, 0, total)
	index := map[string]int32{}
	for _, r := range cfg.Rules {
		p, ok := index[r.SigningProfileArn]
		if !ok {
			p = int32(len(b.m.profiles))
			index[r.SigningProfileArn] = p
			b.m.profiles = append(b.m.profiles, r.SigningProfileArn)
		}
		b.addRule(r.RepositoryFilters == nil, len(r.RepositoryFilters), func(j int) string { return r.RepositoryFilters[j].Filter }, p)
	}
	return b.finish(opts)
}

// CompileReplication builds a matcher for the PREFIX_MATCH filters of a replication
// configuration: a filter matches every name that starts with it, `*` included literally.
// Result.Profiles yields nothing for it.
func CompileReplication(cfg *rules.ReplicationConfiguration, opts ...Option) (*Matcher, error) {
	if cfg == nil {
		return nil, fmt.Errorf("match: nil replication configuration")
	}
	b := newBuilder(len(cfg.Rules), true)
	for _, r := range cfg.Rules {
		b.addRule(r.RepositoryFilters == nil, len(r.RepositoryFilters), func(j int) string { return r.RepositoryFilters[j].Filter }, -1)
	}
	return b.finish(opts)
}

type builder struct {
	m       *Matcher
	filters []engine.Filter
}

func newBuilder(numRules int, prefix bool) *builder {
	return &builder{m: &Matcher{
		rules:  make([]compiledRule, 0, numRules),
		always: make([]uint64, max(1, (numRules+63)/64)),
		prefix: prefix,
	}}
}

// addRule adds a rule of n filters, filter(j) giving the text of filter j.
func (b *builder) addRule(all bool, n int, filter func(int) string, profile int32) {
	i := len(b.m.rules)
	lo := len(b.m.filters)
	for j := range n {
		t := filter(j)
		var p glob.Pattern
		if b.m.prefix {
			p = glob.Pattern{Prefix: t}
		} else {
			p = glob.Parse(t)
		}
		b.filters = append(b.filters, engine.Filter{Pattern: p, Rule: i})
		b.m.filters = append(b.m.filters, t)
	}
	if all {
		b.m.always[i/64] |= 1 << (i % 64)
	}
	b.m.rules = append(b.m.rules, compiledRule{all: all, filters: span{lo, len(b.m.filters)}, profile: profile})
}

func (b *builder) finish(opts []Option) (*Matcher, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	b.m.budget = o.budget.WithDefaults()
	for i, r := range b.m.rules {
		for k := r.filters.lo; k < r.filters.hi; k++ {
			if n := len(b.m.filters[k]); n > b.m.budget.MaxFilterLength {
				return nil, budgetError(fmt.Errorf("match: %s: filter of %d bytes: %w (at most %d per filter)",
					rules.FilterPath(i, k-r.filters.lo), n, ErrBudget, b.m.budget.MaxFilterLength))
			}
		}
	}
	eng, err := engine.Compile(b.filters, len(b.m.rules), b.m.budget)
	if err != nil {
		return nil, budgetError(fmt.Errorf("match: %w", err))
	}
	b.m.eng = eng
	b.m.always0 = b.m.always[0]
	b.m.direct = eng.DirectPatterns()
	return b.m, nil
}

// budgetError gives an error beyond the compile budget its finding code (ECR406), so that a
// caller can report it as a finding; errors.Is(err, ErrBudget) still holds.
func budgetError(err error) error {
	if errors.Is(err, ErrBudget) {
		return &rules.CodeError{Code: rules.CodeCompileBudget, Err: err}
	}
	return err
}

// NumRules is the number of rules the matcher was compiled from.
func (m *Matcher) NumRules() int { return len(m.rules) }

// Profiles returns the distinct signing profile ARNs of the configuration in order of first use.
func (m *Matcher) Profiles() []string { return append([]string(nil), m.profiles...) }

// Bytes estimates the memory the compiled matcher holds, in bytes: the compiled patterns, the
// automaton's position trie once the first walk has built it, its states built so far (at
// most Budget.MaxDFABytes, 1 MiB by default, and the table's unused tail), the index engine
// once built, and the filter-level automaton and index AppendCauses builds on first use once
// they exist.
func (m *Matcher) Bytes() int {
	n := 64 + 24*len(m.rules) + 8*len(m.always) + m.eng.Bytes()
	if e := m.byFilter.eng.Load(); e != nil {
		n += e.Bytes()
	}
	for _, f := range m.filters {
		n += 16 + len(f)
	}
	for _, p := range m.profiles {
		n += 16 + len(p)
	}
	return n
}

// String prints the compiled form deterministically: the rules, the distinct patterns and
// their indexes, and the automaton (positions, byte classes, every state within the budget in
// breadth-first order). It is a debugging aid and costs as
// much as building the whole automaton.
func (m *Matcher) String() string {
	return fmt.Sprintf("matcher: %d rules, %d profiles\n%s", len(m.rules), len(m.profiles), m.eng)
}

// Match returns the rules that apply to name. It allocates nothing for configurations of up to
// MaxInlineRules rules, and beyond, one block per many calls (see MaxInlineRules).
func (m *Matcher) Match(name string) (res Result) {
	// kept small enough to inline, so that the Result is written in the caller's frame
	if len(m.always) > len(res.small) {
		return m.matchLarge(name)
	}
	res.m = m
	if m.direct != nil {
		// the direct path (engine.MatchWord's), here: a call fewer for the smallest configurations
		w := m.always0
		for i := range m.direct {
			if p := &m.direct[i]; p.Mask()&^w != 0 && p.Matches(name) {
				w |= p.Mask()
			}
		}
		res.small[0] = w
		return res
	}
	res.small[0] = m.eng.MatchWord(name, m.always0)
	return res
}

// matchLarge is Match beyond MaxInlineRules rules.
func (m *Matcher) matchLarge(name string) (res Result) {
	res.m = m
	res.large = m.takeWords(len(m.always))
	copy(res.large, m.always)
	m.eng.Match(name, res.large)
	return res
}
