package engine

import (
	"slices"
	"strings"
)

// trie is a byte trie in flat arrays: the children of a node are the labels
// labels[edges.lo:edges.hi] leading to targets[edges.lo:edges.hi]. Each node lists the rules
// that apply as soon as the walk reaches it (sure) and the patterns to verify there (cands).
// The root's children are also in a dense table, since almost every walk starts there.
type trie struct {
	nodes   []trieNode
	labels  string
	targets []int32
	rules   []int32 // pool of sure spans
	cands   []int32 // pool of candidate pattern ids
	root    [256]int32
}

type trieNode struct {
	edges, sure, cands span
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

func (b *trieBuilder) build() trie {
	t := trie{nodes: make([]trieNode, len(b.nodes))}
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
	labels := make([]byte, len(keys))
	t.targets = make([]int32, len(keys))
	start := make([]int32, len(b.nodes)+1)
	for i, k := range keys {
		n, c := int32(k>>8), byte(k)
		labels[i], t.targets[i] = c, b.edges[k]
		start[n+1] = int32(i + 1)
		if n == 0 {
			t.root[c] = b.edges[k]
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] = max(start[i], start[i-1])
	}
	pool := func(dst *[]int32, src []int32, sortRules bool) span {
		if sortRules {
			slices.Sort(src)
			src = slices.Compact(src)
		}
		lo := int32(len(*dst))
		*dst = append(*dst, src...)
		return span{lo, int32(len(*dst))}
	}
	for i, nd := range b.nodes {
		t.nodes[i] = trieNode{
			edges: span{start[i], start[i+1]},
			sure:  pool(&t.rules, nd.sure, true),
			cands: pool(&t.cands, nd.cands, false),
		}
	}
	t.labels = string(labels)
	return t
}

// bytes estimates the memory the trie holds.
func (t *trie) bytes() int {
	return len(t.nodes)*24 + len(t.labels) + 4*(len(t.targets)+len(t.rules)+len(t.cands)) + len(t.root)*4
}
