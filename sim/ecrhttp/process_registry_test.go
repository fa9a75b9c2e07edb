package ecrhttp_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// registryClient pushes through the registry protocol (/v2/) with a registry login.
type registryClient struct {
	url, auth string
}

func login(t *testing.T, url string) *registryClient {
	t.Helper()
	tok, err := sdk(url, "AKID", "us-east-1").GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	return &registryClient{url: url, auth: "Basic " + *tok.AuthorizationData[0].AuthorizationToken}
}

func (r *registryClient) do(method, path, contentType string, body io.Reader) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, r.url+path, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", r.auth)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// push uploads a layer and a config monolithically, then puts a manifest naming them under
// tag; it returns the manifest, or an error when any step was not acknowledged.
func (r *registryClient) push(repo, tag string, layer []byte) (string, error) {
	config := []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","layer":%q}`, sha(layer)))
	for _, blob := range [][]byte{layer, config} {
		resp, body, err := r.do("POST", "/v2/"+repo+"/blobs/uploads/?digest="+sha(blob), "application/octet-stream", strings.NewReader(string(blob)))
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusCreated {
			return "", fmt.Errorf("blob upload: HTTP %d %s", resp.StatusCode, body)
		}
	}
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":%q,"size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":%q,"size":%d}]}`, sha(config), len(config), sha(layer), len(layer))
	resp, body, err := r.do("PUT", "/v2/"+repo+"/manifests/"+tag, "application/vnd.oci.image.manifest.v1+json", strings.NewReader(m))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("manifest PUT: HTTP %d %s", resp.StatusCode, body)
	}
	return m, nil
}

// pulled checks that the manifest tag names, and every blob it references, come back byte
// for byte.
func (r *registryClient) pulled(t *testing.T, repo, tag, manifest string, layer []byte) {
	t.Helper()
	resp, body, err := r.do("GET", "/v2/"+repo+"/manifests/"+tag, "", nil)
	if err != nil || resp.StatusCode != http.StatusOK || string(body) != manifest {
		t.Fatalf("GET manifest %s:%s after the restart: %v HTTP %v %s", repo, tag, err, resp, body)
	}
	resp, body, err = r.do("GET", "/v2/"+repo+"/blobs/"+sha(layer), "", nil)
	if err != nil || resp.StatusCode != http.StatusOK || sha(body) != sha(layer) {
		t.Fatalf("GET layer %s of %s:%s after the restart: %v HTTP %v (%d bytes)", sha(layer), repo, tag, err, resp, len(body))
	}
}

// TestProcessKilledRegistry: what the registry protocol and the repository operations
// acknowledged survives a SIGKILL of the server process: layers (larger than a chunk of the
// blob area) and manifests pushed through /v2/, a deleted repository, tag mutability,
// resource tags and the registry login; pushes acknowledged while the kill lands are all
// there after the restart.
func TestProcessKilledRegistry(t *testing.T) {
	dir := t.TempDir()
	state, world := filepath.Join(dir, "state.db"), filepath.Join(dir, "world.json")
	os.WriteFile(world, []byte(`{"options": {"signingLatency": "0s"}}`), 0o644)
	p := startProcess(t, state, world)
	ctx := context.Background()
	api := sdk(p.URL, "AKID", "us-east-1")
	if _, err := api.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule("arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod", "team/app")}}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"team/app", "team/load", "team/gone"} {
		if _, err := api.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	reg := login(t, p.URL)
	big := make([]byte, 3<<20+17) // four chunks of the blob area
	rand.Read(big)
	m, err := reg.push("team/app", "v1", big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.push("team/gone", "v1", []byte("gone")); err != nil {
		t.Fatal(err)
	}
	if _, err := api.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/gone"), Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("team/app"), ImageTagMutability: types.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:ecr:us-east-1:123456789012:repository/team/app"
	if _, err := api.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}

	// a load of pushes through /v2/, killed once some are acknowledged
	type ack struct {
		tag, manifest string
		layer         []byte
	}
	acks := make(chan ack, 1000)
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			layer := []byte(fmt.Sprintf("layer %d of the load", i))
			tag := fmt.Sprintf("load-%d", i)
			m, err := reg.push("team/load", tag, layer)
			if err != nil {
				return // the kill
			}
			acks <- ack{tag, m, layer}
			n.Add(1)
		}
	}()
	waitFor(t, time.Minute, "10 pushes acknowledged through /v2/", func() bool { return n.Load() >= 10 })
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	<-done
	close(acks)

	q := startProcess(t, state, world)
	reg.url = q.URL // the login of before the kill still holds
	api = sdk(q.URL, "AKID", "us-east-1")
	reg.pulled(t, "team/app", "v1", m, big)
	count := 0
	for a := range acks {
		reg.pulled(t, "team/load", a.tag, a.manifest, a.layer)
		count++
	}
	t.Logf("SIGKILL after %d pushes acknowledged through /v2/; all there after the restart", count)
	_, err = api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/gone"}})
	if rnf := (*types.RepositoryNotFoundException)(nil); !errors.As(err, &rnf) {
		t.Fatalf("the deleted repository is back after the restart: %v", err)
	}
	repos, err := api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"team/app"}})
	if err != nil || repos.Repositories[0].ImageTagMutability != types.ImageTagMutabilityImmutable {
		t.Fatalf("tag mutability after the restart: %+v %v", repos, err)
	}
	tags, err := api.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "a" {
		t.Fatalf("resource tags after the restart: %+v %v", tags, err)
	}
	// the signed image's signature is a referrer, listed after the restart too
	refs, err := api.ListImageReferrers(ctx, &ecr.ListImageReferrersInput{RepositoryName: aws.String("team/app"), SubjectId: &types.SubjectIdentifier{ImageDigest: aws.String(sha([]byte(m)))}})
	if err != nil || len(refs.Referrers) != 1 || *refs.Referrers[0].ArtifactType != "application/vnd.cncf.notary.signature" {
		t.Fatalf("the signature of the pushed image after the restart: %+v %v", refs, err)
	}
}
