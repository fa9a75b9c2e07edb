package ecrhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim"
)

// DefaultAddr is where Serve listens when ServeConfig.Addr is empty: loopback only.
const DefaultAddr = "127.0.0.1:8645"

// DefaultShutdownTimeout bounds how long a graceful shutdown waits for requests in flight.
const DefaultShutdownTimeout = 10 * time.Second

// ServeConfig is everything `ecrsign serve` needs.
type ServeConfig struct {
	// Addr is the TCP address to listen on (default DefaultAddr). A port of 0 picks a free
	// one; Ready tells which. Listening on anything but a loopback address logs a warning:
	// credentials are not checked, so whoever reaches the port can change the world.
	Addr string
	// WorldFile is a world file (sim.Load's format) to start from; empty starts from the
	// defaults of sim.New. It is only read. When StateFile exists, WorldFile is ignored.
	WorldFile string
	// StateFile, when set, is loaded at start if it exists and is saved atomically after
	// every change, before the change is acknowledged. A state file that cannot be read or
	// parsed stops Serve with a *StateError and is never replaced.
	StateFile string
	// AccessKeys maps access key ids to callers (see WithAccessKey).
	AccessKeys map[string]sim.Caller
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// ShutdownTimeout bounds a graceful shutdown (default DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Logger receives the server's messages (default: text on standard error).
	Logger *slog.Logger
	// Ready, when set, is called with the address once the server listens.
	Ready func(addr net.Addr)
	// BlobDir holds the blobs pushed through the registry protocol and the layer upload
	// operations, one file per digest (default: STATE.blobs beside the state file, else a
	// temporary directory removed when the server stops).
	BlobDir string
}

// Server is a served world: a handler, its clock and, with a state file, its persistence.
// Serve runs one; tests use NewServer to reach the world and to stop a server abruptly.
type Server struct {
	world *sim.World
	clock *Clock
	state *stateFile // nil without a state file
	http  *http.Server
	log   *slog.Logger
	// blobTemp is the temporary blob directory removed when the server stops ("" if none).
	blobTemp string
}

// NewServer loads the world (state file, else world file, else defaults) and builds the
// server; with a state file, it saves the world once so that the file exists from the start.
func NewServer(cfg ServeConfig) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	world, clock, fromState, err := loadWorld(cfg.WorldFile, cfg.StateFile)
	if err != nil {
		return nil, err
	}
	s := &Server{world: world, clock: clock, log: log}
	if s.blobTemp, err = useBlobDir(world, cfg); err != nil {
		return nil, err
	}
	opts := []Option{WithLogger(log)} // the handler finds the world's Clock
	for key, c := range cfg.AccessKeys {
		opts = append(opts, WithAccessKey(key, c))
	}
	if cfg.MaxBodyBytes > 0 {
		opts = append(opts, WithMaxBodyBytes(cfg.MaxBodyBytes))
	}
	if cfg.StateFile != "" {
		for _, t := range staleTemps(cfg.StateFile) {
			log.Warn("a temporary file of an interrupted save was left beside the state file; the state file itself is complete. Removing it", "file", t)
			os.Remove(t)
		}
		switch {
		case fromState:
			log.Info("loaded the world from the state file", "state", cfg.StateFile)
			if cfg.WorldFile != "" {
				log.Info("the world file is ignored because the state file exists", "world", cfg.WorldFile)
			}
		default:
			log.Info("no state file yet; creating it", "state", cfg.StateFile)
		}
		s.state = newStateFile(cfg.StateFile, world)
		if err := s.state.Commit(); err != nil {
			return nil, err
		}
		opts = append(opts, WithCommit(s.state.Commit))
	}
	s.http = &http.Server{
		Handler:           NewHandler(world, opts...),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// World returns the served world.
func (s *Server) World() *sim.World { return s.world }

// Clock returns the world's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Serve answers requests on ln until Shutdown or Close; it returns http.ErrServerClosed then.
func (s *Server) Serve(ln net.Listener) error { return s.http.Serve(ln) }

// Shutdown stops the server gracefully: it stops listening, waits for requests in flight
// (each saved before it is answered) until ctx ends, then closes the state file.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if s.state != nil {
		s.state.Stop()
	}
	removeBlobTemp(s.blobTemp)
	return err
}

// Close stops the server abruptly, as a crash would: listeners and connections are closed at
// once, requests in flight get no answer, and nothing more is written to the state file
// (a save in progress completes; a change not yet saved is lost, and was not acknowledged).
func (s *Server) Close() error {
	if s.state != nil {
		s.state.Stop()
	}
	defer removeBlobTemp(s.blobTemp)
	return s.http.Close()
}

// Serve runs `ecrsign serve`: it loads the world, listens on cfg.Addr and answers the ECR
// protocol until ctx is cancelled (the command cancels it on SIGINT and SIGTERM), then shuts
// down gracefully within cfg.ShutdownTimeout. It returns nil after a graceful shutdown.
func Serve(ctx context.Context, cfg ServeConfig) error {
	s, err := NewServer(cfg)
	if err != nil {
		return err
	}
	addr := cfg.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if !IsLoopback(ln.Addr()) {
		s.log.Warn("listening on an address that is not loopback: credentials are not checked, so anyone who can reach it can change the world", "addr", ln.Addr().String())
	}
	s.log.Info("serving the ECR API", "endpoint", "http://"+ln.Addr().String(), "state", cfg.StateFile)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served: // the listener failed
		s.Close()
		return err
	case <-ctx.Done():
	}
	timeout := cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s.log.Info("shutting down")
	err = s.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// IsLoopback reports whether addr is a loopback address (127.0.0.0/8 or ::1); an unspecified
// address (0.0.0.0, ::) listens on every interface and is not.
func IsLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// ParseAccessKey reads the value of a command-line mapping from an access key id to a caller,
// "KEY=ACCOUNT" or "KEY=PRINCIPAL_ARN": an IAM principal ARN names the principal pushes are
// signed as and, through its account field, the registry the key addresses.
//
//	AKIDCI=arn:aws:iam::123456789012:role/ci  -> account 123456789012, principal role/ci
//	AKIDOTHER=210987654321                    -> account 210987654321, default principal
func ParseAccessKey(s string) (key string, caller sim.Caller, err error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" || value == "" {
		return "", caller, fmt.Errorf("access key mapping %q: want KEY=ACCOUNT or KEY=PRINCIPAL_ARN", s)
	}
	if isAccount(value) {
		return key, sim.Caller{Account: value}, nil
	}
	parts := strings.SplitN(value, ":", 6) // arn:PARTITION:iam::ACCOUNT:RESOURCE
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" && parts[2] != "sts" || !isAccount(parts[4]) || parts[5] == "" {
		return "", caller, fmt.Errorf("access key mapping %q: %q is neither a 12-digit account id nor an IAM principal ARN such as arn:aws:iam::123456789012:role/ci", s, value)
	}
	return key, sim.Caller{Account: parts[4], Principal: value}, nil
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
