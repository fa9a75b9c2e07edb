package sim

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// MaxWorldFileBytes bounds a world file (state files hold every manifest pushed).
const MaxWorldFileBytes = 256 << 20

// worldFile is the JSON form of a world; see the package documentation.
type worldFile struct {
	DefaultRegistry  *fileRegistryRef         `json:"defaultRegistry,omitempty"`
	DefaultPrincipal string                   `json:"defaultPrincipal,omitempty"`
	Now              *time.Time               `json:"now,omitempty"`
	ClockOffset      *duration                `json:"clockOffset,omitempty"`
	Options          *fileOptions             `json:"options,omitempty"`
	Profiles         map[string]ProfileStatus `json:"profiles,omitempty"`
	Principals       map[string][]string      `json:"principals,omitempty"`
	Registries       []fileRegistry           `json:"registries,omitempty"`
	Pushes           uint64                   `json:"pushes,omitempty"`
	Operations       uint64                   `json:"operations,omitempty"`
}

type fileRegistryRef struct {
	RegistryID string `json:"registryId"`
	Region     string `json:"region"`
}

type fileOptions struct {
	SigningLatency         *duration `json:"signingLatency,omitempty"`
	ReplicationLatency     *duration `json:"replicationLatency,omitempty"`
	SignReplicatedImages   bool      `json:"signReplicatedImages,omitempty"`
	StrictProfiles         bool      `json:"strictProfiles,omitempty"`
	StrictPrincipals       bool      `json:"strictPrincipals,omitempty"`
	CreateRepositoryOnPush bool      `json:"createRepositoryOnPush,omitempty"`
	RequireLayers          bool      `json:"requireLayers,omitempty"`
	Faults                 *Faults   `json:"faults,omitempty"`
}

type fileRegistry struct {
	RegistryID               string                          `json:"registryId"`
	Region                   string                          `json:"region"`
	SigningConfiguration     *rules.SigningConfiguration     `json:"signingConfiguration,omitempty"`
	ReplicationConfiguration *rules.ReplicationConfiguration `json:"replicationConfiguration,omitempty"`
	Repositories             []fileRepository                `json:"repositories,omitempty"`
}

type fileRepository struct {
	RepositoryName     string      `json:"repositoryName"`
	ImageTagMutability string      `json:"imageTagMutability,omitempty"`
	CreatedAt          *time.Time  `json:"createdAt,omitempty"`
	Images             []fileImage `json:"images,omitempty"`
	// PendingTags are tags replicas in flight bring, in the order they were pushed.
	PendingTags []filePendingTag `json:"pendingTags,omitempty"`
	// Blobs are the sizes of the layers and configs the repository holds, by digest (their
	// bytes are in the blob area, not in the world file); Tags are its resource tags
	// (TagResource), in the order they were added.
	Blobs map[string]int64     `json:"blobs,omitempty"`
	Tags  []ecrapi.ResourceTag `json:"tags,omitempty"`

	tagIndex map[string]int // digest -> index in Images, while tags are read from the store
}

type filePendingTag struct {
	ImageTag    string    `json:"imageTag"`
	ImageDigest string    `json:"imageDigest"`
	AppliesAt   time.Time `json:"appliesAt"`
	// Push is the Seq of the push that brought the tag (0 in files of earlier releases).
	Push uint64 `json:"push,omitempty"`
}

type fileImage struct {
	ImageDigest   string   `json:"imageDigest"`
	ImageTags     []string `json:"imageTags,omitempty"`
	ImageManifest string   `json:"imageManifest"`
	imageRecord            // what the store keeps of the image beside its manifest and tags
}

type fileJob struct {
	SigningProfileArn string    `json:"signingProfileArn,omitempty"`
	Region            string    `json:"region,omitempty"`
	RegistryID        string    `json:"registryId,omitempty"`
	Push              uint64    `json:"push"`
	StartedAt         time.Time `json:"startedAt"`
	SettlesAt         time.Time `json:"settlesAt"`
	FailureCode       string    `json:"failureCode,omitempty"`
	FailureReason     string    `json:"failureReason,omitempty"`
	// SignatureDeleted: the signature referrer of the completed job was deleted.
	SignatureDeleted bool `json:"signatureDeleted,omitempty"`
}

