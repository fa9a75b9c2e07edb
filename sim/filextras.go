package sim

import (
	"fmt"
	"maps"
	"slices"
)

// The world file's members for what the repository, image and registry protocol operations
// keep: a repository's blobs and resource tags, an image's push and pull times.

// loadRepositoryExtras restores a repository's blobs and resource tags from the file.
func loadRepositoryExtras(repo *repository, frepo fileRepository) error {
	for d, n := range frepo.Blobs {
		if !validDigest(d) || n < 0 || n > MaxBlobBytes {
			return fmt.Errorf("blobs: %q (%d bytes) is not a sha256 digest with a size of 0..%d bytes", d, n, int64(MaxBlobBytes))
		}
		repo.blobs[d] = n
	}
	if len(frepo.Tags) > MaxResourceTags {
		return fmt.Errorf("tags: %d tags, at most %d", len(frepo.Tags), MaxResourceTags)
	}
	for i, t := range frepo.Tags {
		if err := checkTagKey(t.Key); err != nil || len(t.Value) > MaxResourceTagValue {
			return fmt.Errorf("tags[%d]: key %q or its value is not a valid tag", i, t.Key)
		}
	}
	repo.resourceTags = slices.Clone(frepo.Tags)
	return nil
}

// saveRepositoryExtras writes a repository's blobs and resource tags into the file form.
func saveRepositoryExtras(frepo *fileRepository, repo *repository) {
	if len(repo.blobs) > 0 {
		frepo.Blobs = maps.Clone(repo.blobs)
	}
	frepo.Tags = slices.Clone(repo.resourceTags)
}

// saveImageExtras writes an image's push and pull times into the file form.
func saveImageExtras(fi *fileImage, img *image) {
	if !img.pushedAt.IsZero() {
		t := img.pushedAt
		fi.PushedAt = &t
	}
	if !img.lastPull.IsZero() {
		t := img.lastPull
		fi.LastRecordedPullTime = &t
	}
}
