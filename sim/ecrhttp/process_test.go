package ecrhttp_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
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

// TestProcessKilledRepeatedly kills the server process with SIGKILL at random points of a
// load of pushes, many times over one state file, and checks after each restart that every
// push acknowledged before any kill is there. Three kills by default; ECRSIGN_LONG=1 makes
// it 25.
func TestProcessKilledRepeatedly(t *testing.T) {
	kills := 3
	if os.Getenv("ECRSIGN_LONG") != "" {
		kills = 25
	}
	dir := t.TempDir()
	state, world := filepath.Join(dir, "state.db"), filepath.Join(dir, "world.json")
	os.WriteFile(world, []byte(`{"options": {"signingLatency": "0s", "createRepositoryOnPush": true}}`), 0o644)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var acked []string // digests acknowledged, over every run
	for kill := range kills {
		p := startProcess(t, state, world)
		if lost := missing(dumpWorld(t, p.URL)[sim.DefaultAccount], acked); len(lost) > 0 {
			t.Fatalf("after kill %d: %d of %d acknowledged pushes lost, such as %s", kill, len(lost), len(acked), lost[0])
		}
		want := 1 + rng.IntN(40) // acknowledgements to wait for before this kill
		var mu sync.Mutex
		var got int
		var wg sync.WaitGroup
		for client := range 8 {
			wg.Go(func() {
				raw := &http.Client{}
				for i := 0; ; i++ {
					m := manifest(kill<<40 | client<<32 | i)
					body := fmt.Sprintf(`{"repositoryName":"crash/c%d","imageManifest":%s}`, client, strconv.Quote(m))
					req, _ := http.NewRequest(http.MethodPost, p.URL+"/", strings.NewReader(body))
					req.Header.Set("X-Amz-Target", ecrhttp.TargetPrefix+"PutImage")
					req.Header.Set("Content-Type", ecrhttp.ContentType)
					resp, err := raw.Do(req)
					if err != nil {
						return // the kill
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Errorf("push answered HTTP %d", resp.StatusCode)
						return
					}
					mu.Lock()
					acked = append(acked, ecrapi.Digest(m))
					got++
					mu.Unlock()
				}
			})
		}
		waitFor(t, time.Minute, fmt.Sprintf("%d acknowledged pushes", want), func() bool {
			mu.Lock()
			defer mu.Unlock()
			return got >= want
		})
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		wg.Wait()
	}
	p := startProcess(t, state, world)
	if lost := missing(dumpWorld(t, p.URL)[sim.DefaultAccount], acked); len(lost) > 0 {
		t.Fatalf("after %d kills: %d of %d acknowledged pushes lost, such as %s", kills, len(lost), len(acked), lost[0])
	}
	t.Logf("%d kills, %d acknowledged pushes, none lost", kills, len(acked))
}

func missing(images map[string]dumpedImage, digests []string) []string {
	var lost []string
	for _, d := range digests {
		if _, ok := images[d]; !ok {
			lost = append(lost, d)
		}
	}
	return lost
}

// TestSecondServer: regression: two servers on one state file both answered and the last
// save won. A second server on a held state file exits 2 naming the file and the holder.
func TestSecondServer(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.db")
	first := startProcess(t, state, "")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), serveEnv+"="+state)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("second server: %v, want exit status 2\n%s", err, out)
	}
	for _, want := range []string{state, fmt.Sprintf("pid %d", first.cmd.Process.Pid)} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the second server's message does not name %q:\n%s", want, out)
		}
	}
	if _, err := sdk(first.URL, "AKID", "us-east-1").DescribeRegistry(context.Background(), nil); err != nil {
		t.Fatalf("the first server stopped answering: %v", err)
	}
}
