package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// configError is a configuration that match, explain, simulate and diff cannot use: it does
// not decode, the ECR API would reject it, or it holds values known only at deployment.
// Findings, when any, are printed one a line on standard error.
type configError struct {
	msg      string
	findings []rules.Finding
}

func (e *configError) Error() string { return e.msg }

// report prints err on stderr for the command and returns exitUsage: a configuration that
// cannot be used is an input error, like an unreadable file.
func (f *flagSet) report(err error) int {
	f.errorf("%v", err)
	if ce, ok := err.(*configError); ok {
		for _, fd := range ce.findings {
			fmt.Fprintln(f.stderr, fd)
		}
	}
	return exitUsage
}

// loadConfig reads the one configuration of kind held by spec, a file name ("-" for standard
// input) or a CDK app or cdk.out directory, optionally followed by "#NAME" to choose one of
// several configurations of a CloudFormation template, CDK app or Terraform output. It is
// the one load path of match, explain, simulate and diff: rules.Document.Select refuses
// configurations with an error-level finding (the ECR API would reject them), values that
// stay unknown, and conditions that stay unknown. The project file of the spec's file
// (.ecrsign.yaml, or --config-file) gives its region, registry-id, account-id, parameters
// and vars, as it does to validate; opts, the command's flags (templateFlags), come after
// and win. A .tf file, or a directory of them, is read as a Terraform module with in.tf's
// variable values.
func loadConfig(spec string, kind rules.Kind, stdin io.Reader, in inputFlags, opts ...rules.Option) (*rules.Config, error) {
	file, name := splitConfigSpec(spec)
	project, err := in.project(file)
	if err != nil {
		return nil, err
	}
	doc, err := readDocument(file, stdin, in.tf, append(project, opts...)...)
	if err != nil {
		return nil, err
	}
	c, err := doc.Select(kind, name)
	if se, ok := err.(*rules.SelectError); ok {
		return nil, &configError{msg: se.Msg, findings: se.Findings}
	}
	return c, err
}

// projectConfig returns the project file that governs file (nil for none).
func (in inputFlags) projectConfig(file string) (*rules.ProjectConfig, error) {
	if st, err := os.Stat(file); err == nil && st.IsDir() {
		return in.projects.forDir(file) // a CDK app, cdk.out or Terraform module directory
	}
	return in.projects.forInput(file)
}

// projectRegistry returns the registry (account) ID and the region the project file of file
// gives (registry-id, else account-id), "" for what it does not: the registry of simulate
// and the replication source of diff when their flags do not name one.
func (in inputFlags) projectRegistry(file string) (registryID, region string) {
	if in.projects == nil {
		return "", ""
	}
	cfg, err := in.projectConfig(file)
	if err != nil || cfg == nil {
		return "", ""
	}
	return cmp.Or(cfg.RegistryID, cfg.AccountID), cfg.Region
}

// project returns the decode options the project file of file gives. A project file that
// cannot be read, or that has errors, is refused: its settings would be missing silently.
func (in inputFlags) project(file string) ([]rules.Option, error) {
	if in.projects == nil {
		return nil, nil
	}
	cfg, err := in.projectConfig(file)
	if err != nil {
		return nil, fmt.Errorf("project configuration file: %w", err)
	}
	var errs []rules.Finding
	for _, f := range in.projects.findings {
		if f.Severity == rules.SeverityError {
			errs = append(errs, f)
		}
	}
	if len(errs) > 0 {
		return nil, &configError{msg: fmt.Sprintf("%s: the project configuration file has errors (--config-file chooses another):", errs[0].File), findings: errs}
	}
	return projectSettings(cfg).decodeOptions(), nil
}

// configSourcesHelp is the paragraph of the help of explain, simulate and diff on the
// sources a configuration FILE may be and the values they leave open.
const configSourcesHelp = `FILE may be a CloudFormation template, evaluated as validate says (--parameter,
--parameters-file, --region and --account-id give the values it leaves to deployment), or a
CDK app or cdk.out directory; a value or condition that stays unknown is refused, naming
what gives it.

A .tf file or a directory of them is a Terraform module, with --var and --var-file. The
project file (.ecrsign.yaml, the nearest above FILE, or --config-file) gives region,
registry-id, account-id, parameters and vars too, as it does to validate; flags win.`

// signingCommand is the command line of match and explain: a signing configuration
// (--config, with the template, Terraform and project-file flags that give its open values),
// an output format and repository names.
type signingCommand struct {
	fs         *flagSet
	configFile *string
	format     *string
	inputs     inputFlags
}

// newSigningCommand defines the flags of a signing command; formatUsage describes --format.
func newSigningCommand(name, help, formatUsage string, stdout, stderr io.Writer) *signingCommand {
	fs := newFlagSet(name, help, stdout, stderr)
	c := &signingCommand{
		fs:         fs,
		configFile: fs.String("config", "", "signing configuration `FILE` (FILE#NAME for one of several)"),
		format:     fs.formatFlag(formatUsage, "text", "json"),
	}
	region := fs.String("region", "", "the `REGION` a template is deployed in (AWS::Region)")
	c.inputs = fs.inputFlags(region)
	return c
}

