package sim

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	opts := DefaultOptions()
	opts.Faults = Faults{Seed: 3, SigningFailureRate: 0.3}
	opts.SignReplicatedImages = true
	w, clk, c := newTestWorld(WithOptions(opts))
	w.SetProfileStatus(profAudit, ProfileCanceled)
	w.GrantProfiles("arn:aws:iam::123456789012:role/dev", profProd)
	putSigning(t, c, signing(rule(profProd, "team/*"), rule(profAudit)))
	must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"))}}}))(t)
	must(c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable}))(t)
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
	c2 := w2.client(Caller{})
	for _, cl := range []*client{c, c2} {
		got := statuses(t, cl, "team/api", ecrapi.ImageIdentifier{ImageTag: "v0"})
		if len(got) != 2 || got[1].FailureCode != ecrapi.FailureProfileCanceled {
			t.Fatalf("statuses %+v", got)
		}
	}
	r1, r2 := push(t, c, "team/api", 9, ""), push(t, c2, "team/api", 9, "")
	if r1.Seq != r2.Seq || !equalStatuses(r1.SigningStatuses, r2.SigningStatuses) {
		t.Fatalf("worlds diverge after load: %+v / %+v", r1, r2)
	}
}

func equalStatuses(a, b []ecrapi.ImageSigningStatus) bool {
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
	if !w.clock.State().Frozen {
		t.Fatal("the example world sets now and should run on a frozen clock")
	}
	c := w.client(Caller{})
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
		{"negative duration", `{"options": {"signingLatency": "-1s"}}`, `options.signingLatency: duration "-1s" is negative`},
		{"bad clock offset", `{"clockOffset": "later"}`, `time: invalid duration "later"`},
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
		{"pending tag of no image", `{"registries": [{"registryId": "123456789012", "region": "us-east-1", "repositories": [{"repositoryName": "ab", "pendingTags": [{"imageTag": "v1", "imageDigest": "sha256:00", "appliesAt": "2026-01-01T00:00:00Z"}]}]}]}`,
			"repositories[0].pendingTags[0]: image sha256:00 is not in the repository"},
		{"pending tag too long", `{"registries": [{"registryId": "123456789012", "region": "us-east-1", "repositories": [{"repositoryName": "ab", "pendingTags": [{"imageTag": "", "imageDigest": "sha256:00", "appliesAt": "2026-01-01T00:00:00Z"}]}]}]}`,
			"repositories[0].pendingTags[0]: image tag \"\" must have 1..300 characters"},
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
	if c := w.client(Caller{}).Caller(); c != (Caller{"111111111111", "eu-west-1", "arn:aws:iam::111111111111:role/x"}) {
		t.Fatalf("caller %+v", c)
	}
}

// runningClock is a clock following real time shifted by offset.
func runningClock(offset time.Duration) *Clock {
	c := NewClock()
	c.offset = offset
	return c
}

// TestClockState: a clock's state goes through the world file: frozen as "now", running
// with an offset as "clockOffset".
func TestClockState(t *testing.T) {
	tests := []struct {
		name       string
		clock      *Clock
		wantMember string // in the saved file; "" for neither
		wantFrozen bool
		wantOffset time.Duration
	}{
		{name: "frozen clock", clock: NewFrozenClock(t0), wantMember: `"now":"2026-01-02T03:04:05Z"`, wantFrozen: true},
		{name: "running, advanced an hour", clock: runningClock(time.Hour), wantMember: `"clockOffset":"1h0m0s"`, wantOffset: time.Hour},
		{name: "running, set back a year", clock: runningClock(-365 * 24 * time.Hour), wantMember: `"clockOffset":"-8760h0m0s"`, wantOffset: -365 * 24 * time.Hour},
		{name: "running, no offset", clock: NewClock()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(WithClock(tt.clock))
			var saved bytes.Buffer
			if err := w.SaveCompact(&saved); err != nil {
				t.Fatal(err)
			}
			file := saved.String()
			if tt.wantMember != "" && !strings.Contains(file, tt.wantMember) {
				t.Fatalf("saved world %s lacks %s", file, tt.wantMember)
			}
			if tt.wantMember == "" && (strings.Contains(file, `"now"`) || strings.Contains(file, `"clockOffset"`)) {
				t.Fatalf("saved world %s has a clock state", file)
			}
			w2 := must(Load(strings.NewReader(file)))(t)
			st := w2.Clock().State()
			if st.Frozen != tt.wantFrozen || st.Offset != tt.wantOffset {
				t.Fatalf("loaded clock frozen=%v offset=%v; want %v, %v", st.Frozen, st.Offset, tt.wantFrozen, tt.wantOffset)
			}
			if st.Frozen && !st.Now.Equal(t0) {
				t.Fatalf("loaded clock shows %v; want %v", st.Now, t0)
			}
			if d := st.Now.Sub(time.Now().Add(tt.wantOffset)); !st.Frozen && (d < -time.Minute || d > time.Minute) {
				t.Fatalf("loaded running clock shows %v, %v from real time shifted by %v", st.Now, d, tt.wantOffset)
			}
		})
	}
	_, err := Load(strings.NewReader(`{"now": "2026-01-01T00:00:00Z", "clockOffset": "1h"}`))
	if err == nil || !strings.Contains(err.Error(), "exclude each other") {
		t.Fatalf("now and clockOffset together: %v", err)
	}
}

// TestSaveCompact: SaveCompact writes the same world as Save, without indentation.
func TestSaveCompact(t *testing.T) {
	w, _, c := newTestWorld()
	putSigning(t, c, signing(rule(profProd, "team/*")))
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	var indented, compact bytes.Buffer
	if err := w.Save(&indented); err != nil {
		t.Fatal(err)
	}
	if err := w.SaveCompact(&compact); err != nil {
		t.Fatal(err)
	}
	if strings.Count(compact.String(), "\n") != 1 || !strings.HasPrefix(indented.String(), "{\n  ") {
		t.Fatalf("compact output has line breaks or indented output has none:\n%s\n%s", compact.String(), indented.String())
	}
	var want bytes.Buffer
	if err := json.Compact(&want, indented.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSpace(compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("compact output differs from the indented one:\n%s\n%s", got, want.Bytes())
	}
}

// TestSetClock: SetClock moves the world to another clock; statuses settle by it.
func TestSetClock(t *testing.T) {
	w, _, c := newTestWorld()
	putSigning(t, c, signing(rule(profProd)))
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	later := NewFrozenClock(t0.Add(DefaultSigningLatency))
	w.setClock(later)
	if w.Clock() != later || !w.now().Equal(later.Now()) {
		t.Fatalf("Clock() = %v after SetClock", w.Clock())
	}
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); got[0].Status != ecrapi.StatusComplete {
		t.Fatalf("statuses on the new clock %+v", got)
	}
	w.setClock(nil)
	if st := w.Clock().State(); st.Frozen || st.Offset != 0 {
		t.Fatalf("SetClock(nil) set a clock in state %+v, want one following real time", st)
	}
}
