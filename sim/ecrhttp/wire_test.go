package ecrhttp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim"
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
	clk := ecrhttp.NewFrozenClock(time.Date(2026, 3, 1, 12, 0, 0, 500e6, time.UTC))
	world := sim.New(sim.WithClock(clk))
	h := ecrhttp.NewHandler(world,
		ecrhttp.WithClock(clk),
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
		{"wrong path", "/v2/", target + "DescribeRegistry", ct, "", `{}`, 404, "UnknownOperationException", "POST /"},
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

// TestOperationsCoverSim: the handler serves every operation package sim implements.
func TestOperationsCoverSim(t *testing.T) {
	if got, want := ecrhttp.Operations(), sim.Operations(); !slices.Equal(got, want) {
		t.Fatalf("served %v, sim implements %v", got, want)
	}
}

func TestClockEndpoint(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := ecrhttp.NewFrozenClock(t0)
	commits := 0
	srv := httptest.NewServer(ecrhttp.NewHandler(sim.New(sim.WithClock(clk)), ecrhttp.WithClock(clk),
		ecrhttp.WithCommit(func() error { commits++; return nil })))
	defer srv.Close()

	if now, frozen := clock(t, srv.URL, `{"advance": "90s"}`); !now.Equal(t0.Add(90*time.Second)) || !frozen {
		t.Fatalf("advance: %v %v", now, frozen)
	}
	if now, _ := clock(t, srv.URL, `{"set": "2026-03-02T00:00:00Z"}`); !now.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("set: %v", now)
	}
	if _, frozen := clock(t, srv.URL, `{"freeze": false}`); frozen {
		t.Fatal("resume left it frozen")
	}
	time.Sleep(20 * time.Millisecond)
	if now, frozen := clock(t, srv.URL, `{"freeze": true}`); frozen != true || !now.After(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the resumed clock did not run: %v", now)
	}
	if commits != 4 {
		t.Errorf("%d commits for 4 clock changes", commits)
	}

	for _, bad := range []struct{ body, errType, message string }{
		{`{"advance": "-5s"}`, "ValidationException", "never runs backward"},
		{`{"advance": "soon"}`, "ValidationException", "not a duration"},
		{`{"set": "2020-01-01T00:00:00Z"}`, "ValidationException", "never runs backward"},
		{`{"speed": 2}`, "SerializationException", "unknown field"},
		{`not json`, "SerializationException", "freeze"},
	} {
		r := post(t, srv.URL, ecrhttp.AdminPrefix+"clock", "", "application/json", "", bad.body)
		if r.status != 400 || r.body["__type"] != bad.errType || !strings.Contains(r.raw, bad.message) {
			t.Errorf("%s: HTTP %d %s", bad.body, r.status, r.raw)
		}
	}

	noClock := httptest.NewServer(ecrhttp.NewHandler(sim.New()))
	defer noClock.Close()
	if r := post(t, noClock.URL, ecrhttp.AdminPrefix+"clock", "", "", "", `{"advance":"1s"}`); r.status != 404 || !strings.Contains(r.raw, "clock control is off") {
		t.Errorf("without a clock: HTTP %d %s", r.status, r.raw)
	}
	noAdmin := httptest.NewServer(ecrhttp.NewHandler(sim.New(sim.WithClock(clk)), ecrhttp.WithClock(clk), ecrhttp.WithoutAdmin()))
	defer noAdmin.Close()
	if r := post(t, noAdmin.URL, ecrhttp.AdminPrefix+"clock", "", "", "", `{"advance":"1s"}`); r.status != 404 {
		t.Errorf("without admin: HTTP %d %s", r.status, r.raw)
	}
}

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := ecrhttp.NewFrozenClock(t0)
	if c.Now() != t0 {
		t.Fatal("frozen clock moved")
	}
	c.Resume()
	time.Sleep(5 * time.Millisecond)
	if !c.Now().After(t0) {
		t.Fatal("resumed clock did not run")
	}
	if err := c.Advance(time.Hour); err != nil || c.Now().Before(t0.Add(time.Hour)) {
		t.Fatalf("advance of a running clock: %v %v", err, c.Now())
	}
	if err := c.Set(t0); err == nil {
		t.Fatal("set backward accepted")
	}
	c.Freeze()
	a := c.Now()
	time.Sleep(5 * time.Millisecond)
	if c.Now() != a {
		t.Fatal("frozen clock moved")
	}
	real := ecrhttp.NewClock()
	if d := time.Since(real.Now()); d < 0 || d > time.Second {
		t.Fatalf("real clock off by %v", d)
	}
}
