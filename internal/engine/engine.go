// Package engine is the compiled matcher behind package match: every filter of every rule in
// one deterministic automaton that answers which rules apply to a name in one left-to-right
// pass, with an index engine behind it for the names the automaton's budget does not cover.
//
// The automaton's positions are the nodes of one trie over all filters spelled as literal
// bytes and `*` tokens; a state is a set of positions with the rules already proven, bytes are
// mapped to classes (the bytes of no filter share one), and each state's row holds one
// transition per class and the rules that apply if the name ends there. A state whose
// positions can prove no more rules is settled and ends the walk early. No state is verified:
// one dependent table load per byte decides.
//
// The automaton is built lazily: its position trie and start state by the first name walked
// (Compile only parses, deduplicates and anchors the patterns, so a matcher that never walks,
// such as one on the direct path below or one used only for validation or analysis, never
// pays for them), and its states the first time a name reaches them, under a mutex; readers follow
// built transitions with atomic loads and never lock, so matching is safe for concurrent use
// and allocation-free once the states it needs exist. Engines of at most 64 rules whose
// budget 16 bits can address keep their transitions in 16-bit cells, half the memory a walk
// touches: the writer builds them in a draft and publishes copies nobody writes afterwards,
// which readers walk with plain loads (sync/atomic has no 16-bit load); a name that meets a
// cell its copy lacks finishes in the draft under the mutex. A narrow cell is the next row's
// offset in units of 8 bytes, and the walk reads cells by address, so that the dependent
// chain of a step is one address computation and one load (the byte's class offset is added
// off the chain); the copy's rows make that safe, since every cell names a row inside it
// (checked by TestConcurrentNarrow). Lazy beats eager by measurement: built
// eagerly, the automaton of the benchmarks' 10 x 100 configuration passes 16 MiB of states
// after about 70,000 states and seconds of work (a 10 x 100 configuration of exact names and
// prefixes completes at 7,800 states in about 0.3 s), against a compile target of 1 ms, while
// a registry's working set of names reaches a few thousand states.
// Construction stops at a byte budget (Budget.MaxDFABytes, default DefaultMaxDFABytes); a
// transition that would need a state beyond it sends the name to the index engine, which is
// linear in the name times the candidate filters, so memory stays bounded and no input makes
// matching worse than linear. A saturated automaton that keeps sending names to the index
// engine (many distinct names: the benchmarks' 10,000-name corpora leave it for 80 to 99% of
// names) would charge each of them a walk that misses the caches plus the indexes, so Match
// then sends names to the index engine directly and tries the automaton with about one name
// in 64, which measures the regime again: the automaton answers every name once they come
// back to the states it holds.
//
// Why the states are many, measured on the benchmarks' 10 x 100 configuration over 10,000
// distinct names (bench/README.md): the automaton needs 18.5 MB of states, and the blow-up is
// in the positions themselves, not in the proven rule sets a state carries (states without
// them need slightly more, since then no position is dropped once its rules are proven), nor
// in mixing anchored and floating filters (the filters with a literal prefix alone need
// 1.1 MB, those starting with `*` 15.6 MB). So the budget, not a cleverer state, decides.
//
// The smallest configurations skip the automaton: with at most Budget.MaxDirectPatterns
// distinct patterns (three by default), Match checks each pattern in turn, which costs less
// than a walk and its fixed costs (a sweep of one to eight realistic filters: direct is faster
// up to three, equal at four, 1.5-2x slower from five).
//
// The index engine (built on first use, or at Compile when its budget must be checked)
// deduplicates filters and indexes each by its most selective literal: exact filters in a hash
// table probed once, filters anchored by a literal prefix on a prefix trie walked from the
// start of the name, by a literal suffix on a trie of reversed suffixes walked from the end,
// and by a middle literal (`*prod*`, `org/*/svc-api-*`) on an Aho-Corasick automaton that
// marks, in one scan, which middle literals occur. A candidate missing one of its middle
// literals is dropped with bit tests; the rest are verified from the same compiled [Pattern]
// (length, prefix, suffix, greedy leftmost middles). In engines of more than 64 rules, a
// pattern or trie node owned by many rules also holds them as bit words, set and tested a word
// at a time.
package engine

import (
	"errors"
	"fmt"
	mbits "math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ecrsign/ecrsign/internal/glob"
)

