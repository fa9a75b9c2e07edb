package ecrhttp

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// Protocol constants of the ECR API (AWS JSON 1.1).
const (
	// TargetPrefix starts the X-Amz-Target header; the operation name follows it.
	TargetPrefix = "AmazonEC2ContainerRegistry_V20150921."
	// ContentType is the media type of requests and responses.
	ContentType = "application/x-amz-json-1.1"
	// AdminPrefix starts the paths of ecrsign's own endpoints (clock control, world dump);
	// ECR's protocol uses only "/".
	AdminPrefix = "/_ecrsign/"
)

// Limits of a handler, each changed by an option (and a flag of `ecrsign serve`).
const (
	// DefaultMaxBodyBytes bounds a request body. The largest member of any request is
	// PutImage's imageManifest (at most 4,194,304 characters in the API model), which JSON
	// escaping can lengthen; 8 MiB leaves room for that and rejects anything larger.
	DefaultMaxBodyBytes = 8 << 20
	// DefaultMaxConcurrentRequests bounds the requests served at once; more wait.
	DefaultMaxConcurrentRequests = 256
	// DefaultMaxBufferedBodyBytes bounds the request body bytes held in memory by all
	// requests together; a request whose body does not fit waits for others to finish.
	DefaultMaxBufferedBodyBytes = 64 << 20
	// adminBodyBytes bounds the body of an admin request.
	adminBodyBytes = 4096
)

// Option configures a handler ([NewHandler]) or a server ([Serve]).
type Option func(*config)

type config struct {
	keys          map[string]sim.Caller
	secrets       map[string]string
	verify        bool
	maxBody       int64
	maxConcurrent int
	maxBuffered   int64
	log           *slog.Logger
	admin         bool
	// server only
	maxConns        int
	timeouts        Timeouts
	shutdownTimeout time.Duration
	ready           func(net.Addr)
}

// WithAccessKey makes requests signed with accessKeyID act as caller: its Account is the
// registry they address and its Principal the identity pushes are signed with. Empty fields
// take the defaults: Region from the signature's credential scope, the others from the world.
// Requests whose key is not mapped act as the world's default account and principal (and
// are refused with [WithSignatureVerification]).
func WithAccessKey(accessKeyID string, caller sim.Caller) Option {
	return func(c *config) { c.keys[accessKeyID] = caller }
}

// WithSecretKey gives the secret of an access key, with which [WithSignatureVerification]
// checks its requests' signatures.
func WithSecretKey(accessKeyID, secret string) Option {
	return func(c *config) { c.secrets[accessKeyID] = secret }
}

// WithSignatureVerification makes the handler recompute every request's SigV4 signature with
// the secret of its access key ([WithSecretKey]) and refuse, with HTTP 403, a request whose
// key is unknown (UnrecognizedClientException) or whose signature differs
// (InvalidSignatureException).
func WithSignatureVerification() Option { return func(c *config) { c.verify = true } }

// WithMaxBodyBytes bounds request bodies at n bytes (default [DefaultMaxBodyBytes]); a larger
// request gets HTTP 413 with a SerializationException body.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithMaxConcurrentRequests bounds the requests served at once (default
// [DefaultMaxConcurrentRequests]); more wait for a turn.
func WithMaxConcurrentRequests(n int) Option { return func(c *config) { c.maxConcurrent = n } }

// WithMaxBufferedBodyBytes bounds the request body bytes all requests hold in memory
// together (default [DefaultMaxBufferedBodyBytes]).
func WithMaxBufferedBodyBytes(n int64) Option { return func(c *config) { c.maxBuffered = n } }

// WithLogger sets where the handler and the server log (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithoutAdmin turns off the endpoints under AdminPrefix.
func WithoutAdmin() Option { return func(c *config) { c.admin = false } }

