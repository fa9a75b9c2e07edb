package engine

import (
	"encoding/binary"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// nfa is every distinct pattern spelled as a token sequence (literal bytes, and `*` between
// segments) in one trie, so that patterns sharing a beginning share its nodes. A node is a
// position: the tokens on the path to it have been matched. A star node (reached by a `*`
// token) stays active on every byte; a node whose star child exists activates it at once,
// since `*` matches the empty string.
type nfa struct {
	// nodes are the positions, 20 bytes each, so that adding one is one append
	nodes []nfaNode
	// denseChild holds the dense child tables of nodes of many children (nfaNode.firstChild)
	denseChild []int32
	// used marks the bytes of some literal edge: the automaton's byte classes
	used [256]bool
	// owners[nfaNode.owners] is a span of ownerPool: the rules of the patterns whose token
	// sequence ends at that node. At a star node they apply as soon as the node is reached,
	// elsewhere only when the name ends there.
	owners    []span
	ownerPool []int32
	// sub[n] holds, for engines of at most 64 rules, the rules that n and its subtree can
	// prove; a node none of whose rules is still open is dropped from a state.
	sub []uint64
}

// nfaNode is one position of the nfa.
type nfaNode struct {
	// firstChild heads the list of literal children, linked by nextSibling (-1 ends it);
	// a node of denseFanout literal children or more has a dense table over bytes instead,
	// row denseRow(firstChild) of denseChild, so that a step finds a child in a few loads
	// whatever the fan-out
	firstChild, nextSibling int32
	starChild               int32 // -1 if none
	owners                  int32 // index in nfa.owners, -1 if none
	in                      byte  // the byte of the edge into a literal node
	isStar                  bool
	lits                    uint8 // literal children, counted up to denseFanout
}

// denseFanout is the number of literal children from which a node gets a dense table.
const denseFanout = 8

// A firstChild below -1 is a dense row: denseRef(row) and denseRow(firstChild).
func denseRef(row int32) int32 { return -2 - row }
func denseRow(ref int32) int32 { return -2 - ref }

// child returns the literal child of n by byte b, or -1.
func (a *nfa) child(n int32, b byte) int32 {
	c := a.nodes[n].firstChild
	if c < -1 {
		return a.denseChild[int(denseRow(c))<<8|int(b)]
	}
	for c >= 0 && a.nodes[c].in != b {
		c = a.nodes[c].nextSibling
	}
	return c
}

// ownersOf returns the rules of the patterns ending at n.
func (a *nfa) ownersOf(n int32) []int32 {
	if o := a.nodes[n].owners; o >= 0 {
		sp := a.owners[o]
		return a.ownerPool[sp.lo:sp.hi]
	}
	return nil
}

// leaf reports whether n has no children.
func (a *nfa) leaf(n int32) bool { return a.nodes[n].firstChild == -1 && a.nodes[n].starChild == -1 }

func (a *nfa) addNode(parent int32, star bool, in byte) int32 {
	n := int32(len(a.nodes))
	a.nodes = append(a.nodes, nfaNode{firstChild: -1, nextSibling: -1, starChild: -1, owners: -1, in: in, isStar: star})
	if a.sub != nil {
		a.sub = append(a.sub, 0)
	}
	if parent < 0 || star {
		return n
	}
	p := &a.nodes[parent]
	if p.firstChild < -1 {
		a.denseChild[int(denseRow(p.firstChild))<<8|int(in)] = n
		return n
	}
	a.nodes[n].nextSibling = p.firstChild
	p.firstChild = n
	if p.lits++; p.lits >= denseFanout {
		d := int32(len(a.denseChild) >> 8)
		a.denseChild = append(a.denseChild, make([]int32, 256)...)
		row := a.denseChild[int(d)<<8 : int(d+1)<<8]
		for i := range row {
			row[i] = -1
		}
		for c := p.firstChild; c >= 0; c = a.nodes[c].nextSibling {
			row[a.nodes[c].in] = c
		}
		p.firstChild = denseRef(d)
	}
	return n
}

// buildNFA puts every pattern in the trie; owners are attached per node.
func buildNFA(patterns []Pattern, small bool) *nfa {
	// at most one node per literal byte and star, and the root
	maxNodes := 1
	for i := range patterns {
		maxNodes += patternLen(patterns[i].Pattern)
	}
	a := &nfa{nodes: make([]nfaNode, 0, maxNodes)}
	if small {
		a.sub = make([]uint64, 0, maxNodes)
	}
	a.addNode(-1, false, 0)
	type end struct{ node, rule int32 }
	ends := make([]end, 0, len(patterns))
	for id := range patterns {
		p := &patterns[id]
		n := int32(0)
		// every node on the pattern's path can prove its rules (sub)
		mask := p.mask
		if small {
			a.sub[0] |= mask
		}
		// fresh is set once the walk has made a node: its children do not exist yet
		fresh := false
		lit := func(s string) {
			for i := 0; i < len(s); i++ {
				next := int32(-1)
				if !fresh {
					next = a.child(n, s[i])
				}
				if next < 0 {
					next = a.addNode(n, false, s[i])
					a.used[s[i]] = true
					fresh = true
				}
				n = next
				if small {
					a.sub[n] |= mask
				}
			}
		}
		star := func() {
			if sc := a.nodes[n].starChild; sc >= 0 {
				n = sc
			} else {
				sc := a.addNode(n, true, '*')
				a.nodes[n].starChild = sc
				n = sc
				fresh = true
			}
			if small {
				a.sub[n] |= mask
			}
		}
		lit(p.Prefix)
		if !p.Exact {
			star()
			for _, m := range p.Middle {
				lit(m)
				star()
			}
			lit(p.Suffix)
		}
		for _, r := range p.owners {
			ends = append(ends, end{n, r})
		}
	}
	slices.SortFunc(ends, func(x, y end) int {
		if x.node != y.node {
			return int(x.node - y.node)
		}
		return int(x.rule - y.rule)
	})
	ends = slices.Compact(ends)
	a.ownerPool = make([]int32, len(ends))
	for i, e := range ends {
		a.ownerPool[i] = e.rule
		if nd := &a.nodes[e.node]; nd.owners < 0 {
			nd.owners = int32(len(a.owners))
			a.owners = append(a.owners, span{int32(i), int32(i + 1)})
		} else {
			a.owners[nd.owners].hi++
		}
	}
	return a
}

// parents returns the parent of every node (-1 for the root), for printing.
func (a *nfa) parents() []int32 {
	parent := make([]int32, len(a.nodes))
	parent[0] = -1
	for n := range a.nodes {
		nd := &a.nodes[n]
		if nd.starChild >= 0 {
			parent[nd.starChild] = int32(n)
		}
		if c := nd.firstChild; c < -1 {
			for _, ch := range a.denseChild[int(denseRow(c))<<8 : int(denseRow(c)+1)<<8] {
				if ch >= 0 {
					parent[ch] = int32(n)
				}
			}
		} else {
			for ; c >= 0; c = a.nodes[c].nextSibling {
				parent[c] = int32(n)
			}
		}
	}
	return parent
}

func (a *nfa) bytes() int {
	return len(a.nodes)*(20+8*min(len(a.sub), 1)) + 4*len(a.denseChild) + 8*len(a.owners) + 4*len(a.ownerPool)
}

// Transition cells of the automaton's wide table (engines of more than 64 rules, or budgets
// beyond the narrow table's reach). A cell holds the row offset of the next state when that
// state is live (non-negative); otherwise one of these, or ^offset of a settled state: a state
// without positions, whose rules are decided whatever follows.
const (
	cellUnknown  = math.MinInt32     // not built yet: the slow path builds it
	cellFallback = math.MinInt32 + 1 // beyond the state budget: the index engine answers
)

// Cells of the narrow table (engines of at most 64 rules whose budget it can hold): 16 bits.
// A cell below narrowLive is the row offset of the next state in units of narrowUnit cells,
// settled or not; a settled state's class cells all hold narrowSettled, so a walk leaves it on
// the next byte. Rows are padded to a multiple of narrowUnit cells (8 bytes), and their last
// four cells hold the state's end set as one 64-bit word in the machine's byte order.
const (
	narrowUnit     = 4      // cells per unit of offset: a step reads cell unit*4 + class
	narrowLive     = 0xFFF0 // units below are states
	narrowSettled  = 0xFFFD // the class cells of a settled state
	narrowFallback = 0xFFFE // beyond the state budget: the index engine answers
	narrowUnknown  = 0xFFFF // not built yet: the slow path builds it
)

// dfa is the deterministic automaton over the nfa, built lazily: a state is a set of nfa
// nodes with the rules already proven, and its row in the table is built the first time a
// name reaches it.
//
// The wide table: readers follow cells with atomic loads and never lock; a missing cell is
// built under mu. Rows are never moved within a table: when a table is full, a larger copy is
// published, and a reader on the old copy reaches a missing cell and then the new copy.
//
// The narrow table: the writer builds cells in draft, under mu, and publishes copies of it
// (dfaTable.cells) that nobody writes, so readers follow them with plain 16-bit loads and
// never lock. A reader that reaches a missing cell in its copy walks the rest of the name in
// draft under mu (walkDraft), building what it lacks; after enough such walks the writer
// publishes a fresh copy (publishDue), so that copying costs a bounded amount per slow walk.
type dfa struct {
	class [256]uint8
	// classOff is the class of each byte as a byte offset into a narrow row (2 bytes a cell)
	classOff [256]uint16
	classes  int     // number of byte classes; class 0 holds the bytes of no literal, if any
	rep      []int16 // a byte of each class, -1 for the bytes of no literal
	// stride is the cells per row: one per class, then the state's end set (two cells in the
	// wide table; in the narrow one, four at the end of a row padded to narrowUnit cells)
	stride   int
	small    bool
	narrow   bool // 16-bit cells in dfaTable.cells rather than int32 in dfaTable.trans
	maxBytes int
	a        *nfa

	cur atomic.Pointer[dfaTable]

	// saturated is set once the budget has stopped construction: from then on names can leave
	// the automaton, and Match weighs them (see coldScore).
	saturated atomic.Bool
	// score weighs the names that left the automaton against those it answered since it was
	// saturated (see probeEvery).
	score atomic.Int32

	mu sync.Mutex // guards everything below and writes to the current table
	// states
	ids      map[string]int32 // key (positions, proven rules) -> state number
	pos      []span           // per state: its nodes in posPool
	posPool  []int32
	prov     []span // per state: its proven rules in provPool
	provPool []int32
	settled  []bool
	bytes    int  // memory of the states built, counted against maxBytes
	full     bool // the budget stopped construction
	endUsed  int  // entries of the current table's endPool in use
	// draft is the narrow table as built, states x stride; the published copy is a prefix
	draft []uint16
	slow  int // walks in draft since the last copy was published
	// scratch for step
	mark    []uint32
	gen     uint32
	next    []int32
	proven  []int32
	key     []byte
	end     []int32
	nstates int
}

// dfaTable is the part readers use: rows of transitions and end sets.
type dfaTable struct {
	trans []int32 // wide table: states x stride; len is the capacity, rows beyond nstates unused
	// cells is a published copy of the narrow table (dfa.draft): states x stride cells,
	// written before it is published and never after
	cells []uint16
	// endPool holds the end sets of engines of more than 64 rules (cells [lo, hi) of a row);
	// its length is its capacity, the writer's endUsed says how much is used.
	endPool []int32
	start   int32 // cell of the start state
}

// unknown is the mark of a cell not built yet, in the automaton's table.
func (d *dfa) unknown() int32 {
	if d.narrow {
		return narrowUnknown
	}
	return cellUnknown
}

// fallback is the mark of a cell beyond the state budget, in the automaton's table.
func (d *dfa) fallback() int32 {
	if d.narrow {
		return narrowFallback
	}
	return cellFallback
}

// load returns cell c of t, atomically; for the narrow table, cell c of the draft.
func (d *dfa) load(t *dfaTable, c int) int32 {
	if d.narrow {
		return int32(d.draft[c])
	}
	return atomic.LoadInt32(&t.trans[c])
}

// store sets cell c of t to v, atomically for readers (for the narrow table, of the draft);
// only the writer, under mu, calls it.
func (d *dfa) store(t *dfaTable, c int, v int32) {
	if d.narrow {
		d.draft[c] = uint16(v)
		return
	}
	atomic.StoreInt32(&t.trans[c], v)
}

// dfaStateOverhead is the memory a state costs beyond its row and sets: its key and entries.
const dfaStateOverhead = 64

func newDFA(a *nfa, small bool, maxBytes int) *dfa {
	d := &dfa{a: a, small: small, maxBytes: maxBytes, ids: map[string]int32{}}
	used := &a.used
	n := 0
	for _, u := range used {
		if u {
			n++
		}
	}
	if n < 256 { // class 0: bytes of no literal
		d.rep = append(d.rep, -1)
	}
	for c := range 256 {
		if used[c] {
			d.class[c] = uint8(len(d.rep))
			d.classOff[c] = uint16(2 * len(d.rep))
			d.rep = append(d.rep, int16(c))
		}
	}
	d.classes = len(d.rep)
	d.stride = d.classes + 2
	if stride := (d.classes + 4 + narrowUnit - 1) / narrowUnit * narrowUnit; small && narrowFits(stride, maxBytes) {
		d.narrow, d.stride = true, stride
	}
	d.mark = make([]uint32, len(a.nodes))
	t := &dfaTable{}
	d.cur.Store(t)
	d.next = append(d.next[:0], 0)
	if sc := a.nodes[0].starChild; sc >= 0 {
		d.next = append(d.next, sc)
	}
	d.proven = d.proven[:0]
	d.close()
	cell, _ := d.intern(t)
	d.cur.Load().start = cell
	if d.narrow {
		d.publish()
	}
	return d
}

// narrowFits reports whether the narrow table of rows of stride cells reaches every state a
// budget of maxBytes can hold: each costs at least its row (twice), a byte of key and the
// overhead.
func narrowFits(stride, maxBytes int) bool {
	states := maxBytes/(4*stride+1+dfaStateOverhead) + 1
	return states*(stride/narrowUnit) <= narrowLive
}

// close records in proven the rules of star nodes with owners among next, then drops the
// nodes that can prove nothing more, and sorts the rest: the canonical form of a state.
func (d *dfa) close() {
	a := d.a
	for _, n := range d.next {
		if a.nodes[n].isStar {
			d.proven = append(d.proven, a.ownersOf(n)...)
		}
	}
	slices.Sort(d.proven)
	d.proven = slices.Compact(d.proven)
	var mask uint64
	if d.small {
		for _, r := range d.proven {
			mask |= 1 << r
		}
	}
	kept := d.next[:0]
	for _, n := range d.next {
		switch {
		case d.small && a.sub[n]&^mask == 0:
		case a.nodes[n].isStar && a.leaf(n) && a.nodes[n].owners >= 0:
		default:
			kept = append(kept, n)
		}
	}
	d.next = kept
	slices.Sort(d.next)
}

// step computes in d.next and d.proven the state reached from state s by class c.
func (d *dfa) step(s int32, c int) {
	a := d.a
	d.gen++
	if d.gen == 0 {
		clear(d.mark)
		d.gen = 1
	}
	d.next = d.next[:0]
	add := func(n int32) {
		if d.mark[n] != d.gen {
			d.mark[n] = d.gen
			d.next = append(d.next, n)
		}
		if sc := a.nodes[n].starChild; sc >= 0 && d.mark[sc] != d.gen {
			d.mark[sc] = d.gen
			d.next = append(d.next, sc)
		}
	}
	b := d.rep[c]
	for _, n := range d.posPool[d.pos[s].lo:d.pos[s].hi] {
		if a.nodes[n].isStar {
			add(n)
		}
		if b >= 0 {
			if ch := a.child(n, byte(b)); ch >= 0 {
				add(ch)
			}
		}
	}
	d.proven = append(d.proven[:0], d.provPool[d.prov[s].lo:d.prov[s].hi]...)
	d.close()
}

// intern returns the cell of the state in d.next and d.proven, adding it to wide table t (or
// to a larger copy it publishes), or to the narrow draft, if it is new and within budget;
// d.fallback() otherwise.
func (d *dfa) intern(t *dfaTable) (int32, bool) {
	d.key = d.key[:0]
	d.key = binary.AppendUvarint(d.key, uint64(len(d.next)))
	for _, n := range d.next {
		d.key = binary.AppendUvarint(d.key, uint64(n))
	}
	for _, r := range d.proven {
		d.key = binary.AppendUvarint(d.key, uint64(r))
	}
	if s, ok := d.ids[string(d.key)]; ok {
		return d.cell(s), false
	}
	// the end set: proven rules and owners of the non-star nodes (accepting at the end), in
	// scratch reused by every state, so that a step beyond the budget allocates nothing
	end := d.end[:0]
	defer func() { d.end = end[:0] }()
	var mask uint64
	ends := func(r int32) {
		if d.small {
			mask |= 1 << r
		} else {
			end = append(end, r)
		}
	}
	for _, r := range d.proven {
		ends(r)
	}
	for _, n := range d.next {
		if !d.a.nodes[n].isStar {
			for _, r := range d.a.ownersOf(n) {
				ends(r)
			}
		}
	}
	if !d.small {
		slices.Sort(end)
		end = slices.Compact(end)
	}
	// a narrow cell is 2 bytes, held twice: in the draft and in the published copy
	cost := 4*d.stride + 4*(len(d.next)+len(d.proven)+len(end)) + len(d.key) + dfaStateOverhead
	if d.bytes+cost > d.maxBytes || d.narrow && (d.nstates+1)*(d.stride/narrowUnit) > narrowLive {
		d.full = true
		d.saturated.Store(true)
		return d.fallback(), false
	}
	d.bytes += cost
	s := int32(d.nstates)
	d.nstates++
	d.ids[string(d.key)] = s
	d.pos = append(d.pos, span{int32(len(d.posPool)), int32(len(d.posPool) + len(d.next))})
	d.posPool = append(d.posPool, d.next...)
	d.prov = append(d.prov, span{int32(len(d.provPool)), int32(len(d.provPool) + len(d.proven))})
	d.provPool = append(d.provPool, d.proven...)
	d.settled = append(d.settled, len(d.next) == 0)

	if d.narrow {
		d.addNarrowRow(d.settled[s], mask)
		return d.cell(s), true
	}
	row := int(s) * d.stride
	if row+d.stride > len(t.trans) || d.endUsed+len(end) > len(t.endPool) {
		t = d.grow(t, row+d.stride, len(end))
	}
	for i := range d.classes {
		atomic.StoreInt32(&t.trans[row+i], cellUnknown)
	}
	if d.small {
		atomic.StoreInt32(&t.trans[row+d.classes], int32(uint32(mask)))
		atomic.StoreInt32(&t.trans[row+d.classes+1], int32(uint32(mask>>32)))
	} else {
		lo := d.endUsed
		d.endUsed += copy(t.endPool[lo:], end)
		atomic.StoreInt32(&t.trans[row+d.classes], int32(lo))
		atomic.StoreInt32(&t.trans[row+d.classes+1], int32(d.endUsed))
	}
	return d.cell(s), true
}

// addNarrowRow appends to the draft the row of a new state: its class cells unknown (or
// narrowSettled), padding, and its end set.
func (d *dfa) addNarrowRow(settled bool, mask uint64) {
	first := uint16(narrowUnknown)
	if settled {
		first = narrowSettled
	}
	row := len(d.draft)
	if row+d.stride > cap(d.draft) {
		d.draft = slices.Grow(d.draft, d.tableCells(cap(d.draft), row+d.stride)-row)
	}
	d.draft = d.draft[:row+d.stride]
	for i := range d.classes {
		d.draft[row+i] = first
	}
	e := row + d.stride - 4
	clear(d.draft[row+d.classes : e])
	*narrowEndCells(d.draft[e : e+4]) = mask
}

// narrowEnd returns the end set of the narrow row at row of cells.
func (d *dfa) narrowEnd(cells []uint16, row int) uint64 {
	return *narrowEndCells(cells[row+d.stride-4 : row+d.stride])
}

// narrowEndCells is the end set held in the four cells of e, as one word: a row's last four
// cells start at a multiple of 8 bytes from the table's start (rows are whole units of 8 bytes),
// and the table, an allocation of at least 16 bytes, is 8-byte aligned.
func narrowEndCells(e []uint16) *uint64 {
	_ = e[3]
	return (*uint64)(unsafe.Pointer(&e[0]))
}

// cell is the transition cell that leads to state s.
func (d *dfa) cell(s int32) int32 {
	if d.narrow {
		return s * int32(d.stride/narrowUnit)
	}
	if d.settled[s] {
		return ^(s * int32(d.stride))
	}
	return s * int32(d.stride)
}

// stateOf is the state a cell that leads to a state (live or settled) leads to.
func (d *dfa) stateOf(v int32) int {
	switch {
	case d.narrow:
		return int(v) * narrowUnit / d.stride
	case v < 0:
		return int(^v) / d.stride
	}
	return int(v) / d.stride
}

// tableCells is the cells a table of have cells grows to when it must hold need: double, but
// never beyond the rows the budget allows.
func (d *dfa) tableCells(have, need int) int {
	maxCells := (d.maxBytes/(4*d.stride) + 1) * d.stride
	return max(need, min(2*have, maxCells), min(8*d.stride, maxCells))
}

// grow publishes a copy of t with room for at least rows cells and extra end-set entries.
// Readers of t keep a consistent table: they reach a missing cell and come to the new one.
func (d *dfa) grow(t *dfaTable, cells, extra int) *dfaTable {
	n := &dfaTable{start: t.start}
	n.trans = make([]int32, d.tableCells(len(t.trans), cells))
	for i := range t.trans {
		n.trans[i] = atomic.LoadInt32(&t.trans[i])
	}
	if !d.small {
		n.endPool = make([]int32, max(d.endUsed+extra, 2*len(t.endPool), 64))
		copy(n.endPool, t.endPool[:d.endUsed])
	}
	d.cur.Store(n)
	return n
}

// resolve builds the cell of state row s (an offset) for class c, and returns it with the
// table now current. On a narrow automaton it builds in the draft (for explore; readers
// walk the draft with walkDraft).
func (d *dfa) resolve(s, c int) (int32, *dfaTable) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.cur.Load()
	if v := d.load(t, s+c); v != d.unknown() {
		return v, t
	}
	return d.build(s, c), d.cur.Load()
}

