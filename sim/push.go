package sim

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/ecrsign/ecrsign/rules"
)

// Failure codes of signing and replication jobs. FailureAccessDenied is the code AWS is
// observed to report; the others are ecrsign's own vocabulary (AWS documents no other code),
// and their reasons say so.
const (
	FailureAccessDenied    = "ACCESS_DENIED"
	FailureProfileNotFound = "SIGNING_PROFILE_NOT_FOUND"
	FailureProfileCanceled = "SIGNING_PROFILE_CANCELED"
	FailureProfileRevoked  = "SIGNING_PROFILE_REVOKED"
	FailureTransient       = "TRANSIENT_FAILURE"
	// FailureImageTagAlreadyExists ends a replication whose destination repository is
	// IMMUTABLE and has the pushed tag on another image (or will, when a replica in flight
	// appears); the replica is not stored there.
	FailureImageTagAlreadyExists = "IMAGE_TAG_ALREADY_EXISTS"
)

// ownVocabulary ends the reason of every failure code that is ecrsign's, not AWS's.
const ownVocabulary = " [failure code from ecrsign's simulator vocabulary; AWS does not document it]"

// signingFailure decides, at the start of a job, whether signing with profile as principal
// will fail and why; w.mu held. Authorization is checked before the profile, as IAM does.
func (w *World) signingFailure(principal, profile string) (code, reason string) {
	if !w.mayUse(principal, profile) {
		return FailureAccessDenied, fmt.Sprintf("User: %s is not authorized to perform: signer:SignPayload on resource: %s", principal, profile)
	}
	switch w.profileStatus(profile) {
	case ProfileAbsent:
		return FailureProfileNotFound, "Signing profile " + profile + " does not exist." + ownVocabulary
	case ProfileCanceled:
		return FailureProfileCanceled, "Signing profile " + profile + " is CANCELED and cannot start signing jobs." + ownVocabulary
	case ProfileRevoked:
		return FailureProfileRevoked, "Signing profile " + profile + " is REVOKED and cannot start signing jobs." + ownVocabulary
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
	w.ops++
	f := w.opts.Faults
	if f.ServerErrorRate <= 0 {
		return nil
	}
	if fires(f.ServerErrorRate, func() float64 { return draw(f.Seed, "server", fmt.Sprint(w.ops)) }) {
		return newError(ServerException, "Injected fault: %s request %d failed (ecrsign fault injection, seed %d); retry it", op, w.ops, f.Seed)
	}
	return nil
}

// PushResult is what one push did: the image, the configuration in force, and the jobs it
// started with their statuses at the instant of the push.
type PushResult struct {
	Image Image
	// Seq numbers the pushes of the world from 1; a later push has a larger Seq.
	Seq      uint64
	PushedAt time.Time
	// Referrer is set when the manifest has a subject (signature, SBOM): it is not signed.
	Referrer bool
	// SigningConfiguration is the configuration the push was evaluated under (nil when the
	// registry had none). It is shared and must not be modified.
	SigningConfiguration *rules.SigningConfiguration
	// SigningStatuses holds one status per distinct profile of the applying rules.
	SigningStatuses     []ImageSigningStatus
	ReplicationStatuses []ImageReplicationStatus
}

// push performs a validated push; w.mu held.
func (w *World) push(reg *registry, repo *repository, req *PutImageRequest, info manifestInfo, principal string, now time.Time) *PushResult {
	w.pushes++
	res := &PushResult{
		Seq:      w.pushes,
		PushedAt: now,
		Referrer: info.referrer,
		Image: Image{
			RegistryID:             reg.key.account,
			RepositoryName:         repo.name,
			ImageID:                &ImageIdentifier{ImageDigest: info.digest, ImageTag: req.ImageTag},
			ImageManifest:          req.ImageManifest,
			ImageManifestMediaType: info.mediaType,
		},
		SigningStatuses:     []ImageSigningStatus{},
		ReplicationStatuses: []ImageReplicationStatus{},
	}
	img := w.store(repo, req, info, now)
	if req.ImageTag != "" {
		repo.tags[req.ImageTag] = info.digest
	}
	if reg.signing != nil {
		res.SigningConfiguration = reg.signing.cfg
	}
	var buf [rules.MaxSigningRules]job
	started := w.sign(reg, repo, img, principal, now, res.Seq, buf[:0])
	if len(started) > 0 {
		res.SigningStatuses = make([]ImageSigningStatus, 0, len(started))
	}
	for _, j := range started {
		s, c, r := j.status(now)
		res.SigningStatuses = append(res.SigningStatuses, ImageSigningStatus{SigningProfileArn: j.profile, Status: s, FailureCode: c, FailureReason: r})
	}
	if reg.replication == nil {
		return res
	}
	var dests [rules.MaxDistinctDestinations]registryKey
	n := 0
	m := reg.replication.matcher.Match(repo.name)
	for ri := range m.Rules() {
		for _, d := range reg.replication.cfg.Rules[ri].Destinations {
			k := registryKey{d.RegistryID, d.Region}
			if k == reg.key || containsKey(dests[:n], k) || n == len(dests) {
				continue // never back to the source; once per destination
			}
			dests[n] = k
			n++
		}
	}
	f := w.opts.Faults
	for _, k := range dests[:n] {
		j := job{dest: k, push: res.Seq, start: now, done: now.Add(w.opts.ReplicationLatency)}
		if code, reason := w.replicaConflict(k, repo.name, req.ImageTag, info.digest); code != "" {
			j.failureCode, j.reason = code, reason
		} else if fires(f.ReplicationFailureRate, func() float64 {
			return draw(f.Seed, "replication", reg.key.account, reg.key.region, repo.name, info.digest, k.account, k.region, fmt.Sprint(img.pushes))
		}) {
			j.failureCode = FailureTransient
			j.reason = "Injected transient replication failure" + ownVocabulary
		} else {
			w.deliver(k, repo.name, req, info, principal, now, j.done, res.Seq)
		}
		img.repl = setJob(img.repl, j)
		s, c, _ := j.status(now)
		res.ReplicationStatuses = append(res.ReplicationStatuses, ImageReplicationStatus{Region: k.region, RegistryID: k.account, Status: s, FailureCode: c})
	}
	return res
}

func containsKey(ks []registryKey, k registryKey) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// store records the manifest of a push, visible from visibleAt if it is new, and returns the
// image; the caller records the tag. w.mu held.
func (w *World) store(repo *repository, req *PutImageRequest, info manifestInfo, visibleAt time.Time) *image {
	img := repo.images[info.digest]
	if img == nil {
		img = &image{digest: info.digest, visibleAt: visibleAt}
		repo.images[info.digest] = img
	}
	img.manifest, img.mediaType, img.referrer = req.ImageManifest, info.mediaType, info.referrer
	img.pushes++
	img.pushedAt = visibleAt
	return img
}

// replicaConflict returns the failure of a replication of digest with tag to the
// repository name of registry k when that repository is IMMUTABLE and the tag is on another
// image there, or will be when a replica in flight appears; w.mu held.
func (w *World) replicaConflict(k registryKey, name, tag, digest string) (code, reason string) {
	reg := w.registries[k]
	if tag == "" || reg == nil {
		return "", ""
	}
	repo := reg.repos[name]
	if repo == nil || repo.mutability != TagImmutable {
		return "", ""
	}
	if other, taken := repo.tagTaken(tag, digest); taken {
		return FailureImageTagAlreadyExists, fmt.Sprintf("The image tag '%s' is on image %s in the IMMUTABLE repository '%s' of registry %s in %s; the replica was not stored.", tag, other, name, k.account, k.region) + ownVocabulary
	}
	return "", ""
}

// sign starts one signing job per distinct profile of the rules that apply to the
// repository, unless the image is a referrer, and appends them to started in the order of the
// first rule that applies with each profile; w.mu held.
func (w *World) sign(reg *registry, repo *repository, img *image, principal string, start time.Time, seq uint64, started []job) []job {
	if img.referrer || reg.signing == nil {
		return started
	}
	f := w.opts.Faults
	for p := range reg.signing.matcher.Match(repo.name).Profiles() {
		j := job{profile: p, push: seq, start: start, done: start.Add(w.opts.SigningLatency)}
		j.failureCode, j.reason = w.signingFailure(principal, p)
		if j.failureCode == "" && fires(f.SigningFailureRate, func() float64 {
			return draw(f.Seed, "signing", reg.key.account, reg.key.region, repo.name, img.digest, p, fmt.Sprint(img.pushes))
		}) {
			j.failureCode = FailureTransient
			j.reason = "Injected transient signing failure; push the image again to retry" + ownVocabulary
		}
		if img.signing == nil {
			img.signing = make([]job, 0, len(reg.signing.cfg.Rules))
		}
		img.signing = setJob(img.signing, j)
		started = append(started, j)
	}
	return started
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

// deliver puts a replica, pushed at now, into the destination registry, creating the
// repository as ECR does. The replica and its tag appear at, when replication completes
// (until then a tag keeps naming the image it named); it is not replicated onward, and is
// signed there only with Options.SignReplicatedImages; w.mu held.
func (w *World) deliver(k registryKey, name string, req *PutImageRequest, info manifestInfo, principal string, now, at time.Time, seq uint64) {
	reg := w.registry(k)
	repo := reg.repos[name]
	if repo == nil {
		repo = newRepository(name, TagMutable, at)
		reg.repos[name] = repo
	}
	repo.settleTags(now)
	img := w.store(repo, req, info, at)
	if req.ImageTag != "" {
		repo.pending = append(repo.pending, tagMove{tag: req.ImageTag, digest: info.digest, at: at})
	}
	if w.opts.SignReplicatedImages {
		w.sign(reg, repo, img, principal, at, seq, nil)
	}
}

func newRepository(name, mutability string, now time.Time) *repository {
	return &repository{name: name, mutability: mutability, createdAt: now, images: map[string]*image{}, tags: map[string]string{}, blobs: map[string]int64{}}
}
