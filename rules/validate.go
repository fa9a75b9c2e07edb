package rules

import (
	"fmt"
	"strings"

	"github.com/ecrsign/ecrsign/internal/reponame"
)

// validate turns the API constraint violations of a decoded configuration (CheckSigning,
// CheckReplication) into findings with codes, positions, messages in the source's own member
// names, and hints. Values that already have a decoding finding (a wrong type, an intrinsic
// function) are not reported again. With the source registry known (WithRegistryID and
// WithRegion), a replication destination that is the source is reported, as
// PutReplicationConfiguration rejects it.
func validate(c *Config, o *options) {
	var vs []violation
	if c.Signing != nil {
		vs = checkSigning(c.Signing)
	} else if c.Replication != nil {
		vs = checkReplication(c.Replication)
	}
	for _, v := range vs {
		if c.suppressed(v.Path) {
			continue
		}
		if v.Value == "" && c.invalid[v.at] {
			continue // an empty string breaks a length and a pattern: one finding says it
		}
		c.invalid[v.at] = true
		c.add(c.violationFinding(v))
	}
	if c.Replication == nil {
		return
	}
	distinct := map[ReplicationDestination]bool{}
	for _, r := range c.Replication.Rules {
		for _, d := range r.Destinations {
			distinct[d] = true
		}
	}
	if len(distinct) > MaxDistinctDestinations {
		c.add(Finding{Code: CodeTooManyDistinctDests, Severity: SeverityError, Path: "rules",
			Message: fmt.Sprintf("%d distinct destinations over all rules; ECR allows at most %d", len(distinct), MaxDistinctDestinations)})
	}
	if o != nil && o.registryID != "" && o.region != "" {
		for _, v := range CheckSource(c.Replication, o.registryID, o.region) {
			if c.suppressed(v.Path) {
				continue
			}
			c.add(Finding{Code: CodeSourceDestination, Severity: SeverityError, Path: v.Path,
				Message: fmt.Sprintf("destination %s is the source registry (registry %s in %s): PutReplicationConfiguration rejects it, replication never goes back to the registry it starts from", v.Value, o.registryID, o.region),
				Hint:    "remove the destination, or replicate to another region or account"})
		}
	}
	if c.Format.CloudFormation() {
		// The AWS::ECR::ReplicationConfiguration schema requires a destination per rule,
		// which the API does not.
		for i, r := range c.Replication.Rules {
			p := RuleAt(i).Member("destinations").String()
			if r.Destinations != nil && len(r.Destinations) == 0 && !c.suppressed(p) {
				c.add(Finding{Code: CodeTemplateSchema, Severity: SeverityError, Path: p,
					Message: "Destinations is empty: the AWS::ECR::ReplicationConfiguration schema requires at least 1 destination per rule (minItems 1), so CloudFormation rejects the template, though the ECR API accepts a rule without destinations",
					Hint:    "add a destination, or remove the rule"})
			}
		}
	}
}

// variant is a configuration decoded again with other Fn::If branches taken; label names
// them.
type variant struct {
	c     *Config
	label string
}

// check validates and lints a decoded configuration and its variants: findings of a variant
// that the configuration itself does not have are its own, named by the branch they come
// from.
func check(c *Config, o *options) {
	validate(c, o)
	lint(c, o.region)
	if len(c.variants) > 0 {
		mergeVariants(c, o)
	}
	for _, f := range c.late {
		c.add(f)
	}
	c.late = nil
	sortFindings(c.Findings)
}

// mergeVariants checks the variants of c and merges their findings into c's: a finding of
// a variant that c does not have names the branches the variant takes, and a finding of c
// that some variant does not have names the branches c takes, unless the value it is about
// already names its branch.
func mergeVariants(c *Config, o *options) {
	type key struct {
		code         Code
		path         string
		line, column int
		message      string
	}
	keyOf := func(f Finding) key { return key{f.Code, f.Path, f.Line, f.Column, f.Message} }
	own := map[key]bool{}
	for _, f := range c.Findings {
		own[keyOf(f)] = true
	}
	seen := map[key]bool{}
	specific := map[key]bool{} // findings of c that a variant lacks
	var added []Finding
	for _, v := range c.variants {
		validate(v.c, o)
		lint(v.c, o.region)
		has := map[key]bool{}
		for _, f := range v.c.Findings {
			k := keyOf(f)
			has[k] = true
			if own[k] || seen[k] {
				continue
			}
			seen[k] = true
			if !strings.Contains(f.Message, "(Fn::If ") {
				f.Message += " (" + v.label + ")"
			}
			added = append(added, f)
		}
		for k := range own {
			if !has[k] {
				specific[k] = true
			}
		}
	}
	for i, f := range c.Findings {
		if specific[keyOf(f)] && c.label != "" && !strings.Contains(f.Message, "(Fn::If ") {
			c.Findings[i].Message += " (" + c.label + ")"
		}
	}
	for _, f := range added {
		if c.budget.take(f.Severity) {
			c.Findings = append(c.Findings, f)
		}
	}
	c.variants = nil
}

