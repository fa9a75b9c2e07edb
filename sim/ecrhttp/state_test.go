package ecrhttp_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// TestStateRestart: what a server acknowledged, and its frozen clock, survive a restart; the
// world file is ignored once the state file exists.
func TestStateRestart(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	worldFile := filepath.Join(dir, "world.json")
	os.WriteFile(worldFile, []byte(flowWorld), 0o644)
	ctx := context.Background()

	a := serveConfig(t, ecrhttp.ServeConfig{WorldFile: worldFile, StateFile: state, Logger: testLogger(t)})
	if _, err := os.Stat(state); err != nil {
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
	shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := a.Shutdown(shutdown); err != nil {
		t.Fatal(err)
	}

	os.WriteFile(worldFile, []byte(`{"options": {"signingLatency": "1h"}}`), 0o644) // must be ignored
	b := serveConfig(t, ecrhttp.ServeConfig{WorldFile: worldFile, StateFile: state, Logger: testLogger(t)})
	if now, frozen := b.Clock().Frozen(); !frozen || !now.Equal(frozenAt) {
		t.Fatalf("clock after restart: %v frozen=%v, want %v frozen", now, frozen, frozenAt)
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

// TestStateCorrupt: a state file that cannot be used stops the server with a StateError that
// names it and says what is wrong, and the file is not touched.
func TestStateCorrupt(t *testing.T) {
	var good bytes.Buffer
	srv := startServer(t, flowWorld, "auto", nil)
	if _, err := sdk(srv.URL, "AKID", "us-east-1").CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.World().Save(&good); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, content, reason string }{
		{"torn", good.String()[:good.Len()/2], "not a complete JSON document"},
		{"empty", "", "empty"},
		{"garbage", "\x00\x00\x00", "invalid character"},
		{"invalid world", `{"registries": [{"registryId": "1", "region": "us-east-1"}]}`, "registryId must be 12 digits"},
		{"unknown member", `{"registry": {}}`, "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state.json")
			os.WriteFile(state, []byte(tc.content), 0o644)
			_, err := ecrhttp.NewServer(ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)})
			var se *ecrhttp.StateError
			if !errors.As(err, &se) || se.Path != state {
				t.Fatalf("want a StateError for %s, got %v", state, err)
			}
			for _, want := range []string{state, tc.reason, "left unchanged"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if after, _ := os.ReadFile(state); string(after) != tc.content {
				t.Fatal("the state file was changed")
			}
		})
	}
}

// TestStateLeftovers: a temporary file left by a save that a crash interrupted is removed;
// the state file itself is used.
func TestStateLeftovers(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	a := serveConfig(t, ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)})
	a.Close()
	leftover := filepath.Join(dir, "state.json.tmp-12345")
	os.WriteFile(leftover, []byte(`{"registr`), 0o644)
	serveConfig(t, ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)})
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("leftover temporary file still there: %v", err)
	}
}

// TestStateSaveFails: a change that cannot be saved is not acknowledged: the client gets
// ServerException (HTTP 500) saying why.
func TestStateSaveFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	os.Mkdir(dir, 0o755)
	srv := serveConfig(t, ecrhttp.ServeConfig{StateFile: filepath.Join(dir, "state.json"), Logger: testLogger(t)})
	os.RemoveAll(dir)
	_, err := sdk(srv.URL, "AKID", "us-east-1").CreateRepository(context.Background(), &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
	e := mustAs[*types.ServerException](t, err)
	if !strings.Contains(e.ErrorMessage(), "could not save the change made by CreateRepository") || !strings.Contains(e.ErrorMessage(), dir) {
		t.Errorf("message %q", e.ErrorMessage())
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("want HTTP 500: %v", err)
	}
	// A read is not a change and needs no save.
	if _, err := sdk(srv.URL, "AKID", "us-east-1").DescribeRegistry(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestStateDirectoryMissing: a state file in a directory that does not exist is an error at
// start, not at the first change.
func TestStateDirectoryMissing(t *testing.T) {
	state := filepath.Join(t.TempDir(), "missing", "state.json")
	if _, err := ecrhttp.NewServer(ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)}); err == nil || !strings.Contains(err.Error(), state) {
		t.Fatalf("want an error naming %s, got %v", state, err)
	}
}

// TestStateClock: the clock's state survives a restart through the state file, whether it
// is frozen (saved as "now") or running after being advanced (saved as "clockOffset"); the
// state file is compact JSON.
func TestStateClock(t *testing.T) {
	tests := []struct {
		name       string
		changes    []string // clock changes before the restart
		wantMember string
		wantFrozen bool
		wantAhead  time.Duration // running: how far ahead of real time
	}{
		{name: "running, advanced", changes: []string{`{"advance": "1h"}`}, wantMember: `"clockOffset":"1h0m0s"`, wantAhead: time.Hour},
		{name: "frozen, then advanced", changes: []string{`{"freeze": true, "advance": "2h"}`}, wantMember: `"now":`, wantFrozen: true},
		{name: "frozen, then resumed", changes: []string{`{"freeze": true, "advance": "3h"}`, `{"freeze": false}`}, wantMember: `"clockOffset":"2h59m`, wantAhead: 3 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "state.json")
			a := serveConfig(t, ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)})
			var before time.Time
			for _, ch := range tt.changes {
				before, _ = clock(t, a.URL, ch)
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.Shutdown(shutdown); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tt.wantMember) || strings.Count(string(data), "\n") != 1 {
				t.Fatalf("state file is not one line of JSON with %s:\n%s", tt.wantMember, data)
			}
			b := serveConfig(t, ecrhttp.ServeConfig{StateFile: state, Logger: testLogger(t)})
			now, frozen := b.Clock().Frozen()
			if frozen != tt.wantFrozen {
				t.Fatalf("clock after restart frozen=%v, want %v", frozen, tt.wantFrozen)
			}
			if frozen && !now.Equal(before) {
				t.Fatalf("frozen clock after restart shows %v, want %v", now, before)
			}
			if ahead := now.Sub(time.Now()); !frozen && (ahead < tt.wantAhead-time.Minute || ahead > tt.wantAhead+time.Minute) {
				t.Fatalf("running clock after restart is %v ahead of real time, want %v", ahead, tt.wantAhead)
			}
			if got, _ := clock(t, b.URL, `{}`); got.Before(before) {
				t.Fatalf("clock after restart %v is before %v", got, before)
			}
		})
	}
}
