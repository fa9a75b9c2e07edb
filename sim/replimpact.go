package sim

import (
	"cmp"
	"io"
	"slices"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// ReplicationChange is one repository whose replication destinations differ between two
// configurations.
type ReplicationChange struct {
	Repository string `json:"repository"`
	// Line is the 1-based line of the inventory the name was read from.
	Line int `json:"line"`
	// Gained holds the destinations its pushes are replicated to only under the proposal,
	// Lost those they are replicated to only today, each sorted by region, then registry.
	Gained []rules.ReplicationDestination `json:"gained,omitempty"`
	Lost   []rules.ReplicationDestination `json:"lost,omitempty"`
}

// DestinationCount is the number of repositories that gain or lose one destination.
type DestinationCount struct {
	rules.ReplicationDestination
	Repositories int `json:"repositories"`
}

// ReplicationImpactSummary counts what a replication configuration change does to an
// inventory.
type ReplicationImpactSummary struct {
	Repositories int `json:"repositories"` // valid names read
	Changed      int `json:"changed"`      // repositories whose destinations change
	// Replicated is how many repositories are replicated to at least one destination, today
	// and under the proposal.
	ReplicatedBefore int `json:"replicatedBefore"`
	ReplicatedAfter  int `json:"replicatedAfter"`
	// Gained and Lost count, per destination, the repositories that gain or lose it; only
	// destinations with a count, sorted by region, then registry.
	Gained []DestinationCount `json:"gained"`
	Lost   []DestinationCount `json:"lost"`
	// Invalid counts lines that are not valid repository names; InvalidExamples shows the
	// first few ("line 7: Team/App: ...").
	Invalid         int      `json:"invalid"`
	InvalidExamples []string `json:"invalidExamples,omitempty"`
}

// ReplicationImpact compares the destinations that current and proposed replicate each
// repository name of inventory to (one name per line; blank lines and lines starting with
// '#' are skipped) and calls each, when not nil, for every repository that gains or loses a
// destination, in inventory order. Memory does not grow with the inventory. A nil
// configuration means none (nothing is replicated).
//
// source is the registry whose configuration changes, as the caller of
// PutReplicationConfiguration (its Principal is not used); an empty Account or Region is
// that of a new World's default registry, 123456789012 in us-east-1. Both configurations are
// validated as PutReplicationConfiguration in source validates them, with its errors: a
// ValidationException for a constraint of the API model, an InvalidParameterException for a
// destination that is the source registry (replication never goes back to the source) or
// more than 25 distinct destinations. An invalid source account or region is an
// InvalidParameterException. An error from each stops the analysis and is returned.
//
// Both configurations are compiled into one matcher, so that each name is matched once.
func ReplicationImpact(source Caller, current, proposed *rules.ReplicationConfiguration, inventory io.Reader, each func(ReplicationChange) error) (*ReplicationImpactSummary, error) {
	src := registryKey{cmp.Or(source.Account, DefaultAccount), cmp.Or(source.Region, DefaultRegion)}
	if !validRegistryID(src.account) || !validRegion(src.region) {
		return nil, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "the source registry's account must be 12 digits and its region match " + rules.RegionPattern}
	}
	both := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}
	split := 0 // rules before split are current's, the others proposed's
	for i, cfg := range []*rules.ReplicationConfiguration{current, proposed} {
		if cfg == nil {
			continue
		}
		if _, err := compileReplication(cfg, src); err != nil {
			return nil, err
		}
		both.Rules = append(both.Rules, cfg.Rules...)
		if i == 0 {
			split = len(both.Rules)
		}
	}
	m, err := match.CompileReplication(both)
	if err != nil {
		return nil, err
	}
	// Each rule sets the bits of its destinations; validation allows at most 25 distinct
	// destinations in each configuration, so at most 50 in both. None is the source.
	c := setComparison[rules.ReplicationDestination]{matcher: m, split: split, ruleItems: make([]uint64, len(both.Rules))}
	for _, r := range both.Rules {
		for _, d := range r.Destinations {
			if !slices.Contains(c.items, d) {
				c.items = append(c.items, d)
			}
		}
	}
	slices.SortFunc(c.items, compareDestinations)
	for i, r := range both.Rules {
		for _, d := range r.Destinations {
			c.ruleItems[i] |= 1 << slices.Index(c.items, d)
		}
	}
	var changed func(line int, name string, gained, lost []rules.ReplicationDestination) error
	if each != nil {
		changed = func(line int, name string, gained, lost []rules.ReplicationDestination) error {
			return each(ReplicationChange{Repository: name, Line: line, Gained: gained, Lost: lost})
		}
	}
	counts, inv, err := c.run(inventory, changed)
	sum := &ReplicationImpactSummary{
		Repositories: inv.valid, Changed: counts.changed,
		ReplicatedBefore: counts.before, ReplicatedAfter: counts.after,
		Gained: []DestinationCount{}, Lost: []DestinationCount{},
		Invalid: inv.invalid, InvalidExamples: inv.examples,
	}
	if err != nil {
		return sum, err
	}
	for i, d := range c.items {
		if n := counts.gained[i]; n > 0 {
			sum.Gained = append(sum.Gained, DestinationCount{d, n})
		}
		if n := counts.lost[i]; n > 0 {
			sum.Lost = append(sum.Lost, DestinationCount{d, n})
		}
	}
	return sum, nil
}

func compareDestinations(a, b rules.ReplicationDestination) int {
	return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.RegistryID, b.RegistryID))
}
