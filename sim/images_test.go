package sim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// imageWorld has team/api with manifests 1 (tags v1, latest) and 2 (untagged), signed by
// profProd with the default latency, and team/web empty.
func imageWorld(t *testing.T) (*World, *Clock, *client) {
	t.Helper()
	w, clk, c := newTestWorld()
	putSigning(t, c, signing(rule(profProd, "team/api")))
	createRepo(t, c, "team/api")
	createRepo(t, c, "team/web")
	push(t, c, "team/api", 1, "v1")
	push(t, c, "team/api", 1, "latest")
	push(t, c, "team/api", 2, "")
	return w, clk, c
}

func i32(n int32) *int32 { return &n }

func TestDescribeRepositories(t *testing.T) {
	_, _, c := imageWorld(t)
	all := must(c.DescribeRepositories(nil))(t)
	if len(all.Repositories) != 2 || all.Repositories[0].RepositoryName != "team/api" || all.NextToken != "" {
		t.Fatalf("%+v", all)
	}
	p1 := must(c.DescribeRepositories(&ecrapi.DescribeRepositoriesRequest{MaxResults: i32(1)}))(t)
	p2 := must(c.DescribeRepositories(&ecrapi.DescribeRepositoriesRequest{MaxResults: i32(1), NextToken: p1.NextToken}))(t)
	if p1.Repositories[0].RepositoryName != "team/api" || p2.Repositories[0].RepositoryName != "team/web" || p2.NextToken != "" {
		t.Fatalf("pages %+v %+v", p1, p2)
	}
	tests := []struct {
		name string
		req  *ecrapi.DescribeRepositoriesRequest
		code string
		msg  string
	}{
		{"unknown name", &ecrapi.DescribeRepositoriesRequest{RepositoryNames: []string{"team/none"}}, ecrapi.RepositoryNotFoundException, "'team/none'"},
		{"bad registry", &ecrapi.DescribeRepositoriesRequest{RegistryID: "1"}, ecrapi.InvalidParameterException, "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''"},
		{"bad max", &ecrapi.DescribeRepositoriesRequest{MaxResults: i32(0)}, ecrapi.InvalidParameterException, "Value '0' at 'maxResults'"},
		{"max too large", &ecrapi.DescribeRepositoriesRequest{MaxResults: i32(1001)}, ecrapi.InvalidParameterException, "less than or equal to 1000"},
		{"bad token", &ecrapi.DescribeRepositoriesRequest{NextToken: "zz"}, ecrapi.InvalidParameterException, "'nextToken'"},
		{"too many names", &ecrapi.DescribeRepositoriesRequest{RepositoryNames: make([]string, 101)}, ecrapi.InvalidParameterException, "[list of 101 elements]"},
		{"other account", &ecrapi.DescribeRepositoriesRequest{RegistryID: "210987654321"}, ecrapi.AccessDeniedException, "not authorized to perform: ecr:DescribeRepositories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeRepositories(tt.req)
			wantAPIError(t, err, tt.code, tt.msg)
		})
	}
}

