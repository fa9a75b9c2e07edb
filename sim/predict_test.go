package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func TestPredict(t *testing.T) {
	cfg := signing(rule(profProd, "team/*", "*/api"), rule(profAudit, "*api"), rule(profProd, "*"))
	repl := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		replRule([]string{"team"}, dest("123456789012", "us-west-2")),
		replRule([]string{"te"}, dest("123456789012", "us-west-2"), dest("210987654321", "us-east-1")),
	}}
	p := must(Predict(cfg, repl, &ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"}))(t)
	want := []SigningPrediction{
		{AfterPush: ecrapi.ImageSigningStatus{SigningProfileArn: profProd, Status: ecrapi.StatusInProgress}, Settled: ecrapi.ImageSigningStatus{SigningProfileArn: profProd, Status: ecrapi.StatusComplete},
			Causes: []Cause{{Rule: 0, Filter: 0, FilterText: "team/*"}, {Rule: 2, Filter: 0, FilterText: "*"}}},
		{AfterPush: ecrapi.ImageSigningStatus{SigningProfileArn: profAudit, Status: ecrapi.StatusInProgress}, Settled: ecrapi.ImageSigningStatus{SigningProfileArn: profAudit, Status: ecrapi.StatusComplete},
			Causes: []Cause{{Rule: 1, Filter: 0, FilterText: "*api"}}},
	}
	if !reflect.DeepEqual(p.Signing, want) {
		t.Fatalf("signing\n got %+v\nwant %+v", p.Signing, want)
	}
	if p.ImageID.ImageDigest != ecrapi.Digest(manifest(1)) || p.RegistryID != DefaultAccount || p.Referrer {
		t.Fatalf("prediction %+v", p)
	}
	wantRepl := []ReplicationPrediction{
		{AfterPush: ecrapi.ImageReplicationStatus{Region: "us-west-2", RegistryID: "123456789012", Status: ecrapi.StatusInProgress}, Settled: ecrapi.ImageReplicationStatus{Region: "us-west-2", RegistryID: "123456789012", Status: ecrapi.StatusComplete},
			Causes: []Cause{{Rule: 0, Filter: 0, FilterText: "team"}, {Rule: 1, Filter: 0, FilterText: "te"}}},
		{AfterPush: ecrapi.ImageReplicationStatus{Region: "us-east-1", RegistryID: "210987654321", Status: ecrapi.StatusInProgress}, Settled: ecrapi.ImageReplicationStatus{Region: "us-east-1", RegistryID: "210987654321", Status: ecrapi.StatusComplete},
			Causes: []Cause{{Rule: 1, Filter: 0, FilterText: "te"}}},
	}
	if !reflect.DeepEqual(p.Replication, wantRepl) {
		t.Fatalf("replication\n got %+v\nwant %+v", p.Replication, wantRepl)
	}
	if got := p.SigningStatuses(true); len(got) != 2 || got[0].Status != ecrapi.StatusComplete {
		t.Fatalf("SigningStatuses(true) = %+v", got)
	}
	if got := p.ReplicationStatuses(false); len(got) != 2 || got[1].Status != ecrapi.StatusInProgress {
		t.Fatalf("ReplicationStatuses(false) = %+v", got)
	}
}

// TestPredictCauseLayout: a rule naming a destination twice is one cause of it, a rule
// without filters is a cause "for every repository", and the causes of one status can be
// extended without touching another's.
func TestPredictCauseLayout(t *testing.T) {
	cfg := signing(rule(profProd, "x*", "*a*"), rule(profAudit, "*b"), rule(profProd))
	repl := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		replRule([]string{"ab"}, dest("123456789012", "us-west-2"), dest("123456789012", "us-west-2")),
		replRule(nil, dest("210987654321", "us-east-1"), dest("123456789012", "us-west-2")),
	}}
	p := must(Predict(cfg, repl, &ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)}))(t)
	prod, audit := p.Signing[0].Causes, p.Signing[1].Causes
	wantProd := []Cause{{Rule: 0, Filter: 1, FilterText: "*a*"}, {Rule: 2, Filter: -1, AllRepositories: true}}
	if !reflect.DeepEqual(prod, wantProd) || !reflect.DeepEqual(audit, []Cause{{Rule: 1, Filter: 0, FilterText: "*b"}}) {
		t.Fatalf("signing causes %+v / %+v", prod, audit)
	}
	_ = append(prod, Cause{Rule: 9})
	if audit[0].Rule != 1 {
		t.Fatalf("appending to one status's causes changed another's: %+v", audit)
	}
	west, east := p.Replication[0].Causes, p.Replication[1].Causes
	wantWest := []Cause{{Rule: 0, Filter: 0, FilterText: "ab"}, {Rule: 1, Filter: -1, AllRepositories: true}}
	if len(p.Replication) != 2 || !reflect.DeepEqual(west, wantWest) || !reflect.DeepEqual(east, []Cause{{Rule: 1, Filter: -1, AllRepositories: true}}) {
		t.Fatalf("replication %+v", p.Replication)
	}
}

