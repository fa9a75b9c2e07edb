package glob

import "github.com/ecrsign/ecrsign/internal/reponame"

// Language questions about star-only globs, answered exactly: inclusion, overlap, and whether a
// filter can match a valid repository name. Every function works on the pattern's parts
// (prefix, middles, suffix) and takes time polynomial in the patterns' lengths.

// star stands for `*` in a token sequence; literal bytes are 0..255.
const star = -1

// tokens spells p with literal bytes and one star token for each run of `*`.
func (p Pattern) tokens() []int16 {
	t := make([]int16, 0, p.MinLen()+len(p.Middle)+2)
	lit := func(s string) {
		for i := 0; i < len(s); i++ {
			t = append(t, int16(s[i]))
		}
	}
	lit(p.Prefix)
	if p.Exact {
		return t
	}
	t = append(t, star)
	for _, m := range p.Middle {
		lit(m)
		t = append(t, star)
	}
	lit(p.Suffix)
	return t
}

// Includes reports whether p matches every name q matches.
//
// It holds exactly when p matches q's text with each `*` of q read as a fresh symbol that only
// a `*` of p can absorb: that text is itself a name q matches (for a symbol p never mentions),
// and conversely each star of q then lies inside a star of p, which absorbs anything.
func (p Pattern) Includes(q Pattern) bool { return p.matchTokens(q.tokens()) }

// IncludedIn reports whether q matches every name p matches.
func (p Pattern) IncludedIn(q Pattern) bool { return q.Includes(p) }

// matchTokens is Match over a token sequence in which star tokens equal no literal byte.
func (p Pattern) matchTokens(t []int16) bool {
	eq := func(t []int16, s string) bool {
		if len(t) != len(s) {
			return false
		}
		for i := range t {
			if t[i] != int16(s[i]) {
				return false
			}
		}
		return true
	}
	if p.Exact {
		return eq(t, p.Prefix)
	}
	if len(t) < len(p.Prefix)+len(p.Suffix) || !eq(t[:len(p.Prefix)], p.Prefix) || !eq(t[len(t)-len(p.Suffix):], p.Suffix) {
		return false
	}
	rest := t[len(p.Prefix) : len(t)-len(p.Suffix)]
	for _, m := range p.Middle {
		i := indexTokens(rest, m)
		if i < 0 {
			return false
		}
		rest = rest[i+len(m):]
	}
	return true
}

func indexTokens(t []int16, s string) int {
outer:
	for i := 0; i+len(s) <= len(t); i++ {
		for j := 0; j < len(s); j++ {
			if t[i+j] != int16(s[j]) {
				continue outer
			}
		}
		return i
	}
	return -1
}

// Overlap reports whether some name matches both p and q, and returns the shortest such name
// found by the search (one of the shortest).
func (p Pattern) Overlap(q Pattern) (string, bool) {
	t := newOverlapTable(p.tokens(), q.tokens())
	if t.at(0, 0) >= overlapNone {
		return "", false
	}
	return string(t.witness()), true
}

// overlapNone is the length an overlapTable records for rests with no common word.
const overlapNone = 1 << 30

// overlapTable holds, for the token rests a[i:] and b[j:] of two patterns, the length of the
// shortest word both match (overlapNone if there is none).
type overlapTable struct {
	a, b []int16
	dist []int32
}

// newOverlapTable fills the table from the ends of a and b backwards.
func newOverlapTable(a, b []int16) overlapTable {
	t := overlapTable{a: a, b: b, dist: make([]int32, (len(a)+1)*(len(b)+1))}
	for i := len(a); i >= 0; i-- {
		for j := len(b); j >= 0; j-- {
			t.dist[t.index(i, j)] = min(t.shortest(i, j), overlapNone)
		}
	}
	return t
}

func (t *overlapTable) index(i, j int) int { return i*(len(t.b)+1) + j }

// at returns the length of the shortest common word of a[i:] and b[j:].
func (t *overlapTable) at(i, j int) int32 { return t.dist[t.index(i, j)] }

// starA and starB report whether a[i], respectively b[j], is a star.
func (t *overlapTable) starA(i int) bool { return i < len(t.a) && t.a[i] == star }
func (t *overlapTable) starB(j int) bool { return j < len(t.b) && t.b[j] == star }

// literalA and literalB report whether a[i], respectively b[j], is a literal byte.
func (t *overlapTable) literalA(i int) bool { return i < len(t.a) && t.a[i] != star }
func (t *overlapTable) literalB(j int) bool { return j < len(t.b) && t.b[j] != star }

