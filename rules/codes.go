package rules

import "sort"

// Codes of the findings of package rules. ECR1xx: the input cannot be decoded as a
// configuration. ECR2xx: the ECR API would reject the configuration. ECR3xx: lints, which the
// API accepts.
const (
	CodeTooLarge        Code = "ECR100"
	CodeSyntax          Code = "ECR101"
	CodeEncoding        Code = "ECR102"
	CodeLimit           Code = "ECR103"
	CodeDuplicateKey    Code = "ECR104"
	CodeWrongType       Code = "ECR105"
	CodeUnknownField    Code = "ECR106"
	CodeNoConfig        Code = "ECR107"
	CodeUnresolved      Code = "ECR108"
	CodeMoreDocuments   Code = "ECR109"
	CodeNotChecked      Code = "ECR110"
	CodeTooManyFindings Code = "ECR111"

	CodeRequired             Code = "ECR200"
	CodeTooManyRules         Code = "ECR201"
	CodeEmptyFilters         Code = "ECR202"
	CodeTooManyFilters       Code = "ECR203"
	CodeFilterLength         Code = "ECR204"
	CodeFilterPattern        Code = "ECR205"
	CodeFilterType           Code = "ECR206"
	CodeProfileARNLength     Code = "ECR207"
	CodeProfileARNPattern    Code = "ECR208"
	CodeTooManyDestinations  Code = "ECR210"
	CodeRegion               Code = "ECR211"
	CodeRegistryID           Code = "ECR212"
	CodeTooManyDistinctDests Code = "ECR213"

	CodeDuplicateFilter Code = "ECR300"
	CodeSharedProfile   Code = "ECR301"
	CodeExactFilter     Code = "ECR302"
	CodeMixedRegions    Code = "ECR303"
	CodeForeignRegion   Code = "ECR304"
	CodeStarWithOthers  Code = "ECR306"
	CodeSignsEverything Code = "ECR307"
	CodeNoRules         Code = "ECR308"
	CodeDuplicateDest   Code = "ECR309"

	CodeExpression     Code = "ECR112"
	CodeProviderSchema Code = "ECR214"
)

var codeCatalogue = map[Code]string{
	CodeTooLarge:        "input is larger than the decoder accepts (16 MiB by default, 4 MiB for YAML)",
	CodeSyntax:          "input is not well-formed JSON or YAML",
	CodeEncoding:        "input is not UTF-8 text",
	CodeLimit:           "input nests too deep or expands too many YAML aliases",
	CodeDuplicateKey:    "an object has the same key twice; the last one is used",
	CodeWrongType:       "a value has the wrong JSON type (a number where a string belongs, null, ...)",
	CodeUnknownField:    "a member the format does not define (the AWS CLI and CloudFormation reject unknown members)",
	CodeNoConfig:        "the input holds no signing or replication configuration of a known format",
	CodeUnresolved:      "a CloudFormation intrinsic function (!Ref, !Sub, Fn::...) whose value cannot be checked before deployment",
	CodeMoreDocuments:   "a YAML stream with more than one document: only the first is read",
	CodeNotChecked:      "a list far longer than the API allows: only its first elements (one past the API's maximum) are checked",
	CodeTooManyFindings: "more findings than one document reports (1000): the rest are counted, not listed",

	CodeRequired:             "a member the API requires is missing",
	CodeTooManyRules:         "more rules than the API allows (10)",
	CodeEmptyFilters:         "repositoryFilters is present but empty (the API requires 1..100)",
	CodeTooManyFilters:       "more than 100 filters in a rule",
	CodeFilterLength:         "a filter is shorter or longer than the API allows",
	CodeFilterPattern:        "a filter does not match the API's filter pattern",
	CodeFilterType:           "a filter type other than the one the API accepts (WILDCARD_MATCH for signing, PREFIX_MATCH for replication)",
	CodeProfileARNLength:     "a signing profile ARN longer than 200 characters",
	CodeProfileARNPattern:    "a signing profile ARN that does not match the API's pattern",
	CodeTooManyDestinations:  "more than 100 destinations in a replication rule",
	CodeRegion:               "a replication destination region that does not match the API's pattern",
	CodeRegistryID:           "a replication destination registry ID that is not 12 digits",
	CodeTooManyDistinctDests: "more than 25 distinct replication destinations over all rules",

	CodeDuplicateFilter: "the same filter twice in a rule",
	CodeSharedProfile:   "two rules name the same signing profile (one status, signed once per profile)",
	CodeExactFilter:     "a filter without '*' matches only the repository of exactly that name",
	CodeMixedRegions:    "signing profiles in different regions: ECR rejects a profile outside the registry's region, so one of them is rejected",
	CodeForeignRegion:   "a signing profile in another region than the registry (given with WithRegion); ECR rejects it",
	CodeStarWithOthers:  "a filter '*' beside other filters of the same rule makes them pointless",
	CodeSignsEverything: "a rule without repositoryFilters applies to every repository",
	CodeNoRules:         "an empty rules list signs (or replicates) nothing",
	CodeDuplicateDest:   "the same destination twice in a replication rule",

	CodeExpression:     "a Terraform expression that cannot be evaluated as written (an undeclared variable, a wrong type, a bad --var value)",
	CodeProviderSchema: "the Terraform provider's schema rejects what the API would accept (aws_ecr_signing_configuration: 1..10 rule blocks, 1..100 repository_filter blocks per rule)",
}

// CodeInfo describes one finding code.
type CodeInfo struct {
	Code        Code
	Description string
}

// Codes returns the catalogue of codes package rules reports, in order.
func Codes() []CodeInfo {
	out := make([]CodeInfo, 0, len(codeCatalogue))
	for c, d := range codeCatalogue {
		out = append(out, CodeInfo{c, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Describe returns the one-line description of a code of package rules, or "".
func (c Code) Describe() string { return codeCatalogue[c] }
