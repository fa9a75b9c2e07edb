package sim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"iter"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// ownVocabulary ends the reason of every failure code that is ecrsign's, not AWS's.
const ownVocabulary = " [failure code from ecrsign's simulator vocabulary; AWS does not document it]"

// signingFailure decides, at the start of a job, whether signing with profile as principal
// will fail and why; w.mu held. Authorization is checked before the profile, as IAM does.
func (w *World) signingFailure(principal, profile string) (code, reason string) {
	if !w.mayUse(principal, profile) {
		return ecrapi.FailureAccessDenied, fmt.Sprintf("User: %s is not authorized to perform: signer:SignPayload on resource: %s", principal, profile)
	}
	switch w.profileStatus(profile) {
	case ProfileAbsent:
		return ecrapi.FailureProfileNotFound, "Signing profile " + profile + " does not exist." + ownVocabulary
	case ProfileCanceled:
		return ecrapi.FailureProfileCanceled, "Signing profile " + profile + " is CANCELED and cannot start signing jobs." + ownVocabulary
	case ProfileRevoked:
		return ecrapi.FailureProfileRevoked, "Signing profile " + profile + " is REVOKED and cannot start signing jobs." + ownVocabulary
	}
	return "", ""
}

// draw returns a number in [0, 1) that depends only on seed and parts.
func draw(seed uint64, parts ...string) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	x := h.Sum64()
	// splitmix64 finaliser, so that nearby inputs give unrelated draws
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// fires reports whether an injected fault with this rate fires; draw is called only when the
// rate is positive, so that a world without faults pays nothing.
func fires(rate float64, draw func() float64) bool {
	return rate > 0 && !math.IsNaN(rate) && draw() < rate
}

// serverFault raises ServerException when fault injection says this operation fails;
// w.mu held. A failed operation changes nothing.
func (w *World) serverFault(op string) error {
	n := w.ops.Add(1) // atomic: operations that only read hold w.mu shared
	f := w.opts.Faults
	if f.ServerErrorRate <= 0 {
		return nil
	}
	if fires(f.ServerErrorRate, func() float64 { return draw(f.Seed, "server", fmt.Sprint(n)) }) {
		return newError(ecrapi.ServerException, "Injected fault: %s request %d failed (ecrsign fault injection, seed %d); retry it", op, n, f.Seed)
	}
	return nil
}

// PushResult is what one push did: the image, the configuration in force, and the jobs it
// started with their statuses at the instant of the push.
type PushResult struct {
	Image ecrapi.Image
	// Seq numbers the pushes of the world from 1; a later push has a larger Seq.
	Seq      uint64
	PushedAt time.Time
	// Referrer is set when the manifest has a subject (signature, SBOM): it is not signed.
	Referrer bool
	// SigningConfiguration is the configuration the push was evaluated under (nil when the
	// registry had none). It is shared and must not be modified.
	SigningConfiguration *rules.SigningConfiguration
	// SigningStatuses holds one status per distinct profile of the applying rules.
	SigningStatuses     []ecrapi.ImageSigningStatus
	ReplicationStatuses []ecrapi.ImageReplicationStatus
}

