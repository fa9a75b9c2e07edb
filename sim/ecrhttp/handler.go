package ecrhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim"
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

// DefaultMaxBodyBytes bounds a request body. The largest member of any request is PutImage's
// imageManifest (at most 4,194,304 characters in the API model), which JSON escaping can
// lengthen; 8 MiB leaves room for that and rejects anything larger before reading it.
const DefaultMaxBodyBytes = 8 << 20

// Option configures a handler made by [NewHandler].
type Option func(*handler)

// WithAccessKey makes requests signed with accessKeyID act as caller: its Account is the
// registry they address and its Principal the identity pushes are signed with. Empty fields
// take the defaults: Region from the signature's credential scope, the others from the world.
// Requests whose key is not mapped act as the world's default account and principal.
func WithAccessKey(accessKeyID string, caller sim.Caller) Option {
	return func(h *handler) { h.keys[accessKeyID] = caller }
}

// WithClock enables the clock control endpoint (AdminPrefix + "clock") on c. The world must
// read its time from c, or advancing c changes nothing; a world whose clock is a *Clock
// (sim.WithClock or sim.World.SetClock) needs no WithClock: [NewHandler] finds it.
func WithClock(c *Clock) Option { return func(h *handler) { h.clock = c } }

// WithMaxBodyBytes bounds request bodies at n bytes (default [DefaultMaxBodyBytes]); a larger
// request gets HTTP 413 with a SerializationException body.
func WithMaxBodyBytes(n int64) Option { return func(h *handler) { h.maxBody = n } }

// WithCommit makes the handler call commit after every operation that changed the world
// (and every clock change) and before answering it. When commit fails the client gets a
// ServerException instead of the operation's result: the change is not acknowledged. [Serve]
// uses it to save the state file.
func WithCommit(commit func() error) Option { return func(h *handler) { h.commit = commit } }

// WithLogger sets where the handler logs failures to commit (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(h *handler) { h.log = l } }

// WithoutAdmin turns off the endpoints under AdminPrefix.
func WithoutAdmin() Option { return func(h *handler) { h.admin = false } }

type handler struct {
	world   *sim.World
	clock   *Clock
	keys    map[string]sim.Caller
	maxBody int64
	commit  func() error
	log     *slog.Logger
	admin   bool
}

// NewHandler returns an http.Handler that serves world over the ECR wire protocol (AWS JSON
// 1.1: POST / with X-Amz-Target AmazonEC2ContainerRegistry_V20150921.<Operation>) for every
// operation of package sim, and ecrsign's admin endpoints under AdminPrefix.
//
// Signatures are not verified: the Authorization header is read only for its credential
// scope, whose access key id picks the caller ([WithAccessKey]) and whose region is the
// region of the registry addressed.
func NewHandler(world *sim.World, opts ...Option) http.Handler {
	h := &handler{
		world:   world,
		keys:    map[string]sim.Caller{},
		maxBody: DefaultMaxBodyBytes,
		log:     slog.New(slog.DiscardHandler),
		admin:   true,
	}
	if c, ok := world.Clock().(*Clock); ok {
		h.clock = c
	}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", h.serveAPI)
	mux.HandleFunc("/v2/", h.serveRegistry)
	if h.admin {
		mux.HandleFunc("GET "+AdminPrefix+"clock", h.getClock)
		mux.HandleFunc("POST "+AdminPrefix+"clock", h.postClock)
		mux.HandleFunc("GET "+AdminPrefix+"world", h.getWorld)
	}
	return mux
}

// operation adapts one operation of sim.Client to the wire.
type operation struct {
	mutates bool // a success changes the world and must be committed
	call    func(c *sim.Client, body []byte) (any, error)
}

func op[Req, Resp any](mutates bool, call func(*sim.Client, *Req) (*Resp, error)) operation {
	return operation{mutates: mutates, call: func(c *sim.Client, body []byte) (any, error) {
		req := new(Req)
		if err := decodeBody(body, req); err != nil {
			return nil, err
		}
		return call(c, req)
	}}
}

// operations maps each operation name of sim to its adapter.
var operations = map[string]operation{
	sim.OpPutSigningConfiguration:        op(true, (*sim.Client).PutSigningConfiguration),
	sim.OpGetSigningConfiguration:        op(false, (*sim.Client).GetSigningConfiguration),
	sim.OpDeleteSigningConfiguration:     op(true, (*sim.Client).DeleteSigningConfiguration),
	sim.OpPutReplicationConfiguration:    op(true, (*sim.Client).PutReplicationConfiguration),
	sim.OpDescribeRegistry:               op(false, (*sim.Client).DescribeRegistry),
	sim.OpCreateRepository:               op(true, (*sim.Client).CreateRepository),
	sim.OpPutImage:                       op(true, (*sim.Client).PutImage),
	sim.OpDescribeImageSigningStatus:     op(false, (*sim.Client).DescribeImageSigningStatus),
	sim.OpDescribeImageReplicationStatus: op(false, (*sim.Client).DescribeImageReplicationStatus),
	sim.OpDescribeRepositories:           op(false, (*sim.Client).DescribeRepositories),
	sim.OpDeleteRepository:               op(true, (*sim.Client).DeleteRepository),
	sim.OpDescribeImages:                 op(false, (*sim.Client).DescribeImages),
	sim.OpListImages:                     op(false, (*sim.Client).ListImages),
	sim.OpBatchGetImage:                  op(false, (*sim.Client).BatchGetImage), // pull times are saved with the next change
	sim.OpBatchDeleteImage:               op(true, (*sim.Client).BatchDeleteImage),
	sim.OpPutImageTagMutability:          op(true, (*sim.Client).PutImageTagMutability),
	sim.OpGetAuthorizationToken:          op(false, (*sim.Client).GetAuthorizationToken),
	sim.OpBatchCheckLayerAvailability:    op(false, (*sim.Client).BatchCheckLayerAvailability),
	sim.OpInitiateLayerUpload:            op(false, (*sim.Client).InitiateLayerUpload),
	sim.OpUploadLayerPart:                op(false, (*sim.Client).UploadLayerPart),
	sim.OpCompleteLayerUpload:            op(true, (*sim.Client).CompleteLayerUpload),
	sim.OpGetDownloadUrlForLayer:         op(false, (*sim.Client).GetDownloadUrlForLayer),
	sim.OpListImageReferrers:             op(false, (*sim.Client).ListImageReferrers),
	sim.OpTagResource:                    op(true, (*sim.Client).TagResource),
	sim.OpUntagResource:                  op(true, (*sim.Client).UntagResource),
	sim.OpListTagsForResource:            op(false, (*sim.Client).ListTagsForResource),
}