// shortest computes the entry (i, j) from the entries after it.
func (t *overlapTable) shortest(i, j int) int32 {
	d := int32(overlapNone)
	switch {
	case i == len(t.a) && j == len(t.b):
		d = 0
	case t.starA(i) || t.starB(j):
		if t.starA(i) {
			d = min(d, t.at(i+1, j)) // a's star ends
			if t.literalB(j) {
				d = min(d, 1+t.at(i, j+1)) // a's star absorbs b's literal
			}
		}
		if t.starB(j) {
			d = min(d, t.at(i, j+1))
			if t.literalA(i) {
				d = min(d, 1+t.at(i+1, j))
			}
		}
	case t.literalA(i) && t.literalB(j) && t.a[i] == t.b[j]:
		d = 1 + t.at(i+1, j+1)
	}
	return d
}

// witness walks the table from (0, 0) and spells one shortest common word.
func (t *overlapTable) witness() []byte {
	w := make([]byte, 0, t.at(0, 0))
	for i, j := 0, 0; i < len(t.a) || j < len(t.b); {
		d := t.at(i, j)
		switch {
		case t.starA(i) && t.at(i+1, j) == d:
			i++
		case t.starB(j) && t.at(i, j+1) == d:
			j++
		case t.starA(i) && t.literalB(j) && 1+t.at(i, j+1) == d:
			w = append(w, byte(t.b[j]))
			j++
		case t.starB(j) && t.literalA(i) && 1+t.at(i+1, j) == d:
			w = append(w, byte(t.a[i]))
			i++
		default:
			w = append(w, byte(t.a[i]))
			i, j = i+1, j+1
		}
	}
	return w
}

// nameClasses are representatives of the bytes the repository-name grammar
// (internal/reponame) tells apart.
var nameClasses = []byte{'a', '.', '_', '-', '/'}

// MatchesValidName reports whether p matches at least one valid repository name, and returns
// the shortest one it found. A filter of one byte never does (names have at least 2), nor one
// whose literals break the name grammar wherever the stars put them (`a-`, `*-`, `*/`), nor
// one needing more than 256 bytes.
func (p Pattern) MatchesValidName() (string, bool) {
	t := p.tokens()
	n := len(t)
	// Shortest-path search over (token position, grammar state, length so far capped at 2):
	// 0-1 BFS, since ending a star costs no byte.
	type node struct {
		i int
		q reponame.State
		c int
	}
	id := func(v node) int { return (v.i*reponame.Live+int(v.q))*3 + v.c }
	total := (n + 1) * reponame.Live * 3
	dist := make([]int32, total)
	prev := make([]int32, total)
	via := make([]byte, total)
	for k := range dist {
		dist[k] = -1
	}
	deque := make([]node, 0, total)
	head := 0
	start := node{0, reponame.Start, 0}
	dist[id(start)], prev[id(start)] = 0, -1
	deque = append(deque, start)
	// the deque is a slice used from both ends: zero-cost moves are pushed at the front.
	front := []node{}
	pop := func() (node, bool) {
		if len(front) > 0 {
			v := front[len(front)-1]
			front = front[:len(front)-1]
			return v, true
		}
		if head < len(deque) {
			head++
			return deque[head-1], true
		}
		return node{}, false
	}
	done := make([]bool, total)
	for {
		v, ok := pop()
		if !ok {
			break
		}
		k := id(v)
		if done[k] {
			continue
		}
		done[k] = true
		d := dist[k]
		relax := func(w node, cost int32, c byte) {
			kw := id(w)
			if done[kw] || dist[kw] >= 0 && dist[kw] <= d+cost {
				return
			}
			dist[kw], prev[kw], via[kw] = d+cost, int32(k), c
			if cost == 0 {
				front = append(front, w)
			} else {
				deque = append(deque, w)
			}
		}
		step := func(c byte, next int) {
			if q := reponame.Step(v.q, c); q != reponame.Dead && d < reponame.MaxLength {
				relax(node{next, q, min(v.c+1, 2)}, 1, c)
			}
		}
		if v.i == n {
			continue
		}
		if t[v.i] == star {
			relax(node{v.i + 1, v.q, v.c}, 0, 0)
			for _, c := range nameClasses {
				step(c, v.i)
			}
		} else {
			step(byte(t[v.i]), v.i+1)
		}
	}
	end := id(node{n, reponame.Alnum, 2})
	if dist[end] < 0 || dist[end] > reponame.MaxLength {
		return "", false
	}
	w := make([]byte, dist[end])
	for k, l := end, dist[end]; prev[k] >= 0; k = int(prev[k]) {
		if dist[prev[k]] < dist[k] {
			l--
			w[l] = via[k]
		}
	}
	return string(w), true
}
