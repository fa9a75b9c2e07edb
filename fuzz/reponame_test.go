package fuzz

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/rules"
)

// repositoryNameOracle is the ECR model's RepositoryName pattern, matched as a whole.
var repositoryNameOracle = regexp.MustCompile(`^(?:` + rules.RepositoryNamePattern + `)$`)

// FuzzRepositoryName holds rules.CheckRepositoryName, which recognizes valid names without a
// regular expression, to the model's pattern compiled by regexp: a name is accepted exactly
// when it has 2..256 characters and matches, and a rejected name gets the violations AWS
// reports (length and pattern, independently), word for word. ValidateRepositoryName must
// agree on acceptance.
func FuzzRepositoryName(f *testing.F) {
	for _, s := range []string{
		"", "a", "ab", "team/app", "a__b", "a___b", "a..b", "a--b", "a._b", "a//b", "/a", "a/",
		"My-app", "a*b", "é", "a\xff", strings.Repeat("a", 256), strings.Repeat("a", 257),
		strings.Repeat("é", 200), "org/data/ingest-prod", "0.0/9-z__y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := rules.CheckRepositoryName(name)
		want := repositoryNameViolations(name)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("CheckRepositoryName(%q) = %q; the regexp oracle gives %q", name, got, want)
		}
		if err := rules.ValidateRepositoryName(name); (err == nil) != (want == nil) {
			t.Fatalf("ValidateRepositoryName(%q) = %v; the regexp oracle gives %q", name, err, want)
		}
	})
}

// repositoryNameViolations is what the ECR API reports for a repository name: absent when
// empty, else its length (in characters) and its pattern, each checked on its own.
func repositoryNameViolations(name string) []rules.Violation {
	if name == "" {
		return []rules.Violation{{Path: "", Value: "null", Constraint: "Member must not be null"}}
	}
	var vs []rules.Violation
	n := utf8.RuneCountInString(name)
	if n > rules.MaxRepositoryNameLength {
		vs = append(vs, rules.Violation{Value: name, Constraint: "Member must have length less than or equal to " + strconv.Itoa(rules.MaxRepositoryNameLength)})
	}
	if n < rules.MinRepositoryNameLength {
		vs = append(vs, rules.Violation{Value: name, Constraint: "Member must have length greater than or equal to " + strconv.Itoa(rules.MinRepositoryNameLength)})
	}
	if !repositoryNameOracle.MatchString(name) {
		vs = append(vs, rules.Violation{Value: name, Constraint: "Member must satisfy regular expression pattern: " + rules.RepositoryNamePattern})
	}
	return vs
}
