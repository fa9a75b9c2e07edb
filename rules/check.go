package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/internal/reponame"
)

// Patterns of the ECR API model, verbatim: AWS prints them so in its messages. Patterns
// without anchors (RepositoryName, RegistryId, Region) must match the whole value, as the
// service's validator does; the compiled forms below anchor them.
const (
	SigningProfileArnPattern = `^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$`
	SigningFilterPattern     = `^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$`
	ReplicationFilterPattern = `^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$`
	RepositoryNamePattern    = reponame.Pattern
	RegistryIDPattern        = `[0-9]{12}`
	RegionPattern            = `[0-9a-z-]{2,25}`
)

var (
	signingProfileArnRE = regexp.MustCompile(SigningProfileArnPattern)
	signingFilterRE     = regexp.MustCompile(SigningFilterPattern)
	replicationFilterRE = regexp.MustCompile(ReplicationFilterPattern)
	registryIDRE        = regexp.MustCompile(`^(?:` + RegistryIDPattern + `)$`)
	regionRE            = regexp.MustCompile(`^(?:` + RegionPattern + `)$`)
)

// Violation is one API constraint violation in the form AWS reports it.
type Violation struct {
	// Path is the 0-based path in API member names, "rules[0].repositoryFilters[0].filter";
	// "" for the value itself.
	Path string
	// Value is the offending value as AWS prints it ("Team/*", "null" for a missing member,
	// lists rendered briefly).
	Value string
	// Constraint is AWS's wording, for example "Member must not be null".
	Constraint string
}

// violation is a Violation with its path typed, as Decode's findings are derived from them.
type violation struct {
	Violation
	at Path
}

// withPath types the paths of violations of the value at p.
func withPath(p Path, vs []Violation) []violation {
	out := make([]violation, len(vs))
	for i, v := range vs {
		out[i] = violation{v, p}
	}
	return out
}

// untyped returns the violations without their typed paths.
func untyped(vs []violation) []Violation {
	if vs == nil {
		return nil
	}
	out := make([]Violation, len(vs))
	for i, v := range vs {
		out[i] = v.Violation
	}
	return out
}

// Constraint wordings of the ECR API's validator.
const (
	constraintNotNull = "Member must not be null"
	constraintPattern = "Member must satisfy regular expression pattern: "
	constraintMaxLen  = "Member must have length less than or equal to "
	constraintMinLen  = "Member must have length greater than or equal to "
	constraintEnum    = "Member must satisfy enum value set: "
)

// The typed model cannot tell an absent string member from an empty one. The checks treat
// "" as a present, empty value and report what AWS reports for one: the violations of its
// length, pattern or enum ("Value '' at ... failed to satisfy constraint: Member must have
// length greater than or equal to 1"), never "Member must not be null", which AWS gives for
// an absent member. Decode, which knows from the source whether a member was written at
// all, reports a missing one as such (ECR200). A nil list or configuration is absent ("Value
// null ... Member must not be null"); an empty non-nil list is present and empty.

// CheckSigning checks a signing configuration against the constraints of the ECR API model
// (SigningConfiguration and the shapes it uses) and returns every violation, in member order.
// A nil configuration is reported as a missing member.
func CheckSigning(cfg *SigningConfiguration) []Violation { return untyped(checkSigning(cfg)) }

func checkSigning(cfg *SigningConfiguration) []violation {
	if cfg == nil {
		return []violation{{Violation: Violation{Path: "", Value: "null", Constraint: constraintNotNull}}}
	}
	vs, stop := checkRuleList(cfg.Rules, MaxSigningRules)
	if stop {
		return vs
	}
	for i, r := range cfg.Rules {
		rp := RuleAt(i)
		if len(r.SigningProfileArn) > MaxSigningProfileARNLen || !signingProfileArnRE.MatchString(r.SigningProfileArn) {
			ap := rp.Member("signingProfileArn")
			vs = append(vs, withPath(ap, checkString(ap.String(), r.SigningProfileArn, 0, MaxSigningProfileARNLen, signingProfileArnRE, SigningProfileArnPattern))...)
		}
		if r.RepositoryFilters == nil {
			continue
		}
		lp := rp.Member("repositoryFilters")
		vs = append(vs, checkFilterCount(lp, r.RepositoryFilters, MinSigningFilters, MaxSigningFilters)...)
		for j, f := range r.RepositoryFilters {
			if f.FilterType == WildcardMatch && len(f.Filter) <= MaxSigningFilterLength && f.Filter != "" && signingFilterRE.MatchString(f.Filter) {
				continue // valid: skip building paths
			}
			fp, tp := lp.Index(j).Member("filter"), lp.Index(j).Member("filterType")
			vs = append(vs, withPath(fp, checkString(fp.String(), f.Filter, MinSigningFilterLength, MaxSigningFilterLength, signingFilterRE, SigningFilterPattern))...)
			vs = append(vs, withPath(tp, checkEnum(tp.String(), string(f.FilterType), string(WildcardMatch)))...)
		}
	}
	return vs
}

