package rules

import "github.com/ecrsign/ecrsign/internal/reponame"

// API limits of the signing configuration, from the ECR API model
// (SigningRuleList, SigningRepositoryFilterList, SigningRepositoryFilterValue, SigningProfileArn).
const (
	MaxSigningRules         = 10  // SigningRuleList max
	MinSigningFilters       = 1   // SigningRepositoryFilterList min, when the list is present
	MaxSigningFilters       = 100 // SigningRepositoryFilterList max
	MinSigningFilterLength  = 1   // SigningRepositoryFilterValue min
	MaxSigningFilterLength  = 256 // SigningRepositoryFilterValue max
	MaxSigningProfileARNLen = 200 // SigningProfileArn max

	// CloudFormation's AWS::ECR::SigningConfiguration schema allows more rules than the API.
	MaxCloudFormationSigningRules = 50
)

// API limits of the replication configuration, from the ECR API model
// (ReplicationRuleList, ReplicationDestinationList, RepositoryFilterList, RepositoryFilterValue).
const (
	MaxReplicationRules        = 10
	MaxReplicationDestinations = 100 // per rule, ReplicationDestinationList max
	MaxDistinctDestinations    = 25  // over all rules (ECR user guide)
	MinReplicationFilters      = 1
	MaxReplicationFilters      = 100
	MinReplicationFilterLength = 2
	MaxReplicationFilterLength = 256
	MinRegionLength            = 2
	MaxRegionLength            = 25
	MinRepositoryNameLength    = reponame.MinLength
	MaxRepositoryNameLength    = reponame.MaxLength
)

// SigningConfiguration is a registry's signing configuration: the rules that make ECR sign
// pushed images. JSON names are those of the ECR API.
type SigningConfiguration struct {
	// Rules is required by the API; nil means the member was absent, an empty non-nil
	// slice is a valid configuration that signs nothing.
	Rules []SigningRule `json:"rules"`
}

// SigningRule names a signing profile and the repositories whose images it signs.
type SigningRule struct {
	SigningProfileArn string `json:"signingProfileArn"`
	// RepositoryFilters is optional: nil means absent (the rule applies to every
	// repository); a present list must hold 1..100 filters.
	RepositoryFilters []SigningRepositoryFilter `json:"repositoryFilters,omitempty"`
}

// SigningRepositoryFilter is one WILDCARD_MATCH filter of a signing rule.
type SigningRepositoryFilter struct {
	Filter     string                      `json:"filter"`
	FilterType SigningRepositoryFilterType `json:"filterType"`
}

// SigningRepositoryFilterType is the type of a signing rule's filter.
type SigningRepositoryFilterType string

// WildcardMatch is the only filter type the API accepts for signing rules: `*` matches any
// sequence of characters and the filter must match the whole repository name.
const WildcardMatch SigningRepositoryFilterType = "WILDCARD_MATCH"

// ReplicationConfiguration is a registry's replication configuration.
type ReplicationConfiguration struct {
	Rules []ReplicationRule `json:"rules"`
}

// ReplicationRule sends pushes to repositories matching its filters to its destinations.
type ReplicationRule struct {
	Destinations []ReplicationDestination `json:"destinations"`
	// RepositoryFilters is optional: nil means every repository is replicated.
	RepositoryFilters []RepositoryFilter `json:"repositoryFilters,omitempty"`
}

// ReplicationDestination is a registry (account and region) that receives replicated images.
type ReplicationDestination struct {
	Region     string `json:"region"`
	RegistryID string `json:"registryId"`
}

// RepositoryFilter is one PREFIX_MATCH filter of a replication rule.
type RepositoryFilter struct {
	Filter     string               `json:"filter"`
	FilterType RepositoryFilterType `json:"filterType"`
}

// RepositoryFilterType is the type of a replication rule's filter.
type RepositoryFilterType string

// PrefixMatch is the only replication filter type: the repository name starts with the filter.
const PrefixMatch RepositoryFilterType = "PREFIX_MATCH"
