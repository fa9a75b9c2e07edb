package sim

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// upload is a layer upload in progress: InitiateLayerUpload or a registry protocol POST
// started it; parts append to it in order, in a temporary file; completing it puts the
// blob in the world's blob area and records the layer in the repository. Uploads in
// progress are not stored: a restart forgets them, as a client's retry expects.
type upload struct {
	id       string
	key      registryKey
	repo     string
	started  time.Time
	maxBytes int64
	mu       sync.Mutex  // serialises the writes of one upload
	bw       *uploadFile // nil once completed or aborted
	// used is when the upload last received bytes, in real time (the world's clock may be
	// frozen): an upload idle for MaxUploadIdle may be dropped to make room for another.
	used atomic.Int64
}

func (u *upload) abort() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.bw != nil {
		u.bw.remove()
		u.bw = nil
	}
}

// newUploadID returns a random UUID, the UploadId shape.
func newUploadID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// InitiateLayerUpload starts a layer upload to a repository.
func (c *client) InitiateLayerUpload(req *ecrapi.InitiateLayerUploadRequest) (*ecrapi.InitiateLayerUploadResponse, error) {
	if req == nil {
		req = &ecrapi.InitiateLayerUploadRequest{}
	}
	id, err := c.startUpload(ecrapi.OpInitiateLayerUpload, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	return &ecrapi.InitiateLayerUploadResponse{UploadID: id, PartSize: ecrapi.PartSize}, nil
}

// startUpload is [Registry.StartUpload].
func (c *client) startUpload(op, registryID, name string) (string, error) {
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return "", err
	}
	k, repo, err := c.repo(op, registryID, name)
	if err != nil {
		return "", err
	}
	if max := w.limits.Uploads; max > 0 && len(w.uploads) >= max {
		w.dropIdleUploads()
	}
	if max := w.limits.Uploads; max > 0 && len(w.uploads) >= max {
		return "", limitExceeded(op, "The simulator has %d uploads in progress, the most it keeps open (ecrsign serve --max-uploads); complete or cancel some, or wait %s for idle ones to expire", max, MaxUploadIdle)
	}
	bw, err := newUploadFile(w.uploadDir)
	if err != nil {
		return "", &ecrapi.Error{Code: ecrapi.ServerException, Message: err.Error()}
	}
	u := &upload{id: newUploadID(), key: k, repo: repo.name, started: w.clock.Now(), maxBytes: w.limits.UploadBytes, bw: bw}
	w.startUpload(u)
	return u.id, nil
}

// startUpload records an upload in progress; w.mu held.
func (w *World) startUpload(u *upload) {
	u.used.Store(time.Now().UnixNano())
	w.uploads[u.id] = u
}

// dropIdleUploads forgets the uploads idle for MaxUploadIdle and aborts them; w.mu held.
func (w *World) dropIdleUploads() {
	cutoff := time.Now().Add(-MaxUploadIdle).UnixNano()
	for id, u := range w.uploads {
		if u.used.Load() < cutoff {
			w.endUpload(id)
			go u.abort()
		}
	}
}

// endUpload forgets an upload; w.mu held.
func (w *World) endUpload(id string) { delete(w.uploads, id) }

// findUpload returns the upload id of the repository; w.mu held.
func (c *client) findUpload(op, registryID, name, id string) (*upload, error) {
	k, repo, err := c.repo(op, registryID, name)
	if err != nil {
		return nil, err
	}
	u := c.w.uploads[id]
	if u == nil || u.key != k || u.repo != repo.name {
		return nil, newError(ecrapi.UploadNotFoundException, "Upload with id '%s' is not found in the repository '%s' of the registry with id '%s'", id, name, k.account)
	}
	return u, nil
}

