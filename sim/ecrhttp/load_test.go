package ecrhttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// The load and crash tests run 64 SDK clients, each the only caller of its own registry
// (account), so that each knows exactly what its registry must hold: the configuration it
// put last and, for every push acknowledged, the profiles that must have signed it.

const clients = 64

const profThird = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/third"

var loadRepos = []string{"team/api", "svc-worker"}

// loadConfigs are the two configurations each client alternates between, and the profiles
// each makes sign each of loadRepos.
var loadConfigs = [2]struct {
	cfg      *types.SigningConfiguration
	profiles map[string][]string
}{
	{&types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd, "team/*"), signingRule(profAud)}},
		map[string][]string{"team/api": {profAud, profProd}, "svc-worker": {profAud}}},
	{&types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd, "*"), signingRule(profThird, "svc*", "*worker"), signingRule(profProd, "team/*")}},
		map[string][]string{"team/api": {profProd}, "svc-worker": {profProd, profThird}}},
}

type ackedPush struct {
	repo, digest string
	profiles     []string
}

// loadClient is one SDK client and what the server acknowledged to it.
type loadClient struct {
	n         int
	key       string
	account   string
	sdk       *ecr.Client
	config    int // index in loadConfigs of the configuration last acknowledged
	inFlight  int // a configuration put whose answer never came, or -1
	pushes    []ackedPush
	latencies []time.Duration
	failure   error         // an error while the server was up
	stopped   error         // the error that stopped the client after the server was killed
	acks      *atomic.Int64 // pushes acknowledged to all the clients
}

func loadKeys() map[string]sim.Caller {
	keys := map[string]sim.Caller{}
	for n := range clients {
		keys[fmt.Sprintf("AKIDLOAD%02d", n)] = sim.Caller{Account: fmt.Sprintf("3000000000%02d", n)}
	}
	return keys
}

func newLoadClients(url string) []*loadClient {
	cs := make([]*loadClient, clients)
	acks := new(atomic.Int64)
	for n := range cs {
		key := fmt.Sprintf("AKIDLOAD%02d", n)
		cs[n] = &loadClient{n: n, key: key, account: fmt.Sprintf("3000000000%02d", n), sdk: sdk(url, key, "us-east-1"), config: -1, inFlight: -1, acks: acks}
	}
	return cs
}

// timed runs one request and records its latency; it reports whether to go on.
func (c *loadClient) timed(killed *atomic.Bool, call func() error) bool {
	start := time.Now()
	err := call()
	if err == nil {
		c.latencies = append(c.latencies, time.Since(start))
		return true
	}
	if killed.Load() {
		c.stopped = err
	} else {
		c.failure = err
	}
	return false
}

// run drives the server until the deadline or until a request fails: a configuration put now and then,
// pushes of new manifests, and status reads checked against what the pushes must have
// produced.
func (c *loadClient) run(deadline time.Time, killed *atomic.Bool) {
	ctx := context.Background() // requests are never cancelled: each gets its answer
	for _, repo := range loadRepos {
		if !c.timed(killed, func() error {
			_, err := c.sdk.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)})
			return err
		}) {
			return
		}
	}
	for i := 0; time.Now().Before(deadline); i++ {
		var ok bool
		switch k := i % 10; {
		case k == 0:
			next := (c.config + 1) % 2
			c.inFlight = next
			ok = c.timed(killed, func() error {
				_, err := c.sdk.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: loadConfigs[next].cfg})
				return err
			})
			if ok {
				c.config, c.inFlight = next, -1
			}
		case k <= 6:
			repo := loadRepos[i%len(loadRepos)]
			m := manifest(c.n<<32 | i)
			ok = c.timed(killed, func() error {
				_, err := c.sdk.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String(repo), ImageManifest: aws.String(m), ImageTag: aws.String(fmt.Sprintf("build-%d", i))})
				return err
			})
			if ok {
				c.pushes = append(c.pushes, ackedPush{repo: repo, digest: ecrapi.Digest(m), profiles: loadConfigs[c.config].profiles[repo]})
				c.acks.Add(1)
			}
		default:
			if len(c.pushes) == 0 {
				continue
			}
			p := c.pushes[(i*7919)%len(c.pushes)]
			ok = c.timed(killed, func() error { return c.checkPush(ctx, p) })
		}
		if !ok {
			return
		}
	}
}

