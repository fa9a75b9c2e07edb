package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

const (
	profProd   = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
	profAudit  = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit"
	profShared = "arn:aws:signer:us-east-1:210987654321:/signing-profiles/shared" // another account
	profWest   = "arn:aws:signer:us-west-2:123456789012:/signing-profiles/west"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestWorld returns a default world on a manual clock and a client of the default caller.
func newTestWorld(opts ...Option) (*World, *Clock, *client) {
	clk := NewFrozenClock(t0)
	w := New(append([]Option{WithClock(clk)}, opts...)...)
	return w, clk, w.client(Caller{})
}

func rule(profile string, filters ...string) rules.SigningRule {
	r := rules.SigningRule{SigningProfileArn: profile}
	for _, f := range filters {
		r.RepositoryFilters = append(r.RepositoryFilters, rules.SigningRepositoryFilter{Filter: f, FilterType: rules.WildcardMatch})
	}
	return r
}

func signing(rs ...rules.SigningRule) *rules.SigningConfiguration {
	return &rules.SigningConfiguration{Rules: append([]rules.SigningRule{}, rs...)}
}

func replRule(prefixes []string, dests ...rules.ReplicationDestination) rules.ReplicationRule {
	r := rules.ReplicationRule{Destinations: dests}
	for _, p := range prefixes {
		r.RepositoryFilters = append(r.RepositoryFilters, rules.RepositoryFilter{Filter: p, FilterType: rules.PrefixMatch})
	}
	return r
}

func dest(account, region string) rules.ReplicationDestination {
	return rules.ReplicationDestination{RegistryID: account, Region: region}
}

// manifest returns a distinct OCI image manifest for each n.
func manifest(n int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[]}`, n)
}

// referrer returns a signature manifest whose subject is digest.
func referrer(digest string) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":100}}`, digest)
}

func index(digests ...string) string {
	s := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[`
	for i, d := range digests {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":100}`, d)
	}
	return s + "]}"
}

// must(f())(t) returns f's value and fails the test on its error.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantAPIError checks that err is the named exception and its message contains msg.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae *ecrapi.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not a *ecrapi.Error; want %s", err, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s: %s; want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && !contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s message %q does not contain %q", code, ae.ErrorMessage(), msg)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func createRepo(t *testing.T, c *client, name string) {
	t.Helper()
	must(c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: name}))(t)
}

func statuses(t *testing.T, c *client, repo string, id ecrapi.ImageIdentifier) []ecrapi.ImageSigningStatus {
	t.Helper()
	out := must(c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: repo, ImageID: &id}))(t)
	return out.SigningStatuses
}
