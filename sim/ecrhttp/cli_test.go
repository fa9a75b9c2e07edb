package ecrhttp_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAWSCLI drives the server with the AWS CLI, when one is installed: the protocol is the
// one botocore speaks too.
func TestAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws command on PATH")
	}
	if testing.Short() {
		t.Skip("the AWS CLI starts slowly; skipped with -short")
	}
	srv := startServer(t, `{"now": "2026-03-01T12:00:00Z", "options": {"signingLatency": "2s"}, "registries": [{"registryId": "123456789012", "region": "us-east-1",
	  "signingConfiguration": {"rules": [{"signingProfileArn": "`+profProd+`"}]}}]}`, "", nil)
	home := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(aws, append([]string{"ecr", "--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
			"AWS_ACCESS_KEY_ID=AKIDCLI", "AWS_SECRET_ACCESS_KEY=not-checked", "AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("create-repository", "--repository-name", "team/api"); err != nil || !strings.Contains(out, `"createdAt": 1772366400`) {
		t.Fatalf("create-repository: %v\n%s", err, out)
	}
	if out, err := run("put-image", "--repository-name", "team/api", "--image-tag", "v1", "--image-manifest", manifest(1)); err != nil {
		t.Fatalf("put-image: %v\n%s", err, out)
	}
	out, err := run("describe-image-signing-status", "--repository-name", "team/api", "--image-id", "imageTag=v1")
	if err != nil {
		t.Fatalf("describe-image-signing-status: %v\n%s", err, out)
	}
	var st struct {
		SigningStatuses []struct{ SigningProfileArn, Status string }
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.SigningStatuses) != 1 || st.SigningStatuses[0].Status != "IN_PROGRESS" {
		t.Fatalf("describe-image-signing-status: %v\n%s", err, out)
	}
	out, err = run("describe-image-signing-status", "--repository-name", "team/api", "--image-id", "imageTag=v9")
	if err == nil || !strings.Contains(out, "(ImageNotFoundException)") {
		t.Fatalf("want ImageNotFoundException: %v\n%s", err, out)
	}
}