// push performs a validated push into the repository edit e, recording what it changes in
// ch; w.mu held. signing is the registry's signing configuration (nil: none).
func (w *World) push(ch *change, e *repoEdit, req *ecrapi.PutImageRequest, info manifestInfo, principal string, now time.Time) *PushResult {
	w.pushes++ // a Seq is never reused, even by a push whose change fails to commit
	ch.pushes = w.pushes
	res := &PushResult{
		Seq:      w.pushes,
		PushedAt: now,
		Referrer: info.referrer,
		Image: ecrapi.Image{
			RegistryID:             e.key.account,
			RepositoryName:         e.repo.name,
			ImageID:                &ecrapi.ImageIdentifier{ImageDigest: info.digest, ImageTag: req.ImageTag},
			ImageManifest:          req.ImageManifest,
			ImageManifestMediaType: info.mediaType,
		},
		SigningStatuses:     []ecrapi.ImageSigningStatus{},
		ReplicationStatuses: []ecrapi.ImageReplicationStatus{},
	}
	img := e.storeImage(req, info, now)
	if req.ImageTag != "" {
		e.setTag(req.ImageTag, info.digest)
	}
	reg := w.registries[e.key] // nil for a registry this push creates
	var signing *signingState
	var replication *replicationState
	if reg != nil {
		signing, replication = reg.signing, reg.replication
	}
	if signing != nil {
		res.SigningConfiguration = signing.cfg
	}
	var buf [rules.MaxSigningRules]job
	started := w.sign(e.key, signing, e.repo.name, img, principal, now, res.Seq, buf[:0])
	if len(started) > 0 {
		res.SigningStatuses = make([]ecrapi.ImageSigningStatus, 0, len(started))
	}
	for _, j := range started {
		s, c, r := j.status(now)
		res.SigningStatuses = append(res.SigningStatuses, ecrapi.ImageSigningStatus{SigningProfileArn: j.profile, Status: s, FailureCode: c, FailureReason: r})
	}
	if replication == nil {
		e.record(ch, w)
		return res
	}
	f := w.opts.Faults
	for _, k := range appendDestinations(nil, e.key, replication, replication.matcher.Match(e.repo.name).Rules()) {
		j := job{dest: k, push: res.Seq, start: now, done: now.Add(w.opts.ReplicationLatency)}
		dest, err := w.editFor(k, e.repo.name, j.done)
		if err == nil {
			j.failureCode, j.reason = replicaConflict(dest, req.ImageTag, info.digest)
		}
		switch {
		case err != nil:
			j.failureCode, j.reason = ecrapi.FailureLimitExceeded, err.Error()+ownVocabulary
		case j.failureCode != "":
		case fires(f.ReplicationFailureRate, func() float64 {
			return draw(f.Seed, "replication", e.key.account, e.key.region, e.repo.name, info.digest, k.account, k.region, fmt.Sprint(img.pushes))
		}):
			j.failureCode = ecrapi.FailureTransient
			j.reason = "Injected transient replication failure" + ownVocabulary
		default:
			if err := w.deliver(ch, dest, req, info, principal, now, j.done, res.Seq); err != nil {
				j.failureCode, j.reason = ecrapi.FailureLimitExceeded, err.Error()+ownVocabulary
			}
		}
		img.repl = setJob(img.repl, j)
		s, c, _ := j.status(now)
		res.ReplicationStatuses = append(res.ReplicationStatuses, ecrapi.ImageReplicationStatus{Region: k.region, RegistryID: k.account, Status: s, FailureCode: c})
	}
	e.record(ch, w)
	return res
}

// appendDestinations appends to dst the distinct destinations of the applying rules (their
// indexes in configuration order) of a replication configuration, never the source itself,
// in the order of the first applying rule naming each. Pushes (from Match) and predictions
// (from the causes they report) both replicate to these.
func appendDestinations(dst []registryKey, source registryKey, replication *replicationState, applying iter.Seq[int]) []registryKey {
	lo := len(dst)
	for ri := range applying {
		for _, d := range replication.cfg.Rules[ri].Destinations {
			k := registryKey{d.RegistryID, d.Region}
			if k == source || slices.Contains(dst[lo:], k) || len(dst)-lo == rules.MaxDistinctDestinations {
				continue // never back to the source; once per destination
			}
			dst = append(dst, k)
		}
	}
	return dst
}

// replicaConflict returns the failure of a replication of digest with tag into the
// repository of dest when that repository is IMMUTABLE and the tag is on another image
// there, or will be when a replica in flight appears.
func replicaConflict(dest *repoEdit, tag, digest string) (code, reason string) {
	if tag == "" || dest.created || dest.repo.mutability != ecrapi.TagImmutable {
		return "", ""
	}
	if other, taken := dest.tagTaken(tag, digest); taken {
		return ecrapi.FailureImageTagAlreadyExists, fmt.Sprintf("The image tag '%s' is on image %s in the IMMUTABLE repository '%s' of registry %s in %s; the replica was not stored.", tag, other, dest.repo.name, dest.key.account, dest.key.region) + ownVocabulary
	}
	return "", ""
}

// sign starts the signing jobs of a push (signingJobs) unless the image is a referrer, with
// the faults the options inject, and appends them to started; w.mu held.
func (w *World) sign(k registryKey, signing *signingState, repo string, img *image, principal string, start time.Time, seq uint64, started []job) []job {
	if img.referrer || signing == nil {
		return started
	}
	f := w.opts.Faults
	w.signingJobs(signing.matcher.Match(repo).Profiles(), principal, func(p, code, reason string) {
		j := job{profile: p, push: seq, start: start, done: start.Add(w.opts.SigningLatency), failureCode: code, reason: reason}
		if j.failureCode == "" && fires(f.SigningFailureRate, func() float64 {
			return draw(f.Seed, "signing", k.account, k.region, repo, img.digest, p, fmt.Sprint(img.pushes))
		}) {
			j.failureCode = ecrapi.FailureTransient
			j.reason = "Injected transient signing failure; push the image again to retry" + ownVocabulary
		}
		if img.signing == nil {
			img.signing = make([]job, 0, len(signing.cfg.Rules))
		}
		img.signing = setJob(img.signing, j)
		started = append(started, j)
	})
	return started
}

