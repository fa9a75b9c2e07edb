package sim_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// Destinations seen from the default source registry, 123456789012 in us-east-1.
var (
	home      = to("123456789012", "us-east-1") // the default source itself
	homeWest  = to("123456789012", "us-west-2") // same account, another region
	otherEast = to("210987654321", "us-east-1") // another account, same region
	otherEU   = to("210987654321", "eu-west-1")
)

func to(account, region string) rules.ReplicationDestination {
	return rules.ReplicationDestination{RegistryID: account, Region: region}
}

// replicate is a rule replicating the names that start with one of prefixes (every name
// when prefixes is nil) to dests.
func replicate(prefixes []string, dests ...rules.ReplicationDestination) rules.ReplicationRule {
	r := rules.ReplicationRule{Destinations: append([]rules.ReplicationDestination{}, dests...)}
	for _, p := range prefixes {
		r.RepositoryFilters = append(r.RepositoryFilters, rules.RepositoryFilter{Filter: p, FilterType: rules.PrefixMatch})
	}
	return r
}

func replication(rs ...rules.ReplicationRule) *rules.ReplicationConfiguration {
	return &rules.ReplicationConfiguration{Rules: append([]rules.ReplicationRule{}, rs...)}
}

func prefixes(ps ...string) []string { return ps }

func counted(d rules.ReplicationDestination, n int) sim.DestinationCount {
	return sim.DestinationCount{ReplicationDestination: d, Repositories: n}
}

func dests(ds ...rules.ReplicationDestination) []rules.ReplicationDestination { return ds }

