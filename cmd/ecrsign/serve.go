package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

func init() {
	register(command{
		name:    "serve",
		summary: "serve the simulator as an ECR-compatible endpoint for SDKs and the AWS CLI",
		run:     runServe,
	})
}

const serveHelp = `usage: ecrsign serve [--addr HOST:PORT] [--world FILE] [--state FILE] [--access-key KEY=SECRET[=ACCOUNT|ARN]]... [--verify-signatures] [--no-admin] [limits]

Serves the simulator over the ECR wire protocol (AWS JSON 1.1, POST / with X-Amz-Target
AmazonEC2ContainerRegistry_V20150921.<Operation>), so tools that use an AWS SDK or the AWS CLI
run unchanged against it, and the OCI distribution protocol on /v2/ (docker, crane, oras),
logged in with user AWS and the password of aws ecr get-login-password. The server listens on loopback by default; SIGINT or SIGTERM shut it
down gracefully.

Without --verify-signatures, signatures and credentials are NOT checked: the access key id
only selects the calling account and principal (--access-key KEY=ACCOUNT|ARN). With it, every
request's SigV4 signature is recomputed with the secret of its key (--access-key
KEY=SECRET[=ACCOUNT|ARN]); an unknown key or a wrong signature is refused with HTTP 403.

With --state, the world lives in an embedded transactional store (bbolt) in FILE: created
from --world (or the defaults) when FILE does not exist, loaded otherwise. Every change is
durable before it is acknowledged or visible, so a crash loses nothing acknowledged. One
server holds a state file at a time; a second one exits 2 naming the holder. A JSON state
file of an earlier release is migrated (the old file is kept as FILE.v0.json).

The admin endpoints under /_ecrsign/ (clock control, world dump) refuse requests from web
pages (an Origin header, a foreign Host, a POST that is not application/json); --no-admin
turns them off.

Example:

  ecrsign serve --addr 127.0.0.1:8645 --world examples/world.json --state /tmp/ecr.state
  aws ecr get-signing-configuration --endpoint-url http://127.0.0.1:8645 --region us-east-1
`

// serveGCPercent is the garbage collector's target of `ecrsign serve` (GOGC; Go's default is
// 100): a server's live heap is its world, and each request makes garbage of its own, so
// collecting half as often costs half again as much peak heap and saves about 5% of the CPU of an
// acknowledged push (bench/README.md, "The store and serve"). GOGC in the environment wins.
const serveGCPercent = 200

// serveContext returns the context that ends the server: SIGINT or SIGTERM. Tests replace it.
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// accessKeys collects repeated --access-key flags.
type accessKeys []ecrhttp.AccessKey

func (a *accessKeys) String() string { return "" }

