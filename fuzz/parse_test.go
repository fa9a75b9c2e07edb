package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/rules"
)

// seedFiles returns every example and test input of the repository.
func seedFiles(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, dir := range []string{"../examples", "../cmd/ecrsign/testdata"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(path, "golden") {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				seeds = append(seeds, data)
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	return seeds
}

// FuzzParse feeds arbitrary bytes to rules.Decode and rules.Parse. Neither may panic or hang;
// every finding must be well-formed and lie within the input; Parse must fail exactly when
// Decode reports an error (or finds other than one signing configuration); a configuration
// Parse accepts must pass the API checks and survive a JSON round trip.
func FuzzParse(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"rules": []}`))
	f.Add([]byte("rules:\n  - signingProfileArn: !Ref P\n"))
	f.Add([]byte(`{"format_version": "1.0", "values": {"root_module": {"child_modules": [{"resources": [{"type": "awscc_ecr_signing_configuration", "values": {"rules": []}}]}]}}}`))
	f.Add([]byte("{rules: [{signingProfileArn: 5, repositoryFilters: [{filter: '', filterType: ''}]}]}"))
	f.Add([]byte("rules: []\r---\rrules: [1]\r"))
	f.Add([]byte(`{"rules": [` + strings.Repeat(`{"signingProfileArn": ""},`, 12) + `0]}`))
	// CloudFormation with intrinsic functions and conditions: every form the evaluator reads.
	for _, t := range templateSeeds {
		f.Add([]byte(t))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		doc := rules.Decode("in", data)
		checkTemplateOptions(t, data)
		// Lines end at "\n", "\r\n" or a lone "\r", as Decode counts them.
		lines := bytes.Split(bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")), []byte("\n"))
		hasError := false
		for _, fd := range doc.AllFindings() {
			if fd.Code.Describe() == "" {
				t.Errorf("%v: code not in the catalogue", fd)
			}
			switch fd.Severity {
			case rules.SeverityError:
				hasError = true
			case rules.SeverityWarning, rules.SeverityInfo:
			default:
				t.Errorf("%v: bad severity", fd)
			}
			if fd.Message == "" {
				t.Errorf("%v: empty message", fd)
			}
			if fd.Line < 1 || fd.Column < 1 || fd.Line > len(lines) {
				t.Fatalf("%v: position %d:%d outside the input (%d lines)", fd, fd.Line, fd.Column, len(lines))
			}
			if max := utf8.RuneCount(lines[fd.Line-1]) + 1; fd.Column > max {
				t.Fatalf("%v: column %d past the end of line %d (%d)", fd, fd.Column, fd.Line, max)
			}
		}
		signing := 0
		unresolved := false
		for _, c := range doc.Configs {
			if c.Kind == rules.KindSigning {
				signing++
			}
			unresolved = unresolved || len(c.Unresolved) > 0
		}

		cfg, err := rules.Parse(data)
		wantErr := hasError || signing != 1
		if (err != nil) != wantErr {
			t.Fatalf("Parse error %v, but Decode reports errors=%v with %d signing configurations", err, hasError, signing)
		}
		if err != nil {
			var fe *rules.FindingsError
			if !errors.As(err, &fe) || len(fe.Findings) == 0 {
				t.Fatalf("Parse error %v is no FindingsError", err)
			}
			for _, fd := range fe.Findings {
				if fd.Severity != rules.SeverityError {
					t.Fatalf("Parse error holds a %s finding: %v", fd.Severity, fd)
				}
			}
			return
		}
		if unresolved {
			return
		}
		if vs := rules.CheckSigning(cfg); len(vs) > 0 {
			t.Fatalf("Parse accepted a configuration with violations: %v", vs)
		}
		out, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, err := rules.Parse(out)
		if err != nil {
			t.Fatalf("round trip of %s: %v", out, err)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Fatalf("round trip changed the configuration:\n%+v\n%+v", cfg, again)
		}
	})
}

// templateSeeds are CloudFormation templates with every intrinsic function and condition
// form the evaluator reads, and the bad forms it must stop at.
var templateSeeds = []string{
	"Parameters:\n  Env: {Type: String, Default: prod}\n  Teams: {Type: CommaDelimitedList, Default: 'a,b'}\nMappings:\n  M:\n    us-east-1: {P: x}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  Both: !And [!Condition IsProd, !Not [!Equals [!Select [0, !Ref Teams], c]]]\n  Either: !Or [{Condition: IsProd}, !Equals ['1', '2']]\nResources:\n  S:\n    Type: AWS::ECR::SigningConfiguration\n    Condition: Both\n    Properties:\n      Rules:\n        - !If [IsProd, {SigningProfileArn: !Sub 'arn:${AWS::Partition}:signer:${AWS::Region}:${AWS::AccountId}:/signing-profiles/p', RepositoryFilters: [{Filter: !Join ['/', [!FindInMap [M, !Ref 'AWS::Region', P], '*']], FilterType: WILDCARD_MATCH}]}, !Ref AWS::NoValue]\n        - SigningProfileArn: !GetAtt Profile.Arn\n          RepositoryFilters: !If [Either, [{Filter: !ImportValue x, FilterType: !Select [1, !Split [',', 'a,WILDCARD_MATCH']]}], !Ref AWS::NoValue]\n",
	`{"Conditions": {"A": {"Fn::Not": [{"Condition": "B"}]}, "B": {"Condition": "A"}}, "Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": {"Fn::If": ["A", [], {"Fn::If": ["B", [], {"Ref": "Nothing"}]}]}}}}}`,
	`{"Resources": {"R": {"Type": "AWS::ECR::ReplicationConfiguration", "Metadata": {"aws:cdk:path": "App/R"}, "Properties": {"RegistryId": {"Ref": "AWS::AccountId"}, "ReplicationConfiguration": {"Rules": [{"Destinations": [{"Region": {"Fn::Sub": ["${R}", {"R": {"Ref": "AWS::Region"}}]}, "RegistryId": "123456789012"}], "RepositoryFilters": []}]}}}}}`,
	"Resources:\n  S:\n    Type: AWS::ECR::SigningConfiguraton\n  T:\n    Type: AWS::ECR::SigningConfiguration\n    Properties:\n      Rules: !Select [0, [!Select [0, [!Select [0, [!Fn [x]]]]]]]\n",
	`{"Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": [{"SigningProfileArn": {"Fn::Join": ["", [{"Fn::Join": [{"Ref": "AWS::StackName"}, []]}, "${!x}"]]}}]}}}}`,
}

// checkTemplateOptions decodes data again with every template value given: findings must
// still be well-formed and within the input, and Select must answer (never panic) for each
// configuration.
func checkTemplateOptions(t *testing.T, data []byte) {
	doc := rules.Decode("in", data, rules.WithStackRegion("cn-north-1"), rules.WithAccountID("123456789012"),
		rules.WithRegistryID("123456789012"), rules.WithParameters(map[string]string{"Env": "dev", "Teams": "c,d"}))
	lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
	for _, fd := range doc.AllFindings() {
		if fd.Code.Describe() == "" || fd.Message == "" {
			t.Errorf("%v: not in the catalogue, or no message", fd)
		}
		if fd.Line < 1 || fd.Column < 1 || fd.Line > lines {
			t.Fatalf("with options: %v: position %d:%d outside the input", fd, fd.Line, fd.Column)
		}
	}
	for _, kind := range []rules.Kind{rules.KindSigning, rules.KindReplication} {
		c, err := doc.Select(kind, "")
		if err == nil && (c == nil || c.Kind != kind || len(c.Unresolved) > 0 || len(c.Outcomes) > 0) {
			t.Fatalf("Select(%s) returned %+v without an error", kind, c)
		}
		var se *rules.SelectError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("Select(%s) error %v is no SelectError", kind, err)
		}
	}
}

// FuzzTemplateInputs feeds arbitrary bytes to the readers of template values: parameters
// files (ReadParameters) and CDK cloud assembly manifests (ReadCDKManifest). Neither may
// panic or hang; a manifest's templates stay inside the assembly.
func FuzzTemplateInputs(f *testing.F) {
	f.Add([]byte(`[{"ParameterKey": "Env", "ParameterValue": "prod"}]`))
	f.Add([]byte(`{"Parameters": {"Env": "prod"}}`))
	f.Add([]byte(`{"version": "36.0.0", "artifacts": {"S": {"type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-east-1", "properties": {"templateFile": "S.template.json"}}, "N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}}`))
	f.Add([]byte(`{"artifacts": {"S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "../x"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := rules.ReadParameters(data); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
		fsys := fstest.MapFS{"cdk.out/manifest.json": {Data: data}}
		stacks, err := rules.ReadCDKManifest(fsys, "cdk.out/manifest.json")
		if err != nil {
			return
		}
		for _, s := range stacks {
			if !fs.ValidPath(s.Template) || !strings.HasPrefix(s.Template, "cdk.out/") {
				t.Fatalf("stack %s: template %q outside the assembly", s.Name, s.Template)
			}
		}
	})
}
