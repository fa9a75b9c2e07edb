package match

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecrsign/ecrsign/rules"
)

// TestMatchingFilterAgreesWithExplain: the cause of a rule, by the filter index (AppendCauses)
// or by that rule's patterns alone (matchingFilter, its fallback), is the filter Explain names,
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
	m, err := Compile(cfg)
	require.NoError(t, err)
	names := []string{"team/api", "x/prod", "my-api-svc", "ant", "aant", "start", "startart",
		"exact/name", "exact/names", "other", "team", "team/prod"}
	for _, name := range names {
		e := m.Explain(name)
		res := m.Match(name)
		causes := m.AppendCauses(nil, name)
		for _, re := range e.Rules {
			got := m.matchingFilter(name, re.Rule)
			assert.Equal(t, re.Filter, got, "%s rule %d", name, re.Rule)
			assert.Equal(t, re.Applies, res.Has(re.Rule), "%s rule %d", name, re.Rule)
			if re.Applies {
				require.NotEmpty(t, causes)
				c := causes[0]
				causes = causes[1:]
				assert.Equal(t, Cause{Rule: re.Rule, Filter: re.Filter, FilterText: re.FilterText, ProfileIndex: re.Rule, Profile: re.Profile}, c)
			}
		}
		assert.Empty(t, causes)
	}
	assert.Equal(t, -1, m.matchingFilter("team/api", 7), "out of range")
	assert.Equal(t, -1, m.matchingFilter("team/api", 1), "a rule without filters has no matching filter")
	assert.Equal(t, 1, m.matchingFilter("x/prod", 0))
}
