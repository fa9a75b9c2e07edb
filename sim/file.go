package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/rules"
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
	// Blobs are the sizes of the layers and configs uploaded to the repository, by digest
	// (their bytes are in the blob store); Tags are its resource tags.
	Blobs map[string]int64 `json:"blobs,omitempty"`
	Tags  []ResourceTag    `json:"tags,omitempty"`
}

type filePendingTag struct {
	ImageTag    string    `json:"imageTag"`
	ImageDigest string    `json:"imageDigest"`
	AppliesAt   time.Time `json:"appliesAt"`
}

type fileImage struct {
	ImageDigest            string     `json:"imageDigest"`
	ImageTags              []string   `json:"imageTags,omitempty"`
	ImageManifest          string     `json:"imageManifest"`
	ImageManifestMediaType string     `json:"imageManifestMediaType"`
	Referrer               bool       `json:"referrer,omitempty"`
	Pushes                 int        `json:"pushes"`
	VisibleAt              time.Time  `json:"visibleAt"`
	Signing                []fileJob  `json:"signingJobs,omitempty"`
	Replication            []fileJob  `json:"replicationJobs,omitempty"`
	PushedAt               *time.Time `json:"pushedAt,omitempty"`
	LastRecordedPullTime   *time.Time `json:"lastRecordedPullTime,omitempty"`
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
	// SignatureDeleted: the signature referrer of this completed job was deleted.
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
// names the place in the file. A world file with "now" runs on a [ManualClock] set to it;
// one with "clockOffset" on a clock that follows real time shifted by the offset (see
// [ClockStater]; [World.Clock] returns it).
func Load(r io.Reader, opts ...Option) (*World, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxWorldFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	if len(data) > MaxWorldFileBytes {
		return nil, fmt.Errorf("world file: larger than %d bytes", MaxWorldFileBytes)
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
	w := New()
	if err := w.apply(&f); err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	for _, o := range opts {
		o(w)
	}
	return w, nil
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
	switch {
	case f.Now != nil && f.ClockOffset != nil:
		return errors.New(`"now" (a frozen clock) and "clockOffset" (a running one) exclude each other`)
	case f.Now != nil:
		w.clock = NewManualClock(*f.Now)
	case f.ClockOffset != nil:
		w.clock = offsetClock{time.Duration(*f.ClockOffset)}
	}
	if o := f.Options; o != nil {
		for name, d := range map[string]*duration{"signingLatency": o.SigningLatency, "replicationLatency": o.ReplicationLatency} {
			if d != nil && *d < 0 {
				return fmt.Errorf("options.%s: duration %q is negative", name, time.Duration(*d))
			}
		}
		if o.SigningLatency != nil {
			w.opts.SigningLatency = time.Duration(*o.SigningLatency)
		}
		if o.ReplicationLatency != nil {
			w.opts.ReplicationLatency = time.Duration(*o.ReplicationLatency)
		}
		w.opts.SignReplicatedImages = o.SignReplicatedImages
		w.opts.StrictProfiles = o.StrictProfiles
		w.opts.StrictPrincipals = o.StrictPrincipals
		w.opts.CreateRepositoryOnPush = o.CreateRepositoryOnPush
		if o.Faults != nil {
			for name, r := range map[string]float64{"signingFailureRate": o.Faults.SigningFailureRate, "replicationFailureRate": o.Faults.ReplicationFailureRate, "serverErrorRate": o.Faults.ServerErrorRate} {
				if !(r >= 0 && r <= 1) {
					return fmt.Errorf("options.faults.%s: %v is not a probability in [0, 1]", name, r)
				}
			}
			w.opts.Faults = *o.Faults
		}
	}
	for arn, s := range f.Profiles {
		if _, err := rules.ParseProfileARN(arn); err != nil {
			return fmt.Errorf("profiles: %v", err)
		}
		if !s.valid() {
			return fmt.Errorf("profiles[%q]: status %q is not ACTIVE, CANCELED, REVOKED or ABSENT", arn, s)
		}
		w.profiles[arn] = s
	}
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
	for i, fr := range f.Registries {
		if err := w.applyRegistry(fr); err != nil {
			return fmt.Errorf("registries[%d]: %w", i, err)
		}
	}
	w.pushes, w.ops = f.Pushes, f.Operations
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
			mut = TagMutable
		}
		if mut != TagMutable && mut != TagImmutable {
			return fmt.Errorf("repositories[%d].imageTagMutability: %q is not MUTABLE or IMMUTABLE", i, mut)
		}
		created := now
		if frepo.CreatedAt != nil {
			created = *frepo.CreatedAt
		}
		repo := newRepository(frepo.RepositoryName, mut, created)
		reg.repos[repo.name] = repo
		for j, fi := range frepo.Images {
			img, err := loadImage(repo, fi)
			if err != nil {
				return fmt.Errorf("repositories[%d].images[%d]: %w", i, j, err)
			}
			repo.images[img.digest] = img
		}
		for j, pt := range frepo.PendingTags {
			if pt.ImageTag == "" || len(pt.ImageTag) > MaxImageTagLen {
				return fmt.Errorf("repositories[%d].pendingTags[%d]: image tag %q must have 1..%d characters", i, j, pt.ImageTag, MaxImageTagLen)
			}
			if repo.images[pt.ImageDigest] == nil {
				return fmt.Errorf("repositories[%d].pendingTags[%d]: image %s is not in the repository", i, j, pt.ImageDigest)
			}
			repo.pending = append(repo.pending, tagMove{tag: pt.ImageTag, digest: pt.ImageDigest, at: pt.AppliesAt})
		}
		if err := loadRepositoryExtras(repo, frepo); err != nil {
			return fmt.Errorf("repositories[%d].%w", i, err)
		}
	}
	return nil
}