func TestPredictMatchesPush(t *testing.T) {
	w, clk, c := newTestWorld()
	cfg := signing(rule(profProd, "team/*"), rule(profAudit, "*/api", "web"), rule(profShared))
	putSigning(t, c, cfg)
	w.SetProfileStatus(profAudit, ProfileRevoked)
	w.GrantProfiles(DefaultPrincipal, profProd, profAudit)
	pr := must(w.Predictor(Caller{}, nil, nil))(t) // the registry's current configuration
	for i, name := range []string{"team/api", "web", "other/api", "team/web", "zz"} {
		req := &ecrapi.PutImageRequest{RepositoryName: name, ImageManifest: manifest(i)}
		p := must(pr.Predict(req))(t)
		createRepo(t, c, name)
		res := must(c.Push(req))(t)
		if !reflect.DeepEqual(p.SigningStatuses(false), res.SigningStatuses) {
			t.Fatalf("%s: predicted after push %+v, pushed %+v", name, p.SigningStatuses(false), res.SigningStatuses)
		}
		clk.Advance(DefaultSigningLatency)
		got := statuses(t, c, name, ecrapi.ImageIdentifier{ImageDigest: res.Image.ImageID.ImageDigest})
		if !reflect.DeepEqual(p.SigningStatuses(true), got) {
			t.Fatalf("%s: predicted settled %+v, described %+v", name, p.SigningStatuses(true), got)
		}
	}
}

func TestPredictErrorsAndReferrers(t *testing.T) {
	_, err := Predict(signing(rule(profWest)), nil, &ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)})
	wantAPIError(t, err, "ValidationException", "is 'us-west-2' but must be 'us-east-1'")
	_, err = Predict(nil, &rules.ReplicationConfiguration{}, &ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)})
	wantAPIError(t, err, "ValidationException", "'replicationConfiguration.rules'")
	_, err = Predict(nil, nil, &ecrapi.PutImageRequest{RepositoryName: "AB", ImageManifest: manifest(1)})
	wantAPIError(t, err, "InvalidParameterException", "'repositoryName'")
	_, err = Predict(nil, nil, nil)
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = New().Predictor(Caller{Account: "x"}, nil, nil)
	wantAPIError(t, err, "InvalidParameterException", "")

	p := must(Predict(signing(rule(profProd)), nil, &ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: referrer(ecrapi.Digest(manifest(1)))}))(t)
	if !p.Referrer || len(p.Signing) != 0 {
		t.Fatalf("referrer prediction %+v", p)
	}
	p = must(Predict(nil, nil, &ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)}))(t)
	if p.Signing == nil || len(p.Signing) != 0 || p.Replication == nil {
		t.Fatalf("no configuration: %+v", p)
	}
}

