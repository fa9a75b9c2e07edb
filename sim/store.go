package sim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// storeFormat names the layout of the store's buckets and records (see the package
// documentation). A store of another format is refused, never misread.
const storeFormat = "ecrsign-store/1"

// DefaultLockTimeout is how long [Open] waits for another process to release the store.
const DefaultLockTimeout = 2 * time.Second

// batchSize bounds the changes one commit holds. Group commit: one transaction is written
// and fsynced at a time; the changes that arrive meanwhile gather for the next, which starts
// as soon as it ends (no timer: a lone change is committed at once).
const batchSize = 4096

// bulkTxBytes bounds what one transaction writes when a whole world is stored at once (a
// new store from its seed, a migration), so that no transaction holds a world in memory.
const bulkTxBytes = 16 << 20

// The buckets of the store.
var (
	bucketMeta         = []byte("meta")
	bucketRegistries   = []byte("registries")
	bucketRepositories = []byte("repositories")
	bucketImages       = []byte("images")
	bucketTags         = []byte("tags")
	bucketPendingTags  = []byte("pendingTags")
	bucketManifests    = []byte("manifests")
	bucketBlobs        = []byte("blobs")
	bucketBlobChunks   = []byte("blobChunks")
	bucketLayers       = []byte("layers")
	allBuckets         = [][]byte{bucketMeta, bucketRegistries, bucketRepositories, bucketImages, bucketTags, bucketPendingTags, bucketManifests, bucketBlobs, bucketBlobChunks, bucketLayers}
)

// Keys of the meta bucket.
var (
	metaFormat     = []byte("format")
	metaSettings   = []byte("settings")
	metaClock      = []byte("clock")
	metaPushes     = []byte("pushes")
	metaOperations = []byte("operations")
	metaTokenKey   = []byte("tokenKey")
)

// store is the bbolt database a persistent world commits its changes to.
type store struct {
	db    *bolt.DB
	path  string
	owner string       // the file naming the process that holds the store
	size  atomic.Int64 // bytes the database uses, as of the last commit
	// commits counts the transactions that committed changes (each with its fsyncs)
	commits atomic.Uint64

	// the group commit: changes wait in queue for the committer goroutine, which wake
	// wakes (a token, so that no wake-up is lost); closed stops it once the queue is empty
	qmu     sync.Mutex
	queue   []*pendingCommit
	closed  bool
	wake    chan struct{}
	stopped chan struct{}
}

// pendingCommit is a change waiting for its commit, and where its result goes.
type pendingCommit struct {
	ch   *change
	done chan error
}

// StoreCommits returns how many transactions the world's store has committed since it was
// opened, each holding the changes of one or more operations and fsynced (group commit);
// 0 for a world without a store. Benchmarks divide it by the operations acknowledged.
func (w *World) StoreCommits() uint64 {
	w.mu.Lock()
	s := w.store
	w.mu.Unlock()
	if s == nil {
		return 0
	}
	return s.commits.Load()
}

// LockedError reports a store that another process holds.
type LockedError struct {
	Path   string
	Holder string // what the holder recorded: "pid N (since T)", or why it is not known
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("state file %s is in use by another ecrsign serve (%s): stop that process or choose another state file", e.Path, e.Holder)
}

// StateError reports a state file that cannot be used: unreadable, corrupt, or of another
// format. The file is left as it is.
type StateError struct {
	Path string
	Err  error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("state file %s: %v; the file was left unchanged", e.Path, e.Err)
}

func (e *StateError) Unwrap() error { return e.Err }

// storeConfig is how Open opens a store.
type storeConfig struct {
	seed        func() (*World, error)
	lockTimeout time.Duration
	noSync      bool
	opts        []Option
}

// WithSeed gives the world a new store starts from (default: [New]); it is not called when
// the store exists.
func WithSeed(seed func() (*World, error)) Option {
	return Option{store: func(c *storeConfig) { c.seed = seed }}
}

// WithLockTimeout sets how long Open waits for another process to release the store
// (default [DefaultLockTimeout]).
func WithLockTimeout(d time.Duration) Option {
	return Option{store: func(c *storeConfig) { c.lockTimeout = d }}
}

