package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

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

const validateHelp = `usage: ecrsign validate [--format text|json|sarif|github] [--strict] [--region REGION] [--only-configs] FILE|DIR...

Validates every signing and replication configuration in each FILE ("-" reads standard
input): API request or response JSON, bare {"rules": ...}, CloudFormation templates (JSON or
YAML) and terraform show -json output. A DIR is searched recursively for *.json, *.yaml and
*.yml files (directories whose name starts with "." and node_modules are skipped); files found
there that are not configurations are skipped silently: those that hold none, bare
{"rules": ...} documents of other tools (ESLint) that mention no member of a signing or
replication rule, and files that do not parse and mention neither such a member nor a
top-level "rules". A FILE named explicitly is always
reported. --only-configs treats named files as a directory walk does (the pre-commit hook
uses it, since pre-commit passes every JSON and YAML file). A DIR without any configuration
is noted on standard error; it does not change the exit status.

Formats: text prints one line per finding,

  FILE:LINE:COL: SEVERITY CODE PATH: MESSAGE (hint)

json prints the findings as a JSON array, sarif a SARIF 2.1.0 log for GitHub code scanning
(upload it with github/codeql-action/upload-sarif), github workflow-command annotations
(::error file=F,line=L,col=C,title=CODE::message) for GitHub Actions.

Exit status: 0 when no finding is an error, 1 when one is (--strict: or a warning), 2 for
usage errors and unreadable files.

Example:

  ecrsign validate examples/signing/api-request.json
  ecrsign validate --format sarif examples > ecrsign.sarif
`

func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", validateHelp, stdout, stderr)
	format := fs.formatFlag("output `format`: text, json, sarif or github", "text", "json", "sarif", "github")
	strict := fs.Bool("strict", false, "count warnings as errors")
	region := fs.String("region", "", "the registry's `region`: report signing profiles in other regions")
	onlyConfigs := fs.Bool("only-configs", false, "skip named files that hold no configuration, as a directory walk does")
	names, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(names) == 0 {
		return fs.usageError("no files given")
	}
	var opts []rules.Option
	if *region != "" {
		opts = append(opts, rules.WithRegion(*region))
	}

	status := exitOK
	all := []rules.Finding{}
	// check validates one file and reports whether it was a configuration file (not skipped).
	check := func(name string, walked bool) bool {
		data, err := readInput(name, stdin)
		if err != nil {
			fs.errorf("%v", err)
			status = exitUsage
			return true
		}
		doc := rules.Decode(name, data, opts...)
		if walked && unrelated(doc, data) {
			return false
		}
		findings := validateDocument(doc)
		for _, f := range findings {
			if (f.Severity == rules.SeverityError || *strict && f.Severity == rules.SeverityWarning) && status == exitOK {
				status = exitFound
			}
		}
		all = append(all, findings...)
		return true
	}
	for _, name := range names {
		if name == "-" {
			check(name, false)
			continue
		}
		st, err := os.Stat(name)
		if err != nil {
			fs.errorf("%v", err)
			status = exitUsage
			continue
		}
		if !st.IsDir() {
			check(name, *onlyConfigs)
			continue
		}
		found, skipped, err := configFiles(name)
		all = append(all, skipped...)
		if err != nil {
			fs.errorf("%v", err)
			status = exitUsage
		}
		checked := 0
		for _, f := range found {
			if check(f, true) {
				checked++
			}
		}
		if checked == 0 && err == nil {
			fs.errorf("no configuration found in %s (searched %d *.json, *.yaml and *.yml files)", name, len(found))
		}
	}
	if err := writeFindings(stdout, *format, all); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	return status
}

// validateDocument returns every finding of doc, with the analysis lints of package match
// for each configuration that has no error, sorted by position.
func validateDocument(doc *rules.Document) []rules.Finding {
	all := doc.AllFindings()
	for _, c := range doc.Configs {
		all = append(all, analyze(c)...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
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
	return all
}

// analyze compiles a configuration with package match and returns its analysis findings
// (ECR4xx: redundant filters, shadowed rules, filters no repository name matches, overlapping
// rules), positioned in the source. A configuration with an error is not analysed (values the
// API would reject, or that did not decode, would mislead it), nor one whose filters are
// CloudFormation intrinsics; profile ARNs that are intrinsics stand for distinct unknown
// profiles. Findings that repeat a lint of package rules are left out: a filter repeated
// (ECR300) or beside "*" (ECR306) is not also reported redundant (ECR401).
func analyze(c *rules.Config) []rules.Finding {
	skip := map[string]bool{} // filter paths already reported redundant by package rules
	starRules := map[string]bool{}
	for _, f := range c.Findings {
		switch {
		case f.Severity == rules.SeverityError:
			return nil
		case f.Code == rules.CodeDuplicateFilter:
			skip[strings.TrimSuffix(f.Path, ".filter")] = true
		case f.Code == rules.CodeStarWithOthers:
			starRules[f.Path[:strings.Index(f.Path, ".")]] = true
		}
	}
	var m *match.Matcher
	var err error
	switch {
	case c.Signing != nil:
		cfg := *c.Signing
		cfg.Rules = append([]rules.SigningRule(nil), cfg.Rules...)
		for _, p := range c.Unresolved {
			if strings.Contains(p, "repositoryFilters") {
				return nil
			}
			var i int
			if _, err := fmt.Sscanf(p, "rules[%d].signingProfileArn", &i); err == nil && i >= 0 && i < len(cfg.Rules) {
				cfg.Rules[i].SigningProfileArn = "(unresolved " + p + ")"
			}
		}
		m, err = match.Compile(&cfg)
	case c.Replication != nil:
		if len(c.Unresolved) > 0 {
			return nil
		}
		m, err = match.CompileReplication(c.Replication)
	default:
		return nil
	}
	if err != nil {
		return []rules.Finding{c.Position(rules.Finding{Code: match.CodeAnalysisTruncated, Severity: rules.SeverityInfo,
			Message: "the configuration was not analysed: " + err.Error()})}
	}
	var out []rules.Finding
	for _, f := range m.Analyze() {
		if f.Code == match.CodeRedundantFilter {
			rule, _, _ := strings.Cut(f.Path, ".")
			if skip[f.Path] || starRules[rule] {
				continue
			}
		}
		out = append(out, c.Position(f))
	}
	return out
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
// skipped: it holds no configuration; or it is a bare {"rules": ...} document that mentions no
// member of a signing or replication rule (ESLint and other tools have top-level rules too);
// or it does not parse and mentions neither such a member nor a top-level "rules".
func unrelated(doc *rules.Document, data []byte) bool {
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