func TestDeleteRepository(t *testing.T) {
	_, _, c := imageWorld(t)
	_, err := c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/api"})
	wantAPIError(t, err, ecrapi.RepositoryNotEmptyException, "cannot be deleted because it still contains images")
	_, err = c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/none"})
	wantAPIError(t, err, ecrapi.RepositoryNotFoundException, "")
	_, err = c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "Value null at 'repositoryName'")
	_, err = c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "Team"})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "Invalid parameter at 'repositoryName'")
	must(c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/web"}))(t)
	out := must(c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/api", Force: true}))(t)
	if out.Repository.RepositoryName != "team/api" {
		t.Fatalf("%+v", out)
	}
	if all := must(c.DescribeRepositories(nil))(t); len(all.Repositories) != 0 {
		t.Fatalf("left %+v", all)
	}
}

func TestListImagesAndDescribeImages(t *testing.T) {
	_, clk, c := imageWorld(t)
	d1, d2 := ecrapi.Digest(manifest(1)), ecrapi.Digest(manifest(2))
	ids := must(c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "team/api"}))(t).ImageIDs
	want := []ecrapi.ImageIdentifier{{ImageDigest: d1, ImageTag: "latest"}, {ImageDigest: d1, ImageTag: "v1"}, {ImageDigest: d2}}
	if d2 < d1 {
		want = []ecrapi.ImageIdentifier{{ImageDigest: d2}, {ImageDigest: d1, ImageTag: "latest"}, {ImageDigest: d1, ImageTag: "v1"}}
	}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ListImages %+v, want %+v", ids, want)
	}
	untagged := must(c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "team/api", Filter: &ecrapi.ListImagesFilter{TagStatus: ecrapi.TagStatusUntagged}}))(t).ImageIDs
	if len(untagged) != 1 || untagged[0].ImageDigest != d2 {
		t.Fatalf("untagged %+v", untagged)
	}
	var paged []ecrapi.ImageIdentifier
	for tok := ""; ; {
		p := must(c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "team/api", MaxResults: i32(1), NextToken: tok}))(t)
		paged = append(paged, p.ImageIDs...)
		if tok = p.NextToken; tok == "" {
			break
		}
	}
	if !reflect.DeepEqual(paged, want) {
		t.Fatalf("paged %+v", paged)
	}
	// Signatures appear, as referrers, when signing completes.
	if n := len(must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api"}))(t).ImageDetails); n != 2 {
		t.Fatalf("%d images before signing completes", n)
	}
	clk.Advance(time.Minute)
	details := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api"}))(t).ImageDetails
	if len(details) != 4 {
		t.Fatalf("%d images after signing: %+v", len(details), details)
	}
	sigs := 0
	for _, d := range details {
		if d.SubjectManifestDigest != "" {
			sigs++
			if d.ImageManifestMediaType != ecrapi.MediaTypeOCIManifest || d.ArtifactMediaType != "application/vnd.oci.empty.v1+json" || d.ImageTags != nil {
				t.Fatalf("signature detail %+v", d)
			}
		} else if d.ImagePushedAt == nil || d.ImagePushedAt.Time != t0 || d.ArtifactMediaType != "application/vnd.oci.image.config.v1+json" {
			t.Fatalf("image detail %+v", d)
		}
	}
	if sigs != 2 {
		t.Fatalf("%d signatures", sigs)
	}
	one := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t).ImageDetails
	if len(one) != 1 || !reflect.DeepEqual(one[0].ImageTags, []string{"latest", "v1"}) {
		t.Fatalf("by tag %+v", one)
	}
	tests := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"list unknown repository", func() error {
			_, err := c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "team/none"})
			return err
		}, ecrapi.RepositoryNotFoundException, ""},
		{"list bad filter", func() error {
			_, err := c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "team/api", Filter: &ecrapi.ListImagesFilter{TagStatus: "x"}})
			return err
		}, ecrapi.InvalidParameterException, "Value 'x' at 'filter.tagStatus'"},
		{"list bad name", func() error { _, err := c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "A"}); return err }, ecrapi.InvalidParameterException, "Invalid parameter at 'repositoryName'"},
		{"describe unknown tag", func() error {
			_, err := c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "nope"}}})
			return err
		}, ecrapi.ImageNotFoundException, "{imageDigest:'null', imageTag:'nope'}"},
		{"describe malformed digest", func() error {
			_, err := c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: "sha256:1"}}})
			return err
		}, ecrapi.InvalidParameterException, "imageIds.1.member.imageDigest"},
		{"describe unknown repository", func() error {
			_, err := c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/none"})
			return err
		}, ecrapi.RepositoryNotFoundException, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.call(), tt.code, tt.msg) })
	}
}

