package sim

import (
	"fmt"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// begin checks the caller and injects server faults; w.mu held.
func (c *client) begin(op string) error {
	if err := c.w.serverFault(op); err != nil {
		return err
	}
	if !validRegistryID(c.caller.Account) {
		return invalidRequest(op, fmt.Sprintf("The caller's account '%s' is not a registry id: it must match %s", c.caller.Account, rules.RegistryIDPattern))
	}
	if !validRegion(c.caller.Region) {
		return invalidRequest(op, fmt.Sprintf("The caller's region '%s' must match %s", c.caller.Region, rules.RegionPattern))
	}
	return nil
}

// read is the prologue of an operation that only reads: lock, begin, body. It holds the
// world's lock shared, so that reads do not queue behind each other (body must change
// nothing; begin's operation counter is atomic).
func (c *client) read(op string, body func() error) error {
	c.w.mu.RLock()
	defer c.w.mu.RUnlock()
	if err := c.begin(op); err != nil {
		return err
	}
	return body()
}

// write is the prologue of an operation that may change the world: it runs plan through
// [World.mutate] (scopes held, change committed before it is applied) after begin.
func (c *client) write(op string, scopes func() []scope, plan func(ch *change) error) error {
	return c.w.mutate(op, scopes, func(ch *change) error {
		if err := c.begin(op); err != nil {
			return err
		}
		return plan(ch)
	})
}

// key is the registry a request addresses: its registryId member, else the caller's account.
func (c *client) key(registryID string) registryKey {
	if registryID == "" {
		registryID = c.caller.Account
	}
	return registryKey{registryID, c.caller.Region}
}

// configScopes are those of an operation that changes the caller's registry's
// configurations.
func (c *client) configScopes() []scope {
	return []scope{worldScope(false), registryScope(c.key(""), true)}
}

// putConfig stores a registry's configurations as set changes them, and applies set; w.mu
// held.
func (c *client) putConfig(op string, ch *change, set func(*registry)) error {
	w, k := c.w, c.key("")
	reg := w.registries[k]
	if reg == nil {
		if err := w.checkNewRegistry(op, k); err != nil {
			return err
		}
		reserve(ch, w.creating, k)
		reg = &registry{key: k}
	}
	next := *reg
	set(&next)
	putRegistry(ch, k, next.signing, next.replication)
	ch.then(func() { set(w.registry(k)) })
	return nil
}

// PutSigningConfiguration replaces the registry's signing configuration. It raises
// ValidationException for a configuration that breaks the API model (with AWS's "N validation
// errors detected" message) or names a profile of another region. Later pushes use it;
// statuses of earlier pushes do not change.
func (c *client) PutSigningConfiguration(req *ecrapi.PutSigningConfigurationRequest) (*ecrapi.PutSigningConfigurationResponse, error) {
	var cfg *rules.SigningConfiguration
	if req != nil {
		cfg = req.SigningConfiguration
	}
	const op = ecrapi.OpPutSigningConfiguration
	st, cerr := compileSigning(cfg, c.caller.Region)
	err := c.write(op, c.configScopes, func(ch *change) error {
		if cerr != nil {
			return cerr
		}
		return c.putConfig(op, ch, func(r *registry) { r.signing = st })
	})
	if err != nil {
		return nil, err
	}
	return &ecrapi.PutSigningConfigurationResponse{SigningConfiguration: cloneSigning(st.cfg)}, nil
}

// GetSigningConfiguration returns the registry's signing configuration, or
// SigningConfigurationNotFoundException.
func (c *client) GetSigningConfiguration(*ecrapi.GetSigningConfigurationRequest) (*ecrapi.GetSigningConfigurationResponse, error) {
	var out *ecrapi.GetSigningConfigurationResponse
	err := c.read(ecrapi.OpGetSigningConfiguration, func() error {
		k := c.key("")
		reg := c.w.registries[k]
		if reg == nil || reg.signing == nil {
			return noSigningConfiguration(k)
		}
		out = &ecrapi.GetSigningConfigurationResponse{RegistryID: k.account, SigningConfiguration: cloneSigning(reg.signing.cfg)}
		return nil
	})
	return out, err
}

// DeleteSigningConfiguration removes the registry's signing configuration and returns it.
// Images pushed afterwards are not signed; existing statuses stay.
func (c *client) DeleteSigningConfiguration(*ecrapi.DeleteSigningConfigurationRequest) (*ecrapi.DeleteSigningConfigurationResponse, error) {
	const op = ecrapi.OpDeleteSigningConfiguration
	var out *ecrapi.DeleteSigningConfigurationResponse
	err := c.write(op, c.configScopes, func(ch *change) error {
		k := c.key("")
		reg := c.w.registries[k]
		if reg == nil || reg.signing == nil {
			return noSigningConfiguration(k)
		}
		out = &ecrapi.DeleteSigningConfigurationResponse{RegistryID: k.account, SigningConfiguration: cloneSigning(reg.signing.cfg)}
		return c.putConfig(op, ch, func(r *registry) { r.signing = nil })
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func noSigningConfiguration(k registryKey) error {
	return newError(ecrapi.SigningConfigurationNotFoundException, "Signing configuration does not exist for the registry with id '%s' in region '%s'", k.account, k.region)
}

// PutReplicationConfiguration replaces the registry's replication configuration. Besides the
// model's constraints it rejects a destination that is the source registry and more than 25
// distinct destinations (InvalidParameterException).
func (c *client) PutReplicationConfiguration(req *ecrapi.PutReplicationConfigurationRequest) (*ecrapi.PutReplicationConfigurationResponse, error) {
	var cfg *rules.ReplicationConfiguration
	if req != nil {
		cfg = req.ReplicationConfiguration
	}
	const op = ecrapi.OpPutReplicationConfiguration
	st, cerr := compileReplication(cfg, c.key(""))
	err := c.write(op, c.configScopes, func(ch *change) error {
		if cerr != nil {
			return cerr
		}
		return c.putConfig(op, ch, func(r *registry) { r.replication = st })
	})
	if err != nil {
		return nil, err
	}
	return &ecrapi.PutReplicationConfigurationResponse{ReplicationConfiguration: cloneReplication(st.cfg)}, nil
}

// DescribeRegistry returns the registry id and its replication configuration (one with no
// rules when none was put).
func (c *client) DescribeRegistry(*ecrapi.DescribeRegistryRequest) (*ecrapi.DescribeRegistryResponse, error) {
	var out *ecrapi.DescribeRegistryResponse
	err := c.read(ecrapi.OpDescribeRegistry, func() error {
		k := c.key("")
		out = &ecrapi.DescribeRegistryResponse{RegistryID: k.account, ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}}
		if reg := c.w.registries[k]; reg != nil && reg.replication != nil {
			out.ReplicationConfiguration = cloneReplication(reg.replication.cfg)
		}
		return nil
	})
	return out, err
}

// CreateRepository creates a repository; RepositoryAlreadyExistsException if it exists,
// LimitExceededException when the registry holds as many repositories as its limit allows.
func (c *client) CreateRepository(req *ecrapi.CreateRepositoryRequest) (*ecrapi.CreateRepositoryResponse, error) {
	const op = ecrapi.OpCreateRepository
	if req == nil {
		req = &ecrapi.CreateRepositoryRequest{}
	}
	k := c.key(req.RegistryID)
	var out *ecrapi.CreateRepositoryResponse
	scopes := func() []scope {
		return []scope{worldScope(false), registryScope(k, false), repoScope(k, req.RepositoryName)}
	}
	err := c.write(op, scopes, func(ch *change) error {
		w := c.w
		var vs []rules.Violation
		if req.RepositoryName == "" {
			vs = prefixViolations("repositoryName", rules.CheckRepositoryName(req.RepositoryName))
		}
		mut := req.ImageTagMutability
		switch mut {
		case "":
			mut = ecrapi.TagMutable
		case ecrapi.TagMutable, ecrapi.TagImmutable:
		case "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION":
			return newError(ecrapi.InvalidParameterException, "Invalid parameter at 'imageTagMutability': %s is not modelled by the ecrsign simulator; use MUTABLE or IMMUTABLE", mut)
		default:
			vs = append(vs, rules.Violation{Path: "imageTagMutability", Value: mut, Constraint: "Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]"})
		}
		if len(vs) > 0 {
			return invalidRequest(op, rules.FormatViolations("", vs))
		}
		if err := checkRepositoryMembers(op, req.RegistryID, req.RepositoryName); err != nil {
			return err
		}
		if _, err := c.access(op, req.RegistryID, req.RepositoryName); err != nil {
			return err
		}
		if reg := w.registries[k]; reg != nil && reg.repos[req.RepositoryName] != nil {
			return newError(ecrapi.RepositoryAlreadyExistsException, "The repository with name '%s' already exists in the registry with id '%s'", req.RepositoryName, k.account)
		}
		if err := w.checkNewRegistry(op, k); err != nil {
			return err
		}
		if err := w.checkNewRepository(op, k); err != nil {
			return err
		}
		repo := newRepository(req.RepositoryName, mut, w.clock.Now())
		newRepoEdit(k, repo, true).record(ch, w)
		out = &ecrapi.CreateRepositoryResponse{Repository: repositoryShape(k, repo)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func repositoryShape(k registryKey, r *repository) *ecrapi.Repository {
	return &ecrapi.Repository{
		CreatedAt:          &ecrapi.Timestamp{Time: r.createdAt},
		ImageTagMutability: r.mutability,
		RegistryID:         k.account,
		RepositoryArn:      fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", k.region, k.account, r.name),
		RepositoryName:     r.name,
		RepositoryURI:      fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", k.account, k.region, r.name),
	}
}

// PutImage pushes a manifest as the caller's principal; see [World.Push].
func (c *client) PutImage(req *ecrapi.PutImageRequest) (*ecrapi.PutImageResponse, error) {
	res, err := c.Push(req)
	if err != nil {
		return nil, err
	}
	return &ecrapi.PutImageResponse{Image: &res.Image}, nil
}

// Push is PutImage returning everything the push did. The registry's signing configuration
// at this instant decides, through the compiled matcher, which profiles sign the image: one
// job per distinct profile, IN_PROGRESS until the signing latency passes, then COMPLETE or
// FAILED. Referrers (manifests with a subject) are not signed. An image index is a push of
// its own and needs the manifests it references in the repository
// (ReferencedImagesNotFoundException otherwise). Replication sends the push once to each
// distinct destination of the matching rules. A re-push of the same manifest, or a new tag on
// it, is a push: it starts new jobs, whose statuses replace those of earlier jobs for the same
// profile or destination.
func (c *client) Push(req *ecrapi.PutImageRequest) (*PushResult, error) {
	return c.push(ecrapi.OpPutImage, req, pushMode{})
}

// pushMode says how a push differs from PutImage's: repush lets the same manifest and tag
// be pushed again (the registry protocol accepts it), requireLayers refuses a manifest whose
// blobs are not in the repository.
type pushMode struct{ repush, requireLayers bool }

// push is PutImage, or a manifest PUT of the registry protocol, as mode says.
func (c *client) push(op string, req *ecrapi.PutImageRequest, mode pushMode) (*PushResult, error) {
	info, perr := parsePush(op, req)
	var res *PushResult
	err := c.write(op, func() []scope { return c.pushScopes(req, info.digest) }, func(ch *change) error {
		if perr != nil {
			return perr
		}
		w := c.w
		k, err := c.access(op, req.RegistryID, req.RepositoryName)
		if err != nil {
			return err
		}
		now := w.clock.Now()
		var repo *repository
		if reg := w.registries[k]; reg != nil {
			repo = reg.repos[req.RepositoryName]
		}
		created := repo == nil
		if created {
			if !w.opts.CreateRepositoryOnPush {
				return noRepository(k, req.RepositoryName)
			}
			if err := w.checkNewRegistry(op, k); err != nil {
				return err
			}
			if err := w.checkNewRepository(op, k); err != nil {
				return err
			}
			repo = newRepository(req.RepositoryName, ecrapi.TagMutable, now) // kept only if the push succeeds
		}
		e := newRepoEdit(k, repo, created)
		e.settle(now)
		if req.ImageTag != "" && repo.mutability == ecrapi.TagImmutable {
			if _, taken := e.tagTaken(req.ImageTag, info.digest); taken {
				return newError(ecrapi.ImageTagAlreadyExistsException, "The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", req.ImageTag, repo.name)
			}
		}
		var missing []string
		for _, d := range info.children {
			if img := e.image(d); img == nil || now.Before(img.visibleAt) {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			return newError(ecrapi.ReferencedImagesNotFoundException, "The image index references %d manifest(s) not found in the repository '%s': %s", len(missing), repo.name, briefDigests(missing))
		}
		if err := c.checkPush(op, e, req, info, mode, now); err != nil {
			return err
		}
		res = w.push(ch, e, req, info, c.caller.Principal, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// pushScopes are those of a push: the registry's configurations (read), the repository
// and, for each destination its replication configuration names, the repository there;
// w.mu held. A push of the manifest digest into a repository that can take it alongside
// other pushes shares the repository with them (pushRepoScopes).
func (c *client) pushScopes(req *ecrapi.PutImageRequest, digest string) []scope {
	if req == nil {
		return []scope{worldScope(false)}
	}
	k := c.key(req.RegistryID)
	ss := []scope{worldScope(false), registryScope(k, false)}
	reg := c.w.registries[k]
	if reg == nil || reg.replication == nil {
		return append(ss, c.w.pushRepoScopes(k, req.RepositoryName, digest, req.ImageTag)...)
	}
	ss = append(ss, repoScope(k, req.RepositoryName))
	for _, d := range appendDestinations(nil, k, reg.replication, reg.replication.matcher.Match(req.RepositoryName).Rules()) {
		ss = append(ss, registryScope(d, false), repoScope(d, req.RepositoryName))
	}
	return ss
}

func briefDigests(ds []string) string {
	const max = 3
	s := fmt.Sprint(ds[:min(len(ds), max)])
	if len(ds) > max {
		s += fmt.Sprintf(" and %d more", len(ds)-max)
	}
	return s
}

func noRepository(k registryKey, name string) error {
	return newError(ecrapi.RepositoryNotFoundException, "The repository with name '%s' does not exist in the registry with id '%s'", name, k.account)
}

// findImage validates an image request and finds the image; w.mu held.
func (c *client) findImage(op, registryID, name string, id *ecrapi.ImageIdentifier) (registryKey, *image, error) {
	var vs []rules.Violation
	if name == "" {
		vs = prefixViolations("repositoryName", rules.CheckRepositoryName(name))
	}
	if id == nil {
		vs = append(vs, rules.Violation{Path: "imageId", Value: "null", Constraint: "Member must not be null"})
	} else {
		vs = append(vs, imageTagViolations("imageId.imageTag", id.ImageTag)...)
	}
	if len(vs) > 0 {
		return registryKey{}, nil, invalidRequest(op, rules.FormatViolations("", vs))
	}
	if err := checkRepositoryMembers(op, registryID, name); err != nil {
		return registryKey{}, nil, err
	}
	if id.ImageDigest == "" && id.ImageTag == "" {
		return registryKey{}, nil, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "Invalid parameter at 'imageId': specify imageDigest, imageTag or both"}
	}
	if err := checkDigest("imageId.imageDigest", id.ImageDigest); err != nil {
		return registryKey{}, nil, err
	}
	k, err := c.access(op, registryID, name)
	if err != nil {
		return k, nil, err
	}
	reg := c.w.registries[k]
	var repo *repository
	if reg != nil {
		repo = reg.repos[name]
	}
	if repo == nil {
		return k, nil, noRepository(k, name)
	}
	now := c.w.clock.Now()
	digest := id.ImageDigest
	if id.ImageTag != "" {
		d, ok := repo.tag(id.ImageTag, now)
		if !ok || (digest != "" && d != digest) {
			return k, nil, noImage(k, name, id)
		}
		digest = d
	}
	img := repo.images[digest]
	if img == nil || now.Before(img.visibleAt) {
		return k, nil, noImage(k, name, id)
	}
	return k, img, nil
}

func noImage(k registryKey, name string, id *ecrapi.ImageIdentifier) error {
	q := func(s string) string {
		if s == "" {
			return "'null'"
		}
		return "'" + s + "'"
	}
	return newError(ecrapi.ImageNotFoundException, "The image with imageId {imageDigest:%s, imageTag:%s} does not exist within the repository with name '%s' in the registry with id '%s'", q(id.ImageDigest), q(id.ImageTag), name, k.account)
}

// DescribeImageSigningStatus returns one status per signing profile that signed the image,
// each that of the profile's latest job; an empty list when no rule applied.
func (c *client) DescribeImageSigningStatus(req *ecrapi.DescribeImageSigningStatusRequest) (*ecrapi.DescribeImageSigningStatusResponse, error) {
	const op = ecrapi.OpDescribeImageSigningStatus
	if req == nil {
		req = &ecrapi.DescribeImageSigningStatusRequest{}
	}
	var out *ecrapi.DescribeImageSigningStatusResponse
	err := c.read(op, func() error {
		k, img, err := c.findImage(op, req.RegistryID, req.RepositoryName, req.ImageID)
		if err != nil {
			return err
		}
		out = signingStatusOf(k, req, img, c.w.clock.Now())
		return nil
	})
	return out, err
}

func signingStatusOf(k registryKey, req *ecrapi.DescribeImageSigningStatusRequest, img *image, now time.Time) *ecrapi.DescribeImageSigningStatusResponse {
	out := &ecrapi.DescribeImageSigningStatusResponse{
		RepositoryName:  req.RepositoryName,
		ImageID:         &ecrapi.ImageIdentifier{ImageDigest: img.digest, ImageTag: req.ImageID.ImageTag},
		RegistryID:      k.account,
		SigningStatuses: make([]ecrapi.ImageSigningStatus, 0, len(img.signing)),
	}
	for i := range img.signing {
		j := &img.signing[i]
		s, code, reason := j.status(now)
		out.SigningStatuses = append(out.SigningStatuses, ecrapi.ImageSigningStatus{SigningProfileArn: j.profile, Status: s, FailureCode: code, FailureReason: reason})
	}
	return out
}

// DescribeImageReplicationStatus returns one status per destination the image was
// replicated to, each that of the latest replication.
func (c *client) DescribeImageReplicationStatus(req *ecrapi.DescribeImageReplicationStatusRequest) (*ecrapi.DescribeImageReplicationStatusResponse, error) {
	const op = ecrapi.OpDescribeImageReplicationStatus
	if req == nil {
		req = &ecrapi.DescribeImageReplicationStatusRequest{}
	}
	var out *ecrapi.DescribeImageReplicationStatusResponse
	err := c.read(op, func() error {
		_, img, err := c.findImage(op, req.RegistryID, req.RepositoryName, req.ImageID)
		if err != nil {
			return err
		}
		out = replicationStatusOf(req, img, c.w.clock.Now())
		return nil
	})
	return out, err
}

func replicationStatusOf(req *ecrapi.DescribeImageReplicationStatusRequest, img *image, now time.Time) *ecrapi.DescribeImageReplicationStatusResponse {
	out := &ecrapi.DescribeImageReplicationStatusResponse{
		RepositoryName:      req.RepositoryName,
		ImageID:             &ecrapi.ImageIdentifier{ImageDigest: img.digest, ImageTag: req.ImageID.ImageTag},
		ReplicationStatuses: make([]ecrapi.ImageReplicationStatus, 0, len(img.repl)),
	}
	for i := range img.repl {
		j := &img.repl[i]
		s, code, _ := j.status(now)
		out.ReplicationStatuses = append(out.ReplicationStatuses, ecrapi.ImageReplicationStatus{Region: j.dest.region, RegistryID: j.dest.account, Status: s, FailureCode: code})
	}
	return out
}
