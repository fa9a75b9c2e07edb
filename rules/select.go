package rules

import (
	"fmt"
	"strings"
)

// SelectError says why Document.Select found no configuration to use. Findings, when any,
// are those that explain it: the errors, the values that stay unknown, or the outcomes of
// the conditions that stay unknown.
type SelectError struct {
	Msg      string
	Findings []Finding
}

func (e *SelectError) Error() string { return e.Msg }

// Select returns the one configuration of kind the document holds, or the one named name (a
// CloudFormation logical ID or CDK construct path, a Terraform address) when name is not "".
// It refuses, with a *SelectError, a configuration the ECR API would reject (an error-level
// finding of it or of the document), one with values that stay unknown (each has an ECR108
// finding saying how to supply it), and one that depends on template conditions that stay
// unknown (the error lists what each outcome gives). Resources a false condition leaves
// uncreated are passed over. A bare, empty rules list, {"rules": []}, is either kind: asked
// for a replication configuration, Select returns it as the empty one.
func (d *Document) Select(kind Kind, name string) (*Config, error) {
	var errs []Finding
	for _, f := range d.AllFindings() {
		if f.Severity == SeverityError {
			errs = append(errs, f)
		}
	}
	found, names := d.candidates(kind, name)
	file := d.File
	switch {
	case len(found) == 1:
		if err := usable(file, kind, found[0], errs); err != nil {
			return nil, err
		}
		return found[0], nil
	case len(errs) > 0:
		return nil, &SelectError{Msg: fmt.Sprintf("%s: cannot read a %s configuration:", file, kind), Findings: errs}
	case len(found) > 1:
		return nil, &SelectError{Msg: fmt.Sprintf("%s holds %d %s configurations (%s); choose one as %s#NAME", file, len(found), kind, strings.Join(names, ", "), file)}
	case name != "" && len(names) > 0:
		return nil, &SelectError{Msg: fmt.Sprintf("%s holds no %s configuration named %q (it holds %s)", file, kind, name, strings.Join(names, ", "))}
	case len(names) > 0:
		return nil, &SelectError{Msg: fmt.Sprintf("%s creates no %s configuration: %s", file, kind, notCreated(d, kind))}
	}
	other := ""
	if len(d.Configs) > 0 {
		other = fmt.Sprintf(" (it holds a %s configuration)", d.Configs[0].Kind)
	}
	return nil, &SelectError{Msg: fmt.Sprintf("%s holds no %s configuration%s", file, kind, other)}
}

// candidates returns the configurations of kind that name chooses (all that are created,
// when name is ""), and the names of all of kind. A bare, empty rules list is a replication
// configuration too, when no other is.
func (d *Document) candidates(kind Kind, name string) (found []*Config, names []string) {
	for _, c := range d.Configs {
		if c.Kind != kind {
			continue
		}
		names = append(names, c.Name)
		if name == "" && c.NotCreated == "" || name != "" && (c.Name == name || c.LogicalID == name) {
			found = append(found, c)
		}
	}
	if len(found) == 0 && kind == KindReplication {
		for _, c := range d.Configs {
			if c.bareEmpty() {
				found = append(found, c.asReplication())
			}
		}
	}
	return found, names
}

// usable returns the *SelectError that says why c cannot be used, nil when it can: errs are
// the error-level findings of its document.
func usable(file string, kind Kind, c *Config, errs []Finding) error {
	var own []Finding
	for _, f := range errs {
		if f.Config == c.Name || f.Config == "" {
			own = append(own, f)
		}
	}
	switch {
	case len(own) > 0:
		return &SelectError{Msg: fmt.Sprintf("%s: the ECR API would reject this %s configuration (%d %s; run ecrsign validate %s):", file, kind, len(own), map[bool]string{true: "error", false: "errors"}[len(own) == 1], file), Findings: own}
	case c.NotCreated != "":
		return &SelectError{Msg: fmt.Sprintf("%s: %s is not created: %s", file, c.Name, c.NotCreated)}
	case len(c.Outcomes) > 0:
		var fs []Finding
		for _, f := range c.Findings {
			if f.Code == CodeUnresolved && f.Path == "" {
				fs = append(fs, f)
			}
		}
		for _, o := range c.Outcomes {
			fs = append(fs, c.Position(Finding{Code: CodeUnresolved, Severity: SeverityInfo,
				Message: "with " + strings.Join(o.Conditions, ", ") + ": " + o.describe()}))
		}
		if more := moreOutcomes(c.Outcomes); more != "" {
			fs = append(fs, c.Position(Finding{Code: CodeUnresolved, Severity: SeverityInfo,
				Message: fmt.Sprintf("%s outcomes of the %d unknown conditions are not described (at most %d are, rules.MaxOutcomes)", more, len(c.Outcomes[0].Conditions), MaxOutcomes),
				Hint:    "give the parameters the conditions depend on, to choose one outcome"}))
		}
		return &SelectError{Msg: fmt.Sprintf("%s: the %s configuration depends on template conditions that stay unknown; give the values they depend on:", file, kind), Findings: fs}
	case len(c.Unresolved) > 0 && c.Format == FormatTerraformPlan:
		return &SelectError{Msg: fmt.Sprintf("%s: %d %s known only after apply; use the state after apply (terraform show -json) or literal values:", file, len(c.Unresolved), map[bool]string{true: "value is", false: "values are"}[len(c.Unresolved) == 1]),
			Findings: c.unresolvedFindings()}
	case len(c.Unresolved) > 0 && c.Format == FormatTerraformSource:
		return &SelectError{Msg: fmt.Sprintf("%s: %d %s known only when Terraform runs; give variables with --var or --var-file, or use the plan (terraform show -json):", file, len(c.Unresolved), map[bool]string{true: "value is", false: "values are"}[len(c.Unresolved) == 1]),
			Findings: c.unresolvedFindings()}
	case len(c.Unresolved) > 0:
		return &SelectError{Msg: fmt.Sprintf("%s: %d %s unknown until deployment; give them as each line says, or use the deployed configuration (aws ecr get-%s-configuration):", file, len(c.Unresolved), map[bool]string{true: "value stays", false: "values stay"}[len(c.Unresolved) == 1], kind),
			Findings: c.unresolvedFindings()}
	}
	return nil
}

