package ecrhttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	godigest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

const testProfile = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"

// registryServer serves a world whose signing configuration signs every repository with
// testProfile, with jobs settling at the instant of the push; it returns the server, the
// world and a registry password of the default caller.
func registryServer(t *testing.T, opts ...sim.Option) (*httptest.Server, *sim.World, string) {
	t.Helper()
	o := sim.DefaultOptions()
	o.SigningLatency, o.ReplicationLatency = 0, 0
	w := sim.New(append([]sim.Option{sim.WithOptions(o), sim.WithClock(sim.NewFrozenClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))}, opts...)...)
	c := w.Client(sim.Caller{})
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: testProfile, RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "*", FilterType: rules.WildcardMatch}}}}}
	if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(w))
	t.Cleanup(srv.Close)
	tok, err := c.GetAuthorizationToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(tok.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		t.Fatal(err)
	}
	user, pw, _ := strings.Cut(string(raw), ":")
	if user != "AWS" {
		t.Fatalf("token user %q", user)
	}
	return srv, w, pw
}

func host(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

// TestGoContainerRegistryRoundTrip pushes a random multi-platform image index with
// go-containerregistry's client, pulls it back byte for byte, and finds each manifest
// signed, its signature a referrer that oras-go discovers.
func TestGoContainerRegistryRoundTrip(t *testing.T) {
	srv, w, pw := registryServer(t)
	idx, err := random.Index(512, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host(srv)+"/team/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	opt := remote.WithAuth(&authn.Basic{Username: "AWS", Password: pw})
	if err := remote.WriteIndex(ref, idx, opt); err != nil {
		t.Fatalf("remote.WriteIndex: %v", err)
	}

	got, err := remote.Index(ref, opt)
	if err != nil {
		t.Fatal(err)
	}
	wantRaw, _ := idx.RawManifest()
	gotRaw, _ := got.RawManifest()
	if !bytes.Equal(wantRaw, gotRaw) {
		t.Fatalf("index differs:\n%s\n%s", gotRaw, wantRaw)
	}
	im, _ := idx.IndexManifest()
	for _, d := range im.Manifests {
		want, _ := idx.Image(d.Digest)
		pulled, err := remote.Image(ref.Context().Digest(d.Digest.String()), opt)
		if err != nil {
			t.Fatal(err)
		}
		sameImage(t, want, pulled)
	}

	// Each child and the index are pushes: each is signed, and its signature a referrer.
	c := w.Client(sim.Caller{})
	digest, _ := idx.Digest()
	out, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: "team/app", ImageID: &ecrapi.ImageIdentifier{ImageTag: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SigningStatuses) != 1 || out.SigningStatuses[0].Status != ecrapi.StatusComplete || out.ImageID.ImageDigest != digest.String() {
		t.Fatalf("signing of the index: %+v", out)
	}
	imgs, err := c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/app"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(imgs.ImageDetails); n != 8 { // 3 images, 1 index, 4 signatures
		t.Fatalf("DescribeImages lists %d images, want 8: %+v", n, imgs.ImageDetails)
	}

	repo, err := orasremote.NewRepository(host(srv) + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	repo.PlainHTTP = true
	repo.Client = &auth.Client{Credential: auth.StaticCredential(host(srv), auth.Credential{Username: "AWS", Password: pw})}
	var found []ocispec.Descriptor
	subject := ocispec.Descriptor{MediaType: string(im.MediaType), Digest: digestOf(digest), Size: int64(len(wantRaw))}
	err = repo.Referrers(context.Background(), subject, ecrapi.SignatureArtifactType, func(ds []ocispec.Descriptor) error {
		found = append(found, ds...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ArtifactType != ecrapi.SignatureArtifactType || found[0].Annotations[ecrapi.AnnotationSigningProfile] != testProfile {
		t.Fatalf("oras discovers %+v", found)
	}
	// The signature's payload says it is simulated.
	rc, err := repo.Fetch(context.Background(), found[0])
	if err != nil {
		t.Fatal(err)
	}
	var sig ocispec.Manifest
	if err := json.NewDecoder(rc).Decode(&sig); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	payload, err := repo.Blobs().Fetch(context.Background(), sig.Layers[0])
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(payload)
	payload.Close()
	if !strings.Contains(string(text), "SIMULATED SIGNATURE") || !strings.Contains(string(text), testProfile) {
		t.Fatalf("payload %q", text)
	}
	// Another artifact type filters it out.
	found = nil
	repo.Referrers(context.Background(), subject, "application/spdx+json", func(ds []ocispec.Descriptor) error {
		found = append(found, ds...)
		return nil
	})
	if len(found) != 0 {
		t.Fatalf("filtered referrers %+v", found)
	}
}

func sameImage(t *testing.T, want, got v1.Image) {
	t.Helper()
	wm, _ := want.RawManifest()
	gm, _ := got.RawManifest()
	if !bytes.Equal(wm, gm) {
		t.Fatalf("manifest differs")
	}
	wc, _ := want.RawConfigFile()
	gc, err := got.RawConfigFile()
	if err != nil || !bytes.Equal(wc, gc) {
		t.Fatalf("config differs: %v", err)
	}
	wl, _ := want.Layers()
	gl, _ := got.Layers()
	if len(wl) != len(gl) {
		t.Fatalf("%d layers, want %d", len(gl), len(wl))
	}
	for i := range wl {
		a, _ := wl[i].Compressed()
		b, err := gl[i].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		ab, _ := io.ReadAll(a)
		bb, _ := io.ReadAll(b)
		if !bytes.Equal(ab, bb) {
			t.Fatalf("layer %d differs", i)
		}
	}
}

func TestRegistryProtocolErrors(t *testing.T) {
	srv, w, pw := registryServer(t)
	blob := []byte("layer content")
	blobDigest := ecrapi.Digest(string(blob))
	do := func(method, path, ctype string, body []byte, auth bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if auth {
			req.SetBasicAuth("AWS", pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	code := func(resp *http.Response) string {
		var b ociErrorBody
		json.NewDecoder(resp.Body).Decode(&b)
		if len(b.Errors) == 0 {
			return ""
		}
		return b.Errors[0].Code
	}
	manifest := func(layer string) []byte {
		return []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"` + layer + `","size":13}]}`)
	}

	tests := []struct {
		name             string
		method, path     string
		ctype            string
		body             []byte
		noAuth           bool
		wantStatus       int
		wantCode         string
		wantHeader, hval string
	}{
		{name: "no credentials", method: "GET", path: "/v2/", noAuth: true, wantStatus: 401, wantCode: "UNAUTHORIZED", wantHeader: "WWW-Authenticate", hval: `Basic realm=`},
		{name: "base", method: "GET", path: "/v2/", wantStatus: 200},
		{name: "unknown repository", method: "GET", path: "/v2/team/none/tags/list", wantStatus: 404, wantCode: "NAME_UNKNOWN"},
		{name: "unknown blob", method: "GET", path: "/v2/team/app/blobs/" + blobDigest, wantStatus: 404, wantCode: "BLOB_UNKNOWN"},
		{name: "malformed digest", method: "GET", path: "/v2/team/app/blobs/sha256:zz", wantStatus: 400, wantCode: "DIGEST_INVALID"},
		{name: "blob of another digest", method: "POST", path: "/v2/team/app/blobs/uploads/?digest=" + ecrapi.Digest("other"), body: blob, wantStatus: 400, wantCode: "DIGEST_INVALID"},
		{name: "manifest with missing blobs", method: "PUT", path: "/v2/team/app/manifests/v1", ctype: "application/vnd.oci.image.manifest.v1+json", body: manifest(blobDigest), wantStatus: 400, wantCode: "MANIFEST_BLOB_UNKNOWN"},
		{name: "index with a digest that is no string", method: "PUT", path: "/v2/team/app/manifests/v1", ctype: "application/vnd.oci.image.index.v1+json", body: []byte(`{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":1}]}`), wantStatus: 400, wantCode: "MANIFEST_INVALID"},
		{name: "manifest not JSON", method: "PUT", path: "/v2/team/app/manifests/v1", ctype: "application/vnd.oci.image.manifest.v1+json", body: []byte("{"), wantStatus: 400, wantCode: "MANIFEST_INVALID"},
		{name: "manifest digest mismatch", method: "PUT", path: "/v2/team/app/manifests/" + ecrapi.Digest("x"), ctype: "application/vnd.oci.image.manifest.v1+json", body: manifest(blobDigest), wantStatus: 400, wantCode: "DIGEST_INVALID"},
		{name: "unknown manifest", method: "GET", path: "/v2/team/app/manifests/nope", wantStatus: 404, wantCode: "MANIFEST_UNKNOWN"},
		{name: "unknown upload", method: "PATCH", path: "/v2/team/app/blobs/uploads/00000000-0000-4000-8000-000000000000", body: blob, wantStatus: 404, wantCode: "BLOB_UPLOAD_UNKNOWN"},
		{name: "blob delete", method: "DELETE", path: "/v2/team/app/blobs/" + blobDigest, wantStatus: 405, wantCode: "UNSUPPORTED"},
		{name: "bad tag page size", method: "GET", path: "/v2/team/app/tags/list?n=x", wantStatus: 400, wantCode: "PAGINATION_NUMBER_INVALID"},
		{name: "referrers of a malformed digest", method: "GET", path: "/v2/team/app/referrers/sha256:1", wantStatus: 400, wantCode: "DIGEST_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(tt.method, tt.path, tt.ctype, tt.body, !tt.noAuth)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("HTTP %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantCode != "" {
				if got := code(resp); got != tt.wantCode {
					t.Fatalf("code %q, want %q", got, tt.wantCode)
				}
			}
			if tt.wantHeader != "" && !strings.Contains(resp.Header.Get(tt.wantHeader), tt.hval) {
				t.Fatalf("%s: %q, want %q", tt.wantHeader, resp.Header.Get(tt.wantHeader), tt.hval)
			}
		})
	}
	if _, err := w.StatBlob(ecrapi.Digest("other")); err == nil {
		t.Fatal("a blob whose content did not match its digest was stored")
	}

	// Chunked upload, then the manifest: a push, signed.
	resp := do("POST", "/v2/team/app/blobs/uploads/", "", nil, true)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 202 || loc == "" {
		t.Fatalf("POST upload: %d %q", resp.StatusCode, loc)
	}
	resp = do("PATCH", loc, "application/octet-stream", blob[:5], true)
	if resp.StatusCode != 202 || resp.Header.Get("Range") != "0-4" {
		t.Fatalf("PATCH: %d %q", resp.StatusCode, resp.Header.Get("Range"))
	}
	req, _ := http.NewRequest("PATCH", srv.URL+loc, bytes.NewReader(blob[5:]))
	req.SetBasicAuth("AWS", pw)
	req.Header.Set("Content-Range", "3-100") // not where the upload ends
	if r2, _ := http.DefaultClient.Do(req); r2.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("out-of-order chunk: HTTP %d", r2.StatusCode)
	}
	resp = do("PUT", loc+"?digest="+blobDigest, "application/octet-stream", blob[5:], true)
	if resp.StatusCode != 201 {
		t.Fatalf("PUT upload: %d %s", resp.StatusCode, code(resp))
	}
	resp = do("POST", "/v2/team/app/blobs/uploads/?digest="+ecrapi.Digest("{}"), "", []byte("{}"), true)
	if resp.StatusCode != 201 {
		t.Fatalf("monolithic upload: %d", resp.StatusCode)
	}
	resp = do("PUT", "/v2/team/app/manifests/v1", "application/vnd.oci.image.manifest.v1+json", manifest(blobDigest), true)
	if resp.StatusCode != 201 || resp.Header.Get("Docker-Content-Digest") != ecrapi.Digest(string(manifest(blobDigest))) {
		t.Fatalf("manifest PUT: %d %s", resp.StatusCode, code(resp))
	}
	// A re-push through the registry protocol is a push (PutImage would refuse it).
	if resp := do("PUT", "/v2/team/app/manifests/v1", "application/vnd.oci.image.manifest.v1+json", manifest(blobDigest), true); resp.StatusCode != 201 {
		t.Fatalf("re-push: %d", resp.StatusCode)
	}
	resp = do("GET", "/v2/team/app/tags/list?n=1", "", nil, true)
	var tags struct{ Tags []string }
	json.NewDecoder(resp.Body).Decode(&tags)
	if len(tags.Tags) != 1 || tags.Tags[0] != "v1" {
		t.Fatalf("tags %v", tags.Tags)
	}
	resp = do("GET", "/v2/team/app/referrers/"+ecrapi.Digest(string(manifest(blobDigest)))+"?artifactType="+ecrapi.SignatureArtifactType, "", nil, true)
	var idx ocispec.Index
	json.NewDecoder(resp.Body).Decode(&idx)
	if resp.Header.Get("OCI-Filters-Applied") != "artifactType" || len(idx.Manifests) != 1 {
		t.Fatalf("referrers: %q %+v", resp.Header.Get("OCI-Filters-Applied"), idx)
	}
	resp = do("DELETE", "/v2/team/app/manifests/"+ecrapi.Digest(string(manifest(blobDigest))), "", nil, true)
	if resp.StatusCode != 202 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp := do("GET", "/v2/team/app/manifests/v1", "", nil, true); resp.StatusCode != 404 {
		t.Fatalf("deleted manifest: %d", resp.StatusCode)
	}
}

func digestOf(h v1.Hash) godigest.Digest { return godigest.Digest(h.String()) }

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), r.n-r.off))
	for i := range k {
		p[i] = byte((r.off + int64(i)) % 251)
	}
	r.off += int64(k)
	return k, nil
}

