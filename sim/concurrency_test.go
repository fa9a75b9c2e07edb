package sim_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/simtest"
)

func testProfile(i int) string {
	return fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", i)
}

// randomSigning returns a valid configuration (or, one time in ten, a cross-region one the
// world must reject).
func randomSigning(r *rand.Rand) *rules.SigningConfiguration {
	filters := []string{"team/*", "*/api", "*", "svc-*", "team/web", "*a*", "other/*/x"}
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	for i := r.IntN(5); i > 0; i-- {
		rule := rules.SigningRule{SigningProfileArn: testProfile(r.IntN(4))}
		if r.IntN(10) == 0 {
			rule.SigningProfileArn = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/far"
		}
		for j := r.IntN(3); j > 0; j-- {
			rule.RepositoryFilters = append(rule.RepositoryFilters, rules.SigningRepositoryFilter{Filter: filters[r.IntN(len(filters))], FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg
}

func testManifest(n int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[]}`, n)
}

func TestConcurrentPushesAndConfigurationChanges(t *testing.T) {
	const (
		pushers       = 16
		pushesEach    = 250
		changers      = 3
		changesEach   = 150
		sharedRepos   = 40
		manifestsPool = 30
	)
	clk := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	w := sim.New(sim.WithClock(clk))
	admin := w.Client(sim.Caller{})
	if _, err := admin.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		{Destinations: []rules.ReplicationDestination{{Region: "us-west-2", RegistryID: "123456789012"}, {Region: "eu-west-1", RegistryID: "123456789012"}},
			RepositoryFilters: []rules.RepositoryFilter{{Filter: "team", FilterType: rules.PrefixMatch}}},
		{Destinations: []rules.ReplicationDestination{{Region: "us-west-2", RegistryID: "123456789012"}}},
	}}}); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for i := 0; i < sharedRepos; i++ {
		names = append(names, []string{"team", "svc-a", "other/b", "misc"}[i%4]+fmt.Sprintf("/r%d", i)+[]string{"", "/api"}[i%2])
	}
	for i := 0; i < pushers; i++ {
		names = append(names, fmt.Sprintf("own/g%d", i))
	}
	for _, n := range names {
		if _, err := admin.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: n}); err != nil {
			t.Fatal(err)
		}
	}

	ledger := simtest.NewLedger()
	var refused atomic.Int64
	var wg sync.WaitGroup
	var failures atomic.Int64
	var seqs sync.Map
	report := func(err error) {
		if err != nil {
			failures.Add(1)
			t.Error(err)
		}
	}
	for g := 0; g < changers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			c := w.Client(sim.Caller{})
			for i := 0; i < changesEach; i++ {
				if r.IntN(8) == 0 {
					_, err := c.DeleteSigningConfiguration(nil)
					report(simtest.CheckError(ecrapi.OpDeleteSigningConfiguration, err))
					continue
				}
				_, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: randomSigning(r)})
				report(simtest.CheckError(ecrapi.OpPutSigningConfiguration, err))
			}
		}(g)
	}
	for g := 0; g < pushers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 2))
			c := w.Client(sim.Caller{})
			own := fmt.Sprintf("own/g%d", g)
			var ownDigest string
			var ownStatuses []ecrapi.ImageSigningStatus
			for i := 0; i < pushesEach; i++ {
				repo := names[r.IntN(sharedRepos)]
				if r.IntN(4) == 0 {
					repo = own
				}
				req := &ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: testManifest(r.IntN(manifestsPool)), ImageTag: fmt.Sprintf("t%d", r.IntN(5))}
				res, err := ledger.Push(w, sim.Caller{}, req)
				var e *ecrapi.Error
				if errors.As(err, &e) && e.Code == ecrapi.ImageAlreadyExistsException {
					refused.Add(1) // PutImage of the same manifest and tag again
					continue
				}
				if err != nil {
					t.Errorf("push %s: %v", repo, err)
					return
				}
				if _, dup := seqs.LoadOrStore(res.Seq, true); dup {
					t.Errorf("Seq %d given twice", res.Seq)
				}
				if repo == own {
					ownDigest = res.Image.ImageID.ImageDigest
					ownStatuses = describe(t, c, own, ownDigest)
				} else if ownDigest != "" {
					// Only this goroutine pushes to its own repository: whatever the configuration
					// changers did meanwhile, the statuses of its last push must not change.
					if got := describe(t, c, own, ownDigest); !reflect.DeepEqual(got, ownStatuses) {
						t.Errorf("%s: statuses changed without a push: %+v, was %+v", own, got, ownStatuses)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	made := pushers*pushesEach - int(refused.Load())
	if n := ledger.Pushes(); n != made {
		t.Fatalf("%d pushes recorded, %d made", n, made)
	}
	for s := uint64(1); s <= uint64(made); s++ {
		if _, ok := seqs.Load(s); !ok {
			t.Fatalf("push Seq %d missing: Seq is not 1..N", s)
		}
	}
	if err := ledger.Verify(admin, false); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := ledger.Verify(admin, true); err != nil {
		t.Fatal(err)
	}
}

func describe(t *testing.T, c ecrapi.API, repo, digest string) []ecrapi.ImageSigningStatus {
	out, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: repo, ImageID: &ecrapi.ImageIdentifier{ImageDigest: digest}})
	if err != nil {
		t.Errorf("describe %s: %v", repo, err)
		return nil
	}
	return out.SigningStatuses
}
