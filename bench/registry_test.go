package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// BenchmarkRegistryPush compares a manifest PUT through the registry protocol (/v2/, what
// docker, crane and oras send) with PutImage of the same manifest through the AWS SDK for
// Go v2 (the baseline), both over loopback HTTP to one `ecrsign serve` handler, one client
// at a time, in a world that requires every blob a manifest references (as ECR does) and
// signs every repository. Shapes: an image manifest with 1 and with 100 layers, and an image
// index of 8 manifests. Each engine alternates two manifests of the shape under one tag, so
// that every push is accepted (PutImage refuses the manifest its tag names already).
func BenchmarkRegistryPush(b *testing.B) {
	for _, shape := range []struct {
		name   string
		layers int
		index  int
	}{{"layers=1", 1, 0}, {"layers=100", 100, 0}, {"index=8", 1, 8}} {
		for _, engine := range []string{"putimage", "v2"} {
			b.Run(shape.name+"/engine="+engine, func(b *testing.B) {
				o := sim.DefaultOptions()
				o.RequireLayers = true
				w := sim.New(sim.WithOptions(o))
				c := w.Client(sim.Caller{})
				cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: serveProfile}}}
				if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}); err != nil {
					b.Fatal(err)
				}
				if _, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"}); err != nil {
					b.Fatal(err)
				}
				manifests := registryManifests(b, w.Registry(sim.Caller{}), shape.layers, shape.index)
				srv := httptest.NewServer(ecrhttp.NewHandler(w))
				defer srv.Close()
				push := registryEngine(b, engine, srv.URL, c)
				b.ReportAllocs()
				b.SetBytes(int64(len(manifests[0])))
				for i := 0; b.Loop(); i++ {
					if err := push(manifests[i%2]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// registryManifests uploads the blobs of two manifests of a shape (and pushes an index's
// children) and returns the two manifests.
func registryManifests(b *testing.B, c *sim.Registry, layers, index int) [2]string {
	image := func(seed int) string {
		var descs []string
		blob := func(content string) string {
			d := ecrapi.Digest(content)
			id, err := c.StartUpload("team/app")
			if err == nil {
				_, err = c.FinishUpload("team/app", id, d, strings.NewReader(content))
			}
			if err != nil {
				b.Fatal(err)
			}
			return fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":%q,"size":%d}`, d, len(content))
		}
		config := fmt.Sprintf(`{"architecture":"amd64","os":"linux","seed":%d}`, seed)
		configDesc := strings.Replace(blob(config), "layer.v1.tar+gzip", "config.v1+json", 1)
		for l := range layers {
			descs = append(descs, blob(fmt.Sprintf("layer %d of image %d", l, seed)))
		}
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}`, configDesc, strings.Join(descs, ","))
	}
	var out [2]string
	for v := range out {
		if index == 0 {
			out[v] = image(v)
			continue
		}
		var children []string
		for i := range index {
			m := image(v*1000 + i)
			if _, err := c.PushManifest(&ecrapi.PutImageRequest{RepositoryName: "team/app", ImageManifest: m}); err != nil {
				b.Fatal(err)
			}
			children = append(children, fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":%d,"platform":{"architecture":"arch%d","os":"linux"}}`, ecrapi.Digest(m), len(m), i))
		}
		out[v] = fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}`, strings.Join(children, ","))
	}
	return out
}

// registryEngine returns a function pushing a manifest with tag "v1" through engine.
func registryEngine(b *testing.B, engine, url string, c ecrapi.API) func(manifest string) error {
	ctx := context.Background()
	switch engine {
	case "putimage":
		client := ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: &http.Client{Transport: wholeBodyTransport{&http.Transport{}}},
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "x", ""), Retryer: aws.NopRetryer{}})
		return func(m string) error {
			_, err := client.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/app"), ImageManifest: aws.String(m), ImageTag: aws.String("v1")})
			return err
		}
	}
	tok, err := c.GetAuthorizationToken(nil)
	if err != nil {
		b.Fatal(err)
	}
	auth := "Basic " + tok.AuthorizationData[0].AuthorizationToken
	client := &http.Client{Transport: &http.Transport{}}
	return func(m string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPut, url+"/v2/team/app/manifests/v1", strings.NewReader(m))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", mediaTypeOf(m))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			body, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
		}
		io.Copy(io.Discard, resp.Body)
		return nil
	}
}

func mediaTypeOf(m string) string {
	if strings.Contains(m, `"application/vnd.oci.image.index.v1+json","manifests"`) {
		return "application/vnd.oci.image.index.v1+json"
	}
	return "application/vnd.oci.image.manifest.v1+json"
}

// BenchmarkRegistryBlobUpload streams a blob through a monolithic upload (POST ?digest=) to
// the blob area of a world with a store and reports the server's heap growth per upload:
// constant in the blob's size.
func BenchmarkRegistryBlobUpload(b *testing.B) {
	for _, size := range []int{1 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("size=%dMiB", size>>20), func(b *testing.B) {
			w, err := sim.Open(filepath.Join(b.TempDir(), "state"))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			c := w.Client(sim.Caller{})
			c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"})
			tok, _ := c.GetAuthorizationToken(nil)
			srv := httptest.NewServer(ecrhttp.NewHandler(w))
			defer srv.Close()
			content := bytes.Repeat([]byte("0123456789abcdef"), size/16)
			digest := ecrapi.Digest(string(content))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v2/team/app/blobs/uploads/?digest="+digest, bytes.NewReader(content))
				req.Header.Set("Authorization", "Basic "+tok.AuthorizationData[0].AuthorizationToken)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					b.Fatalf("HTTP %d", resp.StatusCode)
				}
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-growth-MiB")
		})
	}
}

// wholeBodyTransport reads each response whole before the SDK sees it. The AWS SDK for Go
// v2 reading a response of some 16 KB as it streams in (PutImage echoes the manifest)
// sometimes fails on this machine with "use of closed network connection" inside its own
// deserializer, with or without ecrsign's changes; reading the body first avoids it.
type wholeBodyTransport struct{ rt http.RoundTripper }

func (t wholeBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}
