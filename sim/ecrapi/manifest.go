package ecrapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unsafe"
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

// Manifest is a stored manifest as the registry protocol serves it.
type Manifest struct {
	Digest    string
	MediaType string
	Content   string
}

// String describes a manifest for logs.
func (m *Manifest) String() string {
	return fmt.Sprintf("%s (%s, %d bytes)", m.Digest, m.MediaType, len(m.Content))
}
