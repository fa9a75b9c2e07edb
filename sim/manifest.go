package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"

	manifestjson "github.com/ecrsign/ecrsign/internal/manifest"
	"github.com/ecrsign/ecrsign/rules"
)

// Manifest media types ECR accepts.
const (
	MediaTypeOCIManifest      = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeOCIIndex         = "application/vnd.oci.image.index.v1+json"
	MediaTypeDockerManifest   = "application/vnd.docker.distribution.manifest.v2+json"
	MediaTypeDockerList       = "application/vnd.docker.distribution.manifest.list.v2+json"
	MediaTypeDockerSchema1    = "application/vnd.docker.distribution.manifest.v1+json"
	MediaTypeDockerSchema1JWS = "application/vnd.docker.distribution.manifest.v1+prettyjws"
)

// Limits of PutImage members, from the ECR API model (ImageManifest, ImageTag).
const (
	MaxManifestBytes = 4194304
	MaxImageTagLen   = 300
)

func knownMediaType(t string) bool {
	switch t {
	case MediaTypeOCIManifest, MediaTypeOCIIndex, MediaTypeDockerManifest, MediaTypeDockerList,
		MediaTypeDockerSchema1, MediaTypeDockerSchema1JWS:
		return true
	}
	return false
}

// manifestInfo is what a push needs to know of a manifest.
type manifestInfo struct {
	digest    string
	mediaType string
	// referrer is set for an artifact with a subject (a signature, an SBOM, an attestation):
	// ECR does not sign it ("Signatures cannot be signed").
	referrer bool
	// children are the digests an image index references.
	children []string
}

// MaxIndexManifests bounds how many manifests an image index may reference.
const MaxIndexManifests = 1000

// parsePush checks the members of a PutImage request that do not depend on the world and
// reads the manifest. op names the operation for the exception it raises.
func parsePush(op string, req *PutImageRequest) (manifestInfo, error) {
	var info manifestInfo
	if req == nil {
		return info, invalidRequest(op, "2 validation errors detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null; Value null at 'imageManifest' failed to satisfy constraint: Member must not be null")
	}
	var vs []rules.Violation
	if req.RepositoryName == "" {
		vs = append(vs, prefixViolations("repositoryName", rules.CheckRepositoryName(req.RepositoryName))...)
	}
	switch n := len(req.ImageManifest); {
	case n == 0:
		vs = append(vs, rules.Violation{Path: "imageManifest", Value: "null", Constraint: "Member must not be null"})
	case n > MaxManifestBytes:
		vs = append(vs, rules.Violation{Path: "imageManifest", Value: fmt.Sprintf("(%d bytes)", n), Constraint: "Member must have length less than or equal to " + strconv.Itoa(MaxManifestBytes)})
	}
	vs = append(vs, imageTagViolations("imageTag", req.ImageTag)...)
	if len(vs) > 0 {
		return info, invalidRequest(op, rules.FormatViolations("", vs))
	}
	if err := checkRepositoryMembers(op, req.RegistryID, req.RepositoryName); err != nil {
		return info, err
	}

	m, err := manifestjson.Read(req.ImageManifest)
	if err != nil {
		return info, &Error{Code: InvalidParameterException, Message: "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax': " + err.Error()}
	}
	info.mediaType = req.ImageManifestMediaType
	switch {
	case info.mediaType == "" && m.MediaType == "":
		return info, &Error{Code: InvalidParameterException, Message: "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'the manifest has no mediaType member, so imageManifestMediaType must be given'"}
	case info.mediaType == "":
		info.mediaType = m.MediaType
	case m.MediaType != "" && m.MediaType != info.mediaType:
		return info, newError(InvalidParameterException, "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType %q differs from the manifest's mediaType %q'", info.mediaType, m.MediaType)
	}
	if !knownMediaType(info.mediaType) {
		return info, newError(InvalidParameterException, "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'unsupported media type %q'", info.mediaType)
	}
	if len(m.Manifests) > MaxIndexManifests {
		return info, newError(InvalidParameterException, "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'an image index may reference at most %d manifests'", MaxIndexManifests)
	}
	if info.mediaType == MediaTypeOCIIndex || info.mediaType == MediaTypeDockerList {
		info.children = m.Manifests
	}
	info.referrer = m.Subject
	info.digest = Digest(req.ImageManifest)
	if req.ImageDigest != "" && req.ImageDigest != info.digest {
		return info, newError(ImageDigestDoesNotMatchException, "Provided digest '%s' does not match the digest of the manifest '%s'", req.ImageDigest, info.digest)
	}
	return info, nil
}

// Digest returns the digest ECR gives a manifest: "sha256:" and the hex SHA-256 of its bytes.
func Digest(manifest string) string {
	const prefix = "sha256:"
	// sha256 only reads its input, so it may see the string's bytes without the copy a
	// conversion to []byte would make of a manifest of up to 4 MiB
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(manifest), len(manifest)))
	var b [len(prefix) + 2*sha256.Size]byte
	copy(b[:], prefix)
	hex.Encode(b[len(prefix):], sum[:])
	return string(b[:])
}

// prefixViolations puts member in front of each violation's path.
func prefixViolations(member string, vs []rules.Violation) []rules.Violation {
	for i := range vs {
		if vs[i].Path == "" {
			vs[i].Path = member
		} else {
			vs[i].Path = member + "." + vs[i].Path
		}
	}
	return vs
}

// imageTagViolations checks an optional image tag member at path (ImageTag shape: at most
// MaxImageTagLen characters; empty is absent).
func imageTagViolations(path, tag string) []rules.Violation {
	if len(tag) <= MaxImageTagLen || utf8.RuneCountInString(tag) <= MaxImageTagLen {
		return nil
	}
	return []rules.Violation{{Path: path, Value: tag, Constraint: "Member must have length less than or equal to " + strconv.Itoa(MaxImageTagLen)}}
}

func validRegistryID(id string) bool {
	if len(id) != 12 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

func validRegion(r string) bool {
	if len(r) < rules.MinRegionLength || len(r) > rules.MaxRegionLength {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
