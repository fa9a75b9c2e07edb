package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/rules"
)

func codesAt(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Code)+" "+f.Path)
	}
	return out
}

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name    string
		cfg     *rules.SigningConfiguration
		same    [][2]int // rules sharing a profile
		want    []string
		message string
	}{
		{"clean", signing([]string{"team/*", "*/prod"}), nil, nil, ""},
		{"redundant within rule", signing([]string{"team/api-*", "team/*", "*"}), nil,
			[]string{"ECR401 rules[0].repositoryFilters[0]", "ECR401 rules[0].repositoryFilters[1]"}, `filter "team/api-*" is redundant: filter 1 "team/*"`},
		{"duplicate filter", signing([]string{"team/*", "team/*"}), nil,
			[]string{"ECR401 rules[0].repositoryFilters[1]"}, `repeats filter 0`},
		{"equivalent filters", signing([]string{"a**b", "a*b"}), nil,
			[]string{"ECR401 rules[0].repositoryFilters[1]"}, ""},
		{"one character", signing([]string{"a", "ab"}), nil,
			[]string{"ECR403 rules[0].repositoryFilters[0]"}, "repository names have at least 2 characters"},
		{"grammar", signing([]string{"*-", "x*"}), nil,
			[]string{"ECR403 rules[0].repositoryFilters[0]"}, "grammar"},
		{"shadowed", signing([]string{"team/api"}, []string{"team/*"}), [][2]int{{0, 1}},
			[]string{"ECR402 rules[0]"}, "rule 0 changes nothing: rule 1"},
		{"shadowed by filterless", signing([]string{"x*"}, nil), [][2]int{{0, 1}},
			[]string{"ECR402 rules[0]"}, ""},
		{"equal rules", signing([]string{"x*"}, []string{"x*"}), [][2]int{{0, 1}},
			[]string{"ECR402 rules[1]"}, ""},
		{"overlap", signing([]string{"team/*"}, []string{"*/prod"}), nil,
			[]string{"ECR404 rules[1]"}, `for example "team/prod"`},
		{"no overlap", signing([]string{"team/*"}, []string{"web/*"}), nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.same {
				tc.cfg.Rules[s[1]].SigningProfileArn = tc.cfg.Rules[s[0]].SigningProfileArn
			}
			fs := mustCompile(t, tc.cfg).Analyze()
			assert.Equal(t, tc.want, codesAt(fs))
			if tc.message != "" {
				require.NotEmpty(t, fs)
				assert.Contains(t, fs[0].Message, tc.message)
			}
		})
	}
}

// TestAnalyzeRedundancyBruteForce removes every filter reported redundant and checks, over every
// name up to 5 bytes, that each rule still applies to exactly the same names; and that every
// filter not reported has a name only it matches in its rule.
func TestAnalyzeRedundancyBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var names []string
	level := []string{""}
	for range 5 {
		var next []string
		for _, s := range level {
			for _, c := range "ab/._" {
				next = append(next, s+string(c))
			}
		}
		names = append(names, next...)
		level = next
	}
	for range 200 {
		var fs []string
		for range 1 + r.IntN(6) {
			f := randomFilter(r, "ab/")
			fs = append(fs, f[:min(len(f), 1+r.IntN(3))])
		}
		m := mustCompile(t, signing(fs))
		redundant := map[int]bool{}
		for _, f := range m.Analyze() {
			if f.Code == rules.CodeRedundantFilter {
				var j int
				fmt.Sscanf(f.Path, "rules[0].repositoryFilters[%d]", &j)
				redundant[j] = true
			}
		}
		var kept []string
		for j, f := range fs {
			if !redundant[j] {
				kept = append(kept, f)
			}
		}
		m2 := mustCompile(t, signing(kept))
		for _, n := range names {
			require.Equal(t, m.Match(n).Has(0), m2.Match(n).Has(0), "filters %q, kept %q, name %q", fs, kept, n)
		}
		// kept filters with distinct languages: each has a name no other kept filter matches
		for j, f := range kept {
			alone := false
			for _, n := range names {
				if !glob.Match(f, n) {
					continue
				}
				others := false
				for l, g := range kept {
					if l != j && glob.Match(g, n) {
						others = true
						break
					}
				}
				if !others {
					alone = true
					break
				}
			}
			require.True(t, alone, "filters %q: kept filter %q is covered by the others", fs, f)
		}
	}
}

// TestAnalyzeBounded runs the analysis over 1,000 rules of 100 filters: it must finish and say
// when it stopped early.
func TestAnalyzeBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("large configuration")
	}
	fs := make([][]string, 1000)
	for i := range fs {
		for j := range 100 {
			fs[i] = append(fs[i], fmt.Sprintf("t%d/*x%d*", i, j))
		}
	}
	m := mustCompile(t, signing(fs...))
	got := m.Analyze(WithAnalysisBudget(2_000_000))
	assert.Equal(t, rules.CodeAnalysisTruncated, got[len(got)-1].Code)
	small := m.Analyze(WithAnalysisBudget(10))
	assert.True(t, slices.ContainsFunc(small, func(f rules.Finding) bool { return f.Code == rules.CodeAnalysisTruncated }))
}

func TestAnalyzeReplication(t *testing.T) {
	cfg := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		{RepositoryFilters: []rules.RepositoryFilter{{Filter: "team", FilterType: rules.PrefixMatch}, {Filter: "team/api", FilterType: rules.PrefixMatch}}},
		{RepositoryFilters: []rules.RepositoryFilter{{Filter: strings.Repeat("a", 257), FilterType: rules.PrefixMatch}}},
	}}
	m, err := CompileReplication(cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"ECR403 rules[1].repositoryFilters[0]", "ECR401 rules[0].repositoryFilters[1]"}, codesAt(m.Analyze()))
}
