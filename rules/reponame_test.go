package rules

import (
	"reflect"
	"strings"
	"testing"
)

// TestIsRepositoryNameExhaustive compares the recognizer with repositoryNameRE on every
// string up to a length over alphabets that hold each class the pattern tells apart: letters
// and digits, the three separators, '/', an upper-case letter, a character outside the
// pattern and a byte that is not ASCII. The second alphabet reaches longer strings of the
// separators, where the pattern's alternatives interact.
func TestIsRepositoryNameExhaustive(t *testing.T) {
	alphabets := []struct {
		chars  string
		maxLen int
	}{
		{"a0._-/A\xff", 6},
		{"a._-/", 8},
	}
	for _, a := range alphabets {
		n, valid := 0, 0
		forEachString(a.chars, a.maxLen, func(s string) {
			n++
			want := repositoryNameRE.MatchString(s)
			if got := isRepositoryName(s); got != want {
				t.Fatalf("isRepositoryName(%q) = %v, regexp says %v", s, got, want)
			}
			if want {
				valid++
			}
		})
		t.Logf("alphabet %q up to length %d: %d strings, %d match", a.chars, a.maxLen, n, valid)
	}
}

// forEachString calls f with every string over chars of length 0 to maxLen.
func forEachString(chars string, maxLen int, f func(string)) {
	buf := make([]byte, 0, maxLen)
	var walk func()
	walk = func() {
		f(string(buf))
		if len(buf) == maxLen {
			return
		}
		for i := 0; i < len(chars); i++ {
			buf = append(buf, chars[i])
			walk()
			buf = buf[:len(buf)-1]
		}
	}
	walk()
}

// TestCheckRepositoryNameSameViolations holds CheckRepositoryName to what it reported when
// every name went through the regular expression: the same violations, byte for byte, for
// every string over an alphabet of all the classes, and for names around the length limits.
func TestCheckRepositoryNameSameViolations(t *testing.T) {
	viaRegexp := func(s string) []Violation {
		if s == "" {
			return []Violation{{"", "null", constraintNotNull}}
		}
		return checkString("", s, MinRepositoryNameLength, MaxRepositoryNameLength, repositoryNameRE, RepositoryNamePattern)
	}
	check := func(s string) {
		if got, want := CheckRepositoryName(s), viaRegexp(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("CheckRepositoryName(%q) = %q, want %q", s, got, want)
		}
	}
	forEachString("a0._-/A\xff", 5, check)
	for _, n := range []int{1, 2, 255, 256, 257, 300} {
		for _, unit := range []string{"a", "é", "A", "-"} {
			check(strings.Repeat(unit, n))
			check("a/" + strings.Repeat(unit, n-1))
		}
	}
	check(strings.Repeat("ab/", 85) + "a") // 256 bytes
	check(strings.Repeat("ab/", 85) + "ab")
}

func TestIsRepositoryNameEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a", true}, // the pattern has no length; CheckRepositoryName checks it apart
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
		if got := isRepositoryName(tt.name); got != tt.want {
			t.Errorf("isRepositoryName(%q) = %v, want %v", tt.name, got, tt.want)
		}
		if re := repositoryNameRE.MatchString(tt.name); re != tt.want {
			t.Errorf("repositoryNameRE.MatchString(%q) = %v: the table is wrong", tt.name, re)
		}
	}
}

func TestCheckRepositoryNameValidDoesNotAllocate(t *testing.T) {
	for _, n := range benchRepositoryNames {
		if a := testing.AllocsPerRun(100, func() { _ = CheckRepositoryName(n) }); a != 0 {
			t.Errorf("CheckRepositoryName(%q): %v allocations", n, a)
		}
		if a := testing.AllocsPerRun(100, func() { _ = ValidateRepositoryName(n) }); a != 0 {
			t.Errorf("ValidateRepositoryName(%q): %v allocations", n, a)
		}
	}
}

// benchRepositoryNames are valid names of the shapes pushes use.
var benchRepositoryNames = []string{
	"payments/api",
	"org/data/ingest-prod",
	"ml/svc-ranker-v3",
	"web/frontend/staging",
	"gateway-canary",
	"platform/my__app.v2",
}

// BenchmarkCheckRepositoryName checks valid names with CheckRepositoryName; the regexp
// sub-benchmark runs the length and regular-expression check it did before, as the baseline.
func BenchmarkCheckRepositoryName(b *testing.B) {
	b.Run("recognizer", func(b *testing.B) {
		for b.Loop() {
			for _, n := range benchRepositoryNames {
				if vs := CheckRepositoryName(n); vs != nil {
					b.Fatal(vs)
				}
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, n := range benchRepositoryNames {
				if vs := checkString("", n, MinRepositoryNameLength, MaxRepositoryNameLength, repositoryNameRE, RepositoryNamePattern); vs != nil {
					b.Fatal(vs)
				}
			}
		}
	})
}
