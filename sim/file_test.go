package sim

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	opts := DefaultOptions()
	opts.Faults = Faults{Seed: 3, SigningFailureRate: 0.3}
	opts.SignReplicatedImages = true
	w, clk, c := newTestWorld(WithOptions(opts))
	w.SetProfileStatus(profAudit, ProfileCanceled)
	w.GrantProfiles("arn:aws:iam::123456789012:role/dev", profProd)
	putSigning(t, c, signing(rule(profProd, "team/*"), rule(profAudit)))
	must(c.PutReplicationConfiguration(&PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"))}}}))(t)
	must(c.CreateRepository(&CreateRepositoryRequest{RepositoryName: "team/api", ImageTagMutability: TagImmutable}))(t)
	for i := 0; i < 5; i++ {
		push(t, c, "team/api", i, "v"+string(rune('0'+i)))
		clk.Advance(time.Second)
	}
	var first bytes.Buffer
	if err := w.Save(&first); err != nil {
		t.Fatal(err)
	}
	w2, err := Load(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("load of a saved world: %v", err)
	}
	var second bytes.Buffer
	if err := w2.Save(&second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatalf("save -> load -> save differs:\n%s\n---\n%s", first.String(), second.String())
	}
	// The loaded world answers as the original, and carries on.
	c2 := w2.Client(Caller{})
	for _, cl := range []*Client{c, c2} {
		got := statuses(t, cl, "team/api", ImageIdentifier{ImageTag: "v0"})
		if len(got) != 2 || got[1].FailureCode != FailureProfileCanceled {
			t.Fatalf("statuses %+v", got)
		}
	}
	r1, r2 := push(t, c, "team/api", 9, ""), push(t, c2, "team/api", 9, "")
	if r1.Seq != r2.Seq || !equalStatuses(r1.SigningStatuses, r2.SigningStatuses) {
		t.Fatalf("worlds diverge after load: %+v / %+v", r1, r2)
	}
}

func equalStatuses(a, b []ImageSigningStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadExampleWorld(t *testing.T) {
	f, err := os.Open("../examples/world.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.clock.(*ManualClock); !ok {
		t.Fatal("the example world sets now and should run on a manual clock")
	}
	c := w.Client(Caller{})
	cfg := must(c.GetSigningConfiguration(nil))(t)
	if len(cfg.SigningConfiguration.Rules) == 0 {
		t.Fatal("example world has no signing rules")
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"not JSON", "{\n\"options\": }", "world file: line 2: invalid character"},
		{"unknown member", `{"registry": []}`, `unknown field "registry"`},
		{"wrong type", `{"profiles": []}`, "line 1: json: cannot unmarshal array"},
		{"trailing data", `{} {}`, "data after the JSON object"},
		{"bad duration", `{"options": {"signingLatency": "soon"}}`, `time: invalid duration "soon"`},
		{"negative duration", `{"options": {"signingLatency": "-1s"}}`, "negative"},
		{"bad rate", `{"options": {"faults": {"seed": 1, "serverErrorRate": 2}}}`, "options.faults.serverErrorRate: 2 is not a probability"},
		{"bad profile status", `{"profiles": {"` + profProd + `": "active"}}`, `status "active" is not ACTIVE`},
		{"bad profile ARN", `{"profiles": {"arn:aws:signer:us-east-1:1:/signing-profiles/p": "ACTIVE"}}`, "account \"1\" must be 12 digits"},
		{"bad grant", `{"principals": {"me": ["prod"]}}`, `principals["me"]`},
		{"bad default registry", `{"defaultRegistry": {"registryId": "1", "region": "us-east-1"}}`, "defaultRegistry"},
		{"bad configuration", `{"registries": [{"registryId": "123456789012", "region": "us-east-1", "signingConfiguration": {"rules": [{"signingProfileArn": "` + profProd + `", "repositoryFilters": [{"filter": "Team/*", "filterType": "WILDCARD_MATCH"}]}]}}]}`,
			"registries[0]: signingConfiguration: ValidationException: 1 validation error detected: Value 'Team/*'"},
		{"cross-region configuration", `{"registries": [{"registryId": "123456789012", "region": "eu-west-1", "signingConfiguration": {"rules": [{"signingProfileArn": "` + profProd + `"}]}}]}`,
			"is 'us-east-1' but must be 'eu-west-1'"},
		{"registry twice", `{"registries": [{"registryId": "123456789012", "region": "us-east-1"}, {"registryId": "123456789012", "region": "us-east-1"}]}`, "registries[1]: registry 123456789012 in us-east-1 is listed twice"},
		{"bad repository", `{"registries": [{"registryId": "123456789012", "region": "us-east-1", "repositories": [{"repositoryName": "A"}]}]}`, "registries[0]: repositories[0]: repository name"},
		{"bad digest", `{"registries": [{"registryId": "123456789012", "region": "us-east-1", "repositories": [{"repositoryName": "ab", "images": [{"imageDigest": "sha256:00", "imageManifest": "{}", "imageManifestMediaType": "x", "pushes": 1, "visibleAt": "2026-01-01T00:00:00Z"}]}]}]}`,
			"repositories[0].images[0]: imageDigest \"sha256:00\" is not the digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadAppliesOptions(t *testing.T) {
	w := must(Load(strings.NewReader(`{"defaultRegistry": {"registryId": "111111111111", "region": "eu-west-1"}, "defaultPrincipal": "arn:aws:iam::111111111111:role/x", "options": {"signingLatency": "0s", "strictProfiles": true, "strictPrincipals": true, "signReplicatedImages": true, "createRepositoryOnPush": true}}`)))(t)
	o := w.Options()
	if o.SigningLatency != 0 || o.ReplicationLatency != DefaultReplicationLatency || !o.StrictProfiles || !o.StrictPrincipals || !o.SignReplicatedImages || !o.CreateRepositoryOnPush {
		t.Fatalf("options %+v", o)
	}
	if c := w.Client(Caller{}).Caller(); c != (Caller{"111111111111", "eu-west-1", "arn:aws:iam::111111111111:role/x"}) {
		t.Fatalf("caller %+v", c)
	}
}
