package ecrhttp_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// restart shuts a server down gracefully and serves its state file again, with the load
// clients' keys.
func restart(t *testing.T, a *testServer, worldJSON string) *testServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.http.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.world.Close(); err != nil {
		t.Fatal(err)
	}
	return startServer(t, worldJSON, a.state, loadKeys())
}

// TestStateRestart: what a server acknowledged, and its frozen clock, survive a restart; the
// world file is ignored once the state file exists.
func TestStateRestart(t *testing.T) {
	ctx := context.Background()
	a := startServer(t, flowWorld, "auto", nil)
	if _, err := os.Stat(a.state); err != nil {
		t.Fatalf("the state file was not created at start: %v", err)
	}
	c := sdk(a.URL, "AKID", "us-east-1")
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	frozenAt, _ := clock(t, a.URL, `{"advance": "1s"}`)

	b := restart(t, a, `{"options": {"signingLatency": "1h"}}`) // the world file must be ignored
	if st := b.world.Clock().State(); !st.Frozen || !st.Now.Equal(frozenAt) {
		t.Fatalf("clock after restart: %+v, want frozen at %v", st, frozenAt)
	}
	c = sdk(b.URL, "AKID", "us-east-1")
	get, err := c.GetSigningConfiguration(ctx, nil)
	if err != nil || *get.SigningConfiguration.Rules[0].SigningProfileArn != profProd {
		t.Fatalf("configuration after restart: %v %v", get, err)
	}
	if st := signingStatuses(t, c, "app", "v1")[profProd].Status; st != types.SigningStatusInProgress {
		t.Fatalf("status after restart: %s", st)
	}
	clock(t, b.URL, `{"advance": "1s"}`)
	if st := signingStatuses(t, c, "app", "v1")[profProd].Status; st != types.SigningStatusComplete {
		t.Fatalf("status after the latency: %s", st)
	}
}

// TestStateClock: the clock's state survives a restart through the store, whether it is
// frozen or running after being advanced.
func TestStateClock(t *testing.T) {
	tests := []struct {
		name       string
		changes    []string // clock changes before the restart
		wantFrozen bool
		wantAhead  time.Duration // running: how far ahead of real time
	}{
		{name: "running, advanced", changes: []string{`{"advance": "1h"}`}, wantAhead: time.Hour},
		{name: "frozen, then advanced", changes: []string{`{"freeze": true, "advance": "2h"}`}, wantFrozen: true},
		{name: "frozen, then resumed", changes: []string{`{"freeze": true, "advance": "3h"}`, `{"freeze": false}`}, wantAhead: 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := startServer(t, "", "auto", nil)
			var before time.Time
			for _, ch := range tt.changes {
				before, _ = clock(t, a.URL, ch)
			}
			b := restart(t, a, "")
			st := b.world.Clock().State()
			if st.Frozen != tt.wantFrozen {
				t.Fatalf("clock after restart frozen=%v, want %v", st.Frozen, tt.wantFrozen)
			}
			if st.Frozen && !st.Now.Equal(before) {
				t.Fatalf("frozen clock after restart shows %v, want %v", st.Now, before)
			}
			if ahead := time.Until(st.Now); !st.Frozen && (ahead < tt.wantAhead-time.Minute || ahead > tt.wantAhead+time.Minute) {
				t.Fatalf("running clock after restart is %v ahead of real time, want %v", ahead, tt.wantAhead)
			}
			if got, _ := clock(t, b.URL, `{}`); got.Before(before) {
				t.Fatalf("clock after restart %v is before %v", got, before)
			}
		})
	}
}

// TestFullDisk fills a small tmpfs with the state file. Regression: on a full disk, PutImage
// calls answered 500 yet their images were visible, and a refused CreateRepository retried
// answered RepositoryAlreadyExistsException. Now a refused change is invisible, its retry
// behaves as the first try, and after a restart exactly what was acknowledged is there.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	state := filepath.Join(dir, "state.db")
	srv := startServer(t, `{"options": {"createRepositoryOnPush": true, "signingLatency": "0s"}}`, state, nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKID", "us-east-1")
	big := func(n int) string { // a manifest of about 1 MiB, distinct for each n
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[],"annotations":{"pad":"%s"}}`, n, strings.Repeat("<", 1<<20))
	}
	var acked, refused []string
	for n := 0; len(refused) < 3 && n < 64; n++ {
		m := big(n)
		_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(m)})
		switch {
		case err == nil:
			acked = append(acked, ecrapi.Digest(m))
		default:
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
				t.Fatalf("push %d: want HTTP 500 on a full disk, got %v", n, err)
			}
			refused = append(refused, ecrapi.Digest(m))
		}
	}
	if len(refused) == 0 || len(acked) == 0 {
		t.Fatalf("%d pushes acknowledged, %d refused: the disk never filled", len(acked), len(refused))
	}
	for _, d := range refused {
		_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(d)}})
		mustAs[*types.ImageNotFoundException](t, err)
	}
	for try := range 2 { // a refused CreateRepository, retried, is refused the same way
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(fmt.Sprintf("new-%s", strings.Repeat("x", 200)))})
		if err == nil {
			break // the disk had room for a small record after all
		}
		if exists := (*types.RepositoryAlreadyExistsException)(nil); errors.As(err, &exists) {
			t.Fatalf("retry %d of a refused CreateRepository: %v", try, err)
		}
	}
	b := restart(t, srv, "")
	world := dumpWorld(t, b.URL)[sim.DefaultAccount]
	for _, d := range acked {
		if _, ok := world[d]; !ok {
			t.Errorf("acknowledged push %s lost", d)
		}
	}
	for _, d := range refused {
		if _, ok := world[d]; ok {
			t.Errorf("refused push %s stored", d)
		}
	}
}
