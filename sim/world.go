package sim

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
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
	// replicas it receives (docs/model.md D5; off by default: replicas are not signed).
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
}

// DefaultOptions returns the options of New().
func DefaultOptions() Options {
	return Options{SigningLatency: DefaultSigningLatency, ReplicationLatency: DefaultReplicationLatency}
}

// Option configures [New], [Load] and [Open]. Options of the world (WithClock, WithOptions,
// WithLimits, ...) apply to the world each makes, after a world file or a store is read, so
// that they win over what it holds; options of the store ([WithSeed], [WithLockTimeout],
// [WithoutSync]) only change how Open opens it.
type Option struct {
	world func(*World)
	store func(*storeConfig)
}

// worldOption is an Option that changes the world.
func worldOption(f func(*World)) Option { return Option{world: f} }

// applyTo applies the world's part of opts to w.
func applyTo(w *World, opts []Option) {
	for _, o := range opts {
		if o.world != nil {
			o.world(w)
		}
	}
}

// WithClock makes the world read time from c (for example a frozen clock, [NewFrozenClock]).
func WithClock(c *Clock) Option { return worldOption(func(w *World) { w.clock = c }) }

// WithOptions replaces the world's options.
func WithOptions(o Options) Option { return worldOption(func(w *World) { w.opts = o }) }

// WithDefaultRegistry sets the account and region a Caller without them acts in.
func WithDefaultRegistry(account, region string) Option {
	return worldOption(func(w *World) { w.defaultAccount, w.defaultRegion = account, region })
}

// WithDefaultPrincipal sets the principal a Caller without one pushes as.
func WithDefaultPrincipal(arn string) Option {
	return worldOption(func(w *World) { w.defaultPrincipal = arn })
}

// World is a simulated set of ECR registries, signing profiles and principals. It is safe for
// concurrent use; every operation is atomic. A world made by [New] or [Load] lives in memory;
// one opened with [Open] commits every change to its store before the change is visible.
type World struct {
	mu               sync.RWMutex
	cond             sync.Cond // signalled when scopes are released
	clock            *Clock
	opts             Options
	limits           Limits
	defaultAccount   string
	defaultRegion    string
	defaultPrincipal string
	profiles         map[string]ProfileStatus
	principals       map[string]map[string]bool
	registries       map[registryKey]*registry
	pushes           uint64        // pushes served, numbering PushResult.Seq
	ops              atomic.Uint64 // operations served, for ServerException injection

	store     *store              // nil for a world in memory
	closed    bool                // the store is closed: nothing more changes
	busy      map[string]int      // scopes held by changes in flight: readers (> 0) or a writer (-1)
	creating  map[registryKey]int // registries that changes in flight create
	newRepos  map[registryKey]int // repositories that changes in flight create, per registry
	memBlobs  *memBlobs           // the blob area of a world without a store
	uploads   map[string]*upload  // layer uploads in progress, by upload id
	uploadDir string              // where uploads in progress are kept ("": the system's)
	tokenKey  []byte              // signs GetAuthorizationToken's passwords
}

// New returns a world with the defaults (registry 123456789012 in us-east-1, every profile
// ACTIVE, every principal allowed, 2 s signing and 5 s replication latency, a clock following
// real time, [DefaultLimits]), changed by opts.
func New(opts ...Option) *World {
	w := &World{
		clock:            NewClock(),
		opts:             DefaultOptions(),
		limits:           DefaultLimits(),
		defaultAccount:   DefaultAccount,
		defaultRegion:    DefaultRegion,
		defaultPrincipal: DefaultPrincipal,
		profiles:         map[string]ProfileStatus{},
		principals:       map[string]map[string]bool{},
		registries:       map[registryKey]*registry{},
		busy:             map[string]int{},
		creating:         map[registryKey]int{},
		newRepos:         map[registryKey]int{},
		uploads:          map[string]*upload{},
		tokenKey:         newTokenKey(),
	}
	w.cond.L = &w.mu
	applyTo(w, opts)
	if w.clock == nil {
		w.clock = NewClock()
	}
	return w
}

