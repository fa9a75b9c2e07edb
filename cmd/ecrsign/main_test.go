package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// goldenCases run ecrsign validate on files of examples/ and compare stdout with
// testdata/golden/NAME.txt (and NAME.json for --format json).
var goldenCases = []struct {
	name  string
	args  []string
	exit  int
	json  bool
	stdin string
}{
	{name: "valid-examples", args: []string{"examples/signing/api-request.json", "examples/signing/api-response.json", "examples/signing/bare.json", "examples/signing/cloudformation.yaml", "examples/signing/cloudformation.json", "examples/signing/terraform-plan.json", "examples/replication/replication.json"}, exit: 0},
	{name: "wildcard-typo", args: []string{"examples/broken/wildcard-typo.json"}, exit: 1, json: true},
	{name: "wrong-types", args: []string{"examples/broken/wrong-types.json"}, exit: 1, json: true},
	{name: "truncated", args: []string{"examples/broken/truncated.json"}, exit: 1, json: true},
	{name: "cloudformation-too-many", args: []string{"examples/broken/cloudformation-too-many.yaml"}, exit: 1, json: true},
	{name: "aliases", args: []string{"examples/broken/aliases.yaml"}, exit: 1},
	{name: "region", args: []string{"--region", "eu-west-1", "examples/signing/api-request.json"}, exit: 1},
	{name: "strict", args: []string{"--strict", "examples/signing/bare.json", "cmd/ecrsign/testdata/exact-filter.json"}, exit: 1},
	{name: "not-strict", args: []string{"cmd/ecrsign/testdata/exact-filter.json"}, exit: 0},
	{name: "stdin", args: []string{"-"}, stdin: `{"rules": [{"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/x"}]}`, exit: 1},
}

func TestValidateGolden(t *testing.T) {
	for _, tc := range goldenCases {
		formats := []string{"text"}
		if tc.json {
			formats = append(formats, "json")
		}
		for _, format := range formats {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				golden, err := filepath.Abs(filepath.Join("testdata", "golden", tc.name+extension(format)))
				if err != nil {
					t.Fatal(err)
				}
				t.Chdir(filepath.Join("..", "..")) // file names in the output are relative to the module root
				args := append([]string{"validate", "--format", format}, tc.args...)
				var stdout, stderr bytes.Buffer
				code := run(args, strings.NewReader(tc.stdin), &stdout, &stderr)
				if code != tc.exit {
					t.Errorf("exit %d, want %d; stderr: %s", code, tc.exit, stderr.String())
				}
				if stderr.Len() > 0 {
					t.Errorf("unexpected stderr: %s", stderr.String())
				}
				if *update {
					if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(stdout.Bytes(), want) {
					t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", golden, stdout.String(), want)
				}
			})
		}
	}
}

func extension(format string) string {
	if format == "json" {
		return ".json"
	}
	return ".txt"
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args   []string
		exit   int
		stderr string
	}{
		{nil, 2, "usage: ecrsign COMMAND"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"validate"}, 2, "no files given"},
		{[]string{"validate", "--format", "xml", "a.json"}, 2, `unknown format "xml"`},
		{[]string{"validate", "--bogus", "a.json"}, 2, "flag provided but not defined"},
		{[]string{"validate", "testdata/does-not-exist.json"}, 2, "no such file"},
		{[]string{"validate", "testdata"}, 2, "is a directory"},
		{[]string{"validate", "-h"}, 0, "usage: ecrsign validate"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, strings.NewReader(""), &stdout, &stderr)
		if code != tt.exit || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.exit, tt.stderr)
		}
	}
	var stdout bytes.Buffer
	if code := run([]string{"help"}, nil, &stdout, &stdout); code != 0 || !strings.Contains(stdout.String(), "validate") {
		t.Errorf("help: %d %q", code, stdout.String())
	}
}

func TestValidateTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, bytes.Repeat([]byte(" "), 16<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", path}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), "ECR100") {
		t.Errorf("exit %d, output %q", code, stdout.String())
	}
}
