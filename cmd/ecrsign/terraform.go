package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/rules"
)

// maxModuleFiles bounds the .tf and .tfvars files read for one Terraform module (one
// directory); real modules have a handful.
const maxModuleFiles = 1000

// terraformInput holds --var and --var-file, and the Terraform modules already decoded: a
// module is all the .tf files of a directory, evaluated together, so naming two of its
// files, or walking its directory, decodes it once.
type terraformInput struct {
	flags   []terraformVarFlag // --var and --var-file, in the order given
	opts    []rules.Option
	modules map[string]*terraformModule
	// projects, when set, finds the project file of each module: its vars come before
	// --var and --var-file, its region and IDs before opts, so that flags win.
	projects *projects
}

// terraformVarFlag is one --var assignment or the contents of one --var-file.
type terraformVarFlag struct {
	assignment string // NAME=VALUE, or "" for a file
	file       string
	data       []byte
}

type terraformModule struct {
	docs map[string]*rules.Document // by file name
	// flags holds the findings of --var, --var-file and .tfvars files, reported once with
	// the module's first document that has a configuration.
	flags    []*rules.Document
	reported bool
	data     map[string][]byte
}

// terraformFlags defines --var and --var-file, which give values to the input variables of
// .tf files, in the order given, after terraform.tfvars and *.auto.tfvars.
func (f *flagSet) terraformFlags() *terraformInput {
	t := &terraformInput{modules: map[string]*terraformModule{}}
	f.Func("var", "set a Terraform input variable of .tf files: `NAME=VALUE` (repeatable)", func(s string) error {
		if err := new(rules.TerraformVars).Set(s); err != nil {
			return err
		}
		t.flags = append(t.flags, terraformVarFlag{assignment: s})
		return nil
	})
	f.Func("var-file", "read Terraform input variables from a .tfvars or .tfvars.json `FILE` (repeatable)", func(name string) error {
		data, err := readLimited(name, nil, rules.MaxTerraformSourceSize)
		if err != nil {
			return err
		}
		t.flags = append(t.flags, terraformVarFlag{file: name, data: data})
		return nil
	})
	return t
}

// moduleInputs returns the variable values and decode options of the module in dir: those
// of its project file (vars as if given with --var before the command line's; region and
// IDs), then the flags', which win.
func (t *terraformInput) moduleInputs(dir string) (*rules.TerraformVars, []rules.Option) {
	vars := new(rules.TerraformVars)
	opts := t.opts
	if t.projects != nil {
		if cfg, err := t.projects.forDir(dir); err == nil && cfg != nil {
			names := make([]string, 0, len(cfg.Vars))
			for n := range cfg.Vars {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				// A name that is not a variable name is reported by the project file's
				// parser; it is not a value to give.
				_ = vars.Set(n + "=" + cfg.Vars[n])
			}
			opts = append(projectSettings(cfg).decodeOptions(), t.opts...)
		}
	}
	for _, fl := range t.flags {
		if fl.assignment != "" {
			_ = vars.Set(fl.assignment) // checked when the flag was parsed
			continue
		}
		vars.AddFile(fl.file, fl.data)
	}
	return vars, opts
}

// isTerraformSource reports whether a file is Terraform configuration source.
func isTerraformSource(name string) bool { return strings.HasSuffix(name, ".tf") }

// isTerraformVars reports whether a file holds Terraform variable values.
func isTerraformVars(name string) bool {
	return strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json")
}

// moduleSources returns the .tf files of the module in dir, as module reads them.
func moduleSources(dir string) []string {
	found, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	return slices.DeleteFunc(found, func(name string) bool { return strings.HasPrefix(filepath.Base(name), ".") })
}

// documents returns the document of .tf file name, decoded with the other files of its
// module, followed the first time by the documents of the module's variable values.
func (t *terraformInput) documents(name string) ([]*rules.Document, error) {
	m, err := t.module(filepath.Dir(name))
	if err != nil {
		return nil, err
	}
	doc := m.docs[filepath.Clean(name)]
	if doc == nil {
		return nil, fmt.Errorf("%s: no such Terraform file", name)
	}
	docs := []*rules.Document{doc}
	if !m.reported && len(doc.Configs) > 0 {
		m.reported = true
		docs = append(docs, m.flags...)
	}
	return docs, nil
}

