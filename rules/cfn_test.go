package rules

import (
	"strconv"
	"strings"
	"testing"
)

// cfnCases are the CloudFormation evaluation cases of the decode table: parameters, pseudo
// parameters, intrinsic functions, conditions, and their limits.
var cfnCases = []decodeCase{
	{name: "cfn parameter default", input: "Parameters:\n  Team:\n    Type: String\n    Default: Payments\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: [{Filter: !Sub '${Team}/*', FilterType: WILDCARD_MATCH}]\n",
		want: []string{"ECR205 S.rules[0].repositoryFilters[0].filter 11:40"}},
	{name: "cfn parameter given over default", input: "Parameters:\n  Team:\n    Type: String\n    Default: Payments\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: [{Filter: !Sub '${Team}/*', FilterType: WILDCARD_MATCH}]\n",
		opts: []Option{WithParameters(map[string]string{"Team": "payments"})}, want: nil},
	{name: "cfn parameter without value", input: "Parameters:\n  Arn: {Type: String}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !Ref Arn\n",
		want: []string{"ECR108 S.rules[0].signingProfileArn 8:30", "ECR307 S.rules[0] 8:11"}},
	{name: "cfn pseudo parameters given", input: `{"Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": [{"SigningProfileArn": {"Fn::Sub": "arn:${AWS::Partition}:signer:${AWS::Region}:${AWS::AccountId}:/signing-profiles/p_1"}, "RepositoryFilters": [{"Filter": "a/*", "FilterType": "WILDCARD_MATCH"}]}]}}}}`,
		opts: []Option{WithStackRegion("cn-north-1"), WithAccountID("123456789012")}, want: nil},
	{name: "cfn join select findinmap", input: "Mappings:\n  Teams:\n    us-east-1: {Prefix: East}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !Join ['', [!Select [1, [x, 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/']], p_1]]\n          RepositoryFilters: [{Filter: !FindInMap [Teams, !Ref 'AWS::Region', Prefix], FilterType: WILDCARD_MATCH}]\n",
		region: "us-east-1", want: []string{"ECR205 S.rules[0].repositoryFilters[0].filter 10:40"}},
	{name: "cfn findinmap missing key", input: "Mappings:\n  Teams:\n    us-east-1: {Prefix: east}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: [{Filter: !FindInMap [Teams, eu-west-1, Prefix], FilterType: WILDCARD_MATCH}]\n",
		want: []string{"ECR112 S. 10:40"}},
	{name: "cfn getatt and import stay unknown", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !GetAtt Profile.Arn\n          RepositoryFilters: [{Filter: !ImportValue team, FilterType: WILDCARD_MATCH}]\n  Profile:\n    Type: AWS::Signer::SigningProfile\n",
		want: []string{"ECR108 S.rules[0].signingProfileArn 6:30", "ECR108 S.rules[0].repositoryFilters[0].filter 7:40"}},
	{name: "cfn getatt of a resource the template lacks", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !GetAtt Profile.Arn\n",
		want: []string{"ECR307 S.rules[0] 6:11", "ECR112 S. 6:30"}},
	{name: "cfn getatt of a resource a transform may create", input: "Transform: AWS::Serverless-2016-10-31\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: !GetAtt Profile.Arn\n          RepositoryFilters: [{Filter: !Ref Generated, FilterType: WILDCARD_MATCH}]\n",
		want: []string{"ECR108 S.rules[0].signingProfileArn 7:30", "ECR108 S.rules[0].repositoryFilters[0].filter 8:40"}},
	{name: "cfn novalue removes a member", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: !Ref AWS::NoValue\n",
		want: []string{"ECR307 S.rules[0] 6:11"}},
	{name: "cfn every branch of Fn::If", input: "Parameters:\n  Env: {Type: String, Default: prod}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - !If\n          - IsProd\n          - {SigningProfileArn: " + arnA + ", RepositoryFilters: [{Filter: Prod/*, FilterType: WILDCARD_MATCH}]}\n          - {SigningProfileArn: " + arnA + ", RepositoryFilters: [{Filter: dev/, FilterType: WILDCARD_MATCH}]}\n",
		want: []string{"ECR205 S.rules[0].repositoryFilters[0].filter 12:126", "ECR205 S.rules[0].repositoryFilters[0].filter 13:126"}},
	{name: "cfn unknown condition", input: "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Condition: IsProd\n    Properties:\n      Rules: []\n",
		want: []string{"ECR108 S. 10:7", "ECR308 S.rules 10:14"}},
	{name: "cfn condition cycle", input: "Conditions:\n  A: !Condition B\n  B: {Condition: A}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules: !If [A, [], []]\n",
		want: []string{"ECR112  2:6", "ECR108 S. 8:7", "ECR308 S.rules 8:22", "ECR308 S.rules 8:26"}},
	{name: "cfn nesting limit", input: `{"Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": ` + strings.Repeat(`{"Fn::Select": [0, [`, MaxIntrinsicDepth+1) + `[]` + strings.Repeat(`]]}`, MaxIntrinsicDepth+1) + `}}}}`,
		want: []string{"ECR114 S. 1:" + strconv.Itoa(88+20*MaxIntrinsicDepth)}},
	{name: "cfn allowed values", input: "Parameters:\n  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties: {Rules: []}\n",
		opts: []Option{WithParameters(map[string]string{"Env": "test"})}, want: []string{"ECR112  2:3", "ECR308 S.rules 6:25"}},
	{name: "cfn resource type typo", input: "Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguraton\n    Properties: {Rules: []}\n", want: []string{"ECR113 S. 3:11"}},
	{name: "cfn replication without destinations", input: "Resources:\n  R:\n    Type: AWS::ECR::ReplicationConfiguration\n    Properties:\n      RegistryId: \"123456789012\"\n      ReplicationConfiguration:\n        Rules:\n          - Destinations: []\n            RepositoryFilters: []\n",
		want: []string{"ECR215 R.rules[0].destinations 8:27", "ECR202 R.rules[0].repositoryFilters 9:32"}},
	{name: "replication to the source registry", input: `{"rules": [{"destinations": [{"region": "us-west-2", "registryId": "123456789012"}, {"region": "us-east-1", "registryId": "123456789012"}]}]}`,
		region: "us-east-1", opts: []Option{WithRegistryID("123456789012")}, want: []string{"ECR214 rules[0].destinations[1] 1:85"}},
	{name: "cdk construct path", input: `{"Resources": {"SigningC0FFEE": {"Type": "AWS::ECR::SigningConfiguration", "Metadata": {"aws:cdk:path": "App/Signing/Resource"}, "Properties": {"Rules": []}}}}`,
		want: []string{"ECR308 App/Signing/Resource.rules 1:154"}},
}

