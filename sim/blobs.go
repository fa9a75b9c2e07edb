package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Limits of blobs (layers and configs) and of uploads in progress.
const (
	// MaxBlobBytes bounds one blob: ECR's largest layer is 52,000 MiB.
	MaxBlobBytes = 52000 << 20
	// MaxLayerPartBytes bounds one UploadLayerPart (the model's LayerPartBlob maximum).
	MaxLayerPartBytes = 20971520
	// MaxOpenUploads bounds the uploads a world keeps open at once; InitiateLayerUpload
	// beyond it raises LimitExceededException.
	MaxOpenUploads = 1024
	// MaxUploadIdle is how long an upload may go without receiving bytes before it may be
	// dropped to make room for a new one.
	MaxUploadIdle = 15 * time.Minute
)

// BlobStore keeps blob bytes by digest, content-addressed and shared by every repository of
// a world; which repository holds which blob is the world's business. Implementations are
// safe for concurrent use and stream: no method holds a whole blob in memory unless the
// store itself is in memory.
type BlobStore interface {
	// Create starts writing a blob whose digest is known only when it is committed.
	Create() (BlobWriter, error)
	// Open returns the blob's content and size, or an error wrapping ErrBlobUnknown.
	Open(digest string) (io.ReadCloser, int64, error)
	// Stat returns the blob's size and whether the store has it.
	Stat(digest string) (int64, bool)
	// Delete removes the blob; deleting a blob the store does not have is not an error.
	Delete(digest string) error
}

// BlobWriter receives the bytes of one blob. Commit stores them under digest only when digest
// is the sha256 digest of what was written; otherwise nothing is stored and the error wraps
// ErrDigestMismatch. A writer that is not committed must be aborted.
type BlobWriter interface {
	io.Writer
	Size() int64
	Digest() string
	Commit(digest string) error
	Abort()
}

// Errors of blob stores.
var (
	ErrBlobUnknown    = errors.New("blob unknown")
	ErrDigestMismatch = errors.New("content does not match digest")
)

// PutBlob writes r to the store and commits it under digest, verifying it; it never stores
// more than limit bytes.
func PutBlob(s BlobStore, digest string, r io.Reader, limit int64) (int64, error) {
	bw, err := s.Create()
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(bw, io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("blob larger than %d bytes", limit)
	}
	if err == nil {
		err = bw.Commit(digest)
	} else {
		bw.Abort()
	}
	return n, err
}

// hashingWriter tracks the size and sha256 of what a BlobWriter receives.
type hashingWriter struct {
	h    hash.Hash
	size int64
}

func newHashingWriter() hashingWriter { return hashingWriter{h: sha256.New()} }

func (w *hashingWriter) add(p []byte) { w.h.Write(p); w.size += int64(len(p)) }

func (w *hashingWriter) digest() string { return "sha256:" + hex.EncodeToString(w.h.Sum(nil)) }

func (w *hashingWriter) verify(digest string) error {
	if got := w.digest(); got != digest {
		return fmt.Errorf("%w: the content's digest is %s, not %s", ErrDigestMismatch, got, digest)
	}
	return nil
}

// MemoryBlobStore keeps blobs in memory: the default store of a world, fit for tests and
// small images.
type MemoryBlobStore struct {
	mu    sync.Mutex
	blobs map[string][]byte
}

// NewMemoryBlobStore returns an empty in-memory store.
func NewMemoryBlobStore() *MemoryBlobStore { return &MemoryBlobStore{blobs: map[string][]byte{}} }

type memWriter struct {
	s *MemoryBlobStore
	hashingWriter
	buf bytes.Buffer
}

// Create starts a blob.
func (s *MemoryBlobStore) Create() (BlobWriter, error) {
	return &memWriter{s: s, hashingWriter: newHashingWriter()}, nil
}

func (w *memWriter) Write(p []byte) (int, error) { w.add(p); return w.buf.Write(p) }
func (w *memWriter) Size() int64                 { return w.size }
func (w *memWriter) Digest() string              { return w.digest() }
func (w *memWriter) Abort()                      { w.buf = bytes.Buffer{} }
func (w *memWriter) Commit(digest string) error {
	if err := w.verify(digest); err != nil {
		return err
	}
	w.s.mu.Lock()
	w.s.blobs[digest] = w.buf.Bytes()
	w.s.mu.Unlock()
	return nil
}

// Open returns the blob's content.
func (s *MemoryBlobStore) Open(digest string) (io.ReadCloser, int64, error) {
	s.mu.Lock()
	b, ok := s.blobs[digest]
	s.mu.Unlock()
	if !ok {
		return nil, 0, fmt.Errorf("%w: %s", ErrBlobUnknown, digest)
	}
	return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
}

// Stat returns the blob's size.
func (s *MemoryBlobStore) Stat(digest string) (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[digest]
	return int64(len(b)), ok
}

// Delete removes the blob.
func (s *MemoryBlobStore) Delete(digest string) error {
	s.mu.Lock()
	delete(s.blobs, digest)
	s.mu.Unlock()
	return nil
}

// DirBlobStore keeps each blob in a file of a directory, named by its digest; uploads stream
// to a temporary file there, so a blob of any size costs constant memory.
type DirBlobStore struct{ dir string }

// NewDirBlobStore returns a store in dir, creating it (its parent must exist).
func NewDirBlobStore(dir string) (*DirBlobStore, error) {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &DirBlobStore{dir: dir}, nil
}

// path returns the file of a digest, or "" for a digest that is not a safe file name.
func (s *DirBlobStore) path(digest string) string {
	alg, hexPart, ok := strings.Cut(digest, ":")
	if !ok || alg != "sha256" || len(hexPart) != 64 || !isLowerHex(hexPart) {
		return ""
	}
	return filepath.Join(s.dir, "sha256-"+hexPart)
}

type fileWriter struct {
	s *DirBlobStore
	hashingWriter
	f *os.File
}

// Create starts a blob in a temporary file.
func (s *DirBlobStore) Create() (BlobWriter, error) {
	f, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return &fileWriter{s: s, hashingWriter: newHashingWriter(), f: f}, nil
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.add(p[:n])
	return n, err
}
func (w *fileWriter) Size() int64    { return w.size }
func (w *fileWriter) Digest() string { return w.digest() }
func (w *fileWriter) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}
func (w *fileWriter) Commit(digest string) error {
	if err := w.verify(digest); err != nil {
		w.Abort()
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return fmt.Errorf("blob store: %w", err)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("blob store: %w", err)
	}
	if err := os.Rename(w.f.Name(), w.s.path(digest)); err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("blob store: %w", err)
	}
	return syncDir(w.s.dir) // the new name survives a crash
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob store: %w", err)
	}
	return nil
}

// Open returns the blob's file.
func (s *DirBlobStore) Open(digest string) (io.ReadCloser, int64, error) {
	p := s.path(digest)
	if p == "" {
		return nil, 0, fmt.Errorf("%w: %s", ErrBlobUnknown, digest)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s", ErrBlobUnknown, digest)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// Stat returns the blob's size.
func (s *DirBlobStore) Stat(digest string) (int64, bool) {
	p := s.path(digest)
	if p == "" {
		return 0, false
	}
	fi, err := os.Stat(p)
	if err != nil {
		return 0, false
	}
	return fi.Size(), true
}

// Delete removes the blob's file.
func (s *DirBlobStore) Delete(digest string) error {
	p := s.path(digest)
	if p == "" {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
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
