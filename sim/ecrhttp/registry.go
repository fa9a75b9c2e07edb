package ecrhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// The OCI distribution protocol (v1.1) on /v2/, as ECR's registry endpoint serves it:
// Basic authentication with user AWS and a GetAuthorizationToken password, blob uploads
// (monolithic, chunked, cross-repository mount), blobs and manifests, tags and referrers. A
// manifest PUT is a push (sim.Registry.PushManifest).

// MaxTagsPage bounds the n of a tag listing.
const MaxTagsPage = 1000

// BlobReadIdleTimeout bounds how long a blob upload may send nothing. A layer upload is read
// with this idle deadline instead of the server's whole-request ReadTimeout, so that a large
// layer over a slow link is not cut off while it keeps coming.
const BlobReadIdleTimeout = time.Minute

// idleDeadlineBody moves the connection's read deadline forward before every read of a blob
// body, so that only an upload that stalls for BlobReadIdleTimeout fails.
type idleDeadlineBody struct {
	rc   *http.ResponseController
	body io.Reader
}

func (b idleDeadlineBody) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(BlobReadIdleTimeout)) // unsupported by some writers: then the server's own timeouts hold
	return b.body.Read(p)
}

// blobBody returns the body of a blob upload, read with an idle deadline.
func blobBody(w http.ResponseWriter, r *http.Request) io.Reader {
	return idleDeadlineBody{rc: http.NewResponseController(w), body: r.Body}
}

// ociErrorBody is the error form of the distribution spec.
type ociErrorBody struct {
	Errors []ociError `json:"errors"`
}

type ociError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Detail  any    `json:"detail,omitempty"`
}

// registryError is an error of the registry protocol: its status and OCI code.
type registryError struct {
	status int
	code   string
	msg    string
}

func (e *registryError) Error() string { return e.code + ": " + e.msg }