func newConfig(opts []Option) *config {
	c := &config{
		keys:            map[string]sim.Caller{},
		secrets:         map[string]string{},
		maxBody:         DefaultMaxBodyBytes,
		maxConcurrent:   DefaultMaxConcurrentRequests,
		maxBuffered:     DefaultMaxBufferedBodyBytes,
		log:             slog.New(slog.DiscardHandler),
		admin:           true,
		maxConns:        DefaultMaxConnections,
		timeouts:        DefaultTimeouts(),
		shutdownTimeout: DefaultShutdownTimeout,
	}
	for _, o := range opts {
		o(c)
	}
	c.maxBuffered = max(c.maxBuffered, c.maxBody)
	return c
}

type handler struct {
	*config
	serve    http.Handler // the routes, behind the request cap
	world    *sim.World
	requests chan struct{} // a token per request being served
	buffered *budget       // body bytes held in memory
}

// NewHandler returns an http.Handler that serves world over the ECR wire protocol (AWS JSON
// 1.1: POST / with X-Amz-Target AmazonEC2ContainerRegistry_V20150921.<Operation>) for every
// operation of package sim, and ecrsign's admin endpoints under AdminPrefix.
//
// Without [WithSignatureVerification], signatures are not verified: the Authorization
// header is read only for its credential scope, whose access key id picks the caller
// ([WithAccessKey]) and whose region is the region of the registry addressed.
func NewHandler(world *sim.World, opts ...Option) http.Handler {
	return newHandler(world, newConfig(opts))
}

func newHandler(world *sim.World, cfg *config) *handler {
	h := &handler{config: cfg, world: world, requests: make(chan struct{}, max(cfg.maxConcurrent, 1)), buffered: newBudget(cfg.maxBuffered)}
	mux := http.NewServeMux()
	mux.HandleFunc("/", h.serveAPI)
	mux.HandleFunc("/v2/", h.serveRegistry)
	if h.admin {
		mux.HandleFunc("GET "+AdminPrefix+"clock", h.guarded(h.getClock))
		mux.HandleFunc("POST "+AdminPrefix+"clock", h.guarded(h.postClock))
		mux.HandleFunc("GET "+AdminPrefix+"world", h.guarded(h.getWorld))
	}
	h.serve = h.limited(mux)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.serve.ServeHTTP(w, r) }

// limited serves one request at a time per token of h.requests.
func (h *handler) limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case h.requests <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-h.requests }()
		next.ServeHTTP(w, r)
	})
}

// operation adapts one operation of ecrapi.API to the wire.
type operation func(c ecrapi.API, body []byte) (any, error)

func op[Req, Resp any](call func(ecrapi.API, *Req) (*Resp, error)) operation {
	return func(c ecrapi.API, body []byte) (any, error) {
		req := new(Req)
		if err := decodeBody(body, req); err != nil {
			return nil, err
		}
		return call(c, req)
	}
}

// operations maps each operation name of sim to its adapter.
var operations = map[string]operation{
	ecrapi.OpPutSigningConfiguration:        op(ecrapi.API.PutSigningConfiguration),
	ecrapi.OpGetSigningConfiguration:        op(ecrapi.API.GetSigningConfiguration),
	ecrapi.OpDeleteSigningConfiguration:     op(ecrapi.API.DeleteSigningConfiguration),
	ecrapi.OpPutReplicationConfiguration:    op(ecrapi.API.PutReplicationConfiguration),
	ecrapi.OpDescribeRegistry:               op(ecrapi.API.DescribeRegistry),
	ecrapi.OpCreateRepository:               op(ecrapi.API.CreateRepository),
	ecrapi.OpPutImage:                       op(ecrapi.API.PutImage),
	ecrapi.OpDescribeImageSigningStatus:     op(ecrapi.API.DescribeImageSigningStatus),
	ecrapi.OpDescribeImageReplicationStatus: op(ecrapi.API.DescribeImageReplicationStatus),
	ecrapi.OpDescribeRepositories:           op(ecrapi.API.DescribeRepositories),
	ecrapi.OpDeleteRepository:               op(ecrapi.API.DeleteRepository),
	ecrapi.OpDescribeImages:                 op(ecrapi.API.DescribeImages),
	ecrapi.OpListImages:                     op(ecrapi.API.ListImages),
	ecrapi.OpBatchGetImage:                  op(ecrapi.API.BatchGetImage),
	ecrapi.OpBatchDeleteImage:               op(ecrapi.API.BatchDeleteImage),
	ecrapi.OpPutImageTagMutability:          op(ecrapi.API.PutImageTagMutability),
	ecrapi.OpGetAuthorizationToken:          op(ecrapi.API.GetAuthorizationToken),
	ecrapi.OpBatchCheckLayerAvailability:    op(ecrapi.API.BatchCheckLayerAvailability),
	ecrapi.OpInitiateLayerUpload:            op(ecrapi.API.InitiateLayerUpload),
	ecrapi.OpUploadLayerPart:                op(ecrapi.API.UploadLayerPart),
	ecrapi.OpCompleteLayerUpload:            op(ecrapi.API.CompleteLayerUpload),
	ecrapi.OpGetDownloadUrlForLayer:         op(ecrapi.API.GetDownloadUrlForLayer),
	ecrapi.OpListImageReferrers:             op(ecrapi.API.ListImageReferrers),
	ecrapi.OpTagResource:                    op(ecrapi.API.TagResource),
	ecrapi.OpUntagResource:                  op(ecrapi.API.UntagResource),
	ecrapi.OpListTagsForResource:            op(ecrapi.API.ListTagsForResource),
}