// checkPush asserts that an acknowledged push has exactly one status per profile that
// applied when it was pushed.
func (c *loadClient) checkPush(ctx context.Context, p ackedPush) error {
	out, err := c.sdk.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String(p.repo), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(p.digest)}})
	if err != nil {
		return err
	}
	var got []string
	for _, s := range out.SigningStatuses {
		if s.Status == types.SigningStatusFailed {
			return fmt.Errorf("%s %s: %s FAILED: %s", p.repo, p.digest, *s.SigningProfileArn, *s.FailureReason)
		}
		got = append(got, *s.SigningProfileArn)
	}
	slices.Sort(got)
	if !slices.Equal(got, p.profiles) {
		return fmt.Errorf("client %d, %s %s: statuses for %v, want one for each of %v", c.n, p.repo, p.digest, got, p.profiles)
	}
	return nil
}

// verify checks a server's world against what was acknowledged to every client: each
// acknowledged push is there with one status per applying profile, each registry's
// configuration is the one last acknowledged (or one whose answer never came), and no image
// is there that was not pushed (exact when nothing was in flight).
func verify(t *testing.T, url string, cs []*loadClient, exact bool) {
	t.Helper()
	ctx := context.Background()
	world := dumpWorld(t, url)
	for _, c := range cs {
		cl := sdk(url, c.key, "us-east-1")
		for _, p := range c.pushes {
			if err := (&loadClient{n: c.n, sdk: cl}).checkPush(ctx, p); err != nil {
				t.Errorf("acknowledged push lost or wrong: %v", err)
			}
		}
		if c.config >= 0 {
			get, err := cl.GetSigningConfiguration(ctx, nil)
			if err != nil {
				t.Errorf("client %d: acknowledged configuration lost: %v", c.n, err)
			} else if n := len(get.SigningConfiguration.Rules); n != len(loadConfigs[c.config].cfg.Rules) && (c.inFlight < 0 || n != len(loadConfigs[c.inFlight].cfg.Rules)) {
				t.Errorf("client %d: configuration has %d rules, want the one acknowledged last", c.n, n)
			}
		}
		images := world[c.account]
		if exact && len(images) != len(c.pushes) || len(images) < len(c.pushes) || len(images) > len(c.pushes)+1 {
			t.Errorf("client %d: registry holds %d images, %d pushes were acknowledged", c.n, len(images), len(c.pushes))
		}
		for digest, jobs := range images {
			if jobs.pushes != 1 || len(jobs.profiles) != len(slices.Compact(slices.Sorted(slices.Values(jobs.profiles)))) {
				t.Errorf("client %d: image %s pushed %d times with jobs %v", c.n, digest, jobs.pushes, jobs.profiles)
			}
		}
	}
}

type dumpedImage struct {
	pushes   int
	profiles []string
}

