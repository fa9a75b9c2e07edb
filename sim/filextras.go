package sim

import (
	"fmt"
	"slices"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// The world file's members for what the repository, image and registry protocol operations
// keep: a repository's blobs and resource tags (an image's push and pull times are
// fileImage's).

// loadRepositoryExtras restores a repository's blobs and resource tags from the file.
func loadRepositoryExtras(repo *repository, frepo fileRepository) error {
	for d, n := range frepo.Blobs {
		if !validDigest(d) || n < 0 {
			return fmt.Errorf("blobs: %q (%d bytes) is not a sha256 digest with a size", d, n)
		}
		repo.blobs[d] = n
	}
	if len(frepo.Tags) > ecrapi.MaxResourceTags {
		return fmt.Errorf("tags: %d tags, at most %d", len(frepo.Tags), ecrapi.MaxResourceTags)
	}
	for i, t := range frepo.Tags {
		if err := checkTagKey(t.Key); err != nil || len(t.Value) > ecrapi.MaxResourceTagValue {
			return fmt.Errorf("tags[%d]: key %q or its value is not a valid tag", i, t.Key)
		}
	}
	repo.resourceTags = slices.Clone(frepo.Tags)
	return nil
}