func init() { decodeCases = append(decodeCases, cfnCases...) }

// TestBranchNames checks that findings in a branch of Fn::If name it, and that findings a
// branch alone has (an empty list) name the branch too.
func TestBranchNames(t *testing.T) {
	tmpl := "Conditions:\n  IsProd: !Equals [!Ref 'AWS::Region', us-east-1]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - !If [IsProd, {SigningProfileArn: " + arnA + ", RepositoryFilters: [{Filter: A, FilterType: WILDCARD_MATCH}]}, !Ref 'AWS::NoValue']\n"
	for _, tt := range []struct {
		name string
		opts []Option
		want []string
	}{
		{"known true", []Option{WithStackRegion("us-east-1")}, []string{"(Fn::If IsProd: true branch)", "no rules: no image is signed (Fn::If IsProd: false branch)"}},
		{"known false", []Option{WithStackRegion("eu-west-1")}, []string{"(Fn::If IsProd: true branch)", "no rules: no image is signed (Fn::If IsProd: false branch)"}},
		{"unknown", nil, []string{"depends on condition IsProd, which is unknown", "(Fn::If IsProd: true branch)", "(Fn::If IsProd: false branch)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := Decode("t.yaml", []byte(tmpl), tt.opts...)
			text := findingLines(doc.AllFindings())
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("no %q in\n%s", w, text)
				}
			}
		})
	}
}