// protocolError is an error of the protocol layer, in the same form as sim's exceptions.
type protocolError struct {
	code   string
	status int
	msg    string
}

func (e *protocolError) Error() string        { return e.code + ": " + e.msg }
func (e *protocolError) ErrorCode() string    { return e.code }
func (e *protocolError) ErrorMessage() string { return e.msg }
func (e *protocolError) HTTPStatusCode() int  { return e.status }

func serializationError(status int, format string, args ...any) error {
	return &protocolError{code: "SerializationException", status: status, msg: fmt.Sprintf(format, args...)}
}

func unknownOperation(status int, format string, args ...any) error {
	return &protocolError{code: "UnknownOperationException", status: status, msg: fmt.Sprintf(format, args...)}
}

func (h *handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		writeError(w, unknownOperation(http.StatusNotFound, "no such path %q: the ECR protocol uses POST / (ecrsign's own endpoints are under %s)", r.URL.Path, AdminPrefix))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, unknownOperation(http.StatusMethodNotAllowed, "method %s: the ECR protocol takes POST / with an X-Amz-Target header", r.Method))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, TargetPrefix)
	operation, known := operations[name]
	if !ok || !known {
		writeError(w, unknownOperation(http.StatusBadRequest, "X-Amz-Target %q is not an operation ecrsign serves; it serves %s%s", target, TargetPrefix, strings.Join(ecrapi.Operations(), ", ")))
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		writeError(w, err)
		return
	}
	body, reserved, err := h.readBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	defer h.buffered.release(reserved)
	if h.verify {
		if err := h.verifySignature(r, body); err != nil {
			writeError(w, err)
			return
		}
	}
	if err := emptyMembers(name, body); err != nil {
		writeError(w, err)
		return
	}
	out, err := operation(h.world.Client(h.caller(r)), body)
	if err != nil {
		if api := (*ecrapi.Error)(nil); errors.As(err, &api) && api.Code == ecrapi.ServerException {
			h.log.Error("operation failed", "operation", name, "err", err)
		}
		writeError(w, err)
		return
	}
	localizeURLs(out, r)
	writeJSON(w, http.StatusOK, out)
}

// readBody reads a request body of at most h.maxBody bytes, after reserving its size from
// the handler's budget of buffered bytes; the caller releases the reserved size.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) (body []byte, reserved int64, err error) {
	if r.ContentLength > h.maxBody {
		return nil, 0, serializationError(http.StatusRequestEntityTooLarge, "request body of %d bytes is larger than %d bytes", r.ContentLength, h.maxBody)
	}
	reserved = h.maxBody // a body of unknown length may be as long as the limit
	if r.ContentLength >= 0 {
		reserved = r.ContentLength
	}
	if err := h.buffered.acquire(r.Context(), reserved); err != nil {
		return nil, 0, serializationError(http.StatusServiceUnavailable, "the request ended while waiting for memory to read its body: %v", err)
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, reserved))
	if err != nil {
		h.buffered.release(reserved)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, 0, serializationError(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", h.maxBody)
		}
		return nil, 0, serializationError(http.StatusBadRequest, "reading the request body: %v", err)
	}
	return body, reserved, nil
}

