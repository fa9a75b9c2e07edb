package rules

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const testARN = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_images"

func wildcard(filters ...string) []SigningRepositoryFilter {
	out := []SigningRepositoryFilter{}
	for _, f := range filters {
		out = append(out, SigningRepositoryFilter{Filter: f, FilterType: WildcardMatch})
	}
	return out
}

func nRules(n int) []SigningRule {
	out := make([]SigningRule, n)
	for i := range out {
		out[i] = SigningRule{SigningProfileArn: testARN, RepositoryFilters: wildcard(fmt.Sprintf("r%d/*", i))}
	}
	return out
}

func nFilters(n int) []SigningRepositoryFilter {
	out := make([]SigningRepositoryFilter, n)
	for i := range out {
		out[i] = SigningRepositoryFilter{Filter: fmt.Sprintf("f%d*", i), FilterType: WildcardMatch}
	}
	return out
}

func TestCheckSigningBoundaries(t *testing.T) {
	tests := []struct {
		name string
		cfg  *SigningConfiguration
		want []string // "path|constraint prefix"
	}{
		{"nil config", nil, []string{"|Member must not be null"}},
		{"rules absent", &SigningConfiguration{}, []string{"rules|Member must not be null"}},
		{"0 rules", &SigningConfiguration{Rules: []SigningRule{}}, nil},
		{"10 rules", &SigningConfiguration{Rules: nRules(10)}, nil},
		{"11 rules", &SigningConfiguration{Rules: nRules(11)}, []string{"rules|Member must have length less than or equal to 10"}},
		{"filters absent", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN}}}, nil},
		{"0 filters", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: []SigningRepositoryFilter{}}}},
			[]string{"rules[0].repositoryFilters|Member must have length greater than or equal to 1"}},
		{"1 filter", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: nFilters(1)}}}, nil},
		{"100 filters", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: nFilters(100)}}}, nil},
		{"101 filters", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: nFilters(101)}}},
			[]string{"rules[0].repositoryFilters|Member must have length less than or equal to 100"}},
		{"256-char filter", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard(strings.Repeat("a", 256))}}}, nil},
		{"257-char filter", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard(strings.Repeat("a", 257))}}},
			[]string{"rules[0].repositoryFilters[0].filter|Member must have length less than or equal to 256"}},
		// "" is a present, empty value: AWS reports its length, pattern or enum, not "null".
		{"empty filter", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard("")}}},
			[]string{"rules[0].repositoryFilters[0].filter|Member must have length greater than or equal to 1",
				"rules[0].repositoryFilters[0].filter|Member must satisfy regular expression pattern: " + SigningFilterPattern}},
		{"empty filter type", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: []SigningRepositoryFilter{{Filter: "a*"}}}}},
			[]string{"rules[0].repositoryFilters[0].filterType|Member must satisfy enum value set: [WILDCARD_MATCH]"}},
		{"filter type PREFIX_MATCH", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: []SigningRepositoryFilter{{Filter: "a*", FilterType: "PREFIX_MATCH"}}}}},
			[]string{"rules[0].repositoryFilters[0].filterType|Member must satisfy enum value set: [WILDCARD_MATCH]"}},
		{"empty ARN", &SigningConfiguration{Rules: []SigningRule{{}}}, []string{"rules[0].signingProfileArn|Member must satisfy regular expression pattern: " + SigningProfileArnPattern}},
		{"ARN 200 chars", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: arnOfLength(200)}}}, nil},
		{"ARN 201 chars", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: arnOfLength(201)}}},
			[]string{"rules[0].signingProfileArn|Member must have length less than or equal to 200"}},
		{"ARN hyphen", &SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile"}}},
			[]string{"rules[0].signingProfileArn|Member must satisfy regular expression pattern: " + SigningProfileArnPattern}},
		{"all at once", &SigningConfiguration{Rules: []SigningRule{
			{SigningProfileArn: "x", RepositoryFilters: []SigningRepositoryFilter{{Filter: "A", FilterType: "WILDCARD"}}},
			{SigningProfileArn: testARN, RepositoryFilters: []SigningRepositoryFilter{}},
		}}, []string{
			"rules[0].signingProfileArn|Member must satisfy regular expression pattern",
			"rules[0].repositoryFilters[0].filter|Member must satisfy regular expression pattern",
			"rules[0].repositoryFilters[0].filterType|Member must satisfy enum value set",
			"rules[1].repositoryFilters|Member must have length greater than or equal to 1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSigning(tt.cfg)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations %v, want %d %v", len(got), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				path, constraint, _ := strings.Cut(w, "|")
				if got[i].Path != path || !strings.HasPrefix(got[i].Constraint, constraint) {
					t.Errorf("violation %d = %+v, want path %q constraint %q", i, got[i], path, constraint)
				}
			}
		})
	}
}