// signingJobs calls start for every signing job a push starts: one per distinct profile of
// the applying rules (profiles, in the order of the first applying rule with each), with the
// failure signing as principal meets (an empty code: none). Pushes (from Match) and
// predictions (from the causes they report) both decide their jobs here; w.mu held.
func (w *World) signingJobs(profiles iter.Seq[string], principal string, start func(profile, code, reason string)) {
	for p := range profiles {
		code, reason := w.signingFailure(principal, p)
		start(p, code, reason)
	}
}

// setJob replaces the job for the same profile or destination, or appends j.
func setJob(jobs []job, j job) []job {
	for i := range jobs {
		if jobs[i].profile == j.profile && jobs[i].dest == j.dest {
			jobs[i] = j
			return jobs
		}
	}
	return append(jobs, j)
}

// editFor returns an edit of repository name in registry k, which a replica arriving at
// created would create (with its registry) if it does not exist; it fails when creating
// them would pass a limit; w.mu held.
func (w *World) editFor(k registryKey, name string, created time.Time) (*repoEdit, error) {
	reg := w.registries[k]
	var repo *repository
	if reg != nil {
		repo = reg.repos[name]
	}
	if repo != nil {
		return newRepoEdit(k, repo, false), nil
	}
	if reg == nil {
		if err := w.checkNewRegistry(ecrapi.OpPutImage, k); err != nil {
			return nil, err
		}
	}
	if err := w.checkNewRepository(ecrapi.OpPutImage, k); err != nil {
		return nil, err
	}
	return newRepoEdit(k, newRepository(name, ecrapi.TagMutable, created), true), nil
}

// deliver puts a replica, pushed at now, into the destination repository edit, creating
// the repository as ECR does. The replica and its tag appear at, when replication completes
// (until then a tag keeps naming the image it named); it is not replicated onward, and is
// signed there only with Options.SignReplicatedImages; w.mu held.
func (w *World) deliver(ch *change, dest *repoEdit, req *ecrapi.PutImageRequest, info manifestInfo, principal string, now, at time.Time, seq uint64) error {
	dest.settle(now)
	if err := w.checkNewImage(ecrapi.OpPutImage, dest, info.digest, now); err != nil {
		return err
	}
	img := dest.storeImage(req, info, at)
	if req.ImageTag != "" {
		dest.addPending(tagMove{tag: req.ImageTag, digest: info.digest, at: at, seq: seq})
	}
	if w.opts.SignReplicatedImages {
		if reg := w.registries[dest.key]; reg != nil {
			w.sign(dest.key, reg.signing, dest.repo.name, img, principal, at, seq, nil)
		}
	}
	dest.record(ch, w)
	return nil
}

// checkNewImage refuses a new image in a repository that holds as many as its limit allows,
// its signatures (referrers of completed signing jobs) counted; w.mu held.
func (w *World) checkNewImage(op string, e *repoEdit, digest string, now time.Time) error {
	limit := w.limits.ImagesPerRepository
	if e.image(digest) != nil || limit <= 0 {
		return nil
	}
	stored := len(e.repo.images)
	for d := range e.images {
		if e.repo.images[d] == nil {
			stored++
		}
	}
	// sigJobs bounds the signatures: count those there at now only near the limit
	if !over(stored+e.repo.sigJobs, limit) || !over(stored+e.repo.imageCount(now)-len(e.repo.images), limit) {
		return nil
	}
	return limitExceeded(op, "The repository with name '%s' in the registry with id '%s' holds %d images (signatures included), its limit (ecrsign serve --max-images)", e.repo.name, e.key.account, limit)
}

func newRepository(name, mutability string, now time.Time) *repository {
	return &repository{name: name, mutability: mutability, createdAt: now, images: map[string]*image{}, tags: map[string]string{}, blobs: map[string]int64{}}
}

