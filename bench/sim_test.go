package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// The simulator benchmarks generate their own world: an ecr-max-like signing configuration
// (10 rules x 100 WILDCARD_MATCH filters, the API's maximum) and 10,000 repository names.

var (
	simTeams    = strings.Fields("payments web data ml platform infra mobile search ads auth billing checkout identity catalog media analytics security sre core edge growth ledger risk fraud")
	simServices = strings.Fields("api worker frontend gateway scheduler indexer cache proxy ingest exporter collector agent controller webhook cron batch stream router cart inventory pricing ranker renderer notifier")
	simEnvs     = strings.Fields("prod staging dev qa canary sandbox")
)

func simPick(r *rand.Rand, ws []string) string { return ws[r.IntN(len(ws))] }

func simRepoName(r *rand.Rand) string {
	switch r.IntN(5) {
	case 0:
		return simPick(r, simTeams) + "/" + simPick(r, simServices)
	case 1:
		return simPick(r, simTeams) + "/" + simPick(r, simServices) + "/" + simPick(r, simEnvs)
	case 2:
		return "org/" + simPick(r, simTeams) + "/" + simPick(r, simServices) + "-" + simPick(r, simEnvs)
	case 3:
		return fmt.Sprintf("%s/svc-%s-v%d", simPick(r, simTeams), simPick(r, simServices), r.IntN(9))
	default:
		return simPick(r, simServices) + "-" + simPick(r, simEnvs)
	}
}

func simFilter(r *rand.Rand, names []string) string {
	switch k := r.IntN(10); {
	case k < 3:
		return simPick(r, simTeams) + "/*"
	case k < 5:
		return "*/" + simPick(r, simEnvs)
	case k < 6:
		return "*" + simPick(r, simServices) + "*"
	case k < 8:
		return names[r.IntN(len(names))]
	default:
		return fmt.Sprintf("org/*/%s-*", simPick(r, simServices))
	}
}

func simProfileARN(i int) string {
	return fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/sim_profile_%d", i)
}

func simNames(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 11))
	names := make([]string, n)
	for i := range names {
		names[i] = simRepoName(r)
	}
	return names
}

// simMaxConfig is an ecr-max-like configuration: 10 rules of 100 filters over 7 profiles.
func simMaxConfig(seed uint64, names []string) *rules.SigningConfiguration {
	r := rand.New(rand.NewPCG(seed, 12))
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	for i := range rules.MaxSigningRules {
		rule := rules.SigningRule{SigningProfileArn: simProfileARN(i % 7)}
		for range rules.MaxSigningFilters {
			rule.RepositoryFilters = append(rule.RepositoryFilters, rules.SigningRepositoryFilter{Filter: simFilter(r, names), FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg
}

const simManifestText = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":32654}]}`

// BenchmarkSimPush measures one push of the simulator against its baseline, one match of the
// same name by the compiled matcher ("match"): "predict" is Predictor.Predict (validation,
// manifest reading and digest, the cause of every applying rule, statuses), "world" is
// World.Push into a world that keeps every image and job. The "none" variants run with no
// signing configuration and show the fixed cost of a push (request validation, manifest
// reading and digest, storage); the difference to the "max" variants is what the
// configuration costs. "digest" is the SHA-256 of the manifest alone, a floor every push pays.
func BenchmarkSimPush(b *testing.B) {
	names := simNames(10000, 1)
	max := simMaxConfig(2, names)
	reqs := make([]ecrapi.PutImageRequest, len(names))
	for i, n := range names {
		reqs[i] = ecrapi.PutImageRequest{RepositoryName: n, ImageManifest: simManifestText, ImageTag: "v1"}
	}
	b.Run("match/max", func(b *testing.B) {
		m, err := match.Compile(max)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		n := 0
		for i := 0; b.Loop(); i++ {
			r := m.Match(names[i%len(names)])
			for range r.Profiles() {
				n++
			}
		}
		simSink = n
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
	})
	b.Run("digest", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n += len(ecrapi.Digest(simManifestText))
		}
		simSink = n
	})
	for _, cfg := range []struct {
		name string
		cfg  *rules.SigningConfiguration
	}{{"none", nil}, {"max", max}} {
		b.Run("predict/"+cfg.name, func(b *testing.B) {
			p, err := sim.New().Predictor(sim.Caller{}, cfg.cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				pr, err := p.Predict(&reqs[i%len(reqs)])
				if err != nil {
					b.Fatal(err)
				}
				n += len(pr.Signing)
			}
			simSink = n
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
		})
		b.Run("world/"+cfg.name, func(b *testing.B) {
			// A fresh world for every round over the requests: PutImage refuses the same
			// manifest and tag again (ImageAlreadyExistsException).
			newWorld := func() *sim.World {
				clk := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
				w := sim.New(sim.WithClock(clk), sim.WithOptions(sim.Options{CreateRepositoryOnPush: true, SigningLatency: time.Second}))
				c := w.Client(sim.Caller{})
				if cfg.cfg != nil {
					if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg.cfg}); err != nil {
						b.Fatal(err)
					}
				}
				return w
			}
			// one request per repository: a name the corpus repeats would be a second push
			// of the same manifest and tag
			seen := map[string]bool{}
			reqs := slices.DeleteFunc(slices.Clone(reqs), func(r ecrapi.PutImageRequest) bool {
				dup := seen[r.RepositoryName]
				seen[r.RepositoryName] = true
				return dup
			})
			w := newWorld()
			b.ReportAllocs()
			n := 0
			for i := 0; b.Loop(); i++ {
				if i > 0 && i%len(reqs) == 0 {
					b.StopTimer()
					w = newWorld()
					b.StartTimer()
				}
				res, err := w.Push(sim.Caller{}, &reqs[i%len(reqs)])
				if err != nil {
					b.Fatal(err)
				}
				n += len(res.SigningStatuses)
			}
			simSink = n
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pushes/s")
		})
	}
}

