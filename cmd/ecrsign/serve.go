package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

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

const serveHelp = `usage: ecrsign serve [--addr HOST:PORT] [--world FILE] [--state FILE] [--blobs DIR] [--access-key KEY=ACCOUNT|PRINCIPAL_ARN]...

Serves the simulator over the ECR wire protocol (AWS JSON 1.1, POST / with X-Amz-Target
AmazonEC2ContainerRegistry_V20150921.<Operation>), so tools that use an AWS SDK or the AWS CLI
run unchanged against it, and the OCI distribution protocol on /v2/ (docker, crane, oras),
logged in with user AWS and the password of aws ecr get-login-password. Signatures and credentials are NOT checked: the access key id only
selects the calling account and principal (--access-key). The server listens on loopback by
default and warns when bound elsewhere; SIGINT or SIGTERM shut it down gracefully.

With --state, the world is loaded from FILE when it exists (and --world is ignored) and saved
atomically after every change, before the change is acknowledged; a corrupt state file stops
the server with a message and is never replaced. The simulated clock can be frozen and
advanced with POST /_ecrsign/clock ({"freeze": true}, {"advance": "5s"}).

Example:

  ecrsign serve --addr 127.0.0.1:8645 --world examples/world.json --state /tmp/ecr-state.json
  aws ecr get-signing-configuration --endpoint-url http://127.0.0.1:8645 --region us-east-1
`

// serveContext returns the context that ends the server: SIGINT or SIGTERM. Tests replace it.
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// accessKeys collects repeated --access-key flags.
type accessKeys map[string]sim.Caller

func (a accessKeys) String() string { return "" }

func (a accessKeys) Set(s string) error {
	key, caller, err := ecrhttp.ParseAccessKey(s)
	if err != nil {
		return err
	}
	a[key] = caller
	return nil
}

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", serveHelp, stdout, stderr)
	addr := fs.String("addr", ecrhttp.DefaultAddr, "`HOST:PORT` to listen on (port 0 picks a free one)")
	world := fs.String("world", "", "world `FILE` to start from (ignored when the state file exists)")
	state := fs.String("state", "", "state `FILE`: loaded at start, saved atomically after every change")
	blobs := fs.String("blobs", "", "`DIR` for pushed blobs (default: STATE.blobs, else a temporary directory)")
	keys := accessKeys{}
	fs.Var(keys, "access-key", "map an access key id to a caller: `KEY=ACCOUNT` or KEY=PRINCIPAL_ARN (repeatable)")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.usageError("takes no arguments")
	}
	ctx, stop := serveContext()
	defer stop()
	err := ecrhttp.Serve(ctx, ecrhttp.ServeConfig{
		Addr:       *addr,
		WorldFile:  *world,
		StateFile:  *state,
		BlobDir:    *blobs,
		AccessKeys: keys,
		Logger:     slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		fs.errorf("%v", err)
		return exitUsage
	}
	return exitOK
}
