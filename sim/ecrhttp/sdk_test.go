package ecrhttp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// flowWorld starts frozen, so that statuses settle only when the test advances the clock, and
// declares a principal that may use only the prod profile.
const flowWorld = `{
  "now": "2026-03-01T12:00:00Z",
  "options": {"signingLatency": "2s", "replicationLatency": "5s"},
  "principals": {"arn:aws:iam::123456789012:role/dev": ["arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"]}
}`

// TestSDKFlow drives every operation through the AWS SDK: configurations, a repository, pushes,
// and statuses that settle when the clock is advanced.
func TestSDKFlow(t *testing.T) {
	srv := startServer(t, flowWorld, "", map[string]sim.Caller{"AKIDDEV": {Principal: devRole}})
	ctx := context.Background()
	c := sdk(srv.URL, "AKIDCI", "us-east-1")
	dev := sdk(srv.URL, "AKIDDEV", "us-east-1")

	_, err := c.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
	e := mustAs[*types.SigningConfigurationNotFoundException](t, err)
	if !strings.Contains(e.ErrorMessage(), "'123456789012' in region 'us-east-1'") {
		t.Errorf("message %q", e.ErrorMessage())
	}

	cfg := &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd, "team/*"), signingRule(profAud)}}
	put, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(put.SigningConfiguration.Rules); got != 2 {
		t.Fatalf("put returned %d rules", got)
	}
	get, err := c.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *get.RegistryId != account || *get.SigningConfiguration.Rules[0].SigningProfileArn != profProd ||
		*get.SigningConfiguration.Rules[0].RepositoryFilters[0].Filter != "team/*" ||
		get.SigningConfiguration.Rules[1].RepositoryFilters != nil {
		t.Fatalf("get returned %+v", get.SigningConfiguration)
	}

	west := types.ReplicationDestination{Region: aws.String("us-west-2"), RegistryId: aws.String(account)}
	_, err = c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{Destinations: []types.ReplicationDestination{west},
			RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("team"), FilterType: types.RepositoryFilterTypePrefixMatch}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *reg.RegistryId != account || len(reg.ReplicationConfiguration.Rules) != 1 || *reg.ReplicationConfiguration.Rules[0].Destinations[0].Region != "us-west-2" {
		t.Fatalf("describe registry returned %+v", reg.ReplicationConfiguration)
	}

	repo, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/api")})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if !repo.Repository.CreatedAt.Equal(start) || *repo.Repository.RepositoryUri != "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api" ||
		repo.Repository.ImageTagMutability != types.ImageTagMutabilityMutable {
		t.Fatalf("create returned %+v (createdAt %v)", repo.Repository, repo.Repository.CreatedAt)
	}

	pushed, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/api"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	if *pushed.Image.ImageId.ImageDigest != ecrapi.Digest(manifest(1)) || *pushed.Image.ImageManifestMediaType != ecrapi.MediaTypeOCIManifest {
		t.Fatalf("push returned %+v", pushed.Image)
	}
	st := signingStatuses(t, c, "team/api", "v1")
	if len(st) != 2 || st[profProd].Status != types.SigningStatusInProgress || st[profAud].Status != types.SigningStatusInProgress {
		t.Fatalf("right after the push: %+v", st)
	}
	repl, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"), ImageId: &types.ImageIdentifier{ImageDigest: pushed.Image.ImageId.ImageDigest},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(repl.ReplicationStatuses) != 1 || repl.ReplicationStatuses[0].Status != types.ReplicationStatusInProgress || *repl.ReplicationStatuses[0].Region != "us-west-2" {
		t.Fatalf("replication right after the push: %+v", repl.ReplicationStatuses)
	}

	// The same manifest pushed by dev, who may not use the audit profile.
	if _, err := dev.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/api"), ImageManifest: aws.String(manifest(2)), ImageTag: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}

	clock(t, srv.URL, `{"advance": "2s"}`)
	st = signingStatuses(t, c, "team/api", "v1")
	if st[profProd].Status != types.SigningStatusComplete || st[profAud].Status != types.SigningStatusComplete || st[profProd].FailureCode != nil {
		t.Fatalf("after the signing latency: %+v", st)
	}
	st = signingStatuses(t, c, "team/api", "dev")
	if st[profProd].Status != types.SigningStatusComplete || st[profAud].Status != types.SigningStatusFailed ||
		*st[profAud].FailureCode != ecrapi.FailureAccessDenied || !strings.Contains(*st[profAud].FailureReason, devRole) {
		t.Fatalf("dev's push: %+v", st)
	}
	repl, _ = c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")},
	})
	if repl.ReplicationStatuses[0].Status != types.ReplicationStatusInProgress {
		t.Fatalf("replication settled before its latency: %+v", repl.ReplicationStatuses)
	}
	clock(t, srv.URL, `{"advance": "3s"}`)
	repl, _ = c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")},
	})
	if repl.ReplicationStatuses[0].Status != types.ReplicationStatusComplete {
		t.Fatalf("replication after its latency: %+v", repl.ReplicationStatuses)
	}

	// The replica is in us-west-2, which a client signing for that region addresses; it is
	// not signed there.
	westClient := sdk(srv.URL, "AKIDCI", "us-west-2")
	if st := signingStatuses(t, westClient, "team/api", "v1"); len(st) != 0 {
		t.Fatalf("replica signed: %+v", st)
	}

	del, err := c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.SigningConfiguration.Rules) != 2 {
		t.Fatalf("delete returned %+v", del.SigningConfiguration)
	}
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("team/api"), ImageManifest: aws.String(manifest(3)), ImageTag: aws.String("unsigned")}); err != nil {
		t.Fatal(err)
	}
	if st := signingStatuses(t, c, "team/api", "unsigned"); len(st) != 0 {
		t.Fatalf("pushed after delete: %+v", st)
	}
	if st := signingStatuses(t, c, "team/api", "v1"); len(st) != 2 {
		t.Fatalf("statuses lost by delete: %+v", st)
	}
	_, err = c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{})
	mustAs[*types.SigningConfigurationNotFoundException](t, err)
}