// duration is a time.Duration written as Go writes it ("2s", "150ms", "-1h0m0s").
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"2s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}

// Load reads a world from its JSON file form (see the package documentation), applying opts
// after the file. Configurations are validated as the Put operations validate them; an error
// names the place in the file. A world file with "now" runs on a frozen clock set to it;
// one with "clockOffset" on a clock that follows real time shifted by the offset. A file
// larger than [MaxWorldFileBytes] is refused; [Open] reads the state files of earlier
// releases without that limit.
func Load(r io.Reader, opts ...Option) (*World, error) {
	f, err := decodeWorldFile(r, MaxWorldFileBytes)
	if err != nil {
		return nil, err
	}
	w := New()
	if err := w.apply(f); err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	applyTo(w, opts)
	return w, nil
}

// decodeWorldFile decodes a world file of at most limit bytes (no limit when negative).
func decodeWorldFile(r io.Reader, limit int64) (*worldFile, error) {
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("world file: larger than %d bytes", limit)
	}
	var f worldFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("world file: %s", describeJSONError(data, err))
	}
	if dec.More() {
		return nil, errors.New("world file: data after the JSON object")
	}
	return &f, nil
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return err.Error()
	}
	line := 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// apply fills a new world from a world file, validating it.
func (w *World) apply(f *worldFile) error {
	if d := f.DefaultRegistry; d != nil {
		if !validRegistryID(d.RegistryID) || !validRegion(d.Region) {
			return fmt.Errorf("defaultRegistry: registryId must be 12 digits and region match %s, got %q, %q", rules.RegionPattern, d.RegistryID, d.Region)
		}
		w.defaultAccount, w.defaultRegion = d.RegistryID, d.Region
	}
	if f.DefaultPrincipal != "" {
		w.defaultPrincipal = f.DefaultPrincipal
	}
	for _, step := range []func(*worldFile) error{w.applyClock, w.applyOptions, w.applyProfiles, w.applyPrincipals} {
		if err := step(f); err != nil {
			return err
		}
	}
	w.pushes = f.Pushes
	w.ops.Store(f.Operations)
	for i, fr := range f.Registries {
		if err := w.applyRegistry(fr); err != nil {
			return fmt.Errorf("registries[%d]: %w", i, err)
		}
	}
	return nil
}

// applyClock sets the world's clock from the file's "now" (frozen) or "clockOffset" (running).
func (w *World) applyClock(f *worldFile) error {
	switch {
	case f.Now != nil && f.ClockOffset != nil:
		return errors.New(`"now" (a frozen clock) and "clockOffset" (a running one) exclude each other`)
	case f.Now != nil:
		if f.Now.Before(MinClockTime) || f.Now.After(MaxClockTime) {
			return fmt.Errorf("now: %s is outside the instants the simulator holds (%s to %s)", f.Now.Format(time.RFC3339), MinClockTime.Format(time.RFC3339), MaxClockTime.Format(time.RFC3339))
		}
		w.clock = NewFrozenClock(*f.Now)
	case f.ClockOffset != nil:
		c := NewClock()
		c.offset = time.Duration(*f.ClockOffset)
		if now := c.Now(); now.After(MaxClockTime) || now.Before(MinClockTime) {
			return fmt.Errorf("clockOffset: the clock would show %s, outside the instants the simulator holds", now.Format(time.RFC3339))
		}
		w.clock = c
	}
	return nil
}

// applyOptions sets the options the file gives over the world's.
func (w *World) applyOptions(f *worldFile) error {
	o := f.Options
	if o == nil {
		return nil
	}
	opts := w.opts
	if o.SigningLatency != nil {
		opts.SigningLatency = time.Duration(*o.SigningLatency)
	}
	if o.ReplicationLatency != nil {
		opts.ReplicationLatency = time.Duration(*o.ReplicationLatency)
	}
	opts.SignReplicatedImages = o.SignReplicatedImages
	opts.StrictProfiles = o.StrictProfiles
	opts.StrictPrincipals = o.StrictPrincipals
	opts.CreateRepositoryOnPush = o.CreateRepositoryOnPush
	opts.RequireLayers = o.RequireLayers
	if o.Faults != nil {
		opts.Faults = *o.Faults
	}
	if err := opts.check(); err != nil {
		return err
	}
	w.opts = opts
	return nil
}