// parse parses args and returns the repository names they give; --config is required, and
// noNames is the usage error when no name is given.
func (c *signingCommand) parse(args []string, noNames string) (names []string, code int, ok bool) {
	names, code, ok = c.fs.parse(args)
	switch {
	case !ok:
		return nil, code, false
	case *c.configFile == "":
		return nil, c.fs.usageError("--config is required"), false
	case len(names) == 0:
		return nil, c.fs.usageError("%s", noNames), false
	}
	return names, exitOK, true
}

// parseFlagsOnly parses args for a command that takes flags and no arguments, then refuses
// what check finds wrong with the flags (it returns "" when nothing is), as usage errors; hint,
// when not "", follows the usage error that refuses arguments.
func (f *flagSet) parseFlagsOnly(args []string, hint string, check func() string) (code int, ok bool) {
	pos, code, ok := f.parse(args)
	if !ok {
		return code, false
	}
	if len(pos) > 0 {
		msg := fmt.Sprintf("unexpected arguments %q", pos)
		if hint != "" {
			msg += " " + hint
		}
		return f.usageError("%s", msg), false
	}
	if msg := check(); msg != "" {
		return f.usageError("%s", msg), false
	}
	return exitOK, true
}

// stdinTwice is the usage error for flags that read standard input ("-") more than once.
const stdinTwice = "only one input can come from standard input"

// countStdin counts the files that are "-", standard input.
func countStdin(files ...string) int {
	n := 0
	for _, f := range files {
		if f == "-" {
			n++
		}
	}
	return n
}

// loadSigning loads the signing configuration of spec with the template values the flags
// give and compiles it: the load-and-compile path of match and explain.
func loadSigning(spec string, stdin io.Reader, in inputFlags) (*rules.Config, *match.Matcher, error) {
	opts, err := in.tmpl.options("")
	if err != nil {
		return nil, nil, err
	}
	c, err := loadConfig(spec, rules.KindSigning, stdin, in, opts...)
	if err != nil {
		return nil, nil, err
	}
	m, err := match.Compile(c.Signing)
	if err != nil {
		return nil, nil, err
	}
	return c, m, nil
}

// readDocument decodes file as one document: a Terraform module (a .tf file, or a directory
// holding .tf files) with tf's variables, every stack template of a CDK cloud assembly when
// file is a CDK app or cdk.out directory, any other file with rules.Decode.
func readDocument(file string, stdin io.Reader, tf *terraformInput, opts ...rules.Option) (*rules.Document, error) {
	tfFiles, _ := filepath.Glob(filepath.Join(file, "*.tf"))
	if file != "-" && (isTerraformSource(file) || len(tfFiles) > 0) {
		if tf == nil {
			tf = &terraformInput{modules: map[string]*terraformModule{}}
		}
		tf.opts = opts
		return tf.moduleDocument(file)
	}
	if file != "-" {
		if st, err := os.Stat(file); err == nil && st.IsDir() {
			docs, err := readCDK(file, opts...)
			if err != nil {
				return nil, err
			}
			all := &rules.Document{File: file}
			for _, d := range docs {
				all.Configs = append(all.Configs, d.Configs...)
				all.Findings = append(all.Findings, d.Findings...)
			}
			return all, nil
		}
	}
	data, err := readInput(file, stdin)
	if err != nil {
		return nil, err
	}
	return rules.Decode(file, data, opts...), nil
}

