package rules

import (
	"fmt"
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
	FormatCDK                Format = "cdk"             // a template of cdk synth, resources with aws:cdk:path
)

// CloudFormation reports whether the format is a CloudFormation template (CDK output is one).
func (f Format) CloudFormation() bool {
	return f == FormatCloudFormationJSON || f == FormatCloudFormationYAML || f == FormatCDK
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
	// decoded: values that had the wrong type or stay unknown in a template are left empty,
	// and a list longer than the API allows holds only its first maximum+1 elements (ECR110
	// says so; the findings give the list's real length).
	Signing     *SigningConfiguration
	Replication *ReplicationConfiguration
	// Unresolved lists the paths of the values of a CloudFormation template that stay
	// unknown: an attribute of another resource (Fn::GetAtt), an import, a parameter without
	// a value, a pseudo parameter not given (WithRegion, WithAccountID). Each has an ECR108
	// finding that says how to supply it.
	Unresolved []string
	// LogicalID is the CloudFormation logical ID of the resource, when Name is its CDK
	// construct path; "" otherwise.
	LogicalID string
	// NotCreated says why the resource of a template is not created, when its Condition is
	// false for the parameters given; "" when it is created (or the condition is unknown).
	NotCreated string
	// Outcomes lists what the configuration is for each outcome of the template conditions
	// that stay unknown (a parameter without a value), when it depends on any; Signing and
	// Replication then hold the outcome where every unknown condition is true.
	Outcomes []Outcome
	// Findings holds the findings of this configuration, sorted by position.
	Findings []Finding

	file      string
	style     style
	positions map[string]source.Pos
	// problems holds the paths that already have a decoding finding, so the API checks do
	// not report a second finding for the same value.
	problems map[string]bool
	// invalid holds the paths of values with an API constraint violation.
	invalid map[Path]bool
	// nulls holds the paths of Terraform nulls, which mean "absent".
	nulls map[string]bool
	// lengths holds the real length of each list cut short by the decoder.
	lengths map[string]int
	// branches holds, for values that come from a branch of Fn::If, which branch
	// ("Fn::If IsProd: true branch"); findings at or under them name it.
	branches map[string]string
	// variants are the configuration again with other Fn::If branches taken, decoded, whose
	// findings are checked and merged into this one's.
	variants []variant
	// label names the Fn::If branches this configuration takes, when it has variants.
	label string
	// late are findings about the configuration as a whole, added once it is checked.
	late   []Finding
	budget *findingBudget
}

// Outcome is a configuration as one outcome of the unknown conditions of its template gives
// it.
type Outcome struct {
	// Conditions names each unknown condition with the value it has here, "IsProd=true".
	Conditions  []string
	Signing     *SigningConfiguration
	Replication *ReplicationConfiguration
	// NotCreated is true when the resource is not created in this outcome.
	NotCreated bool
}

// MaxFindings is the most findings Decode reports for one document; past it, one ECR111
// finding counts the others by severity. Every list is checked only up to one element past
// its API maximum, but a document can still hold a mistake per value (a Terraform plan of
// thousands of resources, a template whose every key is unknown): a million findings help
// no one, take longer to sort and print than to find, and hide the first ones, which are
// the ones to fix. A thousand is more than any real file produces.
const MaxFindings = 1000

// findingBudget counts the findings of a document against MaxFindings.
type findingBudget struct {
	left    int
	dropped map[Severity]int
}

// take reports whether one more finding of severity sev may be reported, counting it when
// it may not.
func (b *findingBudget) take(sev Severity) bool {
	if b == nil {
		return true
	}
	if b.left > 0 {
		b.left--
		return true
	}
	if b.dropped == nil {
		b.dropped = map[Severity]int{}
	}
	b.dropped[sev]++
	return false
}

// summary returns the finding that counts the findings left out, if any. Its severity is
// the worst of theirs, so that a document whose errors were all left out still fails.
func (b *findingBudget) summary() (Finding, bool) {
	if b == nil || len(b.dropped) == 0 {
		return Finding{}, false
	}
	total := 0
	var parts []string
	sev := SeverityInfo
	for _, s := range []Severity{SeverityError, SeverityWarning, SeverityInfo} {
		n := b.dropped[s]
		if n == 0 {
			continue
		}
		if total == 0 {
			sev = s
		}
		total += n
		parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, string(s))))
	}
	return Finding{Code: CodeTooManyFindings, Severity: sev, Line: 1, Column: 1,
		Message: fmt.Sprintf("%d more findings are not listed (%s): a document lists at most %d", total, strings.Join(parts, ", "), MaxFindings),
		Hint:    "fix the findings listed and check again"}, true
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// null records that the value at path is a Terraform null, which means absent.
func (c *Config) null(path string) {
	if c.nulls == nil {
		c.nulls = map[string]bool{}
	}
	c.nulls[path] = true
}

// present reports whether the source holds a value at path (a Terraform null is absent).
func (c *Config) present(path string) bool {
	_, ok := c.positions[path]
	return ok && !c.nulls[path]
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

// sortFindings orders findings by file, then position, so that they read from the top of
// the file down whatever configuration they belong to; the configuration, code and path
// only break ties.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case a.Config != b.Config:
			return a.Config < b.Config
		case a.Code != b.Code:
			return a.Code < b.Code
		}
		return a.Path < b.Path
	})
}

// add records a finding, unless the document has reached MaxFindings.
func (c *Config) add(f Finding) {
	if c.budget.take(f.Severity) {
		c.record(f)
	}
}

// record records a finding already counted with c.budget.take: loops that may report a
// finding per element check the budget first and build only the findings that are listed.
func (c *Config) record(f Finding) {
	f.File, f.Config = c.file, c.Name
	if b := c.branchOf(f.Path); b != "" {
		f.Message += " (" + b + ")"
	}
	if f.Line == 0 {
		if line, col, ok := c.Locate(f.Path); ok {
			f.Line, f.Column = line, col
		}
	}
	c.Findings = append(c.Findings, f)
}

// branchOf returns the Fn::If branch the value at path, or the nearest value enclosing it,
// comes from; "" when none does.
func (c *Config) branchOf(path string) string {
	if len(c.branches) == 0 {
		return ""
	}
	for {
		if b, ok := c.branches[path]; ok {
			return b
		}
		if path == "" {
			return ""
		}
		path = parentPath(path)
	}
}
