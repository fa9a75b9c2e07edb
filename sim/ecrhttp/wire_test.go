package ecrhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

type wireResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func post(t *testing.T, url, path, target, contentType, auth, body string) wireResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) wireResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := wireResponse{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("HTTP %d: body is not a JSON object: %q", resp.StatusCode, raw)
	}
	return r
}

const target = ecrhttp.TargetPrefix

func auth(key, region string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20260301/" + region + "/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef"
}

// TestWire checks the protocol layer byte by byte: status codes, the AWS JSON error form,
// the limits and how the caller is read from the Authorization header.
func TestWire(t *testing.T) {
	clk := sim.NewFrozenClock(time.Date(2026, 3, 1, 12, 0, 0, 500e6, time.UTC))
	world := sim.New(sim.WithClock(clk))
	h := ecrhttp.NewHandler(world,
		ecrhttp.WithMaxBodyBytes(1024),
		ecrhttp.WithAccessKey("AKIDOTHER", sim.Caller{Account: "210987654321"}),
	)
	srv := httptest.NewServer(h)
	defer srv.Close()
	const ct = ecrhttp.ContentType

	cases := []struct {
		name        string
		path        string
		target      string
		contentType string
		auth        string
		body        string
		status      int
		errType     string // "" for success
		message     string // a part of the message, or of the body on success
	}{
		{"empty body is an empty input", "/", target + "GetSigningConfiguration", ct, "", "", 400, "SigningConfigurationNotFoundException", "'123456789012' in region 'us-east-1'"},
		{"registry from the access key and region from the scope", "/", target + "GetSigningConfiguration", ct, auth("AKIDOTHER", "eu-west-1"), "{}", 400, "SigningConfigurationNotFoundException", "'210987654321' in region 'eu-west-1'"},
		{"unmapped key uses the defaults", "/", target + "GetSigningConfiguration", ct, auth("AKIDX", "us-east-1"), "{}", 400, "SigningConfigurationNotFoundException", "'123456789012' in region 'us-east-1'"},
		{"unreadable authorization uses the defaults", "/", target + "GetSigningConfiguration", ct, "Bearer xyz", "{}", 400, "SigningConfigurationNotFoundException", "'123456789012'"},
		{"invalid region in the scope", "/", target + "GetSigningConfiguration", ct, auth("AKID", "US_EAST"), "{}", 400, "ValidationException", "US_EAST"},
		{"missing required member", "/", target + "PutSigningConfiguration", ct, "", "{}", 400, "ValidationException", "signingConfiguration"},
		{"success", "/", target + "CreateRepository", ct, "", `{"repositoryName":"app"}`, 200, "", `"createdAt":1772366400.5`},
		{"unknown members are ignored", "/", target + "DescribeRegistry", ct, "", `{"future":1}`, 200, "", `"registryId":"123456789012"`},
		{"json 1.0 content type", "/", target + "DescribeRegistry", "application/x-amz-json-1.0", "", `{}`, 200, "", `"rules":[]`},
		{"unknown operation", "/", target + "FlyToTheMoon", ct, "", "{}", 400, "UnknownOperationException", "FlyToTheMoon"},
		{"another service's target", "/", "DynamoDB_20120810.GetItem", ct, "", "{}", 400, "UnknownOperationException", "DynamoDB_20120810.GetItem"},
		{"no target", "/", "", ct, "", "{}", 400, "UnknownOperationException", "PutImage"},
		{"not JSON", "/", target + "CreateRepository", ct, "", `{"repositoryName":`, 400, "SerializationException", "not valid JSON"},
		{"not an object", "/", target + "CreateRepository", ct, "", `["app"]`, 400, "SerializationException", "must be a JSON object"},
		{"null body", "/", target + "CreateRepository", ct, "", `null`, 400, "SerializationException", "must be a JSON object"},
		{"wrong member type", "/", target + "CreateRepository", ct, "", `{"repositoryName":5}`, 400, "SerializationException", `member "repositoryName"`},
		{"wrong nested type", "/", target + "PutSigningConfiguration", ct, "", `{"signingConfiguration":{"rules":{}}}`, 400, "SerializationException", "rules"},
		{"data after the object", "/", target + "DescribeRegistry", ct, "", `{} {}`, 400, "SerializationException", "not valid JSON"},
		{"body over the limit", "/", target + "PutImage", ct, "", `{"imageManifest":"` + strings.Repeat("x", 2000) + `"}`, 413, "SerializationException", "larger than 1024 bytes"},
		{"wrong content type", "/", target + "DescribeRegistry", "text/plain", "", `{}`, 415, "SerializationException", "application/x-amz-json-1.1"},
		{"wrong path", "/v3/", target + "DescribeRegistry", ct, "", `{}`, 404, "UnknownOperationException", "POST /"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, srv.URL, tc.path, tc.target, tc.contentType, tc.auth, tc.body)
			if r.status != tc.status {
				t.Fatalf("HTTP %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if got := r.header.Get("Content-Type"); got != ct {
				t.Errorf("Content-Type %q", got)
			}
			if r.header.Get("X-Amzn-RequestId") == "" {
				t.Error("no X-Amzn-RequestId")
			}
			if tc.errType == "" {
				if !strings.Contains(r.raw, tc.message) {
					t.Fatalf("body %s does not contain %s", r.raw, tc.message)
				}
				return
			}
			if r.body["__type"] != tc.errType || r.header.Get("X-Amzn-ErrorType") != tc.errType {
				t.Fatalf("__type %v, X-Amzn-ErrorType %q, want %s: %s", r.body["__type"], r.header.Get("X-Amzn-ErrorType"), tc.errType, r.raw)
			}
			if msg, _ := r.body["message"].(string); !strings.Contains(msg, tc.message) {
				t.Fatalf("message %q does not contain %q", msg, tc.message)
			}
		})
	}

	t.Run("GET /", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		r := do(t, req)
		if r.status != 405 || r.header.Get("Allow") != "POST" || r.body["__type"] != "UnknownOperationException" {
			t.Fatalf("HTTP %d %v %s", r.status, r.header, r.raw)
		}
	})
}

