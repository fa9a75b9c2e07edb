package rules

import (
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// Format is the form a configuration was written in.
type Format string

const (
	FormatAPIRequest         Format = "api-request"    // {"signingConfiguration": ...}
	FormatAPIResponse        Format = "api-response"   // {"registryId": ..., "signingConfiguration": ...}
	FormatBare               Format = "bare"           // {"rules": ...}
	FormatCloudFormationJSON Format = "cloudformation" // a template in JSON
	FormatCloudFormationYAML Format = "cloudformation-yaml"
	FormatTerraformPlan      Format = "terraform-plan"  // terraform show -json of a plan
	FormatTerraformState     Format = "terraform-state" // terraform show -json of a state
)

// CloudFormation reports whether the format is a CloudFormation template.
func (f Format) CloudFormation() bool {
	return f == FormatCloudFormationJSON || f == FormatCloudFormationYAML
}

// Kind says which configuration a Config holds.
type Kind string

const (
	KindSigning     Kind = "signing"
	KindReplication Kind = "replication"
)

// Document is everything decoded from one input: the configurations it holds, and the
// findings that concern the input as a whole (syntax errors, no configuration found).
type Document struct {
	File     string
	Configs  []*Config
	Findings []Finding
}

// Config is one configuration of a document, with its findings and the source position of
// each of its values.
type Config struct {
	// Name is the CloudFormation logical ID or Terraform resource address; "" when the
	// document holds a configuration by itself.
	Name   string
	Format Format
	Kind   Kind
	// Signing or Replication holds the decoded configuration, as much of it as could be
	// decoded: values that had the wrong type or are CloudFormation intrinsics are left empty.
	Signing     *SigningConfiguration
	Replication *ReplicationConfiguration
	// Unresolved lists the paths of values that are intrinsic functions (!Ref, Fn::Sub, ...).
	Unresolved []string
	// Findings holds the findings of this configuration, sorted by position.
	Findings []Finding

	file      string
	style     style
	positions map[string]source.Pos
	// problems holds the paths that already have a decoding finding, so the API checks do
	// not report a second finding for the same value.
	problems map[string]bool
	// invalid holds the paths of values with an API constraint violation.
	invalid map[string]bool
}

// Locate returns the line and column of the value at path (API member names, 0-based
// indices, as in Finding.Path). A path with no recorded value (a missing member) gives the
// position of its nearest enclosing value. ok is false when nothing of the path is known.
func (c *Config) Locate(path string) (line, col int, ok bool) {
	for {
		if p, found := c.positions[path]; found {
			return p.Line, p.Column, true
		}
		if path == "" {
			return 0, 0, false
		}
		path = parentPath(path)
	}
}

// Position fills in f's File, Config, Line and Column from the configuration, for findings
// of other packages (package match) that carry only a Path.
func (c *Config) Position(f Finding) Finding {
	f.File, f.Config = c.file, c.Name
	if line, col, ok := c.Locate(f.Path); ok {
		f.Line, f.Column = line, col
	}
	return f
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// AllFindings returns the findings of the document and of every configuration, sorted by
// position.
func (d *Document) AllFindings() []Finding {
	all := append([]Finding(nil), d.Findings...)
	for _, c := range d.Configs {
		all = append(all, c.Findings...)
	}
	sortFindings(all)
	return all
}

// HasErrors reports whether any finding of the document is an error; with strict, warnings
// count too.
func (d *Document) HasErrors(strict bool) bool {
	for _, f := range d.AllFindings() {
		if f.Severity == SeverityError || (strict && f.Severity == SeverityWarning) {
			return true
		}
	}
	return false
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Config != b.Config {
			return a.Config < b.Config
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Code < b.Code
	})
}

func (c *Config) add(f Finding) {
	f.File, f.Config = c.file, c.Name
	if f.Line == 0 {
		if line, col, ok := c.Locate(f.Path); ok {
			f.Line, f.Column = line, col
		}
	}
	c.Findings = append(c.Findings, f)
}
