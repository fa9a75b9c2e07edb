package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

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
// input) optionally followed by "#NAME" to choose one of several configurations of a
// CloudFormation template or Terraform output. Configurations with an error-level finding are
// refused (the ECR API would reject them), as are values that are CloudFormation intrinsic
// functions, whose value is known only at deployment. A .tf file or a directory is read as
// a Terraform module with tf's variable values.
func loadConfig(spec string, kind rules.Kind, stdin io.Reader, tf *terraformInput) (*rules.Config, error) {
	file, name := splitConfigSpec(spec)
	doc, err := decodeSpec(file, stdin, tf)
	if err != nil {
		return nil, err
	}
	var errs []rules.Finding
	for _, f := range doc.AllFindings() {
		if f.Severity == rules.SeverityError {
			errs = append(errs, f)
		}
	}
	var found []*rules.Config
	var names []string
	for _, c := range doc.Configs {
		if c.Kind == kind && (name == "" || c.Name == name) {
			found = append(found, c)
		}
		if c.Kind == kind {
			names = append(names, c.Name)
		}
	}
	if len(found) == 0 && kind == rules.KindReplication {
		for _, c := range doc.Configs {
			if isBareEmpty(c) {
				found = append(found, asReplication(c))
			}
		}
	}
	switch {
	case len(found) == 1:
		c := found[0]
		var own []rules.Finding
		for _, f := range errs {
			if f.Config == c.Name || f.Config == "" {
				own = append(own, f)
			}
		}
		if len(own) > 0 {
			return nil, &configError{msg: fmt.Sprintf("%s: the ECR API would reject this %s configuration (%d errors; run ecrsign validate %s):", file, kind, len(own), file), findings: own}
		}
		if len(c.Unresolved) > 0 {
			var fs []rules.Finding
			for _, f := range c.Findings {
				if f.Code == rules.CodeUnresolved {
					fs = append(fs, f)
				}
			}
			if c.Format == rules.FormatTerraformPlan {
				return nil, &configError{msg: fmt.Sprintf("%s: %d values are known only after apply; use the state after apply (terraform show -json) or literal values:", file, len(c.Unresolved)), findings: fs}
			}
			if c.Format == rules.FormatTerraformSource {
				return nil, &configError{msg: fmt.Sprintf("%s: %d values are known only when Terraform runs; give variables with --var or --var-file, or use the plan (terraform show -json):", file, len(c.Unresolved)), findings: fs}
			}
			return nil, &configError{msg: fmt.Sprintf("%s: %d values are CloudFormation intrinsic functions, known only at deployment; use the deployed configuration (aws ecr get-signing-configuration) or literal values:", file, len(c.Unresolved)), findings: fs}
		}
		return c, nil
	case len(errs) > 0:
		return nil, &configError{msg: fmt.Sprintf("%s: cannot read a %s configuration:", file, kind), findings: errs}
	case len(found) > 1:
		return nil, &configError{msg: fmt.Sprintf("%s holds %d %s configurations (%s); choose one as %s#NAME", file, len(found), kind, strings.Join(names, ", "), file)}
	case name != "" && len(names) > 0:
		return nil, &configError{msg: fmt.Sprintf("%s holds no %s configuration named %q (it holds %s)", file, kind, name, strings.Join(names, ", "))}
	default:
		other := ""
		if len(doc.Configs) > 0 {
			other = fmt.Sprintf(" (it holds a %s configuration)", doc.Configs[0].Kind)
		}
		return nil, &configError{msg: fmt.Sprintf("%s holds no %s configuration%s", file, kind, other)}
	}
}

// decodeSpec decodes the file of a configuration spec: a Terraform module (a .tf file, or a
// directory holding .tf files) with tf's variables, any other file with rules.Decode.
func decodeSpec(file string, stdin io.Reader, tf *terraformInput) (*rules.Document, error) {
	tfFiles, _ := filepath.Glob(filepath.Join(file, "*.tf"))
	if file != "-" && (isTerraformSource(file) || len(tfFiles) > 0) {
		if tf == nil {
			tf = &terraformInput{modules: map[string]*terraformModule{}}
		}
		return tf.moduleDocument(file)
	}
	data, err := readInput(file, stdin)
	if err != nil {
		return nil, err
	}
	return rules.Decode(file, data), nil
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

// isBareEmpty reports whether c is a bare, empty rules list, {"rules": []}: the body of a
// signing or a replication configuration alike, which Decode reads as signing.
func isBareEmpty(c *rules.Config) bool {
	return c.Format == rules.FormatBare && c.Kind == rules.KindSigning && c.Signing != nil &&
		c.Signing.Rules != nil && len(c.Signing.Rules) == 0
}

// asReplication returns the bare, empty rules list c as the empty replication configuration.
func asReplication(c *rules.Config) *rules.Config {
	r := *c
	r.Kind, r.Signing = rules.KindReplication, nil
	r.Replication = &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}
	return &r
}