func TestClockEndpoint(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(ecrhttp.NewHandler(sim.New(sim.WithClock(sim.NewFrozenClock(t0)))))
	defer srv.Close()

	if now, frozen := clock(t, srv.URL, `{"advance": "90s"}`); !now.Equal(t0.Add(90*time.Second)) || !frozen {
		t.Fatalf("advance: %v %v", now, frozen)
	}
	if now, _ := clock(t, srv.URL, `{"set": "2026-03-02T00:00:00Z"}`); !now.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("set: %v", now)
	}
	resumed, frozen := clock(t, srv.URL, `{"freeze": false}`)
	if frozen {
		t.Fatal("resume left it frozen")
	}
	waitFor(t, time.Minute, "the resumed clock to run", func() bool {
		now, _ := clock(t, srv.URL, `{}`)
		return now.After(resumed)
	})
	for _, bad := range []struct{ body, errType, message string }{
		{`{"advance": "-5s"}`, "ValidationException", "never runs backward"},
		{`{"advance": "soon"}`, "ValidationException", "not a duration"},
		{`{"set": "2020-01-01T00:00:00Z"}`, "ValidationException", "never runs backward"},
		{`{"speed": 2}`, "SerializationException", "unknown field"},
		{`not json`, "SerializationException", "freeze"},
		// Regression: this request made every later save fail with "year outside of range".
		{`{"set": "9999-12-31T23:59:59Z", "advance": "1s"}`, "ValidationException", "latest instant"},
		{`{"set": "2400-01-01T00:00:00Z"}`, "ValidationException", "running clock"},
	} {
		r := post(t, srv.URL, ecrhttp.AdminPrefix+"clock", "", "application/json", "", bad.body)
		if r.status != 400 || r.body["__type"] != bad.errType || !strings.Contains(r.raw, bad.message) {
			t.Errorf("%s: HTTP %d %s", bad.body, r.status, r.raw)
		}
	}
	noAdmin := httptest.NewServer(ecrhttp.NewHandler(sim.New(), ecrhttp.WithoutAdmin()))
	defer noAdmin.Close()
	for _, path := range []string{"clock", "world"} {
		if r := post(t, noAdmin.URL, ecrhttp.AdminPrefix+path, "", "application/json", "", `{"advance":"1s"}`); r.status != 404 {
			t.Errorf("without admin: %s: HTTP %d %s", path, r.status, r.raw)
		}
	}
}

// TestClockNeverRunsBackward: regression: advancing a running clock by 2562047h twice
// overflowed its offset and the clock jumped back; saves then failed. Every change the clock
// refuses leaves it where it was, and the world stays savable.
func TestClockNeverRunsBackward(t *testing.T) {
	world := sim.New()
	srv := httptest.NewServer(ecrhttp.NewHandler(world))
	defer srv.Close()
	last, _ := clock(t, srv.URL, `{}`)
	for _, change := range []string{`{"advance": "2562047h"}`, `{"advance": "2562047h"}`, `{"advance": "87600h"}`, `{"freeze": true}`, `{"advance": "2562047h"}`, `{"advance": "2562047h"}`, `{"set": "8999-01-01T00:00:00Z"}`, `{"advance": "2562047h"}`, `{"freeze": false}`} {
		post(t, srv.URL, ecrhttp.AdminPrefix+"clock", "", "application/json", "", change)
		now, _ := clock(t, srv.URL, `{}`)
		if now.Before(last) {
			t.Fatalf("after %s the clock shows %v, before %v", change, now, last)
		}
		last = now
		var buf strings.Builder
		if err := world.Save(&buf); err != nil {
			t.Fatalf("after %s the world no longer saves: %v", change, err)
		}
	}
}

