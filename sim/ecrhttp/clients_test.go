package ecrhttp_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// Versions of the command-line clients the end-to-end test installs with `go install`.
const (
	craneModule = "github.com/google/go-containerregistry/cmd/crane@v0.22.1"
	orasModule  = "oras.land/oras/cmd/oras@v1.3.6"
)

// installTool installs a Go command into a temporary GOBIN and returns its path; it skips the
// test, saying why, where that fails (no network, no module proxy).
func installTool(t *testing.T, module string) string {
	t.Helper()
	gobin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", module)
	cmd.Dir = gobin
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("skipped: go install %s failed (%v): %s", module, err, lastLines(out, 5))
	}
	name := module[strings.LastIndex(module, "/")+1 : strings.Index(module, "@")]
	return filepath.Join(gobin, name)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// run runs a client command and returns its standard output, failing the test with both
// outputs when it fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestCommandLineClients pushes and reads through `ecrsign serve` with the crane and oras
// command-line tools (installed with go install) and the AWS CLI (where it is installed):
// crane pushes an image that is signed, oras discovers its simulated signature, and the
// AWS CLI lists both.
func TestCommandLineClients(t *testing.T) {
	if testing.Short() {
		t.Skip("installs and runs crane and oras; skipped with -short")
	}
	crane := installTool(t, craneModule)
	oras := installTool(t, orasModule)
	srv := startServer(t, `{"options": {"signingLatency": "0s"}}`, "", nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKIDCI", "us-east-1")
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: ptr("team/app")}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	password := strings.TrimPrefix(string(raw), "AWS:")
	host := strings.TrimPrefix(srv.URL, "http://")
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "DOCKER_CONFIG=" + filepath.Join(dir, ".docker")}

	// crane: log in as docker login would, push a one-layer image, read it back.
	run(t, env, crane, "auth", "login", host, "-u", "AWS", "-p", password)
	layer := filepath.Join(dir, "layer.tar")
	if err := os.WriteFile(layer, tarWithFile(t, "hello.txt", "hello from crane\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, env, crane, "append", "--insecure", "-f", layer, "-t", host+"/team/app:v1")
	digest := strings.TrimSpace(run(t, env, crane, "digest", "--insecure", host+"/team/app:v1"))
	if tags := run(t, env, crane, "ls", "--insecure", host+"/team/app"); strings.TrimSpace(tags) != "v1" {
		t.Fatalf("crane ls: %q", tags)
	}
	st, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: ptr("team/app"), ImageId: &types.ImageIdentifier{ImageTag: ptr("v1")}})
	if err != nil || len(st.SigningStatuses) != 1 || st.SigningStatuses[0].Status != types.SigningStatusComplete || *st.ImageId.ImageDigest != digest {
		t.Fatalf("signing of crane's push: %+v %v", st, err)
	}

	// oras: discover the signature, push an artifact of its own.
	creds := []string{"--plain-http", "-u", "AWS", "-p", password}
	out := run(t, env, oras, append([]string{"discover", "--format", "json", host + "/team/app@" + digest}, creds...)...)
	if !strings.Contains(out, ecrapi.SignatureArtifactType) || !strings.Contains(out, profProd) {
		t.Fatalf("oras discover does not show the signature:\n%s", out)
	}
	note := filepath.Join(dir, "note.txt")
	os.WriteFile(note, []byte("an artifact"), 0o644)
	cmd := append([]string{"push", host + "/team/app:note", "note.txt:text/plain"}, creds...)
	orasPush := exec.Command(oras, cmd...)
	orasPush.Dir, orasPush.Env = dir, append(os.Environ(), env...)
	if b, err := orasPush.CombinedOutput(); err != nil {
		t.Fatalf("oras push: %v\n%s", err, b)
	}

	// The AWS CLI, where it is installed, lists what they pushed.
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Log("the AWS CLI is not installed; its part of the test is skipped")
		return
	}
	awsEnv := append(env, "AWS_ACCESS_KEY_ID=AKIDCI", "AWS_SECRET_ACCESS_KEY=not-checked", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
	probe := exec.Command(aws, "--version")
	probe.Env = append(os.Environ(), awsEnv...)
	if b, err := probe.CombinedOutput(); err != nil {
		t.Logf("the AWS CLI does not run (%v: %s); its part of the test is skipped", err, lastLines(b, 2))
		return
	}
	out = run(t, awsEnv, aws, "ecr", "describe-images", "--endpoint-url", srv.URL, "--repository-name", "team/app", "--output", "json")
	var described struct {
		ImageDetails []struct{ ImageDigest string }
	}
	if err := json.Unmarshal([]byte(out), &described); err != nil || len(described.ImageDetails) != 4 { // crane's image and oras's artifact (not a referrer), each with its signature
		t.Fatalf("aws ecr describe-images: %v\n%s", err, out)
	}
	login := strings.TrimSpace(run(t, awsEnv, aws, "ecr", "get-login-password", "--endpoint-url", srv.URL))
	if _, err := srv.world.Authenticate("AWS", login); err != nil {
		t.Fatalf("aws ecr get-login-password gave a password the registry refuses: %v", err)
	}
}

func ptr(s string) *string { return &s }

// tarWithFile returns a tar archive holding one file.
func tarWithFile(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(content))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
