package match_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// TestMatchingFilterAgreesWithExplain: the cheap cause of a rule is the filter Explain names,
// for applying and non-applying rules alike.
func TestMatchingFilterAgreesWithExplain(t *testing.T) {
	f := func(s string) rules.SigningRepositoryFilter {
		return rules.SigningRepositoryFilter{Filter: s, FilterType: rules.WildcardMatch}
	}
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/a",
			RepositoryFilters: []rules.SigningRepositoryFilter{f("team/*"), f("*/prod"), f("*api*")}},
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/b"},
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/c",
			RepositoryFilters: []rules.SigningRepositoryFilter{f("a*ant"), f("start*art"), f("exact/name")}},
	}}
	m, err := match.Compile(cfg)
	require.NoError(t, err)
	names := []string{"team/api", "x/prod", "my-api-svc", "ant", "aant", "start", "startart",
		"exact/name", "exact/names", "other", "team", "team/prod"}
	for _, name := range names {
		e := m.Explain(name)
		res := m.Match(name)
		for _, re := range e.Rules {
			got := m.MatchingFilter(name, re.Rule)
			assert.Equal(t, re.Filter, got, "%s rule %d", name, re.Rule)
			assert.Equal(t, re.Applies, res.Has(re.Rule), "%s rule %d", name, re.Rule)
			if got >= 0 {
				assert.Equal(t, re.FilterText, m.FilterText(re.Rule, got))
			}
		}
	}
	assert.Equal(t, -1, m.MatchingFilter("team/api", 7), "out of range")
	assert.Equal(t, -1, m.MatchingFilter("team/api", 1), "a rule without filters has no matching filter")
	assert.Equal(t, 1, m.MatchingFilter("x/prod", 0))
}
