package rules_test

import (
	"errors"
	"fmt"

	"github.com/ecrsign/ecrsign/rules"
)

func ExampleParse() {
	cfg, err := rules.Parse([]byte(`{"signingConfiguration": {"rules": [{
		"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_images",
		"repositoryFilters": [{"filter": "prod/*", "filterType": "WILDCARD_MATCH"}]}]}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(cfg.Rules[0].RepositoryFilters[0].Filter)

	_, err = rules.Parse([]byte(`{"rules": [{
		"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod-images",
		"repositoryFilters": [{"filter": "Prod/*", "filterType": "WILDCARD"}]}]}`))
	var fe *rules.FindingsError
	if errors.As(err, &fe) {
		for _, f := range fe.Findings {
			fmt.Println(f.Code, f.Path, f.Hint)
		}
	}
	// Output:
	// prod/*
	// ECR208 rules[0].signingProfileArn signing profile names allow letters, digits and '_' only, no hyphens: did you mean arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_images?
	// ECR205 rules[0].repositoryFilters[0].filter repository names are lower case: did you mean "prod/*"?
	// ECR206 rules[0].repositoryFilters[0].filterType did you mean WILDCARD_MATCH?
}

func ExampleDecode() {
	template := `
Parameters:
  ProfileArn: {Type: String}
Resources:
  Production:
    Type: AWS::ECR::SigningConfiguration
    Properties:
      Rules:
        - SigningProfileArn: !Ref ProfileArn
          RepositoryFilters:
            - {Filter: prod/*, FilterType: WILDCARD_MATCH}
  Staging:
    Type: AWS::ECR::SigningConfiguration
    Properties:
      Rules:
        - SigningProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/staging
          RepositoryFilters:
            - {Filter: staging, FilterType: WILDCARD_MATCH}
`
	doc := rules.Decode("template.yaml", []byte(template))
	for _, c := range doc.Configs {
		fmt.Println(c.Name, c.Format, len(c.Signing.Rules), "rule(s)")
	}
	for _, f := range doc.AllFindings() {
		fmt.Println(f)
	}
	// Output:
	// Production cloudformation-yaml 1 rule(s)
	// Staging cloudformation-yaml 1 rule(s)
	// template.yaml:9:30: info ECR108 Production.rules[0].signingProfileArn: SigningProfileArn is unknown: Ref ProfileArn (parameter ProfileArn has no Default and no value was given); it is not checked (give it with --parameter ProfileArn=VALUE, a --parameters-file, or parameters: in .ecrsign.yaml)
	// template.yaml:18:24: warning ECR302 Staging.rules[0].repositoryFilters[0].filter: filter "staging" has no '*': it matches only the repository named exactly "staging" (did you mean "*staging*" (names containing it) or "staging/*" (names under it)?)
}

func ExampleFormatViolations() {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{
		SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/team",
		RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "Team/*", FilterType: "PREFIX_MATCH"}},
	}}}
	fmt.Println(rules.FormatViolations("signingConfiguration", rules.CheckSigning(cfg)))
	// Output:
	// 2 validation errors detected: Value 'Team/*' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$; Value 'PREFIX_MATCH' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filterType' failed to satisfy constraint: Member must satisfy enum value set: [WILDCARD_MATCH]
}

func ExampleParseProfileARN() {
	arn, err := rules.ParseProfileARN("arn:aws:signer:eu-west-1:123456789012:/signing-profiles/release")
	fmt.Println(arn.Partition, arn.Region, arn.Account, arn.Name, err)
	_, err = rules.ParseProfileARN("arn:aws:signer:eu-west-1:123456789012:/signing-profiles/my-release")
	fmt.Println(err)
	// Output:
	// aws eu-west-1 123456789012 release <nil>
	// "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/my-release": profile name "my-release" may hold only letters, digits and _
}

func ExampleValidateRepositoryName() {
	fmt.Println(rules.ValidateRepositoryName("team/my__app"))
	fmt.Println(rules.ValidateRepositoryName("Team/app"))
	// Output:
	// <nil>
	// repository name "Team/app" is invalid: upper-case 'T' at offset 0; names are lower case
}
