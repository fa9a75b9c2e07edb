package ecrapi

// Defaults and bounds of paginated operations (MaxResults and FiftyMaxResults in the model).
const (
	DefaultPageSize      = 100
	MaxPageSize          = 1000
	MaxReferrersPageSize = 50
)
