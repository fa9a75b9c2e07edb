package sim

import (
	"io"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Registry is the registry protocol's view of the world as one caller sees it: what an OCI
// distribution server (package ecrhttp's /v2/ endpoints) needs, with the exceptions of the
// ECR operation a docker push or pull performs for each request. A manifest PUT is a push
// exactly as PutImage is.
type Registry struct{ c *client }

// Registry returns the registry protocol side of the world as caller c sees it.
func (w *World) Registry(c Caller) *Registry { return &Registry{c: w.client(c)} }

// StartUpload starts an upload to a repository and returns its id. It raises what
// InitiateLayerUpload raises.
func (g *Registry) StartUpload(name string) (string, error) {
	return g.c.startUpload(ecrapi.OpInitiateLayerUpload, "", name)
}

// AppendUpload streams r to the end of an upload, refusing more than Limits.UploadBytes in all,
// and returns the upload's size. offset, when not negative, must be the upload's size (the
// part starts where the last ended): InvalidLayerPartException otherwise.
// It and UploadStatus and CancelUpload raise what UploadLayerPart raises.
func (g *Registry) AppendUpload(name, id string, offset int64, r io.Reader) (int64, error) {
	return g.c.appendUpload(ecrapi.OpUploadLayerPart, "", name, id, offset, r)
}

// UploadStatus returns how many bytes an upload has.
func (g *Registry) UploadStatus(name, id string) (int64, error) {
	return g.c.uploadStatus(ecrapi.OpUploadLayerPart, "", name, id)
}

// CancelUpload drops an upload.
func (g *Registry) CancelUpload(name, id string) error {
	return g.c.cancelUpload(ecrapi.OpUploadLayerPart, "", name, id)
}

// FinishUpload appends r (nil: nothing) to an upload and completes it: the content must
// have digest (InvalidLayerException otherwise, and nothing is stored), then the blob is in
// the repository. It returns the blob's size. It raises what CompleteLayerUpload raises,
// except that a layer the repository holds already is accepted again (CompleteLayerUpload
// raises LayerAlreadyExistsException for it).
func (g *Registry) FinishUpload(name, id, digest string, r io.Reader) (int64, error) {
	return g.c.finishUpload(ecrapi.OpCompleteLayerUpload, "", name, id, digest, r, false)
}

// PushManifest pushes a manifest through the registry protocol (PUT /v2/NAME/manifests/REF):
// a push exactly as PutImage, except that the same manifest and tag again is a push (it
// signs again) and that every blob the manifest references must be in the repository.
func (g *Registry) PushManifest(req *ecrapi.PutImageRequest) (*PushResult, error) {
	return g.c.pushManifest(req)
}

// GetManifest returns the manifest a tag or digest names (ImageNotFoundException if none),
// recording a pull when pull is set (a GET, not a HEAD); a malformed digest is
// InvalidParameterException.
func (g *Registry) GetManifest(name, reference string, pull bool) (*ecrapi.Manifest, error) {
	return g.c.getManifest(name, reference, pull)
}

// DeleteManifest deletes the image a digest names, or removes a tag, as BatchDeleteImage
// does.
func (g *Registry) DeleteManifest(name, reference string) error {
	return g.c.deleteManifest(name, reference)
}

// Tags returns the repository's tags in lexical order.
func (g *Registry) Tags(name string) ([]string, error) { return g.c.tags(name) }

// Referrers returns the descriptors of the manifests whose subject is digest (pushed
// referrers and signatures), filtered by artifactType when it is not empty.
func (g *Registry) Referrers(name, digest, artifactType string) ([]ocispec.Descriptor, error) {
	return g.c.referrers(name, digest, artifactType)
}

// OpenBlob returns a blob the repository holds, with its size (LayersNotFoundException if
// it holds none with that digest).
func (g *Registry) OpenBlob(name, digest string) (io.ReadCloser, int64, error) {
	return g.c.openBlob(name, digest)
}

// MountBlob makes a blob of repository from (same registry) available in name, as a
// cross-repository mount; it reports whether from held it.
func (g *Registry) MountBlob(name, from, digest string) (bool, error) {
	return g.c.mountBlob(name, from, digest)
}
