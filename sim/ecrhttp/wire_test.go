package ecrhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
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

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:80", true}, {"127.8.9.10:80", true}, {"[::1]:80", true},
		{"0.0.0.0:80", false}, {"[::]:80", false}, {"192.0.2.1:80", false},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := ecrhttp.IsLoopback(a); got != tc.want {
			t.Errorf("IsLoopback(%s) = %v", tc.addr, got)
		}
	}
}

// TestServe runs Serve as the command does: it listens on loopback, tells where, answers, and
// returns nil after a graceful shutdown when its context ends.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	var logs strings.Builder
	go func() {
		done <- ecrhttp.Serve(ctx, ecrhttp.ServeConfig{
			Addr:   "127.0.0.1:0",
			Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)),
			Ready:  func(a net.Addr) { addrs <- a },
		})
	}()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatal(err)
	}
	if !ecrhttp.IsLoopback(addr) {
		t.Fatalf("listening on %v", addr)
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
	clk := ecrhttp.NewFrozenClock(t0)
	world := sim.New(sim.WithClock(clk))
	if _, err := world.Client(sim.Caller{}).CreateRepository(&sim.CreateRepositoryRequest{RepositoryName: "app"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ecrhttp.NewHandler(world, ecrhttp.WithClock(clk)))
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
	if !loaded.Now().Equal(t0) {
		t.Errorf("loaded world's clock shows %v, want %v", loaded.Now(), t0)
	}
	if _, err := loaded.Client(sim.Caller{}).CreateRepository(&sim.CreateRepositoryRequest{RepositoryName: "app"}); err == nil {
		t.Error("the repository is missing from the dump")
	}
}

func TestParseAccessKey(t *testing.T) {
	for _, tc := range []struct {
		in      string
		key     string
		want    sim.Caller
		wantErr string
	}{
		{"AKIDCI=arn:aws:iam::123456789012:role/ci", "AKIDCI", sim.Caller{Account: "123456789012", Principal: "arn:aws:iam::123456789012:role/ci"}, ""},
		{"AKIDX=arn:aws:sts::210987654321:assumed-role/ci/session", "AKIDX", sim.Caller{Account: "210987654321", Principal: "arn:aws:sts::210987654321:assumed-role/ci/session"}, ""},
		{"AKIDOTHER=210987654321", "AKIDOTHER", sim.Caller{Account: "210987654321"}, ""},
		{"AKID", "", sim.Caller{}, "want KEY=ACCOUNT"},
		{"=123456789012", "", sim.Caller{}, "want KEY=ACCOUNT"},
		{"AKID=12345", "", sim.Caller{}, "neither a 12-digit account id"},
		{"AKID=arn:aws:s3:::bucket", "", sim.Caller{}, "nor an IAM principal ARN"},
	} {
		key, c, err := ecrhttp.ParseAccessKey(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || key != tc.key || c != tc.want {
			t.Errorf("%s: %q %+v %v", tc.in, key, c, err)
		}
	}
}

// TestClockControlFindsTheWorldsClock: NewHandler turns clock control on when the world
// runs on an ecrhttp.Clock, without WithClock.
func TestClockControlFindsTheWorldsClock(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		world  func(clk *ecrhttp.Clock) *sim.World
		opts   func(clk *ecrhttp.Clock) []ecrhttp.Option
		status int
	}{
		{name: "world built on the clock", world: func(clk *ecrhttp.Clock) *sim.World { return sim.New(sim.WithClock(clk)) }, status: 200},
		{name: "clock set on the world", world: func(clk *ecrhttp.Clock) *sim.World {
			w := sim.New()
			w.SetClock(clk)
			return w
		}, status: 200},
		{name: "WithClock as before", world: func(clk *ecrhttp.Clock) *sim.World { return sim.New(sim.WithClock(clk)) },
			opts: func(clk *ecrhttp.Clock) []ecrhttp.Option { return []ecrhttp.Option{ecrhttp.WithClock(clk)} }, status: 200},
		{name: "world on another clock", world: func(*ecrhttp.Clock) *sim.World { return sim.New(sim.WithClock(sim.NewManualClock(t0))) }, status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := ecrhttp.NewFrozenClock(t0)
			var opts []ecrhttp.Option
			if tt.opts != nil {
				opts = tt.opts(clk)
			}
			world := tt.world(clk)
			srv := httptest.NewServer(ecrhttp.NewHandler(world, opts...))
			defer srv.Close()
			r := post(t, srv.URL, ecrhttp.AdminPrefix+"clock", "", "application/json", "", `{"advance": "1m"}`)
			if r.status != tt.status {
				t.Fatalf("clock change: HTTP %d %s; want %d", r.status, r.raw, tt.status)
			}
			if tt.status == 200 && !world.Now().Equal(t0.Add(time.Minute)) {
				t.Fatalf("the world shows %v after advancing its clock a minute from %v", world.Now(), t0)
			}
		})
	}
}
