package sim

import (
	"fmt"

	"github.com/ecrsign/ecrsign/rules"
)

// begin checks the caller and injects server faults; w.mu held.
func (c *Client) begin(op string) error {
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

// key is the registry a request addresses: its registryId member, else the caller's account.
func (c *Client) key(registryID string) registryKey {
	if registryID == "" {
		registryID = c.caller.Account
	}
	return registryKey{registryID, c.caller.Region}
}

// PutSigningConfiguration replaces the registry's signing configuration. It raises
// ValidationException for a configuration that breaks the API model (with AWS's "N validation
// errors detected" message) or names a profile of another region. Later pushes use it;
// statuses of earlier pushes do not change.
func (c *Client) PutSigningConfiguration(req *PutSigningConfigurationRequest) (*PutSigningConfigurationResponse, error) {
	var cfg *rules.SigningConfiguration
	if req != nil {
		cfg = req.SigningConfiguration
	}
	st, err := compileSigning(cfg, c.caller.Region)
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(OpPutSigningConfiguration); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	w.registry(c.key("")).signing = st
	return &PutSigningConfigurationResponse{SigningConfiguration: cloneSigning(st.cfg)}, nil
}

// GetSigningConfiguration returns the registry's signing configuration, or
// SigningConfigurationNotFoundException.
func (c *Client) GetSigningConfiguration(*GetSigningConfigurationRequest) (*GetSigningConfigurationResponse, error) {
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(OpGetSigningConfiguration); err != nil {
		return nil, err
	}
	k := c.key("")
	reg := w.registries[k]
	if reg == nil || reg.signing == nil {
		return nil, noSigningConfiguration(k)
	}
	return &GetSigningConfigurationResponse{RegistryID: k.account, SigningConfiguration: cloneSigning(reg.signing.cfg)}, nil
}

// DeleteSigningConfiguration removes the registry's signing configuration and returns it.
// Images pushed afterwards are not signed; existing statuses stay.
func (c *Client) DeleteSigningConfiguration(*DeleteSigningConfigurationRequest) (*DeleteSigningConfigurationResponse, error) {
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(OpDeleteSigningConfiguration); err != nil {
		return nil, err
	}
	k := c.key("")
	reg := w.registries[k]
	if reg == nil || reg.signing == nil {
		return nil, noSigningConfiguration(k)
	}
	cfg := reg.signing.cfg
	reg.signing = nil
	return &DeleteSigningConfigurationResponse{RegistryID: k.account, SigningConfiguration: cloneSigning(cfg)}, nil
}

func noSigningConfiguration(k registryKey) error {
	return newError(SigningConfigurationNotFoundException, "Signing configuration does not exist for the registry with id '%s' in region '%s'", k.account, k.region)
}

// PutReplicationConfiguration replaces the registry's replication configuration. Besides the
// model's constraints it rejects a destination that is the source registry and more than 25
// distinct destinations (InvalidParameterException).
func (c *Client) PutReplicationConfiguration(req *PutReplicationConfigurationRequest) (*PutReplicationConfigurationResponse, error) {
	var cfg *rules.ReplicationConfiguration
	if req != nil {
		cfg = req.ReplicationConfiguration
	}
	st, err := compileReplication(cfg, c.key(""))
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(OpPutReplicationConfiguration); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	w.registry(c.key("")).replication = st
	return &PutReplicationConfigurationResponse{ReplicationConfiguration: cloneReplication(st.cfg)}, nil
}

// DescribeRegistry returns the registry id and its replication configuration (one with no
// rules when none was put).
func (c *Client) DescribeRegistry(*DescribeRegistryRequest) (*DescribeRegistryResponse, error) {
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(OpDescribeRegistry); err != nil {
		return nil, err
	}
	k := c.key("")
	out := &DescribeRegistryResponse{RegistryID: k.account, ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}}
	if reg := w.registries[k]; reg != nil && reg.replication != nil {
		out.ReplicationConfiguration = cloneReplication(reg.replication.cfg)
	}
	return out, nil
}

