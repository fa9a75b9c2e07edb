package ecrhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

const (
	account  = "123456789012"
	profProd = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
	profAud  = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit"
	profWest = "arn:aws:signer:us-west-2:123456789012:/signing-profiles/west"
	devRole  = "arn:aws:iam::123456789012:role/dev"
)

// testServer is a server on a loopback port, in this process.
type testServer struct {
	URL   string
	state string
	world *sim.World
	http  *http.Server
}

// startServer writes worldJSON (if any) to a file and serves it, with a state file when
// state is set ("" for none, "auto" for a new one in a temporary directory).
func startServer(t testing.TB, worldJSON, state string, keys map[string]sim.Caller, opts ...ecrhttp.Option) *testServer {
	t.Helper()
	dir := t.TempDir()
	seed := func() (*sim.World, error) {
		if worldJSON == "" {
			return sim.New(), nil
		}
		return sim.Load(strings.NewReader(worldJSON))
	}
	var world *sim.World
	var err error
	switch state {
	case "":
		world, err = seed()
	case "auto":
		state = filepath.Join(dir, "state.db")
		fallthrough
	default:
		world, err = sim.Open(state, sim.WithSeed(seed))
	}
	if err != nil {
		t.Fatal(err)
	}
	for key, c := range keys {
		opts = append(opts, ecrhttp.WithAccessKey(key, c))
	}
	return serveWorld(t, world, state, append([]ecrhttp.Option{ecrhttp.WithLogger(testLogger(t))}, opts...)...)
}

// serveWorld serves world on a loopback port until the test ends, then shuts the server
// down and closes the world.
func serveWorld(t testing.TB, world *sim.World, state string, opts ...ecrhttp.Option) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ecrhttp.NewHandler(world, opts...), ReadHeaderTimeout: 30 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		world.Close()
	})
	return &testServer{URL: "http://" + ln.Addr().String(), state: state, world: world, http: srv}
}

// crash stops the server abruptly, as a crash would: connections are closed at once,
// requests in flight get no answer, and the store takes no more changes.
func (s *testServer) crash() {
	s.http.Close()
	s.world.Close()
}

// testLogger logs through t, so that a failing test shows what the server said.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}

// sdk returns an ECR client of the AWS SDK pointed at url, signing with accessKey in region,
// without retries so that errors surface at once.
func sdk(url, accessKey, region string) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "not-checked", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// manifest returns a distinct OCI image manifest for each n.
func manifest(n int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[]}`, n)
}

func signingRule(profile string, filters ...string) types.SigningRule {
	r := types.SigningRule{SigningProfileArn: aws.String(profile)}
	for _, f := range filters {
		r.RepositoryFilters = append(r.RepositoryFilters, types.SigningRepositoryFilter{Filter: aws.String(f), FilterType: types.SigningRepositoryFilterTypeWildcardMatch})
	}
	return r
}

// clock posts a change to the clock endpoint and returns the clock's state.
func clock(t testing.TB, url, change string) (now time.Time, frozen bool) {
	t.Helper()
	resp, err := http.Post(url+ecrhttp.AdminPrefix+"clock", "application/json", bytes.NewBufferString(change))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("clock %s: HTTP %d %s", change, resp.StatusCode, body)
	}
	var st struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	return st.Now, st.Frozen
}

// mustAs asserts that err is an API error of type T and returns it.
func mustAs[T error](t testing.TB, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("want %T, got %T: %v", target, err, err)
	}
	return target
}

func signingStatuses(t testing.TB, c *ecr.Client, repo, tag string) map[string]types.ImageSigningStatus {
	t.Helper()
	out, err := c.DescribeImageSigningStatus(context.Background(), &ecr.DescribeImageSigningStatusInput{
		RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.ImageSigningStatus{}
	for _, s := range out.SigningStatuses {
		if _, dup := m[*s.SigningProfileArn]; dup {
			t.Fatalf("two statuses for %s", *s.SigningProfileArn)
		}
		m[*s.SigningProfileArn] = s
	}
	return m
}