// Close releases the world's store (a no-op for a world in memory, and for a world already
// closed). Changes in flight finish first; later changes fail with ServerException.
func (w *World) Close() error {
	w.mu.Lock()
	for len(w.busy) > 0 {
		w.cond.Wait()
	}
	s := w.store
	if s == nil || w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	return s.close()
}

// Now returns the world's current time.
func (w *World) now() time.Time { return w.Clock().Now() }

// Clock returns the clock the world reads its time from. Moving it directly changes a world
// in memory; a world with a store is moved with [World.ChangeClock], which stores the move.
func (w *World) Clock() *Clock {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock
}

// SetClock makes the world read its time from c from now on (nil: a clock following real
// time). Jobs keep their start and end times, so statuses settle by the new clock.
func (w *World) setClock(c *Clock) error {
	if c == nil {
		c = NewClock()
	}
	return w.mutate("SetClock", worldWrite, func(ch *change) error {
		putClockState(ch, c.State())
		ch.then(func() { w.clock = c })
		return nil
	})
}

// ChangeClock moves the world's clock (see [Clock.Change]) and stores its new state before
// the move is visible. A change that would run the clock backward or outside the instants
// the world holds is refused with a ValidationException and changes nothing.
func (w *World) ChangeClock(c ClockChange) error {
	return w.mutate("ChangeClock", worldWrite, func(ch *change) error {
		clock := w.clock
		clock.mu.Lock()
		next, err := clock.changed(c)
		clock.mu.Unlock()
		if err != nil {
			return &ecrapi.Error{Code: ecrapi.ValidationException, Message: "clock change: " + err.Error()}
		}
		putClockState(ch, ClockState{Frozen: next.frozen, Now: next.now(), Offset: next.offset})
		ch.then(func() {
			clock.mu.Lock()
			clock.frozen, clock.at, clock.offset = next.frozen, next.at, next.offset
			clock.mu.Unlock()
		})
		return nil
	})
}

func worldWrite() []scope { return []scope{worldScope(true)} }

// Options returns the world's options.
func (w *World) Options() Options {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.opts
}

// SetOptions replaces the world's options; pushes already made keep their outcomes. It
// refuses latencies that are negative or longer than [MaxLatency], and rates outside [0, 1].
func (w *World) SetOptions(o Options) error {
	if err := o.check(); err != nil {
		return err
	}
	return w.mutate("SetOptions", worldWrite, func(ch *change) error {
		ch.then(func() { w.opts = o })
		return w.putSettingsWith(ch, func(f *worldFile) { f.Options = fileOptionsOf(o) })
	})
}

// check validates options as a world file's are validated.
func (o Options) check() error {
	for name, d := range map[string]time.Duration{"signingLatency": o.SigningLatency, "replicationLatency": o.ReplicationLatency} {
		switch {
		case d < 0:
			return fmt.Errorf("options.%s: duration %q is negative", name, d)
		case d > MaxLatency:
			return fmt.Errorf("options.%s: duration %q is longer than %v", name, d, MaxLatency)
		}
	}
	for name, r := range map[string]float64{"signingFailureRate": o.Faults.SigningFailureRate, "replicationFailureRate": o.Faults.ReplicationFailureRate, "serverErrorRate": o.Faults.ServerErrorRate} {
		if !(r >= 0 && r <= 1) {
			return fmt.Errorf("options.faults.%s: %v is not a probability in [0, 1]", name, r)
		}
	}
	return nil
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
	return w.mutate("SetProfileStatus", worldWrite, func(ch *change) error {
		ch.then(func() { w.profiles[arn] = s })
		return w.putSettingsWith(ch, func(f *worldFile) { f.Profiles[arn] = s })
	})
}