// applyProfiles sets the status of each signing profile the file names.
func (w *World) applyProfiles(f *worldFile) error {
	for arn, s := range f.Profiles {
		if _, err := rules.ParseProfileARN(arn); err != nil {
			return fmt.Errorf("profiles: %v", err)
		}
		if !s.valid() {
			return fmt.Errorf("profiles[%q]: status %q is not ACTIVE, CANCELED, REVOKED or ABSENT", arn, s)
		}
		w.profiles[arn] = s
	}
	return nil
}

// applyPrincipals grants each principal the file names the profiles it lists.
func (w *World) applyPrincipals(f *worldFile) error {
	for p, arns := range f.Principals {
		g := map[string]bool{}
		for _, a := range arns {
			if a != AllProfiles {
				if _, err := rules.ParseProfileARN(a); err != nil {
					return fmt.Errorf("principals[%q]: %v", p, err)
				}
			}
			g[a] = true
		}
		w.principals[p] = g
	}
	return nil
}

func (w *World) applyRegistry(fr fileRegistry) error {
	if !validRegistryID(fr.RegistryID) || !validRegion(fr.Region) {
		return fmt.Errorf("registryId must be 12 digits and region match %s, got %q, %q", rules.RegionPattern, fr.RegistryID, fr.Region)
	}
	k := registryKey{fr.RegistryID, fr.Region}
	if _, dup := w.registries[k]; dup {
		return fmt.Errorf("registry %s in %s is listed twice", k.account, k.region)
	}
	reg := w.registry(k)
	var err error
	if fr.SigningConfiguration != nil {
		if reg.signing, err = compileSigning(fr.SigningConfiguration, k.region); err != nil {
			return fmt.Errorf("signingConfiguration: %w", err)
		}
	}
	if fr.ReplicationConfiguration != nil {
		if reg.replication, err = compileReplication(fr.ReplicationConfiguration, k); err != nil {
			return fmt.Errorf("replicationConfiguration: %w", err)
		}
	}
	now := w.clock.Now()
	for i, frepo := range fr.Repositories {
		if err := rules.ValidateRepositoryName(frepo.RepositoryName); err != nil {
			return fmt.Errorf("repositories[%d]: %w", i, err)
		}
		if _, dup := reg.repos[frepo.RepositoryName]; dup {
			return fmt.Errorf("repositories[%d]: repository %q is listed twice", i, frepo.RepositoryName)
		}
		mut := frepo.ImageTagMutability
		if mut == "" {
			mut = ecrapi.TagMutable
		}
		if mut != ecrapi.TagMutable && mut != ecrapi.TagImmutable {
			return fmt.Errorf("repositories[%d].imageTagMutability: %q is not MUTABLE or IMMUTABLE", i, mut)
		}
		created := now
		if frepo.CreatedAt != nil {
			created = *frepo.CreatedAt
		}
		repo := newRepository(frepo.RepositoryName, mut, created)
		reg.repos[repo.name] = repo
		if err := loadRepositoryExtras(repo, frepo); err != nil {
			return fmt.Errorf("repositories[%d].%w", i, err)
		}
		for j, fi := range frepo.Images {
			img, err := loadImage(repo, fi)
			if err != nil {
				return fmt.Errorf("repositories[%d].images[%d]: %w", i, j, err)
			}
			repo.images[img.digest] = img
			repo.sigJobs += sigCount(img)
		}
		for j, pt := range frepo.PendingTags {
			if pt.ImageTag == "" || len(pt.ImageTag) > ecrapi.MaxImageTagLen {
				return fmt.Errorf("repositories[%d].pendingTags[%d]: image tag %q must have 1..%d characters", i, j, pt.ImageTag, ecrapi.MaxImageTagLen)
			}
			if repo.images[pt.ImageDigest] == nil {
				return fmt.Errorf("repositories[%d].pendingTags[%d]: image %s is not in the repository", i, j, pt.ImageDigest)
			}
			seq := pt.Push
			if seq == 0 { // a file of an earlier release: number the move as a push of its own
				w.pushes++
				seq = w.pushes
			}
			repo.pending = append(repo.pending, tagMove{tag: pt.ImageTag, digest: pt.ImageDigest, at: pt.AppliesAt, seq: seq})
		}
		slices.SortStableFunc(repo.pending, func(a, b tagMove) int { return cmp.Compare(a.seq, b.seq) })
	}
	return nil
}

