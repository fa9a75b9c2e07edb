// Package glob is the straightforward reference matcher for ECR WILDCARD_MATCH filters: a
// filter is split at `*` into literal segments and matched greedily in linear time.
//
// It is the `greedy` engine of the benchmarks and an oracle in tests; package match builds its
// compiled engine separately and must agree with it on every input.
package glob

import "strings"

// Pattern is a WILDCARD_MATCH filter split at `*`: the name must start with Prefix, end with
// Suffix and contain Middle in order between them, without overlaps. A pattern without `*`
// has Exact set and matches only Prefix.
type Pattern struct {
	Prefix string
	Middle []string
	Suffix string
	Exact  bool
}

// Parse splits a filter at `*`. Every byte other than `*` stands for itself; empty segments
// between consecutive stars are dropped since `**` matches what `*` matches.
func Parse(filter string) Pattern {
	first := strings.IndexByte(filter, '*')
	if first < 0 {
		return Pattern{Prefix: filter, Exact: true}
	}
	last := strings.LastIndexByte(filter, '*')
	p := Pattern{Prefix: filter[:first], Suffix: filter[last+1:]}
	for rest := filter[first+1 : last+1]; rest != ""; {
		i := strings.IndexByte(rest, '*')
		if i > 0 {
			p.Middle = append(p.Middle, rest[:i])
		}
		rest = rest[i+1:]
	}
	return p
}

// MinLen is the length of the shortest name the pattern matches.
func (p Pattern) MinLen() int {
	n := len(p.Prefix) + len(p.Suffix)
	for _, m := range p.Middle {
		n += len(m)
	}
	return n
}

// Match reports whether the whole name matches the pattern. Greedy leftmost placement of each
// middle segment is exact for patterns whose only metacharacter is `*`.
func (p Pattern) Match(name string) bool {
	if p.Exact {
		return name == p.Prefix
	}
	if len(name) < len(p.Prefix)+len(p.Suffix) ||
		!strings.HasPrefix(name, p.Prefix) || !strings.HasSuffix(name, p.Suffix) {
		return false
	}
	rest := name[len(p.Prefix) : len(name)-len(p.Suffix)]
	for _, m := range p.Middle {
		i := strings.Index(rest, m)
		if i < 0 {
			return false
		}
		rest = rest[i+len(m):]
	}
	return true
}

// Match reports whether name matches filter; it parses the filter on every call.
func Match(filter, name string) bool { return Parse(filter).Match(name) }
