package rules

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

func TestDecodeExamples(t *testing.T) {
	tests := []struct {
		file   string
		format Format
		kind   Kind
		names  []string
		rules  int
	}{
		{"signing/api-request.json", FormatAPIRequest, KindSigning, []string{""}, 2},
		{"signing/api-response.json", FormatAPIResponse, KindSigning, []string{""}, 1},
		{"signing/bare.json", FormatBare, KindSigning, []string{""}, 2},
		{"signing/cloudformation.yaml", FormatCloudFormationYAML, KindSigning, []string{"ProductionSigning"}, 2},
		{"signing/cloudformation.json", FormatCloudFormationJSON, KindSigning, []string{"Signing"}, 2},
		{"signing/terraform-plan.json", FormatTerraformPlan, KindSigning, []string{"module.signing.awscc_ecr_signing_configuration.this"}, 1},
		{"replication/replication.json", FormatAPIRequest, KindReplication, []string{""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "examples", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc := Decode(tt.file, data)
			if doc.HasErrors(true) {
				t.Fatalf("findings: %v", doc.AllFindings())
			}
			var names []string
			for _, c := range doc.Configs {
				names = append(names, c.Name)
				if c.Format != tt.format || c.Kind != tt.kind {
					t.Errorf("config %q: format %s kind %s, want %s %s", c.Name, c.Format, c.Kind, tt.format, tt.kind)
				}
				n := 0
				if c.Signing != nil {
					n = len(c.Signing.Rules)
				} else if c.Replication != nil {
					n = len(c.Replication.Rules)
				}
				if n != tt.rules {
					t.Errorf("config %q: %d rules, want %d", c.Name, n, tt.rules)
				}
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.names) {
				t.Errorf("configs %q, want %q", names, tt.names)
			}
		})
	}
}

// decodeCase is an input and every finding Decode must report for it, each as
// "CODE PATH LINE:COL" (Config-qualified paths for named configurations).
type decodeCase struct {
	name   string
	input  string
	region string
	opts   []Option
	want   []string
}

func (tt decodeCase) options() []Option {
	opts := append([]Option(nil), tt.opts...)
	if tt.region != "" {
		opts = append(opts, WithRegion(tt.region))
	}
	return opts
}

const arnA = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_a"
const arnB = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod_b"

func bare(rules string) string { return `{"rules": [` + rules + `]}` }

func rule(arn string, filters ...string) string {
	fs := make([]string, len(filters))
	for i, f := range filters {
		fs[i] = fmt.Sprintf(`{"filter": %q, "filterType": "WILDCARD_MATCH"}`, f)
	}
	return fmt.Sprintf(`{"signingProfileArn": %q, "repositoryFilters": [%s]}`, arn, strings.Join(fs, ", "))
}