// CreateRepository creates a repository; RepositoryAlreadyExistsException if it exists.
func (c *Client) CreateRepository(req *CreateRepositoryRequest) (*CreateRepositoryResponse, error) {
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	const op = OpCreateRepository
	if err := c.begin(op); err != nil {
		return nil, err
	}
	if req == nil {
		req = &CreateRepositoryRequest{}
	}
	var vs []rules.Violation
	if req.RepositoryName == "" {
		vs = prefixViolations("repositoryName", rules.CheckRepositoryName(req.RepositoryName))
	}
	mut := req.ImageTagMutability
	switch mut {
	case "":
		mut = TagMutable
	case TagMutable, TagImmutable:
	case "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION":
		return nil, newError(InvalidParameterException, "Invalid parameter at 'imageTagMutability': %s is not modelled by the ecrsign simulator; use MUTABLE or IMMUTABLE", mut)
	default:
		vs = append(vs, rules.Violation{Path: "imageTagMutability", Value: mut, Constraint: "Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]"})
	}
	if len(vs) > 0 {
		return nil, invalidRequest(op, rules.FormatViolations("", vs))
	}
	if err := checkRepositoryMembers(op, req.RegistryID, req.RepositoryName); err != nil {
		return nil, err
	}
	k, err := c.access(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	reg := w.registry(k)
	if _, ok := reg.repos[req.RepositoryName]; ok {
		return nil, newError(RepositoryAlreadyExistsException, "The repository with name '%s' already exists in the registry with id '%s'", req.RepositoryName, k.account)
	}
	repo := newRepository(req.RepositoryName, mut, w.clock.Now())
	reg.repos[repo.name] = repo
	return &CreateRepositoryResponse{Repository: repositoryShape(k, repo)}, nil
}

func repositoryShape(k registryKey, r *repository) *Repository {
	return &Repository{
		CreatedAt:          &Timestamp{r.createdAt},
		ImageTagMutability: r.mutability,
		RegistryID:         k.account,
		RepositoryArn:      fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", k.region, k.account, r.name),
		RepositoryName:     r.name,
		RepositoryURI:      fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", k.account, k.region, r.name),
	}
}

// PutImage pushes a manifest as the caller's principal; see [Client.Push].
func (c *Client) PutImage(req *PutImageRequest) (*PutImageResponse, error) {
	res, err := c.Push(req)
	if err != nil {
		return nil, err
	}
	return &PutImageResponse{Image: &res.Image}, nil
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
func (c *Client) Push(req *PutImageRequest) (*PushResult, error) {
	return c.push(OpPutImage, req, pushMode{requireLayers: c.w.Options().RequireLayers})
}

// pushMode says how a push differs from PutImage's: repush lets the same manifest and tag
// be pushed again (the registry protocol accepts it), requireLayers refuses a manifest whose
// blobs are not in the repository.
type pushMode struct{ repush, requireLayers bool }

// push is PutImage, or a manifest PUT of the registry protocol, as mode says.
func (c *Client) push(op string, req *PutImageRequest, mode pushMode) (*PushResult, error) {
	info, perr := parsePush(op, req)
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return nil, err
	}
	if perr != nil {
		return nil, perr
	}
	k, err := c.access(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	reg := w.registries[k]
	var repo *repository
	if reg != nil {
		repo = reg.repos[req.RepositoryName]
	}
	created := repo == nil
	if created {
		if !w.opts.CreateRepositoryOnPush {
			return nil, noRepository(k, req.RepositoryName)
		}
		repo = newRepository(req.RepositoryName, TagMutable, now) // kept only if the push succeeds
	}
	repo.settleTags(now)
	if req.ImageTag != "" && repo.mutability == TagImmutable {
		if _, taken := repo.tagTaken(req.ImageTag, info.digest); taken {
			return nil, newError(ImageTagAlreadyExistsException, "The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", req.ImageTag, repo.name)
		}
	}
	var missing []string
	for _, d := range info.children {
		if img := repo.images[d]; img == nil || now.Before(img.visibleAt) {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return nil, newError(ReferencedImagesNotFoundException, "The image index references %d manifest(s) not found in the repository '%s': %s", len(missing), repo.name, briefDigests(missing))
	}
	if err := c.checkPush(repo, req, info, mode, now); err != nil {
		return nil, err
	}
	if created {
		reg = w.registry(k)
		reg.repos[repo.name] = repo
	}
	return w.push(reg, repo, req, info, c.caller.Principal, now), nil
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
	return newError(RepositoryNotFoundException, "The repository with name '%s' does not exist in the registry with id '%s'", name, k.account)
}

// findImage validates an image request and finds the image; w.mu held.
func (c *Client) findImage(op, registryID, name string, id *ImageIdentifier) (registryKey, *image, error) {
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
		return registryKey{}, nil, &Error{Code: InvalidParameterException, Message: "Invalid parameter at 'imageId': specify imageDigest, imageTag or both"}
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

func noImage(k registryKey, name string, id *ImageIdentifier) error {
	q := func(s string) string {
		if s == "" {
			return "'null'"
		}
		return "'" + s + "'"
	}
	return newError(ImageNotFoundException, "The image with imageId {imageDigest:%s, imageTag:%s} does not exist within the repository with name '%s' in the registry with id '%s'", q(id.ImageDigest), q(id.ImageTag), name, k.account)
}

// DescribeImageSigningStatus returns one status per signing profile that signed the image,
// each that of the profile's latest job; an empty list when no rule applied.
func (c *Client) DescribeImageSigningStatus(req *DescribeImageSigningStatusRequest) (*DescribeImageSigningStatusResponse, error) {
	const op = OpDescribeImageSigningStatus
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return nil, err
	}
	if req == nil {
		req = &DescribeImageSigningStatusRequest{}
	}
	k, img, err := c.findImage(op, req.RegistryID, req.RepositoryName, req.ImageID)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	out := &DescribeImageSigningStatusResponse{
		RepositoryName:  req.RepositoryName,
		ImageID:         &ImageIdentifier{ImageDigest: img.digest, ImageTag: req.ImageID.ImageTag},
		RegistryID:      k.account,
		SigningStatuses: make([]ImageSigningStatus, 0, len(img.signing)),
	}
	for i := range img.signing {
		j := &img.signing[i]
		s, code, reason := j.status(now)
		out.SigningStatuses = append(out.SigningStatuses, ImageSigningStatus{SigningProfileArn: j.profile, Status: s, FailureCode: code, FailureReason: reason})
	}
	return out, nil
}

// DescribeImageReplicationStatus returns one status per destination the image was
// replicated to, each that of the latest replication.
func (c *Client) DescribeImageReplicationStatus(req *DescribeImageReplicationStatusRequest) (*DescribeImageReplicationStatusResponse, error) {
	const op = OpDescribeImageReplicationStatus
	w := c.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := c.begin(op); err != nil {
		return nil, err
	}
	if req == nil {
		req = &DescribeImageReplicationStatusRequest{}
	}
	_, img, err := c.findImage(op, req.RegistryID, req.RepositoryName, req.ImageID)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	out := &DescribeImageReplicationStatusResponse{
		RepositoryName:      req.RepositoryName,
		ImageID:             &ImageIdentifier{ImageDigest: img.digest, ImageTag: req.ImageID.ImageTag},
		ReplicationStatuses: make([]ImageReplicationStatus, 0, len(img.repl)),
	}
	for i := range img.repl {
		j := &img.repl[i]
		s, code, _ := j.status(now)
		out.ReplicationStatuses = append(out.ReplicationStatuses, ImageReplicationStatus{Region: j.dest.region, RegistryID: j.dest.account, Status: s, FailureCode: code})
	}
	return out, nil
}