// build computes, under mu, the cell of state row s for class c and stores it in the current
// table (the draft, for a narrow automaton). Once the budget is reached, a step may still lead
// to a state already built.
func (d *dfa) build(s, c int) int32 {
	d.step(int32(s/d.stride), c)
	v, _ := d.intern(d.cur.Load())
	d.store(d.cur.Load(), s+c, v)
	return v
}

// match sets the rules of name in bits and reports true, or reports false when name leaves
// the states within budget (then bits is untouched and the index engine must answer).
func (d *dfa) match(name string, bits []uint64) bool {
	if d.narrow {
		end, ok := d.matchNarrow(name)
		bits[0] |= end
		return ok
	}
	t := d.cur.Load()
	trans := t.trans
	class := &d.class
	v := t.start
	s, i := 0, 0
	for {
		// the hot loop: one dependent load per byte while cells lead to live states
		for v >= 0 && i < len(name) {
			s = int(uint32(v)) // v >= 0: a zero extension, which the load already did
			v = atomic.LoadInt32(&trans[s+int(class[name[i]])])
			i++
		}
		if v >= 0 { // the name ends in a live state
			s = int(v)
			break
		}
		if v == cellUnknown { // built from state row s by the byte just read
			v, t = d.resolve(s, int(class[name[i-1]]))
			trans = t.trans
			continue
		}
		if v == cellFallback {
			return false
		}
		s = int(^v) // settled: nothing that follows changes the answer
		break
	}
	lo, hi := atomic.LoadInt32(&trans[s+d.classes]), atomic.LoadInt32(&trans[s+d.classes+1])
	if d.small {
		bits[0] |= uint64(uint32(lo)) | uint64(uint32(hi))<<32
		return true
	}
	setAll(bits, t.endPool[lo:hi])
	return true
}

