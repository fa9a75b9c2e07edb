package match_test

import (
	"fmt"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// Check gives an embedder the findings ecrsign validate prints, analysis included, from one
// call: here the overlap of two rules that the analysis finds (ECR404), positioned in the
// source.
func ExampleCheck() {
	doc := rules.Decode("signing.json", []byte(`{"rules": [
  {"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod",
   "repositoryFilters": [{"filter": "*/prod", "filterType": "WILDCARD_MATCH"}]},
  {"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/payments",
   "repositoryFilters": [{"filter": "payments/*", "filterType": "WILDCARD_MATCH"}]}
]}`))
	for _, f := range match.Check(doc) {
		fmt.Printf("%s %s %d:%d\n", f.Code, f.Path, f.Line, f.Column)
	}
	// Output:
	// ECR404 rules[1] 4:3
}