// TestSDKRealTime: with the clock running, statuses settle after the world's latency.
func TestSDKRealTime(t *testing.T) {
	srv := startServer(t, `{"options": {"signingLatency": "150ms", "replicationLatency": "150ms"}}`, "", nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKID", "us-east-1")
	if _, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	pushedAt := time.Now()
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	for {
		st := signingStatuses(t, c, "app", "v1")[profProd].Status
		if st == types.SigningStatusComplete {
			break
		}
		if st != types.SigningStatusInProgress {
			t.Fatalf("status %s", st)
		}
		if time.Since(pushedAt) > 5*time.Second {
			t.Fatal("the status did not settle within 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d := time.Since(pushedAt); d < 150*time.Millisecond {
		t.Fatalf("settled after %v, before the latency", d)
	}
}

// TestSDKErrors: every error path of every operation reaches the SDK as its typed error.
func TestSDKErrors(t *testing.T) {
	srv := startServer(t, `{"now": "2026-03-01T12:00:00Z"}`, "", nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKID", "us-east-1")
	mustOK := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}))
	mustOK(c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("locked"), ImageTagMutability: types.ImageTagMutabilityImmutable}))
	mustOK(c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("v1")}))
	mustOK(c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("locked"), ImageManifest: aws.String(manifest(1)), ImageTag: aws.String("v1")}))
	index := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"` + ecrapi.Digest(manifest(99)) + `","size":1}]}`

	cases := []struct {
		name    string
		call    func() error
		check   func(error) error // returns nil when err is the expected typed error
		message string            // a part of the message
	}{
		{"get without configuration", func() error { _, err := c.GetSigningConfiguration(ctx, nil); return err },
			is[*types.SigningConfigurationNotFoundException], "Signing configuration does not exist"},
		{"delete without configuration", func() error { _, err := c.DeleteSigningConfiguration(ctx, nil); return err },
			is[*types.SigningConfigurationNotFoundException], "does not exist"},
		{"put invalid filter", func() error {
			_, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profProd, "Team/*")}}})
			return err
		}, is[*types.ValidationException], "1 validation error detected: Value 'Team/*' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter'"},
		{"put profile of another region", func() error {
			_, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{signingRule(profWest)}}})
			return err
		}, is[*types.ValidationException], "is 'us-west-2' but must be 'us-east-1'"},
		{"replicate to the source", func() error {
			_, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
				Destinations: []types.ReplicationDestination{{Region: aws.String("us-east-1"), RegistryId: aws.String(account)}}}}}})
			return err
		}, is[*types.InvalidParameterException], "cannot be the source registry"},
		{"replication filter too short", func() error {
			_, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
				Destinations:      []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(account)}},
				RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("a"), FilterType: types.RepositoryFilterTypePrefixMatch}}}}}})
			return err
		}, is[*types.ValidationException], "validation error detected"},
		{"create invalid name", func() error {
			_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("Bad")})
			return err
		}, is[*types.InvalidParameterException], "repositoryName"},
		{"create existing", func() error {
			_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
			return err
		}, is[*types.RepositoryAlreadyExistsException], "already exists"},
		{"push to missing repository", func() error {
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("nope"), ImageManifest: aws.String(manifest(2))})
			return err
		}, is[*types.RepositoryNotFoundException], "'nope' does not exist"},
		{"push with wrong digest", func() error {
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest(2)), ImageDigest: aws.String(ecrapi.Digest(manifest(3)))})
			return err
		}, is[*types.ImageDigestDoesNotMatchException], "does not match"},
		{"push over an immutable tag", func() error {
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("locked"), ImageManifest: aws.String(manifest(2)), ImageTag: aws.String("v1")})
			return err
		}, is[*types.ImageTagAlreadyExistsException], "immutable"},
		{"push an index of missing manifests", func() error {
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(index)})
			return err
		}, is[*types.ReferencedImagesNotFoundException], "1 manifest(s) not found"},
		{"push a manifest that is not JSON", func() error {
			_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String("{"), ImageManifestMediaType: aws.String(ecrapi.MediaTypeOCIManifest)})
			return err
		}, is[*types.InvalidParameterException], "Invalid JSON syntax"},
		{"signing status of missing repository", func() error {
			_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("nope"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			return err
		}, is[*types.RepositoryNotFoundException], "'nope' does not exist"},
		{"signing status of missing image", func() error {
			_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v9")}})
			return err
		}, is[*types.ImageNotFoundException], "imageTag:'v9'"},
		{"signing status of invalid name", func() error {
			_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("A"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			return err
		}, is[*types.InvalidParameterException], "Invalid parameter at 'repositoryName'"},
		{"signing status without image id", func() error {
			_, err := c.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{}})
			return err
		}, is[*types.InvalidParameterException], "imageId"},
		{"replication status of missing repository", func() error {
			_, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("nope"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			return err
		}, is[*types.RepositoryNotFoundException], "does not exist"},
		{"replication status of missing image", func() error {
			_, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(ecrapi.Digest(manifest(7)))}})
			return err
		}, is[*types.ImageNotFoundException], "does not exist"},
		{"replication status with bad registry id", func() error {
			_, err := c.DescribeImageReplicationStatus(ctx, &ecr.DescribeImageReplicationStatusInput{RegistryId: aws.String("12"), RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			return err
		}, is[*types.InvalidParameterException], "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''"},
		{"operation ecrsign does not serve", func() error {
			_, err := c.StartImageScan(ctx, &ecr.StartImageScanInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
			return err
		}, code("UnknownOperationException"), "StartImageScan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			if cerr := tc.check(err); cerr != nil {
				t.Fatal(cerr)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || !strings.Contains(api.ErrorMessage(), tc.message) {
				t.Fatalf("message %q does not contain %q", err, tc.message)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
				t.Fatalf("want HTTP 400, got %v", err)
			}
		})
	}
}

func is[T error](err error) error {
	var target T
	if !errors.As(err, &target) {
		return fmt.Errorf("want %T, got %T: %v", target, err, err)
	}
	return nil
}

func code(name string) func(error) error {
	return func(err error) error {
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != name {
			return fmt.Errorf("want %s, got %v", name, err)
		}
		return nil
	}
}

// TestSDKServerException: an injected server fault reaches the SDK as ServerException, HTTP 500.
func TestSDKServerException(t *testing.T) {
	srv := startServer(t, `{"options": {"faults": {"seed": 1, "serverErrorRate": 1}}}`, "", nil)
	_, err := sdk(srv.URL, "AKID", "us-east-1").GetSigningConfiguration(context.Background(), nil)
	e := mustAs[*types.ServerException](t, err)
	if !strings.Contains(e.ErrorMessage(), "Injected fault") {
		t.Errorf("message %q", e.ErrorMessage())
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("want HTTP 500, got %v", err)
	}
}

// TestSDKLargestManifest: the body limit leaves room for the largest manifest the API model
// allows, and a larger one gets the model's error, not a transport failure.
func TestSDKLargestManifest(t *testing.T) {
	srv := startServer(t, "", "", nil)
	ctx := context.Background()
	c := sdk(srv.URL, "AKID", "us-east-1")
	if _, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	withPadding := func(size int) string {
		head := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"pad":"`
		tail := `"}}`
		return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
	}
	if _, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("big"), ImageManifest: aws.String(withPadding(ecrapi.MaxManifestBytes))}); err != nil {
		t.Fatalf("largest manifest: %v", err)
	}
	_, err := c.PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("big"), ImageManifest: aws.String(withPadding(ecrapi.MaxManifestBytes + 1))})
	if e := mustAs[*types.InvalidParameterException](t, err); !strings.Contains(e.ErrorMessage(), "imageManifest") {
		t.Fatalf("message %q", e.ErrorMessage())
	}
}