// GrantProfiles declares principal and lets it use the given profiles with
// signer:SignPayload ([AllProfiles] for every one). A declared principal may use only the
// profiles granted to it; with no profiles it is declared and may use none.
func (w *World) GrantProfiles(principal string, profileARNs ...string) error {
	return w.mutate("GrantProfiles", worldWrite, func(ch *change) error {
		ch.then(func() {
			g := w.principals[principal]
			if g == nil {
				g = map[string]bool{}
				w.principals[principal] = g
			}
			for _, p := range profileARNs {
				g[p] = true
			}
		})
		return w.putSettingsWith(ch, func(f *worldFile) {
			f.Principals[principal] = append(f.Principals[principal], profileARNs...)
		})
	})
}

// Caller is who calls an operation: the registry (account and region) the call addresses and
// the principal whose identity a push is signed with. Empty fields take the world's defaults.
// A request's registryId member, where the operation has one, overrides Account.
type Caller struct {
	Account   string
	Region    string
	Principal string
}

// client calls the world's operations as one caller, like an ECR client of the AWS SDK.
type client struct {
	w      *World
	caller Caller
}

// Client returns the ECR API of the world as caller c sees it, like an ECR client of the
// AWS SDK configured with c's credentials and region. Empty fields of c take the world's
// defaults.
func (w *World) Client(c Caller) ecrapi.API { return w.client(c) }

// Push pushes a manifest as PutImage does, as caller c, and reports what the push set off:
// the image, its sequence number, and the signing and replication statuses it started.
func (w *World) Push(c Caller, req *ecrapi.PutImageRequest) (*PushResult, error) {
	return w.client(c).Push(req)
}

// client returns a client acting as c, defaults applied.
func (w *World) client(c Caller) *client { return &client{w: w, caller: w.Caller(c)} }

// Caller returns c with the world's defaults in its empty fields: the caller a client or a
// registry of c acts as.
func (w *World) Caller(c Caller) Caller {
	if c.Account == "" {
		c.Account = w.defaultAccount
	}
	if c.Region == "" {
		c.Region = w.defaultRegion
	}
	if c.Principal == "" {
		c.Principal = w.defaultPrincipal
	}
	return c
}

func (c *client) Caller() Caller { return c.caller }

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
	// their bytes are in the world's blob area. Changed in place (w.mu held).
	blobs map[string]int64
	// resourceTags are the repository's tags (TagResource), in the order they were added;
	// replaced, never changed in place.
	resourceTags []ecrapi.ResourceTag
	// sigJobs counts the signing jobs of the images that complete, or completed, with a
	// signature not deleted: a bound of the signatures the repository holds, kept as images
	// are replaced (w.mu held), so that the images-per-repository limit is checked without
	// a walk over every image.
	sigJobs int
	// pending holds the tags replicas bring, each applied when its replica appears; moves
	// that have happened are folded into tags by the next push (repoEdit.settle).
	pending []tagMove
}

// tagMove is a tag a replica brings to the repository: it names digest from at on.
type tagMove struct {
	tag, digest string
	at          time.Time
	seq         uint64 // the push that brought it
}

// tagsAt returns what the tags name at now, with the tag moves that have happened by then
// applied in the order they happened: the repository's own map when none has (not to be
// changed), else a copy.
func (r *repository) tagsAt(now time.Time) map[string]string {
	var due []tagMove
	for _, m := range r.pending {
		if !now.Before(m.at) {
			due = append(due, m)
		}
	}
	if len(due) == 0 {
		return r.tags
	}
	slices.SortStableFunc(due, func(a, b tagMove) int { return a.at.Compare(b.at) })
	tags := maps.Clone(r.tags)
	for _, m := range due {
		tags[m.tag] = m.digest
	}
	return tags
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
		return ecrapi.StatusInProgress, "", ""
	}
	if j.failureCode != "" {
		return ecrapi.StatusFailed, j.failureCode, j.reason
	}
	return ecrapi.StatusComplete, "", ""
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
