package engine

import (
	"slices"
	"strings"
)

// trie is a byte trie with single-child chains compressed (a radix tree), in flat arrays. The
// children of a node are reached by their first byte, labels[edges.lo:edges.hi] leading to
// targets[edges.lo:edges.hi]; the rest of the edge into a node is tails[tail.lo:tail.hi], in the
// name's byte order (for the reversed-suffix trie too), so a walk compares it with one string
// comparison. Each node lists the rules that apply as soon as the walk reaches it (sure) and
// the patterns to verify there (cands). The root's children are also in a dense table, since
// every walk starts there.
type trie struct {
	nodes   []trieNode
	labels  string
	targets []int32
	tails   string
	rules   []int32  // pool of sure spans
	dense   []uint64 // pool of sure sets as bit words (trieNode.dense)
	cands   []cand   // pool of candidates
	root    [256]int32
	// size is the number of nodes of the uncompressed trie (one per distinct literal prefix).
	size int
}

type trieNode struct {
	edges, sure, cands, tail span
	// sub holds the rules (one bit each, for engines of at most 64 rules) that the node and
	// its subtree can add: a walk stops once all of them are known to apply.
	sub uint64
	// sureMask is sure as bits, for engines of at most 64 rules.
	sureMask uint64
	// dense is the offset in dense of sure as bit words, for engines of more than 64 rules
	// when sure is longer than the words; -1 otherwise.
	dense int32
}

// child returns the node reached from n by byte c, or -1.
func (t *trie) child(n int32, c byte) int32 {
	if n == 0 {
		return t.root[c]
	}
	e := t.nodes[n].edges
	if e.hi-e.lo <= 8 {
		for i := e.lo; i < e.hi; i++ {
			if t.labels[i] == c {
				return t.targets[i]
			}
		}
		return -1
	}
	if i := strings.IndexByte(t.labels[e.lo:e.hi], c); i >= 0 {
		return t.targets[int(e.lo)+i]
	}
	return -1
}

// trieBuilder is the mutable trie Compile fills before flattening it: nodes in a slice and all
// edges in one map keyed by (node, byte).
type trieBuilder struct {
	nodes []builderNode
	edges map[uint64]int32
}

type builderNode struct {
	sure, cands []int32
}

func (b *trieBuilder) init(sizeHint int) {
	b.nodes = make([]builderNode, 1, sizeHint+1)
	b.edges = make(map[uint64]int32, sizeHint)
}

// add returns the node of s (of s reversed when reverse is set), creating it as needed. The
// pointer is valid until the next add.
func (b *trieBuilder) add(s string, reverse bool) *builderNode {
	n := int32(0)
	for i := range len(s) {
		c := s[i]
		if reverse {
			c = s[len(s)-1-i]
		}
		k := uint64(n)<<8 | uint64(c)
		next, ok := b.edges[k]
		if !ok {
			next = int32(len(b.nodes))
			b.edges[k] = next
			b.nodes = append(b.nodes, builderNode{})
		}
		n = next
	}
	return &b.nodes[n]
}

// build flattens the trie, compressing every chain of nodes with one child and nothing to
// report into the edge that leads through it. reverse says the trie holds reversed literals;
// mk gives the candidate of a pattern id; when small is unset (the engine has more than 64
// rules) every sub is all ones and walks never stop early.
func (b *trieBuilder) build(reverse bool, mk func(int32) cand, small bool, words int) trie {
	t := trie{size: len(b.nodes)}
	for i := range t.root {
		t.root[i] = -1
	}
	// edges sorted by (node, byte) give each node's children as one contiguous run:
	// node i's run is [start[i], start[i+1])
	keys := make([]uint64, 0, len(b.edges))
	for k := range b.edges {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start := make([]int32, len(b.nodes)+1)
	for i, k := range keys {
		start[int32(k>>8)+1] = int32(i + 1)
	}
	for i := 1; i < len(start); i++ {
		start[i] = max(start[i], start[i-1])
	}
	kept := func(n int32) bool {
		nd := &b.nodes[n]
		return n == 0 || len(nd.sure) > 0 || len(nd.cands) > 0 || start[n+1]-start[n] != 1
	}
	pool := func(dst *[]int32, src []int32) span {
		slices.Sort(src)
		src = slices.Compact(src)
		lo := int32(len(*dst))
		*dst = append(*dst, src...)
		return span{lo, int32(len(*dst))}
	}
	var labels, tails []byte
	// depth-first from the root: a kept node's children are placed, then visited
	type item struct {
		from int32 // builder node
		to   int32 // its compressed node
	}
	t.nodes = append(t.nodes, trieNode{})
	stack := []item{{0, 0}}
	order := []item{}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		order = append(order, it)
		nd := &b.nodes[it.from]
		t.nodes[it.to].sure = pool(&t.rules, nd.sure)
		t.nodes[it.to].dense = -1
		if !small {
			sr := t.nodes[it.to].sure
			t.nodes[it.to].dense = appendDense(&t.dense, t.rules[sr.lo:sr.hi], words)
		}
		lo := int32(len(t.cands))
		for _, id := range nd.cands {
			t.cands = append(t.cands, mk(id))
		}
		t.nodes[it.to].cands = span{lo, int32(len(t.cands))}
		lo = int32(len(labels))
		for _, k := range keys[start[it.from]:start[it.from+1]] {
			c := byte(k)
			target := b.edges[k]
			tlo := len(tails)
			for !kept(target) {
				k := keys[start[target]]
				tails = append(tails, byte(k))
				target = b.edges[k]
			}
			if reverse {
				slices.Reverse(tails[tlo:])
			}
			id := int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{tail: span{int32(tlo), int32(len(tails))}})
			labels = append(labels, c)
			t.targets = append(t.targets, id)
			if it.to == 0 {
				t.root[c] = id
			}
			stack = append(stack, item{target, id})
		}
		t.nodes[it.to].edges = span{lo, int32(len(labels))}
	}
	// subtree masks, children before parents (reverse of the visit order)
	for i := len(order) - 1; i >= 0; i-- {
		nd := &t.nodes[order[i].to]
		if !small {
			nd.sub = ^uint64(0)
			continue
		}
		for _, r := range t.rules[nd.sure.lo:nd.sure.hi] {
			nd.sureMask |= 1 << r
		}
		nd.sub |= nd.sureMask
		for _, c := range t.cands[nd.cands.lo:nd.cands.hi] {
			nd.sub |= c.mask
		}
		for _, ch := range t.targets[nd.edges.lo:nd.edges.hi] {
			nd.sub |= t.nodes[ch].sub
		}
	}
	t.labels = string(labels)
	t.tails = string(tails)
	return t
}

// bytes estimates the memory the trie holds.
func (t *trie) bytes() int {
	return len(t.nodes)*56 + 8*len(t.dense) + len(t.labels) + len(t.tails) + 4*(len(t.targets)+len(t.rules)) + 24*len(t.cands) + len(t.root)*4
}
