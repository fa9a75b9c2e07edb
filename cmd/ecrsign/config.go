package main

import (
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
// stay unknown, and conditions that stay unknown; opts give the template values
// (templateFlags); a .tf file, or a directory of them, is read as a Terraform module with
// tf's variable values.
func loadConfig(spec string, kind rules.Kind, stdin io.Reader, tf *terraformInput, opts ...rules.Option) (*rules.Config, error) {
	file, name := splitConfigSpec(spec)
	doc, err := readDocument(file, stdin, tf, opts...)
	if err != nil {
		return nil, err
	}
	c, err := doc.Select(kind, name)
	if se, ok := err.(*rules.SelectError); ok {
		return nil, &configError{msg: se.Msg, findings: se.Findings}
	}
	return c, err
}

// loadSigning loads the signing configuration of spec with the template values the flags
// give and compiles it: the load-and-compile path of match and explain.
func loadSigning(spec string, stdin io.Reader, in inputFlags) (*rules.Config, *match.Matcher, error) {
	opts, err := in.tmpl.options("")
	if err != nil {
		return nil, nil, err
	}
	c, err := loadConfig(spec, rules.KindSigning, stdin, in.tf, opts...)
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
			return nil, err
		}
		docs = append(docs, rules.Decode(name, data, stackOptions(s, opts)...))
	}
	return docs, nil
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
// template's parameters and pseudo parameters, and Terraform's variables.
type inputFlags struct {
	tmpl *templateFlags
	tf   *terraformInput
}

// inputFlags defines the template and Terraform flags; region is the command's --region, or
// nil.
func (f *flagSet) inputFlags(region *string) inputFlags {
	return inputFlags{tmpl: f.templateFlags(region), tf: f.terraformFlags()}
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
