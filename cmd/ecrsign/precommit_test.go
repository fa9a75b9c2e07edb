package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// preCommitHook is the part of a .pre-commit-hooks.yaml entry pre-commit reads.
type preCommitHook struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	Language      string   `yaml:"language"`
	Entry         string   `yaml:"entry"`
	Files         string   `yaml:"files"`
	Args          []string `yaml:"args"`
	PassFilenames *bool    `yaml:"pass_filenames"`
}

// TestPreCommitHook runs the ecrsign-validate hook as pre-commit would: its entry and args,
// then every example file its files pattern selects.
func TestPreCommitHook(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	var hook *preCommitHook
	for i := range hooks {
		if hooks[i].ID == "ecrsign-validate" {
			hook = &hooks[i]
		}
	}
	if hook == nil {
		t.Fatal("no ecrsign-validate hook in .pre-commit-hooks.yaml")
	}
	if hook.Language != "golang" || hook.Name == "" || hook.PassFilenames == nil || !*hook.PassFilenames {
		t.Errorf("hook %+v: want language golang, a name and pass_filenames: true", *hook)
	}
	entry := strings.Fields(hook.Entry)
	if len(entry) < 2 || entry[0] != "ecrsign" || entry[1] != "validate" {
		t.Fatalf("entry %q does not run ecrsign validate", hook.Entry)
	}
	files := regexp.MustCompile(hook.Files)

	t.Chdir(root) // pre-commit runs hooks at the repository root with relative file names
	var selected []string
	err = filepath.WalkDir("examples", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && files.MatchString(path) {
			selected = append(selected, filepath.ToSlash(path))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hookRun := func(files []string) (int, string, string) {
		args := append(append(append([]string(nil), entry[1:]...), hook.Args...), files...)
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	var good, broken []string
	for _, f := range selected {
		if strings.HasPrefix(f, "examples/broken/") {
			broken = append(broken, f)
		} else {
			good = append(good, f)
		}
	}
	if len(good) < 8 || len(broken) < 4 {
		t.Fatalf("the files pattern %q selects too few examples: %q", hook.Files, selected)
	}
	if slicesContains(selected, "examples/inventory.txt") {
		t.Errorf("the files pattern %q selects inventory.txt", hook.Files)
	}

	// The valid examples pass, world.json (no configuration) included.
	code, stdout, stderr := hookRun(good)
	if code != exitOK || stderr != "" || strings.Contains(stdout, "error") || strings.Contains(stdout, "world.json") {
		t.Errorf("hook on %q: exit %d, stdout:\n%s\nstderr:\n%s", good, code, stdout, stderr)
	}
	// Every broken example fails the hook, each with an error of its own.
	for _, f := range broken {
		code, stdout, stderr := hookRun([]string{f})
		if code != exitFound || stderr != "" || !strings.Contains(stdout, f+":") || !strings.Contains(stdout, ": error ECR") {
			t.Errorf("hook on %s: exit %d, stdout:\n%s\nstderr:\n%s", f, code, stdout, stderr)
		}
	}
	// All at once, as a first commit of the examples would run it.
	if code, _, _ := hookRun(selected); code != exitFound {
		t.Errorf("hook on every example: exit %d, want %d", code, exitFound)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
