package sim

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// Defaults of a new world: the common case is one registry, one principal that may use every
// profile, and every profile a rule names existing and ACTIVE.
const (
	DefaultAccount   = "123456789012"
	DefaultRegion    = "us-east-1"
	DefaultPrincipal = "arn:aws:iam::123456789012:role/ecrsign-pusher"

	// DefaultSigningLatency and DefaultReplicationLatency are how long a job stays
	// IN_PROGRESS after the push that started it.
	DefaultSigningLatency     = 2 * time.Second
	DefaultReplicationLatency = 5 * time.Second
)

// ProfileStatus is the status of an AWS Signer signing profile in the world.
type ProfileStatus string

// Signing profile statuses. ProfileAbsent is a profile that does not exist.
const (
	ProfileActive   ProfileStatus = "ACTIVE"
	ProfileCanceled ProfileStatus = "CANCELED"
	ProfileRevoked  ProfileStatus = "REVOKED"
	ProfileAbsent   ProfileStatus = "ABSENT"
)

func (s ProfileStatus) valid() bool {
	switch s {
	case ProfileActive, ProfileCanceled, ProfileRevoked, ProfileAbsent:
		return true
	}
	return false
}

// AllProfiles, granted to a principal, lets it use every signing profile.
const AllProfiles = "*"

// Clock tells the world what time it is; statuses settle when it passes a job's end.
type Clock interface{ Now() time.Time }

// ClockStater is implemented by clocks whose state a world file can hold. A frozen clock
// shows now until it is moved; a running one shows real time plus offset. [World.Save]
// writes a frozen clock as the file's "now" and a running clock with a non-zero offset as
// "clockOffset"; [Load] restores either ([ManualClock] for "now", a clock following real
// time shifted by the offset for "clockOffset"). A clock without the method is saved as
// neither: a world loaded from the file follows real time.
type ClockStater interface {
	Clock
	ClockState() (frozen bool, now time.Time, offset time.Duration)
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// offsetClock follows real time shifted by offset: the clock of a world file with
// "clockOffset".
type offsetClock struct{ offset time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.offset) }

func (c offsetClock) ClockState() (bool, time.Time, time.Duration) {
	return false, c.Now(), c.offset
}

