package rules

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/internal/bruteforce"
)

// repositoryNameRE is the model's RepositoryName pattern compiled by package regexp: the
// oracle the checks are held to (internal/reponame holds its byte machine to it too).
var repositoryNameRE = regexp.MustCompile(`^(?:` + RepositoryNamePattern + `)$`)

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
	for s := range bruteforce.Strings("a0._-/A\xff", 5) {
		check(s)
	}
	for _, n := range []int{1, 2, 255, 256, 257, 300} {
		for _, unit := range []string{"a", "é", "A", "-"} {
			check(strings.Repeat(unit, n))
			check("a/" + strings.Repeat(unit, n-1))
		}
	}
	check(strings.Repeat("ab/", 85) + "a") // 256 bytes
	check(strings.Repeat("ab/", 85) + "ab")
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