func loadImage(repo *repository, fi fileImage) (*image, error) {
	if fi.ImageManifest == "" || ecrapi.Digest(fi.ImageManifest) != fi.ImageDigest {
		return nil, fmt.Errorf("imageDigest %q is not the digest of imageManifest", fi.ImageDigest)
	}
	if _, dup := repo.images[fi.ImageDigest]; dup {
		return nil, fmt.Errorf("image %s is listed twice", fi.ImageDigest)
	}
	img := &image{digest: fi.ImageDigest, manifest: fi.ImageManifest, mediaType: fi.ImageManifestMediaType, referrer: fi.Referrer, pushes: fi.Pushes, visibleAt: fi.VisibleAt, pushedAt: fi.VisibleAt}
	if fi.PushedAt != nil {
		img.pushedAt = *fi.PushedAt
	}
	if fi.LastRecordedPullTime != nil {
		img.lastPull = *fi.LastRecordedPullTime
	}
	for _, t := range fi.ImageTags {
		if t == "" || len(t) > ecrapi.MaxImageTagLen {
			return nil, fmt.Errorf("image tag %q must have 1..%d characters", t, ecrapi.MaxImageTagLen)
		}
		if d, ok := repo.tags[t]; ok {
			return nil, fmt.Errorf("tag %q is on %s too", t, d)
		}
		repo.tags[t] = fi.ImageDigest
	}
	for i, fj := range fi.Signing {
		if _, err := rules.ParseProfileARN(fj.SigningProfileArn); err != nil {
			return nil, fmt.Errorf("signingJobs[%d]: %v", i, err)
		}
		img.signing = setJob(img.signing, job{profile: fj.SigningProfileArn, push: fj.Push, start: fj.StartedAt, done: fj.SettlesAt, failureCode: fj.FailureCode, reason: fj.FailureReason, sigDeleted: fj.SignatureDeleted})
	}
	for i, fj := range fi.Replication {
		if !validRegistryID(fj.RegistryID) || !validRegion(fj.Region) {
			return nil, fmt.Errorf("replicationJobs[%d]: registryId %q or region %q is invalid", i, fj.RegistryID, fj.Region)
		}
		img.repl = setJob(img.repl, job{dest: registryKey{fj.RegistryID, fj.Region}, push: fj.Push, start: fj.StartedAt, done: fj.SettlesAt, failureCode: fj.FailureCode, reason: fj.FailureReason})
	}
	return img, nil
}

func fileOptionsOf(o Options) *fileOptions {
	sl, rl := duration(o.SigningLatency), duration(o.ReplicationLatency)
	faults := o.Faults
	return &fileOptions{
		SigningLatency: &sl, ReplicationLatency: &rl,
		SignReplicatedImages: o.SignReplicatedImages, StrictProfiles: o.StrictProfiles,
		StrictPrincipals: o.StrictPrincipals, CreateRepositoryOnPush: o.CreateRepositoryOnPush,
		RequireLayers: o.RequireLayers,
		Faults:        &faults,
	}
}