// TestPredictAddressedRegistry: a push is predicted for the registry it addresses (its
// registryId, else the caller's account), as World.Push decides it.
func TestPredictAddressedRegistry(t *testing.T) {
	const other = "222222222222"
	westOnly := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest(DefaultAccount, "us-west-2"))}}
	toOther := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest(other, "us-east-1"))}}
	tests := []struct {
		name         string
		own, theirs  *rules.SigningConfiguration // the world's configurations of the caller's and the other registry
		given        *rules.SigningConfiguration // given to the Predictor; nil: the world's
		givenRepl    *rules.ReplicationConfiguration
		registryID   string
		wantProfiles []string
		wantDests    []string
		wantErr      string
	}{
		{name: "own registry", own: signing(rule(profProd)), wantProfiles: []string{profProd}},
		{name: "other registry without a configuration", own: signing(rule(profProd)), registryID: other},
		{name: "other registry's configuration", own: signing(rule(profProd)), theirs: signing(rule(profAudit)), registryID: other, wantProfiles: []string{profAudit}},
		{name: "registryId naming the caller's own registry", theirs: signing(rule(profAudit)), registryID: DefaultAccount},
		{name: "given configuration models the addressed registry", own: signing(rule(profProd)), given: signing(rule(profShared)), registryID: other, wantProfiles: []string{profShared}},
		{name: "given replication from the addressed registry", givenRepl: westOnly, registryID: other, wantDests: []string{DefaultAccount + "/us-west-2"}},
		{name: "given replication whose destination is the addressed registry", givenRepl: toOther, registryID: other, wantErr: "cannot be the source registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, c := newTestWorld(WithOptions(Options{CreateRepositoryOnPush: true}))
			if tt.own != nil {
				putSigning(t, c, tt.own)
			}
			if tt.theirs != nil {
				putSigning(t, w.client(Caller{Account: other}), tt.theirs)
			}
			pr := must(w.Predictor(Caller{}, tt.given, tt.givenRepl))(t)
			req := &ecrapi.PutImageRequest{RegistryID: tt.registryID, RepositoryName: "team/api", ImageManifest: manifest(1)}
			p, err := pr.Predict(req)
			if tt.wantErr != "" {
				wantAPIError(t, err, "InvalidParameterException", tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var profiles, dests []string
			for _, s := range p.SigningStatuses(true) {
				profiles = append(profiles, s.SigningProfileArn)
			}
			for _, s := range p.ReplicationStatuses(true) {
				dests = append(dests, s.RegistryID+"/"+s.Region)
			}
			if !reflect.DeepEqual(profiles, tt.wantProfiles) || !reflect.DeepEqual(dests, tt.wantDests) {
				t.Fatalf("predicted profiles %v, destinations %v; want %v, %v", profiles, dests, tt.wantProfiles, tt.wantDests)
			}
			if want := cmp.Or(tt.registryID, DefaultAccount); p.RegistryID != want {
				t.Fatalf("prediction for registry %s, want %s", p.RegistryID, want)
			}
			if tt.given != nil || tt.givenRepl != nil {
				return // the world's registries have other configurations
			}
			// the push is made by the addressed account: another account's registry refuses it
			res := must(w.client(Caller{Account: cmp.Or(tt.registryID, DefaultAccount)}).Push(req))(t)
			if got := statusProfiles(res.SigningStatuses); !reflect.DeepEqual(got, profiles) {
				t.Fatalf("the push signed with %v; predicted %v", got, profiles)
			}
		})
	}
}

func statusProfiles(ss []ecrapi.ImageSigningStatus) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.SigningProfileArn)
	}
	return out
}

