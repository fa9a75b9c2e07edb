package sim

import (
	"reflect"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
)

func TestPredict(t *testing.T) {
	cfg := signing(rule(profProd, "team/*", "*/api"), rule(profAudit, "*api"), rule(profProd, "*"))
	repl := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		replRule([]string{"team"}, dest("123456789012", "us-west-2")),
		replRule([]string{"te"}, dest("123456789012", "us-west-2"), dest("210987654321", "us-east-1")),
	}}
	p := must(Predict(cfg, repl, &PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(1), ImageTag: "v1"}))(t)
	want := []SigningPrediction{
		{AfterPush: ImageSigningStatus{SigningProfileArn: profProd, Status: StatusInProgress}, Settled: ImageSigningStatus{SigningProfileArn: profProd, Status: StatusComplete},
			Causes: []Cause{{Rule: 0, Filter: 0, FilterText: "team/*"}, {Rule: 2, Filter: 0, FilterText: "*"}}},
		{AfterPush: ImageSigningStatus{SigningProfileArn: profAudit, Status: StatusInProgress}, Settled: ImageSigningStatus{SigningProfileArn: profAudit, Status: StatusComplete},
			Causes: []Cause{{Rule: 1, Filter: 0, FilterText: "*api"}}},
	}
	if !reflect.DeepEqual(p.Signing, want) {
		t.Fatalf("signing\n got %+v\nwant %+v", p.Signing, want)
	}
	if p.ImageID.ImageDigest != Digest(manifest(1)) || p.RegistryID != DefaultAccount || p.Referrer {
		t.Fatalf("prediction %+v", p)
	}
	wantRepl := []ReplicationPrediction{
		{AfterPush: ImageReplicationStatus{Region: "us-west-2", RegistryID: "123456789012", Status: StatusInProgress}, Settled: ImageReplicationStatus{Region: "us-west-2", RegistryID: "123456789012", Status: StatusComplete},
			Causes: []Cause{{Rule: 0, Filter: 0, FilterText: "team"}, {Rule: 1, Filter: 0, FilterText: "te"}}},
		{AfterPush: ImageReplicationStatus{Region: "us-east-1", RegistryID: "210987654321", Status: StatusInProgress}, Settled: ImageReplicationStatus{Region: "us-east-1", RegistryID: "210987654321", Status: StatusComplete},
			Causes: []Cause{{Rule: 1, Filter: 0, FilterText: "te"}}},
	}
	if !reflect.DeepEqual(p.Replication, wantRepl) {
		t.Fatalf("replication\n got %+v\nwant %+v", p.Replication, wantRepl)
	}
	if got := p.SigningStatuses(true); len(got) != 2 || got[0].Status != StatusComplete {
		t.Fatalf("SigningStatuses(true) = %+v", got)
	}
	if got := p.ReplicationStatuses(false); len(got) != 2 || got[1].Status != StatusInProgress {
		t.Fatalf("ReplicationStatuses(false) = %+v", got)
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
		req := &PutImageRequest{RepositoryName: name, ImageManifest: manifest(i)}
		p := must(pr.Predict(req))(t)
		createRepo(t, c, name)
		res := must(c.Push(req))(t)
		if !reflect.DeepEqual(p.SigningStatuses(false), res.SigningStatuses) {
			t.Fatalf("%s: predicted after push %+v, pushed %+v", name, p.SigningStatuses(false), res.SigningStatuses)
		}
		clk.Advance(DefaultSigningLatency)
		got := statuses(t, c, name, ImageIdentifier{ImageDigest: res.Image.ImageID.ImageDigest})
		if !reflect.DeepEqual(p.SigningStatuses(true), got) {
			t.Fatalf("%s: predicted settled %+v, described %+v", name, p.SigningStatuses(true), got)
		}
	}
}

func TestPredictErrorsAndReferrers(t *testing.T) {
	_, err := Predict(signing(rule(profWest)), nil, &PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)})
	wantAPIError(t, err, "ValidationException", "is 'us-west-2' but must be 'us-east-1'")
	_, err = Predict(nil, &rules.ReplicationConfiguration{}, &PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)})
	wantAPIError(t, err, "ValidationException", "'replicationConfiguration.rules'")
	_, err = Predict(nil, nil, &PutImageRequest{RepositoryName: "AB", ImageManifest: manifest(1)})
	wantAPIError(t, err, "InvalidParameterException", "'repositoryName'")
	_, err = Predict(nil, nil, nil)
	wantAPIError(t, err, "InvalidParameterException", "")
	_, err = New().Predictor(Caller{Account: "x"}, nil, nil)
	wantAPIError(t, err, "InvalidParameterException", "")

	p := must(Predict(signing(rule(profProd)), nil, &PutImageRequest{RepositoryName: "ab", ImageManifest: referrer(Digest(manifest(1)))}))(t)
	if !p.Referrer || len(p.Signing) != 0 {
		t.Fatalf("referrer prediction %+v", p)
	}
	p = must(Predict(nil, nil, &PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)}))(t)
	if p.Signing == nil || len(p.Signing) != 0 || p.Replication == nil {
		t.Fatalf("no configuration: %+v", p)
	}
}