// CheckReplication checks a replication configuration against the constraints of the ECR API
// model (ReplicationConfiguration and the shapes it uses) and returns every violation.
// The limit of 25 distinct destinations is a service quota, not a model constraint, and is
// not checked here; [Decode] reports it (ECR213).
func CheckReplication(cfg *ReplicationConfiguration) []Violation {
	return untyped(checkReplication(cfg))
}

func checkReplication(cfg *ReplicationConfiguration) []violation {
	if cfg == nil {
		return []violation{{Violation: Violation{Path: "", Value: "null", Constraint: constraintNotNull}}}
	}
	vs, stop := checkRuleList(cfg.Rules, MaxReplicationRules)
	if stop {
		return vs
	}
	for i, r := range cfg.Rules {
		rp := RuleAt(i)
		dl := rp.Member("destinations")
		if r.Destinations == nil {
			vs = append(vs, violation{Violation{dl.String(), "null", constraintNotNull}, dl})
		} else if len(r.Destinations) > MaxReplicationDestinations {
			vs = append(vs, violation{Violation{dl.String(), ListValue(len(r.Destinations)), constraintMaxLen + strconv.Itoa(MaxReplicationDestinations)}, dl})
		}
		for j, d := range r.Destinations {
			rg, id := dl.Index(j).Member("region"), dl.Index(j).Member("registryId")
			vs = append(vs, withPath(rg, checkString(rg.String(), d.Region, MinRegionLength, MaxRegionLength, regionRE, RegionPattern))...)
			vs = append(vs, withPath(id, checkString(id.String(), d.RegistryID, 0, 0, registryIDRE, RegistryIDPattern))...)
		}
		if r.RepositoryFilters == nil {
			continue
		}
		lp := rp.Member("repositoryFilters")
		vs = append(vs, checkFilterCount(lp, r.RepositoryFilters, MinReplicationFilters, MaxReplicationFilters)...)
		for j, f := range r.RepositoryFilters {
			fp, tp := lp.Index(j).Member("filter"), lp.Index(j).Member("filterType")
			vs = append(vs, withPath(fp, checkString(fp.String(), f.Filter, MinReplicationFilterLength, MaxReplicationFilterLength, replicationFilterRE, ReplicationFilterPattern))...)
			vs = append(vs, withPath(tp, checkEnum(tp.String(), string(f.FilterType), string(PrefixMatch)))...)
		}
	}
	return vs
}

// checkRuleList checks a configuration's rules list: present (else stop is true: nothing
// further can be checked) and at most max rules long.
func checkRuleList[R any](rules []R, max int) (vs []violation, stop bool) {
	if rules == nil {
		return []violation{{Violation{Path: "rules", Value: "null", Constraint: constraintNotNull}, RulesPath()}}, true
	}
	if len(rules) > max {
		return []violation{{Violation{"rules", ListValue(len(rules)), constraintMaxLen + strconv.Itoa(max)}, RulesPath()}}, false
	}
	return nil, false
}

// checkFilterCount checks that the filter list at lp, which is present, holds min to max
// filters.
func checkFilterCount[F any](lp Path, filters []F, min, max int) []violation {
	switch n := len(filters); {
	case n < min:
		return []violation{{Violation{lp.String(), ListValue(0), constraintMinLen + strconv.Itoa(min)}, lp}}
	case n > max:
		return []violation{{Violation{lp.String(), ListValue(len(filters)), constraintMaxLen + strconv.Itoa(max)}, lp}}
	}
	return nil
}

