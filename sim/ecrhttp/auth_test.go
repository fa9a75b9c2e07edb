package ecrhttp_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrhttp"
)

const secretCI = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

// authServer serves a world that checks signatures, with one key: AKIDCI, secret secretCI,
// acting as account 210987654321.
func authServer(t *testing.T) *testServer {
	return startServer(t, "", "", map[string]sim.Caller{"AKIDCI": {Account: "210987654321"}},
		ecrhttp.WithSecretKey("AKIDCI", secretCI), ecrhttp.WithSignatureVerification())
}

func signedClient(url, key, secret string) *ecr.Client {
	return ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), Retryer: aws.NopRetryer{}})
}

// TestSignatureVerification: with verification on, the SDK's signed requests with the right
// secret are served as the key's caller; a wrong secret, an unknown key and an unsigned
// request are refused with HTTP 403 and ECR's exception names.
func TestSignatureVerification(t *testing.T) {
	srv := authServer(t)
	ctx := context.Background()
	out, err := signedClient(srv.URL, "AKIDCI", secretCI).DescribeRegistry(ctx, nil)
	if err != nil || *out.RegistryId != "210987654321" {
		t.Fatalf("good signature: %v %v", out, err)
	}
	if _, err := signedClient(srv.URL, "AKIDCI", secretCI).PutImage(ctx, &ecr.PutImageInput{RepositoryName: aws.String("app"), ImageManifest: aws.String(manifest(1))}); err == nil || !strings.Contains(err.Error(), "RepositoryNotFoundException") {
		t.Fatalf("good signature over a body: %v", err)
	}
	for _, tc := range []struct{ name, key, secret, code string }{
		{"wrong secret", "AKIDCI", "not-the-secret", "InvalidSignatureException"},
		{"unknown key", "AKIDNOBODY", secretCI, "UnrecognizedClientException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := signedClient(srv.URL, tc.key, tc.secret).DescribeRegistry(ctx, nil)
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
				t.Fatalf("want HTTP 403: %v", err)
			}
		})
	}
	t.Run("tampered body", func(t *testing.T) {
		// Signed for one body, sent with another: the payload hash no longer matches.
		c := ecr.New(ecr.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("AKIDCI", secretCI, ""), Retryer: aws.NopRetryer{},
			HTTPClient: tamperingClient{}})
		_, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")})
		if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") {
			t.Fatalf("want InvalidSignatureException, got %v", err)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		r := post(t, srv.URL, "/", ecrhttp.TargetPrefix+"DescribeRegistry", ecrhttp.ContentType, "", "{}")
		if r.status != 403 || r.body["__type"] != "MissingAuthenticationTokenException" {
			t.Fatalf("HTTP %d %s", r.status, r.raw)
		}
	})
}

// tamperingClient sends a request with its body changed after signing.
type tamperingClient struct{}

func (tamperingClient) Do(r *http.Request) (*http.Response, error) {
	body := strings.NewReader(`{"repositoryName":"evil"}`)
	r.Body, r.ContentLength = readCloser{body}, int64(body.Len())
	return http.DefaultClient.Do(r)
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

// TestSignatureVerificationAWSCLI: the AWS CLI's signatures (botocore's signer) verify too,
// and a wrong secret is refused.
func TestSignatureVerificationAWSCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws command on PATH")
	}
	if testing.Short() {
		t.Skip("the AWS CLI starts slowly; skipped with -short")
	}
	srv := authServer(t)
	home := t.TempDir()
	run := func(secret string) (string, error) {
		cmd := exec.Command(awsCLI, "ecr", "--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json", "describe-registry")
		cmd.Env = append(os.Environ(), "HOME="+home, "AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
			"AWS_ACCESS_KEY_ID=AKIDCI", "AWS_SECRET_ACCESS_KEY="+secret, "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(secretCI); err != nil || !strings.Contains(out, "210987654321") {
		t.Fatalf("good secret: %v\n%s", err, out)
	}
	if out, err := run("wrong"); err == nil || !strings.Contains(out, "InvalidSignatureException") {
		t.Fatalf("wrong secret: %v\n%s", err, out)
	}
}