// ManualClock is a Clock that moves only when told to; safe for concurrent use.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock frozen at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// ClockState reports the clock as frozen at its time, so that a saved world holds it as
// "now"; see [ClockStater].
func (c *ManualClock) ClockState() (frozen bool, now time.Time, offset time.Duration) {
	return true, c.Now(), 0
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Faults injects deterministic failures, so that tools can exercise their retry paths. Each
// rate is a probability in [0, 1]. Whether a signing or replication job fails depends only on
// Seed and the job (registry, repository, digest, profile or destination, and how many times
// that digest was pushed there), so it does not depend on how concurrent pushes interleave;
// whether an operation raises ServerException depends on Seed and the number of operations
// the world has served.
type Faults struct {
	Seed                   uint64  `json:"seed"`
	SigningFailureRate     float64 `json:"signingFailureRate,omitempty"`
	ReplicationFailureRate float64 `json:"replicationFailureRate,omitempty"`
	ServerErrorRate        float64 `json:"serverErrorRate,omitempty"`
}

// Options are the world's behaviours where AWS is silent or where tests need a knob.
type Options struct {
	// SigningLatency and ReplicationLatency: how long jobs stay IN_PROGRESS. Zero settles
	// jobs at the instant of the push.
	SigningLatency     time.Duration
	ReplicationLatency time.Duration
	// SignReplicatedImages makes the destination registry's signing configuration sign the
	// replicas it receives (SPEC 7.5; off by default: replicas are not signed).
	SignReplicatedImages bool
	// StrictProfiles makes profiles the world does not declare absent; by default they
	// exist and are ACTIVE.
	StrictProfiles bool
	// StrictPrincipals makes principals the world does not declare unable to use any
	// profile; by default they may use every profile.
	StrictPrincipals bool
	// CreateRepositoryOnPush makes PutImage create a missing repository instead of raising
	// RepositoryNotFoundException (ECR's create-on-push repository creation templates).
	CreateRepositoryOnPush bool
	// Faults injects transient failures.
	Faults Faults
	// RequireLayers makes PutImage refuse a manifest whose config and layers the repository
	// does not hold (LayersNotFoundException), as ECR does; off by default, so that a
	// manifest can be pushed without its blobs. The registry protocol always requires them.
	RequireLayers bool
	// ImagesPerRepository is the quota of images (signatures included) per repository;
	// 0 is DefaultImagesPerRepository.
	ImagesPerRepository int
}

// DefaultOptions returns the options of New().
func DefaultOptions() Options {
	return Options{SigningLatency: DefaultSigningLatency, ReplicationLatency: DefaultReplicationLatency}
}

// Option changes how New builds a world.
type Option func(*World)

// WithClock makes the world read time from c (for example a [ManualClock]).
func WithClock(c Clock) Option { return func(w *World) { w.clock = c } }

// WithOptions replaces the world's options.
func WithOptions(o Options) Option { return func(w *World) { w.opts = o } }

// WithDefaultRegistry sets the account and region a Caller without them acts in.
func WithDefaultRegistry(account, region string) Option {
	return func(w *World) { w.defaultAccount, w.defaultRegion = account, region }
}

// WithDefaultPrincipal sets the principal a Caller without one pushes as.
func WithDefaultPrincipal(arn string) Option { return func(w *World) { w.defaultPrincipal = arn } }

// World is a simulated set of ECR registries, signing profiles and principals. It is safe for
// concurrent use; every operation is atomic.
type World struct {
	mu               sync.Mutex
	clock            Clock
	opts             Options
	defaultAccount   string
	defaultRegion    string
	defaultPrincipal string
	profiles         map[string]ProfileStatus
	principals       map[string]map[string]bool
	registries       map[registryKey]*registry
	pushes           uint64 // pushes served, numbering PushResult.Seq
	ops              uint64 // operations served, for ServerException injection
	blobs            BlobStore
	uploads          map[string]*upload // layer uploads in progress, by upload id
	tokenKey         []byte             // signs GetAuthorizationToken's passwords
}

// New returns a world with the defaults (registry 123456789012 in us-east-1, every profile
// ACTIVE, every principal allowed, 2 s signing and 5 s replication latency, the system clock),
// changed by opts.
func New(opts ...Option) *World {
	w := &World{
		clock:            systemClock{},
		opts:             DefaultOptions(),
		defaultAccount:   DefaultAccount,
		defaultRegion:    DefaultRegion,
		defaultPrincipal: DefaultPrincipal,
		profiles:         map[string]ProfileStatus{},
		principals:       map[string]map[string]bool{},
		registries:       map[registryKey]*registry{},
		blobs:            NewMemoryBlobStore(),
		uploads:          map[string]*upload{},
		tokenKey:         newTokenKey(),
	}
	for _, o := range opts {
		o(w)
	}
	return w
}

// Now returns the world's current time.
func (w *World) Now() time.Time { return w.Clock().Now() }

// Clock returns the clock the world reads its time from.
func (w *World) Clock() Clock {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock
}

// SetClock makes the world read its time from c from now on (nil: the system clock). Jobs
// keep their start and end times, so statuses settle by the new clock.
func (w *World) SetClock(c Clock) {
	if c == nil {
		c = systemClock{}
	}
	w.mu.Lock()
	w.clock = c
	w.mu.Unlock()
}

// Options returns the world's options.
func (w *World) Options() Options {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.opts
}

// SetOptions replaces the world's options; pushes already made keep their outcomes.
func (w *World) SetOptions(o Options) {
	w.mu.Lock()
	w.opts = o
	w.mu.Unlock()
}

// SetProfileStatus declares a signing profile with a status (ProfileAbsent deletes it). The
// status is read when a push starts a job; jobs already started keep their outcome. It
// returns an error, and changes nothing, when arn is not a signing profile ARN or s is not
// one of ProfileActive, ProfileCanceled, ProfileRevoked and ProfileAbsent (the statuses are
// upper case, as in the world file).
func (w *World) SetProfileStatus(arn string, s ProfileStatus) error {
	if _, err := rules.ParseProfileARN(arn); err != nil {
		return fmt.Errorf("profile status: %w", err)
	}
	if !s.valid() {
		return fmt.Errorf("profile status of %s: %q is not ACTIVE, CANCELED, REVOKED or ABSENT", arn, s)
	}
	w.mu.Lock()
	w.profiles[arn] = s
	w.mu.Unlock()
	return nil
}

// GrantProfiles declares principal and lets it use the given profiles with
// signer:SignPayload ([AllProfiles] for every one). A declared principal may use only the
// profiles granted to it; with no profiles it is declared and may use none.
func (w *World) GrantProfiles(principal string, profileARNs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.principals[principal]
	if g == nil {
		g = map[string]bool{}
		w.principals[principal] = g
	}
	for _, p := range profileARNs {
		g[p] = true
	}
}

// Caller is who calls an operation: the registry (account and region) the call addresses and
// the principal whose identity a push is signed with. Empty fields take the world's defaults.
// A request's registryId member, where the operation has one, overrides Account.
type Caller struct {
	Account   string
	Region    string
	Principal string
}

// Client calls the world's operations as one caller, like an ECR client of the AWS SDK.
type Client struct {
	w      *World
	caller Caller
}

// Client returns a client acting as c.
func (w *World) Client(c Caller) *Client {
	if c.Account == "" {
		c.Account = w.defaultAccount
	}
	if c.Region == "" {
		c.Region = w.defaultRegion
	}
	if c.Principal == "" {
		c.Principal = w.defaultPrincipal
	}
	return &Client{w: w, caller: c}
}

// Caller returns the caller the client acts as, defaults applied.
func (c *Client) Caller() Caller { return c.caller }

type registryKey struct{ account, region string }

type registry struct {
	key         registryKey
	signing     *signingState     // nil: no signing configuration
	replication *replicationState // nil: none put
	repos       map[string]*repository
}

// signingState is an immutable snapshot of a signing configuration and its compiled matcher.
type signingState struct {
	cfg     *rules.SigningConfiguration
	matcher *match.Matcher
}

type replicationState struct {
	cfg     *rules.ReplicationConfiguration
	matcher *match.Matcher
}

type repository struct {
	name       string
	mutability string
	createdAt  time.Time
	images     map[string]*image // by digest
	tags       map[string]string // tag -> digest
	// blobs holds the sizes of the layers and configs uploaded to the repository, by digest;
	// their bytes are in the world's BlobStore.
	blobs map[string]int64
	// resourceTags are the repository's tags (TagResource), in the order they were added.
	resourceTags []ResourceTag
	// pending holds the tags replicas bring, each applied when its replica appears; moves
	// that have happened are folded into tags by settleTags.
	pending []tagMove
}

// tagMove is a tag a replica brings to the repository: it names digest from at on.
type tagMove struct {
	tag, digest string
	at          time.Time
}

// tag returns the digest tag names at now: that of the latest tag move that has happened by
// now, else that of the last push with the tag.
func (r *repository) tag(tag string, now time.Time) (string, bool) {
	d, ok := r.tags[tag]
	var latest time.Time
	moved := false
	for _, m := range r.pending {
		if m.tag == tag && !now.Before(m.at) && (!moved || !m.at.Before(latest)) {
			d, ok, latest, moved = m.digest, true, m.at, true
		}
	}
	return d, ok
}

// tagTaken reports whether tag names, or a replica in flight will make it name, an image
// other than digest, and which.
func (r *repository) tagTaken(tag, digest string) (string, bool) {
	if d, ok := r.tags[tag]; ok && d != digest {
		return d, true
	}
	for _, m := range r.pending {
		if m.tag == tag && m.digest != digest {
			return m.digest, true
		}
	}
	return "", false
}

// settleTags applies the tag moves that have happened by now, in the order they happened,
// so that pending holds only replicas in flight; w.mu held.
func (r *repository) settleTags(now time.Time) {
	if len(r.pending) == 0 {
		return
	}
	var due []tagMove
	kept := r.pending[:0]
	for _, m := range r.pending {
		if now.Before(m.at) {
			kept = append(kept, m)
		} else {
			due = append(due, m)
		}
	}
	slices.SortStableFunc(due, func(a, b tagMove) int { return a.at.Compare(b.at) })
	for _, m := range due {
		r.tags[m.tag] = m.digest
	}
	clear(r.pending[len(kept):])
	r.pending = kept
}

type image struct {
	digest    string
	manifest  string
	mediaType string
	referrer  bool
	pushes    int              // pushes of this digest to this repository
	visibleAt time.Time        // replicas appear when their replication completes
	pushedAt  time.Time        // the latest push
	lastPull  time.Time        // the latest pull of the manifest; zero when never pulled
	details   *manifestDetails // read from manifest when first needed; derived, not state
	signing   []job            // one per profile, in order of first use; the latest job each
	repl      []job            // one per destination, the latest job each
}

// job is a signing or replication job: IN_PROGRESS from start until done, then its outcome.
type job struct {
	profile     string      // signing jobs
	dest        registryKey // replication jobs
	push        uint64      // Seq of the push that started it
	start, done time.Time
	failureCode string // "" when it completes
	reason      string
	// sigDeleted is set when the signature referrer a completed signing job stored has
	// been deleted (BatchDeleteImage of its digest).
	sigDeleted bool
	// sig caches the signature referrer a completed job stands for (derived, not state).
	sig *signature
}

func (j *job) status(now time.Time) (status, code, reason string) {
	if now.Before(j.done) {
		return StatusInProgress, "", ""
	}
	if j.failureCode != "" {
		return StatusFailed, j.failureCode, j.reason
	}
	return StatusComplete, "", ""
}

func (w *World) registry(k registryKey) *registry {
	r := w.registries[k]
	if r == nil {
		r = &registry{key: k, repos: map[string]*repository{}}
		w.registries[k] = r
	}
	return r
}

// profileStatus is the status of a profile at this moment; w.mu held.
func (w *World) profileStatus(arn string) ProfileStatus {
	if s, ok := w.profiles[arn]; ok {
		return s
	}
	if w.opts.StrictProfiles {
		return ProfileAbsent
	}
	return ProfileActive
}

// mayUse reports whether principal may use profile; w.mu held.
func (w *World) mayUse(principal, profile string) bool {
	g, ok := w.principals[principal]
	if !ok {
		return !w.opts.StrictPrincipals
	}
	return g[AllProfiles] || g[profile]
}
