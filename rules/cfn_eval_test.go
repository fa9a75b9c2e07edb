package rules

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ecrsign/ecrsign/internal/source"
)

// evalTemplate is the template the evaluation cases run in.
const evalTemplate = `
Parameters:
  Env: {Type: String, Default: prod}
  Teams: {Type: CommaDelimitedList, Default: "a,b,c"}
  NoDefault: {Type: String}
  FromSSM: {Type: "AWS::SSM::Parameter::Value<String>", Default: /x/y}
Mappings:
  M:
    us-east-1: {Prefix: east, Count: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsDev, !Equals [!Ref NoDefault, x]]
  DevOrUnknown: !Or [!Condition IsDev, !Equals [!Ref NoDefault, x]]
  AndUnknownFalse: !And [!Equals [!Ref NoDefault, x], !Condition IsDev]
Resources:
  Other: {Type: AWS::S3::Bucket}
`

// TestEvaluate evaluates one value of each intrinsic function in evalTemplate (region
// us-east-1, account not given) and compares what it gives: a string, a list, "unknown: ..."
// or "error: ...".
func TestEvaluate(t *testing.T) {
	for _, tt := range []struct{ expr, want string }{
		{"!Ref Env", "prod"},
		{"!Ref Teams", "[a b c]"},
		{"!Ref NoDefault", "unknown: Ref NoDefault (parameter NoDefault has no Default and no value was given)"},
		{"!Ref FromSSM", "unknown: Ref FromSSM (parameter FromSSM is of type AWS::SSM::Parameter::Value<String>"},
		{"!Ref Other", "unknown: Ref Other, the physical ID of a resource"},
		{"!Ref Nope", "error: Ref Nope: the template has no parameter or resource Nope"},
		{"!Ref [x]", "error: Ref takes the name of a parameter"},
		{"!Ref AWS::Partition", "aws"},
		{"!Ref AWS::URLSuffix", "amazonaws.com"},
		{"!Ref AWS::StackName", "unknown: Ref AWS::StackName, a pseudo parameter not given"},
		{"!Sub '${Env}-${AWS::Region}-${!Literal}'", "prod-us-east-1-${Literal}"},
		{"!Sub ['${A}/${Env}', {A: !Select [1, !Ref Teams]}]", "b/prod"},
		{"!Sub '${Other.Arn}'", "unknown: Fn::Sub \"${Other.Arn}\" uses ${Other.Arn}, not known"},
		{"!Sub '${AWS::AccountId}x'", "unknown: Fn::Sub \"${AWS::AccountId}x\" uses ${AWS::AccountId}, not known"},
		{"!Sub '${Open'", "${Open"},
		{"!Sub [a, b, c]", "error: Fn::Sub takes a string, or a list of a string and an object of variables"},
		{"!Sub ['${Teams}', {}]", "error: Fn::Sub: ${Teams} is an array of 3 elements, not a string"},
		{"!Join [-, [a, !Ref Env, 3]]", "a-prod-3"},
		{"!Join [-, !Ref Teams]", "a-b-c"},
		{"!Join [-, [a, !GetAtt Other.Arn]]", "unknown: Fn::Join of Fn::GetAtt Other.Arn"},
		{"!Join [-, [a, [b]]]", "error: Fn::Join joins strings, not an array of 1 elements"},
		{"!Join [-]", "error: Fn::Join takes a list of a delimiter and a list of values, not a list of 1 value"},
		{"!GetAtt Nope.Arn", "error: Fn::GetAtt Nope.Arn: the template has no resource Nope"},
		{"!If [IsProd, yes]", "error: Fn::If takes a list of a condition name and two values, not a list of 2 values"},
		{"!FindInMap M", "error: Fn::FindInMap takes a list of a mapping name, a top-level key and a second-level key, not \"M\""},
		{"!Select [2, !Ref Teams]", "c"},
		{"!Select ['1', [x, y]]", "y"},
		{"!Select [3, !Ref Teams]", "error: Fn::Select: index 3 is past the end of a list of 3"},
		{"!Select [-1, [x]]", "error: Fn::Select: index \"-1\" is not a number from 0"},
		{"!Select [0, !Ref NoDefault]", "unknown: Ref NoDefault"},
		{"!Split [',', 'x,y']", "[x y]"},
		{"!Split ['', 'x']", "error: Fn::Split: the delimiter is empty"},
		{"!Split [',', '" + strings.Repeat(",", MaxEvaluatedValues) + "']", "error: the resource's properties evaluate to more than 50000 values (MaxEvaluatedValues)"},
		{"!Select [1, !Split [/, !Sub '${Env}/api']]", "api"},
		{"!FindInMap [M, !Ref 'AWS::Region', Prefix]", "east"},
		{"!FindInMap [M, us-east-1, Count]", "3"},
		{"!FindInMap [M, eu-west-1, Prefix]", "error: Fn::FindInMap: mapping M has no key \"eu-west-1\""},
		{"!FindInMap [N, a, b]", "error: Fn::FindInMap: the template has no mapping \"N\""},
		{"!FindInMap [M, !Ref NoDefault, Prefix]", "unknown: Fn::FindInMap with a key that is Ref NoDefault"},
		{"!If [IsProd, yes, no]", "yes"},
		{"!If [IsDev, yes, no]", "no"},
		{"!If [Both, yes, no]", "yes"},
		{"!If [Either, yes, no]", "yes (condition Either unknown)"},
		{"!If [AndUnknownFalse, yes, no]", "no"},
		{"!If [Missing, yes, no]", "error: condition Missing is not defined in the template's Conditions"},
		{"!If [IsProd, !Ref AWS::NoValue, no]", "(no value)"},
		{"[a, !If [IsProd, !Ref AWS::NoValue, b], c]", "[a c]"},
		{"!ImportValue shared", "unknown: Fn::ImportValue, an export of another stack"},
		{"!GetAZs ''", "unknown: Fn::GetAZs, which ecrsign does not evaluate"},
		{"!Equals [a, a]", "error: Fn::Equals belongs in the Conditions section"},
		{"!Frobnicate x", "error: Fn::Frobnicate is not an intrinsic function of CloudFormation"},
		{`{"Fn::Join": ["", ["a", {"Ref": "Env"}]]}`, "aprod"},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			if got := evaluate(t, tt.expr); !strings.HasPrefix(got, tt.want) {
				t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// evaluate evaluates expr in evalTemplate and renders the result.
func evaluate(t *testing.T, expr string) string {
	t.Helper()
	root, _, err := source.ParseYAML([]byte(evalTemplate+"Value: "+expr+"\n"), source.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := newTemplate(root, &options{pseudoRegion: "us-east-1"})
	e := tmpl.evaluation("R", nil, nil)
	v := e.eval(root.Lookup("Value"), 0, "")
	if len(tmpl.findings) > 0 {
		return "error: " + tmpl.findings[0].Message
	}
	suffix := ""
	if len(e.unknownConds) > 0 {
		suffix = " (condition " + strings.Join(e.unknownConds, ", ") + " unknown)"
	}
	return render(e, v) + suffix
}

func render(e *evaluation, v *source.Node) string {
	if v == noValue {
		return "(no value)"
	}
	if u, ok := e.unknown[v]; ok {
		return "unknown: " + u.what
	}
	if v.Kind == source.Array {
		parts := make([]string, len(v.Items))
		for i, it := range v.Items {
			parts[i] = render(e, it)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return v.Text
}

func TestReadCDKManifest(t *testing.T) {
	fsys := fstest.MapFS{
		"cdk.out/manifest.json": {Data: []byte(`{"artifacts": {
			"B": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region", "properties": {"templateFile": "B.template.json"}},
			"A": {"type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1", "properties": {"templateFile": "A.template.json"}},
			"Stage": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Stage"}},
			"Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}`)},
		"cdk.out/assembly-Stage/manifest.json": {Data: []byte(`{"artifacts": {"StageStack": {"type": "aws:cloudformation:stack", "environment": "aws://210987654321/us-west-2", "properties": {"templateFile": "StageStack.template.json"}}}}`)},
	}
	stacks, err := ReadCDKManifest(fsys, "cdk.out/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stacks {
		got = append(got, s.Name+" "+s.Template+" "+s.Account+" "+s.Region)
	}
	want := []string{"A cdk.out/A.template.json 123456789012 eu-west-1", "B cdk.out/B.template.json  ",
		"StageStack cdk.out/assembly-Stage/StageStack.template.json 210987654321 us-west-2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stacks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m, ok := CDKManifest(fsys, "."); !ok || m != "cdk.out/manifest.json" {
		t.Errorf("CDKManifest(.) = %q, %v", m, ok)
	}
	if m, ok := CDKManifest(fsys, "cdk.out"); !ok || m != "cdk.out/manifest.json" {
		t.Errorf("CDKManifest(cdk.out) = %q, %v", m, ok)
	}
	for name, manifest := range map[string]string{
		"outside":              `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../S.template.json"}}}}`,
		"not json":             `{"artifacts": `,
		"loop":                 `{"artifacts": {"N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}}`,
		"the directory itself": `{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "."}}}}`,
	} {
		_, err := ReadCDKManifest(fstest.MapFS{"m/manifest.json": {Data: []byte(manifest)}}, "m/manifest.json")
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestSelectOutcomesDescribe checks the outcome lines of a replication configuration and of
// a resource a condition may leave uncreated.
func TestSelectOutcomesDescribe(t *testing.T) {
	tmpl := "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  R:\n    Type: AWS::ECR::ReplicationConfiguration\n    Condition: IsProd\n    Properties:\n      ReplicationConfiguration:\n        Rules:\n          - Destinations: [{Region: us-west-2, RegistryId: '123456789012'}]\n            RepositoryFilters: [{Filter: prod, FilterType: PREFIX_MATCH}]\n"
	_, err := Decode("t.yaml", []byte(tmpl)).Select(KindReplication, "")
	se, ok := err.(*SelectError)
	if !ok {
		t.Fatalf("Select: %v", err)
	}
	text := findingLines(se.Findings)
	for _, want := range []string{`with IsProd=true: rule 0 replicates "prod" to us-west-2:123456789012`, "with IsProd=false: the resource is not created"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
}

func TestAnalysisSigning(t *testing.T) {
	tmpl := "Parameters:\n  P: {Type: String}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - {SigningProfileArn: !Ref P, RepositoryFilters: [{Filter: a/*, FilterType: WILDCARD_MATCH}]}\n        - {SigningProfileArn: " + arnA + ", RepositoryFilters: [{Filter: !Ref P, FilterType: WILDCARD_MATCH}]}\n"
	c := Decode("t.yaml", []byte(tmpl)).Configs[0]
	if _, ok := c.AnalysisSigning(); ok {
		t.Error("a filter that stays unknown is analysed")
	}
	tmpl = strings.Replace(tmpl, "Filter: !Ref P", "Filter: b/*", 1)
	cfg, ok := Decode("t.yaml", []byte(tmpl)).Configs[0].AnalysisSigning()
	if !ok || cfg.Rules[0].SigningProfileArn != "(unknown rules[0].signingProfileArn)" || cfg.Rules[1].SigningProfileArn != arnA {
		t.Errorf("AnalysisSigning = %+v, %v", cfg, ok)
	}
}

// TestSelectOutcomesLeftOut checks that the refusal says how many outcomes it does not
// describe when the unknown conditions have more than MaxOutcomes, and nothing of the kind
// when it describes them all.
func TestSelectOutcomesLeftOut(t *testing.T) {
	template := func(n int) string {
		var b strings.Builder
		b.WriteString("Parameters:\n")
		for i := range n {
			fmt.Fprintf(&b, "  P%d: {Type: String}\n", i)
		}
		b.WriteString("Conditions:\n")
		for i := range n {
			fmt.Fprintf(&b, "  C%d: !Equals [!Ref P%d, x]\n", i, i)
		}
		b.WriteString("Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n")
		for i := range n {
			fmt.Fprintf(&b, "        - !If [C%d, {SigningProfileArn: %s, RepositoryFilters: [{Filter: a%d/*, FilterType: WILDCARD_MATCH}]}, !Ref AWS::NoValue]\n", i, arnA, i)
		}
		return b.String()
	}
	tests := []struct {
		conditions int
		want       string // the line about outcomes left out; "" for none
	}{
		{1, ""},
		{3, ""},
		{4, "8 outcomes of the 4 unknown conditions are not described (at most 8 are, rules.MaxOutcomes)"},
		{10, "1016 outcomes of the 10 unknown conditions are not described"},
	}
	for _, tt := range tests {
		_, err := Decode("t.yaml", []byte(template(tt.conditions))).Select(KindSigning, "")
		se, ok := err.(*SelectError)
		if !ok {
			t.Fatalf("%d conditions: Select: %v", tt.conditions, err)
		}
		text := findingLines(se.Findings)
		switch {
		case tt.want == "" && strings.Contains(text, "not described"):
			t.Errorf("%d conditions: all outcomes are described, but:\n%s", tt.conditions, text)
		case tt.want != "" && !strings.Contains(text, tt.want):
			t.Errorf("%d conditions: no %q in\n%s", tt.conditions, tt.want, text)
		}
	}
}
