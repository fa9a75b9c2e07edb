package sim

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
	bolt "go.etcd.io/bbolt"

	"github.com/ecrsign/ecrsign/rules"
)

// change is what one operation does to the world, computed before anything is changed:
// the records to put and delete in the store, and the steps that apply it to the world in
// memory. [World.mutate] commits it to the store and only then applies it, so a change is
// visible once it is durable and a change that fails to commit leaves no trace.
//
// An operation that changes the world is written once, for memory and store alike:
//
//	func (c *client) DeleteThing(req *DeleteThingRequest) (*DeleteThingResponse, error) {
//		var out *DeleteThingResponse
//		err := c.write(OpDeleteThing, func() []scope { // what it reads and writes (w.mu held)
//			return []scope{worldScope(false), repoScope(k, req.RepositoryName)}
//		}, func(ch *change) error { // w.mu held, scopes held: read memory, change nothing
//			... validate, look things up, return an *Error to refuse ...
//			ch.delete(bucketThings, key)              // or ch.put / ch.putJSON / ch.putNew
//			ch.then(func() { delete(repo.things, k) }) // applied once the records are durable
//			out = &DeleteThingResponse{...}
//			return nil
//		})
//		return out, err
//	}
//
// A bucket that does not exist yet is created by the first change that writes to it; its
// records are read back at Open by readWorldFile, which is the one place to extend for a new
// kind of record (and the world file, so that Save and Load carry it too).
type change struct {
	// discard is set for a world without a store: its records are never written, so they
	// are not made (putJSON does not encode).
	discard bool
	records []record
	pushes  uint64 // the push counter to store (kept at its largest value); 0: unchanged
	ops     uint64 // the operation counter to store, likewise
	bytes   int    // bytes the records put
	applies []func()
	// finally runs once the change is applied or has failed (w.mu held): it gives back
	// what plan reserved.
	finally []func()
}

// record is one put (value != nil), put-if-absent (ifAbsent) or delete (value == nil) of a
// key in a bucket.
type record struct {
	bucket, key, value []byte
	ifAbsent           bool
}

func (ch *change) put(bucket, key, value []byte) {
	if ch.discard {
		return
	}
	ch.records = append(ch.records, record{bucket: bucket, key: key, value: value})
	ch.bytes += len(key) + len(value)
}

// putNew puts a content-addressed value: a key that is present holds the same value already.
func (ch *change) putNew(bucket, key, value []byte) {
	if ch.discard {
		return
	}
	ch.records = append(ch.records, record{bucket: bucket, key: key, value: value, ifAbsent: true})
	ch.bytes += len(key) + len(value)
}

func (ch *change) delete(bucket, key []byte) {
	if ch.discard {
		return
	}
	ch.records = append(ch.records, record{bucket: bucket, key: key})
}

// putJSON puts v as JSON. The values the world stores always encode; their times are kept
// in range by the clock's bounds.
func (ch *change) putJSON(bucket []byte, key string, v any) {
	if ch.discard {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sim: encoding a %T record: %v", v, err)) // a bug, not an input
	}
	ch.put(bucket, []byte(key), b)
}

// then adds a step that applies the change to the world in memory; w.mu held when it runs.
func (ch *change) then(apply func()) { ch.applies = append(ch.applies, apply) }

// reserve counts one more change in flight under key of m until the change is done, so
// that limits count what concurrent changes are creating; w.mu held.
func reserve[K comparable](ch *change, m map[K]int, key K) {
	m[key]++
	ch.finally = append(ch.finally, func() {
		if m[key]--; m[key] <= 0 {
			delete(m, key)
		}
	})
}

func (ch *change) empty() bool { return len(ch.records) == 0 && len(ch.applies) == 0 }

