package reponame

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/internal/bruteforce"
)

// oracle is Pattern compiled by package regexp, anchored as the service's validator
// anchors it.
var oracle = regexp.MustCompile(`^(?:` + Pattern + `)$`)

// TestMatchExhaustive compares the byte machine with the regexp on every string up to a
// length over alphabets that hold each class the pattern tells apart: letters and digits, the
// three separators, '/', an upper-case letter, a character outside the pattern and a byte that
// is not ASCII. The second alphabet reaches longer strings of the separators, where the
// pattern's alternatives interact.
func TestMatchExhaustive(t *testing.T) {
	alphabets := []struct {
		chars  string
		maxLen int
	}{
		{"a0._-/A\xff", 6},
		{"a._-/", 8},
	}
	for _, a := range alphabets {
		n, valid := 0, 0
		for s := range bruteforce.Strings(a.chars, a.maxLen) {
			n++
			want := oracle.MatchString(s)
			if got := Match(s); got != want {
				t.Fatalf("Match(%q) = %v, regexp says %v", s, got, want)
			}
			if got, wantValid := Valid(s), want && len(s) >= MinLength; got != wantValid {
				t.Fatalf("Valid(%q) = %v, want %v", s, got, wantValid)
			}
			if want {
				valid++
			}
		}
		t.Logf("alphabet %q up to length %d: %d strings, %d match", a.chars, a.maxLen, n, valid)
	}
}

func TestValidLength(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a", false},
		{"ab", true},
		{strings.Repeat("a", MaxLength), true},
		{strings.Repeat("a", MaxLength+1), false},
		{strings.Repeat("ab/", 85) + "a", true},
	}
	for _, tt := range tests {
		if got := Valid(tt.name); got != tt.want {
			t.Errorf("Valid(%d bytes) = %v, want %v", len(tt.name), got, tt.want)
		}
	}
}

// TestDeadIsAbsorbing: once no continuation matches, none ever does.
func TestDeadIsAbsorbing(t *testing.T) {
	for c := 0; c < 256; c++ {
		if got := Step(Dead, byte(c)); got != Dead {
			t.Fatalf("Step(Dead, %q) = %d", byte(c), got)
		}
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		s    string
		kind Kind
		want string
	}{
		{"Team/api", Name, `upper-case 'T' at offset 0`},
		{"team/*", Name, `repository names cannot hold wildcards`},
		{"team/*", ReplicationFilter, `replication filters are prefixes`},
		{"team api", Name, `character ' ' at offset 4 is not allowed (only a-z, 0-9, '.', '_', '-' and '/')`},
		{"team api", SigningFilter, `(only a-z, 0-9, '.', '_', '-', '/' and '*')`},
		{"/team", Name, `it starts with '/'`},
		{"team//api", SigningFilter, `empty path component`},
		{"team/", Name, `empty path component`},
		{"team/", ReplicationFilter, `it does not match the pattern`},
		{"-a/b", ReplicationFilter, `component "-a" starts with a separator`},
		{"a-", Name, `component "a-" starts or ends with a separator`},
		{"a__b", SigningFilter, `component "a__b" has two separators in a row ("__"); filters allow one`},
		{"a.-.b", Name, `component "a.-.b" has three separators in a row (".-.")`},
		{"a_._-_b", Name, `has 5 separators in a row`},
	}
	for _, tt := range tests {
		if got := Explain(tt.s, tt.kind); !strings.Contains(got, tt.want) {
			t.Errorf("Explain(%q, %d) = %q, want it to contain %q", tt.s, tt.kind, got, tt.want)
		}
	}
}

func TestMatchEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a", true}, // the pattern has no length; Valid checks it
		{"", false},
		{"ab", true},
		{"a.b", true},
		{"a..b", false},   // '.' is a single separator
		{"a_b", true},     // '_'
		{"a__b", true},    // and "__"
		{"a___b", false},  // but not three
		{"a-b", true},     // '-'
		{"a--b", true},    // hyphens: any number
		{"a-----b", true}, //
		{"a._b", false},   // separators do not combine
		{"a_.b", false},
		{"a-_b", false},
		{"a_-b", false},
		{"a-.b", false},
		{"a__-b", false},
		{"a/b", true},
		{"a//b", false},
		{"a/-b", false}, // a component starts with a letter or digit
		{"a-/b", false}, // and ends with one
		{"a_/b", false},
		{"a./b", false},
		{"/a", false},
		{"a/", false},
		{".a", false},
		{"a.", false},
		{"_a", false},
		{"a_", false},
		{"-a", false},
		{"a-", false},
		{"a__", false},
		{"0", true},
		{"0.0/9-z__y", true},
		{"Ab", false},
		{"aB", false},
		{"a*b", false},
		{"a b", false},
		{"a\x00b", false},
		{"é", false},
		{"a\xff", false},
		{"a:b", false},
		{"a@b", false},
		{"a\\b", false},
	}
	for _, tt := range tests {
		if got := Match(tt.name); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.name, got, tt.want)
		}
		if re := oracle.MatchString(tt.name); re != tt.want {
			t.Errorf("oracle.MatchString(%q) = %v: the table is wrong", tt.name, re)
		}
	}
}