// lockedUpload finds an upload under w.mu and returns it locked, for writing without w.mu.
func (c *client) lockedUpload(op, registryID, name, id string) (*upload, error) {
	w := c.w
	w.mu.Lock()
	err := c.begin(op)
	var u *upload
	if err == nil {
		u, err = c.findUpload(op, registryID, name, id)
	}
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	u.mu.Lock()
	if u.bw == nil {
		u.mu.Unlock()
		return nil, newError(ecrapi.UploadNotFoundException, "Upload with id '%s' is complete or cancelled", id)
	}
	return u, nil
}

// appendUpload is [Registry.AppendUpload].
func (c *client) appendUpload(op, registryID, name, id string, offset int64, r io.Reader) (int64, error) {
	u, err := c.lockedUpload(op, registryID, name, id)
	if err != nil {
		return 0, err
	}
	defer u.mu.Unlock()
	return u.append(offset, r)
}

// append writes r to the upload; u.mu held.
func (u *upload) append(offset int64, r io.Reader) (int64, error) {
	size := u.bw.size
	if offset >= 0 && offset != size {
		return size, newError(ecrapi.InvalidLayerPartException, "The part starts at byte %d but the upload '%s' has %d bytes: parts must be sent in order", offset, u.id, size)
	}
	max := u.maxBytes
	if max <= 0 {
		max = DefaultMaxUploadBytes
	}
	defer u.used.Store(time.Now().UnixNano())
	n, err := io.Copy(u.bw, io.LimitReader(r, max-size+1))
	if err != nil {
		return u.bw.size, newError(ecrapi.InvalidLayerPartException, "Reading the part of upload '%s': %v", u.id, err)
	}
	if size+n > max {
		return u.bw.size, newError(ecrapi.LimitExceededException, "A layer may have at most %d bytes (ecrsign serve --max-upload-bytes)", max)
	}
	return u.bw.size, nil
}

// uploadStatus is [Registry.UploadStatus].
func (c *client) uploadStatus(op, registryID, name, id string) (int64, error) {
	u, err := c.lockedUpload(op, registryID, name, id)
	if err != nil {
		return 0, err
	}
	defer u.mu.Unlock()
	return u.bw.size, nil
}

// cancelUpload is [Registry.CancelUpload].
func (c *client) cancelUpload(op, registryID, name, id string) error {
	u, err := c.lockedUpload(op, registryID, name, id)
	if err != nil {
		return err
	}
	u.bw.remove()
	u.bw = nil
	u.mu.Unlock()
	w := c.w
	w.mu.Lock()
	w.endUpload(id)
	w.mu.Unlock()
	return nil
}

