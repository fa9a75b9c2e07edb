package bench

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// The serve benchmarks push from 64 concurrent clients, each re-pushing a pool of 16
// manifests so that the world (and a state file's size) stays bounded however long the
// benchmark runs. Engines, measured in the same run:
//
//   - direct: sim.Client.PutImage in process, the baseline;
//   - http: the AWS SDK for Go v2 against `ecrsign serve` on a loopback port;
//   - http+state: the same, saving the state file before each push is acknowledged.
//
// Besides ns/op (per push, all clients together) each reports p50 and p99 latency of one push.

const (
	serveClients   = 64
	serveManifests = 16
	serveProfile   = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/bench"
)

func serveManifest(client, n int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[]}`, client<<16|n)
}

// serveTag is the one tag a client pushes with: it moves to each manifest of the client's
// pool in turn, so that every push is accepted (PutImage refuses the manifest its tag names
// already: ImageAlreadyExistsException).
func serveTag(client int) string { return fmt.Sprintf("client-%d", client) }

func BenchmarkServePush(b *testing.B) {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: serveProfile}}}
	repos := func(n int) string { return fmt.Sprintf("team/svc-%d", n%8) }

	b.Run("engine=direct", func(b *testing.B) {
		w := sim.New()
		c := w.Client(sim.Caller{})
		if _, err := c.PutSigningConfiguration(&sim.PutSigningConfigurationRequest{SigningConfiguration: cfg}); err != nil {
			b.Fatal(err)
		}
		for i := range 8 {
			c.CreateRepository(&sim.CreateRepositoryRequest{RepositoryName: repos(i)})
		}
		runClients(b, func(client int) func(i int) error {
			return func(i int) error {
				_, err := c.PutImage(&sim.PutImageRequest{RepositoryName: repos(client), ImageManifest: serveManifest(client, i%serveManifests), ImageTag: serveTag(client)})
				return err
			}
		})
	})
	for _, withState := range []bool{false, true} {
		name := "engine=http"
		if withState {
			name = "engine=http+state"
		}
		b.Run(name, func(b *testing.B) {
			sc := ecrhttp.ServeConfig{Logger: slog.New(slog.DiscardHandler)}
			if withState {
				sc.StateFile = filepath.Join(b.TempDir(), "state.json")
			}
			srv, err := ecrhttp.NewServer(sc)
			if err != nil {
				b.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go srv.Serve(ln)
			defer srv.Close()
			url := "http://" + ln.Addr().String()
			newClient := func() *ecr.Client {
				return ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
					Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "x", ""), Retryer: aws.NopRetryer{}})
			}
			ctx := context.Background()
			setup := newClient()
			if _, err := setup.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{
				Rules: []types.SigningRule{{SigningProfileArn: aws.String(serveProfile)}}}}); err != nil {
				b.Fatal(err)
			}
			for i := range 8 {
				setup.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repos(i))})
			}
			runClients(b, func(client int) func(i int) error {
				c := newClient()
				return func(i int) error {
					_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(repos(client)), ImageManifest: aws.String(serveManifest(client, i%serveManifests)), ImageTag: aws.String(serveTag(client))})
					return err
				}
			})
		})
	}
}

// runClients runs b.N pushes spread over serveClients goroutines, each with the push
// function newClient makes for it, and reports the latency percentiles of one push.
func runClients(b *testing.B, newClient func(client int) func(i int) error) {
	pushes := make([]func(int) error, serveClients)
	for n := range pushes {
		pushes[n] = newClient(n)
	}
	var next atomic.Int64
	latencies := make([][]time.Duration, serveClients)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	wg.Add(serveClients)
	for n := range serveClients {
		go func() {
			defer wg.Done()
			for i := 0; next.Add(1) <= int64(b.N); i++ {
				start := time.Now()
				if err := pushes[n](i); err != nil {
					failed.Store(err)
					return
				}
				latencies[n] = append(latencies[n], time.Since(start))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	all := slices.Sorted(slices.Values(slices.Concat(latencies...)))
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}
