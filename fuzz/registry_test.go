package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// registry is an in-process registry protocol endpoint over a fresh world with repository
// team/app and an authenticated request helper.
type registry struct {
	world *sim.World
	h     http.Handler
	auth  string
}

func newRegistry(t testing.TB) *registry {
	o := sim.DefaultOptions()
	o.SigningLatency = 0
	w := sim.New(sim.WithOptions(o))
	c := w.Client(sim.Caller{})
	if _, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetAuthorizationToken(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &registry{world: w, h: ecrhttp.NewHandler(w), auth: "Basic " + tok.AuthorizationData[0].AuthorizationToken}
}

func (r *registry) do(method, path, contentType string, headers map[string]string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", r.auth)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec
}

// ociCodes are the error codes of the distribution spec.
var ociCodes = map[string]bool{
	"BLOB_UNKNOWN": true, "BLOB_UPLOAD_INVALID": true, "BLOB_UPLOAD_UNKNOWN": true, "DIGEST_INVALID": true,
	"MANIFEST_BLOB_UNKNOWN": true, "MANIFEST_INVALID": true, "MANIFEST_UNKNOWN": true, "NAME_INVALID": true,
	"NAME_UNKNOWN": true, "SIZE_INVALID": true, "UNAUTHORIZED": true, "DENIED": true, "UNSUPPORTED": true,
	"TOOMANYREQUESTS": true, "TAG_INVALID": true, "PAGINATION_NUMBER_INVALID": true,
}

// checkError fails unless rec is a success or a client error with a distribution spec
// error body.
func checkError(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code < 400 {
		return
	}
	if rec.Code >= 500 {
		t.Fatalf("%s: HTTP %d: %s", what, rec.Code, rec.Body)
	}
	var body struct {
		Errors []struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || !ociCodes[body.Errors[0].Code] || body.Errors[0].Message == "" {
		t.Fatalf("%s: HTTP %d with a body that is not an OCI error: %s", what, rec.Code, rec.Body)
	}
}

var manifestTypes = []string{"", "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/json", "text/plain; x", "application/vnd.oci.image.manifest.v1+json; charset=utf-8"}

// FuzzRegistryManifestPut puts any bytes as a manifest, by tag or by digest, with any
// content type: the answer is 201 or the protocol's own error, never a server error; a
// manifest accepted reads back byte for byte under the digest announced.
func FuzzRegistryManifestPut(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`), uint8(1), "v1")
	f.Add([]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`), uint8(2), "")
	f.Add([]byte(`{"schemaVersion":2,"config":{"digest":"sha256:zz"},"subject":{"digest":"sha256:00"}}`), uint8(0), "latest")
	f.Add([]byte(`[1,2`), uint8(5), "x/y")
	f.Add([]byte(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":-5}]}`), uint8(1), "sha256:1")
	f.Fuzz(func(t *testing.T, body []byte, ct uint8, ref string) {
		r := newRegistry(t)
		// the empty config, so that manifests referencing only it can be accepted
		if rec := r.do("POST", "/v2/team/app/blobs/uploads/?digest="+ecrapi.Digest("{}"), "", nil, []byte("{}")); rec.Code != 201 {
			t.Fatalf("empty config upload: %d", rec.Code)
		}
		if ref == "" {
			ref = ecrapi.Digest(string(body))
		}
		path := "/v2/team/app/manifests/" + url.PathEscape(ref)
		rec := r.do("PUT", path, manifestTypes[int(ct)%len(manifestTypes)], nil, body)
		checkError(t, "PUT manifest", rec)
		if rec.Code != 201 {
			return
		}
		digest := rec.Header().Get("Docker-Content-Digest")
		if digest != ecrapi.Digest(string(body)) {
			t.Fatalf("announced digest %s for a manifest whose digest is %s", digest, ecrapi.Digest(string(body)))
		}
		got := r.do("GET", "/v2/team/app/manifests/"+digest, "", nil, nil)
		if got.Code != 200 || !bytes.Equal(got.Body.Bytes(), body) {
			t.Fatalf("GET of an accepted manifest: %d %q", got.Code, got.Body)
		}
	})
}

// FuzzRegistryUpload drives the upload state machine with any sequence of starts, chunks
// (in order or not), completions with the right or a wrong digest, status requests and
// cancellations: every answer is a success or the protocol's own error, and a blob is
// stored exactly when its content matches its digest.
func FuzzRegistryUpload(f *testing.F) {
	f.Add([]byte{0, 1, 1, 2})
	f.Add([]byte{0, 1, 5, 3, 2, 4})
	f.Add([]byte{0, 6, 1, 1, 1, 2, 2})
	f.Fuzz(func(t *testing.T, program []byte) {
		if len(program) > 64 {
			return
		}
		r := newRegistry(t)
		s := &simBytes{b: program}
		var loc string     // the current upload
		var sent []byte    // what the current upload holds, as the server acknowledged it
		var blobs [][]byte // blobs stored
		for !s.done() {
			switch op := s.next() % 7; op {
			case 0: // start
				rec := r.do("POST", "/v2/team/app/blobs/uploads/", "", nil, nil)
				checkError(t, "POST", rec)
				if rec.Code != 202 {
					t.Fatalf("start: %d", rec.Code)
				}
				loc, sent = rec.Header().Get("Location"), nil
			case 1, 5: // a chunk, with a Content-Range that is right, absent or wrong
				if loc == "" {
					continue
				}
				chunk := bytes.Repeat([]byte{byte(s.next())}, s.next()%40)
				h := map[string]string{}
				switch s.next() % 3 {
				case 0:
					h["Content-Range"] = fmt.Sprintf("%d-%d", len(sent), len(sent)+len(chunk)-1)
				case 1:
					h["Content-Range"] = fmt.Sprintf("%d-%d", len(sent)+1, len(sent)+len(chunk))
				}
				rec := r.do("PATCH", loc, "application/octet-stream", h, chunk)
				checkError(t, "PATCH", rec)
				if rec.Code == 202 {
					sent = append(sent, chunk...)
					if want := fmt.Sprintf("0-%d", max(len(sent)-1, 0)); rec.Header().Get("Range") != want {
						t.Fatalf("Range %q after %d bytes", rec.Header().Get("Range"), len(sent))
					}
				}
			case 2, 6: // complete with the right digest or a wrong one
				if loc == "" {
					continue
				}
				last := []byte("end")
				content := append(append([]byte{}, sent...), last...)
				digest := ecrapi.Digest(string(content))
				right := s.next()%2 == 0
				if !right {
					digest = ecrapi.Digest(string(content) + "x")
				}
				rec := r.do("PUT", loc+"?digest="+digest, "application/octet-stream", nil, last)
				checkError(t, "PUT", rec)
				if right != (rec.Code == 201) {
					t.Fatalf("completion with the right digest %v: HTTP %d %s", right, rec.Code, rec.Body)
				}
				_, serr := r.world.StatBlob(digest)
				stored := serr == nil
				if stored != right {
					t.Fatalf("blob stored %v; its content matches its digest %v", stored, right)
				}
				if right {
					blobs = append(blobs, content)
				}
				loc = ""
			case 3: // status
				if loc == "" {
					continue
				}
				rec := r.do("GET", loc, "", nil, nil)
				checkError(t, "GET upload", rec)
				if want := fmt.Sprintf("0-%d", max(len(sent)-1, 0)); rec.Code != 204 || rec.Header().Get("Range") != want {
					t.Fatalf("status: %d %q, want %s", rec.Code, rec.Header().Get("Range"), want)
				}
			case 4: // cancel
				if loc == "" {
					continue
				}
				rec := r.do("DELETE", loc, "", nil, nil)
				checkError(t, "DELETE upload", rec)
				if again := r.do("PATCH", loc, "", nil, []byte("x")); again.Code != 404 {
					t.Fatalf("PATCH after cancel: %d", again.Code)
				}
				loc = ""
			}
		}
		for _, b := range blobs {
			rec := r.do("GET", "/v2/team/app/blobs/"+ecrapi.Digest(string(b)), "", nil, nil)
			if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), b) {
				t.Fatalf("stored blob reads back as %d %q", rec.Code, rec.Body)
			}
		}
	})
}
