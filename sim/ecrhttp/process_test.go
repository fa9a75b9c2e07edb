package ecrhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// The process tests run the server as `ecrsign serve` runs it, in a process of its own (this
// test binary, re-executed), so that it can be killed with SIGKILL or stopped with SIGTERM.

const serveEnv = "ECRHTTP_TEST_SERVE_STATE"

func TestMain(m *testing.M) {
	if state := os.Getenv(serveEnv); state != "" {
		os.Exit(serveProcess(state))
	}
	os.Exit(m.Run())
}

// serveProcess is the server process: open the store and Serve until SIGINT or SIGTERM, as
// the command does. It exits 2 when the store is held by another process.
func serveProcess(state string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	seed := func() (*sim.World, error) {
		if f := os.Getenv("ECRHTTP_TEST_SERVE_WORLD"); f != "" {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			return sim.Load(bytes.NewReader(data))
		}
		return sim.New(), nil
	}
	world, err := sim.Open(state, sim.WithSeed(seed), sim.WithLockTimeout(200*time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 2
	}
	defer world.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	opts := []ecrhttp.Option{
		ecrhttp.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))),
		ecrhttp.WithReady(func(addr net.Addr) { fmt.Printf("listening %s\n", addr) }),
	}
	for key, c := range loadKeys() {
		opts = append(opts, ecrhttp.WithAccessKey(key, c))
	}
	if err := ecrhttp.Serve(ctx, ln, world, opts...); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		return 1
	}
	return 0
}

type serverProcess struct {
	cmd    *exec.Cmd
	URL    string
	stderr *strings.Builder
}

func startProcess(t *testing.T, state, world string) *serverProcess {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+state, "ECRHTTP_TEST_SERVE_WORLD="+world)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, stderr: &strings.Builder{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	ready := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if addr, ok := strings.CutPrefix(lines.Text(), "listening "); ok {
				ready <- addr
			}
		}
		close(ready)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case addr, ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("the server process did not start: %s", p.stderr)
		}
		p.URL = "http://" + addr
	case <-time.After(20 * time.Second):
		t.Fatalf("the server process did not listen within 20 s: %s", p.stderr)
	}
	return p
}

// TestProcessKilled kills the server process with SIGKILL in the middle of the load and
// restarts it from its state file: everything acknowledged before the kill is there.
func TestProcessKilled(t *testing.T) {
	dir := t.TempDir()
	state, world := filepath.Join(dir, "state.db"), filepath.Join(dir, "world.json")
	os.WriteFile(world, []byte(`{"options": {"signingLatency": "0s", "replicationLatency": "0s"}}`), 0o644)
	p := startProcess(t, state, world)
	cs := newLoadClients(p.URL)
	var killed atomic.Bool
	runAll(cs, time.Now().Add(time.Minute), &killed, func() {
		waitFor(t, time.Minute, "100 acknowledged pushes", func() bool { return cs[0].acks.Load() >= 100 })
		killed.Store(true)
		p.cmd.Process.Signal(syscall.SIGKILL)
	})
	p.cmd.Wait()
	acked := checkKilled(t, cs)
	restarted := startProcess(t, state, world)
	t.Logf("SIGKILL after %d acknowledged pushes", acked)
	verify(t, restarted.URL, cs, false)
}

// TestProcessSIGTERM: SIGTERM shuts the server down gracefully (exit status 0) and what it
// acknowledged is in the state file.
func TestProcessSIGTERM(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.db")
	p := startProcess(t, state, "")
	c := sdk(p.URL, "AKID", "us-east-1")
	if _, err := c.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("no shutdown message in %s", p.stderr)
	}
	q := startProcess(t, state, "")
	_, err := sdk(q.URL, "AKID", "us-east-1").CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
	if err == nil || !strings.Contains(err.Error(), "RepositoryAlreadyExistsException") {
		t.Fatalf("the repository did not survive the restart: %v", err)
	}
}
