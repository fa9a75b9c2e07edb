package engine

import (
	"fmt"
	"strings"
)

// String prints the compiled form deterministically, as regexp/syntax.Prog does: the distinct
// patterns with their index and rules, the sizes of the indexes, the automaton's position trie
// and byte classes, and every state of the automaton that the budget allows, numbered in
// breadth-first order from the start. The states are those of a fresh automaton explored over
// every byte class, so the text does not depend on which names were matched before. It is a
// debugging aid: on large configurations it costs as much as building the automaton whole.
func (e *Engine) String() string {
	e.indexes()
	var b strings.Builder
	var kinds [KindAny + 1]int
	for _, p := range e.patterns {
		kinds[p.Kind]++
	}
	fmt.Fprintf(&b, "%d filters, %d distinct patterns:", len(e.filterPattern), len(e.patterns))
	for k, n := range kinds {
		fmt.Fprintf(&b, " %s %d", Kind(k), n)
	}
	fmt.Fprintf(&b, "\nindexes: prefix trie %d nodes, suffix trie %d nodes, middle automaton %d literals in %d states x %d classes\n",
		e.prefix.size, e.suffix.size, len(e.keyOf), e.ac.states, e.ac.classes)
	for id, p := range e.patterns {
		fmt.Fprintf(&b, "pattern %d %s %s rules %v\n", id, p.Kind, p.text(), p.owners)
	}
	if !e.auto {
		b.WriteString("automaton: off\n")
		return b.String()
	}
	if e.direct {
		fmt.Fprintf(&b, "direct: Match checks the %d patterns in turn; the automaton below is not walked\n", len(e.patterns))
	}
	d := newDFA(e.automaton().a, e.small, e.budget.MaxDFABytes)
	d.explore()
	a := d.a
	fmt.Fprintf(&b, "automaton: %d positions, %d classes, %d states", len(a.nodes), d.classes, d.nstates)
	if d.full {
		b.WriteString(" (budget reached: further names go to the indexes)")
	}
	b.WriteString("\n")
	parent := a.parents()
	for n := range a.nodes {
		nd := &a.nodes[n]
		fmt.Fprintf(&b, "  position %d", n)
		if p := parent[n]; p >= 0 {
			if nd.isStar {
				fmt.Fprintf(&b, " = %d *", p)
			} else {
				fmt.Fprintf(&b, " = %d %q", p, string([]byte{nd.in}))
			}
		}
		if o := a.ownersOf(int32(n)); len(o) > 0 {
			fmt.Fprintf(&b, " rules %v", o)
		}
		b.WriteString("\n")
	}
	b.WriteString("  classes:")
	for c := range d.classes {
		fmt.Fprintf(&b, " %d=%s", c, d.classLabel(c))
	}
	b.WriteString("\n")
	t := d.cur.Load()
	for s := range d.nstates {
		row := s * d.stride
		fmt.Fprintf(&b, "  state %d positions %v", s, d.posPool[d.pos[s].lo:d.pos[s].hi])
		if pr := d.provPool[d.prov[s].lo:d.prov[s].hi]; len(pr) > 0 {
			fmt.Fprintf(&b, " proven %v", pr)
		}
		fmt.Fprintf(&b, " end %v", d.endRules(t, row))
		if d.settled[s] {
			b.WriteString(" settled\n")
			continue
		}
		b.WriteString(":")
		for c := range d.classes {
			fmt.Fprintf(&b, " %s->%s", d.classLabel(c), d.cellText(d.load(t, row+c)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// text spells the pattern back as a filter.
func (p *Pattern) text() string {
	if p.Exact {
		return fmt.Sprintf("%q", p.Prefix)
	}
	return fmt.Sprintf("%q", p.Prefix+"*"+strings.Join(append(append([]string(nil), p.Middle...), ""), "*")+p.Suffix)
}

func (d *dfa) classLabel(c int) string {
	if d.rep[c] < 0 {
		return "other"
	}
	return fmt.Sprintf("%q", string([]byte{byte(d.rep[c])}))
}

func (d *dfa) cellText(v int32) string {
	switch v {
	case d.unknown():
		return "?"
	case d.fallback():
		return "indexes"
	}
	return fmt.Sprint(d.stateOf(v))
}

// endRules lists the rules of the end set of the state at row.
func (d *dfa) endRules(t *dfaTable, row int) []int32 {
	if d.narrow {
		return maskRules(d.narrowEnd(d.draft, row))
	}
	lo, hi := t.trans[row+d.classes], t.trans[row+d.classes+1]
	if !d.small {
		return t.endPool[lo:hi]
	}
	return maskRules(uint64(uint32(lo)) | uint64(uint32(hi))<<32)
}

// maskRules lists the rules of a 64-bit mask.
func maskRules(mask uint64) []int32 {
	var rs []int32
	for r := int32(0); r < 64; r++ {
		if mask&(1<<r) != 0 {
			rs = append(rs, r)
		}
	}
	return rs
}

// explore builds every state reachable from the start within the budget, in breadth-first
// order over the byte classes.
func (d *dfa) explore() {
	for s := 0; s < d.nstates; s++ {
		if d.settled[s] {
			continue
		}
		for c := range d.classes {
			d.resolve(s*d.stride, c)
		}
	}
}