// WithoutSync turns off fsync: faster, and an acknowledged change may be lost in a crash of
// the machine (not of the process). For benchmarks that measure everything but the disk.
func WithoutSync() Option { return Option{store: func(c *storeConfig) { c.noSync = true }} }

// Open opens the world stored at path, creating the store from the seed when the file does
// not exist, and holds it until [World.Close]: a second Open of the same file, in this
// process or another, fails with a [*LockedError] naming the holder. Every change to the
// returned world is durable before it is visible (see the package documentation). A state
// file in the JSON world file format of earlier releases is migrated: it is kept beside the
// store as path+".v0.json" and its world stored. Options of the world apply to the world
// once it is loaded, as [Load] applies them; what they change that the store holds (options,
// clock) is stored at once.
func Open(path string, opts ...Option) (*World, error) {
	cfg := storeConfig{lockTimeout: DefaultLockTimeout, seed: func() (*World, error) { return New(), nil }, opts: opts}
	for _, o := range opts {
		if o.store != nil {
			o.store(&cfg)
		}
	}
	switch kind, err := fileKind(path); {
	case err != nil:
		return nil, &StateError{Path: path, Err: err}
	case kind == kindJSON:
		if err := migrate(path); err != nil {
			return nil, err
		}
	}
	s, fresh, err := openStore(path, cfg)
	if err != nil {
		return nil, err
	}
	w, err := s.load(fresh, cfg)
	if err == nil {
		if gerr := s.collectBlobGarbage(); gerr != nil {
			w, err = nil, &StateError{Path: path, Err: gerr}
		}
	}
	if err == nil && w.uploadDir == "" {
		// uploads in progress do not survive a restart: what a crash left is removed
		w.uploadDir = uploadDir(path)
		if uerr := resetDir(w.uploadDir); uerr != nil {
			w, err = nil, &StateError{Path: path, Err: uerr}
		}
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return w, nil
}

type fileKindT int

const (
	kindMissing fileKindT = iota
	kindJSON
	kindStore
)

// fileKind tells a JSON world file (an earlier release's state file) from a store.
func fileKind(path string) (fileKindT, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return kindMissing, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var head [64]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, err
	}
	b := bytes.TrimLeft(head[:n], " \t\r\n")
	switch {
	case n == 0:
		return kindMissing, nil // what a crash while creating a store leaves: nothing was acknowledged
	case len(b) > 0 && b[0] == '{':
		return kindJSON, nil
	}
	return kindStore, nil
}

// migrate turns a JSON state file into a store: it loads the world (no size limit: the file
// was written by ecrsign), stores it in a new file, keeps the old one as path+".v0.json" and
// moves the store into place.
func migrate(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &StateError{Path: path, Err: err}
	}
	wf, err := decodeWorldFile(f, -1)
	f.Close()
	if err != nil {
		return &StateError{Path: path, Err: fmt.Errorf("a JSON state file of an earlier release that does not load (%v); convert it by hand: fix it and start `ecrsign serve --world %s --state NEW`", err, path)}
	}
	w := New()
	if err := w.apply(wf); err != nil {
		return &StateError{Path: path, Err: fmt.Errorf("a JSON state file of an earlier release that does not load (%v); fix it and start `ecrsign serve --world %s --state NEW`", err, path)}
	}
	tmp := path + ".migrating"
	os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: DefaultLockTimeout})
	if err != nil {
		return &StateError{Path: path, Err: fmt.Errorf("migrating to a store: %w", err)}
	}
	err = writeWorld(db, w)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(path, path+".v0.json")
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return &StateError{Path: path, Err: fmt.Errorf("migrating to a store: %w", err)}
	}
	return syncDir(filepath.Dir(path))
}

