package engine

import "math/bits"

// exactSet finds the filters without `*` equal to a name with one probe of an open-addressing
// table, hashing only the name's length and its first and last 8 bytes, so a lookup costs the
// same for any name length (and a string comparison on a hit).
type exactSet struct {
	slots []exactSlot // power-of-two size, at most half full
	rules []int32
}

type exactSlot struct {
	text  string
	rules span
	used  bool
}

func (x *exactSet) build(texts map[string][]int32) {
	if len(texts) == 0 {
		return
	}
	n := 1 << bits.Len(uint(2*len(texts)))
	x.slots = make([]exactSlot, n)
	for text, rs := range texts {
		lo := int32(len(x.rules))
		x.rules = append(x.rules, rs...)
		i := exactHash(text) & uint64(n-1)
		for x.slots[i].used {
			i = (i + 1) & uint64(n-1)
		}
		x.slots[i] = exactSlot{text: text, rules: span{lo, int32(len(x.rules))}, used: true}
	}
}

// lookup returns the rules of the exact filter equal to name.
func (x *exactSet) lookup(name string) []int32 {
	if len(x.slots) == 0 {
		return nil
	}
	mask := uint64(len(x.slots) - 1)
	for i := exactHash(name) & mask; x.slots[i].used; i = (i + 1) & mask {
		if s := &x.slots[i]; s.text == name {
			return x.rules[s.rules.lo:s.rules.hi]
		}
	}
	return nil
}

func exactHash(s string) uint64 {
	var head, tail uint64
	if len(s) >= 8 {
		head = load64(s)
		tail = load64(s[len(s)-8:])
	} else {
		for i := 0; i < len(s); i++ {
			head = head<<8 | uint64(s[i])
		}
	}
	h := (head ^ uint64(len(s))*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9
	h ^= tail * 0x94D049BB133111EB
	return h ^ h>>29
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func (x *exactSet) bytes() int {
	n := len(x.slots)*32 + 4*len(x.rules)
	for _, s := range x.slots {
		n += len(s.text)
	}
	return n
}
