package match

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ecrsign/ecrsign/internal/engine"
)

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
	// Index names the part of the compiled matcher that holds the matching filter:
	// "exact", "prefix", "suffix", "middle" or "any"; empty when no filter matched.
	Index string
	// Closest is, for a rule that does not apply, the index of the filter that came closest:
	// the one agreeing with the name in the most literal bytes, read from the start or from
	// the end of both (first on ties); -1 when the rule applies or has no filters.
	Closest int
	// ClosestText is the text of that filter.
	ClosestText string
	// Mismatch says where matching the closest filter stopped.
	Mismatch Mismatch
}

// Mismatch says where checking a name against a filter stopped.
type Mismatch struct {
	// Reason is "exact", "prefix", "suffix", "too short" or "middle"; empty for a match.
	Reason string
	// Matched is, for "exact" and "prefix", how many leading bytes of the name agree with the
	// filter; for "suffix", how many trailing bytes; for "middle", the offset in the name
	// where the search for Segment started; for "too short", the name's length.
	Matched int
	// Segment is the literal part of the filter that failed to match.
	Segment string
	// MinLength is the shortest name the filter can match.
	MinLength int
	// Agreement is the longest agreement of the name and the filter, read from the start or
	// the end: how many bytes agree and where it stopped.
	Agreement Agreement
}

// Agreement is how far a name and a filter agree when read from one end, stars absorbing
// what they may.
type Agreement struct {
	Literal  int    // literal bytes of the filter that agree
	FromEnd  bool   // read from the end of the name and the filter
	Agreed   int    // bytes of the name that agree, from its start (or its end)
	Expected string // the literal the filter wanted next; empty when it was used up
	Found    string // the name's byte where Expected was wanted; empty at the name's end
}

// String says in words where matching stopped, for example `name agrees with the prefix
// "team/" for 3 bytes only`; where the filter agrees with the whole name but for bytes too
// many, it says where (see Agreement.String).
func (m Mismatch) String() string {
	if m.Reason != "" && m.Agreement.Expected == "" {
		return m.Agreement.String() // the filter was used up: the name has bytes too many
	}
	switch m.Reason {
	case "":
		return "matches"
	case "exact":
		return fmt.Sprintf("filter has no '*' and differs from the name after %d bytes", m.Matched)
	case "prefix":
		return fmt.Sprintf("name agrees with the prefix %q for %d bytes only", m.Segment, m.Matched)
	case "suffix":
		return fmt.Sprintf("name does not end with %q (last %d bytes agree)", m.Segment, m.Matched)
	case "too short":
		return fmt.Sprintf("name has %d bytes; the filter needs at least %d", m.Matched, m.MinLength)
	case "middle":
		return fmt.Sprintf("%q does not occur after byte %d of the name", m.Segment, m.Matched)
	}
	return m.Reason
}

// String says where the agreement stopped, for example
// `the filter matches the name's first 12 bytes and ends; the name goes on with "s"`.
func (a Agreement) String() string {
	first, other := "first", "goes on with"
	if a.FromEnd {
		first, other = "last", "has before them"
	}
	switch {
	case a.Expected == "":
		return fmt.Sprintf("the filter matches the name's %s %d bytes and ends; the name %s %q", first, a.Agreed, other, a.Found)
	case a.Found == "":
		return fmt.Sprintf("the name has only %d bytes, which agree with the filter's %s; it expects %q besides", a.Agreed, map[bool]string{false: "beginning", true: "end"}[a.FromEnd], a.Expected)
	}
	return fmt.Sprintf("the name agrees with the filter in its %s %d bytes, then has %q where the filter expects %q", first, a.Agreed, a.Found, a.Expected)
}