func regErr(status int, code, format string, args ...any) error {
	return &registryError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// what a request acts on, for the OCI code of an exception
type subject int

const (
	onBlob subject = iota
	onUpload
	onManifest
	onOther
)

// toRegistryError maps the simulator's exceptions to the distribution spec's codes.
func toRegistryError(err error, on subject) *registryError {
	var re *registryError
	if errors.As(err, &re) {
		return re
	}
	var e *ecrapi.Error
	if !errors.As(err, &e) {
		return &registryError{http.StatusInternalServerError, "UNKNOWN", err.Error()}
	}
	status, code := http.StatusBadRequest, ""
	switch e.Code {
	case ecrapi.RepositoryNotFoundException:
		status, code = http.StatusNotFound, "NAME_UNKNOWN"
	case ecrapi.ImageNotFoundException:
		status, code = http.StatusNotFound, "MANIFEST_UNKNOWN"
	case ecrapi.LayersNotFoundException:
		if on == onManifest {
			code = "MANIFEST_BLOB_UNKNOWN"
		} else {
			status, code = http.StatusNotFound, "BLOB_UNKNOWN"
		}
	case ecrapi.ReferencedImagesNotFoundException:
		code = "MANIFEST_BLOB_UNKNOWN"
	case ecrapi.UploadNotFoundException:
		status, code = http.StatusNotFound, "BLOB_UPLOAD_UNKNOWN"
	case ecrapi.InvalidLayerException, ecrapi.ImageDigestDoesNotMatchException:
		code = "DIGEST_INVALID"
	case ecrapi.InvalidLayerPartException:
		status, code = http.StatusRequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID"
	case ecrapi.ImageTagAlreadyExistsException:
		code = "TAG_INVALID"
	case ecrapi.LimitExceededException:
		status, code = http.StatusTooManyRequests, "TOOMANYREQUESTS"
	case ecrapi.AccessDeniedException:
		status, code = http.StatusForbidden, "DENIED"
	case ecrapi.ServerException:
		status, code = http.StatusInternalServerError, "UNKNOWN"
	default: // InvalidParameterException, ValidationException
		switch {
		case on == onManifest && strings.Contains(e.Message, "'imageManifest"):
			code = "MANIFEST_INVALID"
		case strings.Contains(e.Message, "'repositoryName'"):
			code = "NAME_INVALID"
		case strings.Contains(e.Message, "igest"):
			code = "DIGEST_INVALID"
		case strings.Contains(e.Message, "imageTag"):
			code = "TAG_INVALID"
		case on == onManifest:
			code = "MANIFEST_INVALID"
		case on == onUpload || on == onBlob:
			code = "BLOB_UPLOAD_INVALID"
		default:
			code = "UNSUPPORTED"
		}
	}
	return &registryError{status, code, e.Code + ": " + e.Message}
}

func writeRegistryError(w http.ResponseWriter, err error, on subject) {
	re := toRegistryError(err, on)
	b, _ := json.Marshal(ociErrorBody{Errors: []ociError{{Code: re.code, Message: re.msg}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(re.status)
	w.Write(b)
}

// authenticate reads the Basic credentials ECR's registry takes; on failure it answers 401
// with the challenge and returns false.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (*sim.Registry, bool) {
	user, pw, ok := r.BasicAuth()
	why := "no Basic credentials: log in with user AWS and the password of GetAuthorizationToken (aws ecr get-login-password)"
	if ok {
		caller, err := h.world.Authenticate(user, pw)
		if err == nil {
			return h.world.Registry(caller), true
		}
		why = err.Error()
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Basic realm="%s",service="ecr.amazonaws.com"`, "http://"+r.Host+"/"))
	writeRegistryError(w, regErr(http.StatusUnauthorized, "UNAUTHORIZED", "%s", why), onOther)
	return nil, false
}

// serveRegistry routes /v2/ requests.
func (h *handler) serveRegistry(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
	c, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v2/")
	if path == "" {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{}"))
		return
	}
	switch {
	case strings.HasSuffix(path, "/blobs/uploads") || strings.Contains(path, "/blobs/uploads/"):
		i := strings.LastIndex(path, "/blobs/uploads")
		id := strings.TrimPrefix(path[i+len("/blobs/uploads"):], "/")
		h.serveUpload(w, r, c, path[:i], id)
	case strings.Contains(path, "/blobs/"):
		i := strings.LastIndex(path, "/blobs/")
		h.serveBlob(w, r, c, path[:i], path[i+len("/blobs/"):])
	case strings.Contains(path, "/manifests/"):
		i := strings.LastIndex(path, "/manifests/")
		h.serveManifest(w, r, c, path[:i], path[i+len("/manifests/"):])
	case strings.HasSuffix(path, "/tags/list"):
		h.serveTags(w, r, c, strings.TrimSuffix(path, "/tags/list"))
	case strings.Contains(path, "/referrers/"):
		i := strings.LastIndex(path, "/referrers/")
		h.serveReferrers(w, r, c, path[:i], path[i+len("/referrers/"):])
	default:
		writeRegistryError(w, regErr(http.StatusNotFound, "NAME_UNKNOWN", "no registry endpoint at %s", r.URL.Path), onOther)
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow ...string) {
	w.Header().Set("Allow", strings.Join(allow, ", "))
	writeRegistryError(w, regErr(http.StatusMethodNotAllowed, "UNSUPPORTED", "%s is not supported on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", ")), onOther)
}

// serveUpload serves the blob upload endpoints: POST starts an upload (or mounts, or
// uploads in one request), PATCH appends, PUT completes, GET reports and DELETE cancels.
func (h *handler) serveUpload(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, id string) {
	switch {
	case r.Method == http.MethodPost && id == "":
		h.startUpload(w, r, c, name)
	case r.Method == http.MethodPatch && id != "":
		appendUpload(w, r, c, name, id)
	case r.Method == http.MethodPut && id != "":
		d := r.URL.Query().Get("digest")
		if d == "" {
			writeRegistryError(w, regErr(http.StatusBadRequest, "DIGEST_INVALID", "completing an upload needs ?digest="), onUpload)
			return
		}
		h.finishUpload(w, r, c, name, id, d)
	case r.Method == http.MethodGet && id != "":
		size, err := c.UploadStatus(name, id)
		if err != nil {
			writeRegistryError(w, err, onUpload)
			return
		}
		setUploadHeaders(w, name, id, size)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete && id != "":
		if err := c.CancelUpload(name, id); err != nil {
			writeRegistryError(w, err, onUpload)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case id == "":
		methodNotAllowed(w, r, http.MethodPost)
	default:
		methodNotAllowed(w, r, http.MethodPatch, http.MethodPut, http.MethodGet, http.MethodDelete)
	}
}

// startUpload answers POST /v2/NAME/blobs/uploads/: a cross-repository mount when ?mount and
// ?from name a blob the source holds, else a new upload, completed at once when ?digest is
// given (a monolithic upload).
func (h *handler) startUpload(w http.ResponseWriter, r *http.Request, c *sim.Registry, name string) {
	q := r.URL.Query()
	if mount, from := q.Get("mount"), q.Get("from"); mount != "" && from != "" {
		ok, err := c.MountBlob(name, from, mount)
		if err != nil {
			writeRegistryError(w, err, onUpload)
			return
		}
		if ok {
			blobCreated(w, name, mount)
			return
		}
	}
	id, err := c.StartUpload(name)
	if err != nil {
		writeRegistryError(w, err, onUpload)
		return
	}
	if d := q.Get("digest"); d != "" {
		h.finishUpload(w, r, c, name, id, d)
		return
	}
	uploadAccepted(w, name, id, 0)
}

// appendUpload answers PATCH: the body goes to the end of the upload, which must be where a
// Content-Range says it starts.
func appendUpload(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, id string) {
	offset := int64(-1)
	if cr := r.Header.Get("Content-Range"); cr != "" {
		start, _, ok := strings.Cut(strings.TrimPrefix(cr, "bytes="), "-")
		n, err := strconv.ParseInt(start, 10, 64)
		if !ok || err != nil || n < 0 {
			writeRegistryError(w, regErr(http.StatusRequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", "Content-Range %q is not START-END", cr), onUpload)
			return
		}
		offset = n
	}
	size, err := c.AppendUpload(name, id, offset, blobBody(w, r))
	if err != nil {
		writeRegistryError(w, err, onUpload)
		return
	}
	uploadAccepted(w, name, id, size)
}

func (h *handler) finishUpload(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, id, digest string) {
	if _, err := c.FinishUpload(name, id, digest, blobBody(w, r)); err != nil {
		c.CancelUpload(name, id) // a failed completion leaves nothing behind
		writeRegistryError(w, err, onUpload)
		return
	}
	blobCreated(w, name, digest)
}

func setUploadHeaders(w http.ResponseWriter, name, id string, size int64) {
	w.Header().Set("Location", "/v2/"+name+"/blobs/uploads/"+id)
	w.Header().Set("Docker-Upload-UUID", id)
	w.Header().Set("Range", fmt.Sprintf("0-%d", max(size-1, 0)))
}

func uploadAccepted(w http.ResponseWriter, name, id string, size int64) {
	setUploadHeaders(w, name, id, size)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

func blobCreated(w http.ResponseWriter, name, digest string) {
	w.Header().Set("Location", "/v2/"+name+"/blobs/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) serveBlob(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, digest string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, http.MethodGet, http.MethodHead)
		return
	}
	rc, size, err := c.OpenBlob(name, digest)
	if err != nil {
		writeRegistryError(w, err, onBlob)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Docker-Content-Digest", digest)
	if r.Method == http.MethodHead {
		return
	}
	io.Copy(w, rc)
}

func (h *handler) serveManifest(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, ref string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		m, err := c.GetManifest(name, ref, r.Method == http.MethodGet)
		if err != nil {
			writeRegistryError(w, err, onManifest)
			return
		}
		w.Header().Set("Content-Type", m.MediaType)
		w.Header().Set("Content-Length", strconv.Itoa(len(m.Content)))
		w.Header().Set("Docker-Content-Digest", m.Digest)
		if r.Method == http.MethodGet {
			io.WriteString(w, m.Content)
		}
	case http.MethodPut:
		h.putManifest(w, r, c, name, ref)
	case http.MethodDelete:
		if err := c.DeleteManifest(name, ref); err != nil {
			writeRegistryError(w, err, onManifest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		methodNotAllowed(w, r, http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete)
	}
}

func (h *handler) putManifest(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, ref string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, ecrapi.MaxManifestBytes+1))
	if err != nil {
		writeRegistryError(w, regErr(http.StatusBadRequest, "MANIFEST_INVALID", "reading the manifest: %v", err), onManifest)
		return
	}
	if len(body) > ecrapi.MaxManifestBytes {
		writeRegistryError(w, regErr(http.StatusRequestEntityTooLarge, "SIZE_INVALID", "a manifest has at most %d bytes", ecrapi.MaxManifestBytes), onManifest)
		return
	}
	req := &ecrapi.PutImageRequest{RepositoryName: name, ImageManifest: string(body)}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt != "application/json" && mt != "application/octet-stream" {
		req.ImageManifestMediaType = mt
	}
	if strings.Contains(ref, ":") {
		req.ImageDigest = ref
	} else {
		req.ImageTag = ref
	}
	res, err := c.PushManifest(req)
	if err != nil {
		writeRegistryError(w, err, onManifest)
		return
	}
	digest := res.Image.ImageID.ImageDigest
	if res.Referrer {
		var m struct {
			Subject *ocispec.Descriptor `json:"subject"`
		}
		if json.Unmarshal(body, &m) == nil && m.Subject != nil {
			w.Header().Set("OCI-Subject", string(m.Subject.Digest))
		}
	}
	w.Header().Set("Location", "/v2/"+name+"/manifests/"+digest)
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) serveTags(w http.ResponseWriter, r *http.Request, c *sim.Registry, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	tags, err := c.Tags(name)
	if err != nil {
		writeRegistryError(w, err, onOther)
		return
	}
	q := r.URL.Query()
	if last := q.Get("last"); last != "" {
		i, found := slices.BinarySearch(tags, last)
		if found {
			i++
		}
		tags = tags[i:]
	}
	if ns := q.Get("n"); ns != "" {
		n, err := strconv.Atoi(ns)
		if err != nil || n < 0 || n > MaxTagsPage {
			writeRegistryError(w, regErr(http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "n=%q: want 0 to %d", ns, MaxTagsPage), onOther)
			return
		}
		if n < len(tags) {
			tags = tags[:n]
			if n > 0 {
				w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?n=%d&last=%s>; rel="next"`, name, n, url.QueryEscape(tags[n-1])))
			}
		}
	}
	writeRegistryJSON(w, "application/json", struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{name, tags})
}

func (h *handler) serveReferrers(w http.ResponseWriter, r *http.Request, c *sim.Registry, name, digest string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, r, http.MethodGet)
		return
	}
	artifactType := r.URL.Query().Get("artifactType")
	descs, err := c.Referrers(name, digest, artifactType)
	if err != nil {
		writeRegistryError(w, err, onOther)
		return
	}
	if descs == nil {
		descs = []ocispec.Descriptor{}
	}
	if artifactType != "" {
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: descs}
	idx.SchemaVersion = 2
	writeRegistryJSON(w, ocispec.MediaTypeImageIndex, idx)
}

func writeRegistryJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeRegistryError(w, err, onOther)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