// dumpWorld reads the world through the admin endpoint: account -> digest -> image.
func dumpWorld(t *testing.T, url string) map[string]map[string]dumpedImage {
	t.Helper()
	resp, err := http.Get(url + "/_ecrsign/world")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f struct {
		Registries []struct {
			RegistryID   string `json:"registryId"`
			Repositories []struct {
				Images []struct {
					ImageDigest string `json:"imageDigest"`
					Pushes      int    `json:"pushes"`
					SigningJobs []struct {
						SigningProfileArn string `json:"signingProfileArn"`
					} `json:"signingJobs"`
				} `json:"images"`
			} `json:"repositories"`
		} `json:"registries"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]dumpedImage{}
	for _, r := range f.Registries {
		m := map[string]dumpedImage{}
		for _, repo := range r.Repositories {
			for _, img := range repo.Images {
				d := dumpedImage{pushes: img.Pushes}
				for _, j := range img.SigningJobs {
					d.profiles = append(d.profiles, j.SigningProfileArn)
				}
				m[img.ImageDigest] = d
			}
		}
		out[r.RegistryID] = m
	}
	return out
}

func loadDuration(t *testing.T) time.Duration {
	if testing.Short() {
		return 500 * time.Millisecond
	}
	return 2 * time.Second
}

// TestLoad drives a server with a state file with 64 concurrent SDK clients for a bounded
// time and reports requests per second and latency percentiles; every request must succeed,
// and afterwards the world, and the world reloaded from the state file, hold exactly what
// was acknowledged.
func TestLoad(t *testing.T) {
	srv := startServer(t, `{"options": {"signingLatency": "0s", "replicationLatency": "0s"}}`, "auto", loadKeys())
	cs := newLoadClients(srv.URL)
	var killed atomic.Bool
	start := time.Now()
	runAll(cs, start.Add(loadDuration(t)), &killed, nil)
	elapsed := time.Since(start)

	var all []time.Duration
	pushes := 0
	for _, c := range cs {
		if c.failure != nil {
			t.Errorf("client %d: a request failed: %v", c.n, c.failure)
		}
		all = append(all, c.latencies...)
		pushes += len(c.pushes)
	}
	slices.Sort(all)
	if len(all) == 0 {
		t.Fatal("no request succeeded")
	}
	t.Logf("%d clients, %v: %d requests (%d pushes), %.0f requests/s, p50 %v, p99 %v",
		clients, elapsed.Round(time.Millisecond), len(all), pushes, float64(len(all))/elapsed.Seconds(),
		all[len(all)/2].Round(time.Microsecond), all[len(all)*99/100].Round(time.Microsecond))
	verify(t, srv.URL, cs, true)

	restarted := restart(t, srv, "")
	verify(t, restarted.URL, cs, true)
}

// checkKilled checks the clients of a run that a kill ended: no request failed before it,
// every client saw it, and some push was acknowledged; it returns how many were.
func checkKilled(t *testing.T, cs []*loadClient) int {
	t.Helper()
	acked, stopped := 0, 0
	for _, c := range cs {
		if c.failure != nil {
			t.Errorf("client %d: a request failed before the kill: %v", c.n, c.failure)
		}
		if c.stopped != nil {
			stopped++
		}
		acked += len(c.pushes)
	}
	if stopped != len(cs) {
		t.Fatalf("%d of %d clients saw the kill", stopped, len(cs))
	}
	if acked == 0 {
		t.Fatal("no push was acknowledged before the kill")
	}
	return acked
}

// runAll runs every client until the deadline; kill, when set, is called halfway and the
// clients stop at the error it causes.
func runAll(cs []*loadClient, deadline time.Time, killed *atomic.Bool, kill func()) {
	var wg sync.WaitGroup
	wg.Add(len(cs))
	for _, c := range cs {
		go func() {
			defer wg.Done()
			c.run(deadline, killed)
		}()
	}
	if kill != nil {
		kill()
	}
	wg.Wait()
}

// TestCrashRestart kills a server in the middle of the load, once 100 pushes were
// acknowledged (listener and connections closed at once, no graceful shutdown, nothing
// written to the state file afterwards) and restarts
// it from the state file: every push and configuration change acknowledged before the kill
// is there.
func TestCrashRestart(t *testing.T) {
	srv := startServer(t, `{"options": {"signingLatency": "0s", "replicationLatency": "0s"}}`, "auto", loadKeys())
	cs := newLoadClients(srv.URL)
	var killed atomic.Bool
	runAll(cs, time.Now().Add(time.Minute), &killed, func() {
		waitFor(t, time.Minute, "100 acknowledged pushes", func() bool { return cs[0].acks.Load() >= 100 })
		killed.Store(true)
		srv.crash()
	})

	acked := checkKilled(t, cs)
	restarted := startServer(t, "", srv.state, loadKeys())
	t.Logf("killed after %d acknowledged pushes; restarted from %s", acked, srv.state)
	verify(t, restarted.URL, cs, false)
}

// waitFor is the package's condition wait (wait_test.go), shared with its internal tests.
var waitFor = ecrhttp.WaitFor
