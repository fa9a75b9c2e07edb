package engine

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/internal/glob"
)

// TestAgreeAbove checks AgreeAbove against the straightforward measure (refAgree: every
// beginning or end of the failing literal searched over the whole rest) on random patterns and
// names over a small alphabet, for every floor: it reports true exactly when the reference
// agreement is longer than the floor, and then returns it.
func TestAgreeAbove(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	const alphabet = "ab*"
	for range 20000 {
		var f, name strings.Builder
		for range r.IntN(9) {
			f.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		for range r.IntN(12) {
			name.WriteByte("abc"[r.IntN(3)])
		}
		p := newPattern(glob.Parse(f.String()))
		want := refAgree(&p, name.String())
		for floor := -1; floor <= p.MinLen+1; floor++ {
			got, ok := p.AgreeAbove(name.String(), floor)
			if ok != (want.Literal > floor) || ok && got != want {
				t.Fatalf("%q on %q, floor %d: %+v %v, want %+v", f.String(), name.String(), floor, got, ok, want)
			}
		}
		if got := p.Agree(name.String()); got != want {
			t.Fatalf("%q on %q: Agree %+v, want %+v", f.String(), name.String(), got, want)
		}
	}
}

func refAgree(p *Pattern, name string) Agreement {
	front := refAgreeFront(p, name)
	if back := refAgreeBack(p, name); back.Literal > front.Literal {
		return back
	}
	return front
}

func refAgreeFront(p *Pattern, name string) Agreement {
	c := commonPrefix(name, p.Prefix)
	if c < len(p.Prefix) || p.Exact {
		return Agreement{Literal: c, Agreed: c, Expected: p.Prefix[c:], Found: byteAt(name, c)}
	}
	at, lits := c, c
	for k := 0; k <= len(p.Middle); k++ {
		m := p.Suffix
		if k < len(p.Middle) {
			m = p.Middle[k]
		}
		if m == "" {
			continue
		}
		rest := name[at:]
		if i := strings.Index(rest, m); i >= 0 {
			at, lits = at+i+len(m), lits+len(m)
			continue
		}
		// the longest beginning of m that occurs: if m[:n] does not occur, no longer one does
		n, i := 0, 0
		for n+1 < len(m) {
			j := strings.Index(rest, m[:n+1])
			if j < 0 {
				break
			}
			n, i = n+1, j
		}
		if n == 0 {
			return Agreement{Literal: lits, Agreed: len(name), Expected: m}
		}
		return Agreement{Literal: lits + n, Agreed: at + i + n, Expected: m[n:], Found: byteAt(name, at+i+n)}
	}
	return Agreement{Literal: lits, Agreed: at, Found: byteAt(name, at)}
}

func refAgreeBack(p *Pattern, name string) Agreement {
	if p.Exact {
		c := commonSuffix(name, p.Prefix)
		return Agreement{Literal: c, FromEnd: true, Agreed: c, Expected: p.Prefix[:len(p.Prefix)-c], Found: byteAt(name, len(name)-c-1)}
	}
	c := commonSuffix(name, p.Suffix)
	if c < len(p.Suffix) {
		return Agreement{Literal: c, FromEnd: true, Agreed: c, Expected: p.Suffix[:len(p.Suffix)-c], Found: byteAt(name, len(name)-c-1)}
	}
	end, lits := len(name)-c, c // name[end:] agrees
	for k := len(p.Middle); k >= 0; k-- {
		m := p.Prefix
		if k > 0 {
			m = p.Middle[k-1]
		}
		if m == "" {
			continue
		}
		rest := name[:end]
		if i := strings.LastIndex(rest, m); i >= 0 {
			end, lits = i, lits+len(m)
			continue
		}
		n, i := 0, 0
		for n+1 < len(m) {
			j := strings.LastIndex(rest, m[len(m)-n-1:])
			if j < 0 {
				break
			}
			n, i = n+1, j
		}
		if n == 0 {
			return Agreement{Literal: lits, FromEnd: true, Agreed: len(name), Expected: m}
		}
		return Agreement{Literal: lits + n, FromEnd: true, Agreed: len(name) - i, Expected: m[:len(m)-n], Found: byteAt(name, i-1)}
	}
	return Agreement{Literal: lits, FromEnd: true, Agreed: len(name) - end, Found: byteAt(name, end-1)}
}