// settings returns the world file without its registries: defaults, clock, options,
// profiles, principals and counters; w.mu held.
func (w *World) settings() *worldFile {
	f := &worldFile{
		DefaultRegistry:  &fileRegistryRef{RegistryID: w.defaultAccount, Region: w.defaultRegion},
		DefaultPrincipal: w.defaultPrincipal,
		Options:          fileOptionsOf(w.opts),
		Profiles:         make(map[string]ProfileStatus, len(w.profiles)),
		Principals:       make(map[string][]string, len(w.principals)),
		Pushes:           w.pushes,
		Operations:       w.ops.Load(),
	}
	switch st := w.clock.State(); {
	case st.Frozen:
		f.Now = &st.Now
	case st.Offset != 0:
		d := duration(st.Offset)
		f.ClockOffset = &d
	}
	maps.Copy(f.Profiles, w.profiles)
	for p, g := range w.principals {
		f.Principals[p] = slices.Sorted(maps.Keys(g))
	}
	return f
}

// registrySnapshot is a registry as it is at one instant: what Save writes and a new store
// stores. Images are immutable (a change replaces them), so holding them is enough.
type registrySnapshot struct {
	key         registryKey
	signing     *signingState
	replication *replicationState
	repos       []repoSnapshot
}

type repoSnapshot struct {
	repo         *repository // only its name and creation time are read
	mutability   string
	resourceTags []ecrapi.ResourceTag
	layers       map[string]int64
	images       []*image // by digest
	tags         map[string]string
	pending      []tagMove
}

// snapshotRegistries copies the registries' structure, sorted; w.mu held. It copies
// pointers and tags, not manifests or jobs.
func (w *World) snapshotRegistries() []registrySnapshot {
	keys := slices.SortedFunc(maps.Keys(w.registries), func(a, b registryKey) int {
		return cmp.Or(strings.Compare(a.account, b.account), strings.Compare(a.region, b.region))
	})
	out := make([]registrySnapshot, 0, len(keys))
	for _, k := range keys {
		reg := w.registries[k]
		rs := registrySnapshot{key: k, signing: reg.signing, replication: reg.replication, repos: make([]repoSnapshot, 0, len(reg.repos))}
		for _, name := range slices.Sorted(maps.Keys(reg.repos)) {
			repo := reg.repos[name]
			images := slices.Collect(maps.Values(repo.images))
			slices.SortFunc(images, func(a, b *image) int { return strings.Compare(a.digest, b.digest) })
			rs.repos = append(rs.repos, repoSnapshot{repo: repo, mutability: repo.mutability, resourceTags: repo.resourceTags, layers: maps.Clone(repo.blobs), images: images, tags: maps.Clone(repo.tags), pending: slices.Clone(repo.pending)})
		}
		out = append(out, rs)
	}
	return out
}

// Save writes the whole world, including every image and job, in the file form Load reads,
// indented for people to read. The output is deterministic: registries, repositories,
// images and tags are sorted. The world is locked only while Save copies its structure
// (pointers, not manifests); the file is then streamed to out one image at a time, so a
// world is never held twice in memory.
func (w *World) Save(out io.Writer) error { return w.save(out, "  ") }

// SaveCompact writes what Save writes as compact JSON (no indentation).
func (w *World) SaveCompact(out io.Writer) error { return w.save(out, "") }