// Default budgets. Compile refuses input beyond them with an error wrapping ErrBudget, so the
// time and memory of a compile are bounded whatever the configuration.
const (
	// DefaultMaxRules caps the rules of one configuration (the API allows 10; organisation-wide
	// analysis may merge many configurations).
	DefaultMaxRules = 1 << 16
	// DefaultMaxFilters caps the filters over all rules. The API allows 10 x 100; the cap
	// leaves room for organisation-wide analysis (1,000 rules x 100 filters) with margin.
	DefaultMaxFilters = 1 << 18
	// DefaultMaxFilterLength caps one filter's length in bytes (the API allows 256). Package
	// match checks it on the filter's text, where it can name the filter.
	DefaultMaxFilterLength = 4096
	// DefaultMaxTextBytes caps the total bytes of filter text, which bounds the tries and the
	// automaton's position trie.
	DefaultMaxTextBytes = 1 << 24
	// DefaultMaxAutomatonCells caps the dense transition table of the fallback's Aho-Corasick
	// automaton over middle literals (states x byte classes, 4 bytes each): 1<<24 cells is
	// 64 MiB.
	DefaultMaxAutomatonCells = 1 << 24
	// DefaultMaxDFABytes is the state budget of the deterministic automaton, in bytes of
	// states (rows of transitions, position and rule sets). A row costs 4 bytes a cell: an
	// int32 cell, or for engines of at most 64 rules under budgets up to about 1.5 MB (3 MB
	// when the filters use few distinct bytes), a 16-bit cell held twice (the writer's draft
	// and the copy readers walk), in rows padded to 4 cells. States are built as names reach
	// them; a name that needs a state beyond the budget is answered by the index engine.
	// 1 MiB holds a registry's working set of a few hundred names on the API's largest
	// configuration (the benchmarks' ecr-max-hot) and stays in the processor's caches. A
	// larger default was measured and is worse where it counts (bench/README.md,
	// BenchmarkMatchBudget): 10,000 distinct names on that configuration reach 39,000 states
	// (19 MB of matcher against 2.5 MB), the first pass over them (what a command-line run
	// and a registry's first pushes pay) costs 5-7x more per name, and the steady state gains
	// 0-2.4x from run to run (its walks miss the caches and the TLB on every byte); on long
	// names 64 MiB is slower even in the steady state. A configuration of exact names whose
	// 10,000 names need 7,777 states fits from 4 MiB and is no faster there. And beyond
	// about 1.5 MB the cells are 32 bits, which makes the working set's walk slower (50 ns a
	// name at 1 MiB, 95-148 ns from 4 MiB). A server holds one matcher per registry
	// configuration, so the budget is also its memory per configuration.
	DefaultMaxDFABytes = 1 << 20
	// DefaultMaxDirectPatterns is the largest configuration, in distinct patterns, that Match
	// answers by checking each pattern in turn rather than walking the automaton (the direct
	// path; see the package doc).
	DefaultMaxDirectPatterns = 3
)

// ErrBudget is wrapped by every error Compile returns for input beyond its budget.
var ErrBudget = errors.New("beyond the matcher's compile budget")

// Budget bounds what Compile accepts and what the automaton may grow to. A zero field takes
// its default.
type Budget struct {
	MaxRules          int
	MaxFilters        int
	MaxFilterLength   int
	MaxTextBytes      int
	MaxAutomatonCells int
	// MaxDFABytes is the automaton's state budget; negative means no automaton (the index
	// engine answers every name, and the direct path is off too).
	MaxDFABytes int
	// MaxDirectPatterns is the largest number of distinct patterns that Match checks one by
	// one instead of walking the automaton; negative means never.
	MaxDirectPatterns int
}

// WithDefaults returns b with every zero field set to its default.
func (b Budget) WithDefaults() Budget {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&b.MaxRules, DefaultMaxRules)
	def(&b.MaxFilters, DefaultMaxFilters)
	def(&b.MaxFilterLength, DefaultMaxFilterLength)
	def(&b.MaxTextBytes, DefaultMaxTextBytes)
	def(&b.MaxAutomatonCells, DefaultMaxAutomatonCells)
	if b.MaxDFABytes == 0 {
		b.MaxDFABytes = DefaultMaxDFABytes
	}
	if b.MaxDirectPatterns == 0 {
		b.MaxDirectPatterns = DefaultMaxDirectPatterns
	}
	return b
}

// Filter is one filter to compile: its parsed pattern and the rule it belongs to.
type Filter struct {
	Pattern glob.Pattern
	Rule    int
}

// Kind says which index of the engine holds a pattern.
type Kind uint8

const (
	KindExact  Kind = iota // no `*`: an entry of the exact-name hash table
	KindPrefix             // anchored by its literal prefix: a node of the prefix trie
	KindSuffix             // anchored by its literal suffix: a node of the reversed-suffix trie
	KindMiddle             // anchored by a middle literal: an Aho-Corasick output
	KindAny                // only stars: matches every name
)

var kindNames = [...]string{"exact", "prefix", "suffix", "middle", "any"}

func (k Kind) String() string { return kindNames[k] }

// Pattern is one distinct compiled filter.
type Pattern struct {
	glob.Pattern
	Kind   Kind
	MinLen int
	// Key is the index in Middle of the literal the automaton keys the pattern by (KindMiddle).
	Key int
	// owners are the distinct rules having this filter, ascending.
	owners []int32
	// mask holds the owners as bits, for engines of at most 64 rules.
	mask uint64
	// dense holds the owners as bit words when they are more than the words (engines of
	// more than 64 rules): setting and testing them costs a word, not a rule, at a time.
	dense []uint64
	// sure is set when reaching the pattern's anchor in its index is the match.
	sure bool
}

