package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden and the expected output in testdata/script")

// TestMain lets the test binary act as the ecrsign command in testdata/script.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"ecrsign": main})
}

// TestScripts runs the end-to-end scripts of testdata/script/*.txtar against the ecrsign
// binary. Each script runs in a fresh directory where examples/ is the repository's.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("testdata", "script"),
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			return os.Symlink(examples, filepath.Join(env.WorkDir, "examples"))
		},
	})
}

// goldenCases run ecrsign validate on files of examples/ and compare stdout with
// testdata/golden/NAME.txt (NAME.json, NAME.sarif, NAME.github for the other formats).
var goldenCases = []struct {
	name  string
	args  []string
	exit  int
	json  bool // also --format json
	ci    bool // also --format sarif and --format github
	stdin string
}{
	{name: "valid-examples", args: []string{"examples/signing/api-request.json", "examples/signing/api-response.json", "examples/signing/bare.json", "examples/signing/cloudformation.yaml", "examples/signing/cloudformation.json", "examples/signing/terraform-plan.json", "examples/replication/replication.json"}, exit: 0},
	{name: "wildcard-typo", args: []string{"examples/broken/wildcard-typo.json"}, exit: 1, json: true, ci: true},
	{name: "analysis", args: []string{"cmd/ecrsign/testdata/analysis.json"}, exit: 0, json: true, ci: true},
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
		if tc.ci {
			formats = append(formats, "sarif", "github")
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
	switch format {
	case "json":
		return ".json"
	case "sarif":
		return ".sarif"
	case "github":
		return ".github"
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
		{[]string{"match", "--config", "testdata/does-not-exist.json", "a"}, 2, "no such file"},
		{[]string{"explain", "a"}, 2, "--config is required"},
		{[]string{"simulate", "--config", "x.json"}, 2, "--repository is required"},
		{[]string{"diff", "--old", "x.json"}, 2, "--old and --new are required"},
		{[]string{"version", "extra"}, 2, "takes no arguments"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, strings.NewReader(""), &stdout, &stderr)
		if code != tt.exit || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, stderr.String(), tt.exit, tt.stderr)
		}
	}
	// Help is a result: it goes to standard output and exits 0, for every command.
	for name := range commands {
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}, {"help", name}} {
			var stdout, stderr bytes.Buffer
			if code := run(args, nil, &stdout, &stderr); code != 0 || stderr.Len() > 0 ||
				!strings.HasPrefix(stdout.String(), "usage: ecrsign "+name) || !strings.Contains(stdout.String(), "Example:") {
				t.Errorf("run(%q) = %d, stdout %q, stderr %q; want usage with an example on stdout", args, code, stdout.String(), stderr.String())
			}
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

// TestHelpExamples runs every example of every command's help, from the module root, as a
// user would paste it: each must be valid usage (exit 0 or 1) and print something.
func TestHelpExamples(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	for name := range commands {
		if name == "serve" {
			continue // runs until interrupted: TestServeExample runs it with a deadline
		}
		var help bytes.Buffer
		run([]string{name, "-h"}, nil, &help, &help)
		_, examples, ok := strings.Cut(help.String(), "\nExample:\n")
		if !ok {
			t.Errorf("%s: no example in the help", name)
			continue
		}
		for _, line := range strings.Split(examples, "\n") {
			if !strings.HasPrefix(line, "  ecrsign ") {
				continue
			}
			args := strings.Fields(line)[1:]
			var stdin []byte
			for i := 0; i < len(args); i++ {
				switch args[i] {
				case "<":
					data, err := os.ReadFile(args[i+1])
					if err != nil {
						t.Fatalf("%s: %v", line, err)
					}
					stdin = data
					args = append(args[:i:i], args[i+2:]...)
					i--
				case ">":
					args = append(args[:i:i], args[i+2:]...) // output goes to stdout here
					i--
				}
			}
			var stdout, stderr bytes.Buffer
			code := run(args, bytes.NewReader(stdin), &stdout, &stderr)
			if code == exitUsage || stderr.Len() > 0 || stdout.Len() == 0 {
				t.Errorf("%s: exit %d, %d bytes out, stderr %q", line, code, stdout.Len(), stderr.String())
			}
		}
	}
}

// TestServeExample runs the serve example of the help on a free port with a private state file
// until a deadline, as an interrupt would end it, and checks that the state file was written.
func TestServeExample(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	var help bytes.Buffer
	run([]string{"serve", "-h"}, nil, &help, &help)
	_, examples, _ := strings.Cut(help.String(), "\nExample:\n")
	var args []string
	for _, line := range strings.Split(examples, "\n") {
		if strings.HasPrefix(line, "  ecrsign serve ") {
			args = strings.Fields(line)[1:]
		}
	}
	require.NotEmpty(t, args, "no serve example in the help")
	state := filepath.Join(t.TempDir(), "state.json")
	for i := range args {
		switch args[i] {
		case "--addr":
			args[i+1] = "127.0.0.1:0"
		case "--state":
			args[i+1] = state
		}
	}
	interrupt := serveContext
	serveContext = func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 500*time.Millisecond)
	}
	t.Cleanup(func() { serveContext = interrupt })
	var stdout, stderr bytes.Buffer
	code := run(args, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stderr: %s", stderr.String())
	assert.Contains(t, stderr.String(), "serving the ECR API")
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Contains(t, string(data), "registries")
}
