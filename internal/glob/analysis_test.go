package glob

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/internal/bruteforce"
	"github.com/ecrsign/ecrsign/internal/reponame"
)

// allNames lists every string over alphabet of length 0..max, shorter first.
func allNames(alphabet string, max int) []string {
	return slices.Collect(bruteforce.Strings(alphabet, max))
}

// allFilters lists every filter over alphabet+'*' of length 1..max.
func allFilters(alphabet string, max int) []string {
	var fs []string
	for f := range bruteforce.Strings(alphabet+"*", max) {
		if f != "" {
			fs = append(fs, f)
		}
	}
	return fs
}

// TestIncludesBruteForce checks inclusion against every name up to 6 bytes. Filters use "ab/-"
// and names also '.' and '_', which no filter mentions: a filter's text with each `*` replaced
// by '.' is a witness, so "not included" always has a counterexample in the brute-force set.
func TestIncludesBruteForce(t *testing.T) {
	names := allNames("ab/-._", 6)
	filters := allFilters("ab/", 3)
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range allFilters("a-", 4) {
		if r.IntN(3) == 0 {
			filters = append(filters, f)
		}
	}
	matches := make([][]bool, len(filters))
	for i, f := range filters {
		p := Parse(f)
		matches[i] = make([]bool, len(names))
		for j, n := range names {
			matches[i][j] = p.Match(n)
		}
	}
	pairs := 0
	for i, a := range filters {
		pa := Parse(a)
		for k, b := range filters {
			want := true
			for j := range names {
				if matches[i][j] && !matches[k][j] {
					want = false
					break
				}
			}
			if got := Parse(b).Includes(pa); got != want {
				t.Fatalf("Includes(%q ⊇ %q) = %v, brute force says %v", b, a, got, want)
			}
			if pa.IncludedIn(Parse(b)) != want {
				t.Fatalf("IncludedIn disagrees for %q, %q", a, b)
			}
			pairs++
		}
	}
	t.Logf("%d filters, %d pairs, %d names", len(filters), pairs, len(names))
}

// TestOverlapBruteForce checks overlap of every pair of filters of up to 3 bytes against every
// name up to 6 bytes, which holds a shortest common name when there is one.
func TestOverlapBruteForce(t *testing.T) {
	names := allNames("ab/-", 6)
	filters := allFilters("ab-", 3)
	for _, a := range filters {
		pa := Parse(a)
		for _, b := range filters {
			pb := Parse(b)
			want := false
			for _, n := range names {
				if pa.Match(n) && pb.Match(n) {
					want = true
					break
				}
			}
			w, got := pa.Overlap(pb)
			if got != want {
				t.Fatalf("Overlap(%q, %q) = %v, brute force says %v", a, b, got, want)
			}
			if got && (!pa.Match(w) || !pb.Match(w)) {
				t.Fatalf("Overlap(%q, %q) witness %q does not match both", a, b, w)
			}
		}
	}
}

// repositoryName is the API model's RepositoryName pattern, anchored, as the oracle.
var repositoryName = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)

func TestMatchesValidNameBruteForce(t *testing.T) {
	var valid []string
	for _, n := range allNames("ab/-._", 7) {
		if len(n) >= 2 && repositoryName.MatchString(n) {
			valid = append(valid, n)
		}
	}
	for _, f := range allFilters("a/-._", 3) {
		p := Parse(f)
		want := false
		for _, n := range valid {
			if p.Match(n) {
				want = true
				break
			}
		}
		w, got := p.MatchesValidName()
		if got != want {
			t.Fatalf("MatchesValidName(%q) = %v, brute force says %v", f, got, want)
		}
		if got && (!p.Match(w) || !reponame.Valid(w)) {
			t.Fatalf("MatchesValidName(%q) witness %q is not a valid matching name", f, w)
		}
	}
}

func TestMatchesValidNameLength(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		{"a", false},
		{"*", true},
		{"a*", true},
		{"ab", true},
		{"a-", false},
		{"a--b", true}, // filters cannot say it, but names can
		{"a__b", true},
		{"a___b", false},
		{"*/", false},
		{"A*", false},
		{strings.Repeat("a", 256), true},
		{strings.Repeat("a", 257), false},
		{strings.Repeat("a", 255) + "*", true},
		{strings.Repeat("a", 256) + "*", true},
		{strings.Repeat("a", 256) + "*b", false},
	}
	for _, tc := range tests {
		w, got := Parse(tc.filter).MatchesValidName()
		if got != tc.want {
			t.Errorf("MatchesValidName(%q) = %v (%q), want %v", tc.filter, got, w, tc.want)
		}
	}
}

func TestIncludesExamples(t *testing.T) {
	tests := []struct {
		sub, super string
		want       bool
	}{
		{"team/api-*", "team/*", true},
		{"team/*", "team/api-*", false},
		{"*/prod", "*prod*", true},
		{"a*ant", "*ant", true},
		{"*ant", "a*ant", false},
		{"*a*b*", "*a*", true},
		{"*ab*", "*a*b*", true},
		{"*a*b*", "*ab*", false},
		{"team/api", "team/*", true},
		{"team/*", "team/api", false},
		{"x", "x", true},
	}
	for _, tc := range tests {
		if got := Parse(tc.super).Includes(Parse(tc.sub)); got != tc.want {
			t.Errorf("%q ⊆ %q = %v, want %v", tc.sub, tc.super, got, tc.want)
		}
	}
}
