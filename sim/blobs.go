package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"
)

// Limits of layer uploads (InitiateLayerUpload and the registry protocol's blob uploads).
// Uploads in progress live in temporary files; the layers they complete live in the
// store's blob area.
const (
	// DefaultMaxUploads bounds the uploads in progress at once (Limits.Uploads);
	// InitiateLayerUpload beyond it raises LimitExceededException.
	DefaultMaxUploads = 256
	// DefaultMaxUploadBytes bounds one upload (Limits.UploadBytes): ECR's largest layer is
	// 52,000 MiB.
	DefaultMaxUploadBytes = 52000 << 20

	// MaxUploadIdle is how long an upload may go without receiving bytes before it may be
	// dropped to make room for a new one.
	MaxUploadIdle = 15 * time.Minute
)

// ErrDigestMismatch reports upload content whose digest is not the one it is completed with.
var errDigestMismatch = errors.New("content does not match digest")

// uploadFile receives the bytes of one upload in a temporary file, hashing them as they
// come, so that an upload of any size costs constant memory.
type uploadFile struct {
	f    *os.File
	h    hash.Hash
	size int64
}

// newUploadFile creates the temporary file of an upload in dir ("" for the system's
// temporary directory).
func newUploadFile(dir string) (*uploadFile, error) {
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("starting an upload: %w", err)
	}
	return &uploadFile{f: f, h: sha256.New()}, nil
}

func (u *uploadFile) Write(p []byte) (int, error) {
	n, err := u.f.Write(p)
	u.h.Write(p[:n])
	u.size += int64(n)
	return n, err
}

func (u *uploadFile) digest() string { return "sha256:" + hex.EncodeToString(u.h.Sum(nil)) }

// verify checks the content against digest.
func (u *uploadFile) verify(digest string) error {
	if got := u.digest(); got != digest {
		return fmt.Errorf("%w: the content's digest is %s, not %s", errDigestMismatch, got, digest)
	}
	return nil
}

// reader rewinds the file for reading it whole.
func (u *uploadFile) reader() (io.Reader, error) {
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.LimitReader(u.f, u.size), nil
}

// remove deletes the temporary file.
func (u *uploadFile) remove() {
	u.f.Close()
	os.Remove(u.f.Name())
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validDigest reports whether d is a digest the simulator stores: sha256 and 64 lower-case
// hex digits (ECR's LayerDigest pattern admits others, which it cannot store either).
func validDigest(d string) bool {
	h, ok := strings.CutPrefix(d, "sha256:")
	return ok && len(h) == 64 && isLowerHex(h)
}
