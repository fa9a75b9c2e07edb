package engine

import (
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
		(len(p.Middle) == 0 || middlesIn(name[len(p.Prefix):len(name)-len(p.Suffix)], p.Middle))
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
	if d := e.dfa.Load(); d != nil {
		n += d.memory()
	}
	for _, p := range e.patterns {
		n += 144 + len(p.Prefix) + len(p.Suffix) + 4*len(p.owners) + 8*len(p.dense)
		for _, m := range p.Middle {
			n += 16 + len(m)
		}
	}
	if !e.indexesBuilt() {
		return n
	}
	return n + e.prefix.bytes() + e.suffix.bytes() + e.ac.bytes() +
		4*(len(e.always)+len(e.needPool)) + 24*len(e.keyed) + 8*(len(e.keyOf)+len(e.needs)+len(e.sureOf)+len(e.sureMask)) + 4*len(e.sureRules) + 4*len(e.sureDense) + 8*len(e.denseWords) + e.exact.bytes()
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
// returns the longer (the one from the start on ties). Read from the start, the prefix must
// begin the name and each later literal is placed at its leftmost occurrence (which, for
// star-only patterns, places the most literals); the first literal that does not occur counts
// its longest beginning that does. Read from the end, the same mirrored. It takes time linear
// in the name for each literal and allocates nothing.
func (p *Pattern) Agree(name string) Agreement {
	a, _ := p.AgreeAbove(name, -1)
	return a
}

// AgreeAbove is Agree for a caller that needs the agreement only when it is longer than floor
// literal bytes (the best of the filters before): it reports false, and may leave the work
// undone, when neither direction agrees in more than floor bytes; otherwise it returns what
// Agree returns.
func (p *Pattern) AgreeAbove(name string, floor int) (Agreement, bool) {
	if p.MinLen <= floor {
		return Agreement{}, false
	}
	front, ok := p.agreeFront(name, floor)
	if ok {
		floor = front.Literal // the end must agree in more to win
	}
	if back, bok := p.agreeBack(name, floor); bok {
		return back, true
	}
	return front, ok
}

// byteAt is name[i] as a string, or "" past its end.
func byteAt(name string, i int) string {
	if i < 0 || i >= len(name) {
		return ""
	}
	return name[i : i+1]
}

// agreeFront is the agreement read from the start, and whether it is longer than floor.
func (p *Pattern) agreeFront(name string, floor int) (Agreement, bool) {
	c := commonPrefix(name, p.Prefix)
	if c < len(p.Prefix) || p.Exact {
		return Agreement{Literal: c, Agreed: c, Expected: p.Prefix[c:], Found: byteAt(name, c)}, c > floor
	}
	at, lits := c, c
	for k := 0; k <= len(p.Middle); k++ {
		m := p.Suffix
		if k < len(p.Middle) {
			m = p.Middle[k]
		}
		if m == "" {
			continue
		}
		rest := name[at:]
		if i := strings.Index(rest, m); i >= 0 {
			at, lits = at+i+len(m), lits+len(m)
			continue
		}
		if lits+len(m)-1 <= floor {
			return Agreement{}, false // no beginning of m can make it longer than floor
		}
		n, i := longestBeginning(rest, m)
		if n == 0 {
			return Agreement{Literal: lits, Agreed: len(name), Expected: m}, lits > floor
		}
		return Agreement{Literal: lits + n, Agreed: at + i + n, Expected: m[n:], Found: byteAt(name, at+i+n)}, lits+n > floor
	}
	return Agreement{Literal: lits, Agreed: at, Found: byteAt(name, at)}, lits > floor
}

// agreeBack is the agreement read from the end, and whether it is longer than floor.
func (p *Pattern) agreeBack(name string, floor int) (Agreement, bool) {
	if p.Exact {
		c := commonSuffix(name, p.Prefix)
		return Agreement{Literal: c, FromEnd: true, Agreed: c, Expected: p.Prefix[:len(p.Prefix)-c], Found: byteAt(name, len(name)-c-1)}, c > floor
	}
	c := commonSuffix(name, p.Suffix)
	if c < len(p.Suffix) {
		return Agreement{Literal: c, FromEnd: true, Agreed: c, Expected: p.Suffix[:len(p.Suffix)-c], Found: byteAt(name, len(name)-c-1)}, c > floor
	}
	end, lits := len(name)-c, c // name[end:] agrees
	for k := len(p.Middle); k >= 0; k-- {
		m := p.Prefix
		if k > 0 {
			m = p.Middle[k-1]
		}
		if m == "" {
			continue
		}
		rest := name[:end]
		if i := strings.LastIndex(rest, m); i >= 0 {
			end, lits = i, lits+len(m)
			continue
		}
		if lits+len(m)-1 <= floor {
			return Agreement{}, false
		}
		n, i := longestEnd(rest, m)
		if n == 0 {
			return Agreement{Literal: lits, FromEnd: true, Agreed: len(name), Expected: m}, lits > floor
		}
		return Agreement{Literal: lits + n, FromEnd: true, Agreed: len(name) - i, Expected: m[:len(m)-n], Found: byteAt(name, i-1)}, lits+n > floor
	}
	return Agreement{Literal: lits, FromEnd: true, Agreed: len(name) - end, Found: byteAt(name, end-1)}, lits > floor
}

// longestBeginning returns the longest n such that m[:n] occurs in s, and where it first
// occurs: every place where m's first byte occurs is measured, in one pass.
func longestBeginning(s, m string) (n, at int) {
	for j := 0; j < len(s); j++ {
		k := strings.IndexByte(s[j:], m[0])
		if k < 0 {
			break
		}
		j += k
		if l := commonPrefix(s[j:], m); l > n {
			n, at = l, j
		}
	}
	return n, at
}

// longestEnd returns the longest n such that m[len(m)-n:] occurs in s, and where it last
// occurs (its start): every place where m's last byte occurs is measured, in one pass.
func longestEnd(s, m string) (n, at int) {
	last := m[len(m)-1]
	for e := len(s); e > 0; e-- {
		k := strings.LastIndexByte(s[:e], last)
		if k < 0 {
			break
		}
		e = k + 1
		if l := commonSuffix(s[:e], m); l > n {
			n, at = l, e-l
		}
	}
	return n, at
}