// openStore opens and locks the database; fresh reports that it holds no world yet.
func openStore(path string, cfg storeConfig) (*store, bool, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: cfg.lockTimeout, NoSync: cfg.noSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, false, &LockedError{Path: path, Holder: readOwner(ownerFile(path))}
	case err != nil:
		return nil, false, &StateError{Path: path, Err: err}
	}
	s := &store{db: db, path: path, owner: ownerFile(path), wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	go s.committer()
	fresh := false
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			fresh = true
		} else if f := meta.Get(metaFormat); string(f) != storeFormat {
			return fmt.Errorf("a store of format %q; this ecrsign reads %q only", f, storeFormat)
		}
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		s.size.Store(tx.Size())
		return nil
	})
	if err == nil {
		err = os.WriteFile(s.owner, fmt.Appendf(nil, "pid %d (since %s)\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339)), 0o644)
	}
	if err != nil {
		s.stopCommitter()
		db.Close()
		return nil, false, &StateError{Path: path, Err: err}
	}
	return s, fresh, nil
}

func ownerFile(path string) string { return path + ".pid" }

// uploadDir is where a world with a store keeps its uploads in progress.
func uploadDir(path string) string { return path + ".uploads" }

// resetDir empties dir, creating it if needed.
func resetDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing the uploads a crash interrupted: %w", err)
	}
	return os.Mkdir(dir, 0o700)
}

func readOwner(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "holder unknown: " + err.Error()
	}
	return strings.TrimSpace(string(b))
}

func (s *store) close() error {
	s.stopCommitter()
	os.Remove(s.owner)
	return s.db.Close()
}

// load builds the world the store holds; a fresh store is first filled from the seed.
func (s *store) load(fresh bool, cfg storeConfig) (*World, error) {
	if fresh {
		seed, err := cfg.seed()
		if err != nil {
			return nil, err
		}
		if err := writeWorld(s.db, seed); err != nil {
			return nil, &StateError{Path: s.path, Err: fmt.Errorf("storing the initial world: %w", err)}
		}
	}
	var wf *worldFile
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		wf, err = readWorldFile(tx)
		return err
	})
	if err != nil {
		return nil, &StateError{Path: s.path, Err: err}
	}
	w := New()
	if err := w.apply(wf); err != nil {
		return nil, &StateError{Path: s.path, Err: err}
	}
	applyTo(w, cfg.opts)
	w.store = s
	// what the options changed (clock, options) is stored now, so that it holds after a restart
	ch := &change{}
	if err := w.putSettings(ch); err != nil {
		return nil, err
	}
	w.putClock(ch)
	// the key of GetAuthorizationToken's passwords, so that a registry login survives a restart
	s.db.View(func(tx *bolt.Tx) error {
		if k := tx.Bucket(bucketMeta).Get(metaTokenKey); len(k) == len(w.tokenKey) {
			w.tokenKey = bytes.Clone(k)
		}
		return nil
	})
	ch.put(bucketMeta, metaTokenKey, w.tokenKey)
	s.db.View(func(tx *bolt.Tx) error { // store only what differs: a full disk still opens
		ch.records = slices.DeleteFunc(ch.records, func(r record) bool {
			return bytes.Equal(tx.Bucket(r.bucket).Get(r.key), r.value)
		})
		return nil
	})
	if len(ch.records) > 0 {
		if err := s.commit(ch); err != nil {
			return nil, &StateError{Path: s.path, Err: err}
		}
	}
	return w, nil
}

// commit makes a change durable, sharing a transaction and its fsyncs with the changes
// committed at the same time (group commit, see committer). A change that fails to commit
// is in no committed transaction.
func (s *store) commit(ch *change) error {
	p := &pendingCommit{ch: ch, done: make(chan error, 1)}
	s.qmu.Lock()
	if s.closed {
		s.qmu.Unlock()
		return bolterrors.ErrDatabaseNotOpen
	}
	s.queue = append(s.queue, p)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // the committer has a wake-up pending already
	}
	return <-p.done
}

// committer writes the queued changes, at most batchSize in one transaction, one
// transaction at a time, until the store closes. (bbolt's DB.Batch, used before, started a
// transaction every MaxBatchDelay whether or not the one before had ended, so that under
// load its batches queued behind each other's fsyncs, each holding a timer's worth of
// changes.)
func (s *store) committer() {
	defer close(s.stopped)
	for range s.wake {
		for {
			s.gather()
			s.qmu.Lock()
			n := min(len(s.queue), batchSize)
			batch := slices.Clone(s.queue[:n])
			s.queue = slices.Delete(s.queue, 0, n)
			closed := s.closed
			s.qmu.Unlock()
			if n == 0 {
				if closed {
					return
				}
				break
			}
			s.commitBatch(batch)
		}
	}
}