// repoEdit is what one push does to one repository, computed without changing it: the
// images it replaces, the tags it sets and the tag moves it settles and adds. Reads go
// through the edit, so a push sees its own changes; record turns the edit into store
// records and an apply step.
type repoEdit struct {
	key     registryKey
	repo    *repository // the repository, or a new one when created
	created bool
	images  map[string]*image // new versions (copies) of images, by digest
	tags    map[string]string
	pending []tagMove // the repository's tag moves after the edit; shared until changed
	settled []tagMove // moves folded into tags
	added   []tagMove
}

func newRepoEdit(k registryKey, repo *repository, created bool) *repoEdit {
	return &repoEdit{key: k, repo: repo, created: created, pending: repo.pending}
}

func (e *repoEdit) image(digest string) *image {
	if img := e.images[digest]; img != nil {
		return img
	}
	return e.repo.images[digest]
}

func (e *repoEdit) tagOf(tag string) (string, bool) {
	if d, ok := e.tags[tag]; ok {
		return d, true
	}
	d, ok := e.repo.tags[tag]
	return d, ok
}

func (e *repoEdit) setTag(tag, digest string) {
	if e.tags == nil {
		e.tags = map[string]string{}
	}
	e.tags[tag] = digest
}

func (e *repoEdit) addPending(m tagMove) {
	e.pending = append(slices.Clip(e.pending), m)
	e.added = append(e.added, m)
}

// tagTaken reports whether tag names, or a replica in flight will make it name, an image
// other than digest, and which.
func (e *repoEdit) tagTaken(tag, digest string) (string, bool) {
	if d, ok := e.tagOf(tag); ok && d != digest {
		return d, true
	}
	for _, m := range e.pending {
		if m.tag == tag && m.digest != digest {
			return m.digest, true
		}
	}
	return "", false
}

// settle folds the tag moves that have happened by now into the tags, in the order they
// happened, so that pending holds only replicas in flight.
func (e *repoEdit) settle(now time.Time) {
	var due, kept []tagMove
	for _, m := range e.pending {
		if now.Before(m.at) {
			kept = append(kept, m)
		} else {
			due = append(due, m)
		}
	}
	if len(due) == 0 {
		return
	}
	slices.SortStableFunc(due, func(a, b tagMove) int { return a.at.Compare(b.at) })
	for _, m := range due {
		e.setTag(m.tag, m.digest)
	}
	e.pending = kept
	e.settled = append(e.settled, due...)
}

// storeImage records the manifest of a push in a copy of its image (a new image, visible
// from visibleAt, if the repository does not hold it) and returns the copy; the caller
// records the tag.
func (e *repoEdit) storeImage(req *ecrapi.PutImageRequest, info manifestInfo, visibleAt time.Time) *image {
	img := e.images[info.digest]
	if img == nil {
		if old := e.repo.images[info.digest]; old != nil {
			c := *old
			c.signing, c.repl = slices.Clone(old.signing), slices.Clone(old.repl)
			img = &c
		} else {
			img = &image{digest: info.digest, visibleAt: visibleAt}
		}
		if e.images == nil {
			e.images = map[string]*image{}
		}
		e.images[info.digest] = img
	}
	img.manifest, img.mediaType, img.referrer = req.ImageManifest, info.mediaType, info.referrer
	img.details = nil
	img.pushes++
	img.pushedAt = visibleAt
	return img
}

// record adds the edit to ch: its store records (only what it changed) and the step that
// applies it to the world; w.mu held. Limits were checked when the edit was made.
func (e *repoEdit) record(ch *change, w *World) {
	newRegistry := w.registries[e.key] == nil
	if newRegistry {
		reserve(ch, w.creating, e.key)
		putRegistry(ch, e.key, nil, nil)
	}
	if e.created {
		reserve(ch, w.newRepos, e.key)
		putRepository(ch, e.key, e.repo)
	}
	for _, img := range e.images {
		putImage(ch, e.key, e.repo.name, img, true)
	}
	for t, d := range e.tags {
		putTag(ch, e.key, e.repo.name, t, d)
	}
	for _, m := range e.settled {
		deletePending(ch, e.key, e.repo.name, m)
	}
	for _, m := range e.added {
		putPending(ch, e.key, e.repo.name, m)
	}
	ch.then(func() {
		reg := w.registry(e.key)
		if e.created {
			reg.repos[e.repo.name] = e.repo
		}
		for d, img := range e.images {
			e.repo.sigJobs += sigCount(img) - sigCount(e.repo.images[d])
		}
		maps.Copy(e.repo.images, e.images)
		maps.Copy(e.repo.tags, e.tags)
		e.repo.pending = e.pending
	})
}
