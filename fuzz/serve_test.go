package fuzz

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	pathpkg "path"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// FuzzServeRequest sends arbitrary requests to the ECR endpoint, with and without signature
// verification: the Authorization header parser, the access key parser, the admin guard,
// the clock change decoder and the operations' decoders never panic, and every answer is
// one of the statuses the protocol uses, with a JSON error body when it is not 200.
func FuzzServeRequest(f *testing.F) {
	f.Add("POST", "/", "AmazonEC2ContainerRegistry_V20150921.CreateRepository", "application/x-amz-json-1.1",
		"AWS4-HMAC-SHA256 Credential=AKID/20260301/us-east-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00", "", `{"repositoryName":"app"}`, false, "AKID=secret=123456789012")
	f.Add("POST", "/_ecrsign/clock", "", "application/json", "", "", `{"set":"9999-12-31T23:59:59Z","advance":"1s"}`, false, "K=arn:aws:iam::123456789012:role/x")
	f.Add("GET", "/_ecrsign/world", "", "", "", "http://evil.example", "", true, "K=s=123")
	f.Add("POST", "/", "AmazonEC2ContainerRegistry_V20150921.PutImage", "application/x-amz-json-1.1",
		"AWS4-HMAC-SHA256 Credential=AKID/x/us-east-1/ecr/aws4_request,SignedHeaders=host;x-amz-date;content-length,Signature=zz", "", `{"repositoryName":"app","imageManifest":"{}"}`, true, "AKID=secret")
	f.Fuzz(func(t *testing.T, method, path, target, contentType, auth, origin, body string, verify bool, key string) {
		opts := []ecrhttp.Option{ecrhttp.WithMaxBodyBytes(1 << 16)}
		if k, err := ecrhttp.ParseAccessKey(key); err == nil {
			if k.ID == "" || !strings.Contains(key, k.ID) {
				t.Fatalf("ParseAccessKey(%q) = %+v", key, k)
			}
			opts = append(opts, k.Options()...)
		}
		if verify {
			opts = append(opts, ecrhttp.WithSignatureVerification())
		}
		world := sim.New(sim.WithClock(sim.NewFrozenClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))))
		h := ecrhttp.NewHandler(world, opts...)
		if _, err := url.ParseRequestURI(path); err != nil || !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t") {
			return // net/http refuses these before a handler sees them
		}
		r := httptest.NewRequest(method, "http://127.0.0.1:8645"+path, strings.NewReader(body))
		for name, v := range map[string]string{"X-Amz-Target": target, "Content-Type": contentType, "Authorization": auth, "Origin": origin, "X-Amz-Date": "20260301T000000Z"} {
			if v != "" {
				r.Header.Set(name, v)
			}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 403, 404, 405, 413, 415, 500, 503:
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// net/http's mux sends a path it would clean ("//", "/a/../") to the clean one, and
			// "/v2" to "/v2/"; nothing else redirects
			if p := r.URL.Path; cleanPath(p) == p && p != "/v2" {
				t.Fatalf("HTTP %d to %q for the clean path %q", w.Code, w.Header().Get("Location"), p)
			}
			return
		default:
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		if w.Code != 200 && !strings.Contains(w.Body.String(), `"message"`) && w.Code != 404 && w.Code != 405 {
			t.Fatalf("HTTP %d without an error body: %q", w.Code, w.Body)
		}
		var out strings.Builder
		if err := world.Save(&out); err != nil {
			t.Fatalf("the world no longer saves after the request: %v", err)
		}
	})
}

// cleanPath is the path net/http's mux redirects p to: path.Clean's, keeping a trailing
// slash.
func cleanPath(p string) string {
	c := pathpkg.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead:
		return true
	}
	return false
}
