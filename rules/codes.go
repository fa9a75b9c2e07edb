package rules

import (
	"errors"
	"slices"
)

// Codes of every finding ecrsign reports. ECR1xx: the input cannot be decoded as a
// configuration. ECR2xx: the ECR API would reject the configuration. ECR3xx: lints of package
// rules, which the API accepts. ECR4xx: what package match finds by comparing the compiled
// filters, and its budgets. ECR5xx: suppressions and the project configuration file. The
// catalogue ([Codes]) describes each one.
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

	CodeTemplate          Code = "ECR112"
	CodeResourceType      Code = "ECR113"
	CodeTemplateLimit     Code = "ECR114"
	CodeSourceDestination Code = "ECR214"
	CodeTemplateSchema    Code = "ECR215"
	CodeExpression        Code = "ECR115"
	CodeProviderSchema    Code = "ECR216"

	CodeRedundantFilter   Code = "ECR401"
	CodeShadowedRule      Code = "ECR402"
	CodeNoValidName       Code = "ECR403"
	CodeOverlap           Code = "ECR404"
	CodeAnalysisTruncated Code = "ECR405"
	CodeCompileBudget     Code = "ECR406"

	CodeSuppressionNoReason Code = "ECR500"
	CodeSuppressionUnused   Code = "ECR501"
	CodeSuppressionInvalid  Code = "ECR502"
	CodeProjectConfig       Code = "ECR503"
)

// CodeInfo describes one finding code.
type CodeInfo struct {
	Code Code
	// Severity is the severity the code is reported with. ECR111 alone varies: it takes the
	// worst severity of the findings it counts.
	Severity Severity
	// Description says in one line what the code means.
	Description string
	// Hint says in one line what usually fixes it; findings carry a hint of their own
	// where they know better.
	Hint string
}