func loadImage(repo *repository, fi fileImage) (*image, error) {
	if fi.ImageManifest == "" || Digest(fi.ImageManifest) != fi.ImageDigest {
		return nil, fmt.Errorf("imageDigest %q is not the digest of imageManifest", fi.ImageDigest)
	}
	if _, dup := repo.images[fi.ImageDigest]; dup {
		return nil, fmt.Errorf("image %s is listed twice", fi.ImageDigest)
	}
	img := &image{digest: fi.ImageDigest, manifest: fi.ImageManifest, mediaType: fi.ImageManifestMediaType, referrer: fi.Referrer, pushes: fi.Pushes, visibleAt: fi.VisibleAt}
	if fi.PushedAt != nil {
		img.pushedAt = *fi.PushedAt
	}
	if fi.LastRecordedPullTime != nil {
		img.lastPull = *fi.LastRecordedPullTime
	}
	for _, t := range fi.ImageTags {
		if t == "" || len(t) > MaxImageTagLen {
			return nil, fmt.Errorf("image tag %q must have 1..%d characters", t, MaxImageTagLen)
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
		img.repl = setJob(img.repl, job{dest: registryKey{fj.RegistryID, fj.Region}, push: fj.Push, start: fj.StartedAt, done: fj.SettlesAt, failureCode: fj.FailureCode})
	}
	return img, nil
}

// Save writes the whole world, including every image and job, in the file form Load reads,
// indented for people to read. The output is deterministic: registries, repositories,
// images and tags are sorted. The world is locked only while Save copies what it writes;
// encoding happens after, so concurrent operations wait for the copy, not for the output.
func (w *World) Save(out io.Writer) error { return w.save(out, "  ") }

// SaveCompact writes what Save writes as compact JSON (no indentation): smaller and faster
// to write and read, for machines (a state file).
func (w *World) SaveCompact(out io.Writer) error { return w.save(out, "") }

func (w *World) save(out io.Writer, indent string) error {
	w.mu.Lock()
	f := w.snapshot()
	w.mu.Unlock()
	f.sort()
	enc := json.NewEncoder(out)
	enc.SetIndent("", indent)
	return enc.Encode(f)
}

// snapshot returns the file form of the world, unsorted; w.mu held. It copies everything
// that operations change; what it shares (strings, configurations, which are replaced and
// never modified) is immutable, so the result can be encoded after w.mu is released.
func (w *World) snapshot() *worldFile {
	sl, rl := duration(w.opts.SigningLatency), duration(w.opts.ReplicationLatency)
	faults := w.opts.Faults
	f := &worldFile{
		DefaultRegistry:  &fileRegistryRef{RegistryID: w.defaultAccount, Region: w.defaultRegion},
		DefaultPrincipal: w.defaultPrincipal,
		Options: &fileOptions{
			SigningLatency: &sl, ReplicationLatency: &rl,
			SignReplicatedImages: w.opts.SignReplicatedImages, StrictProfiles: w.opts.StrictProfiles,
			StrictPrincipals: w.opts.StrictPrincipals, CreateRepositoryOnPush: w.opts.CreateRepositoryOnPush,
			Faults: &faults,
		},
		Profiles:   make(map[string]ProfileStatus, len(w.profiles)),
		Principals: make(map[string][]string, len(w.principals)),
		Registries: make([]fileRegistry, 0, len(w.registries)),
		Pushes:     w.pushes,
		Operations: w.ops,
	}
	if cs, ok := w.clock.(ClockStater); ok {
		switch frozen, now, offset := cs.ClockState(); {
		case frozen:
			f.Now = &now
		case offset != 0:
			d := duration(offset)
			f.ClockOffset = &d
		}
	}
	for arn, s := range w.profiles {
		f.Profiles[arn] = s
	}
	for p, g := range w.principals {
		arns := make([]string, 0, len(g))
		for a := range g {
			arns = append(arns, a)
		}
		f.Principals[p] = arns
	}
	for k, reg := range w.registries {
		fr := fileRegistry{RegistryID: k.account, Region: k.region, Repositories: make([]fileRepository, 0, len(reg.repos))}
		if reg.signing != nil {
			fr.SigningConfiguration = reg.signing.cfg
		}
		if reg.replication != nil {
			fr.ReplicationConfiguration = reg.replication.cfg
		}
		for n, repo := range reg.repos {
			created := repo.createdAt
			frepo := fileRepository{RepositoryName: n, ImageTagMutability: repo.mutability, CreatedAt: &created, Images: make([]fileImage, 0, len(repo.images))}
			at := make(map[string]int, len(repo.images))
			for d, img := range repo.images {
				at[d] = len(frepo.Images)
				fi := fileImage{ImageDigest: d, ImageManifest: img.manifest, ImageManifestMediaType: img.mediaType, Referrer: img.referrer, Pushes: img.pushes, VisibleAt: img.visibleAt}
				saveImageExtras(&fi, img)
				if len(img.signing) > 0 {
					fi.Signing = make([]fileJob, 0, len(img.signing))
				}
				if len(img.repl) > 0 {
					fi.Replication = make([]fileJob, 0, len(img.repl))
				}
				for _, j := range img.signing {
					fi.Signing = append(fi.Signing, fileJob{SigningProfileArn: j.profile, Push: j.push, StartedAt: j.start, SettlesAt: j.done, FailureCode: j.failureCode, FailureReason: j.reason, SignatureDeleted: j.sigDeleted})
				}
				for _, j := range img.repl {
					fi.Replication = append(fi.Replication, fileJob{Region: j.dest.region, RegistryID: j.dest.account, Push: j.push, StartedAt: j.start, SettlesAt: j.done, FailureCode: j.failureCode})
				}
				frepo.Images = append(frepo.Images, fi)
			}
			for t, d := range repo.tags {
				if i, ok := at[d]; ok {
					frepo.Images[i].ImageTags = append(frepo.Images[i].ImageTags, t)
				}
			}
			for _, m := range repo.pending {
				frepo.PendingTags = append(frepo.PendingTags, filePendingTag{ImageTag: m.tag, ImageDigest: m.digest, AppliesAt: m.at})
			}
			saveRepositoryExtras(&frepo, repo)
			fr.Repositories = append(fr.Repositories, frepo)
		}
		f.Registries = append(f.Registries, fr)
	}
	return f
}

// sort puts a snapshot in the deterministic order Save writes: registries by account and
// region, repositories by name, images by digest, tags and granted profiles by value.
func (f *worldFile) sort() {
	for _, arns := range f.Principals {
		slices.Sort(arns)
	}
	slices.SortFunc(f.Registries, func(a, b fileRegistry) int {
		if c := strings.Compare(a.RegistryID, b.RegistryID); c != 0 {
			return c
		}
		return strings.Compare(a.Region, b.Region)
	})
	for i := range f.Registries {
		repos := f.Registries[i].Repositories
		slices.SortFunc(repos, func(a, b fileRepository) int { return strings.Compare(a.RepositoryName, b.RepositoryName) })
		for j := range repos {
			imgs := repos[j].Images
			slices.SortFunc(imgs, func(a, b fileImage) int { return strings.Compare(a.ImageDigest, b.ImageDigest) })
			for k := range imgs {
				slices.Sort(imgs[k].ImageTags)
			}
		}
	}
}
