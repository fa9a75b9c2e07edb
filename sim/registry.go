package sim

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The registry protocol's view of the world: what an OCI distribution server (package
// ecrhttp's /v2/ endpoints) needs, with the same exceptions as the ECR API. A manifest PUT
// is a push exactly as PutImage is.

// Operation names the registry protocol's requests raise exceptions as: each maps to the ECR
// operation a docker push or pull performs for it.
const (
	opRegistryPutManifest = ecrapi.OpPutImage
	opRegistryGetManifest = ecrapi.OpBatchGetImage
)

// checkPush checks a push against the repository: PutImage of a manifest that is there with
// the same tag (or without a tag) is ImageAlreadyExistsException; a manifest whose blobs the
// repository does not hold is LayersNotFoundException (through the registry protocol always,
// through PutImage with Options.RequireLayers); a new image beyond the repository's quota is
// LimitExceededException; w.mu held.
func (c *client) checkPush(op string, e *repoEdit, req *ecrapi.PutImageRequest, info manifestInfo, mode pushMode, now time.Time) error {
	w := c.w
	repo := e.repo
	old := e.image(info.digest)
	exists := old != nil && !now.Before(old.visibleAt)
	if !mode.repush && exists {
		if req.ImageTag == "" {
			return newError(ecrapi.ImageAlreadyExistsException, "Image with digest '%s' already exists in the repository with name '%s' in registry with id '%s'", info.digest, repo.name, c.key(req.RegistryID).account)
		}
		if d, ok := e.tagOf(req.ImageTag); ok && d == info.digest {
			return newError(ecrapi.ImageAlreadyExistsException, "Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'", info.digest, req.ImageTag, repo.name, c.key(req.RegistryID).account)
		}
	}
	if mode.requireLayers || w.opts.RequireLayers {
		d, err := readDetails(req.ImageManifest)
		if err != nil {
			return invalidParameter("imageManifest", "'Invalid JSON syntax'")
		}
		var missing []string
		for _, b := range d.blobs {
			if _, ok := repo.blobSize(string(b.Digest), now); !ok && !slices.Contains(missing, string(b.Digest)) {
				missing = append(missing, string(b.Digest))
			}
		}
		if len(missing) > 0 {
			return newError(ecrapi.LayersNotFoundException, "Layers with digests '%s' required for pushing image into repository with name '%s' in the registry with id '%s' do not exist", briefDigests(missing), repo.name, c.key(req.RegistryID).account)
		}
	}
	return w.checkNewImage(op, e, info.digest, now)
}

// pushManifest is [Registry.PushManifest].
func (c *client) pushManifest(req *ecrapi.PutImageRequest) (*PushResult, error) {
	return c.push(opRegistryPutManifest, req, pushMode{repush: true, requireLayers: true})
}

// getManifest is [Registry.GetManifest].
func (c *client) getManifest(name, reference string, pull bool) (*ecrapi.Manifest, error) {
	const op = opRegistryGetManifest
	w := c.w
	var out *ecrapi.Manifest
	err := c.write(op, c.repoScopes("", name), func(ch *change) error {
		k, repo, err := c.repo(op, "", name)
		if err != nil {
			return err
		}
		id := referenceID(reference)
		if err := checkDigest("imageDigest", id.ImageDigest); err != nil {
			return err
		}
		now := w.clock.Now()
		img, _ := repo.resolve(id, now)
		if img == nil {
			return noImage(k, name, &id)
		}
		if pull {
			recordPull(ch, k, repo, img, now)
		}
		out = &ecrapi.Manifest{Digest: img.digest, MediaType: img.mediaType, Content: img.manifest}
		return nil
	})
	if err != nil && out == nil {
		return nil, err
	}
	return out, nil // a pull whose time could not be stored is still served
}

// referenceID reads a registry protocol reference: a digest (it has a colon) or a tag.
func referenceID(ref string) ecrapi.ImageIdentifier {
	if strings.Contains(ref, ":") {
		return ecrapi.ImageIdentifier{ImageDigest: ref}
	}
	return ecrapi.ImageIdentifier{ImageTag: ref}
}