// matchNarrow is match over the narrow table: a walk of the published copy, then of the
// draft under mu if the copy lacks a cell the name needs. It returns the rules of name as
// bits, or false when name leaves the states within budget.
func (d *dfa) matchNarrow(name string) (uint64, bool) {
	t := d.cur.Load()
	cells := t.cells
	// The hot loop reads cells by address, so that a step is one load whose address is the
	// previous cell times 8 plus a part computed off the dependent chain. It stays within
	// cells: a published copy is never written, every cell below narrowLive in it is the
	// offset of a row inside it (the copy holds every row a cell of it names), and a class
	// offset is within a row.
	base := unsafe.Pointer(unsafe.SliceData(cells))
	v := uint(t.start)
	s, i := uint(0), 0
	for v < narrowLive && i < len(name) {
		s = v
		p := unsafe.Add(base, d.classOff[name[i]])
		v = uint(*(*uint16)(unsafe.Add(p, v*(2*narrowUnit))))
		i++
	}
	switch {
	case v < narrowLive: // the name ends in a state
		s = v
	case v == narrowUnknown: // not in this copy: from state row s by the byte just read
		return d.walkDraft(name, i-1, int(s)*narrowUnit)
	case v == narrowFallback:
		return 0, false
	} // narrowSettled: s is the settled state's row, and the answer is decided
	return d.narrowEnd(cells, int(s)*narrowUnit), true
}

