package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	bolt "go.etcd.io/bbolt"
)

// Sizes of the blob area: a blob is stored in chunks of BlobChunkBytes, blobTxChunks chunks
// to a transaction, so that neither a put nor a get ever holds more than a few MiB of a
// blob in memory, however large the blob.
const (
	blobChunkBytes = 1 << 20
	blobTxChunks   = 8
)

// Errors of the blob area.
var (
	errBlobNotFound      = errors.New("blob not found")
	errBlobDigestInvalid = errors.New("blob digest is not sha256:<64 lowercase hex digits>")
)

// BlobDigestMismatchError reports content whose sha256 digest is not the one it was put as.
type blobDigestMismatchError struct{ Want, Got string }

func (e *blobDigestMismatchError) Error() string {
	return fmt.Sprintf("blob content has digest %s, not %s", e.Got, e.Want)
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Digest string
	Size   int64
}

// blobRecord is the store's record of a blob: where its chunks are.
type blobRecord struct {
	Size   int64  `json:"size"`
	Chunks uint64 `json:"chunks"`
	ID     uint64 `json:"id"` // the chunks' keys are ID then the chunk's index, big endian
}

// memBlobs holds the blobs of a world without a store.
type memBlobs struct {
	mu    sync.Mutex
	blobs map[string][]byte
	bytes int64
}

func validBlobDigest(d string) bool {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range hexPart {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// PutBlob stores the content read from r as the blob digest ("sha256:<hex>"), content
// addressed: the content is hashed as it is read, and refused with a
// *BlobDigestMismatchError, storing nothing, when its digest differs. A world with a store
// writes the content in chunks as it reads it and makes the blob visible only once all of
// it is durable; a blob already stored is kept as it is. Limits.StoreBytes bounds what the
// blob area holds.
func (w *World) putBlob(digest string, r io.Reader) (BlobInfo, error) {
	if !validBlobDigest(digest) {
		return BlobInfo{}, errBlobDigestInvalid
	}
	if w.store == nil {
		return w.putMemBlob(digest, r)
	}
	return w.store.putBlob(digest, r, w.limits.StoreBytes)
}

func (s *store) putBlob(digest string, r io.Reader, maxStore int64) (info BlobInfo, err error) {
	var id uint64
	if err := s.db.Update(func(tx *bolt.Tx) (err error) {
		id, err = tx.Bucket(bucketBlobChunks).NextSequence()
		return err
	}); err != nil {
		return info, fmt.Errorf("blob %s: %w", digest, err)
	}
	var written uint64
	defer func() {
		if err != nil {
			s.deleteChunks(id, written) // an interrupted put leaves nothing; a crash's leftovers go at Open
		}
	}()
	h := sha256.New()
	buf := make([]byte, blobChunkBytes)
	var size int64
	for done := false; !done; {
		var chunks [][]byte
		for len(chunks) < blobTxChunks {
			n, rerr := io.ReadFull(r, buf)
			if n > 0 {
				h.Write(buf[:n])
				chunks = append(chunks, bytes.Clone(buf[:n]))
				size += int64(n)
			}
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				done = true
				break
			}
			if rerr != nil {
				return info, fmt.Errorf("blob %s: reading the content: %w", digest, rerr)
			}
		}
		if maxStore > 0 && s.size.Load()+int64(len(chunks))*blobChunkBytes > maxStore {
			return info, limitExceeded(ecrapi.OpPutImage, "The store holds %d bytes; blob %s would take it past its limit of %d bytes (ecrsign serve --max-store-bytes)", s.size.Load(), digest, maxStore)
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketBlobChunks)
			for i, c := range chunks {
				if err := b.Put(chunkKey(id, written+uint64(i)), c); err != nil {
					return err
				}
			}
			s.size.Store(tx.Size())
			return nil
		})
		if err != nil {
			return info, fmt.Errorf("blob %s: %w", digest, err)
		}
		written += uint64(len(chunks))
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != digest {
		return info, &blobDigestMismatchError{Want: digest, Got: got}
	}
	rec, _ := json.Marshal(blobRecord{Size: size, Chunks: written, ID: id})
	exists := false
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs)
		if exists = b.Get([]byte(digest)) != nil; exists {
			return nil
		}
		return b.Put([]byte(digest), rec)
	})
	if err != nil {
		return info, fmt.Errorf("blob %s: %w", digest, err)
	}
	if exists {
		s.deleteChunks(id, written)
	}
	return BlobInfo{Digest: digest, Size: size}, nil
}

func chunkKey(id, index uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, id), index)
}

