package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	godigest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// digestOf converts a digest the simulator validated to go-digest's type.
func digestOf(d string) godigest.Digest { return godigest.Digest(d) }

// Signatures the simulator stores as referrers of the manifests it signs.
const (

	// emptyJSONDigest is the digest of "{}", OCI's empty descriptor.
	emptyJSONDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	emptyJSON       = "{}"
)

// manifestDetails are the members of a manifest the repository and registry operations
// report; read from the stored manifest when first needed.
type manifestDetails struct {
	artifactType    string // artifactType, else the config's media type
	configMediaType string
	subject         string // the subject's digest, "" when the manifest is no referrer
	size            int64  // the sum of the sizes of the blobs or manifests it references
	blobs           []ocispec.Descriptor
	children        []string // the manifests an index references
	annotations     map[string]string
}

// anyManifest holds the members of an image manifest and an image index at once.
type anyManifest struct {
	MediaType    string               `json:"mediaType"`
	ArtifactType string               `json:"artifactType"`
	Config       *ocispec.Descriptor  `json:"config"`
	Layers       []ocispec.Descriptor `json:"layers"`
	Manifests    []ocispec.Descriptor `json:"manifests"`
	Subject      *ocispec.Descriptor  `json:"subject"`
	Annotations  map[string]string    `json:"annotations"`
}

// readDetails reads a manifest's details; the manifest was validated when it was pushed.
func readDetails(manifest string) (*manifestDetails, error) {
	var m anyManifest
	if err := json.Unmarshal([]byte(manifest), &m); err != nil {
		return nil, err
	}
	d := &manifestDetails{artifactType: m.ArtifactType, annotations: m.Annotations}
	if m.Config != nil {
		d.configMediaType = m.Config.MediaType
		if d.artifactType == "" {
			d.artifactType = m.Config.MediaType
		}
		d.blobs = append(d.blobs, *m.Config)
	}
	d.blobs = append(d.blobs, m.Layers...)
	for _, l := range m.Layers {
		d.size += max(l.Size, 0)
	}
	for _, c := range m.Manifests {
		d.size += max(c.Size, 0)
		d.children = append(d.children, string(c.Digest))
	}
	if m.Subject != nil {
		d.subject = string(m.Subject.Digest)
	}
	return d, nil
}

// detailsOf returns the image's details, reading them once; w.mu held.
func (img *image) detailsOf() *manifestDetails {
	if img.details == nil {
		d, err := readDetails(img.manifest)
		if err != nil { // a stored manifest was validated as JSON: keep what can be said
			d = &manifestDetails{}
		}
		img.details = d
	}
	return img.details
}

// detailsOfIndex returns the manifests an image index references; w.mu held.
func (img *image) detailsOfIndex() []string { return img.detailsOf().children }

// signature is a signature referrer: a completed signing job of a stored image.
type signature struct {
	of         *image
	job        int // index in of.signing
	img        *image
	blob       string // the payload
	blobDigest string
}

// signatures returns the signature referrers the repository holds at now: one per
// completed signing job whose signature was not deleted. Nothing is stored: a signature is
// a function of its job, so it appears the instant the job completes.
func (r *repository) signatures(now time.Time) []signature {
	var sigs []signature
	for _, img := range r.images {
		if now.Before(img.visibleAt) {
			continue
		}
		for i := range img.signing {
			j := &img.signing[i]
			if j.sigDeleted || now.Before(j.done) || j.failureCode != "" {
				continue
			}
			sigs = append(sigs, makeSignature(img, i))
		}
	}
	slices.SortFunc(sigs, func(a, b signature) int { return strings.Compare(a.img.digest, b.img.digest) })
	return sigs
}

// makeSignature returns the referrer of one completed signing job, built once per job.
func makeSignature(of *image, i int) signature {
	j := &of.signing[i]
	if j.sig == nil || j.sig.of != of {
		s := buildSignature(of, i)
		j.sig = &s
	}
	s := *j.sig
	s.job = i
	return s
}

// buildSignature builds the referrer of one completed signing job.
func buildSignature(of *image, i int) signature {
	j := &of.signing[i]
	payload := fmt.Sprintf("SIMULATED SIGNATURE written by ecrsign's dry-run ECR.\nIt is not a signature and holds no key material.\nsubject: %s\nsigningProfileArn: %s\nsignedAt: %s\n",
		of.digest, j.profile, j.done.UTC().Format(time.RFC3339Nano))
	pd := ecrapi.Digest(payload)
	m := ocispec.Manifest{
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: ecrapi.SignatureArtifactType,
		Config:       ocispec.DescriptorEmptyJSON,
		Layers: []ocispec.Descriptor{{
			MediaType: ecrapi.SimulatedSignatureMediaType,
			Digest:    digestOf(pd),
			Size:      int64(len(payload)),
		}},
		Subject: &ocispec.Descriptor{MediaType: of.mediaType, Digest: digestOf(of.digest), Size: int64(len(of.manifest))},
		Annotations: map[string]string{
			ecrapi.AnnotationSigningProfile: j.profile,
			ecrapi.AnnotationSimulated:      "true: no real signature, no key material",
			ocispec.AnnotationCreated:       j.done.UTC().Format(time.RFC3339),
			"io.ecrsign.signing-job-of":     fmt.Sprintf("push %d", j.push),
		},
	}
	m.SchemaVersion = 2
	b, _ := json.Marshal(m) // the shape always marshals
	s := string(b)
	img := &image{
		digest: ecrapi.Digest(s), manifest: s, mediaType: ocispec.MediaTypeImageManifest, referrer: true,
		pushes: 1, visibleAt: j.done, pushedAt: j.done,
	}
	return signature{of: of, job: i, img: img, blob: payload, blobDigest: pd}
}