var simSink int

// BenchmarkSimImpact measures impact analysis of a configuration change (the ecr-max-like
// configuration against a variant with one rule's filters replaced) over 1,000,000 names.
func BenchmarkSimImpact(b *testing.B) {
	names := simNames(1_000_000, 3)
	var inv bytes.Buffer
	for _, n := range names {
		inv.WriteString(n)
		inv.WriteByte('\n')
	}
	current := simMaxConfig(4, names[:10000])
	proposed := simMaxConfig(4, names[:10000])
	proposed.Rules[3] = simMaxConfig(5, names[:10000]).Rules[3]
	proposed.Rules[9].SigningProfileArn = simProfileARN(8)
	b.ReportAllocs()
	b.SetBytes(int64(inv.Len()))
	for b.Loop() {
		changed := 0
		sum, err := sim.SigningImpact(current, proposed, bytes.NewReader(inv.Bytes()), func(c sim.SigningChange) error {
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
}

// BenchmarkSimSave measures World.Save (indented, the world file for people) against
// World.SaveCompact (what `ecrsign serve` writes to its state file before acknowledging each
// change) on a world of 5,000 pushes to 1,000 repositories under the ecr-max-like
// configuration, each image with its signing jobs. MB/s is of the output.
func BenchmarkSimSave(b *testing.B) {
	names := simNames(1000, 6)
	clk := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	w := sim.New(sim.WithClock(clk), sim.WithOptions(sim.Options{CreateRepositoryOnPush: true, SigningLatency: time.Second}))
	c := w.Client(sim.Caller{})
	if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: simMaxConfig(2, names)}); err != nil {
		b.Fatal(err)
	}
	for i := range 5000 {
		m := strings.Replace(simManifestText, `"size":2`, fmt.Sprintf(`"size":%d`, i), 1)
		if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: names[i%len(names)], ImageManifest: m, ImageTag: fmt.Sprintf("v%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range []struct {
		name string
		save func(*sim.World, *bytes.Buffer) error
	}{
		{"indented", func(w *sim.World, buf *bytes.Buffer) error { return w.Save(buf) }},
		{"compact", func(w *sim.World, buf *bytes.Buffer) error { return w.SaveCompact(buf) }},
	} {
		b.Run("format="+f.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := f.save(w, &buf); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