// caller derives who calls from the SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request, SignedHeaders=...,
// Signature=...". A missing or unreadable header leaves every field to the defaults.
func (h *handler) caller(r *http.Request) sim.Caller {
	a := parseAuthorization(r.Header.Get("Authorization"))
	c := h.keys[a.accessKeyID]
	if c.Region == "" {
		c.Region = a.region
	}
	return c
}

func checkContentType(ct string) error {
	if ct == "" || ct == ContentType { // what SDKs send: no need to parse it
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return serializationError(http.StatusBadRequest, "Content-Type %q: %v", ct, err)
	case mt == ContentType, mt == "application/x-amz-json-1.0", mt == "application/json":
		return nil
	}
	return serializationError(http.StatusUnsupportedMediaType, "Content-Type %q: the ECR protocol sends %s", ct, ContentType)
}

// decodeBody decodes a JSON object into req; an empty body is an empty object. Members the
// simulator does not model are ignored, as AWS ignores unknown members.
func decodeBody(body []byte, req any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return serializationError(http.StatusBadRequest, "the request body must be a JSON object, got %s", firstBytes(body))
	}
	if t := reflect.TypeOf(req); !decodesExactly(body, t) {
		var err error
		if body, err = exactMembers(body, t); err != nil {
			return serializationError(http.StatusBadRequest, "the request body is not valid JSON: %v", err)
		}
	}
	if err := json.Unmarshal(body, req); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return serializationError(http.StatusBadRequest, "member %q at byte %d: expected %s, got a JSON %s", te.Field, te.Offset, jsonKind(te.Type.Kind().String()), te.Value)
		case errors.As(err, &se):
			return serializationError(http.StatusBadRequest, "the request body is not valid JSON at byte %d: %v", se.Offset, err)
		}
		return serializationError(http.StatusBadRequest, "the request body does not match the operation's input: %v", err)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "struct", "ptr", "map":
		return "an object"
	case "slice", "array":
		return "a list"
	case "bool":
		return "a boolean"
	}
	return "a number"
}

func firstBytes(b []byte) string {
	const n = 20
	if len(b) > n {
		return fmt.Sprintf("%q...", b[:n])
	}
	return fmt.Sprintf("%q", b)
}

// errorBody is the AWS JSON 1.1 error form.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// apiError is an error the protocol answers with as it is: the simulator's *ecrapi.Error and the
// protocol's own errors (SerializationException, UnknownOperationException).
type apiError interface {
	error
	ErrorCode() string
	ErrorMessage() string
	HTTPStatusCode() int
}

// writeError answers with err in AWS's JSON error form: its exception name in __type and in
// the X-Amzn-ErrorType header, its message, and its HTTP status (400 for client errors, 500
// for ServerException). An error that is not an API error is a ServerException.
func writeError(w http.ResponseWriter, err error) {
	var api apiError
	if !errors.As(err, &api) {
		api = &ecrapi.Error{Code: ecrapi.ServerException, Message: err.Error()}
	}
	w.Header().Set("X-Amzn-ErrorType", api.ErrorCode())
	writeJSON(w, api.HTTPStatusCode(), errorBody{Type: api.ErrorCode(), Message: api.ErrorMessage()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // the response shapes always marshal; say so if one does not
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody{Type: "ServerException", Message: "encoding the response: " + err.Error()})
		w.Header().Set("X-Amzn-ErrorType", "ServerException")
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-RequestId", requestID())
	w.WriteHeader(status)
	w.Write(b)
}

// requestID returns a random id in the form of AWS request ids (a UUID, version 4).
func requestID() string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], rand.Uint64())
	binary.BigEndian.PutUint64(u[8:], rand.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// clockState is the body of the clock endpoint's answers.
type clockState struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
}

