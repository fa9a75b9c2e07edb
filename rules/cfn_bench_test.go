package rules

import (
	"fmt"
	"strings"
	"testing"
)

// templateOf is the largest valid signing configuration (10 rules of 100 filters) as a
// CloudFormation JSON template, in one of several shapes: literal values, filters built
// with Fn::Sub of a parameter, each rule under Fn::If of a known condition, or of an unknown
// one (variants and outcomes).
func templateOf(shape string) []byte {
	var rs []string
	for i := 0; i < MaxSigningRules; i++ {
		var fs []string
		for j := 0; j < MaxSigningFilters; j++ {
			filter := fmt.Sprintf(`"team%d/app%d-*"`, i, j)
			if shape == "sub" {
				filter = fmt.Sprintf(`{"Fn::Sub": "${Team}%d/app%d-*"}`, i, j)
			}
			fs = append(fs, `{"Filter": `+filter+`, "FilterType": "WILDCARD_MATCH"}`)
		}
		r := fmt.Sprintf(`{"SigningProfileArn": "arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", "RepositoryFilters": [%s]}`, i, strings.Join(fs, ", "))
		switch shape {
		case "if-known":
			r = `{"Fn::If": ["Known", ` + r + `, {"Ref": "AWS::NoValue"}]}`
		case "if-unknown":
			r = `{"Fn::If": ["Unknown", ` + r + `, {"Ref": "AWS::NoValue"}]}`
		}
		rs = append(rs, r)
	}
	return []byte(`{"Parameters": {"Team": {"Type": "String", "Default": "team"}, "Env": {"Type": "String"}},
"Conditions": {"Known": {"Fn::Equals": [{"Ref": "Team"}, "team"]}, "Unknown": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
"Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": [` + strings.Join(rs, ",\n") + `]}}}}`)
}

// BenchmarkDecodeTemplate decodes the largest configuration as a template of each shape;
// "literal" is the baseline of the ratios: what evaluating intrinsic functions and checking
// every Fn::If branch costs over reading the same values written out.
func BenchmarkDecodeTemplate(b *testing.B) {
	for _, shape := range []string{"literal", "sub", "if-known", "if-unknown"} {
		data := templateOf(shape)
		b.Run(shape, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				doc := Decode("b", data)
				if len(doc.Configs) != 1 || len(doc.Configs[0].Signing.Rules) != MaxSigningRules {
					b.Fatal("no configuration")
				}
			}
		})
	}
}

func TestTemplateShapes(t *testing.T) {
	for _, shape := range []string{"literal", "sub", "if-known"} {
		doc := Decode("b", templateOf(shape))
		if fs := doc.AllFindings(); len(fs) != 0 {
			t.Errorf("%s: %s", shape, findingLines(fs))
		}
	}
	doc := Decode("b", templateOf("if-unknown"))
	if c := doc.Configs[0]; len(c.Outcomes) != 2 || len(c.Outcomes[1].Signing.Rules) != 0 {
		t.Errorf("if-unknown: outcomes %+v", c.Outcomes)
	}
}

// BenchmarkDecodeHostileTemplate decodes the worst template of the input limit: 16 MiB of
// Fn::If over a condition that stays unknown, with Fn::Sub and Fn::Join inside, which
// meets MaxEvaluatedValues and MaxBranchVariants. Run it with -benchtime=1x: it shows that
// evaluation is bounded (a few seconds of CPU), not how fast it is.
func BenchmarkDecodeHostileTemplate(b *testing.B) {
	item := `{"Fn::If": ["C", {"SigningProfileArn": {"Fn::Sub": "${AWS::Region}"}, "RepositoryFilters": [{"Filter": {"Fn::Join": ["", ["a", "b"]]}, "FilterType": "WILDCARD_MATCH"}]}, {"Ref": "AWS::NoValue"}]}`
	n := (DefaultMaxSize - 400) / (len(item) + 1)
	data := []byte(`{"Parameters": {"E": {"Type": "String"}}, "Conditions": {"C": {"Fn::Equals": [{"Ref": "E"}, "x"]}}, "Resources": {"S": {"Type": "AWS::ECR::SigningConfiguration", "Properties": {"Rules": [` + strings.Repeat(item+",", n-1) + item + `]}}}}`)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		doc := Decode("h", data)
		limited := false
		for _, f := range doc.AllFindings() {
			limited = limited || f.Code == CodeTemplateLimit
		}
		if !limited {
			b.Fatal("no ECR114 finding")
		}
	}
}