// catalogue is every code, in code order.
var catalogue = []CodeInfo{
	{CodeTooLarge, SeverityError, "input is larger than the decoder accepts (16 MiB by default, 4 MiB for YAML)", "split the input, or convert large YAML to JSON"},
	{CodeSyntax, SeverityError, "input is not well-formed JSON or YAML", "fix the syntax at the position given"},
	{CodeEncoding, SeverityError, "input is not UTF-8 text", "save the file as UTF-8"},
	{CodeLimit, SeverityError, "input nests too deep or expands too many YAML aliases", "flatten the document or expand the aliases by hand"},
	{CodeDuplicateKey, SeverityError, "an object has the same key twice; the last one is used", "remove one of the keys"},
	{CodeWrongType, SeverityError, "a value has the wrong JSON type (a number where a string belongs, null, ...)", "give the value the type the format defines"},
	{CodeUnknownField, SeverityError, "a member the format does not define (the AWS CLI and CloudFormation reject unknown members)", "check the member's spelling and case"},
	{CodeNoConfig, SeverityError, "the input holds no signing or replication configuration of a known format", "see docs/model.md for the formats read"},
	{CodeUnresolved, SeverityInfo, "a CloudFormation value that stays unknown (Fn::GetAtt, an import, a parameter or pseudo parameter not given), or a condition that does: not checked", "give the value with --parameter, --parameters-file, --region or --account-id, or write it literally"},
	{CodeMoreDocuments, SeverityWarning, "a YAML stream with more than one document: only the first is read", "put each document in a file of its own"},
	{CodeNotChecked, SeverityInfo, "a list far longer than the API allows: only its first elements (one past the API's maximum) are checked", "shorten the list to what the API allows"},
	{CodeTooManyFindings, SeverityError, "more findings than one document reports (1000): the rest are counted, not listed", "fix the findings listed and check again"},
	{CodeTemplate, SeverityError, "a CloudFormation template error: an intrinsic function used wrongly, or a parameter, mapping, condition or key the template does not define", "fix the template at the position given"},
	{CodeResourceType, SeverityError, "a resource type a few letters from AWS::ECR::SigningConfiguration or AWS::ECR::ReplicationConfiguration, or from a Terraform resource type ecrsign reads (a typo CloudFormation or terraform rejects)", "use the type the message suggests"},
	{CodeTemplateLimit, SeverityError, "a CloudFormation template whose intrinsic functions nest too deep, expand too far or branch too often: evaluation stops at a named limit", "simplify the template"},
	{CodeExpression, SeverityError, "a Terraform expression that cannot be evaluated as written (an undeclared variable, a wrong type, a bad --var value)", "declare the variable, or fix the expression or value at the position given"},

	{CodeRequired, SeverityError, "a member the API requires is missing", "add the member"},
	{CodeTooManyRules, SeverityError, "more rules than the API allows (10)", "merge rules that share a signing profile"},
	{CodeEmptyFilters, SeverityError, "repositoryFilters is present but empty (the API requires 1..100)", "remove repositoryFilters to match every repository, or add a filter"},
	{CodeTooManyFilters, SeverityError, "more than 100 filters in a rule", "use '*' to cover several repositories with one filter"},
	{CodeFilterLength, SeverityError, "a filter is shorter or longer than the API allows", "shorten the filter, or use '*'"},
	{CodeFilterPattern, SeverityError, "a filter does not match the API's filter pattern", "use lower-case letters, digits, one '.', '_' or '-' between them, '/' and '*'"},
	{CodeFilterType, SeverityError, "a filter type other than the one the API accepts (WILDCARD_MATCH for signing, PREFIX_MATCH for replication)", "set filterType to the one the API accepts"},
	{CodeProfileARNLength, SeverityError, "a signing profile ARN longer than 200 characters", "use the profile's ARN without a version suffix"},
	{CodeProfileARNPattern, SeverityError, "a signing profile ARN that does not match the API's pattern", "use arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME"},
	{CodeTooManyDestinations, SeverityError, "more than 100 destinations in a replication rule", "remove destinations"},
	{CodeRegion, SeverityError, "a replication destination region that does not match the API's pattern", "use a region code such as us-east-1"},
	{CodeRegistryID, SeverityError, "a replication destination registry ID that is not 12 digits", "use the destination account's 12-digit ID"},
	{CodeTooManyDistinctDests, SeverityError, "more than 25 distinct replication destinations over all rules", "replicate to fewer destinations"},
	{CodeSourceDestination, SeverityError, "a replication destination that is the source registry (WithRegistryID, WithRegion): PutReplicationConfiguration rejects it", "remove the destination; ECR does not replicate a registry to itself"},
	{CodeTemplateSchema, SeverityError, "the CloudFormation resource schema rejects what the ECR API accepts (a replication rule without destinations)", "give the rule a destination, or remove the rule"},
	{CodeProviderSchema, SeverityError, "the Terraform provider's schema rejects what the API would accept (aws_ecr_signing_configuration: 1..10 rule blocks, 1..100 repository_filter blocks per rule)", "give every rule block 1 to 100 repository_filter blocks"},

	{CodeDuplicateFilter, SeverityWarning, "the same filter twice in a rule", "remove the repeated filter"},
	{CodeSharedProfile, SeverityWarning, "two rules name the same signing profile (one status, signed once per profile)", "merge the rules' filters into one rule"},
	{CodeExactFilter, SeverityWarning, "a filter without '*' matches only the repository of exactly that name", "add '*' where any text may stand, or suppress the finding if the exact name is meant"},
	{CodeMixedRegions, SeverityError, "signing profiles in different regions: ECR rejects a profile outside the registry's region, so one of them is rejected", "use signing profiles in the registry's region"},
	{CodeForeignRegion, SeverityError, "a signing profile in another region than the registry (given with WithRegion); ECR rejects it", "use a signing profile in the registry's region"},
	{CodeStarWithOthers, SeverityWarning, "a filter '*' beside other filters of the same rule makes them pointless", "remove the other filters, or the '*'"},
	{CodeSignsEverything, SeverityInfo, "a rule without repositoryFilters applies to every repository", "add repositoryFilters to sign only some repositories"},
	{CodeNoRules, SeverityInfo, "an empty rules list signs (or replicates) nothing", "add rules, or delete the configuration"},
	{CodeDuplicateDest, SeverityWarning, "the same destination twice in a replication rule", "remove the repeated destination"},

	{CodeRedundantFilter, SeverityWarning, "another filter of the same rule matches every repository this filter matches", "remove it; the rule applies to the same repositories without it"},
	{CodeShadowedRule, SeverityWarning, "another rule with the same signing profile applies to every repository this rule applies to, so this rule changes nothing", "remove the rule, or merge its filters into the other rule"},
	{CodeNoValidName, SeverityWarning, "a filter that matches no valid repository name", "fix the filter or remove it"},
	{CodeOverlap, SeverityInfo, "two rules with different signing profiles both apply to some repositories, which get a signature from each", "nothing, if both signatures are wanted"},
	{CodeAnalysisTruncated, SeverityInfo, "the analysis reached its work budget (or could not compile the configuration); findings may be missing", "raise the budget with match.WithAnalysisBudget"},
	{CodeCompileBudget, SeverityError, "the configuration is beyond the matcher's compile budget (rules, filters, filter length or automaton size)", "raise the budget with match.WithBudget, or split the configuration"},

	{CodeSuppressionNoReason, SeverityWarning, "a suppression gives no reason", "say why after the codes: # ecrsign:ignore ECR302 the exact name is meant"},
	{CodeSuppressionUnused, SeverityInfo, "a suppression suppresses nothing", "remove it"},
	{CodeSuppressionInvalid, SeverityWarning, "a suppression names no code, or something that is not a code", "name codes as ECR302, separated by commas or spaces"},
	{CodeProjectConfig, SeverityError, "the project configuration file (.ecrsign.yaml) cannot be read or holds an unknown or ill-typed member", "fix the file at the position given; see docs/model.md"},
}

// Codes returns the catalogue of every finding code, in code order.
func Codes() []CodeInfo { return slices.Clone(catalogue) }

// Info returns the catalogue entry of c; ok is false for a code not in the catalogue.
func (c Code) Info() (info CodeInfo, ok bool) {
	i, found := slices.BinarySearchFunc(catalogue, c, func(e CodeInfo, c Code) int {
		switch {
		case e.Code < c:
			return -1
		case e.Code > c:
			return 1
		}
		return 0
	})
	if !found {
		return CodeInfo{}, false
	}
	return catalogue[i], true
}

// Describe returns the one-line description of c, or "" for a code not in the catalogue.
func (c Code) Describe() string {
	info, _ := c.Info()
	return info.Description
}

// CodeError is an error that stands for a finding code, so that a caller can report it as a
// finding: package match returns one with CodeCompileBudget for a configuration beyond its
// compile budget.
type CodeError struct {
	Code Code
	Err  error
}

func (e *CodeError) Error() string { return e.Err.Error() }
func (e *CodeError) Unwrap() error { return e.Err }

// CodeOf returns the code of the first CodeError in err's chain, or "".
func CodeOf(err error) Code {
	var ce *CodeError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}
