package match

import (
	"iter"
	"math/bits"
	"sync/atomic"
)

// Result lists the rules that apply to one name, in configuration order. It is a small value
// (40 bytes): the bit set of up to MaxInlineRules rules inline, and beyond, a slice of a
// block the matcher hands out in turn (see [MaxInlineRules]).
type Result struct {
	m     *Matcher
	small [MaxInlineRules / 64]uint64
	large []uint64
}

// words is the bit set. Inline words beyond the matcher's rules stay zero, so Len and Rules
// need not know how many rules there are.
func (r *Result) words() []uint64 {
	if r.large != nil {
		return r.large
	}
	return r.small[:]
}

// Has reports whether the rule at index rule (configuration order) applies.
func (r Result) Has(rule int) bool {
	w := r.words()
	if rule < 0 || rule/64 >= len(w) {
		return false
	}
	return w[rule/64]&(1<<(rule%64)) != 0
}

// Len is the number of applying rules.
func (r Result) Len() int {
	if r.large == nil {
		n := 0
		for _, w := range r.small {
			n += bits.OnesCount64(w)
		}
		return n
	}
	n := 0
	for _, w := range r.large {
		n += bits.OnesCount64(w)
	}
	return n
}

// Rules yields the indexes of the applying rules in configuration order.
func (r Result) Rules() iter.Seq[int] {
	// The closure only forwards, so that Rules inlines into the caller's range loop and r
	// does not escape: iterating allocates nothing.
	return func(yield func(int) bool) { r.eachRule(yield) }
}

func (r *Result) eachRule(yield func(int) bool) {
	for i, w := range r.words() {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			w &= w - 1
			if !yield(i*64 + b) {
				return
			}
		}
	}
}

// Profiles yields the distinct signing profile ARNs of the applying rules, in the order of the
// first rule that applies with each. It yields nothing for replication matchers.
func (r Result) Profiles() iter.Seq[string] {
	return func(yield func(string) bool) { r.eachProfile(yield) }
}

// inlineProfiles is how many distinct profiles Profiles tracks in a stack array.
const inlineProfiles = 1024

func (r *Result) eachProfile(yield func(string) bool) {
	if r.m == nil {
		return
	}
	var small [inlineProfiles / 64]uint64
	var seen []uint64
	if n := (len(r.m.profiles) + 63) / 64; n <= len(small) {
		seen = small[:n]
	} else {
		seen = make([]uint64, n)
	}
	r.eachRule(func(i int) bool {
		p := r.m.rules[i].profile
		if p < 0 || seen[p/64]&(1<<(p%64)) != 0 {
			return true
		}
		seen[p/64] |= 1 << (p % 64)
		return yield(r.m.profiles[p])
	})
}

// bitBlock is a block of zeroed words from which Match hands each Result of a matcher with
// more than MaxInlineRules rules its own bit set: next counts the words handed out.
type bitBlock struct {
	words []uint64
	next  atomic.Int64
}

// bitBlockWords is the size of a block, in words: 16 KiB, 128 results of 1,000 rules.
const bitBlockWords = 2048

// takeWords returns n zeroed words that no other Result shares. They come from the matcher's
// current block, or from a new one when it is used up: one allocation per block, not per call.
// Concurrent callers may each start a block; only the last stays current, which costs memory,
// never correctness. A Result keeps its block alive as long as it is referenced.
func (m *Matcher) takeWords(n int) []uint64 {
	if b := m.block.Load(); b != nil {
		if end := b.next.Add(int64(n)); end <= int64(len(b.words)) {
			return b.words[end-int64(n) : end : end]
		}
	}
	b := &bitBlock{words: make([]uint64, max(bitBlockWords, 16*n))}
	b.next.Store(int64(n))
	m.block.Store(b)
	return b.words[:n:n]
}