// CheckSource reports the destinations of cfg that are the source registry, registryID in
// region: PutReplicationConfiguration in that registry rejects them (replication never goes
// back to the registry it starts from). Each violation's Path is the destination's.
func CheckSource(cfg *ReplicationConfiguration, registryID, region string) []Violation {
	if cfg == nil {
		return nil
	}
	var vs []Violation
	for i, r := range cfg.Rules {
		for j, d := range r.Destinations {
			if d.RegistryID == registryID && d.Region == region {
				p := RuleAt(i).Member("destinations").Index(j)
				vs = append(vs, Violation{p.String(), d.RegistryID + "/" + d.Region,
					fmt.Sprintf("a destination cannot be the source registry (%s, %s)", d.RegistryID, d.Region)})
			}
		}
	}
	return vs
}

// CheckRepositoryName checks a repository name against the RepositoryName shape of the ECR
// API model (2..256 characters, the current pattern). Violations have Path "". Unlike the
// members of a configuration, an empty name is reported as absent ("Member must not be
// null"): request structs hold the name as a plain string, and "" is what an omitted one
// decodes to.
func CheckRepositoryName(name string) []Violation {
	if name == "" {
		return []Violation{{"", "null", constraintNotNull}}
	}
	if reponame.Valid(name) {
		return nil
	}
	return checkString("", name, MinRepositoryNameLength, MaxRepositoryNameLength, patternFunc(reponame.Match), RepositoryNamePattern)
}

// checkString applies the length and pattern constraints of a string shape; min or max 0
// means the shape has none. AWS checks length and pattern independently and reports both.
// An empty string is a present value (see above).
func checkString(path, v string, min, max int, re patternMatcher, pattern string) []Violation {
	var vs []Violation
	n := utf8.RuneCountInString(v)
	if max > 0 && n > max {
		vs = append(vs, Violation{path, v, constraintMaxLen + strconv.Itoa(max)})
	}
	if min > 0 && n < min {
		vs = append(vs, Violation{path, v, constraintMinLen + strconv.Itoa(min)})
	}
	if !re.MatchString(v) {
		vs = append(vs, Violation{path, v, constraintPattern + pattern})
	}
	return vs
}

// patternMatcher decides a pattern constraint: a *regexp.Regexp, or a patternFunc.
type patternMatcher interface{ MatchString(string) bool }

// patternFunc is a recognizer used as a patternMatcher (reponame.Match for repository names).
type patternFunc func(string) bool

func (f patternFunc) MatchString(s string) bool { return f(s) }

func checkEnum(path, v string, allowed ...string) []Violation {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return []Violation{{path, v, constraintEnum + "[" + strings.Join(allowed, ", ") + "]"}}
}

// ListValue renders a list member's value in a violation: as its length, never as JSON, so
// that the message cannot be mistaken for the input (AWS prints the Java objects behind
// the list, which mean nothing to a caller).
func ListValue(n int) string { return "[list of " + strconv.Itoa(n) + " elements]" }

// MaxReportedViolations is how many violations AWS lists in one message, and counts: a
// request with more reports the first 10 and says "10 validation errors detected".
const MaxReportedViolations = 10

// FormatViolations renders violations as the ECR API's ValidationException message:
//
//	1 validation error detected: Value 'Team/*' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?:...)$
//
// member is the request member the paths are relative to ("signingConfiguration",
// "replicationConfiguration", "repositoryName"); indices become 1-based ".N.member".
// It returns "" for no violations.
func FormatViolations(member string, vs []Violation) string {
	if len(vs) == 0 {
		return ""
	}
	vs = vs[:min(len(vs), MaxReportedViolations)] // AWS lists and counts at most 10
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, v := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		at := member
		if v.Path != "" {
			if at != "" {
				at += "."
			}
			at += awsPath(v.Path)
		}
		if v.Value == "null" {
			fmt.Fprintf(&b, "Value null at '%s' failed to satisfy constraint: %s", at, v.Constraint)
		} else {
			fmt.Fprintf(&b, "Value '%s' at '%s' failed to satisfy constraint: %s", v.Value, at, v.Constraint)
		}
	}
	return b.String()
}

// awsPath turns "rules[0].repositoryFilters[1].filter" into
// "rules.1.member.repositoryFilters.2.member.filter".
func awsPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '[' {
			b.WriteByte(p[i])
			continue
		}
		j := strings.IndexByte(p[i:], ']')
		if j < 0 {
			b.WriteString(p[i:])
			break
		}
		n, err := strconv.Atoi(p[i+1 : i+j])
		if err != nil {
			b.WriteString(p[i : i+j+1])
		} else {
			fmt.Fprintf(&b, ".%d.member", n+1)
		}
		i += j
	}
	return b.String()
}