// TestBlobUploadStreams uploads a 1 GiB layer (256 MiB under the race detector) in two chunks through `ecrsign serve`'s
// handler to the blob area of a world with a store: the heap grows by less than 64 MiB
// while it streams.
func TestBlobUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 1 GiB; skipped with -short")
	}
	size := int64(1 << 30)
	if raceEnabled {
		size = 256 << 20 // the heap bound is the same; 1 GiB takes minutes under the detector
	}
	const maxGrowth = 64 << 20
	dir := t.TempDir()
	world, err := sim.Open(filepath.Join(dir, "state"), sim.WithUploadDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer world.Close()
	c := world.Client(sim.Caller{})
	c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"})
	tok, _ := c.GetAuthorizationToken(nil)
	hs := httptest.NewServer(NewHandler(world))
	defer hs.Close()
	h := sha256.New()
	io.Copy(h, &patternReader{n: size})
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while the upload streams
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	send := func(method, path string, body io.Reader) *http.Response {
		req, _ := http.NewRequest(method, hs.URL+path, body)
		req.Header.Set("Authorization", "Basic "+tok.AuthorizationData[0].AuthorizationToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := send("POST", "/v2/team/app/blobs/uploads/", nil)
	loc := resp.Header.Get("Location")
	all := &patternReader{n: size}
	if resp := send("PATCH", loc, io.LimitReader(all, size/2)); resp.StatusCode != 202 {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	if resp := send("PUT", loc+"?digest="+digest, all); resp.StatusCode != 201 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	close(stop)
	<-sampled
	if info, err := world.StatBlob(digest); err != nil || info.Size != size {
		t.Fatalf("stored %d bytes (%v)", info.Size, err)
	}
	if growth := int64(peak.Load()) - int64(base.HeapInuse); growth >= maxGrowth {
		t.Fatalf("the heap grew by %d MiB uploading %d MiB; want less than %d MiB", growth>>20, size>>20, maxGrowth>>20)
	} else {
		t.Logf("heap growth %.1f MiB for a %d MiB upload", float64(growth)/(1<<20), size>>20)
	}
}

// slowReader yields its content a chunk at a time, pausing between chunks.
type slowReader struct {
	chunks [][]byte
	pause  time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.pause) // a slow link, not a wait before an assertion
	n := copy(p, r.chunks[0])
	r.chunks = r.chunks[1:]
	return n, nil
}

// TestSlowBlobUploadOutlastsReadTimeout: a blob that keeps coming is read past the server's
// whole-request ReadTimeout; only an upload that stalls for BlobReadIdleTimeout fails.
func TestSlowBlobUploadOutlastsReadTimeout(t *testing.T) {
	w := sim.New()
	c := w.Client(sim.Caller{})
	c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"})
	tok, _ := c.GetAuthorizationToken(nil)
	srv := httptest.NewUnstartedServer(NewHandler(w))
	srv.Config.ReadTimeout = 100 * time.Millisecond
	srv.Start()
	defer srv.Close()
	chunks := [][]byte{[]byte("slow "), []byte("layer "), []byte("bytes "), []byte("arrive")}
	digest := ecrapi.Digest("slow layer bytes arrive")
	req, _ := http.NewRequest("POST", srv.URL+"/v2/team/app/blobs/uploads/?digest="+digest, &slowReader{chunks: chunks, pause: 60 * time.Millisecond})
	req.Header.Set("Authorization", "Basic "+tok.AuthorizationData[0].AuthorizationToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	if info, err := w.StatBlob(digest); err != nil || info.Size != 23 {
		t.Fatalf("stored %d bytes (%v)", info.Size, err)
	}
}
