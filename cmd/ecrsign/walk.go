package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ecrsign/ecrsign/rules"
)

// maxWalkDirs bounds the directories one walk visits, so that a tree of links that do not
// loop but multiply (a link to a directory beside each directory) still ends.
const maxWalkDirs = 100_000

// configFiles returns the *.json, *.yaml, *.yml and *.tf files under dir in lexical order,
// skipping hidden directories and node_modules. A CDK cloud assembly (dir itself, or a
// directory named cdk.out, holding a manifest.json) gives the templates its manifest names,
// each with its stack's account and region, in place of its files. It follows symbolic links to regular files
// and to directories, and never into a directory it is already inside, so a link loop
// ends. A configuration name that is not a regular file (a named pipe, a socket, a device,
// a link to one of those or to nothing) is not opened, since reading it could block
// forever: an info finding says it was skipped.
func configFiles(dir string) (files []walkedFile, skipped []rules.Finding, err error) {
	w := &walker{}
	root, err := os.Stat(dir)
	if err != nil {
		return nil, nil, err
	}
	if !w.assembly(dir) {
		err = w.walk(dir, []os.FileInfo{root})
	}
	return w.files, w.skipped, err
}

type walker struct {
	files   []walkedFile
	skipped []rules.Finding
	dirs    int
}

// walk visits directory dir, whose ancestors (dir last) are the directories the walk is in.
func (w *walker) walk(dir string, ancestors []os.FileInfo) error {
	if w.dirs++; w.dirs > maxWalkDirs {
		return fmt.Errorf("%s: more than %d directories to search; name a smaller tree", dir, maxWalkDirs)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		mode := e.Type()
		var target os.FileInfo
		if mode&fs.ModeSymlink != 0 {
			if target, err = os.Stat(path); err != nil {
				if isConfigName(path) {
					w.skip(path, "a symbolic link that leads nowhere ("+err.Error()+")")
				}
				continue
			}
			mode = target.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
				continue
			}
			if target == nil {
				if target, err = os.Stat(path); err != nil {
					return err
				}
			}
			if inside(ancestors, target) {
				continue // a link to a directory the walk is in: a loop
			}
			if e.Name() == "cdk.out" && w.assembly(path) {
				continue
			}
			if err := w.walk(path, append(ancestors, target)); err != nil {
				return err
			}
		case !isConfigName(path):
		case mode.IsRegular():
			w.files = append(w.files, walkedFile{path: path})
		default:
			w.skip(path, "not a regular file but "+describeMode(mode))
		}
	}
	return nil
}

// assembly adds the stack templates of the CDK cloud assembly in dir, and reports whether
// dir is one (see cdkAssembly).
func (w *walker) assembly(dir string) bool {
	stacks, ok, err := cdkAssembly(dir)
	if !ok {
		return false
	}
	if err != nil {
		w.files = append(w.files, walkedFile{path: dir, err: err})
	}
	for i := range stacks {
		w.files = append(w.files, walkedFile{path: filepath.Join(dir, filepath.FromSlash(stacks[i].Template)), stack: &stacks[i]})
	}
	return true
}

func inside(ancestors []os.FileInfo, dir os.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(a, dir) {
			return true
		}
	}
	return false
}

func isConfigName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".yaml", ".yml", ".tf":
		return true
	}
	return false
}

func (w *walker) skip(path, why string) {
	w.skipped = append(w.skipped, rules.Finding{Code: rules.CodeNoConfig, Severity: rules.SeverityInfo, File: path,
		Message: path + " is " + why + ": skipped without reading it"})
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.String() + ")"
}
