package match

import (
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ecrsign/ecrsign/internal/engine"
	"github.com/ecrsign/ecrsign/internal/glob"
)

// Cause says why a rule applies to a name: the rule, the first of its filters that matches,
// and the signing profile the rule names. It is the one way the package names a cause:
// AppendCauses returns causes, and Explain builds its verdicts on the same computation.
type Cause struct {
	Rule int // index of the rule in configuration order
	// Filter is the index within the rule of the first filter that matches the name; -1 for
	// a rule without filters, which applies to every name.
	Filter int
	// FilterText is that filter's text as compiled; empty for a rule without filters.
	FilterText string
	// ProfileIndex is the index of the rule's signing profile among Matcher.Profiles (equal
	// indexes, equal profiles); -1 for a replication rule.
	ProfileIndex int
	// Profile is the rule's signing profile ARN; empty for a replication rule.
	Profile string
}

// MaxInlineFilters is how many filters AppendCauses tracks without allocating.
const MaxInlineFilters = 1024

// AppendCauses appends to dst one Cause for every rule that applies to name, in configuration
// order (the rules Match reports), and returns the extended slice. Its strings are the
// matcher's own: a cause costs no allocation beyond growing dst.
//
// It answers in one pass over the name, however many rules apply, from a second compiled
// index whose entries stand for filters rather than rules. That index is built by the first
// call, once per matcher: the call takes about as long as Compile, and the matcher's memory
// (Bytes) about doubles. It allocates nothing beyond growing dst for configurations of up to
// MaxInlineFilters filters, and beyond that borrows its scratch space from a pool.
func (m *Matcher) AppendCauses(dst []Cause, name string) []Cause {
	eng := m.byFilter.eng.Load()
	if eng == nil {
		if eng = m.filterEngine(); eng == nil { // the same filters passed Compile's budget, so this does not happen
			for r := range m.Match(name).Rules() {
				dst = m.appendCause(dst, r, m.matchingFilter(name, r))
			}
			return dst
		}
	}
	// the bit set of matching filters: one word inline for the commonest configurations, so
	// that a small call does not zero a large array
	n := (len(m.filters) + 63) / 64
	if n <= 1 {
		var one [1]uint64
		eng.Match(name, one[:])
		return m.appendMatchedWord(dst, one[0])
	}
	if n <= MaxInlineFilters/64 {
		var small [MaxInlineFilters / 64]uint64
		eng.Match(name, small[:n])
		return m.appendMatched(dst, small[:n])
	}
	p := matchedPool.Get().(*[]uint64)
	defer matchedPool.Put(p)
	if cap(*p) < n {
		*p = make([]uint64, n)
	}
	matched := (*p)[:n]
	clear(matched)
	eng.Match(name, matched)
	return m.appendMatched(dst, matched)
}

// appendMatchedWord is appendMatched for at most 64 filters, whose bit set is the word w.
func (m *Matcher) appendMatchedWord(dst []Cause, w uint64) []Cause {
	for i := range m.rules {
		r := &m.rules[i]
		if r.all {
			dst = m.appendCause(dst, i, -1)
			continue
		}
		// the bits of the rule's filters [lo, hi), hi <= 64
		if b := w >> uint(r.filters.lo) & (1<<uint(r.filters.hi-r.filters.lo) - 1); b != 0 {
			dst = m.appendCause(dst, i, bits.TrailingZeros64(b))
		}
	}
	return dst
}

// appendMatched appends the cause of every rule with a filter in matched (or without filters).
func (m *Matcher) appendMatched(dst []Cause, matched []uint64) []Cause {
	for i := range m.rules {
		r := &m.rules[i]
		if r.all {
			dst = m.appendCause(dst, i, -1)
		} else if k := firstSet(matched, r.filters.lo, r.filters.hi); k >= 0 {
			dst = m.appendCause(dst, i, k-r.filters.lo)
		}
	}
	return dst
}

// appendCause appends the Cause of rule by its filter f (-1: the rule has no filters), from
// the compiled rule, filter texts and profiles. It writes the fields in place: a Cause built
// aside and copied in costs a stalled copy of its 56 bytes, more than the rest.
func (m *Matcher) appendCause(dst []Cause, rule, f int) []Cause {
	r := &m.rules[rule]
	if len(dst) == cap(dst) {
		dst = slices.Grow(dst, 1)
	}
	dst = dst[:len(dst)+1]
	c := &dst[len(dst)-1]
	c.Rule, c.Filter, c.ProfileIndex = rule, f, int(r.profile)
	if f >= 0 {
		c.FilterText = m.filters[r.filters.lo+f]
	} else {
		c.FilterText = ""
	}
	if r.profile >= 0 {
		c.Profile = m.profiles[r.profile]
	} else {
		c.Profile = ""
	}
	return dst
}

// matchingFilter returns the index (within the rule) of the first filter of rule that matches
// name, or -1 when none does or the rule has no filters: AppendCauses's answer for one rule,
// from that rule's compiled patterns alone, for when the filter index could not be built.
func (m *Matcher) matchingFilter(name string, rule int) int {
	if rule < 0 || rule >= len(m.rules) {
		return -1
	}
	r := &m.rules[rule]
	for k := r.filters.lo; k < r.filters.hi; k++ {
		if m.eng.Pattern(k).Matches(name) {
			return k - r.filters.lo
		}
	}
	return -1
}

// matchedPool lends AppendCauses its bit set for configurations of more than MaxInlineFilters
// filters.
var matchedPool = sync.Pool{New: func() any { s := []uint64(nil); return &s }}

// firstSet returns the lowest bit set in bs within [lo, hi), or -1.
func firstSet(bs []uint64, lo, hi int) int {
	for lo < hi {
		w := bs[lo/64] >> (lo % 64)
		if w != 0 {
			if k := lo + bits.TrailingZeros64(w); k < hi {
				return k
			}
			return -1
		}
		lo += 64 - lo%64
	}
	return -1
}

// filterEngine returns the index over filters behind AppendCauses: the same patterns as the
// matcher's engine, each owned by the filters that have it rather than by their rules.
func (m *Matcher) filterEngine() *engine.Engine {
	m.byFilter.once.Do(func() {
		fs := make([]engine.Filter, len(m.filters))
		for k, t := range m.filters {
			if m.prefix {
				fs[k] = engine.Filter{Pattern: glob.Pattern{Prefix: t}, Rule: k}
			} else {
				fs[k] = engine.Filter{Pattern: glob.Parse(t), Rule: k}
			}
		}
		// its "rules" are the filters: as many as the matcher's budget let through, which may
		// be more than its MaxRules (1,000 rules of 100 filters are 100,000)
		b := m.budget
		b.MaxRules = max(b.MaxRules, len(fs))
		if eng, err := engine.Compile(fs, len(fs), b); err == nil {
			m.byFilter.eng.Store(eng)
		}
	})
	return m.byFilter.eng.Load()
}

// lazyEngine is an engine built on first use. eng is atomic so that Bytes may read it while
// another goroutine builds it.
type lazyEngine struct {
	once sync.Once
	eng  atomic.Pointer[engine.Engine]
}