// Operations returns the names of the operations the handler serves, sorted.
func Operations() []string {
	names := make([]string, 0, len(operations))
	for n := range operations {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
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
		writeError(w, unknownOperation(http.StatusBadRequest, "X-Amz-Target %q is not an operation ecrsign serves; it serves %s%s", target, TargetPrefix, strings.Join(Operations(), ", ")))
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		writeError(w, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, serializationError(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", tooLarge.Limit))
		} else {
			writeError(w, serializationError(http.StatusBadRequest, "reading the request body: %v", err))
		}
		return
	}
	if err := emptyMembers(name, body); err != nil {
		writeError(w, err)
		return
	}
	out, err := operation.call(h.world.Client(h.caller(r)), body)
	if err == nil && operation.mutates {
		err = h.committed(name)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	localizeURLs(out, r)
	writeJSON(w, http.StatusOK, out)
}

// committed commits a change and turns a failure into the ServerException the client sees.
func (h *handler) committed(what string) error {
	if h.commit == nil {
		return nil
	}
	if err := h.commit(); err != nil {
		h.log.Error("change not saved", "operation", what, "err", err)
		return &sim.Error{Code: sim.ServerException, Message: fmt.Sprintf("ecrsign could not save the change made by %s, so it is not acknowledged: %v", what, err)}
	}
	return nil
}

// caller derives who calls from the SigV4 Authorization header without checking it:
// "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecr/aws4_request, SignedHeaders=...,
// Signature=...". A missing or unreadable header leaves every field to the defaults.
func (h *handler) caller(r *http.Request) sim.Caller {
	key, region := credentialScope(r.Header.Get("Authorization"))
	c := h.keys[key]
	if c.Region == "" {
		c.Region = region
	}
	return c
}

// credentialScope returns the access key id and region of a SigV4 Authorization header.
func credentialScope(authorization string) (accessKeyID, region string) {
	_, params, ok := strings.Cut(authorization, " ")
	if !ok {
		return "", ""
	}
	for p := range strings.SplitSeq(params, ",") {
		cred, ok := strings.CutPrefix(strings.TrimSpace(p), "Credential=")
		if !ok {
			continue
		}
		parts := strings.Split(cred, "/") // key/date/region/service/aws4_request
		if len(parts) != 5 {
			return "", ""
		}
		return parts[0], parts[2]
	}
	return "", ""
}

func checkContentType(ct string) error {
	if ct == "" {
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
	body, err := exactMembers(body, reflect.TypeOf(req))
	if err != nil {
		return serializationError(http.StatusBadRequest, "the request body is not valid JSON: %v", err)
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

// apiError is an error the protocol answers with as it is: the simulator's *sim.Error and the
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
		api = &sim.Error{Code: sim.ServerException, Message: err.Error()}
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

// requestID returns a random id in the form of AWS request ids (a UUID).
func requestID() string {
	a, b := rand.Uint64(), rand.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
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

func (h *handler) getClock(w http.ResponseWriter, r *http.Request) {
	if h.clock == nil {
		writeError(w, noClockControl())
		return
	}
	now, frozen := h.clock.Frozen()
	writeJSON(w, http.StatusOK, clockState{Now: now, Frozen: frozen})
}

func noClockControl() error {
	return &protocolError{code: "UnknownOperationException", status: http.StatusNotFound, msg: "clock control is off: the world does not run on an ecrhttp.Clock (see ecrhttp.WithClock and sim.World.SetClock)"}
}

func (h *handler) postClock(w http.ResponseWriter, r *http.Request) {
	if h.clock == nil {
		writeError(w, noClockControl())
		return
	}
	var ch clockChange
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&ch)
	}
	if err != nil {
		writeError(w, serializationError(http.StatusBadRequest, `clock change: want {"freeze": true|false, "set": "RFC 3339 time", "advance": "5s"}: %v`, err))
		return
	}
	var advance time.Duration
	if ch.Advance != "" {
		if advance, err = time.ParseDuration(ch.Advance); err != nil {
			writeError(w, &sim.Error{Code: sim.ValidationException, Message: fmt.Sprintf("clock change: advance %q is not a duration such as \"5s\" or \"1h30m\"", ch.Advance)})
			return
		}
	}
	if ch.Freeze != nil {
		if *ch.Freeze {
			h.clock.Freeze()
		} else {
			h.clock.Resume()
		}
	}
	if ch.Set != nil {
		err = h.clock.Set(*ch.Set)
	}
	if err == nil {
		err = h.clock.Advance(advance)
	}
	if err != nil {
		writeError(w, &sim.Error{Code: sim.ValidationException, Message: "clock change: " + err.Error()})
		return
	}
	if err := h.committed("clock change"); err != nil {
		writeError(w, err)
		return
	}
	h.getClock(w, r)
}

func (h *handler) getWorld(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := h.world.Save(&buf); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}