// gatherYields bounds how many times the committer yields before a commit.
const gatherYields = 4

// gather lets the goroutines that can run queue their changes before the committer takes
// the queue, on a process with one processor (GOMAXPROCS 1, as on one core): it yields
// while the queue grows (at most gatherYields times). Without it, such a server commits each
// change alone as soon as it is queued, before the requests that the previous commit's
// answers let in have been read: one fsync per change, more CPU per change, so fewer
// changes queued per commit (measured with the server pinned to one core: 1,193 acks/s
// without, 2,775 with). With more processors the others read and plan meanwhile.
func (s *store) gather() {
	if runtime.GOMAXPROCS(0) > 1 {
		return
	}
	for range gatherYields {
		s.qmu.Lock()
		n := len(s.queue)
		s.qmu.Unlock()
		runtime.Gosched()
		s.qmu.Lock()
		grew := len(s.queue) > n
		s.qmu.Unlock()
		if !grew {
			return
		}
	}
}

// commitBatch commits the changes of batch in one transaction. When it fails, each change
// is tried alone, so that one change that cannot be stored fails none of the others.
func (s *store) commitBatch(batch []*pendingCommit) {
	err := s.update(func(tx *bolt.Tx) error {
		for _, p := range batch {
			if err := p.ch.write(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, p := range batch {
			p.done <- s.update(p.ch.write)
		}
		return
	}
	for _, p := range batch {
		p.done <- err
	}
}

// update runs one write transaction of the committer and counts it.
func (s *store) update(write func(tx *bolt.Tx) error) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		s.size.Store(tx.Size())
		return nil
	})
	if err == nil {
		s.commits.Add(1)
	}
	return err
}

// stopCommitter ends the committer once the changes queued are committed.
func (s *store) stopCommitter() {
	s.qmu.Lock()
	s.closed = true
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	<-s.stopped
}

// Keys of the records of a registry, a repository, and an image or a tag of a repository.
func registryRecordKey(k registryKey) string { return k.account + "/" + k.region }
func repoRecordKey(k registryKey, name string) string {
	return k.account + "/" + k.region + "/" + name
}
func inRepoKey(k registryKey, name, item string) string {
	return repoRecordKey(k, name) + "\x00" + item
}
func pendingKey(k registryKey, name string, seq uint64) string {
	return inRepoKey(k, name, fmt.Sprintf("%016x", seq))
}

// splitRepoKey is the inverse of repoRecordKey; ok is false for a key of another shape.
func splitRepoKey(key string) (k registryKey, name string, ok bool) {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) != 3 {
		return k, "", false
	}
	return registryKey{parts[0], parts[1]}, parts[2], true
}

// records held for a registry, a repository and an image.
type registryRecord struct {
	SigningConfiguration     json.RawMessage `json:"signingConfiguration,omitempty"`
	ReplicationConfiguration json.RawMessage `json:"replicationConfiguration,omitempty"`
}

type repositoryRecord struct {
	ImageTagMutability string               `json:"imageTagMutability"`
	CreatedAt          time.Time            `json:"createdAt"`
	ResourceTags       []ecrapi.ResourceTag `json:"resourceTags,omitempty"`
}

// imageRecord is an image as the store keeps it beside its manifest and tags. PushedAt is the
// latest push (VisibleAt when absent); LastRecordedPullTime the latest recorded pull.
type imageRecord struct {
	ImageManifestMediaType string     `json:"imageManifestMediaType"`
	Referrer               bool       `json:"referrer,omitempty"`
	Pushes                 int        `json:"pushes"`
	VisibleAt              time.Time  `json:"visibleAt"`
	PushedAt               *time.Time `json:"pushedAt,omitempty"`
	LastRecordedPullTime   *time.Time `json:"lastRecordedPullTime,omitempty"`
	Signing                []fileJob  `json:"signingJobs,omitempty"`
	Replication            []fileJob  `json:"replicationJobs,omitempty"`
}

type clockRecord struct {
	Frozen bool      `json:"frozen"`
	Now    time.Time `json:"now"`
	Offset duration  `json:"offset"`
}

