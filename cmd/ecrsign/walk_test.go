package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

const walkConfig = `{"rules": [{"signingProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"}]}`

// walkTree builds a directory with every kind of entry a walk meets.
func walkTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mk := func(path string) string { return filepath.Join(dir, path) }
	for _, d := range []string{"sub/deeper", ".hidden", "node_modules", "other"} {
		if err := os.MkdirAll(mk(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a.json", "sub/b.yaml", "sub/deeper/c.yml", ".hidden/h.json", "node_modules/n.json", "other/o.json", "notes.txt"} {
		os.WriteFile(mk(f), []byte(walkConfig), 0o644)
	}
	if err := syscall.Mkfifo(mk("pipe.json"), 0o644); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	syscall.Mkfifo(mk("pipe.txt"), 0o644) // not a configuration name: not reported
	ln, err := net.Listen("unix", mk("sock.yaml"))
	if err != nil {
		t.Skipf("cannot make a socket: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	for link, target := range map[string]string{
		"to-pipe.json":       "pipe.json",    // regression: the walk hung reading it
		"to-file.json":       "other/o.json", // followed
		"to-other":           "other",        // a directory, followed
		"sub/deeper/loop":    "../..",        // a loop back to the root
		"sub/self":           ".",            // a loop to itself
		"dangling.yml":       "missing.yml",  // leads nowhere
		"sub/to-hidden.json": "../.hidden/h.json",
	} {
		if err := os.Symlink(target, mk(link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestConfigFiles: the walk returns configuration files, follows links to files and
// directories, ends link loops, and reports without opening what is not a regular file.
func TestConfigFiles(t *testing.T) {
	dir := walkTree(t)
	done := make(chan struct{})
	var files []string
	var skipped []string
	var err error
	go func() {
		defer close(done)
		found, sk, e := configFiles(dir)
		err = e
		for _, f := range found {
			files = append(files, f.path)
		}
		for _, f := range sk {
			if f.Severity != "info" {
				t.Errorf("finding %v is not info", f)
			}
			skipped = append(skipped, strings.TrimPrefix(f.File, dir+"/")+": "+f.Message[strings.Index(f.Message, " is ")+4:])
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the walk did not end within a minute")
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = strings.TrimPrefix(f, dir+"/")
	}
	wantFiles := []string{"a.json", "other/o.json", "sub/b.yaml", "sub/deeper/c.yml", "sub/to-hidden.json", "to-file.json", "to-other/o.json"}
	if !slices.Equal(files, wantFiles) {
		t.Errorf("files %q\nwant  %q", files, wantFiles)
	}
	slices.Sort(skipped)
	want := []string{
		"dangling.yml: a symbolic link that leads nowhere",
		"pipe.json: not a regular file but a named pipe",
		"sock.yaml: not a regular file but a socket",
		"to-pipe.json: not a regular file but a named pipe",
	}
	if len(skipped) != len(want) {
		t.Fatalf("skipped %q\nwant    %q", skipped, want)
	}
	for i := range want {
		if !strings.HasPrefix(skipped[i], want[i]) {
			t.Errorf("skipped %q, want %q", skipped[i], want[i])
		}
	}
}

// TestValidateDirWithPipe: regression: `ecrsign validate DIR` hung forever on a *.json
// symbolic link to a named pipe. It now validates the rest and says what it skipped.
func TestValidateDirWithPipe(t *testing.T) {
	dir := walkTree(t)
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run([]string{"validate", dir}, strings.NewReader(""), &stdout, &stderr) }()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("validate did not end within a minute")
	}
	if !strings.Contains(stdout.String(), "to-pipe.json is not a regular file but a named pipe") {
		t.Errorf("no finding for the link to the pipe:\n%s", stdout.String())
	}
}
