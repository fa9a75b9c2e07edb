package match_test

import (
	"fmt"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

func exampleConfig() *rules.SigningConfiguration {
	const prod = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
	const dev = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/dev"
	return &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: prod, RepositoryFilters: []rules.SigningRepositoryFilter{
			{Filter: "*/prod", FilterType: rules.WildcardMatch},
			{Filter: "payments/*", FilterType: rules.WildcardMatch},
		}},
		{SigningProfileArn: dev, RepositoryFilters: []rules.SigningRepositoryFilter{
			{Filter: "*dev*", FilterType: rules.WildcardMatch},
		}},
		{SigningProfileArn: prod, RepositoryFilters: []rules.SigningRepositoryFilter{
			{Filter: "payments/api", FilterType: rules.WildcardMatch},
		}},
	}}
}

func ExampleCompile() {
	m, err := match.Compile(exampleConfig())
	if err != nil {
		panic(err)
	}
	fmt.Println(m.NumRules(), "rules,", len(m.Profiles()), "profiles")
	// Output: 3 rules, 2 profiles
}

func ExampleMatcher_Match() {
	m, _ := match.Compile(exampleConfig())
	for _, name := range []string{"payments/api", "web/prod", "web/dev-prod", "web/staging"} {
		r := m.Match(name)
		fmt.Print(name, ":")
		for i := range r.Rules() {
			fmt.Print(" ", i)
		}
		fmt.Println()
	}
	// Output:
	// payments/api: 0 2
	// web/prod: 0
	// web/dev-prod: 1
	// web/staging:
}

func ExampleResult_Profiles() {
	m, _ := match.Compile(exampleConfig())
	for p := range m.Match("payments/dev/prod").Profiles() {
		fmt.Println(p)
	}
	// Output:
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/dev
}

func ExampleMatcher_Explain() {
	m, _ := match.Compile(exampleConfig())
	fmt.Print(m.Explain("payments/prod"))
	fmt.Print(m.Explain("paymnts/x"))
	// Output:
	// payments/prod
	//   rule 0: applies by filter 0 "*/prod" [arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod]
	//   rule 1: does not apply; closest filter 0 "*dev*": "dev" does not occur after byte 0 of the name [arn:aws:signer:us-east-1:123456789012:/signing-profiles/dev]
	//   rule 2: does not apply; closest filter 0 "payments/api": filter has no '*' and differs from the name after 9 bytes [arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod]
	// paymnts/x
	//   rule 0: does not apply; closest filter 1 "payments/*": name agrees with the prefix "payments/" for 4 bytes only [arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod]
	//   rule 1: does not apply; closest filter 0 "*dev*": "dev" does not occur after byte 0 of the name [arn:aws:signer:us-east-1:123456789012:/signing-profiles/dev]
	//   rule 2: does not apply; closest filter 0 "payments/api": filter has no '*' and differs from the name after 4 bytes [arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod]
}

func ExampleMatcher_AppendCauses() {
	m, _ := match.Compile(exampleConfig())
	for _, c := range m.AppendCauses(nil, "payments/api") {
		fmt.Printf("rule %d by filter %d %q, profile %d %s\n", c.Rule, c.Filter, c.FilterText, c.ProfileIndex, c.Profile)
	}
	// Output:
	// rule 0 by filter 1 "payments/*", profile 0 arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
	// rule 2 by filter 0 "payments/api", profile 0 arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
}
