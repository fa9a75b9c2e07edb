package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// DescribeRepositories describes the registry's repositories in name order, or the ones
// named (RepositoryNotFoundException for one that does not exist).
func (c *client) DescribeRepositories(req *ecrapi.DescribeRepositoriesRequest) (*ecrapi.DescribeRepositoriesResponse, error) {
	const op = ecrapi.OpDescribeRepositories
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	if req.RegistryID != "" && !validRegistryID(req.RegistryID) {
		return nil, invalidParameter("registryId", registryIDConstraint)
	}
	if n := len(req.RepositoryNames); n > ecrapi.MaxRepositoryNames {
		return nil, listTooLong(op, "repositoryNames", n, ecrapi.MaxRepositoryNames)
	}
	size, err := pageSize(op, req.MaxResults, ecrapi.DefaultPageSize, ecrapi.MaxPageSize)
	if err != nil {
		return nil, err
	}
	if len(req.RepositoryNames) > 0 && (req.NextToken != "" || req.MaxResults != nil) {
		return nil, invalidParameter("repositoryNames", "'cannot be used with nextToken or maxResults'")
	}
	k, err := c.access(op, req.RegistryID, "*")
	if err != nil {
		return nil, err
	}
	reg := w.registries[k]
	var names []string
	if len(req.RepositoryNames) > 0 {
		for _, n := range req.RepositoryNames {
			if err := checkRepositoryMembers(op, "", n); err != nil {
				return nil, err
			}
			if reg == nil || reg.repos[n] == nil {
				return nil, noRepository(k, n)
			}
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		size = len(names)
	} else if reg != nil {
		names = sortedKeys(reg.repos)
	}
	page, next, err := paginate(names, func(s string) string { return s }, req.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &ecrapi.DescribeRepositoriesResponse{Repositories: make([]ecrapi.Repository, 0, len(page)), NextToken: next}
	for _, n := range page {
		out.Repositories = append(out.Repositories, *repositoryShape(k, reg.repos[n]))
	}
	return out, nil
}

// DeleteRepository deletes a repository: one that holds images only with Force
// (RepositoryNotEmptyException otherwise).
func (c *client) DeleteRepository(req *ecrapi.DeleteRepositoryRequest) (*ecrapi.DeleteRepositoryResponse, error) {
	const op = ecrapi.OpDeleteRepository
	if req == nil {
		req = &ecrapi.DeleteRepositoryRequest{}
	}
	w := c.w
	var out *ecrapi.DeleteRepositoryResponse
	err := c.write(op, c.repoScopes(req.RegistryID, req.RepositoryName), func(ch *change) error {
		k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
		if err != nil {
			return err
		}
		if !req.Force && repo.imageCount(w.clock.Now()) > 0 {
			return newError(ecrapi.RepositoryNotEmptyException, "The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", repo.name, k.account)
		}
		deleteRepositoryRecords(ch, k, repo)
		ch.then(func() { w.deleteRepository(k, repo) })
		out = &ecrapi.DeleteRepositoryResponse{Repository: repositoryShape(k, repo)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// repoScopes returns the scopes of an operation that reads or changes one repository.
func (c *client) repoScopes(registryID, name string) func() []scope {
	k := c.key(registryID)
	return func() []scope {
		return []scope{worldScope(false), registryScope(k, false), repoScope(k, name)}
	}
}

// deleteRepository removes a repository with its images, tags and uploads; w.mu held.
func (w *World) deleteRepository(k registryKey, repo *repository) {
	if reg := w.registries[k]; reg != nil && reg.repos[repo.name] == repo {
		delete(reg.repos, repo.name)
	}
	for id, u := range w.uploads {
		if u.key == k && u.repo == repo.name {
			w.endUpload(id)
			go u.abort() // after a part being written, without holding up the world
		}
	}
}

func checkTagStatus(op, path, s string) error {
	switch s {
	case "", ecrapi.TagStatusTagged, ecrapi.TagStatusUntagged, ecrapi.TagStatusAny:
		return nil
	}
	return invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]", s, path))
}

func checkImageStatus(op, path, s string) error {
	switch s {
	case "", "ACTIVE", "ARCHIVED", "ACTIVATING", "ANY":
		return nil
	}
	return invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]", s, path))
}

// tagIndex returns the tags naming each digest, sorted, from what the tags name.
func tagIndex(tags map[string]string) map[string][]string {
	idx := make(map[string][]string, len(tags))
	for t, d := range tags {
		idx[d] = append(idx[d], t)
	}
	for _, ts := range idx {
		slices.Sort(ts)
	}
	return idx
}

// keep reports whether an image with tags passes a tagStatus filter.
func keep(tagStatus string, tagged bool) bool {
	switch tagStatus {
	case ecrapi.TagStatusTagged:
		return tagged
	case ecrapi.TagStatusUntagged:
		return !tagged
	}
	return true
}

// ListImages lists the repository's images, one identifier per tag (digest and tag) and one
// per untagged image (digest), in digest then tag order.
func (c *client) ListImages(req *ecrapi.ListImagesRequest) (*ecrapi.ListImagesResponse, error) {
	const op = ecrapi.OpListImages
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	f := valueOrZero(req.Filter)
	if err := checkStatusFilter(op, f.TagStatus, f.ImageStatus); err != nil {
		return nil, err
	}
	size, err := pageSize(op, req.MaxResults, ecrapi.DefaultPageSize, ecrapi.MaxPageSize)
	if err != nil {
		return nil, err
	}
	_, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	var ids []ecrapi.ImageIdentifier
	now := w.clock.Now()
	idx := tagIndex(repo.tagsAt(now))
	for _, img := range repo.visibleImages(now) {
		tags := idx[img.digest]
		if !keep(f.TagStatus, len(tags) > 0) {
			continue
		}
		if len(tags) == 0 {
			ids = append(ids, ecrapi.ImageIdentifier{ImageDigest: img.digest})
		}
		for _, t := range tags {
			ids = append(ids, ecrapi.ImageIdentifier{ImageDigest: img.digest, ImageTag: t})
		}
	}
	page, next, err := paginate(ids, func(id ecrapi.ImageIdentifier) string { return id.ImageDigest + "\x00" + id.ImageTag }, req.NextToken, size)
	if err != nil {
		return nil, err
	}
	return &ecrapi.ListImagesResponse{ImageIDs: append([]ecrapi.ImageIdentifier{}, page...), NextToken: next}, nil
}

func checkImageIDs(op string, ids []ecrapi.ImageIdentifier, required bool) error {
	switch n := len(ids); {
	case n == 0 && required:
		return memberNull(op, "imageIds")
	case n > ecrapi.MaxImageIDs:
		return listTooLong(op, "imageIds", n, ecrapi.MaxImageIDs)
	}
	return nil
}

// DescribeImages describes the repository's images (signatures included, as ECR lists
// referrers) in digest order, or the ones named (ImageNotFoundException for one that does
// not exist).
func (c *client) DescribeImages(req *ecrapi.DescribeImagesRequest) (*ecrapi.DescribeImagesResponse, error) {
	const op = ecrapi.OpDescribeImages
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	w := c.w
	f := valueOrZero(req.Filter)
	if err := checkStatusFilter(op, f.TagStatus, f.ImageStatus); err != nil {
		return nil, err
	}
	if err := checkImageIDs(op, req.ImageIDs, false); err != nil {
		return nil, err
	}
	size, err := pageSize(op, req.MaxResults, ecrapi.DefaultPageSize, ecrapi.MaxPageSize)
	if err != nil {
		return nil, err
	}
	for i, id := range req.ImageIDs {
		if err := checkDigest(fmt.Sprintf("imageIds.%d.member.imageDigest", i+1), id.ImageDigest); err != nil {
			return nil, err
		}
	}
	k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
	if err != nil {
		return nil, err
	}
	now := w.clock.Now()
	idx := tagIndex(repo.tagsAt(now))
	var imgs []*image
	if len(req.ImageIDs) > 0 {
		if req.NextToken != "" || req.MaxResults != nil {
			return nil, invalidParameter("imageIds", "'cannot be used with nextToken or maxResults'")
		}
		for _, id := range req.ImageIDs {
			img, _ := repo.resolve(id, now)
			if img == nil {
				return nil, noImage(k, repo.name, &id)
			}
			if !slices.Contains(imgs, img) {
				imgs = append(imgs, img)
			}
		}
		size = len(imgs)
	} else {
		for _, img := range repo.visibleImages(now) {
			if keep(f.TagStatus, len(idx[img.digest]) > 0) {
				imgs = append(imgs, img)
			}
		}
	}
	page, next, err := paginate(imgs, func(img *image) string { return img.digest }, req.NextToken, size)
	if err != nil {
		return nil, err
	}
	out := &ecrapi.DescribeImagesResponse{ImageDetails: make([]ecrapi.ImageDetail, 0, len(page)), NextToken: next}
	for _, img := range page {
		d := img.detailsOf()
		det := ecrapi.ImageDetail{
			RegistryID: k.account, RepositoryName: repo.name, ImageDigest: img.digest,
			ImageTags: idx[img.digest], ImageSizeInBytes: d.size,
			ImagePushedAt:          &ecrapi.Timestamp{Time: pushedAt(img)},
			ImageManifestMediaType: img.mediaType, ArtifactMediaType: d.configMediaType,
			SubjectManifestDigest: d.subject, ImageStatus: "ACTIVE",
		}
		if !img.lastPull.IsZero() {
			det.LastRecordedPullTime = &ecrapi.Timestamp{Time: img.lastPull}
		}
		out.ImageDetails = append(out.ImageDetails, det)
	}
	return out, nil
}

// pushedAt is the time of the image's latest push (that of its appearance for images of a
// world file that does not record pushes).
func pushedAt(img *image) time.Time {
	if img.pushedAt.IsZero() {
		return img.visibleAt
	}
	return img.pushedAt
}

// resolve finds the image an identifier names at now, or says why it names none with an
// ImageFailureCode.
func (r *repository) resolve(id ecrapi.ImageIdentifier, now time.Time) (*image, string) {
	switch {
	case id.ImageDigest == "" && id.ImageTag == "":
		return nil, "MissingDigestAndTag"
	case id.ImageDigest != "" && !validDigest(id.ImageDigest):
		return nil, "InvalidImageDigest"
	case len(id.ImageTag) > ecrapi.MaxImageTagLen:
		return nil, "InvalidImageTag"
	}
	digest := id.ImageDigest
	if id.ImageTag != "" {
		d, ok := r.tag(id.ImageTag, now)
		if !ok {
			return nil, "ImageNotFound"
		}
		if digest != "" && d != digest {
			return nil, "ImageTagDoesNotMatchDigest"
		}
		digest = d
	}
	if img := r.lookup(digest, now); img != nil {
		return img, ""
	}
	return nil, "ImageNotFound"
}

var failureReasons = map[string]string{
	"MissingDigestAndTag":           "Invalid request parameters: both tag and digest cannot be null",
	"InvalidImageDigest":            "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
	"InvalidImageTag":               "Invalid request parameters: image tag is longer than 300 characters",
	"ImageTagDoesNotMatchDigest":    "Invalid request parameters: given tag does not map to the given digest",
	"ImageNotFound":                 "Requested image not found",
	"ImageReferencedByManifestList": "Requested image is referenced by an image index in the repository",
}

func failure(id ecrapi.ImageIdentifier, code string) ecrapi.ImageFailure {
	return ecrapi.ImageFailure{ImageID: &id, FailureCode: code, FailureReason: failureReasons[code]}
}

// BatchGetImage returns the manifests of the images named, and a failure for each it cannot
// return: among them an image whose media type is not in acceptedMediaTypes (ImageNotFound,
// as ECR answers a manifest it cannot serve in an accepted type). A returned image counts as
// pulled (lastRecordedPullTime).
func (c *client) BatchGetImage(req *ecrapi.BatchGetImageRequest) (*ecrapi.BatchGetImageResponse, error) {
	const op = ecrapi.OpBatchGetImage
	if req == nil {
		req = &ecrapi.BatchGetImageRequest{}
	}
	w := c.w
	var out *ecrapi.BatchGetImageResponse
	err := c.write(op, c.repoScopes(req.RegistryID, req.RepositoryName), func(ch *change) error {
		if err := checkImageIDs(op, req.ImageIDs, true); err != nil {
			return err
		}
		if n := len(req.AcceptedMediaTypes); n > ecrapi.MaxAcceptedMediaTypes {
			return listTooLong(op, "acceptedMediaTypes", n, ecrapi.MaxAcceptedMediaTypes)
		}
		k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
		if err != nil {
			return err
		}
		now := w.clock.Now()
		out = &ecrapi.BatchGetImageResponse{Images: []ecrapi.Image{}, Failures: []ecrapi.ImageFailure{}}
		pulled := map[string]bool{}
		for _, id := range req.ImageIDs {
			img, code := repo.resolve(id, now)
			if img != nil && len(req.AcceptedMediaTypes) > 0 && !slices.Contains(req.AcceptedMediaTypes, img.mediaType) {
				f := failure(id, "ImageNotFound")
				f.FailureReason = fmt.Sprintf("The image's manifest media type %s is not among acceptedMediaTypes", img.mediaType)
				out.Failures = append(out.Failures, f)
				continue
			}
			if img == nil {
				out.Failures = append(out.Failures, failure(id, code))
				continue
			}
			if !pulled[img.digest] {
				pulled[img.digest] = true
				recordPull(ch, k, repo, img, now)
			}
			out.Images = append(out.Images, ecrapi.Image{
				RegistryID: k.account, RepositoryName: repo.name,
				ImageID:       &ecrapi.ImageIdentifier{ImageDigest: img.digest, ImageTag: id.ImageTag},
				ImageManifest: img.manifest, ImageManifestMediaType: img.mediaType,
			})
		}
		return nil
	})
	if err != nil && out == nil {
		return nil, err
	}
	return out, nil // a pull whose time could not be stored is still served
}

// PullRecordInterval is how often a pull of the same image is recorded: a pull within it
// of the last recorded one does not move lastRecordedPullTime (ECR refreshes it at least
// once a day), so that pulls, which only read, do not each cost a commit.
const PullRecordInterval = time.Minute

// recordPull adds to ch the record of a pull of a stored image's manifest, unless one was
// recorded within PullRecordInterval; signatures (not stored) are not recorded; w.mu held.
func recordPull(ch *change, k registryKey, repo *repository, img *image, now time.Time) {
	if repo.images[img.digest] != img || !img.lastPull.IsZero() && now.Sub(img.lastPull) < PullRecordInterval {
		return
	}
	next := *img
	next.lastPull = now
	putImage(ch, k, repo.name, &next, false)
	ch.then(func() {
		if repo.images[img.digest] == img {
			repo.images[img.digest] = &next
		}
	})
}

// BatchDeleteImage deletes images: an identifier with a tag only removes the tag (the image
// goes with its last tag), one with only a digest removes the image and its tags. An image an
// index of the repository references is not deleted (ImageReferencedByManifestList).
func (c *client) BatchDeleteImage(req *ecrapi.BatchDeleteImageRequest) (*ecrapi.BatchDeleteImageResponse, error) {
	const op = ecrapi.OpBatchDeleteImage
	if req == nil {
		req = &ecrapi.BatchDeleteImageRequest{}
	}
	w := c.w
	var out *ecrapi.BatchDeleteImageResponse
	err := c.write(op, c.repoScopes(req.RegistryID, req.RepositoryName), func(ch *change) error {
		if err := checkImageIDs(op, req.ImageIDs, true); err != nil {
			return err
		}
		k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
		if err != nil {
			return err
		}
		now := w.clock.Now()
		draft := draftOf(repo, now)
		out = &ecrapi.BatchDeleteImageResponse{ImageIDs: []ecrapi.ImageIdentifier{}, Failures: []ecrapi.ImageFailure{}}
		for _, id := range req.ImageIDs {
			img, code := draft.resolve(id, now)
			if img == nil {
				out.Failures = append(out.Failures, failure(id, code))
				continue
			}
			if id.ImageTag == "" || countTags(draft.tags, img.digest) == 1 {
				if draft.referencedByIndex(img.digest, now) {
					out.Failures = append(out.Failures, failure(id, "ImageReferencedByManifestList"))
					continue
				}
			}
			draft.deleteImage(img, id.ImageTag, now)
			out.ImageIDs = append(out.ImageIDs, ecrapi.ImageIdentifier{ImageDigest: img.digest, ImageTag: id.ImageTag})
		}
		commitDraft(ch, k, repo, draft)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func countTags(tags map[string]string, digest string) int {
	n := 0
	for _, d := range tags {
		if d == digest {
			n++
		}
	}
	return n
}

// draftOf returns a copy of a repository that an operation may change freely, with the tag
// moves that have happened by now folded into its tags; [commitDraft] records and applies
// what the operation changed. Images stay shared: a changed image is replaced by a copy.
func draftOf(repo *repository, now time.Time) *repository {
	d := *repo
	d.images = maps.Clone(repo.images)
	d.tags = maps.Clone(repo.tagsAt(now))
	d.pending = slices.DeleteFunc(slices.Clone(repo.pending), func(m tagMove) bool { return !now.Before(m.at) })
	d.blobs = maps.Clone(repo.blobs)
	return &d
}

// commitDraft adds to ch the records of what draft changed in repo, and the step that
// installs the draft; w.mu held, the repository's scope taken.
func commitDraft(ch *change, k registryKey, repo, draft *repository) {
	if draft.mutability != repo.mutability || !slices.Equal(draft.resourceTags, repo.resourceTags) {
		putRepository(ch, k, draft)
	}
	for d, img := range repo.images {
		switch next := draft.images[d]; {
		case next == nil:
			deleteImage(ch, k, repo.name, d)
		case next != img:
			putImage(ch, k, repo.name, next, false)
		}
	}
	sigJobs := repo.sigJobs
	for d, img := range repo.images {
		if next := draft.images[d]; next != img {
			sigJobs += sigCount(next) - sigCount(img)
		}
	}
	for d, img := range draft.images {
		if repo.images[d] == nil {
			putImage(ch, k, repo.name, img, true)
			sigJobs += sigCount(img)
		}
	}
	for t, d := range repo.tags {
		if _, ok := draft.tags[t]; !ok {
			deleteTag(ch, k, repo.name, t)
		} else if draft.tags[t] != d {
			putTag(ch, k, repo.name, t, draft.tags[t])
		}
	}
	for t, d := range draft.tags {
		if _, ok := repo.tags[t]; !ok {
			putTag(ch, k, repo.name, t, d)
		}
	}
	for _, m := range repo.pending {
		if !slices.Contains(draft.pending, m) {
			deletePending(ch, k, repo.name, m)
		}
	}
	for d, size := range draft.blobs {
		if old, ok := repo.blobs[d]; !ok || old != size {
			putLayer(ch, k, repo.name, d, size)
		}
	}
	for d := range repo.blobs {
		if _, ok := draft.blobs[d]; !ok {
			ch.delete(bucketLayers, []byte(inRepoKey(k, repo.name, d)))
		}
	}
	ch.then(func() {
		repo.mutability, repo.resourceTags = draft.mutability, draft.resourceTags
		repo.images, repo.tags, repo.pending, repo.blobs = draft.images, draft.tags, draft.pending, draft.blobs
		repo.sigJobs = sigJobs
	})
}

// referencedByIndex reports whether an image index of the repository references digest.
func (r *repository) referencedByIndex(digest string, now time.Time) bool {
	for _, img := range r.images {
		if img.mediaType != ecrapi.MediaTypeOCIIndex && img.mediaType != ecrapi.MediaTypeDockerList || now.Before(img.visibleAt) {
			continue
		}
		for _, c := range img.detailsOfIndex() {
			if c == digest {
				return true
			}
		}
	}
	return false
}

// deleteImage removes tag from the image of a draft ([draftOf]), and the image when tag is
// "" or was its last tag; a signature's deletion is recorded on the job that made it, in a
// copy of the signed image.
func (draft *repository) deleteImage(img *image, tag string, now time.Time) {
	if tag != "" {
		delete(draft.tags, tag)
		if countTags(draft.tags, img.digest) > 0 {
			return
		}
	}
	for t, d := range draft.tags {
		if d == img.digest {
			delete(draft.tags, t)
		}
	}
	if draft.images[img.digest] == img {
		delete(draft.images, img.digest)
		return
	}
	for _, s := range draft.signatures(now) {
		if s.img.digest == img.digest {
			of := *s.of
			of.signing = slices.Clone(of.signing)
			of.signing[s.job].sigDeleted = true
			draft.images[of.digest] = &of
		}
	}
}

// PutImageTagMutability sets whether the repository's tags may move (MUTABLE) or not
// (IMMUTABLE); the *_WITH_EXCLUSION settings are not modelled (InvalidParameterException).
func (c *client) PutImageTagMutability(req *ecrapi.PutImageTagMutabilityRequest) (*ecrapi.PutImageTagMutabilityResponse, error) {
	const op = ecrapi.OpPutImageTagMutability
	if req == nil {
		req = &ecrapi.PutImageTagMutabilityRequest{}
	}
	var out *ecrapi.PutImageTagMutabilityResponse
	err := c.write(op, c.repoScopes(req.RegistryID, req.RepositoryName), func(ch *change) error {
		switch req.ImageTagMutability {
		case ecrapi.TagMutable, ecrapi.TagImmutable:
		case "":
			return memberNull(op, "imageTagMutability")
		case "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION":
			return newError(ecrapi.InvalidParameterException, "Invalid parameter at 'imageTagMutability': %s is not modelled by the ecrsign simulator; use MUTABLE or IMMUTABLE", req.ImageTagMutability)
		default:
			return invalidRequest(op, fmt.Sprintf("1 validation error detected: Value '%s' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]", req.ImageTagMutability))
		}
		k, repo, err := c.repo(op, req.RegistryID, req.RepositoryName)
		if err != nil {
			return err
		}
		next := *repo
		next.mutability = req.ImageTagMutability
		putRepository(ch, k, &next)
		ch.then(func() { repo.mutability = next.mutability })
		out = &ecrapi.PutImageTagMutabilityResponse{RegistryID: k.account, RepositoryName: repo.name, ImageTagMutability: next.mutability}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Limits of resource tags (AWS's tagging limits).
const (
	resourceARNConstrain = "'Invalid ARN: expected arn:aws:ecr:REGION:ACCOUNT:repository/NAME'"
)

// taggedRepo finds the repository a resource ARN names; w.mu held.
func (c *client) taggedRepo(op, arn string) (registryKey, *repository, error) {
	if arn == "" {
		return registryKey{}, nil, memberNull(op, "resourceArn")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "ecr" || !validRegistryID(parts[4]) || !strings.HasPrefix(parts[5], "repository/") {
		return registryKey{}, nil, invalidParameter("resourceArn", resourceARNConstrain)
	}
	if parts[3] != c.caller.Region {
		return registryKey{}, nil, invalidParameter("resourceArn", fmt.Sprintf("'the ARN's region %s is not the region of the request, %s'", parts[3], c.caller.Region))
	}
	return c.repo(op, parts[4], strings.TrimPrefix(parts[5], "repository/"))
}

func checkTagKey(k string) error {
	switch {
	case k == "" || len(k) > ecrapi.MaxResourceTagKey:
		return newError(ecrapi.InvalidTagParameterException, "Invalid tag key '%s': a key has 1 to %d characters", k, ecrapi.MaxResourceTagKey)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return newError(ecrapi.InvalidTagParameterException, "Invalid tag key '%s': keys starting with aws: are reserved", k)
	}
	return nil
}

// TagResource adds or replaces tags of a repository.
func (c *client) TagResource(req *ecrapi.TagResourceRequest) (*ecrapi.TagResourceResponse, error) {
	const op = ecrapi.OpTagResource
	if req == nil {
		req = &ecrapi.TagResourceRequest{}
	}
	err := c.write(op, c.arnScopes(req.ResourceArn), func(ch *change) error {
		if req.Tags == nil {
			return memberNull(op, "tags")
		}
		k, repo, err := c.taggedRepo(op, req.ResourceArn)
		if err != nil {
			return err
		}
		tags := slices.Clone(repo.resourceTags)
		for _, t := range req.Tags {
			if err := checkTagKey(t.Key); err != nil {
				return err
			}
			if len(t.Value) > ecrapi.MaxResourceTagValue {
				return newError(ecrapi.InvalidTagParameterException, "Invalid tag value for key '%s': a value has at most %d characters", t.Key, ecrapi.MaxResourceTagValue)
			}
			if i := slices.IndexFunc(tags, func(x ecrapi.ResourceTag) bool { return x.Key == t.Key }); i >= 0 {
				tags[i].Value = t.Value
			} else {
				tags = append(tags, t)
			}
		}
		if len(tags) > ecrapi.MaxResourceTags {
			return newError(ecrapi.TooManyTagsException, "A resource can have at most %d tags; this request would give it %d", ecrapi.MaxResourceTags, len(tags))
		}
		setResourceTags(ch, k, repo, tags)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ecrapi.TagResourceResponse{}, nil
}

// setResourceTags adds to ch the replacement of the repository's tags; w.mu held.
func setResourceTags(ch *change, k registryKey, repo *repository, tags []ecrapi.ResourceTag) {
	next := *repo
	next.resourceTags = tags
	putRepository(ch, k, &next)
	ch.then(func() { repo.resourceTags = tags })
}

// arnScopes returns the scopes of an operation on the repository a resource ARN names
// (only the world's when it names none: the operation then fails).
func (c *client) arnScopes(arn string) func() []scope {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "repository/") {
		return func() []scope { return []scope{worldScope(false)} }
	}
	k := registryKey{parts[4], parts[3]}
	name := strings.TrimPrefix(parts[5], "repository/")
	return func() []scope {
		return []scope{worldScope(false), registryScope(k, false), repoScope(k, name)}
	}
}

// UntagResource removes tags of a repository; keys it does not have are ignored.
func (c *client) UntagResource(req *ecrapi.UntagResourceRequest) (*ecrapi.UntagResourceResponse, error) {
	const op = ecrapi.OpUntagResource
	if req == nil {
		req = &ecrapi.UntagResourceRequest{}
	}
	err := c.write(op, c.arnScopes(req.ResourceArn), func(ch *change) error {
		if req.TagKeys == nil {
			return memberNull(op, "tagKeys")
		}
		k, repo, err := c.taggedRepo(op, req.ResourceArn)
		if err != nil {
			return err
		}
		for _, key := range req.TagKeys {
			if err := checkTagKey(key); err != nil {
				return err
			}
		}
		tags := slices.DeleteFunc(slices.Clone(repo.resourceTags), func(t ecrapi.ResourceTag) bool { return slices.Contains(req.TagKeys, t.Key) })
		if len(tags) != len(repo.resourceTags) {
			setResourceTags(ch, k, repo, tags)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ecrapi.UntagResourceResponse{}, nil
}

// ListTagsForResource returns a repository's tags in the order they were added.
func (c *client) ListTagsForResource(req *ecrapi.ListTagsForResourceRequest) (*ecrapi.ListTagsForResourceResponse, error) {
	const op = ecrapi.OpListTagsForResource
	req, unlock, err := lockAndBegin(c, op, req)
	if err != nil {
		return nil, err
	}
	defer unlock()
	_, repo, err := c.taggedRepo(op, req.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &ecrapi.ListTagsForResourceResponse{Tags: append([]ecrapi.ResourceTag{}, repo.resourceTags...)}, nil
}
