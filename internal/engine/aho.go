package engine

import "fmt"

// aho is an Aho-Corasick automaton over the distinct middle literals, with a dense transition
// table over byte classes (bytes that occur in no literal share class 0).
//
// Each row of delta holds a state's transitions (as row offsets, complemented when the target
// state ends a literal, so the common step is one load and a predictable branch) and, in its
// last column, the first literal ending at that state or along its suffix links (-1 if none);
// next[l] continues that chain, so a scan marks each literal once however often it occurs.
type aho struct {
	class   [256]uint8
	classes int
	delta   []int32 // states x (classes+1)
	// delta16 is delta in half the memory, used instead when every offset and literal id
	// fits in an int16: small tables stay in the first-level cache.
	delta16 []int16
	next    []int32 // per literal: the next literal on the suffix-link chain, -1 at its end
	states  int
}

func buildAho(lits []string, maxCells int) (aho, error) {
	a := aho{}
	maxCells = min(maxCells, 1<<30) // row offsets are int32
	if len(lits) == 0 {
		return a, nil
	}
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			if c := l[i]; a.class[c] == 0 {
				a.classes++
				a.class[c] = uint8(a.classes)
			}
		}
	}
	a.classes++ // class 0: bytes of no literal
	nc := a.classes
	w := nc + 1 // a row: one cell per class, then the emit column
	// The goto function, dense from the start with -1 for "no edge"; the breadth-first pass
	// below then completes every row in place into the automaton's transitions.
	bound := 1 // states: at most one per literal byte, plus the root
	for _, l := range lits {
		bound += len(l)
	}
	bound = min(bound, maxCells/w+1)
	delta := make([]int32, w, bound*w)
	for i := range delta {
		delta[i] = -1
	}
	states := 1
	litAt := make([]int32, 1, bound)
	litAt[0] = -1
	for id, l := range lits {
		s := 0
		for i := 0; i < len(l); i++ {
			c := int(a.class[l[i]])
			if nx := delta[s*w+c]; nx >= 0 {
				s = int(nx)
				continue
			}
			if (states+1)*w > maxCells {
				return a, fmt.Errorf("middle-literal automaton beyond %d states x %d byte classes: %w (at most %d cells)",
					states, nc, ErrBudget, maxCells)
			}
			delta[s*w+c] = int32(states)
			s = states
			states++
			litAt = append(litAt, -1)
			for range w {
				delta = append(delta, -1)
			}
		}
		litAt[s] = int32(id) // literals are distinct: one per state
	}
	a.states = states
	a.next = make([]int32, len(lits))
	fail := make([]int32, states)
	emit := make([]int32, states)
	// breadth-first: a state's suffix link and row are final before its children's rows are
	// touched, and a row still holds only goto edges (or -1) when its state is dequeued
	queue := make([]int32, 0, states)
	emit[0] = -1
	for c := 0; c < nc; c++ {
		if nx := delta[c]; nx >= 0 {
			queue = append(queue, nx)
		} else {
			delta[c] = 0
		}
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		f := fail[s]
		if l := litAt[s]; l >= 0 {
			a.next[l] = emit[f]
			emit[s] = l
		} else {
			emit[s] = emit[f]
		}
		row, frow := delta[int(s)*w:int(s+1)*w], delta[int(f)*w:int(f+1)*w]
		for c := 0; c < nc; c++ {
			if nx := row[c]; nx >= 0 {
				fail[nx] = frow[c]
				queue = append(queue, nx)
			} else {
				row[c] = frow[c]
			}
		}
	}
	a.delta = delta
	// transitions to row offsets, complemented (negative) when the target state marks a
	// literal; emits into the last column
	for st := 0; st < states; st++ {
		for c := 0; c < nc; c++ {
			to := a.delta[st*w+c]
			a.delta[st*w+c] = to * int32(w)
			if emit[to] >= 0 {
				a.delta[st*w+c] = ^(to * int32(w))
			}
		}
		a.delta[st*w+nc] = emit[st]
	}
	a.narrow(len(lits))
	return a, nil
}

// narrow moves the table to int16 cells when everything fits.
func (a *aho) narrow(lits int) {
	if len(a.delta) > 1<<15-1 || lits > 1<<15-1 {
		return
	}
	a.delta16 = make([]int16, len(a.delta))
	for i, v := range a.delta {
		a.delta16[i] = int16(v)
	}
	a.delta = nil
}

func (a *aho) bytes() int { return 256 + 4*(len(a.delta)+len(a.next)) + 2*len(a.delta16) }
