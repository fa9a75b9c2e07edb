package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// The serve benchmarks measure `ecrsign serve` with its store, fsync on, from 64 concurrent
// clients each pushing new manifests to a repository of its own. Load generators, measured
// in the same run:
//
//   - direct: the simulator's PutImage (World.Client) on a world in memory, in process: the ceiling;
//   - store: the simulator's PutImage (World.Client) on a world with a store, in process: the store's cost;
//   - raw: HTTP clients that send the protocol's JSON themselves (as wrk or hey would);
//   - sdk: the AWS SDK for Go v2 (its signing and middleware cost dominates).
//
// Besides ns/op (per acknowledged request, all clients together) each reports acks/s (or
// reads/s) and the p50 and p99 latency of one request.

const (
	serveClients = 64
	serveProfile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/bench"
)

func serveManifest(client, n int) string {
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[]}`, client<<32|n)
}

func serveRepo(client int) string { return fmt.Sprintf("team/svc-%d", client) }

// benchWorld opens a world with a store in a temporary directory, with a signing
// configuration and one repository per client.
func benchWorld(b *testing.B) *sim.World {
	w, err := sim.Open(filepath.Join(b.TempDir(), "state.db"), sim.WithSeed(func() (*sim.World, error) {
		return seedWorld(0)
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	return w
}

// fillPerRepository is how many of seedWorld's images one repository holds: a quarter of
// ECR's quota, since completed signatures count against it too.
const fillPerRepository = sim.DefaultMaxImagesPerRepository / 4

// seedWorld returns a world in memory with the signing configuration, one repository per
// client and images images in a repository of their own.
func seedWorld(images int) (*sim.World, error) {
	w := sim.New(sim.WithOptions(sim.Options{SigningLatency: time.Second, CreateRepositoryOnPush: true}))
	c := w.Client(sim.Caller{})
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: serveProfile}}}
	if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}); err != nil {
		return nil, err
	}
	for n := range serveClients {
		if _, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: serveRepo(n)}); err != nil {
			return nil, err
		}
	}
	for i := range images {
		if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: fmt.Sprintf("fill/r%d", i/fillPerRepository), ImageManifest: serveManifest(1<<20, i)}); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// BenchmarkStoreAck measures one acknowledged PutImage (committed and fsynced, one client)
// in worlds holding 1k, 10k and 100k images: the cost of an acknowledgement must not grow
// with the world.
func BenchmarkStoreAck(b *testing.B) {
	for _, images := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("images=%d", images), func(b *testing.B) {
			w, err := sim.Open(filepath.Join(b.TempDir(), "state.db"), sim.WithSeed(func() (*sim.World, error) { return seedWorld(images) }))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			c := w.Client(sim.Caller{})
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: serveRepo(0), ImageManifest: serveManifest(0, i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServePush: acknowledged PutImage from 64 concurrent clients, fsync on, each into
// a repository of its own, and (repos=1) all into one.
func BenchmarkServePush(b *testing.B) {
	b.Run("engine=direct", func(b *testing.B) {
		w, err := seedWorld(0)
		if err != nil {
			b.Fatal(err)
		}
		c := w.Client(sim.Caller{})
		runClients(b, "acks/s", func(client int) func(i int) error {
			return func(i int) error {
				_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: serveRepo(client), ImageManifest: serveManifest(client, i)})
				return err
			}
		})
	})
	b.Run("engine=store", func(b *testing.B) {
		c := benchWorld(b).Client(sim.Caller{})
		runClients(b, "acks/s", func(client int) func(i int) error {
			return func(i int) error {
				_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: serveRepo(client), ImageManifest: serveManifest(client, i)})
				return err
			}
		})
	})
	b.Run("engine=raw", func(b *testing.B) {
		url := serveBench(b, benchWorld(b))
		runClients(b, "acks/s", func(client int) func(i int) error {
			raw := newRawClient(url)
			return func(i int) error {
				return raw.call("PutImage", fmt.Sprintf(`{"repositoryName":%q,"imageManifest":%s}`, serveRepo(client), strconv.Quote(serveManifest(client, i))))
			}
		})
	})
	b.Run("engine=wrk", func(b *testing.B) {
		url := serveBench(b, benchWorld(b))
		runClients(b, "acks/s", func(client int) func(i int) error {
			c := newWrkClient(b, url)
			return func(i int) error {
				return c.call("PutImage", fmt.Sprintf(`{"repositoryName":%q,"imageManifest":%s}`, serveRepo(client), strconv.Quote(serveManifest(client, i))))
			}
		})
	})
	b.Run("engine=sdk", func(b *testing.B) {
		url := serveBench(b, benchWorld(b))
		ctx := context.Background()
		runClients(b, "acks/s", func(client int) func(i int) error {
			c := sdkClient(url)
			return func(i int) error {
				_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(serveRepo(client)), ImageManifest: aws.String(serveManifest(client, i))})
				return err
			}
		})
	})
	// all 64 clients into one repository: their pushes share it and its commits
	b.Run("engine=store/repos=1", func(b *testing.B) {
		c := benchWorld(b).Client(sim.Caller{})
		runClients(b, "acks/s", func(client int) func(i int) error {
			return func(i int) error {
				_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: serveRepo(0), ImageManifest: serveManifest(client, i)})
				return err
			}
		})
	})
	b.Run("engine=wrk/repos=1", func(b *testing.B) {
		url := serveBench(b, benchWorld(b))
		runClients(b, "acks/s", func(client int) func(i int) error {
			c := newWrkClient(b, url)
			return func(i int) error {
				return c.call("PutImage", fmt.Sprintf(`{"repositoryName":%q,"imageManifest":%s}`, serveRepo(0), strconv.Quote(serveManifest(client, i))))
			}
		})
	})
}

// BenchmarkServeRead: DescribeImageSigningStatus from 64 concurrent clients, each of one of
// 16 images it pushed, while nothing is written.
func BenchmarkServeRead(b *testing.B) {
	const pushed = 16
	setup := func(b *testing.B) (*sim.World, string) {
		w := benchWorld(b)
		c := w.Client(sim.Caller{})
		for client := range serveClients {
			for i := range pushed {
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: serveRepo(client), ImageManifest: serveManifest(client, i)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		return w, serveBench(b, w)
	}
	b.Run("engine=raw", func(b *testing.B) {
		_, url := setup(b)
		runClients(b, "reads/s", func(client int) func(i int) error {
			raw := newRawClient(url)
			return func(i int) error {
				return raw.call("DescribeImageSigningStatus", fmt.Sprintf(`{"repositoryName":%q,"imageId":{"imageDigest":%q}}`, serveRepo(client), ecrapi.Digest(serveManifest(client, i%pushed))))
			}
		})
	})
	b.Run("engine=wrk", func(b *testing.B) {
		_, url := setup(b)
		runClients(b, "reads/s", func(client int) func(i int) error {
			c := newWrkClient(b, url)
			bodies := make([]string, pushed)
			for i := range bodies {
				bodies[i] = fmt.Sprintf(`{"repositoryName":%q,"imageId":{"imageDigest":%q}}`, serveRepo(client), ecrapi.Digest(serveManifest(client, i)))
			}
			return func(i int) error { return c.call("DescribeImageSigningStatus", bodies[i%pushed]) }
		})
	})
	b.Run("engine=sdk", func(b *testing.B) {
		_, url := setup(b)
		ctx := context.Background()
		runClients(b, "reads/s", func(client int) func(i int) error {
			c := sdkClient(url)
			return func(i int) error {
				_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String(serveRepo(client)),
					ImageId: &ecrtypes.ImageIdentifier{ImageDigest: aws.String(ecrapi.Digest(serveManifest(client, i%pushed)))}})
				return err
			}
		})
	})
}

// serveBench serves w on a loopback port as `ecrsign serve` does, until the benchmark ends.
func serveBench(b *testing.B, w *sim.World) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ecrhttp.Serve(ctx, ln, w, ecrhttp.WithLogger(slog.New(slog.DiscardHandler))) }()
	b.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String()
}

func sdkClient(url string) *ecr.Client {
	return ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "x", ""), Retryer: aws.NopRetryer{}})
}

// rawClient speaks the protocol with net/http alone, on one kept-alive connection.
type rawClient struct {
	url    string
	client *http.Client
}

func newRawClient(url string) *rawClient {
	return &rawClient{url: url, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}
}

func (c *rawClient) call(op, body string) error {
	req, err := http.NewRequest(http.MethodPost, c.url+"/", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Target", ecrhttp.TargetPrefix+op)
	req.Header.Set("Content-Type", ecrhttp.ContentType)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: HTTP %d %s", op, resp.StatusCode, out)
	}
	return err
}

// wrkClient is a load generator in the manner of wrk: one kept-alive TCP connection, the
// request written as bytes, the answer's status line and Content-Length read and its body
// skipped, so that the client costs a fraction of what net/http's does.
type wrkClient struct {
	conn net.Conn
	r    *bufio.Reader
	host string
	buf  []byte
}

func newWrkClient(b *testing.B, url string) *wrkClient {
	host := strings.TrimPrefix(url, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return &wrkClient{conn: conn, r: bufio.NewReaderSize(conn, 64<<10), host: host}
}

func (c *wrkClient) call(op, body string) error {
	c.buf = fmt.Appendf(c.buf[:0], "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: %s%s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		c.host, ecrhttp.TargetPrefix, op, ecrhttp.ContentType, len(body), body)
	if _, err := c.conn.Write(c.buf); err != nil {
		return err
	}
	status, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	ok := bytes.HasPrefix(status, []byte("HTTP/1.1 200 "))
	length := -1
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, found := bytes.CutPrefix(bytes.ToLower(line), []byte("content-length:")); found {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil {
				return err
			}
		}
	}
	if length < 0 {
		return fmt.Errorf("%s: an answer without Content-Length: %q", op, status)
	}
	if _, err := c.r.Discard(length); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: %s", op, bytes.TrimSpace(status))
	}
	return nil
}

// runClients runs b.N requests spread over serveClients goroutines, each with the request
// function newClient makes for it, and reports the rate (as unit) and the latency
// percentiles of one request.
func runClients(b *testing.B, unit string, newClient func(client int) func(i int) error) {
	calls := make([]func(int) error, serveClients)
	for n := range calls {
		calls[n] = newClient(n)
	}
	var next atomic.Int64
	latencies := make([][]time.Duration, serveClients)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for n := range serveClients {
		wg.Go(func() {
			for i := 0; next.Add(1) <= int64(b.N); i++ {
				t := time.Now()
				if err := calls[n](i); err != nil {
					failed.Store(err)
					return
				}
				latencies[n] = append(latencies[n], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	all := slices.Sorted(slices.Values(slices.Concat(latencies...)))
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), unit)
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkServeWrk measures the server with wrk (https://github.com/wg/wrk, Debian's
// package) as a separate process, with the Lua scripts of bench/wrk: PutImage from 64
// connections into 64 repositories and into one, and DescribeImageSigningStatus of 1,024
// images. The server runs in this process (so that -cpuprofile, -blockprofile and
// -mutexprofile see it and wrk's CPU is not counted), fsync on. One op is one wrk run of
// ECRSIGN_WRK_DURATION (default 5s): run it with -benchtime 1x. Besides wrk's rate and
// latency percentiles it reports the server's CPU time per request (cpu-µs/req) and the
// store's commits per second (commits/s: one transaction and its fsyncs each).
func BenchmarkServeWrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (apt-get install wrk)")
	}
	duration := cmp.Or(os.Getenv("ECRSIGN_WRK_DURATION"), "5s")
	open := func(b *testing.B) *sim.World {
		limits := sim.DefaultLimits()
		limits.ImagesPerRepository = 0 // one repository takes every push of the run
		w, err := sim.Open(filepath.Join(b.TempDir(), "state.db"), sim.WithSeed(func() (*sim.World, error) { return seedWorld(0) }),
			sim.WithLimits(limits))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { w.Close() })
		return w
	}
	run := func(b *testing.B, w *sim.World, unit string, args ...string) {
		url := serveBench(b, w)
		for range b.N {
			var before, after syscall.Rusage
			commits := w.StoreCommits()
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			out, err := exec.Command(wrk, append([]string{"-t2", "-c64", "-d" + duration, "--latency"}, append(args[:1:1], append([]string{url + "/", "--"}, args[1:]...)...)...)...).CombinedOutput()
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			commits = w.StoreCommits() - commits
			if err != nil {
				b.Fatalf("wrk: %v\n%s", err, out)
			}
			r := parseWrk(b, out)
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(r.rate, unit)
			b.ReportMetric(float64(r.p50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(r.p99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu.Microseconds())/float64(r.requests), "cpu-µs/req")
			b.ReportMetric(float64(commits)/r.elapsed.Seconds(), "commits/s")
		}
	}
	b.Run("push/repos=64", func(b *testing.B) { run(b, open(b), "acks/s", "-swrk/putimage.lua", "64", "2") })
	b.Run("push/repos=1", func(b *testing.B) { run(b, open(b), "acks/s", "-swrk/putimage.lua", "1", "2") })
	b.Run("read", func(b *testing.B) {
		w := open(b)
		c := w.Client(sim.Caller{})
		var lua strings.Builder
		lua.WriteString("digests = {\n")
		for r := range 64 {
			for i := range 16 {
				// the manifests of bench/wrk/seed.go
				m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%032x%032x","size":2},"layers":[]}`, r, i)
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: fmt.Sprintf("bench/svc-%d", r), ImageManifest: m}); err != nil {
					b.Fatal(err)
				}
				fmt.Fprintf(&lua, "  %q,\n", ecrapi.Digest(m))
			}
		}
		lua.WriteString("}\n")
		digests := filepath.Join(b.TempDir(), "digests.lua")
		if err := os.WriteFile(digests, []byte(lua.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		run(b, w, "reads/s", "-swrk/describe.lua", "64", "16", digests)
	})
}

type wrkResult struct {
	rate     float64
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
}

// parseWrk reads wrk's summary; answers that are not 2xx fail the benchmark.
func parseWrk(b *testing.B, out []byte) wrkResult {
	var r wrkResult
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case strings.HasPrefix(line, "Requests/sec:"):
			r.rate, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 5 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.Atoi(f[0])
			r.elapsed, _ = time.ParseDuration(strings.TrimSuffix(f[3], ","))
		case f[0] == "50%" && len(f) == 2:
			r.p50, _ = time.ParseDuration(f[1])
		case f[0] == "99%" && len(f) == 2:
			r.p99, _ = time.ParseDuration(f[1])
		case strings.HasPrefix(line, "  Non-2xx"), strings.HasPrefix(line, "  Socket errors"):
			b.Fatalf("wrk: %s\n%s", strings.TrimSpace(line), out)
		}
	}
	if r.requests == 0 || r.rate == 0 || r.elapsed == 0 {
		b.Fatalf("wrk: no summary in its output:\n%s", out)
	}
	return r
}
