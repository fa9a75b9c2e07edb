package sim

import (
	"strconv"
	"time"
)

// The records a change puts in the store, one function per kind (see the package
// documentation for the layout). A world without a store builds none of them.

// putSettings stores the world's settings (defaults, options, profiles, principals); w.mu
// held.
func (w *World) putSettings(ch *change) error { return w.putSettingsWith(ch, nil) }

// putSettingsWith stores the world's settings as edit changes them; w.mu held.
func (w *World) putSettingsWith(ch *change, edit func(*worldFile)) error {
	if w.store == nil && edit != nil {
		return nil
	}
	f := w.settings()
	if edit != nil {
		edit(f)
	}
	settings := worldFile{DefaultRegistry: f.DefaultRegistry, DefaultPrincipal: f.DefaultPrincipal, Options: f.Options, Profiles: f.Profiles, Principals: f.Principals}
	ch.putJSON(bucketMeta, string(metaSettings), settings)
	return nil
}

// putClock stores the state of the world's clock; w.mu held.
func (w *World) putClock(ch *change) { putClockState(ch, w.clock.State()) }

func putClockState(ch *change, st ClockState) {
	if !st.Frozen {
		st.Now = time.Time{} // a running clock is its offset
	}
	ch.putJSON(bucketMeta, string(metaClock), clockRecord{Frozen: st.Frozen, Now: st.Now, Offset: duration(st.Offset)})
}

func putRegistry(ch *change, k registryKey, signing *signingState, replication *replicationState) {
	if ch.discard {
		return
	}
	var rec struct {
		Signing     any `json:"signingConfiguration,omitempty"`
		Replication any `json:"replicationConfiguration,omitempty"`
	}
	if signing != nil {
		rec.Signing = signing.cfg
	}
	if replication != nil {
		rec.Replication = replication.cfg
	}
	ch.putJSON(bucketRegistries, registryRecordKey(k), rec)
}

func putRepository(ch *change, k registryKey, repo *repository) {
	if ch.discard {
		return
	}
	ch.putJSON(bucketRepositories, repoRecordKey(k, repo.name), repositoryRecord{ImageTagMutability: repo.mutability, CreatedAt: repo.createdAt, ResourceTags: repo.resourceTags})
}

// deleteRepositoryRecords deletes a repository's records: its own, and those of its
// images, tags, tag moves and layers. Manifests and blobs are content-addressed and shared;
// they stay.
func deleteRepositoryRecords(ch *change, k registryKey, repo *repository) {
	if ch.discard {
		return
	}
	ch.delete(bucketRepositories, []byte(repoRecordKey(k, repo.name)))
	for d := range repo.images {
		ch.delete(bucketImages, []byte(inRepoKey(k, repo.name, d)))
	}
	for t := range repo.tags {
		ch.delete(bucketTags, []byte(inRepoKey(k, repo.name, t)))
	}
	for _, m := range repo.pending {
		deletePending(ch, k, repo.name, m)
	}
	for d := range repo.blobs {
		ch.delete(bucketLayers, []byte(inRepoKey(k, repo.name, d)))
	}
}

// putLayer records that a repository holds the blob digest of size bytes.
func putLayer(ch *change, k registryKey, repo, digest string, size int64) {
	if ch.discard {
		return
	}
	ch.put(bucketLayers, []byte(inRepoKey(k, repo, digest)), strconv.AppendInt(nil, size, 10))
}

func deleteTag(ch *change, k registryKey, repo, tag string) {
	if ch.discard {
		return
	}
	ch.delete(bucketTags, []byte(inRepoKey(k, repo, tag)))
}

func deleteImage(ch *change, k registryKey, repo, digest string) {
	if ch.discard {
		return
	}
	ch.delete(bucketImages, []byte(inRepoKey(k, repo, digest)))
}

// putImage stores an image's record and, when withManifest, its manifest, content-addressed
// by digest.
func putImage(ch *change, k registryKey, repo string, img *image, withManifest bool) {
	if ch.discard {
		return
	}
	ch.putJSON(bucketImages, inRepoKey(k, repo, img.digest), imageRecordOf(img))
	if withManifest {
		ch.putNew(bucketManifests, []byte(img.digest), []byte(img.manifest))
	}
}

// imageRecordOf is what the store keeps of an image beside its manifest and tags; a world
// file's image holds the same.
func imageRecordOf(img *image) imageRecord {
	rec := imageRecord{ImageManifestMediaType: img.mediaType, Referrer: img.referrer, Pushes: img.pushes, VisibleAt: img.visibleAt}
	rec.PushedAt, rec.LastRecordedPullTime = imageTimes(img)
	rec.Signing, rec.Replication = fileJobs(img)
	return rec
}

func putTag(ch *change, k registryKey, repo, tag, digest string) {
	if ch.discard {
		return
	}
	ch.put(bucketTags, []byte(inRepoKey(k, repo, tag)), []byte(digest))
}

func putPending(ch *change, k registryKey, repo string, m tagMove) {
	if ch.discard {
		return
	}
	ch.putJSON(bucketPendingTags, pendingKey(k, repo, m.seq), filePendingTag{ImageTag: m.tag, ImageDigest: m.digest, AppliesAt: m.at})
}

func deletePending(ch *change, k registryKey, repo string, m tagMove) {
	if ch.discard {
		return
	}
	ch.delete(bucketPendingTags, []byte(pendingKey(k, repo, m.seq)))
}
