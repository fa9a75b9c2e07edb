package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

func init() {
	register(command{
		name:    "validate",
		summary: "check configuration files as the ECR API would, and lint them",
		run:     runValidate,
	})
}

const validateHelp = `usage: ecrsign validate [--format text|json|sarif|github|junit] [--strict] [--region REGION]
       [--registry-id ID] [--account-id ID] [--parameter NAME=VALUE]... [--parameters-file FILE]
       [--var NAME=VALUE]... [--var-file FILE]... [--only-configs] [--config-file FILE]
       [--no-ignore] FILE|DIR...

Validates every signing and replication configuration in each FILE ("-" reads standard
input): API request or response JSON, bare {"rules": ...}, CloudFormation templates (JSON or
YAML), CDK synth output, terraform show -json output and Terraform .tf files (each evaluated
with the other .tf files of its directory, terraform.tfvars, *.auto.tfvars, then --var and
--var-file in order; a .tfvars FILE validates the .tf files of its directory). A DIR is searched recursively for *.json, *.yaml, *.yml and *.tf files
(directories whose name starts with "." and node_modules are skipped); a CDK cloud assembly (DIR itself or a cdk.out directory with a manifest.json) gives
its stacks' templates instead, each read with its stack's account and region. Files found
there that are not configurations are skipped silently: those that hold none, bare
{"rules": ...} documents of other tools (ESLint) that mention no member of a signing or
replication rule, and files that do not parse and mention neither such a member nor a
top-level "rules". A FILE named explicitly is always
reported. --only-configs treats named files as a directory walk does (the pre-commit hook
uses it, since pre-commit passes every JSON and YAML file). A DIR without any configuration
is noted on standard error; it does not change the exit status.

Templates are evaluated as CloudFormation would: parameters take --parameter and
--parameters-file values over their Default, AWS::Region is --region and AWS::AccountId
--account-id; every branch of Fn::If is checked. Values that stay unknown (Fn::GetAtt,
Fn::ImportValue, a parameter without a value) are reported as such (ECR108) with the flag
that gives them. With --registry-id (default: --account-id) and --region, a replication
destination that is that source registry is an error (ECR214), as PutReplicationConfiguration
rejects it.

Formats: text prints one line per finding,

  FILE:LINE:COL: SEVERITY CODE PATH: MESSAGE (hint)

json prints the findings as a JSON array, sarif a SARIF 2.1.0 log for GitHub code scanning
(upload it with github/codeql-action/upload-sarif), github workflow-command annotations
(::error file=F,line=L,col=C,title=CODE::message) for GitHub Actions, junit JUnit XML (a
test suite per file, a failure per failing finding) for other CI systems. Findings are sorted
by file, line and column.

Suppressions: a comment "# ecrsign:ignore ECR302 reason" ("//" in HCL) on or above a line
accepts the findings of those codes on that line; a CloudFormation resource's
"Metadata: {ecrsign: {ignore: [{code: ECR302, reason: ...}]}}" those of the resource; the
project configuration file (.ecrsign.yaml, the nearest above each input up to the repository
root, or --config-file) may list codes to ignore, per path glob, and set strict, region,
registry-id, account-id, template parameters and Terraform vars (those as if given with
--var before the command line's; flags given explicitly win). Suppressed
findings never fail the run: json marks them "suppressed": true, sarif lists them with
suppressions, junit as skipped, and text and github leave them out and count them on
standard error. A suppression without a reason is a warning (ECR500), one that suppresses
nothing an info (ECR501). --no-ignore applies none of them.

Exit status: 0 when no finding is an error, 1 when one is (--strict: or a warning), 2 for
usage errors and unreadable files (the sarif log then says executionSuccessful: false).

Example:

  ecrsign validate examples/signing/api-request.json
  ecrsign validate examples/terraform
  ecrsign validate --format json --var-file examples/terraform/aws-signing/prod.tfvars examples/terraform/aws-signing
  ecrsign validate --format sarif examples > ecrsign.sarif
`