func arnOfLength(n int) string {
	prefix := "arn:aws:signer:us-east-1:123456789012:/signing-profiles/"
	return prefix + strings.Repeat("p", n-len(prefix))
}

func TestSigningFilterPattern(t *testing.T) {
	valid := []string{"*", "**", "a", "a-*", "*/*", "a/*/b", "a.b_c-d", "prod/*", "*prod*", "*/production", "a/b/c", "0", "a*b", "a-b-c"}
	invalid := []string{"a-", "-a", "a//b", "a__b", "a--b", "A", "a?", "", "/a", "a/", "a b", "a.-b", "é"}
	for _, f := range valid {
		if vs := CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard(f)}}}); len(vs) != 0 {
			t.Errorf("filter %q: unexpected violations %v", f, vs)
		}
	}
	for _, f := range invalid {
		if vs := CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard(f)}}}); len(vs) == 0 {
			t.Errorf("filter %q: no violation", f)
		}
	}
}

func TestProfileARNPattern(t *testing.T) {
	valid := []string{
		testARN,
		"arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/ab",
		"arn:aws-us-gov:signer:us-gov-west-1:123456789012:/signing-profiles/AB_12",
	}
	invalid := []string{
		"arn:aws:signer:us-east-1:123456789012:/signing-profiles/a",
		"arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile",
		"arn:aws:signer:us-east-1:123456789012:signing-profiles/prod",
		"arn:aws:signer:us-east-1:12345678901:/signing-profiles/prod",
		"arn:aws:kms:us-east-1:123456789012:/signing-profiles/prod",
		"arn:AWS:signer:us-east-1:123456789012:/signing-profiles/prod",
		"arn:aws-:signer:us-east-1:123456789012:/signing-profiles/prod",
		"arn:aws:signer:US-EAST-1:123456789012:/signing-profiles/prod",
		"arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod/1",
		"prod",
	}
	for _, s := range valid {
		a, err := ParseProfileARN(s)
		if err != nil {
			t.Errorf("ParseProfileARN(%q): %v", s, err)
			continue
		}
		if a.String() != s {
			t.Errorf("ParseProfileARN(%q).String() = %q", s, a.String())
		}
	}
	for _, s := range invalid {
		if _, err := ParseProfileARN(s); err == nil {
			t.Errorf("ParseProfileARN(%q): no error", s)
		}
		if len(CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: s}}})) == 0 {
			t.Errorf("CheckSigning accepts ARN %q", s)
		}
	}
	a, _ := ParseProfileARN("arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/release_1")
	if a != (ProfileARN{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", Name: "release_1"}) {
		t.Errorf("parsed %+v", a)
	}
}

func TestProfileARNErrors(t *testing.T) {
	tests := map[string]string{
		"arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile": `profile name "my-profile" may hold only letters, digits and _`,
		"arn:aws:signer:us-east-1:1234:/signing-profiles/prod":               `account "1234" must be 12 digits`,
		"arn:aws:kms:us-east-1:123456789012:/signing-profiles/prod":          `service is "kms"`,
		"arn:aws:signer:us-east-1:123456789012:/signing-profiles/p":          `must have at least 2 characters`,
		"prod": "is not an ARN",
		"":     "empty",
	}
	for in, want := range tests {
		_, err := ParseProfileARN(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseProfileARN(%q) = %v, want it to contain %q", in, err, want)
		}
	}
}

