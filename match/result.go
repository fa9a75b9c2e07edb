package match

import (
	"iter"
	"math/bits"
)

// Result lists the rules that apply to one name, in configuration order. It is a small value
// holding a bit set inline for up to MaxInlineRules rules.
type Result struct {
	m     *Matcher
	small [MaxInlineRules / 64]uint64
	large []uint64
}

// words is the bit set: only the words the matcher's rules need, so that Len and Rules read
// no more than Match wrote.
func (r *Result) words() []uint64 {
	if r.large != nil {
		return r.large
	}
	if r.m == nil {
		return nil
	}
	return r.small[:len(r.m.always)]
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
	n := 0
	for _, w := range r.words() {
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

func (r *Result) eachProfile(yield func(string) bool) {
	if r.m == nil {
		return
	}
	var small [MaxInlineRules / 64]uint64
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