func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", validateHelp, stdout, stderr)
	format := fs.formatFlag("output `format`: text, json, sarif, github or junit", "text", "json", "sarif", "github", "junit")
	strict := fs.Bool("strict", false, "count warnings as errors")
	region := fs.String("region", "", "the registry's `region`: report signing profiles in other regions (AWS::Region of templates)")
	registryID := fs.String("registry-id", "", "the registry (account) `ID` the configurations are put into: with --region, report replication to it (default: --account-id)")
	onlyConfigs := fs.Bool("only-configs", false, "skip named files that hold no configuration, as a directory walk does")
	tmpl := fs.templateFlags(region)
	tf := fs.terraformFlags()
	projects := newProjects(fs.projectFlags())
	names, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	switch {
	case len(names) == 0:
		return fs.usageError("no files given")
	case *registryID != "" && !registryIDFlag.MatchString(*registryID):
		return fs.usageError("--registry-id %q is not a registry (account) id: 12 digits", *registryID)
	case *region != "" && !regionFlag.MatchString(*region):
		return fs.usageError("--region %q is not a region: %s", *region, rules.RegionPattern)
	case *registryID != "" && *region == "":
		return fs.usageError("--registry-id needs --region: the source registry of replication is an account in a region")
	}
	opts, err := tmpl.options(*registryID)
	if err != nil {
		return fs.usageError("%v", err)
	}
	if *region != "" {
		opts = append(opts, rules.WithRegion(*region))
	}

	tf.opts = opts
	tf.projects = projects
	v := &validator{fs: fs, stdin: stdin, strict: *strict, region: *region, opts: opts, tf: tf, projects: projects,
		status: exitOK, rep: &report{}, strictFiles: map[string]bool{}, tfSeen: map[string]bool{}}
	for _, name := range names {
		if name == "-" {
			v.file(walkedFile{path: name}, false)
			continue
		}
		st, err := os.Stat(name)
		switch {
		case err != nil:
			v.unreadable(name, err)
		case st.IsDir():
			v.dir(name)
		default:
			v.file(walkedFile{path: name}, *onlyConfigs)
		}
	}
	v.all = append(v.all, projects.done()...)
	rep := v.rep
	rep.findings = sortByPosition(v.all)
	rep.fails = failsWith(v.strictFiles)
	failing, suppressed := rep.tally()
	if failing && v.status == exitOK {
		v.status = exitFound
	}
	if err := writeReport(stdout, *format, rep); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	if suppressed > 0 && (*format == "text" || *format == "github") {
		fs.errorf("%d suppressed %s not shown (--no-ignore shows them; json, sarif and junit list them, marked)", suppressed, plural(suppressed, "finding"))
	}
	return v.status
}

// validator validates files for runValidate, gathering their findings, the report and the
// exit status.
type validator struct {
	fs       *flagSet
	stdin    io.Reader
	strict   bool   // --strict
	region   string // --region
	opts     []rules.Option
	tf       *terraformInput
	projects *projects

	status      int
	all         []rules.Finding
	rep         *report
	strictFiles map[string]bool // the inputs checked with warnings counting as errors
	tfSeen      map[string]bool // the .tf files validated
}

// unreadable notes an input that could not be read: an error on standard error, exit status
// 2, and an entry of the report (sarif: executionSuccessful false).
func (v *validator) unreadable(name string, err error) {
	v.fs.errorf("%v", err)
	v.status = exitUsage
	v.rep.unreadable = append(v.rep.unreadable, unreadableInput{file: name, err: err})
}

// file validates one file and reports whether it was a configuration file: one found by a
// directory walk (walked) that is not is skipped. A CDK stack's template is read with its
// stack's account and region, a .tf file with the other files of its Terraform module. The
// project file of the input gives the settings that no flag gives explicitly, and its
// suppressions apply.
func (v *validator) file(f walkedFile, walked bool) bool {
	if isTerraformSource(f.path) {
		return v.terraform(f.path, walked)
	}
	if isTerraformVars(f.path) {
		// A .tfvars file changes the values of its module (pre-commit passes it alone when
		// only it changes): the module's .tf files are validated with it.
		if files := moduleSources(filepath.Dir(f.path)); len(files) > 0 {
			related := false
			for _, name := range files {
				related = v.terraform(name, walked) || related
			}
			return related
		}
	}
	if f.path != "-" && filepath.Base(f.path) == rules.ProjectConfigName && *v.projects.flags.configFile == "" {
		// The project file itself (pre-commit passes it when it changes): checked as one,
		// not as a configuration.
		if _, err := v.projects.forDir(filepath.Dir(f.path)); err != nil {
			v.unreadable(f.path, err)
		}
		return !walked // no configuration, for a walk's count
	}
	data, err := readInput(f.path, v.stdin)
	if err != nil {
		if f.stack != nil {
			err = stackTemplateError(*f.stack, err)
		}
		v.unreadable(f.path, err)
		return true
	}
	project, _ := v.project(f.path)
	set := settingsFor(v.fs.FlagSet, v.strict, v.region, project)
	opts := append(set.decodeOptions(), v.opts...) // flags last: they win
	if f.stack != nil {
		opts = stackOptions(*f.stack, opts)
	}
	doc := rules.Decode(f.path, data, opts...)
	if walked && unrelated(doc, data) {
		return false
	}
	v.record(doc, data, project, set.strict)
	return true
}