// finishUpload is [Registry.FinishUpload].
func (c *client) finishUpload(op, registryID, name, id, digest string, r io.Reader, existing bool) (int64, error) {
	if !validDigest(digest) {
		return 0, newError(ecrapi.InvalidLayerException, "The layer digest '%s' is not a sha256 digest", digest)
	}
	u, err := c.lockedUpload(op, registryID, name, id)
	if err != nil {
		return 0, err
	}
	if r != nil {
		if _, err := u.append(-1, r); err != nil {
			u.mu.Unlock()
			return 0, err
		}
	}
	size := u.bw.size
	if size == 0 && op == ecrapi.OpCompleteLayerUpload {
		u.mu.Unlock()
		return 0, newError(ecrapi.EmptyUploadException, "The upload '%s' has no layer parts", id)
	}
	bw := u.bw
	u.bw = nil
	u.mu.Unlock()
	w := c.w
	defer func() {
		bw.remove()
		w.mu.Lock()
		w.endUpload(id)
		w.mu.Unlock()
	}()
	if err := bw.verify(digest); err != nil {
		return 0, newError(ecrapi.InvalidLayerException, "The layer's content does not match the digest %s: %v; nothing was stored", digest, err)
	}
	// The blob is durable in the blob area before the layer is recorded, and the layer
	// record is durable before the upload is acknowledged.
	if _, serr := w.StatBlob(digest); serr != nil { // content-addressed: stored once
		var content io.Reader
		if content, err = bw.reader(); err == nil {
			_, err = w.putBlob(digest, content)
		}
	}
	if err != nil {
		if e, ok := errors.AsType[*ecrapi.Error](err); ok {
			return 0, e
		}
		return 0, newError(ecrapi.ServerException, "ecrsign could not store the layer %s, so the upload was not completed; retry it: %v", digest, err)
	}
	err = c.write(op, c.repoScopes(registryID, name), func(ch *change) error {
		k, repo, err := c.repo(op, registryID, name)
		if err != nil {
			return err
		}
		if _, ok := repo.blobs[digest]; ok && existing {
			return newError(ecrapi.LayerAlreadyExistsException, "The layer '%s' already exists in the repository with name '%s' in registry with id '%s'", digest, repo.name, k.account)
		}
		addLayer(ch, k, repo, digest, size)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return size, nil
}

// addLayer adds to ch the record that the repository holds a blob of the blob area; w.mu
// held.
func addLayer(ch *change, k registryKey, repo *repository, digest string, size int64) {
	if old, ok := repo.blobs[digest]; ok && old == size {
		return
	}
	putLayer(ch, k, repo.name, digest, size)
	ch.then(func() { repo.blobs[digest] = size })
}

// UploadLayerPart appends one part to an upload: parts come in order, each starting at the
// byte after the last (InvalidLayerPartException otherwise).
func (c *client) UploadLayerPart(req *ecrapi.UploadLayerPartRequest) (*ecrapi.UploadLayerPartResponse, error) {
	const op = ecrapi.OpUploadLayerPart
	if req == nil {
		req = &ecrapi.UploadLayerPartRequest{}
	}
	var nulls []string
	for _, m := range []struct {
		name string
		null bool
	}{{"uploadId", req.UploadID == ""}, {"partFirstByte", req.PartFirstByte == nil}, {"partLastByte", req.PartLastByte == nil}, {"layerPartBlob", req.LayerPartBlob == nil}} {
		if m.null {
			nulls = append(nulls, "Value null at '"+m.name+"' failed to satisfy constraint: Member must not be null")
		}
	}
	if len(nulls) > 0 {
		return nil, invalidRequest(op, violationCount(len(nulls))+strings.Join(nulls, "; "))
	}
	first, last := *req.PartFirstByte, *req.PartLastByte
	if len(req.LayerPartBlob) > ecrapi.MaxLayerPartBytes {
		return nil, invalidRequest(op, fmt.Sprintf("1 validation error detected: Value at 'layerPartBlob' failed to satisfy constraint: Member must have length less than or equal to %d", ecrapi.MaxLayerPartBytes))
	}
	if first < 0 || last != first+int64(len(req.LayerPartBlob))-1 {
		return nil, newError(ecrapi.InvalidLayerPartException, "The part's first byte %d and last byte %d do not bound its %d bytes", first, last, len(req.LayerPartBlob))
	}
	size, err := c.appendUpload(op, req.RegistryID, req.RepositoryName, req.UploadID, first, bytes.NewReader(req.LayerPartBlob))
	if err != nil {
		return nil, err
	}
	return &ecrapi.UploadLayerPartResponse{RegistryID: c.key(req.RegistryID).account, RepositoryName: req.RepositoryName, UploadID: req.UploadID, LastByteReceived: size - 1}, nil
}

func violationCount(n int) string {
	if n == 1 {
		return "1 validation error detected: "
	}
	return fmt.Sprintf("%d validation errors detected: ", n)
}

// CompleteLayerUpload completes an upload whose content has the one digest given.
func (c *client) CompleteLayerUpload(req *ecrapi.CompleteLayerUploadRequest) (*ecrapi.CompleteLayerUploadResponse, error) {
	const op = ecrapi.OpCompleteLayerUpload
	if req == nil {
		req = &ecrapi.CompleteLayerUploadRequest{}
	}
	switch {
	case req.UploadID == "":
		return nil, memberNull(op, "uploadId")
	case len(req.LayerDigests) == 0:
		return nil, memberNull(op, "layerDigests")
	case len(req.LayerDigests) > 1:
		return nil, invalidParameter("layerDigests", "'the simulator completes an upload with exactly one layer digest'")
	}
	if _, err := c.finishUpload(op, req.RegistryID, req.RepositoryName, req.UploadID, req.LayerDigests[0], nil, true); err != nil {
		return nil, err
	}
	return &ecrapi.CompleteLayerUploadResponse{RegistryID: c.key(req.RegistryID).account, RepositoryName: req.RepositoryName, UploadID: req.UploadID, LayerDigest: req.LayerDigests[0]}, nil
}

// BatchCheckLayerAvailability says which layers the repository holds: AVAILABLE ones, and a
// MissingLayerDigest (or InvalidLayerDigest) failure for the others.
func (c *client) BatchCheckLayerAvailability(req *ecrapi.BatchCheckLayerAvailabilityRequest) (*ecrapi.BatchCheckLayerAvailabilityResponse, error) {
	const op = ecrapi.OpBatchCheckLayerAvailability
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	switch n := len(req.LayerDigests); {
	case n == 0:
		return nil, memberNull(op, "layerDigests")
	case n > ecrapi.MaxLayerDigests:
		return nil, listTooLong(op, "layerDigests", n, ecrapi.MaxLayerDigests)
	}
	_, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	out := &ecrapi.BatchCheckLayerAvailabilityResponse{Layers: []ecrapi.Layer{}, Failures: []ecrapi.LayerFailure{}}
	for _, d := range req.LayerDigests {
		switch size, ok := repo.blobSize(d, w.clock.Now()); {
		case !validDigest(d):
			out.Failures = append(out.Failures, ecrapi.LayerFailure{LayerDigest: d, FailureCode: "InvalidLayerDigest", FailureReason: "Invalid layer digest"})
		case !ok:
			out.Failures = append(out.Failures, ecrapi.LayerFailure{LayerDigest: d, FailureCode: "MissingLayerDigest", FailureReason: "Could not find the layer in the repository"})
		default:
			out.Layers = append(out.Layers, ecrapi.Layer{LayerDigest: d, LayerAvailability: "AVAILABLE", LayerSize: &size})
		}
	}
	return out, nil
}

// blobSize returns the size of a blob the repository holds: uploaded, or one of its
// signatures'.
func (r *repository) blobSize(digest string, now time.Time) (int64, bool) {
	if n, ok := r.blobs[digest]; ok {
		return n, true
	}
	if b, ok := r.sigBlob(digest, now); ok {
		return int64(len(b)), true
	}
	return 0, false
}

// GetDownloadUrlForLayer returns where a layer of the repository can be downloaded
// (LayersNotFoundException for a layer it does not hold).
func (c *client) GetDownloadUrlForLayer(req *ecrapi.GetDownloadUrlForLayerRequest) (*ecrapi.GetDownloadUrlForLayerResponse, error) {
	const op = ecrapi.OpGetDownloadUrlForLayer
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	if req.LayerDigest == "" {
		return nil, memberNull(op, "layerDigest")
	}
	if !validDigest(req.LayerDigest) {
		return nil, invalidParameter("layerDigest", "'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''")
	}
	k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	if _, ok := repo.blobSize(req.LayerDigest, w.clock.Now()); !ok {
		return nil, newError(ecrapi.LayersNotFoundException, "The layer with digest '%s' does not exist in the repository with name '%s' in the registry with id '%s'", req.LayerDigest, repo.name, k.account)
	}
	return &ecrapi.GetDownloadUrlForLayerResponse{DownloadURL: "/v2/" + repo.name + "/blobs/" + url.PathEscape(req.LayerDigest), LayerDigest: req.LayerDigest}, nil
}