// Explain reports for every rule whether it applies to name and which filter made it so; for a
// rule that does not apply, the closest filter and where matching it stopped. Which rules apply
// and by which filter comes from AppendCauses, so the verdicts always agree with Match and
// with the causes; the closest filter is measured on the same compiled patterns.
func (m *Matcher) Explain(name string) Explanation {
	e := Explanation{Name: name, Rules: make([]RuleExplanation, 0, len(m.rules))}
	var buf [16]Cause
	causes := m.AppendCauses(buf[:0], name)
	// memo[id] records what is known of the agreement of distinct pattern id with name (the
	// same filter in several rules is measured once): 0 nothing, v > 0 exactly v-1 literal
	// bytes, v < 0 at most -v-1
	var memo []int32
	if len(m.rules)-len(causes) > 1 { // two rules to measure, which may share patterns
		mp := memoPool.Get().(*[]int32)
		defer memoPool.Put(mp)
		if cap(*mp) < m.eng.NumPatterns() {
			*mp = make([]int32, m.eng.NumPatterns())
		}
		memo = (*mp)[:m.eng.NumPatterns()]
		clear(memo)
	}
	for i := range m.rules {
		r := &m.rules[i]
		re := RuleExplanation{Rule: i, Filter: -1, Closest: -1, AllRepositories: r.all}
		if r.profile >= 0 {
			re.Profile = m.profiles[r.profile]
		}
		if len(causes) > 0 && causes[0].Rule == i {
			c := causes[0]
			causes = causes[1:]
			re.Applies, re.Filter, re.FilterText = true, c.Filter, c.FilterText
			if c.Filter >= 0 {
				re.Index = m.eng.Pattern(r.filters.lo + c.Filter).Kind.String()
			}
		} else if r.filters.lo < r.filters.hi {
			m.closest(&re, name, r.filters, memo)
		}
		e.Rules = append(e.Rules, re)
	}
	return e
}

// closest sets in re the filter of the range fs that agrees with name in the most literal
// bytes (the first on ties), and where matching it stopped. memo holds what earlier rules
// learnt of each distinct pattern (see Explain).
func (m *Matcher) closest(re *RuleExplanation, name string, fs span, memo []int32) {
	best, floor, measured := -1, -1, false
	var bestA engine.Agreement
	for k := fs.lo; k < fs.hi; k++ {
		// a filter must agree in more bytes than the best so far; AgreeAbove skips the work
		// that cannot show it
		id := m.eng.PatternID(k)
		var v int32
		if memo != nil {
			v = memo[id]
		}
		switch {
		case v > 0:
			if int(v-1) > floor {
				best, floor, measured = k, int(v-1), false
			}
			continue
		case v < 0 && int(-v-1) <= floor:
			continue
		}
		a, ok := m.eng.Pattern(k).AgreeAbove(name, floor)
		if ok {
			best, bestA, floor, measured = k, a, a.Literal, true
		}
		if memo != nil {
			if ok {
				memo[id] = int32(a.Literal + 1)
			} else {
				memo[id] = int32(-floor - 1)
			}
		}
	}
	p := m.eng.Pattern(best)
	if !measured {
		bestA = p.Agree(name)
	}
	d := p.Diagnose(name)
	re.Closest, re.ClosestText = best-fs.lo, m.filters[best]
	re.Mismatch = Mismatch{
		Reason:    d.Failure.String(),
		Matched:   d.Matched,
		Segment:   d.Segment,
		MinLength: p.MinLen,
		Agreement: Agreement(bestA),
	}
}

// memoPool lends Explain its per-pattern scratch.
var memoPool = sync.Pool{New: func() any { s := []int32(nil); return &s }}

// String prints one line per rule, as the CLI's explain command shows it.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", e.Name)
	for _, r := range e.Rules {
		fmt.Fprintf(&b, "  rule %d: ", r.Rule)
		switch {
		case r.AllRepositories:
			b.WriteString("applies (no filters: every repository)")
		case r.Applies:
			fmt.Fprintf(&b, "applies by filter %d %q", r.Filter, r.FilterText)
		case r.Closest >= 0:
			fmt.Fprintf(&b, "does not apply; closest filter %d %q: %s", r.Closest, r.ClosestText, r.Mismatch)
		default:
			b.WriteString("does not apply (no filters)")
		}
		if r.Profile != "" {
			fmt.Fprintf(&b, " [%s]", r.Profile)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