func TestBatchGetAndDeleteImage(t *testing.T) {
	_, clk, c := imageWorld(t)
	d1 := ecrapi.Digest(manifest(1))
	out := must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{
		{ImageTag: "v1"}, {ImageTag: "nope"}, {}, {ImageDigest: "sha256:1"}, {ImageTag: "v1", ImageDigest: ecrapi.Digest(manifest(2))},
	}}))(t)
	if len(out.Images) != 1 || out.Images[0].ImageManifest != manifest(1) {
		t.Fatalf("images %+v", out.Images)
	}
	var codes []string
	for _, f := range out.Failures {
		codes = append(codes, f.FailureCode)
	}
	if want := []string{"ImageNotFound", "MissingDigestAndTag", "InvalidImageDigest", "ImageTagDoesNotMatchDigest"}; !reflect.DeepEqual(codes, want) {
		t.Fatalf("failures %v, want %v", codes, want)
	}
	notAccepted := must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}, AcceptedMediaTypes: []string{ecrapi.MediaTypeDockerManifest}}))(t)
	if len(notAccepted.Images) != 0 || len(notAccepted.Failures) != 1 {
		t.Fatalf("acceptedMediaTypes ignored: %+v", notAccepted)
	}
	clk.Advance(time.Minute) // signatures are stored
	det := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: d1}}}))(t).ImageDetails[0]
	if det.LastRecordedPullTime == nil || det.LastRecordedPullTime.Time != t0 {
		t.Fatalf("pull time %+v", det.LastRecordedPullTime)
	}
	_, err := c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api"})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "Value null at 'imageIds'")
	_, err = c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/none", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}})
	wantAPIError(t, err, ecrapi.RepositoryNotFoundException, "")

	// Deleting a tag keeps the image while another tag names it.
	del := must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}, {ImageTag: "nope"}}}))(t)
	if len(del.ImageIDs) != 1 || len(del.Failures) != 1 || del.Failures[0].FailureCode != "ImageNotFound" {
		t.Fatalf("delete %+v", del)
	}
	must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "latest"}}}))(t)
	// Deleting a signature by digest removes it from the listing.
	refs := must(c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: d1}}))(t).Referrers
	if len(refs) != 1 {
		t.Fatalf("referrers %+v", refs)
	}
	must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: refs[0].Digest}}}))(t)
	if refs := must(c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: d1}}))(t).Referrers; len(refs) != 0 {
		t.Fatalf("deleted signature still listed: %+v", refs)
	}
	must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: d1}}}))(t)
	_, err = c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "latest"}}})
	wantAPIError(t, err, ecrapi.ImageNotFoundException, "")
	_, err = c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: make([]ecrapi.ImageIdentifier, 101)})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "[list of 101 elements]")
}

func TestIndexChildCannotBeDeleted(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "")
	must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: index(ecrapi.Digest(manifest(1))), ImageTag: "v1"}))(t)
	out := must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: ecrapi.Digest(manifest(1))}}}))(t)
	if len(out.Failures) != 1 || out.Failures[0].FailureCode != "ImageReferencedByManifestList" {
		t.Fatalf("%+v", out)
	}
}