// terraform validates a .tf file, decoded with its module, and the module's variable values
// the first time one of its files is.
func (v *validator) terraform(name string, walked bool) bool {
	if v.tfSeen[filepath.Clean(name)] {
		return false // validated already, named twice or through its module's .tfvars
	}
	v.tfSeen[filepath.Clean(name)] = true
	docs, err := v.tf.documents(name)
	if err != nil {
		v.unreadable(name, err)
		return true
	}
	related := false
	for _, doc := range docs {
		if walked && v.tf.unrelated(doc) {
			continue
		}
		related = true
		project, _ := v.project(doc.File)
		set := settingsFor(v.fs.FlagSet, v.strict, v.region, project)
		v.record(doc, v.tf.source(doc.File), project, set.strict)
	}
	return related
}

// project returns the project file of an input; ok is false when it could not be read
// (reported).
func (v *validator) project(name string) (project *rules.ProjectConfig, ok bool) {
	project, err := v.projects.forInput(name)
	if err != nil {
		v.unreadable(name, err)
		return project, false
	}
	return project, true
}

// record adds the findings of a decoded input, analysed and with its suppressions applied.
func (v *validator) record(doc *rules.Document, data []byte, project *rules.ProjectConfig, strict bool) {
	v.all = append(v.all, v.projects.suppress(doc.File, data, match.Check(doc), project)...)
	v.rep.files = append(v.rep.files, doc.File)
	v.strictFiles[displayFile(doc.File)] = strict
}

// dir validates the configuration files a walk of dir finds.
func (v *validator) dir(dir string) {
	found, skipped, err := configFiles(dir)
	v.all = append(v.all, skipped...)
	if err != nil {
		v.unreadable(dir, err)
	}
	checked := 0
	for _, f := range found {
		if f.err != nil {
			v.unreadable(f.path, f.err)
			continue
		}
		if v.file(f, true) {
			checked++
		}
	}
	if checked == 0 && err == nil {
		v.fs.errorf("no configuration found in %s (searched %d *.json, *.yaml, *.yml and *.tf files)", dir, len(found))
	}
}

// walkedFile is a file a directory walk found: a *.json, *.yaml or *.yml file, or the
// template of a stack of a CDK cloud assembly (stack set), or an assembly whose manifest
// could not be read (err set).
type walkedFile struct {
	path  string
	stack *rules.CDKStack
	err   error
}

// cdkAssembly reads the stacks of the CDK cloud assembly in dir; ok is false when dir is no
// assembly: it holds no manifest.json, or, unless it is named cdk.out, one that lists no
// stack (another tool's manifest.json).
func cdkAssembly(dir string) (stacks []rules.CDKStack, ok bool, err error) {
	fsys := os.DirFS(dir)
	if _, err := fs.Stat(fsys, "manifest.json"); err != nil {
		return nil, false, nil
	}
	named := filepath.Base(filepath.Clean(dir)) == "cdk.out"
	stacks, err = rules.ReadCDKManifest(fsys, "manifest.json")
	switch {
	case err != nil && named:
		return nil, true, fmt.Errorf("%s: %w", dir, err)
	case err != nil:
		return nil, false, nil
	}
	return stacks, named || len(stacks) > 0, nil
}

// configMembers are member names that only signing and replication configurations use;
// lower case, compared with the lower-cased input.
var configMembers = [][]byte{
	[]byte("signingconfiguration"), []byte("replicationconfiguration"),
	[]byte("signingprofilearn"), []byte("signing_profile_arn"),
	[]byte("repositoryfilters"), []byte("repository_filters"), []byte("destinations"),
}

// topLevelRules finds a top-level "rules" member of a bare configuration: a JSON key, or a
// YAML key at the start of a line.
var topLevelRules = regexp.MustCompile(`"rules"\s*:|(?m)^rules\s*:`)

// unrelated reports whether a file found by a directory walk is not a configuration and is
// skipped (never one with a misspelt ECR resource type, ECR113): it holds no configuration; or it is a bare {"rules": ...} document that mentions no
// member of a signing or replication rule (ESLint and other tools have top-level rules too);
// or it does not parse and mentions neither such a member nor a top-level "rules".
func unrelated(doc *rules.Document, data []byte) bool {
	for _, f := range doc.Findings {
		if f.Code == rules.CodeResourceType {
			return false // a misspelt ECR resource type: the typo must not pass unseen
		}
	}
	// Without its NUL bytes, UTF-16 or UTF-32 text of ASCII characters reads as ASCII: a
	// configuration saved in those encodings is still recognised, and reported (ECR102).
	data = bytes.ReplaceAll(data, []byte{0}, nil)
	lower := bytes.ToLower(data)
	mentions := func() bool {
		for _, m := range configMembers {
			if bytes.Contains(lower, m) {
				return true
			}
		}
		return false
	}
	if len(doc.Configs) > 0 {
		for _, c := range doc.Configs {
			if c.Format != rules.FormatBare {
				return false
			}
		}
		return !mentions()
	}
	for _, f := range doc.Findings {
		if f.Code != rules.CodeNoConfig {
			return !mentions() && !topLevelRules.Match(data)
		}
	}
	return true
}