// Engine is the compiled form of a set of filters. It is immutable and safe for concurrent use.
type Engine struct {
	numRules int
	budget   Budget
	// auto is set when the budget allows the automaton. The automaton that answers names
	// (dfa) is built on first use (dfaOnce): its positions by the first walk, its states as
	// names reach them; the indexes below answer the names that leave its budget. They are
	// built on first use too (indexOnce).
	auto    bool
	dfaOnce sync.Once
	dfa     atomic.Pointer[dfa]
	// direct is set when the automaton is on and the patterns are at most
	// Budget.MaxDirectPatterns: Match checks each pattern in turn (matchDirect).
	direct    bool
	indexOnce sync.Once
	built     atomic.Bool
	// small is set for engines of 1 to 64 rules: rule sets fit one word, so Pattern.mask
	// and trieNode.sub are exact.
	small bool
	// words is the number of words of a rule bit set; long rule lists are also held as bit
	// sets of this many words (Pattern.dense, trieNode.dense, sureDense).
	words    int
	patterns []Pattern
	// filterPattern maps each input filter (in Compile order) to its pattern.
	filterPattern []int32
	// always holds the rules having a star-only filter.
	always []int32

	exact  exactSet
	prefix trie
	suffix trie // over reversed suffixes
	ac     aho
	// For the middle index: the patterns keyed by each automaton literal (spans of keyed),
	// and for each pattern to verify, the middle literals it needs (span of needs in needPool).
	keyOf []span
	keyed []cand
	// the rules that apply as soon as a literal occurs (`*prod*`), per literal
	sureOf    []span
	sureRules []int32
	// sureMask is sureOf as one word per literal, for engines of at most 64 rules.
	sureMask []uint64
	// sureDense is, per literal, the offset in denseWords of sureOf as bit words, or -1 when
	// that list is short.
	sureDense  []int32
	denseWords []uint64
	needs      []span // per pattern
	needPool   []int32
}

// span is a half-open range of an int32 pool.
type span struct{ lo, hi int32 }

// cand is a pattern to verify where an index reaches it, with what the cheap checks before
// verification need inline: its owners as bits (engines of at most 64 rules) and the middle
// literals it needs (a span of needPool).
type cand struct {
	mask uint64
	need span
	id   int32
	// first is the pattern's first owner: while it does not apply the pattern is pending,
	// which engines of more than 64 rules learn without reading the pattern
	first int32
	// need0 is the first literal it needs (-1 for none), inline since most candidates fail
	// there; need holds the others
	need0 int32
	// runEnd is, among the candidates of a middle literal (keyed), the end of the run of
	// those with the same need0
	runEnd int32
}

func (e *Engine) cand(id int32) cand {
	p := &e.patterns[id]
	c := cand{mask: p.mask, need: e.needs[id], id: id, first: p.owners[0], need0: -1}
	if c.need.lo < c.need.hi {
		c.need0 = e.needPool[c.need.lo]
		c.need.lo++
	}
	return c
}

// Compile builds the engine for filters of numRules rules.
func Compile(filters []Filter, numRules int, budget Budget) (*Engine, error) {
	budget = budget.WithDefaults()
	if numRules > budget.MaxRules {
		return nil, fmt.Errorf("%d rules: %w (at most %d)", numRules, ErrBudget, budget.MaxRules)
	}
	if len(filters) > budget.MaxFilters {
		return nil, fmt.Errorf("%d filters: %w (at most %d)", len(filters), ErrBudget, budget.MaxFilters)
	}
	e := &Engine{numRules: numRules, small: 0 < numRules && numRules <= 64, words: (numRules + 63) / 64, filterPattern: make([]int32, len(filters)), budget: budget}
	ids := make(map[string]int32, len(filters))
	// first[id] is the first filter of pattern id: the patterns are laid out once their
	// number is known, in one allocation
	first := make([]int32, 0, len(filters))
	text := 0
	var key []byte
	for i, f := range filters {
		if f.Rule < 0 || f.Rule >= numRules {
			return nil, fmt.Errorf("filter %d: rule %d out of range", i, f.Rule)
		}
		if text += patternLen(f.Pattern); text > budget.MaxTextBytes {
			return nil, fmt.Errorf("%d bytes of filter text: %w (at most %d)", text, ErrBudget, budget.MaxTextBytes)
		}
		key = appendKey(key[:0], f.Pattern)
		id, ok := ids[string(key)]
		if !ok {
			id = int32(len(first))
			ids[string(key)] = id
			first = append(first, int32(i))
		}
		e.filterPattern[i] = id
	}
	e.patterns = make([]Pattern, len(first))
	for id, i := range first {
		e.patterns[id] = newPattern(filters[i].Pattern)
	}
	e.groupOwners(filters)
	e.chooseAnchors()
	if budget.MaxDFABytes >= 0 {
		// the automaton itself (its position trie and start state) is built by the first
		// walk: Compile need not pay for it, nor a matcher that never walks (the direct path,
		// validation, analysis); MaxTextBytes has bounded its size already
		e.auto = true
		e.direct = len(e.patterns) <= budget.MaxDirectPatterns
	}
	if !e.auto || ahoBound(e.patterns) > budget.MaxAutomatonCells {
		// the indexes are needed at once, or building them later might exceed the budget:
		// build them now, so that Compile reports it
		if err := e.buildIndexes(); err != nil {
			return nil, err
		}
		e.indexOnce.Do(func() {})
	}
	return e, nil
}

