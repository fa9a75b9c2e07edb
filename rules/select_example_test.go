package rules_test

import (
	"fmt"

	"github.com/ecrsign/ecrsign/rules"
)

// Select picks the configuration a tool uses. A template is evaluated with the values given:
// here the parameter Env chooses the branch of Fn::If; without it, Select says which
// condition stays unknown and what each outcome gives.
func ExampleDocument_Select() {
	template := []byte(`
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Signing:
    Type: AWS::ECR::SigningConfiguration
    Properties:
      Rules:
        - SigningProfileArn: !Sub arn:aws:signer:${AWS::Region}:123456789012:/signing-profiles/images
          RepositoryFilters:
            - {Filter: !If [IsProd, prod/*, dev/*], FilterType: WILDCARD_MATCH}
`)
	doc := rules.Decode("template.yaml", template, rules.WithStackRegion("us-east-1"),
		rules.WithParameters(map[string]string{"Env": "prod"}))
	c, err := doc.Select(rules.KindSigning, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Signing.Rules[0].SigningProfileArn, c.Signing.Rules[0].RepositoryFilters[0].Filter)

	_, err = rules.Decode("template.yaml", template, rules.WithStackRegion("us-east-1")).Select(rules.KindSigning, "")
	fmt.Println(err)
	for _, f := range err.(*rules.SelectError).Findings[1:] {
		fmt.Println(f.Message)
	}
	// Output:
	// Signing arn:aws:signer:us-east-1:123456789012:/signing-profiles/images prod/*
	// template.yaml: the signing configuration depends on template conditions that stay unknown; give the values they depend on:
	// with IsProd=true: rule 0 signs "prod/*" with arn:aws:signer:us-east-1:123456789012:/signing-profiles/images
	// with IsProd=false: rule 0 signs "dev/*" with arn:aws:signer:us-east-1:123456789012:/signing-profiles/images
}