// deleteManifest is [Registry.DeleteManifest].
func (c *client) deleteManifest(name, reference string) error {
	out, err := c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: name, ImageIDs: []ecrapi.ImageIdentifier{referenceID(reference)}})
	if err != nil {
		return err
	}
	if len(out.Failures) > 0 {
		f := out.Failures[0]
		if f.FailureCode == "ImageNotFound" {
			k := c.key("")
			return noImage(k, name, f.ImageID)
		}
		return newError(ecrapi.InvalidParameterException, "%s: %s", f.FailureCode, f.FailureReason)
	}
	return nil
}

// tags is [Registry.Tags].
func (c *client) tags(name string) ([]string, error) {
	const op = ecrapi.OpListImages
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return nil, err
	}
	_, repo, err := c.repo(op, "", name)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	tags := make([]string, 0, len(repo.tags))
	for t, d := range repo.tags {
		if repo.lookup(d, now) != nil {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	return tags, nil
}

// referrers is [Registry.Referrers].
func (c *client) referrers(name, digest, artifactType string) ([]ocispec.Descriptor, error) {
	const op = ecrapi.OpListImageReferrers
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return nil, err
	}
	if err := checkDigest("subjectId.imageDigest", digest); err != nil || digest == "" {
		return nil, invalidParameter("subjectId.imageDigest", "'must be a sha256 digest'")
	}
	_, repo, err := c.repo(op, "", name)
	if err != nil {
		return nil, err
	}
	var types []string
	if artifactType != "" {
		types = []string{artifactType}
	}
	return repo.referrers(digest, types, w.clock.Now()), nil
}

// openBlob is [Registry.OpenBlob].
func (c *client) openBlob(name, digest string) (io.ReadCloser, int64, error) {
	const op = ecrapi.OpGetDownloadUrlForLayer
	w := c.w
	w.mu.Lock()
	if err := c.begin(op); err != nil {
		w.mu.Unlock()
		return nil, 0, err
	}
	k, repo, err := c.repo(op, "", name)
	if err != nil {
		w.mu.Unlock()
		return nil, 0, err
	}
	if !validDigest(digest) {
		w.mu.Unlock()
		return nil, 0, invalidParameter("layerDigest", "'must be a sha256 digest'")
	}
	_, held := repo.blobs[digest]
	sig, isSig := repo.sigBlob(digest, w.clock.Now())
	w.mu.Unlock()
	switch {
	case held:
		rc, info, err := w.readBlob(digest)
		if err == nil {
			return rc, info.Size, nil
		}
	case isSig:
		return io.NopCloser(strings.NewReader(sig)), int64(len(sig)), nil
	}
	return nil, 0, newError(ecrapi.LayersNotFoundException, "The layer with digest '%s' does not exist in the repository with name '%s' in the registry with id '%s'", digest, name, k.account)
}

// mountBlob is [Registry.MountBlob].
func (c *client) mountBlob(name, from, digest string) (bool, error) {
	const op = ecrapi.OpInitiateLayerUpload
	w := c.w
	mounted := false
	k := c.key("")
	scopes := func() []scope {
		return []scope{worldScope(false), registryScope(k, false), repoScope(k, name), repoScope(k, from)}
	}
	if from == name {
		scopes = c.repoScopes("", name)
	}
	err := c.write(op, scopes, func(ch *change) error {
		k, repo, err := c.repo(op, "", name)
		if err != nil {
			return err
		}
		_, src, err := c.repo(op, "", from)
		if err != nil || !validDigest(digest) {
			return nil
		}
		size, ok := src.blobs[digest]
		if !ok {
			return nil
		}
		if _, err := w.StatBlob(digest); err != nil {
			return nil // its bytes are not in the blob area (a world loaded from a file)
		}
		addLayer(ch, k, repo, digest, size)
		mounted = true
		return nil
	})
	return mounted, err
}