func TestCheckRepositoryName(t *testing.T) {
	valid := []string{"ab", "a/b", "my-app", "my--app", "my__app", "a.b/c_d", strings.Repeat("a", 256), "0a"}
	invalid := map[string]string{
		"a":                      "at least 2",
		strings.Repeat("a", 257): "at most 256",
		"My-app":                 "upper-case",
		"a___b":                  "",
		"a/":                     "empty path component",
		"/a":                     "starts with '/'",
		"a-":                     "separator",
		"a*b":                    "wildcards",
		"":                       "empty",
		"a b":                    "not allowed",
	}
	for _, n := range valid {
		if err := ValidateRepositoryName(n); err != nil {
			t.Errorf("ValidateRepositoryName(%q) = %v", n, err)
		}
	}
	for n, want := range invalid {
		err := ValidateRepositoryName(n)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateRepositoryName(%q) = %v, want it to mention %q", n, err, want)
		}
		if len(CheckRepositoryName(n)) == 0 {
			t.Errorf("CheckRepositoryName(%q) found nothing", n)
		}
	}
	vs := CheckRepositoryName("a")
	if got := FormatViolations("repositoryName", vs); got != "1 validation error detected: Value 'a' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2" {
		t.Errorf("FormatViolations = %q", got)
	}
}

func TestCheckReplication(t *testing.T) {
	dest := []ReplicationDestination{{Region: "us-west-2", RegistryID: "123456789012"}}
	prefix := func(fs ...string) []RepositoryFilter {
		out := []RepositoryFilter{}
		for _, f := range fs {
			out = append(out, RepositoryFilter{Filter: f, FilterType: PrefixMatch})
		}
		return out
	}
	tests := []struct {
		name string
		cfg  *ReplicationConfiguration
		want []string
	}{
		{"valid", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: prefix("prod")}}}, nil},
		{"rules absent", &ReplicationConfiguration{}, []string{"rules|Member must not be null"}},
		{"11 rules", &ReplicationConfiguration{Rules: make([]ReplicationRule, 11)}, func() []string {
			w := []string{"rules|Member must have length less than or equal to 10"}
			for i := 0; i < 11; i++ {
				w = append(w, fmt.Sprintf("rules[%d].destinations|Member must not be null", i))
			}
			return w
		}()},
		{"empty destinations", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: []ReplicationDestination{}}}}, nil},
		{"101 destinations", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: slices.Repeat(dest, 101)}}},
			[]string{"rules[0].destinations|Member must have length less than or equal to 100"}},
		{"empty destination", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: make([]ReplicationDestination, 1)}}}, []string{
			"rules[0].destinations[0].region|Member must have length greater than or equal to 2",
			"rules[0].destinations[0].region|Member must satisfy regular expression pattern: [0-9a-z-]{2,25}",
			"rules[0].destinations[0].registryId|Member must satisfy regular expression pattern: [0-9]{12}"}},
		{"empty filter and type", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: []RepositoryFilter{{}}}}}, []string{
			"rules[0].repositoryFilters[0].filter|Member must have length greater than or equal to 2",
			"rules[0].repositoryFilters[0].filterType|Member must satisfy enum value set: [PREFIX_MATCH]"}},
		{"bad destination", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: []ReplicationDestination{{Region: "US-WEST-2", RegistryID: "1234"}}}}},
			[]string{"rules[0].destinations[0].region|Member must satisfy regular expression pattern: [0-9a-z-]{2,25}", "rules[0].destinations[0].registryId|Member must satisfy regular expression pattern: [0-9]{12}"}},
		{"region 26 chars", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: []ReplicationDestination{{Region: strings.Repeat("a", 26), RegistryID: "123456789012"}}}}},
			[]string{"rules[0].destinations[0].region|Member must have length less than or equal to 25", "rules[0].destinations[0].region|Member must satisfy regular expression pattern"}},
		{"1-char filter", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: prefix("a")}}},
			[]string{"rules[0].repositoryFilters[0].filter|Member must have length greater than or equal to 2"}},
		{"0 filters", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: prefix()}}},
			[]string{"rules[0].repositoryFilters|Member must have length greater than or equal to 1"}},
		{"wildcard type", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: []RepositoryFilter{{Filter: "prod", FilterType: "WILDCARD_MATCH"}}}}},
			[]string{"rules[0].repositoryFilters[0].filterType|Member must satisfy enum value set: [PREFIX_MATCH]"}},
		{"star filter", &ReplicationConfiguration{Rules: []ReplicationRule{{Destinations: dest, RepositoryFilters: prefix("pr*")}}},
			[]string{"rules[0].repositoryFilters[0].filter|Member must satisfy regular expression pattern: " + ReplicationFilterPattern}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckReplication(tt.cfg)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d violations %v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				path, constraint, _ := strings.Cut(w, "|")
				if got[i].Path != path || !strings.HasPrefix(got[i].Constraint, constraint) {
					t.Errorf("violation %d = %+v, want path %q constraint %q", i, got[i], path, constraint)
				}
			}
		})
	}
}