// groupOwners sets every pattern's distinct rules, ascending, in one pool: the filters' rules
// grouped by pattern with a counting sort, which keeps the input order (rules ascending when
// the filters come rule by rule, as package match gives them; a group is sorted otherwise).
func (e *Engine) groupOwners(filters []Filter) {
	start := make([]int32, len(e.patterns)+1)
	for _, id := range e.filterPattern {
		start[id+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	pool := make([]int32, len(filters))
	next := slices.Clone(start[:len(e.patterns)])
	for i, id := range e.filterPattern {
		pool[next[id]] = int32(filters[i].Rule)
		next[id]++
	}
	kept := int32(0)
	for id := range e.patterns {
		rs := pool[start[id]:start[id+1]]
		if !slices.IsSorted(rs) {
			slices.Sort(rs)
		}
		rs = slices.Compact(rs)
		lo := kept
		kept += int32(copy(pool[kept:], rs))
		p := &e.patterns[id]
		p.owners = pool[lo:kept:kept]
		if e.small {
			for _, r := range p.owners {
				p.mask |= 1 << r
			}
		} else if len(p.owners) > e.words {
			p.dense = make([]uint64, e.words)
			setAll(p.dense, p.owners)
		}
	}
}

// ahoBound is an upper bound on the cells of the middle-literal automaton of patterns: one
// state per literal byte and the root, one column per class and the emit column.
func ahoBound(patterns []Pattern) int {
	var used [256]bool
	states, classes := 1, 2
	for _, p := range patterns {
		for _, m := range p.Middle {
			states += len(m)
			for i := 0; i < len(m); i++ {
				if !used[m[i]] {
					used[m[i]] = true
					classes++
				}
			}
		}
	}
	return states * classes
}

// indexes builds the index engine on first use; Compile made sure it fits the budget.
func (e *Engine) indexes() {
	e.indexOnce.Do(func() {
		if err := e.buildIndexes(); err != nil {
			// unreachable: ahoBound held within the budget at Compile
			panic("engine: index build failed after Compile checked its budget: " + err.Error())
		}
	})
}

// buildIndexes builds the hash table, the tries and the middle-literal automaton.
func (e *Engine) buildIndexes() error {
	var pb, sb trieBuilder
	prefixBytes, suffixBytes := 0, 0
	for id := range e.patterns {
		switch p := &e.patterns[id]; p.Kind {
		case KindPrefix:
			prefixBytes += len(p.Prefix)
		case KindSuffix:
			suffixBytes += len(p.Suffix)
		}
	}
	pb.init(min(prefixBytes/2, 1<<12))
	sb.init(min(suffixBytes/2, 1<<12))
	exact := map[string][]int32{}
	lits := map[string]int32{} // middle literal -> automaton literal id
	var litList []string
	litID := func(m string) int32 {
		id, ok := lits[m]
		if !ok {
			id = int32(len(litList))
			lits[m] = id
			litList = append(litList, m)
		}
		return id
	}
	var keyOf []int32             // per pattern: literal id of its key, -1 if not verified by the middle index
	sureOf := map[int32][]int32{} // per literal: rules of the sure patterns keyed by it
	e.needs = make([]span, len(e.patterns))
	for id := range e.patterns {
		p := &e.patterns[id]
		keyOf = append(keyOf, -1)
		switch p.Kind {
		case KindAny:
			e.always = append(e.always, p.owners...)
		case KindExact:
			exact[p.Prefix] = append(exact[p.Prefix], p.owners...)
		case KindPrefix:
			n := pb.add(p.Prefix, false)
			if p.sure {
				n.sure = append(n.sure, p.owners...)
			} else {
				n.cands = append(n.cands, int32(id))
			}
		case KindSuffix:
			n := sb.add(p.Suffix, true)
			if p.sure {
				n.sure = append(n.sure, p.owners...)
			} else {
				n.cands = append(n.cands, int32(id))
			}
		case KindMiddle:
			if l := litID(p.Middle[p.Key]); p.sure {
				sureOf[l] = append(sureOf[l], p.owners...)
			} else {
				keyOf[id] = l
			}
		}
		if !p.sure && len(p.Middle) > 0 {
			// the automaton marks which middle literals occur, so that a candidate missing
			// one is dropped with a few bit tests before any verification
			// (a middle pattern is verified only where its key literal occurs: that one
			// need not be checked again)
			lo := int32(len(e.needPool))
			for _, m := range p.Middle {
				if p.Kind == KindMiddle && m == p.Middle[p.Key] {
					litID(m)
					continue
				}
				if l := litID(m); !slices.Contains(e.needPool[lo:], l) {
					e.needPool = append(e.needPool, l)
				}
			}
			e.needs[id] = span{lo, int32(len(e.needPool))}
		}
	}
	slices.Sort(e.always)
	e.always = slices.Compact(e.always)
	for text, rs := range exact {
		slices.Sort(rs)
		exact[text] = slices.Compact(rs)
	}
	e.exact.build(exact)
	e.prefix = pb.build(false, e.cand, e.small, e.words)
	e.suffix = sb.build(true, e.cand, e.small, e.words)
	ac, err := buildAho(litList, e.budget.MaxAutomatonCells)
	if err != nil {
		return err
	}
	e.ac = ac
	// group KindMiddle patterns by key literal
	count := make([]int32, len(litList)+1)
	for _, l := range keyOf {
		if l >= 0 {
			count[l+1]++
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	e.keyOf = make([]span, len(litList))
	for l := range litList {
		e.keyOf[l] = span{count[l], count[l]}
	}
	e.buildSureSets(len(litList), sureOf)
	e.keyed = make([]cand, count[len(litList)])
	for id, l := range keyOf {
		if l >= 0 {
			e.keyed[e.keyOf[l].hi] = e.cand(int32(id))
			e.keyOf[l].hi++
		}
	}
	e.sortKeyedRuns()
	e.built.Store(true)
	return nil
}

// buildSureSets lays out, per middle literal, the rules that apply as soon as it occurs: a
// span of sureRules, and as one word (engines of at most 64 rules) or as bit words when long.
func (e *Engine) buildSureSets(literals int, sureOf map[int32][]int32) {
	e.sureOf = make([]span, literals)
	for l := range literals {
		rs := sureOf[int32(l)]
		slices.Sort(rs)
		lo := int32(len(e.sureRules))
		e.sureRules = append(e.sureRules, slices.Compact(rs)...)
		e.sureOf[l] = span{lo, int32(len(e.sureRules))}
	}
	if e.small {
		e.sureMask = make([]uint64, literals)
		for l, sr := range e.sureOf {
			for _, r := range e.sureRules[sr.lo:sr.hi] {
				e.sureMask[l] |= 1 << r
			}
		}
	} else {
		e.sureDense = make([]int32, literals)
		for l, sr := range e.sureOf {
			e.sureDense[l] = appendDense(&e.denseWords, e.sureRules[sr.lo:sr.hi], e.words)
		}
	}
}

// sortKeyedRuns puts, under each key literal, the candidates needing the same first literal
// in one run, so that matchMiddle skips a run whose literal does not occur with one test.
func (e *Engine) sortKeyedRuns() {
	for _, k := range e.keyOf {
		run := e.keyed[k.lo:k.hi]
		slices.SortStableFunc(run, func(a, b cand) int { return int(a.need0 - b.need0) })
		for i := len(run) - 1; i >= 0; i-- {
			run[i].runEnd = k.lo + int32(i) + 1
			if i+1 < len(run) && run[i+1].need0 == run[i].need0 {
				run[i].runEnd = run[i+1].runEnd
			}
		}
	}
}

func patternLen(p glob.Pattern) int {
	n := p.MinLen()
	if !p.Exact {
		n += 1 + len(p.Middle)
	}
	return n
}

// appendKey appends a canonical, injective encoding of p: patterns with equal keys match
// the same names.
func appendKey(b []byte, p glob.Pattern) []byte {
	if p.Exact {
		b = append(b, 'E')
	} else {
		b = append(b, 'G')
	}
	lit := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	lit(p.Prefix)
	lit(p.Suffix)
	for _, m := range p.Middle {
		lit(m)
	}
	return b
}

func newPattern(g glob.Pattern) Pattern {
	return Pattern{Pattern: g, MinLen: g.MinLen()}
}

// chooseAnchors puts every pattern in the index of its most selective literal. For filters
// with `*` that is the longest of the prefix, the suffix and the middle literals (prefix first
// on ties, then suffix); among equally long middle literals, the one whose rarest byte is
// rarest over all filters, so that candidates (and their checks) are few. A pattern whose
// anchor alone decides the match (`team/*`, `*/prod`, `*prod*`) is sure: reaching the anchor
// is the match and nothing is verified.
func (e *Engine) chooseAnchors() {
	var freq [256]int
	for _, p := range e.patterns {
		for _, m := range p.Middle {
			for i := 0; i < len(m); i++ {
				freq[m[i]]++
			}
		}
	}
	rarest := func(s string) int {
		r := int(^uint(0) >> 1)
		for i := 0; i < len(s); i++ {
			r = min(r, freq[s[i]])
		}
		return r
	}
	for id := range e.patterns {
		p := &e.patterns[id]
		if p.Exact {
			p.Kind = KindExact
			continue
		}
		for i, m := range p.Middle {
			if b := p.Middle[p.Key]; len(m) > len(b) || len(m) == len(b) && rarest(m) < rarest(b) {
				p.Key = i
			}
		}
		lp, ls, lm := len(p.Prefix), len(p.Suffix), 0
		if len(p.Middle) > 0 {
			lm = len(p.Middle[p.Key])
		}
		switch {
		case lm > lp && lm > ls:
			p.Kind = KindMiddle
			p.sure = lp == 0 && ls == 0 && len(p.Middle) == 1
		case lp > 0 && lp >= ls:
			p.Kind = KindPrefix
			p.sure = ls == 0 && len(p.Middle) == 0
		case ls > 0:
			p.Kind = KindSuffix
			p.sure = lp == 0 && len(p.Middle) == 0
		default:
			p.Kind = KindAny
		}
	}
}

// NumPatterns is the number of distinct patterns after deduplication.
func (e *Engine) NumPatterns() int { return len(e.patterns) }

// Pattern returns the compiled pattern of input filter i (in Compile order).
func (e *Engine) Pattern(filter int) *Pattern { return &e.patterns[e.filterPattern[filter]] }

// PatternID returns the index of the distinct pattern of input filter i.
func (e *Engine) PatternID(filter int) int { return int(e.filterPattern[filter]) }

// Match sets in bits (one bit per rule, len(bits)*64 >= number of rules) every rule having a
// filter that matches name. It walks the automaton, and asks the indexes when the name leaves
// the automaton's budget. Once the states a name reaches are built, it allocates nothing.
//
// A saturated automaton (its budget reached) that sends most names to the index engine is in
// a cold regime: many distinct names, each walking states that miss the caches before leaving
// the budget, and paying the indexes after the walk. Match then sends names to the index
// engine directly and tries the automaton with about one name in probeEvery, which measures
// the regime again: when the names come back to the states the automaton holds, it answers
// them all.
func (e *Engine) Match(name string, bits []uint64) {
	if e.direct {
		e.matchDirect(name, bits)
		return
	}
	if !e.auto {
		e.MatchIndexes(name, bits)
		return
	}
	d := e.dfa.Load()
	if d == nil {
		d = e.automaton()
	}
	switch {
	case !d.saturated.Load():
		if d.match(name, bits) {
			return
		}
		d.score.Add(probeEvery)
	case d.score.Load() > coldScore:
		d.score.Add(-1)
	case d.match(name, bits):
		if s := d.score.Load(); s > 0 { // a hot automaton writes nothing
			d.score.Add(-min(s, probeEvery))
		}
		return
	default:
		d.score.Add(probeEvery)
	}
	e.MatchIndexes(name, bits)
}

// matchDirect is Match for configurations of at most Budget.MaxDirectPatterns patterns: each
// pattern is checked in turn (length, prefix, suffix, greedy leftmost middles), skipping those
// whose rules already apply. A few linear checks cost less than a walk of the automaton and
// its fixed costs (bench/README.md, the tiny corpora).
func (e *Engine) matchDirect(name string, bits []uint64) {
	if e.small {
		bits[0] = e.matchDirectWord(name, bits[0])
		return
	}
	for i := range e.patterns {
		if p := &e.patterns[i]; p.pending(bits) && p.Matches(name) {
			p.setOwners(bits)
		}
	}
}

// matchDirectWord is matchDirect for engines of at most 64 rules: w with the rules of the
// patterns that match name.
func (e *Engine) matchDirectWord(name string, w uint64) uint64 {
	for i := range e.patterns {
		if p := &e.patterns[i]; p.mask&^w != 0 && p.Matches(name) {
			w |= p.mask
		}
	}
	return w
}

// MatchWord is Match for engines of at most 64 rules (NumRules), whose rule set is one word:
// it returns w with the rules that apply to name. It saves the direct path, the commonest
// small configurations, the passing of a bit set.
func (e *Engine) MatchWord(name string, w uint64) uint64 {
	if !e.direct {
		// Match's first case for a narrow automaton not yet saturated, written out: the
		// steady state of a registry's working set, two calls fewer
		if d := e.dfa.Load(); d != nil && d.narrow && !d.saturated.Load() {
			if end, ok := d.matchNarrow(name); ok {
				return w | end
			}
			d.score.Add(probeEvery)
			bits := [1]uint64{w}
			e.MatchIndexes(name, bits[:])
			return bits[0]
		}
		return e.matchWord(name, w)
	}
	return e.matchDirectWord(name, w)
}

// DirectPatterns returns, for an engine of at most 64 rules on the direct path, its patterns
// (each with Mask, its rules as bits), so that a caller may check them in its own loop as
// MatchWord does; nil otherwise.
func (e *Engine) DirectPatterns() []Pattern {
	if !e.direct || !e.small {
		return nil
	}
	return e.patterns
}

// Mask returns the rules of p as bits, for engines of at most 64 rules.
func (p *Pattern) Mask() uint64 { return p.mask }

// matchWord is MatchWord off the direct path.
func (e *Engine) matchWord(name string, w uint64) uint64 {
	bits := [1]uint64{w}
	e.Match(name, bits[:])
	return bits[0]
}

// The cold-regime policy of Match. A name the automaton answers takes probeEvery from the
// score, one that leaves it adds probeEvery, one sent straight to the index engine takes 1:
// so the automaton answers every name while at most half of them leave it, and beyond, the
// share of names it still tries is about 1/(probeEvery*(2*rate-1)+1): 1 in 64 when every name
// leaves it, 1 in 41 on the benchmarks' ecr-max (81% leave). Half is an estimate of where the
// two paths cost the same, from the benchmarks' costs (bench/README.md): a name answered from
// cached states costs a third to a half of the index engine, one that leaves costs a walk and
// the index engine; no threshold was swept.
// coldScore is the hysteresis: the net fallbacks (times probeEvery) before the automaton is
// bypassed.
const (
	probeEvery = 64
	coldScore  = 64 * probeEvery
)

// MatchIndexes is Match by the index engine alone: the fallback of the automaton. It
// allocates nothing (automata of more than inlineLiterals literals borrow a bit set from a
// pool).
func (e *Engine) MatchIndexes(name string, bits []uint64) {
	e.indexes()
	setAll(bits, e.always)
	setAll(bits, e.exact.lookup(name))
	n := len(e.keyOf)
	if n == 0 {
		e.matchPrefix(name, bits, nil)
		e.matchSuffix(name, bits, nil)
		return
	}
	if n <= inlineLiterals {
		var seen [inlineLiterals / 64]uint64
		e.matchIndexes(name, bits, seen[:(n+63)/64])
		return
	}
	sp := seenPool.Get().(*[]uint64)
	w := (n + 63) / 64
	if cap(*sp) < w {
		*sp = make([]uint64, w)
	}
	seen := (*sp)[:w]
	clear(seen)
	e.matchIndexes(name, bits, seen)
	seenPool.Put(sp)
}

// matchIndexes marks the middle literals of name in seen, then consults every index.
func (e *Engine) matchIndexes(name string, bits, seen []uint64) {
	e.scan(name, seen)
	e.matchMiddle(name, bits, seen)
	e.matchPrefix(name, bits, seen)
	e.matchSuffix(name, bits, seen)
}

// inlineLiterals is how many distinct middle literals Match tracks in a stack array; larger
// automata borrow a bit set from a pool, which costs no allocation once the pool is warm.
const inlineLiterals = 1024

var seenPool = sync.Pool{New: func() any { s := []uint64(nil); return &s }}

func has(bits []uint64, r int32) bool { return bits[r>>6]&(1<<(r&63)) != 0 }

func setAll(bits []uint64, rules []int32) {
	for _, r := range rules {
		bits[r>>6] |= 1 << (r & 63)
	}
}

// orWords sets in bits the rules of the bit set w.
func orWords(bits, w []uint64) {
	for i, x := range w {
		bits[i] |= x
	}
}

// appendDense appends rules as a bit set of words words to pool and returns its offset, or
// -1 when the list is no longer than the words: then setting it rule by rule costs no more.
func appendDense(pool *[]uint64, rules []int32, words int) int32 {
	if len(rules) <= words {
		return -1
	}
	lo := len(*pool)
	*pool = append(*pool, make([]uint64, words)...)
	setAll((*pool)[lo:], rules)
	return int32(lo)
}

// verify sets the owners of candidate c when one of them is not yet known to apply, every
// middle literal it needs occurs in the name, and the name matches its pattern.
func (e *Engine) verify(c *cand, name string, bits, seen []uint64) {
	if e.small {
		if c.mask&^bits[0] == 0 {
			return
		}
	}
	if o := c.need0; o >= 0 && seen[o>>6]&(1<<(o&63)) == 0 {
		return
	}
	for _, o := range e.needPool[c.need.lo:c.need.hi] {
		if seen[o>>6]&(1<<(o&63)) == 0 {
			return
		}
	}
	if !e.small && has(bits, c.first) && !e.patterns[c.id].pending(bits) {
		return
	}
	if p := &e.patterns[c.id]; p.Matches(name) {
		p.setOwners(bits)
	}
}

// setOwners sets the owners of p in bits.
func (p *Pattern) setOwners(bits []uint64) {
	if p.dense != nil {
		orWords(bits, p.dense)
		return
	}
	setAll(bits, p.owners)
}

// pending reports whether some owner of p is not yet known to apply.
func (p *Pattern) pending(bits []uint64) bool {
	if p.dense != nil {
		for i, w := range p.dense {
			if w&^bits[i] != 0 {
				return true
			}
		}
		return false
	}
	for _, r := range p.owners {
		if !has(bits, r) {
			return true
		}
	}
	return false
}

// visit applies trie node n of a prefix or suffix walk: it sets the rules the node decides and
// verifies its candidates. It reports false when nothing below n can add a rule, so the walk
// may stop.
func (e *Engine) visit(t *trie, n int32, name string, bits, seen []uint64) bool {
	nd := &t.nodes[n]
	if e.small {
		if nd.sub&^bits[0] == 0 {
			return false
		}
		bits[0] |= nd.sureMask
	} else if nd.dense >= 0 {
		orWords(bits, t.dense[nd.dense:int(nd.dense)+e.words])
	} else if nd.sure.lo != nd.sure.hi {
		setAll(bits, t.rules[nd.sure.lo:nd.sure.hi])
	}
	for i := nd.cands.lo; i < nd.cands.hi; i++ {
		e.verify(&t.cands[i], name, bits, seen)
	}
	return true
}

func (e *Engine) matchPrefix(name string, bits, seen []uint64) {
	t := &e.prefix
	n := int32(0)
	for i := 0; ; {
		if !e.visit(t, n, name, bits, seen) {
			return
		}
		if i == len(name) {
			return
		}
		if n = t.child(n, name[i]); n < 0 {
			return
		}
		i++
		tl := t.nodes[n].tail
		if tl.hi != tl.lo {
			j := i + int(tl.hi-tl.lo)
			if j > len(name) || name[i:j] != t.tails[tl.lo:tl.hi] {
				return
			}
			i = j
		}
	}
}

func (e *Engine) matchSuffix(name string, bits, seen []uint64) {
	t := &e.suffix
	n := int32(0)
	for i := len(name); ; {
		if !e.visit(t, n, name, bits, seen) {
			return
		}
		if i == 0 {
			return
		}
		if n = t.child(n, name[i-1]); n < 0 {
			return
		}
		i--
		tl := t.nodes[n].tail
		if tl.hi != tl.lo {
			j := i - int(tl.hi-tl.lo)
			if j < 0 || name[j:i] != t.tails[tl.lo:tl.hi] {
				return
			}
			i = j
		}
	}
}

// scan runs the automaton over name and marks in seen every middle literal that occurs,
// following suffix links only to literals not yet marked, so each is marked once.
func (e *Engine) scan(name string, seen []uint64) {
	a := &e.ac
	if a.delta16 != nil {
		scan(a.delta16, &a.class, a.classes, a.next, name, seen)
	} else {
		scan(a.delta, &a.class, a.classes, a.next, name, seen)
	}
}

// scan is the automaton's inner loop for either width of table.
func scan[T int16 | int32](delta []T, class *[256]uint8, emit int, next []int32, name string, seen []uint64) {
	s := 0 // the offset of the current state's row
	for i := 0; i < len(name); i++ {
		v := delta[s+int(class[name[i]])]
		if v >= 0 {
			s = int(v)
			continue
		}
		s = int(^v)
		for o := int32(delta[s+emit]); o >= 0 && seen[o>>6]&(1<<(o&63)) == 0; o = next[o] {
			seen[o>>6] |= 1 << (o & 63)
		}
	}
}

// matchMiddle verifies the patterns keyed by a literal that occurs, when all their other
// literals occur too.
func (e *Engine) matchMiddle(name string, bits, seen []uint64) {
	for w, word := range seen {
		for word != 0 {
			l := w*64 + mbits.TrailingZeros64(word)
			word &= word - 1
			if e.small {
				bits[0] |= e.sureMask[l]
			} else if d := e.sureDense[l]; d >= 0 {
				orWords(bits, e.denseWords[d:int(d)+e.words])
			} else if sr := e.sureOf[l]; sr.lo != sr.hi {
				setAll(bits, e.sureRules[sr.lo:sr.hi])
			}
			k := e.keyOf[l]
			for i := k.lo; i < k.hi; {
				c := &e.keyed[i]
				if o := c.need0; o >= 0 && seen[o>>6]&(1<<(o&63)) == 0 {
					i = c.runEnd // no candidate of the run can match
					continue
				}
				e.verify(c, name, bits, seen)
				i++
			}
		}
	}
}

// middlesIn reports whether the literals occur in s in order without overlapping. Greedy
// leftmost placement is exact for star-only globs and takes time linear in len(s).
func middlesIn(s string, middles []string) bool {
	for _, m := range middles {
		i := strings.Index(s, m)
		if i < 0 {
			return false
		}
		s = s[i+len(m):]
	}
	return true
}

// automaton returns the automaton, building its position trie and start state on first use.
// It must be called only when e.auto is set.
func (e *Engine) automaton() *dfa {
	e.dfaOnce.Do(func() {
		e.dfa.Store(newDFA(buildNFA(e.patterns, e.small), e.small, e.budget.MaxDFABytes))
	})
	return e.dfa.Load()
}

// indexesBuilt reports whether the index engine exists yet.
func (e *Engine) indexesBuilt() bool { return e.built.Load() }