// unresolvedFindings returns the ECR108 findings of the values of c that stay unknown, not
// those of the Fn::If branches it does not take: each at its value's own position.
func (c *Config) unresolvedFindings() []Finding {
	var fs []Finding
	for _, p := range c.Unresolved {
		line, col, _ := c.Locate(p)
		for _, f := range c.Findings {
			if f.Code == CodeUnresolved && f.Path == p && f.Line == line && f.Column == col {
				fs = append(fs, f)
				break
			}
		}
	}
	return fs
}

func notCreated(d *Document, kind Kind) string {
	var why []string
	for _, c := range d.Configs {
		if c.Kind == kind && c.NotCreated != "" {
			why = append(why, c.Name+": "+c.NotCreated)
		}
	}
	return strings.Join(why, "; ")
}

// bareEmpty reports whether c is a bare, empty rules list, {"rules": []}: the body of a
// signing or a replication configuration alike, which Decode reads as signing.
func (c *Config) bareEmpty() bool {
	return c.Format == FormatBare && c.Kind == KindSigning && c.Signing != nil &&
		c.Signing.Rules != nil && len(c.Signing.Rules) == 0
}

// asReplication returns the bare, empty rules list c as the empty replication configuration.
func (c *Config) asReplication() *Config {
	r := *c
	r.Kind, r.Signing = KindReplication, nil
	r.Replication = &ReplicationConfiguration{Rules: []ReplicationRule{}}
	return &r
}

// IsEitherKind reports whether c is a bare, empty rules list, {"rules": []}, which is a
// signing and a replication configuration alike: it says nothing of the kind of a file.
func (c *Config) IsEitherKind() bool { return c.bareEmpty() }

// moreOutcomes returns how many outcomes of the unknown conditions outcomes leaves out, as
// text ("1016", or "2^70 - 8" for too many to count in an int), or "" when it holds them all.
func moreOutcomes(outcomes []Outcome) string {
	n := len(outcomes[0].Conditions)
	switch {
	case n >= 62:
		return fmt.Sprintf("2^%d - %d", n, len(outcomes))
	case 1<<n > len(outcomes):
		return fmt.Sprint(1<<n - len(outcomes))
	}
	return ""
}

// describe says in a line what an outcome's configuration does.
func (o Outcome) describe() string {
	switch {
	case o.NotCreated:
		return "the resource is not created"
	case o.Signing != nil:
		if len(o.Signing.Rules) == 0 {
			return "no rules: no image is signed"
		}
		parts := make([]string, len(o.Signing.Rules))
		for i, r := range o.Signing.Rules {
			parts[i] = fmt.Sprintf("rule %d signs %s with %s", i, filterList(len(r.RepositoryFilters), r.RepositoryFilters == nil, func(j int) string { return r.RepositoryFilters[j].Filter }), orUnknown(r.SigningProfileArn))
		}
		return strings.Join(parts, "; ")
	case o.Replication != nil:
		if len(o.Replication.Rules) == 0 {
			return "no rules: nothing is replicated"
		}
		parts := make([]string, len(o.Replication.Rules))
		for i, r := range o.Replication.Rules {
			var dests []string
			for _, d := range r.Destinations {
				dests = append(dests, orUnknown(d.Region)+":"+orUnknown(d.RegistryID))
			}
			parts[i] = fmt.Sprintf("rule %d replicates %s to %s", i, filterList(len(r.RepositoryFilters), r.RepositoryFilters == nil, func(j int) string { return r.RepositoryFilters[j].Filter }), strings.Join(dests, ", "))
		}
		return strings.Join(parts, "; ")
	}
	return "no configuration"
}

func filterList(n int, all bool, filter func(int) string) string {
	if all {
		return "every repository"
	}
	fs := make([]string, n)
	for j := range fs {
		fs[j] = fmt.Sprintf("%q", filter(j))
	}
	return strings.Join(fs, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// AnalysisSigning returns the signing configuration to analyse for overlaps and redundant
// filters (package match): a copy of c.Signing in which every profile ARN that stays unknown
// is a placeholder naming its path, "(unknown rules[1].signingProfileArn)", so that rules
// with unknown profiles stand for distinct profiles. ok is false when there is nothing to
// analyse: no signing configuration, or a filter or a whole rule that stays unknown.
func (c *Config) AnalysisSigning() (cfg *SigningConfiguration, ok bool) {
	if c.Signing == nil {
		return nil, false
	}
	unknownARN := map[string]bool{}
	for _, p := range c.Unresolved {
		if !strings.HasSuffix(p, ".signingProfileArn") {
			return nil, false
		}
		unknownARN[p] = true
	}
	out := &SigningConfiguration{Rules: append([]SigningRule(nil), c.Signing.Rules...)}
	if c.Signing.Rules != nil && out.Rules == nil {
		out.Rules = []SigningRule{}
	}
	for i := range out.Rules {
		if p := RuleAt(i).Member("signingProfileArn").String(); unknownARN[p] {
			out.Rules[i].SigningProfileArn = "(unknown " + p + ")"
		}
	}
	return out, true
}
