package engine

import (
	"slices"
	"strings"
)

// Failure says where checking a name against a pattern stopped.
type Failure uint8

const (
	NoFailure    Failure = iota // the pattern matches
	FailExact                   // a filter without `*` differs from the name
	FailPrefix                  // the name does not start with the literal prefix
	FailSuffix                  // the name does not end with the literal suffix
	FailTooShort                // prefix and suffix fit only by overlapping: the name is too short
	FailMiddle                  // a middle literal does not occur where it must
)

var failureNames = [...]string{"match", "exact", "prefix", "suffix", "too short", "middle"}

func (f Failure) String() string { return failureNames[f] }

// Diagnosis is the outcome of checking one name against one pattern, step by step, with the
// same checks Match runs.
type Diagnosis struct {
	Failure Failure
	// Matched is, for FailExact and FailPrefix, the length of the longest common prefix of
	// the name and the filter's literal; for FailSuffix, of the longest common suffix; for
	// FailMiddle, the offset in the name where the search for the missing literal started;
	// for FailTooShort, the name's length.
	Matched int
	// Segment is the literal that failed: the prefix, the suffix or the middle literal.
	Segment string
	// Score counts the bytes of the filter's literals matched before stopping; the highest
	// score marks the closest filter of a rule.
	Score int
}

// Diagnose checks name against the pattern of input filter i.
func (e *Engine) Diagnose(filter int, name string) Diagnosis {
	return e.Pattern(filter).Diagnose(name)
}

// Diagnose checks name against p and says where it stopped.
func (p *Pattern) Diagnose(name string) Diagnosis {
	if p.Exact {
		n := commonPrefix(name, p.Prefix)
		if name == p.Prefix {
			return Diagnosis{Score: n}
		}
		return Diagnosis{Failure: FailExact, Matched: n, Segment: p.Prefix, Score: n}
	}
	if n := commonPrefix(name, p.Prefix); n < len(p.Prefix) {
		return Diagnosis{Failure: FailPrefix, Matched: n, Segment: p.Prefix, Score: n}
	}
	score := len(p.Prefix)
	if n := commonSuffix(name, p.Suffix); n < len(p.Suffix) {
		return Diagnosis{Failure: FailSuffix, Matched: n, Segment: p.Suffix, Score: score + n}
	}
	score += len(p.Suffix)
	if len(name) < len(p.Prefix)+len(p.Suffix) {
		return Diagnosis{Failure: FailTooShort, Matched: len(name), Score: score}
	}
	at := len(p.Prefix)
	rest := name[at : len(name)-len(p.Suffix)]
	for _, m := range p.Middle {
		i := strings.Index(rest, m)
		if i < 0 {
			return Diagnosis{Failure: FailMiddle, Matched: at, Segment: m, Score: score}
		}
		score += len(m)
		at += i + len(m)
		rest = rest[i+len(m):]
	}
	return Diagnosis{Score: score}
}

// Matches reports whether name matches p; it runs the checks of Diagnose without the detail.
func (p *Pattern) Matches(name string) bool {
	if p.Exact {
		return name == p.Prefix
	}
	return len(name) >= p.MinLen && strings.HasPrefix(name, p.Prefix) && strings.HasSuffix(name, p.Suffix) &&
		middlesIn(name[len(p.Prefix):len(name)-len(p.Suffix)], p.Middle)
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// Bytes estimates the memory held by the engine's structures.
func (e *Engine) Bytes() int {
	n := 4 * len(e.filterPattern)
	if e.dfa != nil {
		n += e.dfa.memory()
	}
	for _, p := range e.patterns {
		n += 120 + len(p.Prefix) + len(p.Suffix) + 4*len(p.owners)
		for _, m := range p.Middle {
			n += 16 + len(m)
		}
	}
	if !e.indexesBuilt() {
		return n
	}
	return n + e.prefix.bytes() + e.suffix.bytes() + e.ac.bytes() +
		4*(len(e.always)+len(e.needPool)) + 24*len(e.keyed) + 8*(len(e.keyOf)+len(e.needs)+len(e.sureOf)+len(e.sureMask)) + 4*len(e.sureRules) + e.exact.bytes()
}

// Agreement is how far a name and a pattern agree when read from one end: the alignment that
// matches the most literal bytes of the pattern, stars absorbing what they may.
type Agreement struct {
	// Literal counts the pattern's literal bytes the alignment matched.
	Literal int
	// FromEnd is set when the name and the pattern were read from their ends.
	FromEnd bool
	// Agreed counts the name's bytes the alignment covers, from the start (or the end).
	Agreed int
	// Expected is the rest of the literal the pattern wanted next; empty when the pattern
	// was used up.
	Expected string
	// Found is the name's byte where Expected was wanted; empty when the name was used up.
	Found string
}

// Agree measures the longest agreement of name and p from the start and from the end, and
// returns the longer (the one from the start on ties).
func (p *Pattern) Agree(name string) Agreement {
	t := p.tokens()
	front := agree(t, name, false)
	if back := agree(t, name, true); back.Literal > front.Literal {
		return back
	}
	return front
}

// tokens spells the pattern as literal bytes and star tokens (-1).
func (p *Pattern) tokens() []int16 {
	t := make([]int16, 0, p.MinLen+len(p.Middle)+2)
	lit := func(s string) {
		for i := 0; i < len(s); i++ {
			t = append(t, int16(s[i]))
		}
	}
	lit(p.Prefix)
	if !p.Exact {
		t = append(t, -1)
		for _, m := range p.Middle {
			lit(m)
			t = append(t, -1)
		}
		lit(p.Suffix)
	}
	return t
}

// agree simulates the pattern's positions over the name (both reversed when back is set) and
// keeps the position with the most literal bytes behind it, reached as late as possible.
func agree(t []int16, name string, back bool) Agreement {
	n := len(t)
	at := func(i int) int16 {
		if back {
			return t[n-1-i]
		}
		return t[i]
	}
	byteAt := func(i int) byte {
		if back {
			return name[len(name)-1-i]
		}
		return name[i]
	}
	lits := make([]int, n+1)
	for i := range n {
		lits[i+1] = lits[i]
		if at(i) >= 0 {
			lits[i+1]++
		}
	}
	active := make([]bool, n+1)
	next := make([]bool, n+1)
	closeOver := func(a []bool) {
		for i := range n {
			if a[i] && at(i) < 0 {
				a[i+1] = true
			}
		}
	}
	active[0] = true
	closeOver(active)
	bestPos, bestAt := 0, 0
	record := func(i int) {
		for pos, on := range active {
			if on && (lits[pos] > lits[bestPos] || lits[pos] == lits[bestPos] && i >= bestAt) {
				bestPos, bestAt = pos, i
			}
		}
	}
	record(0)
	for i := range len(name) {
		c := byteAt(i)
		clear(next)
		any := false
		for pos, on := range active {
			if !on || pos == n {
				continue
			}
			if tk := at(pos); tk < 0 {
				next[pos], any = true, true
			} else if byte(tk) == c {
				next[pos+1], any = true, true
			}
		}
		if !any {
			break
		}
		active, next = next, active
		closeOver(active)
		record(i + 1)
	}
	a := Agreement{Literal: lits[bestPos], FromEnd: back, Agreed: bestAt}
	pos := bestPos
	for pos < n && at(pos) < 0 {
		pos++
	}
	var want []byte
	for ; pos < n && at(pos) >= 0; pos++ {
		want = append(want, byte(at(pos)))
	}
	if back {
		slices.Reverse(want)
	}
	a.Expected = string(want)
	if bestAt < len(name) {
		a.Found = string(byteAt(bestAt))
	}
	return a
}
