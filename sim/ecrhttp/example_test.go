package ecrhttp_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

// An in-process ECR endpoint for a tool's tests: the AWS SDK talks to a simulated world whose
// clock the test freezes and advances.
func ExampleNewHandler() {
	clock := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	world := sim.New(sim.WithClock(clock))
	srv := httptest.NewServer(ecrhttp.NewHandler(world))
	defer srv.Close()

	ctx := context.Background()
	client := ecr.New(ecr.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "not-checked", ""),
	})
	client.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{SigningConfiguration: &types.SigningConfiguration{
		Rules: []types.SigningRule{{SigningProfileArn: aws.String("arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod")}},
	}})
	client.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("team/api")})
	client.PutImage(ctx, &ecr.PutImageInput{
		RepositoryName: aws.String("team/api"),
		ImageTag:       aws.String("v1"),
		ImageManifest:  aws.String(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`),
	})
	status := func() {
		out, err := client.DescribeImageSigningStatus(ctx, &ecr.DescribeImageSigningStatusInput{
			RepositoryName: aws.String("team/api"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, s := range out.SigningStatuses {
			fmt.Println(*s.SigningProfileArn, s.Status)
		}
	}
	status()
	clock.Advance(sim.DefaultSigningLatency)
	status()
	// Output:
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod IN_PROGRESS
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod COMPLETE
}