// clockChange is the body of POST AdminPrefix+"clock"; its changes apply in the order
// freeze (or resume), set, advance.
type clockChange struct {
	Freeze  *bool      `json:"freeze"`
	Set     *time.Time `json:"set"`
	Advance string     `json:"advance"`
}

// guarded serves an admin endpoint only to requests a web page cannot forge: a POST must
// carry Content-Type application/json (which a cross-site "simple request" cannot), and a
// request with an Origin, or with a Host that is not the listener's own address (DNS
// rebinding), is refused with HTTP 403.
func (h *handler) guarded(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			writeError(w, &protocolError{code: "AccessDeniedException", status: http.StatusForbidden, msg: fmt.Sprintf("admin requests from a web page (Origin %q) are refused", origin)})
			return
		}
		if !ownHost(r) {
			writeError(w, &protocolError{code: "AccessDeniedException", status: http.StatusForbidden, msg: fmt.Sprintf("Host %q is not this server's address: admin requests must name it (no DNS rebinding)", r.Host)})
			return
		}
		if r.Method == http.MethodPost {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				writeError(w, serializationError(http.StatusUnsupportedMediaType, "admin requests must have Content-Type application/json, got %q", r.Header.Get("Content-Type")))
				return
			}
		}
		next(w, r)
	}
}

// ownHost reports whether the request's Host names the address the connection came in on:
// the same host and port, or, on a loopback address, localhost with that port.
func ownHost(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	lhost, lport, err := net.SplitHostPort(local.String())
	if err != nil {
		return false
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, "80"
	}
	if port != lport {
		return false
	}
	hostIP, lip := net.ParseIP(strings.Trim(host, "[]")), net.ParseIP(lhost)
	switch {
	case hostIP != nil && lip != nil:
		return hostIP.Equal(lip) || lip.IsUnspecified() && hostIP.IsLoopback()
	case lip != nil && (lip.IsLoopback() || lip.IsUnspecified()):
		return strings.EqualFold(host, "localhost")
	}
	return false
}

func (h *handler) getClock(w http.ResponseWriter, r *http.Request) {
	st := h.world.Clock().State()
	writeJSON(w, http.StatusOK, clockState{Now: st.Now, Frozen: st.Frozen})
}

func (h *handler) postClock(w http.ResponseWriter, r *http.Request) {
	var ch clockChange
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, adminBodyBytes))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&ch)
	}
	if err != nil {
		writeError(w, serializationError(http.StatusBadRequest, `clock change: want {"freeze": true|false, "set": "RFC 3339 time", "advance": "5s"}: %v`, err))
		return
	}
	change := sim.ClockChange{Freeze: ch.Freeze, Set: ch.Set}
	if ch.Advance != "" {
		if change.Advance, err = time.ParseDuration(ch.Advance); err != nil {
			writeError(w, &ecrapi.Error{Code: ecrapi.ValidationException, Message: fmt.Sprintf("clock change: advance %q is not a duration such as \"5s\" or \"1h30m\"", ch.Advance)})
			return
		}
	}
	if err := h.world.ChangeClock(change); err != nil {
		writeError(w, err)
		return
	}
	h.getClock(w, r)
}

// getWorld streams the world file; the server's WriteTimeout bounds a client that does not
// read it.
func (h *handler) getWorld(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := h.world.Save(w); err != nil {
		h.log.Warn("writing the world file to a client", "err", err)
	}
}

// budget is a count of bytes that requests reserve and give back; a reservation that does
// not fit waits.
type budget struct {
	mu      sync.Mutex
	free    int64
	changed chan struct{} // closed when bytes are given back, made by the first to wait
}

func newBudget(n int64) *budget { return &budget{free: n} }

func (b *budget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free += n
	if b.changed != nil { // someone waits
		close(b.changed)
		b.changed = nil
	}
	b.mu.Unlock()
}