// TestAdminGuard: regression: a web page could POST {"set": ...} to the clock as a
// text/plain "simple request". Admin requests from a browser (Origin), through a foreign
// Host name (DNS rebinding), or POSTed without application/json are refused.
func TestAdminGuard(t *testing.T) {
	srv := httptest.NewServer(ecrhttp.NewHandler(sim.New()))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	_, port, _ := net.SplitHostPort(host)
	for _, tc := range []struct {
		name, method, path, contentType, origin, host string
		status                                        int
	}{
		{"json POST", "POST", "clock", "application/json", "", "", 200},
		{"GET of the world", "GET", "world", "", "", "", 200},
		{"localhost names the loopback listener", "GET", "clock", "", "", "localhost:" + port, 200},
		{"text/plain POST", "POST", "clock", "text/plain", "", "", 415},
		{"form POST", "POST", "clock", "application/x-www-form-urlencoded", "", "", 415},
		{"no content type", "POST", "clock", "", "", "", 415},
		{"from a web page", "POST", "clock", "application/json", "https://evil.example", "", 403},
		{"GET from a web page", "GET", "world", "", "http://" + host, "", 403},
		{"rebound host name", "GET", "world", "", "", "evil.example:" + port, 403},
		{"other port", "POST", "clock", "application/json", "", "127.0.0.1:1", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+ecrhttp.AdminPrefix+tc.path, strings.NewReader(`{}`))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
		})
	}
}

// TestServe runs Serve as the command does: it answers on the listener, tells where, and
// returns nil after a graceful shutdown when its context ends.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs strings.Builder
	go func() {
		done <- ecrhttp.Serve(ctx, ln, sim.New(),
			ecrhttp.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))),
			ecrhttp.WithReady(func(a net.Addr) { addrs <- a }))
	}()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatal(err)
	}
	if _, err := sdk("http://"+addr.String(), "AKID", "us-east-1").DescribeRegistry(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if !strings.Contains(logs.String(), "shutting down") || strings.Contains(logs.String(), "not loopback") {
		t.Errorf("logs: %s", logs.String())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestWorldEndpoint: GET /_ecrsign/world returns the world as a world file that sim.Load
// reads back, frozen clock included.
func TestWorldEndpoint(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	world := sim.New(sim.WithClock(sim.NewFrozenClock(t0)))
	if _, err := world.Client(sim.Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "app"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ecrhttp.NewHandler(world))
	defer srv.Close()
	resp, err := http.Get(srv.URL + ecrhttp.AdminPrefix + "world")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loaded, err := sim.Load(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Clock().Now().Equal(t0) {
		t.Errorf("loaded world's clock shows %v, want %v", loaded.Clock().Now(), t0)
	}
	if _, err := loaded.Client(sim.Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "app"}); err == nil {
		t.Error("the repository is missing from the dump")
	}
}

func TestParseAccessKey(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    ecrhttp.AccessKey
		wantErr string
	}{
		{"AKIDCI=arn:aws:iam::123456789012:role/ci", ecrhttp.AccessKey{ID: "AKIDCI", Caller: sim.Caller{Account: "123456789012", Principal: "arn:aws:iam::123456789012:role/ci"}}, ""},
		{"AKIDX=arn:aws:sts::210987654321:assumed-role/ci/session", ecrhttp.AccessKey{ID: "AKIDX", Caller: sim.Caller{Account: "210987654321", Principal: "arn:aws:sts::210987654321:assumed-role/ci/session"}}, ""},
		{"AKIDOTHER=210987654321", ecrhttp.AccessKey{ID: "AKIDOTHER", Caller: sim.Caller{Account: "210987654321"}}, ""},
		{"AKID=s3cr3t/Key+x", ecrhttp.AccessKey{ID: "AKID", Secret: "s3cr3t/Key+x"}, ""},
		{"AKID=s3cr3t=210987654321", ecrhttp.AccessKey{ID: "AKID", Secret: "s3cr3t", Caller: sim.Caller{Account: "210987654321"}}, ""},
		{"AKID=s3cr3t=arn:aws:iam::123456789012:role/ci", ecrhttp.AccessKey{ID: "AKID", Secret: "s3cr3t", Caller: sim.Caller{Account: "123456789012", Principal: "arn:aws:iam::123456789012:role/ci"}}, ""},
		{"AKID", ecrhttp.AccessKey{}, "want KEY=SECRET"},
		{"=123456789012", ecrhttp.AccessKey{}, "want KEY=SECRET"},
		{"AKID=s3cr3t=12345", ecrhttp.AccessKey{}, "neither a 12-digit account id"},
		{"AKID=arn:aws:s3:::bucket", ecrhttp.AccessKey{}, "nor an IAM principal ARN"},
		{"AKID==123456789012", ecrhttp.AccessKey{}, "secret is empty"},
	} {
		k, err := ecrhttp.ParseAccessKey(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || k != tc.want {
			t.Errorf("%s: %+v %v", tc.in, k, err)
		}
	}
}