// readCDK decodes the stack templates of the CDK cloud assembly in dir (dir/manifest.json
// or dir/cdk.out/manifest.json), each with its stack's account and region unless opts give
// them.
func readCDK(dir string, opts ...rules.Option) ([]*rules.Document, error) {
	fsys := os.DirFS(dir)
	manifest, ok := rules.CDKManifest(fsys, ".")
	if !ok {
		return nil, fmt.Errorf("%s is a directory without a CDK cloud assembly (no manifest.json or cdk.out/manifest.json); name a file", dir)
	}
	stacks, err := rules.ReadCDKManifest(fsys, manifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var docs []*rules.Document
	for _, s := range stacks {
		name := filepath.Join(dir, filepath.FromSlash(s.Template))
		data, err := readInput(name, nil)
		if err != nil {
			return nil, stackTemplateError(s, err)
		}
		docs = append(docs, rules.Decode(name, data, stackOptions(s, opts)...))
	}
	return docs, nil
}

// stackTemplateError says that the template of a CDK stack its manifest lists cannot be
// read: an assembly out of date with its manifest, which cdk synth writes again.
func stackTemplateError(s rules.CDKStack, err error) error {
	return fmt.Errorf("the template of CDK stack %s, listed in the cloud assembly's manifest.json, cannot be read (run cdk synth again): %w", s.Name, err)
}

// stackOptions puts a CDK stack's account and region before opts, so that flags win.
func stackOptions(s rules.CDKStack, opts []rules.Option) []rules.Option {
	var all []rules.Option
	if s.Region != "" {
		all = append(all, rules.WithRegion(s.Region))
	}
	if s.Account != "" {
		all = append(all, rules.WithAccountID(s.Account))
	}
	return append(all, opts...)
}

// inputFlags are the flags that give a configuration's source the values it leaves open: a
// template's parameters and pseudo parameters, Terraform's variables, and the project file
// that gives them too (--config-file).
type inputFlags struct {
	tmpl     *templateFlags
	tf       *terraformInput
	projects *projects
}

// inputFlags defines the template, Terraform and --config-file flags; region is the
// command's --region, or nil.
func (f *flagSet) inputFlags(region *string) inputFlags {
	in := inputFlags{tmpl: f.templateFlags(region), tf: f.terraformFlags()}
	in.projects = newProjects(projectFlags{
		configFile: f.String("config-file", "", "the project configuration `file` whose region, registry-id, account-id, parameters and vars apply (default: the nearest "+rules.ProjectConfigName+" above the configuration file, up to the repository root)"),
		noIgnore:   new(bool),
	})
	in.tf.projects = in.projects
	return in
}

// templateFlags are the flags that give a CloudFormation template the values it leaves to
// deployment: --parameter NAME=VALUE (repeated), --parameters-file and --account-id; the
// command's --region, when it has one, is AWS::Region.
type templateFlags struct {
	params     map[string]string
	paramsFile *string
	accountID  *string
	region     *string
}

// templateFlags defines the template flags; region is the command's --region, or nil.
func (f *flagSet) templateFlags(region *string) *templateFlags {
	t := &templateFlags{params: map[string]string{}, region: region}
	f.Func("parameter", "template parameter `NAME=VALUE` (repeat for each; over the parameter's Default)", func(s string) error {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" {
			return fmt.Errorf("%q is not NAME=VALUE", s)
		}
		t.params[name] = value
		return nil
	})
	t.paramsFile = f.String("parameters-file", "", "template parameters `FILE`: [{\"ParameterKey\": ..., \"ParameterValue\": ...}] or {\"Parameters\": {...}}")
	t.accountID = f.String("account-id", "", "the `ID` of the account a template is deployed in (AWS::AccountId)")
	return t
}

// options returns the rules options the flags give; --parameter wins over the file.
// registryID, when not "", is the command's --registry-id: the account of a template too,
// unless --account-id names another.
func (t *templateFlags) options(registryID string) ([]rules.Option, error) {
	var opts []rules.Option
	if registryID != "" {
		opts = append(opts, rules.WithRegistryID(registryID))
	}
	if *t.accountID != "" {
		if !registryIDFlag.MatchString(*t.accountID) {
			return nil, fmt.Errorf("--account-id %q is not an account id: 12 digits", *t.accountID)
		}
		opts = append(opts, rules.WithAccountID(*t.accountID))
	}
	if t.region != nil && *t.region != "" {
		opts = append(opts, rules.WithStackRegion(*t.region))
	}
	if *t.paramsFile != "" {
		data, err := readLimited(*t.paramsFile, nil, rules.MaxParametersFileSize)
		if err != nil {
			return nil, err
		}
		values, err := rules.ReadParameters(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", *t.paramsFile, err)
		}
		opts = append(opts, rules.WithParameters(values))
	}
	if len(t.params) > 0 {
		opts = append(opts, rules.WithParameters(t.params))
	}
	return opts, nil
}

// readInput reads a file, or standard input for "-", reading at most one byte more than
// Decode accepts so that Decode can report the size.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	return readUpTo(name, stdin, rules.DefaultMaxSize+1)
}

// readLimited reads a file ("-": standard input) of at most limit bytes.
func readLimited(name string, stdin io.Reader, limit int) ([]byte, error) {
	data, err := readUpTo(name, stdin, int64(limit)+1)
	if err == nil && len(data) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, err
}

// readUpTo reads a file, or standard input for "-", stopping after max bytes.
func readUpTo(name string, stdin io.Reader, max int64) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory", name)
		}
		r = f
	} else if r == nil {
		return nil, fmt.Errorf("no standard input")
	}
	data, err := io.ReadAll(io.LimitReader(r, max))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, nil
}

// splitConfigFile returns the file of a configuration spec (FILE or FILE#NAME).
func splitConfigFile(spec string) string {
	file, _ := splitConfigSpec(spec)
	return file
}

// splitConfigSpec splits FILE#NAME into the file and the name of one of its configurations;
// a spec that names an existing file is that file, '#' and all.
func splitConfigSpec(spec string) (file, name string) {
	if i := strings.LastIndexByte(spec, '#'); i > 0 {
		if _, err := os.Stat(spec); err != nil {
			return spec[:i], spec[i+1:]
		}
	}
	return spec, ""
}