// TestPredictorAgreesWithPushes is a differential test: for random worlds (registries in
// several accounts and regions, each with random signing and replication configurations,
// profiles and grants) and random pushes (caller, registryId, repository, tag, principal),
// a Predictor's statuses right after the push and once settled equal what the World and a
// Client produce, in the registry the push addressed.
func TestPredictorAgreesWithPushes(t *testing.T) {
	accounts := []string{DefaultAccount, "222222222222", "333333333333"}
	regions := []string{"us-east-1", "us-west-2"}
	repos := []string{"team/api", "team/web", "web", "api", "ops/team/api"}
	filters := []string{"team/*", "*api", "web", "*", "ops/*", "t*/w*"}
	prefixes := []string{"team", "te", "web", "ops/"}
	principals := []string{DefaultPrincipal, "arn:aws:iam::222222222222:role/ci"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(ss []string) string { return ss[rng.IntN(len(ss))] }
	profile := func(region string) string {
		return fmt.Sprintf("arn:aws:signer:%s:%s:/signing-profiles/p%d", region, pick(accounts), rng.IntN(3))
	}
	randomSigning := func(region string) *rules.SigningConfiguration {
		cfg := signing()
		for range rng.IntN(4) {
			r := rule(profile(region))
			for range rng.IntN(3) {
				r.RepositoryFilters = append(r.RepositoryFilters, rules.SigningRepositoryFilter{Filter: pick(filters), FilterType: rules.WildcardMatch})
			}
			cfg.Rules = append(cfg.Rules, r)
		}
		return cfg
	}
	randomReplication := func(source registryKey) *rules.ReplicationConfiguration {
		cfg := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}
		for range rng.IntN(3) {
			var r rules.ReplicationRule
			for range 1 + rng.IntN(2) {
				if d := dest(pick(accounts), pick(regions)); (registryKey{d.RegistryID, d.Region}) != source {
					r.Destinations = append(r.Destinations, d)
				}
			}
			if rng.IntN(2) == 0 {
				r.RepositoryFilters = []rules.RepositoryFilter{{Filter: pick(prefixes), FilterType: rules.PrefixMatch}}
			}
			if len(r.Destinations) > 0 {
				cfg.Rules = append(cfg.Rules, r)
			}
		}
		return cfg
	}
	const worlds, pushesPerWorld = 20, 40
	n := 0
	for wi := range worlds {
		opts := Options{SigningLatency: time.Duration(rng.IntN(3)) * time.Second, ReplicationLatency: time.Duration(rng.IntN(3)) * time.Second,
			StrictProfiles: rng.IntN(2) == 0, StrictPrincipals: rng.IntN(2) == 0, CreateRepositoryOnPush: true, SignReplicatedImages: rng.IntN(2) == 0}
		w, clk, _ := newTestWorld(WithOptions(opts))
		for range 4 {
			region := pick(regions)
			if err := w.SetProfileStatus(profile(region), ProfileStatus(pick([]string{"ACTIVE", "CANCELED", "REVOKED", "ABSENT"}))); err != nil {
				t.Fatal(err)
			}
			w.GrantProfiles(pick(principals), profile(region))
		}
		predictors := map[Caller]*Predictor{} // made once: configurations change under them
		for range pushesPerWorld {
			caller := Caller{Account: pick(accounts), Region: pick(regions), Principal: pick(principals)}
			req := &ecrapi.PutImageRequest{RepositoryName: pick(repos), ImageManifest: manifest(n), ImageTag: pick([]string{"", "v1"})}
			n++
			if rng.IntN(2) == 0 {
				req.RegistryID = pick(accounts)
			}
			addressed := w.client(Caller{Account: cmp.Or(req.RegistryID, caller.Account), Region: caller.Region})
			switch rng.IntN(4) { // reconfigure the addressed registry now and then
			case 0:
				putSigning(t, addressed, randomSigning(caller.Region))
			case 1:
				must(addressed.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: randomReplication(addressed.key(""))}))(t)
			}
			pr := predictors[caller]
			if pr == nil {
				pr = must(w.Predictor(caller, nil, nil))(t)
				predictors[caller] = pr
			}
			p := must(pr.Predict(req))(t)
			// the push is made as the addressed account (another account's registry refuses
			// it), by the same principal
			c := w.client(Caller{Account: cmp.Or(req.RegistryID, caller.Account), Region: caller.Region, Principal: caller.Principal})
			res := must(c.Push(req))(t)
			where := fmt.Sprintf("world %d, push %d by %+v to %q/%s", wi, res.Seq, caller, req.RegistryID, req.RepositoryName)
			if got, want := res.SigningStatuses, p.SigningStatuses(false); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: signing right after the push %+v; predicted %+v", where, got, want)
			}
			if got, want := res.ReplicationStatuses, p.ReplicationStatuses(false); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: replication right after the push %+v; predicted %+v", where, got, want)
			}
			clk.Advance(opts.SigningLatency + opts.ReplicationLatency)
			id := &ecrapi.ImageIdentifier{ImageDigest: res.Image.ImageID.ImageDigest}
			ss := must(c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RegistryID: req.RegistryID, RepositoryName: req.RepositoryName, ImageID: id}))(t)
			if got, want := ss.SigningStatuses, p.SigningStatuses(true); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: signing settled %+v; predicted %+v", where, got, want)
			}
			rs := must(c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RegistryID: req.RegistryID, RepositoryName: req.RepositoryName, ImageID: id}))(t)
			if got, want := rs.ReplicationStatuses, p.ReplicationStatuses(true); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: replication settled %+v; predicted %+v", where, got, want)
			}
		}
	}
}
