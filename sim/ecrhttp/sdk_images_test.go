package ecrhttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// TestSDKRepositoriesAndImages drives the repository, layer and image operations through the
// AWS SDK, with its paginators: a push as `docker push` makes it through the ECR API.
func TestSDKRepositoriesAndImages(t *testing.T) {
	srv := startServer(t, `{"now": "2026-03-01T12:00:00Z", "options": {"signingLatency": "0s"}}`, "", nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKIDCI", "us-east-1")
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd)}}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"team/a", "team/b", "team/c"} {
		if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for p := ecr.NewDescribeRepositoriesPaginator(c, &ecr.DescribeRepositoriesInput{MaxResults: aws.Int32(2)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Repositories {
			names = append(names, *r.RepositoryName)
		}
	}
	if strings.Join(names, ",") != "team/a,team/b,team/c" {
		t.Fatalf("paginated repositories %v", names)
	}

	// Layers, as docker push uploads them through the ECR API.
	layer := []byte("layer bytes")
	layerDigest := ecrapi.Digest(string(layer))
	config := []byte(`{"architecture":"amd64","os":"linux"}`)
	for _, blob := range [][]byte{layer, config} {
		up, err := c.InitiateLayerUpload(ctx, &ecr.InitiateLayerUploadInput{RepositoryName: aws.String("team/a")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UploadLayerPart(ctx, &ecr.UploadLayerPartInput{RepositoryName: aws.String("team/a"), UploadId: up.UploadId,
			PartFirstByte: aws.Int64(0), PartLastByte: aws.Int64(int64(len(blob) - 1)), LayerPartBlob: blob}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteLayerUpload(ctx, &ecr.CompleteLayerUploadInput{RepositoryName: aws.String("team/a"), UploadId: up.UploadId, LayerDigests: []string{ecrapi.Digest(string(blob))}}); err != nil {
			t.Fatal(err)
		}
	}
	avail, err := c.BatchCheckLayerAvailability(ctx, &ecr.BatchCheckLayerAvailabilityInput{RepositoryName: aws.String("team/a"), LayerDigests: []string{layerDigest, ecrapi.Digest("absent")}})
	if err != nil || len(avail.Layers) != 1 || avail.Layers[0].LayerAvailability != types.LayerAvailabilityAvailable || len(avail.Failures) != 1 {
		t.Fatalf("availability %+v %v", avail, err)
	}
	manifest := func(n int) string {
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":%q,"size":%d},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":%q,"size":%d}],"n":%d}`,
			ecrapi.Digest(string(config)), len(config), layerDigest, len(layer), n)
	}
	for n := range 3 {
		if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/a"), ImageManifest: aws.String(manifest(n)), ImageTag: aws.String(fmt.Sprintf("v%d", n))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/a"), ImageManifest: aws.String(manifest(0)), ImageTag: aws.String("v0")})
	mustAs[*types.ImageAlreadyExistsException](t, err)

	var ids []types.ImageIdentifier
	for p := ecr.NewListImagesPaginator(c, &ecr.ListImagesInput{RepositoryName: aws.String("team/a"), MaxResults: aws.Int32(2), Filter: &types.ListImagesFilter{TagStatus: types.TagStatusTagged}}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, page.ImageIds...)
	}
	if len(ids) != 3 {
		t.Fatalf("tagged images %+v", ids)
	}
	var details []types.ImageDetail
	for p := ecr.NewDescribeImagesPaginator(c, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/a"), MaxResults: aws.Int32(4)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		details = append(details, page.ImageDetails...)
	}
	if len(details) != 6 { // 3 images, 3 signatures
		t.Fatalf("%d image details", len(details))
	}
	for _, d := range details {
		if d.SubjectManifestDigest == nil && (*d.ImageSizeInBytes != int64(len(layer)) || *d.ArtifactMediaType != "application/vnd.docker.container.image.v1+json" || d.ImagePushedAt == nil) {
			t.Fatalf("image detail %+v", d)
		}
	}
	refs, err := c.ListImageReferrers(ctx, &ecr.ListImageReferrersInput{RepositoryName: aws.String("team/a"), SubjectId: &types.SubjectIdentifier{ImageDigest: aws.String(ecrapi.Digest(manifest(0)))}})
	if err != nil || len(refs.Referrers) != 1 || *refs.Referrers[0].ArtifactType != ecrapi.SignatureArtifactType {
		t.Fatalf("referrers %+v %v", refs, err)
	}
	got, err := c.BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("team/a"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageTag: aws.String("none")}}})
	if err != nil || len(got.Images) != 1 || *got.Images[0].ImageManifest != manifest(1) || got.Failures[0].FailureCode != types.ImageFailureCodeImageNotFound {
		t.Fatalf("BatchGetImage %+v %v", got, err)
	}

	// The download URL and the login point at this server.
	url, err := c.GetDownloadUrlForLayer(ctx, &ecr.GetDownloadUrlForLayerInput{RepositoryName: aws.String("team/a"), LayerDigest: aws.String(layerDigest)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *tok.AuthorizationData[0].ProxyEndpoint != srv.URL || !strings.HasPrefix(*url.DownloadUrl, srv.URL+"/v2/team/a/blobs/") {
		t.Fatalf("endpoints %q %q", *tok.AuthorizationData[0].ProxyEndpoint, *url.DownloadUrl)
	}
	req, _ := http.NewRequest("GET", *url.DownloadUrl, nil)
	req.Header.Set("Authorization", "Basic "+*tok.AuthorizationData[0].AuthorizationToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, layer) {
		t.Fatalf("downloaded %q", body)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	if !strings.HasPrefix(string(raw), "AWS:") {
		t.Fatalf("token %q", raw)
	}

	arn := "arn:aws:ecr:us-east-1:" + account + ":repository/team/a"
	if _, err := c.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Key != "team" {
		t.Fatalf("tags %+v %v", tags, err)
	}
	if _, err := c.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutImageTagMutability(ctx, &ecr.PutImageTagMutabilityInput{RepositoryName: aws.String("team/a"), ImageTagMutability: types.ImageTagMutabilityImmutable}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/a"), ImageManifest: aws.String(manifest(9)), ImageTag: aws.String("v0")})
	mustAs[*types.ImageTagAlreadyExistsException](t, err)

	del, err := c.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("team/a"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v2")}, {ImageTag: aws.String("none")}}})
	if err != nil || len(del.ImageIds) != 1 || len(del.Failures) != 1 {
		t.Fatalf("BatchDeleteImage %+v %v", del, err)
	}
	_, err = c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/a")})
	mustAs[*types.RepositoryNotEmptyException](t, err)
	if _, err := c.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("team/a"), Force: true}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("team/a")})
	mustAs[*types.RepositoryNotFoundException](t, err)
}

// TestMemberNamesAreCaseSensitive: a member spelt with other capitals is absent, as in AWS.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	srv := startServer(t, "", "", nil)
	body := `{"SigningConfiguration": {"rules": []}}`
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.PutSigningConfiguration")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "Value null at 'signingConfiguration' failed to satisfy constraint: Member must not be null") {
		t.Fatalf("HTTP %d %s", resp.StatusCode, b)
	}
}

// TestEmptyAndAbsentMembers: an empty repositoryName violates its length and its pattern; an
// absent one is null.
func TestEmptyAndAbsentMembers(t *testing.T) {
	srv := startServer(t, "", "", nil)
	for _, tt := range []struct{ body, want string }{
		{`{"repositoryName": ""}`, "2 validation errors detected: Value '' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{`{}`, "Value null at 'repositoryName' failed to satisfy constraint: Member must not be null"},
		{`{"repositoryName": null}`, "Value null at 'repositoryName'"},
		{`{"RepositoryName": "team/app"}`, "Value null at 'repositoryName'"},
	} {
		req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(tt.body))
		req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeImages")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), tt.want) || !strings.Contains(string(b), "InvalidParameterException") {
			t.Errorf("%s: HTTP %d %s; want %q", tt.body, resp.StatusCode, b, tt.want)
		}
	}
}