func TestFormatViolations(t *testing.T) {
	if got := FormatViolations("signingConfiguration", nil); got != "" {
		t.Errorf("no violations: %q", got)
	}
	vs := []Violation{
		{Path: "rules[0].repositoryFilters[0].filter", Value: "Team/*", Constraint: constraintPattern + SigningFilterPattern},
		{Path: "rules[2].signingProfileArn", Value: "null", Constraint: constraintNotNull},
	}
	want := "2 validation errors detected: Value 'Team/*' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must satisfy regular expression pattern: " + SigningFilterPattern +
		"; Value null at 'signingConfiguration.rules.3.member.signingProfileArn' failed to satisfy constraint: Member must not be null"
	if got := FormatViolations("signingConfiguration", vs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := FormatViolations("repositoryName", []Violation{{Value: "A", Constraint: "x"}}); got != "1 validation error detected: Value 'A' at 'repositoryName' failed to satisfy constraint: x" {
		t.Errorf("got %s", got)
	}
	// An empty string is present: AWS prints it as '' and reports its length, not null.
	empty := CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: wildcard("")}}})
	if got, want := FormatViolations("signingConfiguration", empty[:1]), "1 validation error detected: Value '' at 'signingConfiguration.rules.1.member.repositoryFilters.1.member.filter' failed to satisfy constraint: Member must have length greater than or equal to 1"; got != want {
		t.Errorf("empty filter:\ngot  %s\nwant %s", got, want)
	}
}

func TestValidateRepositoryNameMessages(t *testing.T) {
	tests := []struct{ name, want string }{
		{"a__b", ""},
		{"a---b", ""},
		{"a___b", `component "a___b" has three separators in a row ("___"); names allow '.', '_', '__' or hyphens`},
		{"team/a.-b", `component "a.-b" has two separators in a row (".-")`},
		{"a_-b", `two separators in a row ("_-")`},
		{"a*", "repository names cannot hold wildcards"},
		{"a-", `component "a-" starts or ends with a separator`},
		{"Ab", "upper-case 'A' at offset 0"},
	}
	for _, tt := range tests {
		err := ValidateRepositoryName(tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v, want valid", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestListValuesAreNotJSON: a list that breaks a length constraint is printed as its length,
// never as JSON that could be mistaken for the input.
func TestListValuesAreNotJSON(t *testing.T) {
	tests := []struct {
		name string
		vs   []Violation
		want string
	}{
		{"too many rules", CheckSigning(&SigningConfiguration{Rules: nRules(11)}),
			"Value '[list of 11 elements]' at 'signingConfiguration.rules' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"too many filters", CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: nFilters(101)}}}),
			"Value '[list of 101 elements]' at 'signingConfiguration.rules.1.member.repositoryFilters' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"no filters", CheckSigning(&SigningConfiguration{Rules: []SigningRule{{SigningProfileArn: testARN, RepositoryFilters: []SigningRepositoryFilter{}}}}),
			"Value '[list of 0 elements]' at 'signingConfiguration.rules.1.member.repositoryFilters' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatViolations("signingConfiguration", tt.vs)
			if !strings.Contains(got, tt.want) || strings.Contains(got, "{") {
				t.Errorf("got  %s\nwant it to contain %s", got, tt.want)
			}
		})
	}
}
