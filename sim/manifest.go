package sim

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	manifestjson "github.com/ecrsign/ecrsign/internal/manifest"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func knownMediaType(t string) bool {
	switch t {
	case ecrapi.MediaTypeOCIManifest, ecrapi.MediaTypeOCIIndex, ecrapi.MediaTypeDockerManifest, ecrapi.MediaTypeDockerList,
		ecrapi.MediaTypeDockerSchema1, ecrapi.MediaTypeDockerSchema1JWS:
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
func parsePush(op string, req *ecrapi.PutImageRequest) (manifestInfo, error) {
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
	case n > ecrapi.MaxManifestBytes:
		vs = append(vs, rules.Violation{Path: "imageManifest", Value: fmt.Sprintf("(%d bytes)", n), Constraint: "Member must have length less than or equal to " + strconv.Itoa(ecrapi.MaxManifestBytes)})
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
		return info, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax': " + err.Error()}
	}
	info.mediaType = req.ImageManifestMediaType
	switch {
	case info.mediaType == "" && m.MediaType == "":
		return info, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'the manifest has no mediaType member, so imageManifestMediaType must be given'"}
	case info.mediaType == "":
		info.mediaType = m.MediaType
	case m.MediaType != "" && m.MediaType != info.mediaType:
		return info, newError(ecrapi.InvalidParameterException, "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType %q differs from the manifest's mediaType %q'", info.mediaType, m.MediaType)
	}
	if !knownMediaType(info.mediaType) {
		return info, newError(ecrapi.InvalidParameterException, "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'unsupported media type %q'", info.mediaType)
	}
	if len(m.Manifests) > MaxIndexManifests {
		return info, newError(ecrapi.InvalidParameterException, "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'an image index may reference at most %d manifests'", MaxIndexManifests)
	}
	if info.mediaType == ecrapi.MediaTypeOCIIndex || info.mediaType == ecrapi.MediaTypeDockerList {
		info.children = m.Manifests
	}
	info.referrer = m.Subject
	info.digest = ecrapi.Digest(req.ImageManifest)
	if req.ImageDigest != "" && req.ImageDigest != info.digest {
		return info, newError(ecrapi.ImageDigestDoesNotMatchException, "Provided digest '%s' does not match the digest of the manifest '%s'", req.ImageDigest, info.digest)
	}
	return info, nil
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
	if len(tag) <= ecrapi.MaxImageTagLen || utf8.RuneCountInString(tag) <= ecrapi.MaxImageTagLen {
		return nil
	}
	return []rules.Violation{{Path: path, Value: tag, Constraint: "Member must have length less than or equal to " + strconv.Itoa(ecrapi.MaxImageTagLen)}}
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
