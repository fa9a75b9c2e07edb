package sim

import (
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// Default limits of a world. The repository and image limits are ECR's own default quotas
// (per region and per repository); the registry limit bounds how many accounts and regions
// one simulator serves; the store limit bounds the state file.
const (
	DefaultMaxRegistries              = 1_000
	DefaultMaxRepositoriesPerRegistry = 100_000
	DefaultMaxImagesPerRepository     = 20_000
	DefaultMaxStoreBytes              = 16 << 30
)

// Limits bound what a world holds, so that no caller can grow it without bound. Past a
// limit, an operation fails as ECR fails it: LimitExceededException where the API model
// lists it for the operation (CreateRepository, PutImage), else ValidationException. A
// replication that would pass a limit in its destination ends FAILED with
// [ecrapi.FailureLimitExceeded]. Zero or negative means no limit.
type Limits struct {
	Registries              int
	RepositoriesPerRegistry int
	ImagesPerRepository     int
	// StoreBytes bounds the size of the store's database file (worlds with a store only).
	StoreBytes int64
	// Uploads bounds the layer uploads in progress at once; UploadBytes bounds one upload
	// (zero or negative: DefaultMaxUploadBytes, since an upload's temporary file must be
	// bounded).
	Uploads     int
	UploadBytes int64
}

// DefaultLimits returns the limits of New and Open.
func DefaultLimits() Limits {
	return Limits{
		Registries:              DefaultMaxRegistries,
		RepositoriesPerRegistry: DefaultMaxRepositoriesPerRegistry,
		ImagesPerRepository:     DefaultMaxImagesPerRepository,
		StoreBytes:              DefaultMaxStoreBytes,
		Uploads:                 DefaultMaxUploads,
		UploadBytes:             DefaultMaxUploadBytes,
	}
}

// WithLimits replaces the world's limits.
func WithLimits(l Limits) Option { return worldOption(func(w *World) { w.limits = l }) }

// WithUploadDir makes the world keep the layer uploads in progress in temporary files of
// dir (default: the system's temporary directory; [Open] uses STATE.uploads, emptied when
// it opens the store, since uploads do not survive a restart).
func WithUploadDir(dir string) Option {
	return worldOption(func(w *World) { w.uploadDir = dir })
}

// limitExceeded returns the exception op raises past a limit.
func limitExceeded(op, format string, args ...any) *ecrapi.Error {
	code := ecrapi.ValidationException
	switch {
	case ecrapi.Raises(op, ecrapi.LimitExceededException):
		code = ecrapi.LimitExceededException
	case !ecrapi.Raises(op, ecrapi.ValidationException):
		code = ecrapi.InvalidParameterException
	}
	return newError(code, format, args...)
}

// over reports whether adding one to n passes limit.
func over(n, limit int) bool { return limit > 0 && n >= limit }

// checkNewRegistry refuses a registry the world does not hold when it holds as many as
// its limit allows, counting those that changes in flight create; w.mu held.
func (w *World) checkNewRegistry(op string, k registryKey) error {
	if w.registries[k] != nil || w.creating[k] > 0 {
		return nil
	}
	if over(len(w.registries)+len(w.creating), w.limits.Registries) {
		return limitExceeded(op, "The simulator holds %d registries, its limit (ecrsign serve --max-registries); registry %s in %s cannot be added", w.limits.Registries, k.account, k.region)
	}
	return nil
}

// checkNewRepository refuses a repository in a registry that holds as many as its limit
// allows, counting those that changes in flight create; w.mu held.
func (w *World) checkNewRepository(op string, k registryKey) error {
	n := w.newRepos[k]
	if reg := w.registries[k]; reg != nil {
		n += len(reg.repos)
	}
	if over(n, w.limits.RepositoriesPerRegistry) {
		return limitExceeded(op, "The registry with id '%s' in %s holds %d repositories, its limit (ecrsign serve --max-repositories)", k.account, k.region, w.limits.RepositoriesPerRegistry)
	}
	return nil
}