func TestPutImageTagMutability(t *testing.T) {
	_, _, c := imageWorld(t)
	out := must(c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable}))(t)
	if out.ImageTagMutability != ecrapi.TagImmutable {
		t.Fatalf("%+v", out)
	}
	_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(3), ImageTag: "v1"})
	wantAPIError(t, err, ecrapi.ImageTagAlreadyExistsException, "")
	for _, tt := range []struct {
		req  *ecrapi.PutImageTagMutabilityRequest
		code string
		msg  string
	}{
		{&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/api"}, ecrapi.InvalidParameterException, "Value null at 'imageTagMutability'"},
		{&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/api", ImageTagMutability: "x"}, ecrapi.InvalidParameterException, "enum value set"},
		{&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/none", ImageTagMutability: ecrapi.TagMutable}, ecrapi.RepositoryNotFoundException, ""},
	} {
		_, err := c.PutImageTagMutability(tt.req)
		wantAPIError(t, err, tt.code, tt.msg)
	}
}

func TestLayerUpload(t *testing.T) {
	w, _, c := newTestWorld(WithOptions(Options{RequireLayers: true}))
	createRepo(t, c, "team/api")
	layer := []byte("0123456789")
	d := ecrapi.Digest(string(layer))
	up := must(c.InitiateLayerUpload(&ecrapi.InitiateLayerUploadRequest{RepositoryName: "team/api"}))(t)
	part := func(first int64, b []byte) error {
		last := first + int64(len(b)) - 1
		_, err := c.UploadLayerPart(&ecrapi.UploadLayerPartRequest{RepositoryName: "team/api", UploadID: up.UploadID, PartFirstByte: &first, PartLastByte: &last, LayerPartBlob: b})
		return err
	}
	if err := part(0, layer[:4]); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, part(2, layer[4:]), ecrapi.InvalidLayerPartException, "parts must be sent in order")
	if err := part(4, layer[4:]); err != nil {
		t.Fatal(err)
	}
	_, err := c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "team/api", UploadID: up.UploadID, LayerDigests: []string{ecrapi.Digest("other")}})
	wantAPIError(t, err, ecrapi.InvalidLayerException, "does not match")
	if _, err := w.StatBlob(ecrapi.Digest("other")); err == nil {
		t.Fatal("mismatched layer stored")
	}
	up = must(c.InitiateLayerUpload(&ecrapi.InitiateLayerUploadRequest{RepositoryName: "team/api"}))(t)
	_, err = c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "team/api", UploadID: up.UploadID, LayerDigests: []string{d}})
	wantAPIError(t, err, ecrapi.EmptyUploadException, "")
	up = must(c.InitiateLayerUpload(&ecrapi.InitiateLayerUploadRequest{RepositoryName: "team/api"}))(t)
	if err := part(0, layer); err != nil {
		t.Fatal(err)
	}
	must(c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "team/api", UploadID: up.UploadID, LayerDigests: []string{d}}))(t)
	_, err = c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "team/api", UploadID: up.UploadID, LayerDigests: []string{d}})
	wantAPIError(t, err, ecrapi.UploadNotFoundException, "")
	up = must(c.InitiateLayerUpload(&ecrapi.InitiateLayerUploadRequest{RepositoryName: "team/api"}))(t)
	part(0, layer)
	_, err = c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "team/api", UploadID: up.UploadID, LayerDigests: []string{d}})
	wantAPIError(t, err, ecrapi.LayerAlreadyExistsException, "")

	avail := must(c.BatchCheckLayerAvailability(&ecrapi.BatchCheckLayerAvailabilityRequest{RepositoryName: "team/api", LayerDigests: []string{d, ecrapi.Digest("x"), "bad"}}))(t)
	if len(avail.Layers) != 1 || *avail.Layers[0].LayerSize != 10 || len(avail.Failures) != 2 || avail.Failures[0].FailureCode != "MissingLayerDigest" || avail.Failures[1].FailureCode != "InvalidLayerDigest" {
		t.Fatalf("%+v", avail)
	}
	url := must(c.GetDownloadUrlForLayer(&ecrapi.GetDownloadUrlForLayerRequest{RepositoryName: "team/api", LayerDigest: d}))(t)
	if url.DownloadURL != "/v2/team/api/blobs/"+d {
		t.Fatalf("%+v", url)
	}
	_, err = c.GetDownloadUrlForLayer(&ecrapi.GetDownloadUrlForLayerRequest{RepositoryName: "team/api", LayerDigest: ecrapi.Digest("x")})
	wantAPIError(t, err, ecrapi.LayersNotFoundException, "")

	// With RequireLayers, PutImage refuses a manifest whose blobs are missing.
	m := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"` + d + `","size":10},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"` + ecrapi.Digest("x") + `","size":1}]}`
	_, err = c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: m})
	wantAPIError(t, err, ecrapi.LayersNotFoundException, ecrapi.Digest("x"))
	_, err = c.UploadLayerPart(&ecrapi.UploadLayerPartRequest{RepositoryName: "team/api", UploadID: "nope"})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "3 validation errors detected")
}

func TestResourceTags(t *testing.T) {
	_, _, c := imageWorld(t)
	arn := "arn:aws:ecr:us-east-1:123456789012:repository/team/api"
	must(c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "team", Value: "a"}, {Key: "env", Value: "prod"}}}))(t)
	must(c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "team", Value: "b"}}}))(t)
	must(c.UntagResource(&ecrapi.UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"env", "absent"}}))(t)
	got := must(c.ListTagsForResource(&ecrapi.ListTagsForResourceRequest{ResourceArn: arn}))(t).Tags
	if !reflect.DeepEqual(got, []ecrapi.ResourceTag{{Key: "team", Value: "b"}}) {
		t.Fatalf("%+v", got)
	}
	many := make([]ecrapi.ResourceTag, ecrapi.MaxResourceTags+1)
	for i := range many {
		many[i] = ecrapi.ResourceTag{Key: strings.Repeat("k", i+1)}
	}
	for _, tt := range []struct {
		call func() error
		code string
	}{
		{func() error {
			_, err := c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: many})
			return err
		}, ecrapi.TooManyTagsException},
		{func() error {
			_, err := c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "aws:x", Value: ""}}})
			return err
		}, ecrapi.InvalidTagParameterException},
		{func() error {
			_, err := c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: "nope", Tags: []ecrapi.ResourceTag{}})
			return err
		}, ecrapi.InvalidParameterException},
		{func() error {
			_, err := c.UntagResource(&ecrapi.UntagResourceRequest{ResourceArn: arn + "x", TagKeys: []string{"a"}})
			return err
		}, ecrapi.RepositoryNotFoundException},
		{func() error { _, err := c.ListTagsForResource(&ecrapi.ListTagsForResourceRequest{}); return err }, ecrapi.InvalidParameterException},
	} {
		wantAPIError(t, tt.call(), tt.code, "")
	}
}

func TestGetAuthorizationTokenAuthenticates(t *testing.T) {
	w, clk, c := newTestWorld()
	out := must(c.GetAuthorizationToken(nil))(t)
	if len(out.AuthorizationData) != 1 || out.AuthorizationData[0].ExpiresAt.Time != t0.Add(TokenLifetime) {
		t.Fatalf("%+v", out)
	}
	pw := registryPassword(t, out.AuthorizationData[0].AuthorizationToken)
	caller := must(w.Authenticate("AWS", pw))(t)
	if caller != c.Caller() {
		t.Fatalf("authenticated %+v, want %+v", caller, c.Caller())
	}
	if _, err := w.Authenticate("AWS", pw+"x"); err == nil {
		t.Fatal("a changed password authenticates")
	}
	if _, err := w.Authenticate("admin", pw); err == nil {
		t.Fatal("another user authenticates")
	}
	clk.Advance(TokenLifetime)
	if _, err := w.Authenticate("AWS", pw); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired password: %v", err)
	}
	_, err := c.GetAuthorizationToken(&ecrapi.GetAuthorizationTokenRequest{RegistryIDs: []string{"1"}})
	wantAPIError(t, err, ecrapi.InvalidParameterException, "'registryIds'")
}

func TestSignatureReferrerCountsAgainstTheQuota(t *testing.T) {
	_, clk, c := newTestWorld(WithOptions(Options{SigningLatency: time.Second}), WithLimits(Limits{ImagesPerRepository: 2}))
	putSigning(t, c, signing(rule(profProd)))
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "")
	clk.Advance(time.Second) // the signature is stored: two images
	_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(2)})
	wantAPIError(t, err, ecrapi.LimitExceededException, "signatures included")
	refs := must(c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest(manifest(1))}}))(t).Referrers
	if len(refs) != 1 || refs[0].ArtifactType != ecrapi.SignatureArtifactType || refs[0].Annotations[ecrapi.AnnotationSigningProfile] != profProd {
		t.Fatalf("%+v", refs)
	}
	for _, tt := range []struct {
		req  *ecrapi.ListImageReferrersRequest
		code string
	}{
		{&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api"}, ecrapi.ValidationException},
		{&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: "sha256:1"}}, ecrapi.InvalidParameterException},
		{&ecrapi.ListImageReferrersRequest{RepositoryName: "team/none", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest("x")}}, ecrapi.RepositoryNotFoundException},
		{&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest("x")}, MaxResults: i32(51)}, ecrapi.ValidationException},
		{&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest("x")}, Filter: &ecrapi.ListImageReferrersFilter{ArtifactTypes: make([]string, 6)}}, ecrapi.ValidationException},
	} {
		_, err := c.ListImageReferrers(tt.req)
		wantAPIError(t, err, tt.code, "")
	}
}

func registryPassword(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(token)
	user, pw, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || user != RegistryUser {
		t.Fatalf("token %q is not base64 of AWS:PASSWORD", token)
	}
	return pw
}

// TestSaveKeepsRepositoryExtras: a saved world keeps blobs, resource tags, push and pull
// times and deleted signatures, so that a restarted server answers as before.
func TestSaveKeepsRepositoryExtras(t *testing.T) {
	w, clk, c := imageWorld(t)
	id, err := c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api")
	if err == nil {
		_, err = c.finishUpload(ecrapi.OpCompleteLayerUpload, "", "team/api", id, ecrapi.Digest("blob"), strings.NewReader("blob"), true)
	}
	if err != nil {
		t.Fatal(err)
	}
	must(c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/team/api", Tags: []ecrapi.ResourceTag{{Key: "team", Value: "a"}}}))(t)
	clk.Advance(time.Minute)
	must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t)
	sig := must(c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest(manifest(2))}}))(t).Referrers[0]
	must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: sig.Digest}}}))(t)

	var buf strings.Builder
	if err := w.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	// the world file holds the repository's blob records, not the bytes of the blob area
	if _, err := loaded.putBlob(ecrapi.Digest("blob"), strings.NewReader("blob")); err != nil {
		t.Fatal(err)
	}
	lc := loaded.client(Caller{})
	before := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api"}))(t)
	after := must(lc.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api"}))(t)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("DescribeImages after a load:\n%+v\nbefore:\n%+v", after, before)
	}
	if tags := must(lc.ListTagsForResource(&ecrapi.ListTagsForResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/team/api"}))(t).Tags; len(tags) != 1 {
		t.Fatalf("tags after a load %+v", tags)
	}
	if rc, n, err := lc.openBlob("team/api", ecrapi.Digest("blob")); err != nil || n != 4 {
		t.Fatalf("blob after a load: %d %v", n, err)
	} else {
		rc.Close()
	}
}

func TestSigningProfileOfAnotherPartition(t *testing.T) {
	for _, tt := range []struct {
		region, profile, msg string
	}{
		{"cn-north-1", "arn:aws:signer:cn-north-1:123456789012:/signing-profiles/prod", "The partition of signing profile ARN arn:aws:signer:cn-north-1:123456789012:/signing-profiles/prod is 'aws' but must be 'aws-cn'"},
		{"us-east-1", "arn:aws-cn:signer:us-east-1:123456789012:/signing-profiles/prod", "is 'aws-cn' but must be 'aws'"},
		{"us-gov-west-1", "arn:aws:signer:us-gov-west-1:123456789012:/signing-profiles/prod", "must be 'aws-us-gov'"},
	} {
		w, _, _ := newTestWorld()
		c := w.client(Caller{Region: tt.region})
		_, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(tt.profile))})
		wantAPIError(t, err, ecrapi.ValidationException, tt.msg)
	}
	w, _, _ := newTestWorld()
	c := w.client(Caller{Region: "cn-north-1"})
	must(c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule("arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/prod"))}))(t)
}

// TestAtMostTenViolations: AWS lists, and counts, at most 10 violations.
func TestAtMostTenViolations(t *testing.T) {
	_, _, c := newTestWorld()
	cfg := signing()
	for i := range 10 {
		cfg.Rules = append(cfg.Rules, rule(profProd, fmt.Sprintf("Bad%d/*", i), fmt.Sprintf("Worse%d/*", i)))
	}
	_, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg})
	var e *ecrapi.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Message, "10 validation errors detected: ") || strings.Count(e.Message, "failed to satisfy constraint") != 10 {
		t.Fatalf("%v", err)
	}
}

func TestDeleteRepositoryDropsItsUploads(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	id := must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
	must(c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/api"}))(t)
	createRepo(t, c, "team/api")
	_, err := c.appendUpload(ecrapi.OpUploadLayerPart, "", "team/api", id, 0, strings.NewReader("x"))
	wantAPIError(t, err, ecrapi.UploadNotFoundException, id)
}

// TestUploadLimits: uploads in progress and the size of one are bounded (Limits.Uploads,
// Limits.UploadBytes: serve --max-uploads, --max-upload-bytes); a completed or cancelled
// upload makes room for another.
func TestUploadLimits(t *testing.T) {
	_, _, c := newTestWorld(WithLimits(Limits{Uploads: 2, UploadBytes: 10}), WithUploadDir(t.TempDir()))
	createRepo(t, c, "team/api")
	a := must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
	b := must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
	_, err := c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api")
	// the model lists no LimitExceededException for InitiateLayerUpload
	wantAPIError(t, err, ecrapi.InvalidParameterException, "--max-uploads")
	_, err = c.appendUpload(ecrapi.OpUploadLayerPart, "", "team/api", a, 0, strings.NewReader("0123456789x"))
	wantAPIError(t, err, ecrapi.LimitExceededException, "--max-upload-bytes")
	must(0, c.cancelUpload(ecrapi.OpUploadLayerPart, "", "team/api", a))(t)
	must(c.finishUpload(ecrapi.OpCompleteLayerUpload, "", "team/api", b, ecrapi.Digest("0123456789"), strings.NewReader("0123456789"), true))(t)
	must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
	must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
}