func TestReplicationImpact(t *testing.T) {
	none := []sim.DestinationCount{}
	tests := []struct {
		name              string
		source            sim.Caller
		current, proposed *rules.ReplicationConfiguration
		inventory         string
		changes           []sim.ReplicationChange
		summary           sim.ReplicationImpactSummary
	}{{
		name:     "gains and losses",
		current:  replication(replicate(prefixes("prod"), homeWest), replicate(prefixes("legacy/"), otherEU)),
		proposed: replication(replicate(prefixes("prod"), homeWest, otherEU), replicate(prefixes("team/"), otherEast)),
		inventory: strings.Join([]string{
			"# repositories",
			"prod/api",       // gains otherEU
			"legacy/reports", // loses otherEU
			"",
			"  team/web  ",  // gains otherEast (spaces trimmed)
			"products",      // "prod" is a prefix: gains otherEU
			"staging/prod",  // not a prefix: unchanged (nothing)
			"legacy",        // "legacy/" is not its prefix: unchanged
			"team/prod-api", // gains otherEast
		}, "\n"),
		changes: []sim.ReplicationChange{
			{Repository: "prod/api", Line: 2, Gained: dests(otherEU)},
			{Repository: "legacy/reports", Line: 3, Lost: dests(otherEU)},
			{Repository: "team/web", Line: 5, Gained: dests(otherEast)},
			{Repository: "products", Line: 6, Gained: dests(otherEU)},
			{Repository: "team/prod-api", Line: 9, Gained: dests(otherEast)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 7, Changed: 5, ReplicatedBefore: 3, ReplicatedAfter: 4,
			Gained: []sim.DestinationCount{counted(otherEU, 2), counted(otherEast, 2)},
			Lost:   []sim.DestinationCount{counted(otherEU, 1)},
		},
	}, {
		name:      "a change gains and loses at once, destinations sorted by region then registry",
		current:   replication(replicate(nil, otherEU, homeWest)),
		proposed:  replication(replicate(nil, otherEast, to("111122223333", "us-east-1"))),
		inventory: "ab\n",
		changes: []sim.ReplicationChange{
			{Repository: "ab", Line: 1, Gained: dests(to("111122223333", "us-east-1"), otherEast), Lost: dests(otherEU, homeWest)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 1, Changed: 1, ReplicatedBefore: 1, ReplicatedAfter: 1,
			Gained: []sim.DestinationCount{counted(to("111122223333", "us-east-1"), 1), counted(otherEast, 1)},
			Lost:   []sim.DestinationCount{counted(otherEU, 1), counted(homeWest, 1)},
		},
	}, {
		name:      "duplicate destinations within a rule count once",
		current:   replication(replicate(prefixes("ap"), homeWest)),
		proposed:  replication(replicate(prefixes("ap", "apx"), homeWest, otherEU, homeWest, otherEU)),
		inventory: "apxc\napy\nzz\n",
		changes: []sim.ReplicationChange{
			{Repository: "apxc", Line: 1, Gained: dests(otherEU)},
			{Repository: "apy", Line: 2, Gained: dests(otherEU)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 3, Changed: 2, ReplicatedBefore: 2, ReplicatedAfter: 2,
			Gained: []sim.DestinationCount{counted(otherEU, 2)}, Lost: none,
		},
	}, {
		// Today two rules send "apxc" to homeWest; the proposal drops one: "apxc" still goes
		// there through the other, "apy" does not.
		name:      "duplicate destinations across rules count once",
		current:   replication(replicate(prefixes("ap"), homeWest), replicate(prefixes("apx"), homeWest, otherEU)),
		proposed:  replication(replicate(prefixes("apx"), homeWest), replicate(prefixes("apxc"), otherEU, homeWest)),
		inventory: "apxc\napxd\napy\n",
		changes: []sim.ReplicationChange{
			{Repository: "apxd", Line: 2, Lost: dests(otherEU)},
			{Repository: "apy", Line: 3, Lost: dests(homeWest)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 3, Changed: 2, ReplicatedBefore: 3, ReplicatedAfter: 2,
			Gained: none, Lost: []sim.DestinationCount{counted(otherEU, 1), counted(homeWest, 1)},
		},
	}, {
		name:      "no configuration today: everything replicated is a gain",
		proposed:  replication(replicate(nil, homeWest)),
		inventory: "ab\ncd\n",
		changes: []sim.ReplicationChange{
			{Repository: "ab", Line: 1, Gained: dests(homeWest)},
			{Repository: "cd", Line: 2, Gained: dests(homeWest)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 2, Changed: 2, ReplicatedBefore: 0, ReplicatedAfter: 2,
			Gained: []sim.DestinationCount{counted(homeWest, 2)}, Lost: none,
		},
	}, {
		name:      "no configuration proposed: everything replicated is a loss",
		current:   replication(replicate(prefixes("ab"), homeWest)),
		inventory: "ab\ncd\n",
		changes:   []sim.ReplicationChange{{Repository: "ab", Line: 1, Lost: dests(homeWest)}},
		summary: sim.ReplicationImpactSummary{
			Repositories: 2, Changed: 1, ReplicatedBefore: 1, ReplicatedAfter: 0,
			Gained: none, Lost: []sim.DestinationCount{counted(homeWest, 1)},
		},
	}, {
		name:      "no configurations, and an empty one, replicate nothing",
		proposed:  replication(),
		inventory: "ab\n",
		summary:   sim.ReplicationImpactSummary{Repositories: 1, Gained: none, Lost: none},
	}, {
		// From us-west-2, 123456789012 in us-east-1 is a destination like any other.
		name:      "the source decides which registry is not a destination",
		source:    sim.Caller{Region: "us-west-2"},
		proposed:  replication(replicate(nil, home, otherEU)),
		inventory: "ab\n",
		changes:   []sim.ReplicationChange{{Repository: "ab", Line: 1, Gained: dests(otherEU, home)}},
		summary: sim.ReplicationImpactSummary{
			Repositories: 1, Changed: 1, ReplicatedAfter: 1,
			Gained: []sim.DestinationCount{counted(otherEU, 1), counted(home, 1)}, Lost: none,
		},
	}, {
		name:      "invalid inventory lines are counted, the first few shown",
		proposed:  replication(replicate(nil, homeWest)),
		inventory: "Bad/Name\nab\nx\n" + strings.Repeat("-a\n", 5) + "a--b\n",
		changes: []sim.ReplicationChange{
			{Repository: "ab", Line: 2, Gained: dests(homeWest)},
			{Repository: "a--b", Line: 9, Gained: dests(homeWest)},
		},
		summary: sim.ReplicationImpactSummary{
			Repositories: 2, Changed: 2, ReplicatedAfter: 2,
			Gained: []sim.DestinationCount{counted(homeWest, 2)}, Lost: none,
			Invalid: 7,
			InvalidExamples: []string{
				"line 1: Bad/Name: " + rules.ValidateRepositoryName("Bad/Name").Error(),
				"line 3: x: " + rules.ValidateRepositoryName("x").Error(),
				"line 4: -a: " + rules.ValidateRepositoryName("-a").Error(),
				"line 5: -a: " + rules.ValidateRepositoryName("-a").Error(),
				"line 6: -a: " + rules.ValidateRepositoryName("-a").Error(),
			},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var changes []sim.ReplicationChange
			sum, err := sim.ReplicationImpact(tt.source, tt.current, tt.proposed, strings.NewReader(tt.inventory), func(c sim.ReplicationChange) error {
				changes = append(changes, c)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(changes, tt.changes) {
				t.Errorf("changes\n got %+v\nwant %+v", changes, tt.changes)
			}
			if !reflect.DeepEqual(*sum, tt.summary) {
				t.Errorf("summary\n got %+v\nwant %+v", *sum, tt.summary)
			}
			// Without a callback the counts are the same.
			quiet, err := sim.ReplicationImpact(tt.source, tt.current, tt.proposed, strings.NewReader(tt.inventory), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(quiet, sum) {
				t.Errorf("without a callback\n got %+v\nwant %+v", *quiet, *sum)
			}
		})
	}
}

// TestReplicationImpactValidation checks that a configuration is refused, as current or as
// proposed, with the error PutReplicationConfiguration gives in the source registry.
func TestReplicationImpactValidation(t *testing.T) {
	var many []rules.ReplicationDestination
	for i := range rules.MaxDistinctDestinations + 1 {
		many = append(many, to(fmt.Sprintf("%012d", i+1), "eu-west-1"))
	}
	tests := []struct {
		name   string
		source sim.Caller
		cfg    *rules.ReplicationConfiguration
		code   string // the exception's name
		msg    string // a part of its message
	}{
		{"filter", sim.Caller{}, replication(replicate(prefixes("Team/"), homeWest)), "ValidationException",
			"at 'replicationConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint"},
		{"two violations", sim.Caller{}, replication(replicate(prefixes("ab"), to("12", "us-west-2")), rules.ReplicationRule{Destinations: dests(homeWest), RepositoryFilters: []rules.RepositoryFilter{}}), "ValidationException",
			"2 validation errors detected"},
		{"rules null", sim.Caller{}, &rules.ReplicationConfiguration{}, "ValidationException", "'replicationConfiguration.rules'"},
		{"destination is the default source", sim.Caller{}, replication(replicate(prefixes("ab"), homeWest), replicate(nil, otherEU, home)), "InvalidParameterException",
			"'replicationConfiguration.rules.2.member.destinations.2.member' failed to satisfy constraint: 'a destination cannot be the source registry (123456789012, us-east-1)'"},
		{"destination is the given source", sim.Caller{Account: "210987654321", Region: "eu-west-1"}, replication(replicate(nil, home, otherEU)), "InvalidParameterException",
			"'a destination cannot be the source registry (210987654321, eu-west-1)'"},
		{"26 distinct destinations", sim.Caller{}, replication(replicate(prefixes("ab"), many[:20]...), replicate(prefixes("cd"), many[20:]...)), "InvalidParameterException",
			"the rules name 26 distinct destinations; at most 25 are allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, put := sim.New().Client(tt.source).PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: tt.cfg})
			var ae *ecrapi.Error
			if !errors.As(put, &ae) || ae.ErrorCode() != tt.code || !strings.Contains(ae.ErrorMessage(), tt.msg) {
				t.Fatalf("PutReplicationConfiguration: %v; want %s containing %q", put, tt.code, tt.msg)
			}
			valid := replication(replicate(prefixes("ab"), homeWest))
			for _, pair := range [][2]*rules.ReplicationConfiguration{{tt.cfg, valid}, {valid, tt.cfg}} {
				sum, err := sim.ReplicationImpact(tt.source, pair[0], pair[1], strings.NewReader("ab\n"), nil)
				if sum != nil || reflect.TypeOf(err) != reflect.TypeOf(put) || err.Error() != put.Error() {
					t.Errorf("got %v, %v (%T)\nwant the error of PutReplicationConfiguration: %v (%T)", sum, err, err, put, put)
				}
			}
		})
	}
}

func TestReplicationImpactErrors(t *testing.T) {
	cfg := replication(replicate(nil, homeWest))
	for _, src := range []sim.Caller{{Account: "12345"}, {Region: "US-EAST-1"}} {
		_, err := sim.ReplicationImpact(src, nil, cfg, strings.NewReader("ab\n"), nil)
		var ipe *ecrapi.Error
		if !errors.As(err, &ipe) || ipe.Code != ecrapi.InvalidParameterException || !strings.Contains(err.Error(), "the source registry's account must be 12 digits and its region match") {
			t.Errorf("source %+v: %v", src, err)
		}
	}

	// A line longer than any repository name ends the analysis with an error naming it; the
	// counts are those of the lines before it.
	sum, err := sim.ReplicationImpact(sim.Caller{}, nil, cfg, strings.NewReader("ab\n"+strings.Repeat("x", 5000)+"\ncd\n"), nil)
	if err == nil || err.Error() != "inventory line 2: longer than 4096 bytes; an inventory holds one repository name per line" {
		t.Errorf("long line: %v", err)
	}
	if sum == nil || sum.Repositories != 1 || sum.Changed != 1 {
		t.Errorf("long line: summary %+v", sum)
	}

	// An error from the callback stops the analysis and is returned as is.
	stop := errors.New("stop")
	calls := 0
	sum, err = sim.ReplicationImpact(sim.Caller{}, nil, cfg, strings.NewReader("ab\ncd\nef\n"), func(sim.ReplicationChange) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 || sum.Repositories != 1 {
		t.Errorf("callback error: %v after %d calls, summary %+v", err, calls, sum)
	}
}

func ExampleReplicationImpact() {
	west := rules.ReplicationDestination{RegistryID: "123456789012", Region: "us-west-2"}
	dr := rules.ReplicationDestination{RegistryID: "210987654321", Region: "eu-west-1"}
	current := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		{Destinations: []rules.ReplicationDestination{west},
			RepositoryFilters: []rules.RepositoryFilter{{Filter: "prod", FilterType: rules.PrefixMatch}}},
	}}
	proposed := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		{Destinations: []rules.ReplicationDestination{west, dr},
			RepositoryFilters: []rules.RepositoryFilter{{Filter: "prod/", FilterType: rules.PrefixMatch}}},
	}}
	inventory := strings.NewReader("prod/api\nproducts\nsandbox/test\n")
	// The source registry is 123456789012 in us-east-1, where the configuration is put.
	sum, err := sim.ReplicationImpact(sim.Caller{}, current, proposed, inventory, func(c sim.ReplicationChange) error {
		fmt.Printf("%s: gains %v, loses %v\n", c.Repository, c.Gained, c.Lost)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d repositories, %d change, replicated %d -> %d\n", sum.Repositories, sum.Changed, sum.ReplicatedBefore, sum.ReplicatedAfter)
	// Output:
	// prod/api: gains [{eu-west-1 210987654321}], loses []
	// products: gains [], loses [{us-west-2 123456789012}]
	// 3 repositories, 2 change, replicated 2 -> 1
}