// moduleDocument returns one document holding every configuration of the module in dir, or
// of its file name, with the findings of the variable values: what loadConfig reads.
func (t *terraformInput) moduleDocument(path string) (*rules.Document, error) {
	dir, only := path, ""
	if isTerraformSource(path) {
		dir, only = filepath.Dir(path), filepath.Clean(path)
	}
	m, err := t.module(dir)
	if err != nil {
		return nil, err
	}
	all := &rules.Document{File: path}
	var names []string
	for n := range m.docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if only == "" || n == only {
			all.Configs = append(all.Configs, m.docs[n].Configs...)
			all.Findings = append(all.Findings, m.docs[n].Findings...)
		}
	}
	if only != "" && m.docs[only] == nil {
		return nil, fmt.Errorf("%s: no such Terraform file", path)
	}
	for _, d := range m.flags {
		all.Findings = append(all.Findings, d.Findings...)
	}
	if len(all.Configs) > 0 {
		// A module's files without a configuration say so; the module has one.
		kept := all.Findings[:0]
		for _, f := range all.Findings {
			if f.Code != rules.CodeNoConfig {
				kept = append(kept, f)
			}
		}
		all.Findings = kept
	}
	return all, nil
}

// module decodes the module in dir: its .tf files, then terraform.tfvars,
// terraform.tfvars.json and *.auto.tfvars(.json) in lexical order, then --var and
// --var-file in the order given, as terraform plan reads them.
func (t *terraformInput) module(dir string) (*terraformModule, error) {
	dir = filepath.Clean(dir)
	if m := t.modules[dir]; m != nil {
		return m, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var tf, auto []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") {
			continue
		}
		switch {
		case isTerraformSource(n):
			tf = append(tf, n)
		case strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json"):
			auto = append(auto, n)
		}
	}
	if len(tf)+len(auto) > maxModuleFiles {
		return nil, fmt.Errorf("%s holds %d Terraform files, more than the %d read for one module", dir, len(tf)+len(auto), maxModuleFiles)
	}
	sort.Strings(auto)
	for _, n := range []string{"terraform.tfvars.json", "terraform.tfvars"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			auto = append([]string{n}, auto...)
		}
	}
	m := &terraformModule{docs: map[string]*rules.Document{}, data: map[string][]byte{}}
	var files []rules.TerraformFile
	for _, n := range append(tf, auto...) {
		path := filepath.Join(dir, n)
		data, err := readUpTo(path, nil, int64(rules.MaxTerraformSourceSize)+1)
		if err != nil {
			return nil, err
		}
		files = append(files, rules.TerraformFile{Name: path, Data: data})
		m.data[path] = data
	}
	vars, opts := t.moduleInputs(dir)
	for _, doc := range rules.DecodeTerraformModule(files, vars, opts...) {
		if isTerraformSource(doc.File) {
			m.docs[doc.File] = doc
		} else {
			m.flags = append(m.flags, doc)
		}
	}
	t.modules[dir] = m
	return m, nil
}

// unrelated reports whether a .tf document found by a directory walk is skipped: it holds
// no configuration and no finding other than that its module declares none, or it holds
// findings but neither it nor its module declares or mentions an ECR configuration
// resource (a broken file of another module). A misspelt resource type (ECR106) is never
// skipped.
func (t *terraformInput) unrelated(doc *rules.Document) bool {
	if len(doc.Configs) > 0 || !isTerraformSource(doc.File) {
		return false
	}
	m := t.modules[filepath.Dir(doc.File)]
	moduleHasConfigs := false
	for _, d := range m.docs {
		moduleHasConfigs = moduleHasConfigs || len(d.Configs) > 0
	}
	data := string(m.data[doc.File])
	for _, f := range doc.Findings {
		if f.Code == rules.CodeResourceType {
			return false // a misspelt ECR resource type: the typo must not pass unseen
		}
	}
	for _, f := range doc.Findings {
		if f.Code != rules.CodeNoConfig {
			return !moduleHasConfigs && !strings.Contains(data, "_ecr_signing_configuration") &&
				!strings.Contains(data, "_ecr_replication_configuration")
		}
	}
	return true
}

// source returns the bytes of a file of a module already decoded (nil for one that is not).
func (t *terraformInput) source(name string) []byte {
	if m := t.modules[filepath.Dir(name)]; m != nil {
		return m.data[name]
	}
	return nil
}