// deleteChunks deletes n chunks of blob id, a transaction per blobTxChunks*8 chunks.
func (s *store) deleteChunks(id, n uint64) error {
	for from := uint64(0); from < n; from += blobTxChunks * 8 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketBlobChunks)
			for i := from; i < min(n, from+blobTxChunks*8); i++ {
				if err := b.Delete(chunkKey(id, i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// collectBlobGarbage deletes the chunks no blob record names: those of puts a crash
// interrupted; called by Open.
func (s *store) collectBlobGarbage() error {
	live := map[uint64]bool{}
	var orphans [][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketBlobs).ForEach(func(k, v []byte) error {
			var rec blobRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("blob record %s: %w", k, err)
			}
			live[rec.ID] = true
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(bucketBlobChunks).ForEach(func(k, _ []byte) error {
			if len(k) == 16 && !live[binary.BigEndian.Uint64(k)] {
				orphans = append(orphans, bytes.Clone(k))
			}
			return nil
		})
	})
	if err != nil || len(orphans) == 0 {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobChunks)
		for _, k := range orphans {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// StatBlob returns the size of a stored blob, or ErrBlobNotFound.
func (w *World) StatBlob(digest string) (BlobInfo, error) {
	if w.store == nil {
		return w.statMemBlob(digest)
	}
	rec, err := w.store.blobRecord(digest)
	if err != nil {
		return BlobInfo{}, err
	}
	return BlobInfo{Digest: digest, Size: rec.Size}, nil
}

func (s *store) blobRecord(digest string) (blobRecord, error) {
	var rec blobRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBlobs).Get([]byte(digest))
		if v == nil {
			return fmt.Errorf("%w: %s", errBlobNotFound, digest)
		}
		return json.Unmarshal(v, &rec)
	})
	return rec, err
}

// Blob returns a reader of a stored blob's content, which holds one chunk in memory at a
// time, or ErrBlobNotFound. A blob deleted while it is read ends the read with an error.
func (w *World) readBlob(digest string) (io.ReadCloser, BlobInfo, error) {
	if w.store == nil {
		return w.memBlob(digest)
	}
	rec, err := w.store.blobRecord(digest)
	if err != nil {
		return nil, BlobInfo{}, err
	}
	return &blobReader{s: w.store, digest: digest, rec: rec}, BlobInfo{Digest: digest, Size: rec.Size}, nil
}

type blobReader struct {
	s      *store
	digest string
	rec    blobRecord
	next   uint64 // the next chunk to read
	chunk  []byte // what is left of the chunk read last
}

func (r *blobReader) Read(p []byte) (int, error) {
	for len(r.chunk) == 0 {
		if r.next == r.rec.Chunks {
			return 0, io.EOF
		}
		err := r.s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketBlobChunks).Get(chunkKey(r.rec.ID, r.next))
			if c == nil {
				return fmt.Errorf("blob %s: chunk %d is gone (deleted while read?): %w", r.digest, r.next, io.ErrUnexpectedEOF)
			}
			r.chunk = append(r.chunk[:0], c...)
			return nil
		})
		if err != nil {
			return 0, err
		}
		r.next++
	}
	n := copy(p, r.chunk)
	r.chunk = r.chunk[n:]
	return n, nil
}

func (r *blobReader) Close() error { r.chunk = nil; return nil }

// DeleteBlob deletes a stored blob, or returns ErrBlobNotFound. Readers already open fail.
func (w *World) deleteBlob(digest string) error {
	if w.store == nil {
		return w.deleteMemBlob(digest)
	}
	rec, err := w.store.blobRecord(digest)
	if err != nil {
		return err
	}
	err = w.store.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketBlobs).Delete([]byte(digest)) })
	if err != nil {
		return fmt.Errorf("blob %s: %w", digest, err)
	}
	return w.store.deleteChunks(rec.ID, rec.Chunks) // what a crash leaves here goes at Open
}

// The blob area of a world without a store, in memory.

func (w *World) mem() *memBlobs {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.memBlobs == nil {
		w.memBlobs = &memBlobs{blobs: map[string][]byte{}}
	}
	return w.memBlobs
}

func (w *World) putMemBlob(digest string, r io.Reader) (BlobInfo, error) {
	max := w.limits.StoreBytes
	m := w.mem()
	h := sha256.New()
	lr := r
	if max > 0 {
		lr = io.LimitReader(r, max+1)
	}
	data, err := io.ReadAll(io.TeeReader(lr, h))
	if err != nil {
		return BlobInfo{}, fmt.Errorf("blob %s: reading the content: %w", digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != digest {
		return BlobInfo{}, &blobDigestMismatchError{Want: digest, Got: got}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[digest]; !ok {
		if max > 0 && m.bytes+int64(len(data)) > max {
			return BlobInfo{}, limitExceeded(ecrapi.OpPutImage, "The blobs in memory hold %d bytes; blob %s would take them past the limit of %d bytes", m.bytes, digest, max)
		}
		m.blobs[digest] = data
		m.bytes += int64(len(data))
	}
	return BlobInfo{Digest: digest, Size: int64(len(data))}, nil
}

func (w *World) statMemBlob(digest string) (BlobInfo, error) {
	m := w.mem()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[digest]
	if !ok {
		return BlobInfo{}, fmt.Errorf("%w: %s", errBlobNotFound, digest)
	}
	return BlobInfo{Digest: digest, Size: int64(len(b))}, nil
}

func (w *World) memBlob(digest string) (io.ReadCloser, BlobInfo, error) {
	m := w.mem()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[digest]
	if !ok {
		return nil, BlobInfo{}, fmt.Errorf("%w: %s", errBlobNotFound, digest)
	}
	return io.NopCloser(bytes.NewReader(b)), BlobInfo{Digest: digest, Size: int64(len(b))}, nil
}

func (w *World) deleteMemBlob(digest string) error {
	m := w.mem()
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.blobs[digest]
	if !ok {
		return fmt.Errorf("%w: %s", errBlobNotFound, digest)
	}
	delete(m.blobs, digest)
	m.bytes -= int64(len(b))
	return nil
}