var decodeCases = []decodeCase{
	// Formats and structure.
	{name: "valid bare", input: bare(rule(arnA, "a/*")), want: nil},
	{name: "empty rules", input: `{"signingConfiguration": {"rules": []}}`, want: []string{"ECR308 rules 1:36"}},
	{name: "rules missing", input: `{"signingConfiguration": {}}`, want: []string{"ECR200 rules 1:26"}},
	{name: "null rules", input: `{"rules": null}`, want: []string{"ECR105 rules 1:11"}},
	{name: "unknown top-level", input: `{"signingConfiguration": {"rules": []}, "extra": 1}`, want: []string{"ECR106 extra 1:41", "ECR308 rules 1:36"}},
	{name: "response", input: `{"registryId": "123456789012", "signingConfiguration": {"rules": [` + rule(arnA, "a/*") + `]}}`},
	{name: "unknown rule member", input: bare(`{"signingProfileArn": "` + arnA + `", "filters": []}`), want: []string{"ECR106 rules[0].filters 1:100", "ECR307 rules[0] 1:12"}},
	{name: "duplicate key", input: `{"rules": [], "rules": []}`, want: []string{"ECR104 rules 1:15", "ECR308 rules 1:24"}},
	{name: "number for string", input: bare(`{"signingProfileArn": 5}`), want: []string{"ECR105 rules[0].signingProfileArn 1:34", "ECR307 rules[0] 1:12"}},
	{name: "rule is a string", input: bare(`"x"`), want: []string{"ECR105 rules[0] 1:12"}},
	{name: "filters is an object", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": {}}`), want: []string{"ECR105 rules[0].repositoryFilters 1:121"}},
	{name: "not an object", input: `[1, 2]`, want: []string{"ECR107  1:1"}},
	{name: "no configuration", input: `{"foo": 1}`, want: []string{"ECR107  1:1"}},
	{name: "empty input", input: " \n", want: []string{"ECR107  1:1"}},
	{name: "syntax", input: "{\n  \"rules\": [,]\n}", want: []string{"ECR101  2:13"}},
	{name: "truncated", input: `{"rules": [`, want: []string{"ECR101  1:12"}},
	{name: "trailing garbage", input: `{"rules": []} x`, want: []string{"ECR101  1:15"}},
	{name: "binary", input: "{\x00}", want: []string{"ECR102  1:2"}},
	{name: "not UTF-8", input: "{\"rules\": \"\xff\"}", want: []string{"ECR102  1:12"}},
	{name: "deep nesting", input: strings.Repeat("[", 100) + strings.Repeat("]", 100), want: []string{"ECR103  1:65"}},
	{name: "yaml aliases", input: "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f]\n", want: []string{"ECR103  0"}},
	{name: "yaml syntax", input: "rules:\n  - a: [\n", want: []string{"ECR101  2:3"}},
	{name: "yaml depth of go-yaml", input: "rules: " + strings.Repeat("[", 10001), want: []string{"ECR103  1:1"}},
	{name: "yaml flow mapping", input: "{rules: [{signingProfileArn: 5}]}", want: []string{"ECR105 rules[0].signingProfileArn 1:30", "ECR307 rules[0] 1:10"}},
	{name: "yaml flow template", input: "{Resources: {S: {Type: 'AWS::ECR::SigningConfiguration', Properties: {Rules: []}}}}", want: []string{"ECR308 S.rules 1:78"}},
	{name: "json trailing comma", input: `{"rules": [1,]}`, want: []string{"ECR101  1:14"}},
	{name: "json missing comma", input: `{"rules": [] "x": 1}`, want: []string{"ECR101  1:14"}},
	{name: "yaml second document", input: "rules: []\n---\nrules: [1]\n", want: []string{"ECR308 rules 1:8", "ECR109  2:1"}},
	{name: "yaml CR line endings", input: "rules:\r  - signingProfileArn: 5\r", want: []string{"ECR105 rules[0].signingProfileArn 2:24", "ECR307 rules[0] 2:5"}},
	{name: "json CR line endings", input: "{\r\"rules\": [\r  {\"signingProfileArn\": 5}]}", want: []string{"ECR105 rules[0].signingProfileArn 3:25", "ECR307 rules[0] 3:3"}},
	{name: "yaml bare", input: "rules:\n  - signingProfileArn: " + arnA + "\n    repositoryFilters:\n      - filter: a/*\n        filterType: WILDCARD_MATCH\n"},

	// API constraints, with positions.
	{name: "11 rules", input: bare(strings.Repeat(rule(arnA, "a/*")+",", 10) + rule(arnA, "a/*")), want: func() []string {
		w := []string{"ECR201 rules 1:11"}
		for i := 1; i <= 10; i++ {
			w = append(w, fmt.Sprintf("ECR301 rules[%d].signingProfileArn %d", i, 0))
		}
		return w
	}()},
	{name: "bad filter", input: bare(rule(arnA, "Team/*")), want: []string{"ECR205 rules[0].repositoryFilters[0].filter 1:133"}},
	{name: "long filter", input: bare(rule(arnA, strings.Repeat("a", 257))), want: []string{"ECR204 rules[0].repositoryFilters[0].filter 1:133"}},
	{name: "empty filter list", input: bare(rule(arnA)), want: []string{"ECR202 rules[0].repositoryFilters 1:121"}},
	{name: "101 filters", input: bare(rule(arnA, func() []string {
		var fs []string
		for i := 0; i < 101; i++ {
			fs = append(fs, fmt.Sprintf("f%d*", i))
		}
		return fs
	}()...)), want: []string{"ECR203 rules[0].repositoryFilters 1:121"}},
	{name: "filter type", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*", "filterType": "WILDCARD"}]}`),
		want: []string{"ECR206 rules[0].repositoryFilters[0].filterType 1:153"}},
	{name: "filter type missing", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*"}]}`),
		want: []string{"ECR200 rules[0].repositoryFilters[0].filterType 1:122"}},
	{name: "arn pattern", input: bare(rule("arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile", "a*")), want: []string{"ECR208 rules[0].signingProfileArn 1:34"}},
	{name: "arn length", input: bare(rule(arnOfLength(201), "a*")), want: []string{"ECR207 rules[0].signingProfileArn 1:34"}},
	// A present "" is checked as AWS checks it; only a member not written is missing.
	{name: "arn empty", input: bare(rule("", "a*")), want: []string{"ECR208 rules[0].signingProfileArn 1:34"}},
	{name: "arn missing", input: bare(`{"repositoryFilters": [{"filter": "a*", "filterType": "WILDCARD_MATCH"}]}`), want: []string{"ECR200 rules[0].signingProfileArn 1:12"}},
	{name: "filter empty", input: bare(rule(arnA, "")), want: []string{"ECR204 rules[0].repositoryFilters[0].filter 1:133"}},
	{name: "filter missing", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filterType": "WILDCARD_MATCH"}]}`), want: []string{"ECR200 rules[0].repositoryFilters[0].filter 1:122"}},
	{name: "filter type empty", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*", "filterType": ""}]}`),
		want: []string{"ECR206 rules[0].repositoryFilters[0].filterType 1:153"}},
	{name: "replication empty strings", input: `{"rules": [{"destinations": [{"region": "", "registryId": ""}], "repositoryFilters": [{"filter": "", "filterType": ""}]}]}`,
		want: []string{"ECR211 rules[0].destinations[0].region 1:41", "ECR212 rules[0].destinations[0].registryId 1:59", "ECR204 rules[0].repositoryFilters[0].filter 1:98", "ECR206 rules[0].repositoryFilters[0].filterType 1:116"}},
	{name: "replication missing strings", input: `{"rules": [{"destinations": [{}], "repositoryFilters": [{}]}]}`,
		want: []string{"ECR200 rules[0].destinations[0].region 1:30", "ECR200 rules[0].destinations[0].registryId 1:30", "ECR200 rules[0].repositoryFilters[0].filter 1:57", "ECR200 rules[0].repositoryFilters[0].filterType 1:57"}},

	// Lists far over the API's limits are checked up to one element past the maximum.
	{name: "13 rules", input: bare(strings.Join(func() []string {
		var rs []string
		for i := 0; i < 13; i++ {
			rs = append(rs, rule(fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", i), "a/*"))
		}
		return rs
	}(), ",")), want: []string{"ECR201 rules 1:11", "ECR110 rules[11] 0"}},
	{name: "rules of numbers", input: `{"rules": [` + strings.TrimSuffix(strings.Repeat("0,", 500), ",") + `]}`, want: func() []string {
		w := []string{"ECR201 rules 1:11", "ECR110 rules[11] 1:34"}
		for i := 0; i <= 10; i++ {
			w = append(w, fmt.Sprintf("ECR105 rules[%d] 1:%d", i, 12+2*i))
		}
		return w
	}()},
	{name: "102 filters", input: bare(rule(arnA, strings.Split(strings.Repeat("a/*,", 101)+"a/*", ",")...)), want: func() []string {
		w := []string{"ECR203 rules[0].repositoryFilters 1:121", "ECR110 rules[0].repositoryFilters[101] 0"}
		for i := 1; i <= 100; i++ {
			w = append(w, fmt.Sprintf("ECR300 rules[0].repositoryFilters[%d].filter 0", i))
		}
		return w
	}()},

	// Lints.
	{name: "duplicate filter", input: bare(rule(arnA, "a/*", "b/*", "a/*")), want: []string{"ECR300 rules[0].repositoryFilters[2].filter 1:235"}},
	{name: "shared profile", input: bare(rule(arnA, "a/*") + "," + rule(arnA, "b/*")), want: []string{"ECR301 rules[1].signingProfileArn 1:196"}},
	{name: "exact filter", input: bare(rule(arnA, "payments")), want: []string{"ECR302 rules[0].repositoryFilters[0].filter 1:133"}},
	{name: "mixed regions", input: bare(rule(arnA, "a/*") + "," + rule("arn:aws:signer:eu-west-1:123456789012:/signing-profiles/prod_b", "b/*")),
		want: []string{"ECR303 rules[1].signingProfileArn 1:196"}},
	{name: "foreign region", region: "eu-west-1", input: bare(rule(arnA, "a/*")), want: []string{"ECR304 rules[0].signingProfileArn 1:34"}},
	{name: "home region", region: "us-east-1", input: bare(rule(arnA, "a/*") + "," + rule(arnB, "b/*"))},
	{name: "star with others", input: bare(rule(arnA, "*", "a/*")), want: []string{"ECR306 rules[0].repositoryFilters[0].filter 1:133"}},
	{name: "signs everything", input: bare(`{"signingProfileArn": "` + arnA + `"}`), want: []string{"ECR307 rules[0] 1:12"}},

	// Replication.
	{name: "replication valid", input: `{"replicationConfiguration": {"rules": [{"destinations": [{"region": "us-west-2", "registryId": "123456789012"}], "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]}]}}`},
	{name: "replication bare errors", input: `{"rules": [{"destinations": [{"region": "US", "registryId": "1"}, {"region": "US", "registryId": "1"}], "repositoryFilters": [{"filter": "p", "filterType": "WILDCARD_MATCH"}]}]}`,
		want: []string{"ECR211 rules[0].destinations[0].region 1:41", "ECR212 rules[0].destinations[0].registryId 1:61", "ECR211 rules[0].destinations[1].region 1:78", "ECR212 rules[0].destinations[1].registryId 1:98", "ECR204 rules[0].repositoryFilters[0].filter 1:138", "ECR206 rules[0].repositoryFilters[0].filterType 1:157"}},
	{name: "replication duplicate destination", input: `{"rules": [{"destinations": [{"region": "us-west-2", "registryId": "123456789012"}, {"region": "us-west-2", "registryId": "123456789012"}]}]}`,
		want: []string{"ECR309 rules[0].destinations[1] 1:85"}},
	{name: "replication 26 destinations", input: func() string {
		var rs []string
		for i := 0; i < 3; i++ {
			var ds []string
			for j := 0; j < 9; j++ {
				ds = append(ds, fmt.Sprintf(`{"region": "us-west-%d", "registryId": "%012d"}`, j, i))
			}
			rs = append(rs, `{"destinations": [`+strings.Join(ds, ",")+`]}`)
		}
		return `{"rules": [` + strings.Join(rs, ",") + `]}`
	}(), want: []string{"ECR213 rules 1:11"}},
	{name: "replication 101 destinations", input: `{"rules": [{"destinations": [` + strings.TrimSuffix(strings.Repeat(`{"region": "us-west-2", "registryId": "123456789012"},`, 101), ",") + `]}]}`,
		want: func() []string {
			w := []string{"ECR210 rules[0].destinations 1:29"}
			for i := 1; i <= 100; i++ {
				w = append(w, fmt.Sprintf("ECR309 rules[0].destinations[%d] 0", i))
			}
			return w
		}()},
	{name: "replication filter pattern", input: `{"rules": [{"destinations": [], "repositoryFilters": [{"filter": "pr*", "filterType": "PREFIX_MATCH"}]}]}`,
		want: []string{"ECR205 rules[0].repositoryFilters[0].filter 1:66"}},

	// CloudFormation.
	{name: "cfn two resources", input: "Resources:\n  A:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules: []\n  B:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !Sub arn:aws:signer:${AWS::Region}:123456789012:/signing-profiles/x\n          RepositoryFilters:\n            - Filter: Prod/*\n              FilterType: !Ref Type\n",
		want: []string{"ECR308 A.rules 5:14", "ECR108 B.rules[0].signingProfileArn 10:30", "ECR205 B.rules[0].repositoryFilters[0].filter 12:23", "ECR112 B. 13:27"}},
	{name: "cfn long form", input: `{"Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": {"Fn::If": ["c", [], []]}}}}}`,
		want: []string{"ECR112 S. 1:100"}},
	{name: "cfn camelCase", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      rules: []\n",
		want: []string{"ECR106 S.rules 5:7", "ECR200 S.rules 5:7"}},
	{name: "cfn missing properties", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n", want: []string{"ECR200 S.rules 3:5"}},
	{name: "cfn looser filter", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: [{Filter: a-, FilterType: WILDCARD_MATCH}]\n",
		want: []string{"ECR205 S.rules[0].repositoryFilters[0].filter 7:40"}},
	{name: "cfn no resource", input: "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", want: []string{"ECR107  1:1"}},
	{name: "cfn replication", input: "Resources:\n  R:\n    Type: AWS::ECR::ReplicationConfiguration\n    Properties:\n      ReplicationConfiguration:\n        Rules:\n          - Destinations:\n              - Region: us-west-2\n                RegistryId: \"12\"\n",
		want: []string{"ECR212 R.rules[0].destinations[0].registryId 9:29"}},

	// Terraform.
	{name: "terraform state", input: `{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "awscc_ecr_signing_configuration.s", "type": "awscc_ecr_signing_configuration", "values": {"registry_id": "1", "rules": [{"signing_profile_arn": "x", "repository_filters": null}]}}]}}}`,
		want: []string{"ECR208 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn 1:225", "ECR307 awscc_ecr_signing_configuration.s.rules[0] 1:201"}},
	{name: "terraform resource_changes", input: `{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "awscc_ecr_signing_configuration", "change": {"after": {"rules": [{"signing_profile_arn": "` + arnA + `", "repository_filters": [{"filter": "x", "filter_type": "WILDCARD_MATCH"}]}]}}}]}`,
		want: []string{"ECR302 a.b.rules[0].repositoryFilters[0].filter 1:265"}},
	{name: "terraform none", input: `{"format_version": "1.0", "values": {"root_module": {}}}`, want: []string{"ECR107  1:1"}},
	{name: "terraform null is absent", input: `{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "a.b", "type": "awscc_ecr_signing_configuration", "values": {"rules": [{"signing_profile_arn": "` + arnA + `", "repository_filters": [{"filter": null, "filter_type": "WILDCARD_MATCH"}]}]}}]}}}`,
		want: []string{"ECR200 a.b.rules[0].repositoryFilters[0].filter 1:275"}},
}

func TestDecodeFindings(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			doc := Decode("in", []byte(tt.input), tt.options()...)
			got := doc.AllFindings()
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), findingLines(got))
			}
			sorted := append([]string(nil), tt.want...)
			var have []string
			for _, f := range got {
				checkFinding(t, []byte(tt.input), f)
				path := f.Path
				if f.Config != "" {
					path = f.Config + "." + path
				}
				have = append(have, fmt.Sprintf("%s %s %d:%d", f.Code, path, f.Line, f.Column))
			}
			sort.Strings(sorted)
			sort.Strings(have)
			for i := range sorted {
				w, h := sorted[i], have[i]
				if strings.HasSuffix(w, " 0") { // position not asserted
					h = h[:strings.LastIndexByte(h, ' ')] + " 0"
				}
				if w != h {
					t.Errorf("finding %q, want %q\n%s", have[i], sorted[i], findingLines(got))
				}
			}
		})
	}
}

// checkFinding holds every finding to the invariants callers rely on.
func checkFinding(t *testing.T, input []byte, f Finding) {
	t.Helper()
	if f.Code.Describe() == "" {
		t.Errorf("%v: code not in the catalogue", f)
	}
	if f.Message == "" || f.Severity == "" {
		t.Errorf("%v: no message or severity", f)
	}
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(input)), "\n")
	if f.Line < 1 || f.Line > len(lines)+1 || f.Column < 1 {
		t.Errorf("%v: position %d:%d outside the input", f, f.Line, f.Column)
	}
}

func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\t" + f.String() + "\n")
	}
	return b.String()
}

// TestEveryCode checks that the table tests produce every code of the catalogue, and only those.
func TestEveryCode(t *testing.T) {
	seen := map[Code]bool{}
	for _, tt := range decodeCases {
		for _, f := range Decode("in", []byte(tt.input), tt.options()...).AllFindings() {
			seen[f.Code] = true
		}
	}
	seen[CodeTooLarge] = len(Decode("in", make([]byte, 10), WithMaxSize(9)).Findings) == 1
	big := Decode("in", []byte("rules: []\n"+strings.Repeat("#\n", MaxYAMLSize/2))).Findings
	if len(big) != 1 || big[0].Code != CodeTooLarge || !strings.Contains(big[0].Message, "accepted for YAML") {
		t.Errorf("YAML larger than MaxYAMLSize: %v", big)
	}
	for _, f := range Decode("in", manyFindings(MaxFindings+1)).Findings {
		seen[f.Code] = true
	}
	for c := range terraformSourceCodes(t) {
		seen[c] = true
	}
	for _, c := range Codes() {
		if c.Code >= CodeRedundantFilter {
			continue // ECR4xx come from package match, ECR5xx from suppressions: tested there
		}
		if !seen[c.Code] {
			t.Errorf("code %s (%s) is not produced by any test case", c.Code, c.Description)
		}
	}
}

func TestHints(t *testing.T) {
	tests := []struct {
		input, hint string
	}{
		{bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*", "filterType": "WILDCARD"}]}`), "did you mean WILDCARD_MATCH?"},
		{bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*", "filterType": "PREFIX_MATCH"}]}`), `write a prefix as "name*"`},
		{bare(rule("arn:aws:signer:us-east-1:123456789012:/signing-profiles/my-profile", "a*")), "did you mean arn:aws:signer:us-east-1:123456789012:/signing-profiles/my_profile?"},
		{bare(rule("arn:aws:signer:us-east-1:123456789012:signing-profiles/prod", "a*")), "the resource starts with a '/'"},
		{bare(rule(arnA, "Team/*")), `did you mean "team/*"?`},
		{bare(rule(arnA, "prod/")), `did you mean "prod/*"?`},
		{bare(rule(arnA, "a__b")), "use '*' in their place"},
		{bare(rule(arnA, "a?")), "'*' is the only wildcard"},
		{bare(rule(arnA, "a-/*")), `did you mean "a-*/*"?`},
		{bare(rule(arnA, "payments")), `did you mean "*payments*"`},
		{bare(`{"signingProfileARN": "x"}`), "did you mean signingProfileArn?"},
		{bare(`{"signingProfileArn": 123}`), `quote it: "123"`},
	}
	for _, tt := range tests {
		found := false
		for _, f := range Decode("in", []byte(tt.input)).AllFindings() {
			if strings.Contains(f.Hint, tt.hint) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no hint %q in\n%s", tt.input, tt.hint, findingLines(Decode("in", []byte(tt.input)).AllFindings()))
		}
	}
}

func TestCloudFormationMessages(t *testing.T) {
	data, err := os.ReadFile("../examples/broken/cloudformation-too-many.yaml")
	if err != nil {
		t.Fatal(err)
	}
	msgs := findingLines(Decode("t.yaml", data).AllFindings())
	// The schema's filter pattern is the API's: only the rule count is looser.
	if want := "the CloudFormation schema allows 50"; !strings.Contains(msgs, want) {
		t.Errorf("no %q in\n%s", want, msgs)
	}
	if notWant := "looser pattern"; strings.Contains(msgs, notWant) {
		t.Errorf("%q in\n%s", notWant, msgs)
	}
}

func TestParse(t *testing.T) {
	cfg, err := Parse([]byte(bare(rule(arnA, "a/*"))))
	if err != nil || len(cfg.Rules) != 1 || cfg.Rules[0].RepositoryFilters[0].Filter != "a/*" {
		t.Fatalf("Parse = %+v, %v", cfg, err)
	}
	_, err = Parse([]byte(bare(rule("bad", "A", "b"))))
	var fe *FindingsError
	if !errors.As(err, &fe) || len(fe.Findings) != 2 {
		t.Fatalf("Parse error %v, want 2 findings", err)
	}
	for _, f := range fe.Findings {
		if f.Severity != SeverityError {
			t.Errorf("non-error finding in the error: %v", f)
		}
	}
	if _, err := Parse([]byte(`{"replicationConfiguration": {"rules": []}}`)); err == nil {
		t.Error("Parse accepted a replication configuration")
	}
	two := "Resources:\n  A:\n    Type: AWS::ECR::SigningConfiguration\n    Properties: {Rules: []}\n  B:\n    Type: AWS::ECR::SigningConfiguration\n    Properties: {Rules: []}\n"
	if _, err := Parse([]byte(two)); err == nil || !strings.Contains(err.Error(), "2 signing configurations (A, B)") {
		t.Errorf("Parse of two configurations: %v", err)
	}
}

func TestLocate(t *testing.T) {
	doc := Decode("in", []byte("{\n  \"rules\": [\n    {\"signingProfileArn\": \""+arnA+"\"}\n  ]\n}"))
	c := doc.Configs[0]
	for path, want := range map[string]string{
		"rules":                                "2:12",
		"rules[0]":                             "3:5",
		"rules[0].signingProfileArn":           "3:27",
		"rules[0].repositoryFilters[3].filter": "3:5", // absent: its nearest enclosing value
		"":                                     "1:1",
	} {
		line, col, ok := c.Locate(path)
		if got := fmt.Sprintf("%d:%d", line, col); !ok || got != want {
			t.Errorf("Locate(%q) = %s %v, want %s", path, got, ok, want)
		}
	}
	f := c.Position(Finding{Code: "ECR400", Path: "rules[0].signingProfileArn"})
	if f.File != "in" || f.Line != 3 || f.Column != 27 {
		t.Errorf("Position = %+v", f)
	}
}

func TestCodesCatalogue(t *testing.T) {
	cs := Codes()
	for i, c := range cs {
		if c.Description == "" || c.Hint == "" || c.Severity == "" || len(c.Code) != 6 || !strings.HasPrefix(string(c.Code), "ECR") {
			t.Errorf("bad catalogue entry %+v", c)
		}
		if i > 0 && cs[i-1].Code >= c.Code {
			t.Errorf("catalogue out of order at %s", c.Code)
		}
		if info, ok := c.Code.Info(); !ok || info != c {
			t.Errorf("%s.Info() = %+v, %v", c.Code, info, ok)
		}
	}
	if _, ok := Code("ECR999").Info(); ok || Code("ECR999").Describe() != "" {
		t.Error("ECR999 is in the catalogue")
	}
	for _, want := range []Code{CodeRedundantFilter, CodeAnalysisTruncated, CodeCompileBudget, CodeSuppressionUnused} {
		if want.Describe() == "" {
			t.Errorf("Codes() does not describe %s", want)
		}
	}
}

func TestTerraformUnknownAfterApply(t *testing.T) {
	plan := `{"format_version": "1.2",
"planned_values": {"root_module": {"resources": [{"address": "awscc_ecr_signing_configuration.s", "type": "awscc_ecr_signing_configuration",
  "values": {"rules": [{"repository_filters": [{"filter": "prod/*", "filter_type": "WILDCARD_MATCH"}]}]}}]}},
"resource_changes": [{"address": "awscc_ecr_signing_configuration.s", "type": "awscc_ecr_signing_configuration",
  "change": {"after_unknown": {"id": true, "rules": [{"signing_profile_arn": true}]}}}]}`
	doc := Decode("plan.json", []byte(plan))
	got := doc.AllFindings()
	if len(got) != 1 || got[0].Code != CodeUnresolved || got[0].Path != "rules[0].signingProfileArn" || got[0].Line != 3 {
		t.Fatalf("findings:\n%s", findingLines(got))
	}
	if u := doc.Configs[0].Unresolved; len(u) != 1 || u[0] != "rules[0].signingProfileArn" {
		t.Errorf("Unresolved = %q", u)
	}
}

// manyFindings returns a request with n unknown members, one finding each, and an empty
// rules list (one more).
func manyFindings(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"signingConfiguration": {"rules": []}`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `, "x%d": 0`, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}

func TestFindingsBound(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		listed  int
		summary string
		sev     Severity
	}{
		{"at the bound", manyFindings(MaxFindings - 1), MaxFindings, "", ""},
		{"one over", manyFindings(MaxFindings), MaxFindings + 1, "1 more findings are not listed (1 info)", SeverityInfo},
		{"errors left out", manyFindings(MaxFindings + 10), MaxFindings + 1, "11 more findings are not listed (10 errors, 1 info)", SeverityError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := Decode("in", tt.input).AllFindings()
			if len(all) != tt.listed {
				t.Fatalf("%d findings listed, want %d", len(all), tt.listed)
			}
			var sum []Finding
			for _, f := range all {
				if f.Code == CodeTooManyFindings {
					sum = append(sum, f)
				}
			}
			switch {
			case tt.summary == "" && len(sum) != 0:
				t.Errorf("unexpected summary %v", sum)
			case tt.summary != "" && (len(sum) != 1 || !strings.HasPrefix(sum[0].Message, tt.summary) || sum[0].Severity != tt.sev):
				t.Errorf("summary %v, want %q (%s)", sum, tt.summary, tt.sev)
			}
		})
	}
}

// cfnRules returns a CloudFormation template with n signing rules of distinct profiles.
func cfnRules(n int) string {
	var b strings.Builder
	b.WriteString("Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "        - SigningProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d\n          RepositoryFilters: [{Filter: \"r%d*\", FilterType: WILDCARD_MATCH}]\n", i, i)
	}
	return b.String()
}

func replicationRules(n int, filter string) string {
	r := `{"destinations": [{"region": "us-west-2", "registryId": "123456789012"}], "repositoryFilters": [{"filter": "` + filter + `", "filterType": "PREFIX_MATCH"}]}`
	return `{"replicationConfiguration": {"rules": [` + strings.TrimSuffix(strings.Repeat(r+",", n), ",") + `]}}`
}

// TestMessages checks the message and hint of findings whose wording depends on the kind of
// configuration, the format or the values involved.
func TestMessages(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		code    Code
		message string // a part of the message
		hint    string // a part of the hint; "-" for no hint
		not     string // a part neither may hold
	}{
		{name: "signing too many rules", input: bare(strings.TrimSuffix(strings.Repeat(rule(arnA, "a/*")+",", 11), ",")), code: CodeTooManyRules,
			message: "11 rules; the ECR API allows at most 10", hint: "merge rules that share a signing profile"},
		{name: "replication too many rules", input: replicationRules(11, "prod"), code: CodeTooManyRules,
			message: "11 rules; the ECR API allows at most 10", hint: "merge rules with the same destinations", not: "signing"},
		{name: "replication too many filters", input: `{"replicationConfiguration": {"rules": [{"destinations": [], "repositoryFilters": [` +
			strings.TrimSuffix(strings.Repeat(`{"filter": "prod", "filterType": "PREFIX_MATCH"},`, 101), ",") + `]}]}}`, code: CodeTooManyFilters,
			message: "101 filters", hint: "use shorter prefixes", not: "'*'"},
		{name: "signing too many filters", input: bare(rule(arnA, strings.Split(strings.Repeat("a*,", 100)+"a*", ",")...)), code: CodeTooManyFilters,
			message: "101 filters", hint: "combine filters with '*'"},
		{name: "cfn 11 rules", input: cfnRules(11), code: CodeTooManyRules,
			message: "the CloudFormation schema allows 50, but ECR rejects more than 10 at deployment"},
		{name: "cfn 51 rules", input: cfnRules(51), code: CodeTooManyRules,
			message: "51 rules: the template breaks the AWS::ECR::SigningConfiguration schema (Rules has maxItems 50), and the ECR API allows at most 10",
			not:     "the CloudFormation schema allows"},
		{name: "far over the limit", input: cfnRules(60), code: CodeNotChecked,
			message: "Rules holds 60 rules, far more than the 10 the API allows; only the first 11 are checked, the 49 from here on are not"},
		{name: "replication filter with star", input: replicationRules(1, "prod*"), code: CodeFilterPattern,
			message: "replication filters are prefixes (PREFIX_MATCH) and cannot hold '*'", hint: `did you mean "prod"?`, not: "repository names"},
		{name: "replication filter a/*", input: replicationRules(1, "a/*"), code: CodeFilterPattern,
			message: "cannot hold '*'", hint: `did you mean "a/"?`},
		{name: "shared profile, both filtered", input: bare(rule(arnA, "a/*") + "," + rule(arnA, "b/*")), code: CodeSharedProfile,
			hint: "merge the filters of both rules into rule 0"},
		{name: "shared profile, first signs everything", input: bare(`{"signingProfileArn": "` + arnA + `"},` + rule(arnA, "b/*")), code: CodeSharedProfile,
			hint: "remove rule 1: rule 0 has no repositoryFilters and already signs every repository", not: "merge"},
		{name: "shared profile, second signs everything", input: bare(rule(arnA, "b/*") + `,{"signingProfileArn": "` + arnA + `"}`), code: CodeSharedProfile,
			hint: "remove rule 0: rule 1 has no repositoryFilters", not: "merge"},
		{name: "shared profile, both sign everything", input: bare(`{"signingProfileArn": "` + arnA + `"},{"signingProfileArn": "` + arnA + `"}`), code: CodeSharedProfile,
			hint: "remove rule 1: both rules sign every repository"},
		{name: "empty filter", input: bare(rule(arnA, "")), code: CodeFilterLength,
			message: "filter is empty; the ECR API requires at least 1 character", not: "null"},
		{name: "empty filter type", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*", "filterType": ""}]}`), code: CodeFilterType,
			message: "filter type is empty; the only type is WILDCARD_MATCH", hint: "write WILDCARD_MATCH"},
		{name: "missing filter type", input: bare(`{"signingProfileArn": "` + arnA + `", "repositoryFilters": [{"filter": "a*"}]}`), code: CodeRequired,
			message: "filterType is missing; the API requires it", hint: "add filterType: WILDCARD_MATCH"},
		{name: "empty ARN", input: bare(rule("", "a*")), code: CodeProfileARNPattern,
			message: "signing profile ARN is empty", hint: "arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME"},
		{name: "cfn no resource", input: "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", code: CodeNoConfig,
			message: "the CloudFormation template holds no AWS::ECR::SigningConfiguration or AWS::ECR::ReplicationConfiguration resource", not: "cloudformation-yaml"},
		{name: "terraform state no resource", input: `{"format_version": "1.0", "values": {"root_module": {}}}`, code: CodeNoConfig,
			message: "the Terraform state holds no awscc_ecr_signing_configuration resource", not: "an "},
		{name: "terraform plan no resource", input: `{"format_version": "1.2", "planned_values": {"root_module": {}}}`, code: CodeNoConfig,
			message: "the Terraform plan holds no awscc_ecr_signing_configuration resource"},
		{name: "star star beside others", input: bare(rule(arnA, "a/*", "**")), code: CodeStarWithOthers,
			message: `filter "**" matches every repository`},
		{name: "three separators in a filter", input: bare(rule(arnA, "a___b*")), code: CodeFilterPattern,
			message: `component "a___b*" has three separators in a row ("___")`},
		{name: "second YAML document", input: "rules: []\n---\nrules: []\n", code: CodeMoreDocuments,
			message: "only the first document of the input is read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := Decode("in", []byte(tt.input)).AllFindings()
			var f *Finding
			for i := range all {
				if all[i].Code == tt.code {
					f = &all[i]
					break
				}
			}
			if f == nil {
				t.Fatalf("no %s finding in\n%s", tt.code, findingLines(all))
			}
			if !strings.Contains(f.Message, tt.message) {
				t.Errorf("message %q, want it to hold %q", f.Message, tt.message)
			}
			if tt.hint == "-" && f.Hint != "" || tt.hint != "-" && !strings.Contains(f.Hint, tt.hint) {
				t.Errorf("hint %q, want %q", f.Hint, tt.hint)
			}
			if tt.not != "" && strings.Contains(f.Message+" "+f.Hint, tt.not) {
				t.Errorf("%q holds %q", f.Message+" ("+f.Hint+")", tt.not)
			}
		})
	}
}

func TestFindingsSortedByPosition(t *testing.T) {
	// Two configurations whose findings interleave: B's come first in the file.
	in := "Resources:\n  B:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules: []\n" +
		"  A:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules: []\n"
	var got []string
	for _, f := range Decode("in", []byte(in)).AllFindings() {
		got = append(got, fmt.Sprintf("%s@%d", f.Config, f.Line))
	}
	if want := "[B@5 A@9]"; fmt.Sprint(got) != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// TestCodesCatalogueComplete reads the Code constants declared in the package's source, so
// that a code added without a catalogue entry (or an entry without a constant) fails here.
func TestCodesCatalogueComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	declared := map[Code]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: %s is not a literal code", name, n.Name)
					}
					value, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					if other, dup := declared[Code(value)]; dup {
						t.Errorf("%s and %s are both %s", other, n.Name, value)
					}
					declared[Code(value)] = n.Name
				}
			}
		}
	}
	if len(declared) < 40 {
		t.Fatalf("found only %d Code constants; the test no longer reads the declarations", len(declared))
	}
	for code, name := range declared {
		if _, ok := code.Info(); !ok {
			t.Errorf("%s (%s) is not in the catalogue", name, code)
		}
	}
	for _, c := range Codes() {
		if _, ok := declared[c.Code]; !ok {
			t.Errorf("catalogue entry %s has no Code constant", c.Code)
		}
	}
}