// write performs the change in a transaction. It may run more than once (the committer
// retries a batch's changes one by one when the batch fails), so it is idempotent.
func (ch *change) write(tx *bolt.Tx) error {
	for _, r := range ch.records {
		b, err := tx.CreateBucketIfNotExists(r.bucket)
		if err != nil {
			return err
		}
		switch {
		case r.value == nil:
			err = b.Delete(r.key)
		case r.ifAbsent && b.Get(r.key) != nil:
		default:
			err = b.Put(r.key, r.value)
		}
		if err != nil {
			return fmt.Errorf("%s %q: %w", r.bucket, r.key, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	for _, counter := range []struct {
		key   []byte
		value uint64
	}{{metaPushes, ch.pushes}, {metaOperations, ch.ops}} {
		if counter.value == 0 {
			continue
		}
		if old := meta.Get(counter.key); len(old) != 8 || binary.BigEndian.Uint64(old) < counter.value {
			if err := meta.Put(counter.key, binary.BigEndian.AppendUint64(nil, counter.value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// scope is a part of the world an operation reads (shared) or changes (exclusive) while its
// change is being committed. Operations whose scopes conflict run one after the other;
// the others commit together.
type scope struct {
	key  string
	excl bool
}

// Scopes: the world's settings (options, profiles, principals, clock), a registry's
// configurations, and a repository with its images and tags.
func worldScope(excl bool) scope { return scope{"w", excl} }
func registryScope(k registryKey, excl bool) scope {
	return scope{"r/" + k.account + "/" + k.region, excl}
}
func repoScope(k registryKey, name string) scope {
	return scope{"p/" + repoRecordKey(k, name), true}
}

// itemScope is one image (kind "i", item its digest) or one tag (kind "t") of a
// repository, which a push that shares its repository's scope takes exclusively.
func itemScope(k registryKey, name, kind, item string) scope {
	return scope{kind + "/" + inRepoKey(k, name, item), true}
}

// pushRepoScopes are the scopes a push of a manifest digest (and tag, if not empty) takes
// in repository name of registry k; w.mu held. Pushes of distinct manifests and tags into
// one repository do not depend on each other, so they share the repository's scope and take
// their image and tag exclusively: they are computed while the others' commits are in flight
// and committed with them (group commit within one repository). A push takes the repository
// exclusively when it depends on more than its image and tag: when it creates the
// repository, when replicas' tag moves are pending there (a push settles those), when its
// digest is not known (it fails), or when the pushes in flight could, together, pass the
// images-per-repository limit (each is checked against the images stored, so that many at
// once are allowed only far from the limit). Every other operation on the repository takes
// it exclusively and waits for the pushes in flight; while it waits, no new push shares it.
func (w *World) pushRepoScopes(k registryKey, name, digest, tag string) []scope {
	repoExcl := repoScope(k, name)
	var repo *repository
	if reg := w.registries[k]; reg != nil {
		repo = reg.repos[name]
	}
	if repo == nil || len(repo.pending) > 0 || digest == "" {
		return []scope{repoExcl}
	}
	if limit := w.limits.ImagesPerRepository; limit > 0 {
		// each push in flight adds at most one image and one signing job per rule
		inFlight := max(w.busy[repoExcl.key], 0) + 1
		if len(repo.images)+repo.sigJobs+inFlight*(1+rules.MaxSigningRules) >= limit {
			return []scope{repoExcl}
		}
	}
	ss := []scope{{key: repoExcl.key}, itemScope(k, name, "i", digest)}
	if tag != "" {
		ss = append(ss, itemScope(k, name, "t", tag))
	}
	return ss
}

// waitingKey is the key of busy that counts the operations waiting to take key
// exclusively: while one waits, no operation takes key shared (writers first, so that a
// stream of pushes sharing a repository does not starve an operation that needs all of it).
func waitingKey(key string) string { return "\x00waiting/" + key }

// tryAcquire takes every scope of ss, or none when one is held in a conflicting way (or,
// shared, when an operation waits to take it exclusively); w.mu held.
func (w *World) tryAcquire(ss []scope) bool {
	for _, s := range ss {
		if n := w.busy[s.key]; n < 0 || s.excl && n > 0 || !s.excl && w.busy[waitingKey(s.key)] > 0 {
			return false
		}
	}
	for _, s := range ss {
		if s.excl {
			w.busy[s.key] = -1
		} else {
			w.busy[s.key]++
		}
	}
	return true
}

// release gives back scopes taken by tryAcquire and wakes the operations waiting; w.mu held.
func (w *World) release(ss []scope) {
	for _, s := range ss {
		if s.excl || w.busy[s.key] == 1 {
			delete(w.busy, s.key)
		} else {
			w.busy[s.key]--
		}
	}
	w.cond.Broadcast()
}

// markWaiting counts the exclusive scopes of ss as waited for, until unmarkWaiting; w.mu
// held.
func (w *World) markWaiting(ss []scope) {
	for _, s := range ss {
		if s.excl {
			w.busy[waitingKey(s.key)]++
		}
	}
}

func (w *World) unmarkWaiting(ss []scope) {
	for _, s := range ss {
		if !s.excl {
			continue
		}
		if k := waitingKey(s.key); w.busy[k] <= 1 {
			delete(w.busy, k)
		} else {
			w.busy[k]--
		}
	}
}

// mutate runs one operation that may change the world. With w.mu held it waits until the
// scopes it names are free (scopes is called again after every wait, since what it reads
// may have changed) and takes them; plan then computes the operation's change without
// changing the world, and its result. The change is committed to the store (w.mu released,
// so that concurrent operations share the commit), and only once it is durable applied to
// the world; a change that fails to commit is not applied and the operation fails with
// ServerException. Without a store the change is applied at once. op names the operation
// in errors.
func (w *World) mutate(op string, scopes func() []scope, plan func(ch *change) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var held []scope
	for {
		held = scopes()
		if w.tryAcquire(held) {
			break
		}
		w.markWaiting(held)
		w.cond.Wait()
		w.unmarkWaiting(held)
	}
	defer w.release(held)
	if w.closed {
		return newError(ecrapi.ServerException, "%s: the world's store is closed; nothing more is stored", op)
	}
	ch := &change{discard: w.store == nil}
	defer func() {
		for _, f := range ch.finally {
			f()
		}
	}()
	if err := plan(ch); err != nil || ch.empty() {
		return err
	}
	if w.store != nil {
		ch.ops = w.ops.Load()
		if err := w.checkStoreSize(op, ch); err != nil {
			return err
		}
		w.mu.Unlock()
		err := w.store.commit(ch)
		w.mu.Lock()
		if err != nil {
			return newError(ecrapi.ServerException, "ecrsign could not store the change %s made, so nothing of it was applied; retry it: %v", op, err)
		}
	}
	for _, apply := range ch.applies {
		apply()
	}
	return nil
}

// checkStoreSize refuses a change that would take the store past Limits.StoreBytes; w.mu
// held.
func (w *World) checkStoreSize(op string, ch *change) error {
	max := w.limits.StoreBytes
	if max <= 0 {
		return nil
	}
	if size := w.store.size.Load(); size+int64(ch.bytes) > max {
		return limitExceeded(op, "The store holds %d bytes; this change of %d bytes would take it past its limit of %d bytes (ecrsign serve --max-store-bytes)", size, ch.bytes, max)
	}
	return nil
}