func (w *World) save(out io.Writer, indent string) error {
	w.mu.Lock()
	f := w.settings()
	regs := w.snapshotRegistries()
	w.mu.Unlock()
	s := &jsonStream{w: bufio.NewWriterSize(out, 64<<10), indent: indent}
	s.open(f, 0, "registries", len(regs) > 0)
	for i, reg := range regs {
		fr := fileRegistry{RegistryID: reg.key.account, Region: reg.key.region}
		if reg.signing != nil {
			fr.SigningConfiguration = reg.signing.cfg
		}
		if reg.replication != nil {
			fr.ReplicationConfiguration = reg.replication.cfg
		}
		s.element(i, 2)
		s.open(fr, 2, "repositories", len(reg.repos) > 0)
		for j, rs := range reg.repos {
			repo := rs.repo
			created := repo.createdAt
			frepo := fileRepository{RepositoryName: repo.name, ImageTagMutability: rs.mutability, CreatedAt: &created, Tags: rs.resourceTags, Blobs: rs.layers}
			for _, m := range rs.pending {
				frepo.PendingTags = append(frepo.PendingTags, filePendingTag{ImageTag: m.tag, ImageDigest: m.digest, AppliesAt: m.at, Push: m.seq})
			}
			tags := map[string][]string{}
			for t, d := range rs.tags {
				tags[d] = append(tags[d], t)
			}
			s.element(j, 4)
			s.open(frepo, 4, "images", len(rs.images) > 0)
			for k, img := range rs.images {
				fi := fileImageOf(img)
				fi.ImageTags = tags[img.digest]
				slices.Sort(fi.ImageTags)
				s.element(k, 6)
				s.value(fi, 6)
			}
			s.close(4, len(rs.images) > 0)
		}
		s.close(2, len(reg.repos) > 0)
	}
	s.close(0, len(regs) > 0)
	s.raw("\n")
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

func fileImageOf(img *image) fileImage {
	return fileImage{ImageDigest: img.digest, ImageManifest: img.manifest, imageRecord: imageRecordOf(img)}
}

func fileJobs(img *image) (signing, repl []fileJob) {
	// by index, reading only the job's state: its cached signature (sig) is written under
	// the world's lock while Save reads images without it
	for i := range img.signing {
		j := &img.signing[i]
		signing = append(signing, fileJob{SigningProfileArn: j.profile, Push: j.push, StartedAt: j.start, SettlesAt: j.done, FailureCode: j.failureCode, FailureReason: j.reason, SignatureDeleted: j.sigDeleted})
	}
	for _, j := range img.repl {
		repl = append(repl, fileJob{Region: j.dest.region, RegistryID: j.dest.account, Push: j.push, StartedAt: j.start, SettlesAt: j.done, FailureCode: j.failureCode, FailureReason: j.reason})
	}
	return signing, repl
}

// jsonStream writes a JSON document whose objects end in one streamed list member, as
// json.Encoder with SetIndent("", indent) would write the whole document.
type jsonStream struct {
	w      *bufio.Writer
	indent string
	err    error
}

func (s *jsonStream) raw(t string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(t)
	}
}

// newline starts a line at depth levels of indentation (nothing in compact form).
func (s *jsonStream) newline(depth int) {
	if s.indent != "" {
		s.raw("\n" + strings.Repeat(s.indent, depth))
	}
}

func (s *jsonStream) marshal(v any, depth int) []byte {
	var b []byte
	var err error
	if s.indent == "" {
		b, err = json.Marshal(v)
	} else {
		b, err = json.MarshalIndent(v, strings.Repeat(s.indent, depth), s.indent)
	}
	if err != nil && s.err == nil {
		s.err = err
	}
	return b
}

func (s *jsonStream) value(v any, depth int) {
	if s.err == nil {
		_, s.err = s.w.Write(s.marshal(v, depth))
	}
}

// open writes object v, at depth, without its closing brace and followed by the opening of
// list member (when any): the list's elements and close follow.
func (s *jsonStream) open(v any, depth int, member string, any bool) {
	b := s.marshal(v, depth)
	b = bytes.TrimSuffix(b, []byte("}"))
	b = bytes.TrimRight(b, " \n")
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
	if !any {
		return
	}
	if len(b) > 1 {
		s.raw(",")
	}
	s.newline(depth + 1)
	if s.indent == "" {
		s.raw(`"` + member + `":[`)
	} else {
		s.raw(`"` + member + `": [`)
	}
}

// element starts the i-th element of a list whose elements are at depth.
func (s *jsonStream) element(i, depth int) {
	if i > 0 {
		s.raw(",")
	}
	s.newline(depth)
}

// close ends the list opened by open (when any) and the object, at depth.
func (s *jsonStream) close(depth int, any bool) {
	if any {
		s.newline(depth + 1)
		s.raw("]")
	}
	s.newline(depth)
	s.raw("}")
}

// imageTimes returns what the world file holds of an image's latest push (nil when it is
// its appearance) and latest recorded pull (nil when never pulled).
func imageTimes(img *image) (pushedAt, lastPull *time.Time) {
	if !img.pushedAt.IsZero() && !img.pushedAt.Equal(img.visibleAt) {
		t := img.pushedAt
		pushedAt = &t
	}
	if !img.lastPull.IsZero() {
		t := img.lastPull
		lastPull = &t
	}
	return pushedAt, lastPull
}