// readWorldFile reads the whole store as a world file, which [World.apply] validates.
func readWorldFile(tx *bolt.Tx) (*worldFile, error) {
	r := &worldFileReader{tx: tx, wf: &worldFile{}}
	for _, step := range []func() error{r.meta, r.registries, r.repositories, r.images, r.tags, r.layers, r.pendingTags} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r.wf, nil
}

// worldFileReader reads a store's records into a world file, one kind of record a step:
// the registries before their repositories, the repositories before what they hold.
type worldFileReader struct {
	tx    *bolt.Tx
	wf    *worldFile
	regs  map[registryKey]int        // registry -> index in wf.Registries
	repos map[string]*fileRepository // repository record key -> its file repository
}

// meta reads the settings, the clock and the counters.
func (r *worldFileReader) meta() error {
	meta, wf := r.tx.Bucket(bucketMeta), r.wf
	if b := meta.Get(metaSettings); b != nil {
		if err := json.Unmarshal(b, wf); err != nil {
			return fmt.Errorf("settings record: %w", err)
		}
	}
	if b := meta.Get(metaClock); b != nil {
		var c clockRecord
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("clock record: %w", err)
		}
		if c.Frozen {
			wf.Now = &c.Now
		} else if c.Offset != 0 {
			wf.ClockOffset = &c.Offset
		}
	}
	if b := meta.Get(metaPushes); len(b) == 8 {
		wf.Pushes = binary.BigEndian.Uint64(b)
	}
	if b := meta.Get(metaOperations); len(b) == 8 {
		wf.Operations = binary.BigEndian.Uint64(b)
	}
	return nil
}

// registries reads the registries with their configurations.
func (r *worldFileReader) registries() error {
	r.regs = map[registryKey]int{}
	return r.tx.Bucket(bucketRegistries).ForEach(func(k, v []byte) error {
		acct, region, _ := strings.Cut(string(k), "/")
		fr := fileRegistry{RegistryID: acct, Region: region}
		var rec registryRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("registry %s: %w", k, err)
		}
		if len(rec.SigningConfiguration) > 0 {
			if err := json.Unmarshal(rec.SigningConfiguration, &fr.SigningConfiguration); err != nil {
				return fmt.Errorf("registry %s: %w", k, err)
			}
		}
		if len(rec.ReplicationConfiguration) > 0 {
			if err := json.Unmarshal(rec.ReplicationConfiguration, &fr.ReplicationConfiguration); err != nil {
				return fmt.Errorf("registry %s: %w", k, err)
			}
		}
		r.regs[registryKey{acct, region}] = len(r.wf.Registries)
		r.wf.Registries = append(r.wf.Registries, fr)
		return nil
	})
}

// repositories reads the repositories into their registries and indexes them by record key.
func (r *worldFileReader) repositories() error {
	err := r.tx.Bucket(bucketRepositories).ForEach(func(k, v []byte) error {
		rk, name, ok := splitRepoKey(string(k))
		i, known := r.regs[rk]
		if !ok || !known {
			return fmt.Errorf("repository record %q of no registry", k)
		}
		var rec repositoryRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("repository %s: %w", k, err)
		}
		created := rec.CreatedAt
		fr := &r.wf.Registries[i]
		fr.Repositories = append(fr.Repositories, fileRepository{RepositoryName: name, ImageTagMutability: rec.ImageTagMutability, CreatedAt: &created, Tags: rec.ResourceTags})
		return nil
	})
	if err != nil {
		return err
	}
	r.repos = map[string]*fileRepository{}
	for i := range r.wf.Registries {
		fr := &r.wf.Registries[i]
		for j := range fr.Repositories {
			r.repos[repoRecordKey(registryKey{fr.RegistryID, fr.Region}, fr.Repositories[j].RepositoryName)] = &fr.Repositories[j]
		}
	}
	return nil
}

// inRepo calls each for every record of bucket, keyed by its repository's record key, NUL,
// and the item's key.
func (r *worldFileReader) inRepo(bucket []byte, each func(repo *fileRepository, item string, v []byte) error) error {
	return r.tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		rk, item, ok := strings.Cut(string(k), "\x00")
		repo := r.repos[rk]
		if !ok || repo == nil {
			return fmt.Errorf("%s record %q of no repository", bucket, k)
		}
		return each(repo, item, v)
	})
}

