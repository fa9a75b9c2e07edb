package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func blobDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestBlobs: put, stat, get and delete, in a world with a store and one in memory.
func TestBlobs(t *testing.T) {
	worlds := map[string]func(t *testing.T) *World{
		"store":  func(t *testing.T) *World { return openTest(t, "") },
		"memory": func(*testing.T) *World { return New() },
	}
	for name, world := range worlds {
		t.Run(name, func(t *testing.T) {
			w := world(t)
			content := make([]byte, 3*blobChunkBytes+17) // chunks and a partial one
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range content {
				content[i] = byte(rng.Uint32())
			}
			d := blobDigest(content)
			if _, err := w.StatBlob(d); !errors.Is(err, errBlobNotFound) {
				t.Fatalf("stat before put: %v", err)
			}
			info := must(w.putBlob(d, bytes.NewReader(content)))(t)
			if info.Size != int64(len(content)) {
				t.Fatalf("put: %+v", info)
			}
			must(w.putBlob(d, bytes.NewReader(content)))(t) // again: kept as it is
			if got := must(w.StatBlob(d))(t); got != info {
				t.Fatalf("stat: %+v", got)
			}
			r, _ := must3(w.readBlob(d))(t)
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, content) {
				t.Fatalf("get: %d bytes, %v", len(got), err)
			}
			if err := w.deleteBlob(d); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.readBlob(d); !errors.Is(err, errBlobNotFound) {
				t.Fatalf("get after delete: %v", err)
			}
			if err := w.deleteBlob(d); !errors.Is(err, errBlobNotFound) {
				t.Fatalf("delete twice: %v", err)
			}
			// Content that is not what its digest says is refused and not stored.
			_, err = w.putBlob(blobDigest([]byte("other")), bytes.NewReader(content))
			var mismatch *blobDigestMismatchError
			if !errors.As(err, &mismatch) || mismatch.Got != d {
				t.Fatalf("put under another digest: %v", err)
			}
			if _, err := w.StatBlob(blobDigest([]byte("other"))); !errors.Is(err, errBlobNotFound) {
				t.Fatalf("a refused blob is there: %v", err)
			}
			if _, err := w.putBlob("md5:abc", bytes.NewReader(nil)); !errors.Is(err, errBlobDigestInvalid) {
				t.Fatalf("bad digest: %v", err)
			}
		})
	}
}

func must3[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return a, b
	}
}

// patternReader yields n bytes of a pattern, checking the heap as it goes.
type patternReader struct {
	left, maxHeap uint64
	reads         int
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := min(uint64(len(p)), r.left)
	for i := range p[:n] {
		p[i] = byte(i)
	}
	r.left -= n
	if r.reads++; r.reads%64 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.maxHeap = max(r.maxHeap, ms.HeapAlloc)
	}
	return int(n), nil
}

// TestBlobStreams: a blob far larger than a chunk goes through a put and a get without
// being held in memory: the heap stays within a few chunks of where it started.
func TestBlobStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 96 MiB")
	}
	const size = 96 << 20
	w := openTest(t, "")
	h := sha256.New()
	io.Copy(h, &patternReader{left: size})
	d := "sha256:" + hex.EncodeToString(h.Sum(nil))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	src := &patternReader{left: size}
	must(w.putBlob(d, src))(t)
	r, _ := must3(w.readBlob(d))(t)
	check := &patternReader{}
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if check.reads++; check.reads%256 == 0 {
			runtime.ReadMemStats(&ms)
			check.maxHeap = max(check.maxHeap, ms.HeapAlloc)
		}
	}
	if n != size {
		t.Fatalf("read %d bytes of %d", n, size)
	}
	const bound = 48 << 20 // a few chunks and the garbage they leave, not the blob
	for what, peak := range map[string]uint64{"put": src.maxHeap, "get": check.maxHeap} {
		if peak > base+bound {
			t.Errorf("%s of a %d MiB blob: heap grew by %d MiB", what, size>>20, (peak-base)>>20)
		}
	}
}

// TestBlobLeftoversCollected: chunks a crash left behind (a put that never wrote its
// record) are deleted when the store is opened again.
func TestBlobLeftoversCollected(t *testing.T) {
	w := openTest(t, "")
	content := bytes.Repeat([]byte("kept"), 1000)
	must(w.putBlob(blobDigest(content), bytes.NewReader(content)))(t)
	w.store.db.Update(func(tx *bolt.Tx) error { // an interrupted put's chunks
		b := tx.Bucket(bucketBlobChunks)
		id, _ := b.NextSequence()
		return b.Put(chunkKey(id, 0), []byte("orphan"))
	})
	w = reopen(t, w)
	chunks := 0
	w.store.db.View(func(tx *bolt.Tx) error {
		chunks = tx.Bucket(bucketBlobChunks).Stats().KeyN
		return nil
	})
	if chunks != 1 {
		t.Fatalf("%d chunks after reopening, want the kept blob's 1", chunks)
	}
	r, _ := must3(w.readBlob(blobDigest(content)))(t)
	if got, _ := io.ReadAll(r); !bytes.Equal(got, content) {
		t.Fatal("the kept blob changed")
	}
}