// TestSelectTemplate checks what Select makes of templates: the configuration of the
// conditions given, the outcomes of unknown ones, and resources not created.
func TestSelectTemplate(t *testing.T) {
	tmpl := "Parameters:\n  Env: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules:\n        - SigningProfileArn: " + arnA + "\n          RepositoryFilters: !If [IsProd, [{Filter: prod/*, FilterType: WILDCARD_MATCH}], [{Filter: dev/*, FilterType: WILDCARD_MATCH}]]\n"
	for _, tt := range []struct {
		name    string
		opts    []Option
		filter  string
		errWant []string
	}{
		{name: "prod", opts: []Option{WithParameters(map[string]string{"Env": "prod"})}, filter: "prod/*"},
		{name: "dev", opts: []Option{WithParameters(map[string]string{"Env": "dev"})}, filter: "dev/*"},
		{name: "unknown", errWant: []string{"depends on template conditions that stay unknown", "with IsProd=true: rule 0 signs \"prod/*\"", "with IsProd=false: rule 0 signs \"dev/*\"", "--parameter Env=VALUE"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode("t.yaml", []byte(tmpl), tt.opts...).Select(KindSigning, "")
			if tt.errWant != nil {
				se, ok := err.(*SelectError)
				if !ok {
					t.Fatalf("Select: %v, want a *SelectError", err)
				}
				text := se.Msg + "\n" + findingLines(se.Findings)
				for _, w := range tt.errWant {
					if !strings.Contains(text, w) {
						t.Errorf("no %q in\n%s", w, text)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Signing.Rules[0].RepositoryFilters[0].Filter; got != tt.filter {
				t.Errorf("filter %q, want %q", got, tt.filter)
			}
		})
	}
	notCreated := "Parameters:\n  Env: {Type: String, Default: dev}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Condition: IsProd\n    Properties: {Rules: []}\n"
	if _, err := Decode("t.yaml", []byte(notCreated)).Select(KindSigning, ""); err == nil || !strings.Contains(err.Error(), "creates no signing configuration: S: its Condition IsProd is false") {
		t.Errorf("Select of a resource not created: %v", err)
	}
	if _, err := Decode("t.yaml", []byte(notCreated)).Select(KindSigning, "S"); err == nil || !strings.Contains(err.Error(), "S is not created") {
		t.Errorf("Select by name of a resource not created: %v", err)
	}
}

func TestSelectEitherKind(t *testing.T) {
	doc := Decode("b.json", []byte(`{"rules": []}`))
	for _, kind := range []Kind{KindSigning, KindReplication} {
		c, err := doc.Select(kind, "")
		if err != nil || c.Kind != kind {
			t.Errorf("Select(%s) = %v, %v", kind, c, err)
		}
	}
}

func TestReadParameters(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{in: `[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "Old", "UsePreviousValue": true}]`, want: map[string]string{"Env": "prod"}},
		{in: `{"Parameters": {"Env": "prod", "Count": 3}}`, want: map[string]string{"Env": "prod", "Count": "3"}},
		{in: `[{"ParameterValue": "prod"}]`, wantErr: "no ParameterKey"},
		{in: `{"Tags": {}}`, wantErr: `no "Parameters" object`},
		{in: `{"Env": "prod"}`, wantErr: `no "Parameters" object: write {"Parameters": {"NAME": "VALUE", ...}}`},
		{in: `Env=prod`, wantErr: "neither"},
	} {
		got, err := ReadParameters([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%s: %v, %v", tt.in, got, err)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

func TestPath(t *testing.T) {
	for _, tt := range []struct {
		p    Path
		want string
	}{
		{Path{}, ""},
		{RulesPath(), "rules"},
		{RulesPath().Index(2), "rules[2]"},
		{RuleAt(0).Member("signingProfileArn"), "rules[0].signingProfileArn"},
		{RuleAt(1).Member("repositoryFilters"), "rules[1].repositoryFilters"},
		{RuleAt(1).Member("repositoryFilters").Index(7).Member("filter"), "rules[1].repositoryFilters[7].filter"},
		{RuleAt(0).Member("destinations").Index(3), "rules[0].destinations[3]"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