// sigBlob returns the content of a blob that only signatures hold (their empty config and
// payloads); w.mu held.
func (r *repository) sigBlob(digest string, now time.Time) (string, bool) {
	for _, s := range r.signatures(now) {
		if digest == emptyJSONDigest {
			return emptyJSON, true
		}
		if s.blobDigest == digest {
			return s.blob, true
		}
	}
	return "", false
}

// images returns every image of the repository visible at now, stored ones and signatures,
// sorted by digest.
func (r *repository) visibleImages(now time.Time) []*image {
	imgs := make([]*image, 0, len(r.images))
	for _, img := range r.images {
		if !now.Before(img.visibleAt) {
			imgs = append(imgs, img)
		}
	}
	for _, s := range r.signatures(now) {
		if r.images[s.img.digest] == nil {
			imgs = append(imgs, s.img)
		}
	}
	slices.SortFunc(imgs, func(a, b *image) int { return strings.Compare(a.digest, b.digest) })
	return imgs
}

// lookup returns the image with digest visible at now, stored or a signature.
func (r *repository) lookup(digest string, now time.Time) *image {
	if img := r.images[digest]; img != nil && !now.Before(img.visibleAt) {
		return img
	}
	for _, s := range r.signatures(now) {
		if s.img.digest == digest {
			return s.img
		}
	}
	return nil
}

// sigCount is how many signatures an image's signing jobs make or will make (0 for nil).
func sigCount(img *image) int {
	n := 0
	if img != nil {
		for i := range img.signing {
			if j := &img.signing[i]; !j.sigDeleted && j.failureCode == "" {
				n++
			}
		}
	}
	return n
}

// imageCount is what counts against the images-per-repository quota: stored images and
// signatures.
func (r *repository) imageCount(now time.Time) int {
	n := len(r.images)
	for _, img := range r.images {
		for i := range img.signing {
			if j := &img.signing[i]; !j.sigDeleted && !now.Before(j.done) && j.failureCode == "" {
				n++
			}
		}
	}
	return n
}

// referrers returns the descriptors of the images whose subject is digest, filtered by
// artifact types (none: all), sorted by digest.
func (r *repository) referrers(subject string, artifactTypes []string, now time.Time) []ocispec.Descriptor {
	var out []ocispec.Descriptor
	for _, img := range r.visibleImages(now) {
		if !img.referrer {
			continue
		}
		d := img.detailsOf()
		if d.subject != subject || (len(artifactTypes) > 0 && !slices.Contains(artifactTypes, d.artifactType)) {
			continue
		}
		out = append(out, ocispec.Descriptor{
			MediaType: img.mediaType, ArtifactType: d.artifactType, Digest: digestOf(img.digest),
			Size: int64(len(img.manifest)), Annotations: d.annotations,
		})
	}
	return out
}

// ListImageReferrers lists the referrers of a manifest: pushed ones and the signatures of
// its completed signing jobs, in digest order.
func (c *client) ListImageReferrers(req *ecrapi.ListImageReferrersRequest) (*ecrapi.ListImageReferrersResponse, error) {
	const op = ecrapi.OpListImageReferrers
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	if req.SubjectID == nil || req.SubjectID.ImageDigest == "" {
		return nil, memberNull(op, "subjectId")
	}
	var types []string
	if f := req.Filter; f != nil {
		if len(f.ArtifactTypes) > ecrapi.MaxArtifactTypes {
			return nil, listTooLong(op, "filter.artifactTypes", len(f.ArtifactTypes), ecrapi.MaxArtifactTypes)
		}
		for i, t := range f.ArtifactTypes {
			if t == "" || len(t) > ecrapi.MaxArtifactTypeBytes {
				return nil, invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%s' at 'filter.artifactTypes.%d.member' failed to satisfy constraint: Member must have length between 1 and %d", t, i+1, ecrapi.MaxArtifactTypeBytes))
			}
		}
		switch f.ArtifactStatus {
		case "", "ACTIVE", "ANY", "ARCHIVED", "ACTIVATING":
		default:
			return nil, invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%s' at 'filter.artifactStatus' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]", f.ArtifactStatus))
		}
		types = f.ArtifactTypes
		if f.ArtifactStatus == "ARCHIVED" || f.ArtifactStatus == "ACTIVATING" {
			return &ecrapi.ListImageReferrersResponse{Referrers: []ecrapi.ImageReferrer{}}, nil // nothing is archived
		}
	}
	size, err := pageSize(op, req.MaxResults, ecrapi.MaxReferrersPageSize, ecrapi.MaxReferrersPageSize)
	if err != nil {
		return nil, err
	}
	if err := checkDigest("subjectId.imageDigest", req.SubjectID.ImageDigest); err != nil {
		return nil, err
	}
	_, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	all := repo.referrers(req.SubjectID.ImageDigest, types, w.clock.Now())
	page, next, err := paginate(all, func(d ocispec.Descriptor) string { return string(d.Digest) }, req.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &ecrapi.ListImageReferrersResponse{Referrers: make([]ecrapi.ImageReferrer, 0, len(page)), NextToken: next}
	for _, d := range page {
		out.Referrers = append(out.Referrers, ecrapi.ImageReferrer{
			Digest: string(d.Digest), MediaType: d.MediaType, ArtifactType: d.ArtifactType,
			Size: d.Size, Annotations: d.Annotations, ArtifactStatus: "ACTIVE",
		})
	}
	return out, nil
}
