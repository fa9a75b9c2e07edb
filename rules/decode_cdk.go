package rules

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// cdkPath returns the construct path of a resource of cdk synth output (its
// Metadata "aws:cdk:path"), "" when it has none.
func cdkPath(resource *source.Node) string {
	if p := resource.Lookup("Metadata").Lookup("aws:cdk:path"); p != nil && p.Kind == source.String {
		return p.Text
	}
	return ""
}

// CDKStack is a CloudFormation stack of a CDK cloud assembly (cdk.out), as its manifest
// lists it.
type CDKStack struct {
	// Name is the artifact's name, the stack's ID in the CDK app.
	Name string
	// Template is the path of the stack's template in the file system given to
	// ReadCDKManifest.
	Template string
	// Account and Region are those of the stack's environment ("aws://ACCOUNT/REGION"),
	// "" when the app leaves them to the deployment (unknown-account, unknown-region).
	Account, Region string
}

// MaxCDKManifestSize bounds a cloud assembly's manifest.json; MaxCDKAssemblies bounds the
// nested assemblies (CDK stages) read under one.
const (
	MaxCDKManifestSize = 16 << 20
	MaxCDKAssemblies   = 64
)

// CDKManifest is where ReadCDKManifest looks for the manifest of a cloud assembly: dir
// itself (a cdk.out directory) or dir/cdk.out (a CDK app).
func CDKManifest(fsys fs.FS, dir string) (string, bool) {
	for _, p := range []string{path.Join(dir, "manifest.json"), path.Join(dir, "cdk.out", "manifest.json")} {
		if st, err := fs.Stat(fsys, p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// ReadCDKManifest reads the manifest.json of a CDK cloud assembly (the cdk.out directory
// cdk synth writes) and returns its stacks: the artifacts of type aws:cloudformation:stack
// with their templates (properties.templateFile), including those of nested assemblies
// (cdk:cloud-assembly artifacts, one for each CDK stage).
func ReadCDKManifest(fsys fs.FS, manifest string) ([]CDKStack, error) {
	var stacks []CDKStack
	seen := 0
	var read func(manifest string) error
	read = func(manifest string) error {
		if seen++; seen > MaxCDKAssemblies {
			return fmt.Errorf("%s: more than %d nested cloud assemblies (MaxCDKAssemblies)", manifest, MaxCDKAssemblies)
		}
		f, err := fsys.Open(manifest)
		if err != nil {
			return err
		}
		defer f.Close()
		var m struct {
			Artifacts map[string]struct {
				Type        string `json:"type"`
				Environment string `json:"environment"`
				Properties  struct {
					TemplateFile  string `json:"templateFile"`
					DirectoryName string `json:"directoryName"`
				} `json:"properties"`
			} `json:"artifacts"`
		}
		dec := json.NewDecoder(&limitedReader{r: f, left: MaxCDKManifestSize})
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("%s: not a CDK cloud assembly manifest: %w", manifest, err)
		}
		dir := path.Dir(manifest)
		names := make([]string, 0, len(m.Artifacts))
		for name := range m.Artifacts {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			a := m.Artifacts[name]
			switch {
			case a.Type == "aws:cloudformation:stack" && a.Properties.TemplateFile != "":
				tpl := path.Join(dir, a.Properties.TemplateFile)
				if !fs.ValidPath(tpl) || strings.Contains(a.Properties.TemplateFile, "..") {
					return fmt.Errorf("%s: artifact %s: template file %q is outside the assembly", manifest, name, a.Properties.TemplateFile)
				}
				if tpl == path.Clean(dir) {
					return fmt.Errorf("%s: artifact %s: template file %q names the assembly's directory, not a file in it", manifest, name, a.Properties.TemplateFile)
				}
				s := CDKStack{Name: name, Template: tpl}
				if env, ok := strings.CutPrefix(a.Environment, "aws://"); ok {
					account, region, _ := strings.Cut(env, "/")
					if account != "unknown-account" {
						s.Account = account
					}
					if region != "unknown-region" {
						s.Region = region
					}
				}
				stacks = append(stacks, s)
			case a.Type == "cdk:cloud-assembly" && a.Properties.DirectoryName != "":
				if strings.Contains(a.Properties.DirectoryName, "..") {
					return fmt.Errorf("%s: artifact %s: directory %q is outside the assembly", manifest, name, a.Properties.DirectoryName)
				}
				if err := read(path.Join(dir, a.Properties.DirectoryName, "manifest.json")); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := read(manifest); err != nil {
		return nil, err
	}
	return stacks, nil
}

// limitedReader reads at most left bytes and fails past them.
type limitedReader struct {
	r    interface{ Read([]byte) (int, error) }
	left int
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("larger than %d bytes", MaxCDKManifestSize)
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= n
	return n, err
}