// walkDraft is matchNarrow from byte i of name in state row s, over the draft under mu,
// building the cells it lacks.
func (d *dfa) walkDraft(name string, i, s int) (uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.publishDue()
	for ; i < len(name); i++ {
		c := int(d.class[name[i]])
		v := int32(d.draft[s+c])
		if v == narrowUnknown {
			v = d.build(s, c)
		}
		if v == narrowSettled {
			break
		}
		if v == narrowFallback {
			return 0, false
		}
		s = int(v) * narrowUnit
	}
	return d.narrowEnd(d.draft, s), true
}

// publishDue counts a walk in the draft, and publishes a copy of it once the walks since the
// last copy are many enough that the copy costs at most 128 cells a walk.
func (d *dfa) publishDue() {
	if d.slow++; d.slow >= max(32, len(d.cur.Load().cells)/128) {
		d.publish()
	}
}

// publish makes a copy of the draft the narrow table readers walk.
func (d *dfa) publish() {
	d.cur.Store(&dfaTable{cells: slices.Clone(d.draft), start: d.cur.Load().start})
	d.slow = 0
}

// memory is the automaton's memory: its table and the states' sets.
func (d *dfa) memory() int {
	t := d.cur.Load()
	d.mu.Lock()
	defer d.mu.Unlock()
	return 4*len(t.trans) + 2*len(t.cells) + 2*cap(d.draft) + 4*len(t.endPool) + d.bytes + d.a.bytes() + 512
}
