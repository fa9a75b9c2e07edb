package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
)

// simReplicationFilter is a PREFIX_MATCH filter drawn like simFilter's mix: a team, a team's
// service, an organisation's team, or the first part of a name.
func simReplicationFilter(r *rand.Rand, names []string) string {
	switch k := r.IntN(10); {
	case k < 3:
		return simPick(r, simTeams) + "/"
	case k < 5:
		return simPick(r, simTeams) + "/svc-" + simPick(r, simServices)
	case k < 7:
		return "org/" + simPick(r, simTeams) + "/"
	default:
		n := names[r.IntN(len(names))]
		return n[:2+r.IntN(len(n)-1)]
	}
}

// simReplicationDestination is destination i of a pool of 25 (the most distinct destinations
// a configuration may name): 5 accounts in 5 regions, none the source registry.
func simReplicationDestination(i int) rules.ReplicationDestination {
	regions := []string{"us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"}
	return rules.ReplicationDestination{RegistryID: fmt.Sprintf("%012d", 210987654321+i/5), Region: regions[i%5]}
}

// simMaxReplication is an ecr-max-like replication configuration: 10 rules of 100
// PREFIX_MATCH filters, each rule replicating to 3 of the 25 destinations of the pool.
func simMaxReplication(seed uint64, names []string) *rules.ReplicationConfiguration {
	r := rand.New(rand.NewPCG(seed, 13))
	cfg := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}
	for i := range rules.MaxReplicationRules {
		var rule rules.ReplicationRule
		for j := range 3 {
			rule.Destinations = append(rule.Destinations, simReplicationDestination((i*3+j)%25))
		}
		for range rules.MaxReplicationFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, rules.RepositoryFilter{Filter: simReplicationFilter(r, names), FilterType: rules.PrefixMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg
}

// BenchmarkSimReplicationImpact measures impact analysis of a replication configuration
// change (the ecr-max-like replication configuration against a variant with one rule's
// filters and another rule's destinations replaced) over the 1,000,000 names of
// BenchmarkSimImpact.
func BenchmarkSimReplicationImpact(b *testing.B) {
	names := simNames(1_000_000, 3)
	inv := []byte(strings.Join(names, "\n") + "\n")
	current := simMaxReplication(4, names[:10000])
	proposed := simMaxReplication(4, names[:10000])
	proposed.Rules[3] = simMaxReplication(5, names[:10000]).Rules[3]
	proposed.Rules[9].Destinations = []rules.ReplicationDestination{simReplicationDestination(0), simReplicationDestination(24)}
	b.ReportAllocs()
	b.SetBytes(int64(len(inv)))
	changed := 0
	for b.Loop() {
		changed = 0
		sum, err := sim.ReplicationImpact(sim.Caller{}, current, proposed, bytes.NewReader(inv), func(c sim.ReplicationChange) error {
			changed++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Repositories != len(names) || sum.Changed != changed || changed == 0 {
			b.Fatalf("summary %+v, %d changes", sum, changed)
		}
	}
	b.ReportMetric(float64(len(names)), "names/op")
	b.ReportMetric(float64(changed), "changes/op")
}