// images reads the images with their manifests.
func (r *worldFileReader) images() error {
	manifests := r.tx.Bucket(bucketManifests)
	return r.inRepo(bucketImages, func(repo *fileRepository, digest string, v []byte) error {
		var rec imageRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("image %s in %s: %w", digest, repo.RepositoryName, err)
		}
		m := manifests.Get([]byte(digest))
		if m == nil {
			return fmt.Errorf("image %s in %s: its manifest is missing", digest, repo.RepositoryName)
		}
		repo.Images = append(repo.Images, fileImage{ImageDigest: digest, ImageManifest: string(m), imageRecord: rec})
		return nil
	})
}

// tags reads the tags of the images.
func (r *worldFileReader) tags() error {
	return r.inRepo(bucketTags, func(repo *fileRepository, tag string, v []byte) error {
		return addTag(repo, tag, string(v))
	})
}

// layers reads the sizes of the blobs each repository holds.
func (r *worldFileReader) layers() error {
	return r.inRepo(bucketLayers, func(repo *fileRepository, digest string, v []byte) error {
		size, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("layer %s in %s: %w", digest, repo.RepositoryName, err)
		}
		if repo.Blobs == nil {
			repo.Blobs = map[string]int64{}
		}
		repo.Blobs[digest] = size
		return nil
	})
}

// pendingTags reads the tag moves still to happen.
func (r *worldFileReader) pendingTags() error {
	return r.inRepo(bucketPendingTags, func(repo *fileRepository, seq string, v []byte) error {
		var pt filePendingTag
		if err := json.Unmarshal(v, &pt); err != nil {
			return fmt.Errorf("pending tag %s in %s: %w", seq, repo.RepositoryName, err)
		}
		n, err := strconv.ParseUint(seq, 16, 64)
		if err != nil {
			return fmt.Errorf("pending tag key %q in %s: %w", seq, repo.RepositoryName, err)
		}
		pt.Push = n
		repo.PendingTags = append(repo.PendingTags, pt)
		return nil
	})
}

// addTag puts tag on the image digest of a repository read from the store.
func addTag(repo *fileRepository, tag, digest string) error {
	if repo.tagIndex == nil {
		repo.tagIndex = make(map[string]int, len(repo.Images))
		for i := range repo.Images {
			repo.tagIndex[repo.Images[i].ImageDigest] = i
		}
	}
	i, ok := repo.tagIndex[digest]
	if !ok {
		return fmt.Errorf("tag %q in %s names image %s, which is not there", tag, repo.RepositoryName, digest)
	}
	repo.Images[i].ImageTags = append(repo.Images[i].ImageTags, tag)
	return nil
}

// writeWorld stores a whole world in a store, in transactions of at most bulkTxBytes.
func writeWorld(db *bolt.DB, w *World) error {
	ch := &change{}
	flush := func() error {
		err := db.Update(ch.write)
		ch = &change{}
		return err
	}
	w.mu.Lock()
	ch.put(bucketMeta, metaFormat, []byte(storeFormat))
	err := w.putSettings(ch)
	w.putClock(ch)
	ch.pushes, ch.ops = w.pushes, w.ops.Load()
	regs := w.snapshotRegistries()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	for _, reg := range regs {
		putRegistry(ch, reg.key, reg.signing, reg.replication)
		for _, rs := range reg.repos {
			repo := &repository{name: rs.repo.name, createdAt: rs.repo.createdAt, mutability: rs.mutability, resourceTags: rs.resourceTags}
			putRepository(ch, reg.key, repo)
			for d, size := range rs.layers {
				putLayer(ch, reg.key, repo.name, d, size)
			}
			for _, img := range rs.images {
				putImage(ch, reg.key, rs.repo.name, img, true)
				if ch.bytes > bulkTxBytes {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			for t, d := range rs.tags {
				ch.put(bucketTags, []byte(inRepoKey(reg.key, rs.repo.name, t)), []byte(d))
			}
			for _, m := range rs.pending {
				putPending(ch, reg.key, rs.repo.name, m)
			}
		}
	}
	return flush()
}

// syncDir makes a rename in dir durable. File systems that cannot sync a directory are
// tolerated.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