func (a *accessKeys) Set(s string) error {
	k, err := ecrhttp.ParseAccessKey(s)
	if err != nil {
		return err
	}
	*a = append(*a, k)
	return nil
}

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", serveHelp, stdout, stderr)
	addr := fs.String("addr", ecrhttp.DefaultAddr, "`HOST:PORT` to listen on (port 0 picks a free one)")
	world := fs.String("world", "", "world `FILE` to start from (ignored when the state file exists)")
	state := fs.String("state", "", "state `FILE`: the store every change is committed to before it is acknowledged")
	var keys accessKeys
	fs.Var(&keys, "access-key", "an access key: `KEY=SECRET[=ACCOUNT|ARN]`, or KEY=ACCOUNT|ARN without --verify-signatures (repeatable)")
	verify := fs.Bool("verify-signatures", false, "recompute every request's SigV4 signature with its key's secret; refuse unknown keys and bad signatures (HTTP 403)")
	noAdmin := fs.Bool("no-admin", false, "turn off the admin endpoints under /_ecrsign/")
	limits := sim.DefaultLimits()
	fs.IntVar(&limits.Registries, "max-registries", limits.Registries, "most registries (account and region pairs) the world holds")
	fs.IntVar(&limits.RepositoriesPerRegistry, "max-repositories", limits.RepositoriesPerRegistry, "most repositories per registry")
	fs.IntVar(&limits.ImagesPerRepository, "max-images", limits.ImagesPerRepository, "most images per repository")
	fs.Int64Var(&limits.StoreBytes, "max-store-bytes", limits.StoreBytes, "largest size of the state file, in bytes")
	fs.IntVar(&limits.Uploads, "max-uploads", limits.Uploads, "most layer uploads in progress at once")
	fs.Int64Var(&limits.UploadBytes, "max-upload-bytes", limits.UploadBytes, "largest layer upload, in bytes")
	maxBody := fs.Int64("max-body-bytes", ecrhttp.DefaultMaxBodyBytes, "largest request body, in bytes")
	maxRequests := fs.Int("max-requests", ecrhttp.DefaultMaxConcurrentRequests, "most requests served at once")
	maxBuffered := fs.Int64("max-buffered-bytes", ecrhttp.DefaultMaxBufferedBodyBytes, "most request body bytes held in memory by all requests together")
	maxConns := fs.Int("max-connections", ecrhttp.DefaultMaxConnections, "most connections open at once")
	timeouts := ecrhttp.DefaultTimeouts()
	fs.DurationVar(&timeouts.ReadHeader, "read-header-timeout", timeouts.ReadHeader, "time to read a request's headers")
	fs.DurationVar(&timeouts.Read, "read-timeout", timeouts.Read, "time to read a whole request")
	fs.DurationVar(&timeouts.Write, "write-timeout", timeouts.Write, "time to write an answer")
	fs.DurationVar(&timeouts.Idle, "idle-timeout", timeouts.Idle, "time a kept-alive connection may wait for its next request")
	lockTimeout := fs.Duration("lock-timeout", sim.DefaultLockTimeout, "how long to wait for another process to release the state file")
	shutdownTimeout := fs.Duration("shutdown-timeout", ecrhttp.DefaultShutdownTimeout, "how long a graceful shutdown waits for requests in flight")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.usageError("takes no arguments")
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	w, err := openWorld(*world, *state, *lockTimeout, limits)
	if err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	defer w.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []ecrhttp.Option{
		ecrhttp.WithLogger(log),
		ecrhttp.WithMaxBodyBytes(*maxBody),
		ecrhttp.WithMaxConcurrentRequests(*maxRequests),
		ecrhttp.WithMaxBufferedBodyBytes(*maxBuffered),
		ecrhttp.WithShutdownTimeout(*shutdownTimeout),
		ecrhttp.WithMaxConnections(*maxConns),
		ecrhttp.WithTimeouts(timeouts),
	}
	for _, k := range keys {
		opts = append(opts, k.Options()...)
	}
	if *verify {
		opts = append(opts, ecrhttp.WithSignatureVerification())
	}
	if *noAdmin {
		opts = append(opts, ecrhttp.WithoutAdmin())
	}
	ctx, stop := serveContext()
	defer stop()
	err = ecrhttp.Serve(ctx, ln, w, opts...)
	if *state != "" {
		log.Info("stopped", "state", *state, "commits", w.StoreCommits()) // each commit: one transaction and its fsyncs
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fs.errorf("%v", err)
		return exitUsage
	}
	return exitOK
}

// openWorld returns the world to serve: the store at state (created from the world file
// when it does not exist), or without a state the world file's world in memory.
func openWorld(worldFile, state string, lockTimeout time.Duration, limits sim.Limits) (*sim.World, error) {
	load := func(opts ...sim.Option) (*sim.World, error) {
		if worldFile == "" {
			return sim.New(opts...), nil
		}
		f, err := os.Open(worldFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		w, err := sim.Load(f, opts...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", worldFile, err)
		}
		return w, nil
	}
	if state == "" {
		return load(sim.WithLimits(limits))
	}
	seed := func() (*sim.World, error) { return load() }
	return sim.Open(state, sim.WithSeed(seed), sim.WithLockTimeout(lockTimeout), sim.WithLimits(limits))
}