// suppressed reports whether path or a value enclosing it already has a decoding finding.
func (c *Config) suppressed(path string) bool {
	for {
		if c.problems[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

// violationFinding explains one violation: the code, message and hint for the member it
// concerns.
func (c *Config) violationFinding(v violation) Finding {
	f := Finding{Severity: SeverityError, Path: v.Path}
	name := memberName(c.style, v.Path)
	switch field := v.at.Field(); {
	case v.Constraint == constraintNotNull || (v.Value == "" && !c.present(v.Path)):
		// CheckSigning and CheckReplication take "" for a present, empty string; only the
		// source knows whether the member was written at all.
		c.explainMissing(&f, field, name)
	case field == "rules":
		c.explainTooManyRules(&f, v)
	case field == "repositoryFilters":
		c.explainFilterCount(&f, v, name)
	case field == "destinations":
		f.Code = CodeTooManyDestinations
		f.Message = fmt.Sprintf("%d destinations in %s; the ECR API allows at most %d", c.count(v.at).count, name, MaxReplicationDestinations)
	case field == "filter":
		c.explainFilter(&f, v)
	case field == "filterType":
		c.explainFilterType(&f, v)
	case field == "signingProfileArn":
		explainProfileARNViolation(&f, v)
	case field == "region":
		f.Code = CodeRegion
		f.Message = fmt.Sprintf("region %q is not a region name (2 to 25 lower-case letters, digits and hyphens)", v.Value)
		if l := strings.ToLower(v.Value); regionRE.MatchString(l) {
			f.Hint = fmt.Sprintf("did you mean %s?", l)
		}
	case field == "registryId":
		f.Code = CodeRegistryID
		f.Message = fmt.Sprintf("registry ID %q is not a 12-digit account ID", v.Value)
		if t := strings.ReplaceAll(strings.TrimSpace(v.Value), "-", ""); registryIDRE.MatchString(t) {
			f.Hint = fmt.Sprintf("did you mean %s?", t)
		}
	default:
		f.Code = CodeRequired
		f.Message = fmt.Sprintf("%s: %s", name, v.Constraint)
	}
	return f
}

// replication reports whether c is a replication configuration.
func (c *Config) replication() bool { return c.Kind == KindReplication }

// explainMissing fills f for a required member (named name, the last step field) that is
// not written.
func (c *Config) explainMissing(f *Finding, field, name string) {
	f.Code = CodeRequired
	f.Message = fmt.Sprintf("%s is missing; the API requires it", name)
	switch field {
	case "filterType":
		filterType := "WILDCARD_MATCH"
		if c.replication() {
			filterType = "PREFIX_MATCH"
		}
		if c.Format == FormatTerraformSource {
			f.Hint = fmt.Sprintf("add %s = %q", c.style.name("filterType"), filterType)
		} else {
			f.Hint = "add " + c.style.name("filterType") + ": " + filterType
		}
	case "rules":
		f.Hint = "an empty list is a valid configuration that signs nothing"
		if c.replication() {
			f.Hint = "an empty list is a valid configuration that replicates nothing"
		}
	}
}

// explainTooManyRules fills f for a rules list longer than the API allows, saying where a
// CloudFormation schema disagrees with the API.
func (c *Config) explainTooManyRules(f *Finding, v violation) {
	replication := c.replication()
	cfn := c.Format.CloudFormation()
	n := c.count(v.at).count
	f.Code = CodeTooManyRules
	max := MaxSigningRules
	if replication {
		max = MaxReplicationRules
	}
	f.Message = fmt.Sprintf("%d rules; the ECR API allows at most %d", n, max)
	switch {
	case cfn && !replication && n > MaxCloudFormationSigningRules:
		f.Message = fmt.Sprintf("%d rules: the template breaks the AWS::ECR::SigningConfiguration schema (Rules has maxItems %d), and the ECR API allows at most %d",
			n, MaxCloudFormationSigningRules, max)
	case cfn && !replication:
		f.Message += fmt.Sprintf(" (the CloudFormation schema allows %d, but ECR rejects more than %d at deployment)", MaxCloudFormationSigningRules, max)
	}
	if replication {
		f.Hint = "merge rules with the same destinations: one rule holds up to 100 filters"
	} else {
		f.Hint = "merge rules that share a signing profile: one rule holds up to 100 filters"
	}
}

// explainFilterCount fills f for a filter list (named name) that is empty or too long.
func (c *Config) explainFilterCount(f *Finding, v violation, name string) {
	replication := c.replication()
	if strings.HasPrefix(v.Constraint, constraintMinLen) {
		f.Code = CodeEmptyFilters
		f.Message = name + " is empty; when present it must hold 1 to 100 filters"
		if c.Format.CloudFormation() && replication {
			f.Message += " (the AWS::ECR::ReplicationConfiguration schema allows 0 filters, minItems 0, but the ECR API requires 1 to 100 when present and rejects it at deployment)"
		}
		f.Hint = "remove " + c.style.name("repositoryFilters") + " to apply the rule to every repository, or add a filter"
		return
	}
	f.Code = CodeTooManyFilters
	f.Message = fmt.Sprintf("%d filters in %s; the ECR API allows at most %d", c.count(v.at).count, name, MaxSigningFilters)
	if replication {
		f.Hint = "split the rule in two with the same destinations, or use shorter prefixes: a prefix matches every name that starts with it"
	} else {
		f.Hint = "split the rule in two with the same profile, or combine filters with '*'"
	}
}

// explainFilter fills f for a filter whose length or characters the API rejects.
func (c *Config) explainFilter(f *Finding, v violation) {
	replication := c.replication()
	min, max := MinSigningFilterLength, MaxSigningFilterLength
	if replication {
		min, max = MinReplicationFilterLength, MaxReplicationFilterLength
	}
	switch {
	case strings.HasPrefix(v.Constraint, constraintMaxLen):
		f.Code = CodeFilterLength
		f.Message = fmt.Sprintf("filter is %d characters long; the ECR API allows at most %d", len([]rune(v.Value)), max)
	case strings.HasPrefix(v.Constraint, constraintMinLen) && v.Value == "":
		f.Code = CodeFilterLength
		f.Message = fmt.Sprintf("filter is empty; the ECR API requires at least %d %s", min, plural(min, "character"))
		f.Hint = "write a filter, or remove the filter entry"
	case strings.HasPrefix(v.Constraint, constraintMinLen):
		f.Code = CodeFilterLength
		f.Message = fmt.Sprintf("filter %q is %d character long; the ECR API requires at least %d", v.Value, len([]rune(v.Value)), min)
	default:
		kind := reponame.SigningFilter
		if replication {
			kind = reponame.ReplicationFilter
		}
		f.Code = CodeFilterPattern
		f.Message = fmt.Sprintf("filter %q does not match the ECR API's filter pattern: %s", v.Value, reponame.Explain(v.Value, kind))
		f.Hint = filterHint(v.Value, replication)
	}
}

// explainFilterType fills f for a filter type other than the one the kind accepts,
// recognising the other kind's type.
func (c *Config) explainFilterType(f *Finding, v violation) {
	replication := c.replication()
	f.Code = CodeFilterType
	want, other := WildcardMatch, string(PrefixMatch)
	if replication {
		want, other = SigningRepositoryFilterType(PrefixMatch), string(WildcardMatch)
	}
	f.Message = fmt.Sprintf("filter type %q is not accepted; the only type is %s", v.Value, want)
	switch up := strings.ToUpper(strings.TrimSpace(v.Value)); {
	case v.Value == "":
		f.Message = fmt.Sprintf("filter type is empty; the only type is %s", want)
		f.Hint = fmt.Sprintf("write %s", want)
	case up == other && !replication:
		f.Hint = "PREFIX_MATCH is a replication filter type; signing filters are WILDCARD_MATCH (write a prefix as \"name*\")"
	case up == other:
		f.Hint = "WILDCARD_MATCH is a signing filter type; replication filters are PREFIX_MATCH"
	default:
		f.Hint = fmt.Sprintf("did you mean %s?", want)
	}
}

// explainProfileARNViolation fills f for a signing profile ARN that is too long or not
// shaped like one.
func explainProfileARNViolation(f *Finding, v violation) {
	if strings.HasPrefix(v.Constraint, constraintMaxLen) {
		f.Code = CodeProfileARNLength
		f.Message = fmt.Sprintf("signing profile ARN is %d characters long; the ECR API allows at most %d", len([]rune(v.Value)), MaxSigningProfileARNLen)
		return
	}
	f.Code = CodeProfileARNPattern
	f.Message = explainProfileARN(v.Value)
	f.Hint = profileARNHint(v.Value)
	if v.Value == "" {
		f.Hint = "write a signing profile ARN: arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME"
	}
}

type valueInfo struct{ count int }

// count returns the length of the list at p, as written: a list the decoder cut short
// counts all its elements.
func (c *Config) count(p Path) valueInfo {
	if n, cut := c.lengths[p.String()]; cut {
		return valueInfo{n}
	}
	i, inRule := p.RuleIndex()
	switch {
	case !inRule && c.Signing != nil:
		return valueInfo{len(c.Signing.Rules)}
	case !inRule && c.Replication != nil:
		return valueInfo{len(c.Replication.Rules)}
	case c.Signing != nil && i < len(c.Signing.Rules):
		return valueInfo{len(c.Signing.Rules[i].RepositoryFilters)}
	case c.Replication != nil && i < len(c.Replication.Rules) && p.List() == "destinations":
		return valueInfo{len(c.Replication.Rules[i].Destinations)}
	case c.Replication != nil && i < len(c.Replication.Rules):
		return valueInfo{len(c.Replication.Rules[i].RepositoryFilters)}
	}
	return valueInfo{}
}

// filterHint proposes a valid filter close to an invalid one.
func filterHint(s string, replication bool) string {
	re := signingFilterRE
	if replication {
		re = replicationFilterRE
	}
	if l := strings.ToLower(s); l != s && re.MatchString(l) {
		return fmt.Sprintf("repository names are lower case: did you mean %q?", l)
	}
	switch {
	case replication && strings.Contains(s, "*"):
		if t := strings.ReplaceAll(s, "*", ""); len(t) >= MinReplicationFilterLength && replicationFilterRE.MatchString(t) {
			return fmt.Sprintf("did you mean %q?", t)
		}
		return "a replication filter matches every name that starts with it; remove the '*'"
	case strings.ContainsAny(s, "?[]{}"):
		if replication {
			return "replication filters are plain name prefixes, without wildcards"
		}
		return "'*' is the only wildcard; it matches any sequence of characters, '/' included"
	case strings.Contains(s, "__") || strings.Contains(s, "--"):
		if !replication {
			return "filters cannot hold '__' or '--'; use '*' in their place (a*b matches a__b)"
		}
	case strings.HasSuffix(s, "/"):
		if !replication {
			return fmt.Sprintf("a filter cannot end with '/': did you mean %q?", s+"*")
		}
	case strings.HasPrefix(s, "/"):
		return fmt.Sprintf("a filter cannot start with '/': did you mean %q?", strings.TrimLeft(s, "/"))
	case strings.TrimSpace(s) != s:
		return "remove the surrounding white space"
	}
	if !replication {
		for _, sep := range []string{".", "_", "-"} {
			if strings.HasSuffix(s, sep) || strings.Contains(s, sep+"/") {
				fixed := strings.ReplaceAll(s, sep+"/", sep+"*/")
				if strings.HasSuffix(fixed, sep) {
					fixed += "*"
				}
				return fmt.Sprintf("a component cannot end with %q: did you mean %q?", sep, fixed)
			}
		}
	}
	return ""
}

// profileARNHint proposes a valid signing profile ARN close to an invalid one.
func profileARNHint(s string) string {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	res := parts[5]
	if strings.HasPrefix(res, "signing-profiles/") {
		fixed := strings.Join(parts[:5], ":") + ":/" + res
		if signingProfileArnRE.MatchString(fixed) {
			return "the resource starts with a '/': " + fixed
		}
	}
	if i := strings.LastIndexByte(res, '/'); i >= 0 && strings.ContainsAny(res[i:], "-.") {
		fixed := strings.Join(parts[:5], ":") + ":" + res[:i] + strings.NewReplacer("-", "_", ".", "_").Replace(res[i:])
		if signingProfileArnRE.MatchString(fixed) {
			return "signing profile names allow letters, digits and '_' only, no hyphens: did you mean " + fixed + "?"
		}
	}
	if l := strings.ToLower(strings.Join(parts[:4], ":")) + ":" + strings.Join(parts[4:], ":"); l != s && signingProfileArnRE.MatchString(l) {
		return "did you mean " + l + "?"
	}
	return ""
}
