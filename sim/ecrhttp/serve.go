package ecrhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ecrsign/ecrsign/sim"
)

// DefaultAddr is where `ecrsign serve` listens by default: loopback only.
const DefaultAddr = "127.0.0.1:8645"

// Defaults of a server's limits, each changed by an option (and a flag of `ecrsign serve`).
const (
	// DefaultShutdownTimeout bounds how long a graceful shutdown waits for requests in flight.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultMaxConnections bounds the connections open at once; more wait to be accepted.
	DefaultMaxConnections = 1024
	// maxHeaderBytes bounds a request's headers.
	maxHeaderBytes = 64 << 10
)

// Timeouts bound how long a connection may take over each part of a request.
type Timeouts struct {
	ReadHeader time.Duration // reading a request's headers
	Read       time.Duration // reading a whole request, body included
	Write      time.Duration // from the end of the request's headers to the end of the answer
	Idle       time.Duration // a kept-alive connection waiting for its next request
}

// DefaultTimeouts returns the timeouts of a server: generous for a slow CI machine, short
// enough that a client that stops reading or writing lets go of what it holds.
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: 5 * time.Minute, Idle: 2 * time.Minute}
}

// WithTimeouts sets the server's timeouts (default [DefaultTimeouts]).
func WithTimeouts(t Timeouts) Option { return func(c *config) { c.timeouts = t } }

// WithMaxConnections bounds the connections open at once (default [DefaultMaxConnections]).
func WithMaxConnections(n int) Option { return func(c *config) { c.maxConns = n } }

// WithShutdownTimeout bounds a graceful shutdown (default [DefaultShutdownTimeout]).
func WithShutdownTimeout(d time.Duration) Option { return func(c *config) { c.shutdownTimeout = d } }

// WithReady calls ready with the listener's address once the server answers on it.
func WithReady(ready func(net.Addr)) Option { return func(c *config) { c.ready = ready } }

// Serve answers the ECR protocol for world on ln until ctx ends (`ecrsign serve` ends it on
// SIGINT and SIGTERM), then shuts down gracefully within the shutdown timeout: requests in
// flight are answered, each committed before its answer. It returns nil after a graceful
// shutdown; it neither opens nor closes the world.
func Serve(ctx context.Context, ln net.Listener, world *sim.World, opts ...Option) error {
	cfg := newConfig(opts)
	if !isLoopback(ln.Addr()) && !cfg.verify {
		cfg.log.Warn("listening on an address that is not loopback without --verify-signatures: anyone who can reach it can change the world", "addr", ln.Addr().String())
	}
	srv := newServer(world, cfg)
	if cfg.maxConns > 0 {
		ln = limitListener(ln, cfg.maxConns)
	}
	cfg.log.Info("serving the ECR API", "endpoint", "http://"+ln.Addr().String())
	if cfg.ready != nil {
		cfg.ready(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served: // the listener failed
		srv.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	cfg.log.Info("shutting down")
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newServer returns the HTTP server of world with its timeouts and limits.
func newServer(world *sim.World, cfg *config) *http.Server {
	return &http.Server{
		Handler:           newHandler(world, cfg),
		ReadHeaderTimeout: cfg.timeouts.ReadHeader,
		ReadTimeout:       cfg.timeouts.Read,
		WriteTimeout:      cfg.timeouts.Write,
		IdleTimeout:       cfg.timeouts.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.log.Handler(), slog.LevelWarn),
	}
}

// isLoopback reports whether addr is a loopback address (127.0.0.0/8 or ::1); an unspecified
// address (0.0.0.0, ::) listens on every interface and is not.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// limitListener accepts at most n connections open at once; Accept waits for one to close.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// AccessKey is a command-line access key: its id, its secret (for signature verification;
// may be empty) and the caller it acts as.
type AccessKey struct {
	ID     string
	Secret string
	Caller sim.Caller
}

// Options returns the options that install the key: its caller and, when it has one, its
// secret.
func (k AccessKey) Options() []Option {
	opts := []Option{WithAccessKey(k.ID, k.Caller)}
	if k.Secret != "" {
		opts = append(opts, WithSecretKey(k.ID, k.Secret))
	}
	return opts
}

// ParseAccessKey reads the value of a command-line access key, "KEY=SECRET[=ACCOUNT|ARN]" or
// "KEY=ACCOUNT|ARN": an IAM principal ARN names the principal pushes are signed as and,
// through its account field, the registry the key addresses; a 12-digit account the
// registry alone. A value that is neither an account nor an ARN is the key's secret.
//
//	AKIDCI=arn:aws:iam::123456789012:role/ci          -> account 123456789012, principal role/ci
//	AKIDOTHER=210987654321                            -> account 210987654321, default principal
//	AKIDCI=wJalrXUtnFEMI/K7MDENG=123456789012         -> secret, account 123456789012
func ParseAccessKey(s string) (AccessKey, error) {
	id, value, ok := strings.Cut(s, "=")
	if !ok || id == "" || value == "" {
		return AccessKey{}, fmt.Errorf("access key %q: want KEY=SECRET[=ACCOUNT|ARN] or KEY=ACCOUNT|ARN", s)
	}
	k := AccessKey{ID: id}
	if !isAccount(value) && !strings.HasPrefix(value, "arn:") {
		k.Secret, value, _ = strings.Cut(value, "=")
		if k.Secret == "" {
			return AccessKey{}, fmt.Errorf("access key %q: the secret is empty", s)
		}
		if value == "" {
			return k, nil
		}
	}
	caller, err := parseCaller(value)
	if err != nil {
		return AccessKey{}, fmt.Errorf("access key %q: %w", s, err)
	}
	k.Caller = caller
	return k, nil
}

func parseCaller(value string) (sim.Caller, error) {
	if isAccount(value) {
		return sim.Caller{Account: value}, nil
	}
	parts := strings.SplitN(value, ":", 6) // arn:PARTITION:iam::ACCOUNT:RESOURCE
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" && parts[2] != "sts" || !isAccount(parts[4]) || parts[5] == "" {
		return sim.Caller{}, fmt.Errorf("%q is neither a 12-digit account id nor an IAM principal ARN such as arn:aws:iam::123456789012:role/ci", value)
	}
	return sim.Caller{Account: parts[4], Principal: value}, nil
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
