package rules

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// tfPlan returns terraform show -json output of a plan whose planned_values hold one
// resource of type typ with values, and whose resource_changes mark unknown as after_unknown.
func tfPlan(typ, values, unknown string) string {
	if unknown == "" {
		unknown = "{}"
	}
	return `{"format_version": "1.2",
"planned_values": {"root_module": {"child_modules": [{"address": "module.m", "resources": [
  {"address": "module.m.` + typ + `.r", "mode": "managed", "type": "` + typ + `", "name": "r",
   "values": ` + values + `}]}]}},
"prior_state": {"format_version": "1.0", "values": {"root_module": {}}},
"resource_changes": [{"address": "module.m.` + typ + `.r", "mode": "managed", "type": "` + typ + `",
   "change": {"actions": ["create"], "after": ` + values + `, "after_unknown": ` + unknown + `}}]}`
}

// tfState returns terraform show -json output of a state holding one resource.
func tfState(typ, values string) string {
	return `{"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "` + typ + `.r", "mode": "managed", "type": "` + typ + `", "name": "r", "values": ` + values + `}]}}}`
}

const awsRule = `{"signing_profile_arn": "` + arnA + `", "repository_filter": [{"filter": "prod/*", "filter_type": "WILDCARD_MATCH"}]}`

// The Terraform plan and state shapes join the decode table (TestDecodeFindings, TestEveryCode).
func init() {
	decodeCases = append(decodeCases, []decodeCase{
		{name: "tf plan awscc replication", input: tfPlan("awscc_ecr_replication_configuration",
			`{"replication_configuration": {"rules": [{"destinations": [{"region": "us-west-2", "registry_id": "12"}], "repository_filters": null}]}}`, ""),
			want: []string{"ECR212 module.m.awscc_ecr_replication_configuration.r.rules[0].destinations[0].registryId 0"}},
		{name: "tf state awscc replication", input: tfState("awscc_ecr_replication_configuration",
			`{"registry_id": "123456789012", "replication_configuration": {"rules": [{"destinations": [{"region": "us-west-2", "registry_id": "123456789012"}], "repository_filters": [{"filter": "p", "filter_type": "PREFIX_MATCH"}]}]}}`),
			want: []string{"ECR204 awscc_ecr_replication_configuration.r.rules[0].repositoryFilters[0].filter 0"}},
		{name: "tf plan aws replication, no filter block", input: tfPlan("aws_ecr_replication_configuration",
			`{"registry_id": "123456789012", "replication_configuration": [{"rule": [{"destination": [{"region": "us-west-2", "registry_id": "123456789012"}], "repository_filter": []}]}]}`, ""),
			want: nil},
		{name: "tf plan aws replication after_unknown", input: tfPlan("aws_ecr_replication_configuration",
			`{"replication_configuration": [{"rule": [{"destination": [{"region": "us-west-2"}], "repository_filter": [{"filter": "prod", "filter_type": "PREFIX_MATCH"}]}]}]}`,
			`{"replication_configuration": [{"rule": [{"destination": [{"registry_id": true}], "repository_filter": [{}]}]}]}`),
			want: []string{"ECR108 module.m.aws_ecr_replication_configuration.r.rules[0].destinations[0].registryId 0"}},
		{name: "tf state aws replication bad region", input: tfState("aws_ecr_replication_configuration",
			`{"replication_configuration": [{"rule": [{"destination": [{"region": "US_WEST", "registry_id": "123456789012"}], "repository_filter": []}]}]}`),
			want: []string{"ECR211 aws_ecr_replication_configuration.r.rules[0].destinations[0].region 0"}},
		{name: "tf plan aws signing", input: tfPlan("aws_ecr_signing_configuration", `{"rule": [`+awsRule+`]}`, ""), want: nil},
		{name: "tf plan aws signing no rule", input: tfPlan("aws_ecr_signing_configuration", `{"rule": []}`, ""),
			want: []string{"ECR216 module.m.aws_ecr_signing_configuration.r.rules 0", "ECR308 module.m.aws_ecr_signing_configuration.r.rules 0"}},
		{name: "tf state aws signing rule without filter", input: tfState("aws_ecr_signing_configuration",
			`{"rule": [{"signing_profile_arn": "`+arnA+`", "repository_filter": []}]}`),
			want: []string{"ECR216 aws_ecr_signing_configuration.r.rules[0] 0", "ECR307 aws_ecr_signing_configuration.r.rules[0] 0"}},
		{name: "tf plan aws signing unknown ARN", input: tfPlan("aws_ecr_signing_configuration",
			`{"rule": [{"repository_filter": [{"filter": "prod/*", "filter_type": "WILDCARD_MATCH"}]}]}`, `{"rule": [{"signing_profile_arn": true, "repository_filter": [{}]}]}`),
			want: []string{"ECR108 module.m.aws_ecr_signing_configuration.r.rules[0].signingProfileArn 0"}},
		{name: "tf plan other resources only", input: tfPlan("aws_ecr_repository", `{"name": "x"}`, ""), want: []string{"ECR107  1:1"}},
		{name: "tf plan data source", input: `{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "data.aws_ecr_signing_configuration.d", "mode": "data", "type": "aws_ecr_signing_configuration", "values": {"rule": []}}]}}}`,
			want: []string{"ECR107  1:1"}},
	}...)
}

func TestTerraformPlanMessages(t *testing.T) {
	doc := Decode("plan.json", []byte(tfPlan("aws_ecr_repository", `{}`, "")))
	if len(doc.Findings) != 1 || !strings.Contains(doc.Findings[0].Message, "aws_ecr_replication_configuration") {
		t.Errorf("no resource: %v", doc.Findings)
	}
	all := Decode("plan.json", []byte(tfPlan("aws_ecr_signing_configuration", `{"rule": []}`, ""))).AllFindings()
	if len(all) == 0 || !strings.Contains(all[0].Message, "the provider's schema requires 1 to 10") {
		t.Errorf("no rule: %v", all)
	}
}

// tfCase is a module of .tf files, variable values, and every finding of every document
// as "FILE:LINE:COL CODE PATH" (Config-qualified paths).
type tfCase struct {
	name  string
	files []TerraformFile
	vars  []string // NAME=VALUE, or @FILE=CONTENT for a .tfvars file
	want  []string
}

func tf(content string) []TerraformFile { return []TerraformFile{{"main.tf", []byte(content)}} }

const tfSigning = `resource "awscc_ecr_signing_configuration" "s" {
  rules = [{
    signing_profile_arn = %s
    repository_filters  = [{ filter = %s, filter_type = "WILDCARD_MATCH" }]
  }]
}
`

func awscc(arn, filter string) string { return fmt.Sprintf(tfSigning, arn, filter) }

const tfAWSSigning = `variable "filters" {
  type    = list(string)
  default = ["prod/*", "Bad"]
}

resource "aws_ecr_signing_configuration" "s" {
  rule {
    signing_profile_arn = "` + arnA + `"
    dynamic "repository_filter" {
      for_each = %s
      iterator = f
      content {
        filter      = f.value
        filter_type = "WILDCARD_MATCH"
      }
    }
  }
}
`

var tfCases = []tfCase{
	{name: "awscc literal", files: tf(awscc(`"`+arnA+`"`, `"prod/*"`))},
	{name: "awscc bad filter", files: tf(awscc(`"`+arnA+`"`, `"Prod/*"`)),
		want: []string{"main.tf:4:39 ECR205 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "variable default and template", files: tf(`variable "team" { default = "Pay" }` + "\n" + awscc(`"`+arnA+`"`, `"${var.team}/*"`)),
		want: []string{"main.tf:5:39 ECR205 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "variable from --var", files: tf(`variable "team" { default = "Pay" }` + "\n" + awscc(`"`+arnA+`"`, `"${var.team}/*"`)), vars: []string{"team=pay"}},
	{name: "variable from .tfvars, then --var", files: tf(`variable "team" {}` + "\n" + awscc(`"`+arnA+`"`, `"${var.team}/*"`)),
		vars: []string{"@prod.tfvars=team = \"pay\"\n", "team=Pay"},
		want: []string{"main.tf:5:39 ECR205 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "variable from .tfvars.json", files: tf(`variable "arn" {}` + "\n" + awscc(`var.arn`, `"a/*"`)),
		vars: []string{`@prod.tfvars.json={"arn": "` + arnA + `"}`}},
	{name: "variable without value", files: tf(`variable "arn" {}` + "\n" + awscc(`var.arn`, `"a/*"`)),
		want: []string{"main.tf:4:27 ECR108 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "list variable from --var", files: tf(`variable "fs" { type = list(string) }` + "\n" + strings.Replace(awscc(`"`+arnA+`"`, `"x"`),
		`[{ filter = "x", filter_type = "WILDCARD_MATCH" }]`, `[for f in var.fs : { filter = f, filter_type = "WILDCARD_MATCH" }]`, 1)),
		vars: []string{`fs=["a/*", "B"]`},
		want: []string{"main.tf:5:27 ECR205 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[1].filter"}},
	{name: "undeclared --var", files: tf(awscc(`"`+arnA+`"`, `"a/*"`)), vars: []string{"nope=1"}},
	{name: "undeclared in the module's .tfvars", files: append(tf(awscc(`"`+arnA+`"`, `"a/*"`)), TerraformFile{"terraform.tfvars", []byte("nope = 1\n")}),
		want: []string{"terraform.tfvars:1:1 ECR115 "}},
	{name: "locals across files", files: []TerraformFile{
		{"locals.tf", []byte("locals {\n  account = \"123456789012\"\n  arn = \"arn:aws:signer:us-east-1:${local.account}:/signing-profiles/${local.name}\"\n  name = \"bad-name\"\n}\n")},
		{"main.tf", []byte(awscc(`local.arn`, `"a/*"`))}},
		want: []string{"main.tf:3:27 ECR208 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "local cycle", files: tf("locals {\n  a = local.b\n  b = local.a\n}\n" + awscc(`local.a`, `"a/*"`)),
		want: []string{"main.tf:3:7 ECR115 ", "main.tf:7:27 ECR108 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "variable declared twice", files: tf("variable \"a\" {}\nvariable \"a\" {}\n" + awscc(`"`+arnA+`"`, `"A"`)),
		want: []string{"main.tf:2:10 ECR104 ", "main.tf:6:39 ECR205 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "awscc misspelt argument", files: tf(strings.Replace(awscc(`"`+arnA+`"`, `"a/*"`), "repository_filters  =", "repository_filter =", 1)),
		want: []string{"main.tf:4:5 ECR106 awscc_ecr_signing_configuration.s.rules[0].repository_filter", "main.tf:2:12 ECR307 awscc_ecr_signing_configuration.s.rules[0]"}},
	{name: "aws misspelt block and argument", files: tf(`resource "aws_ecr_replication_configuration" "r" {
  replication_configuration {
    rule {
      destination {
        region     = "us-west-2"
        registry   = "123456789012"
      }
      repository_filters {
        filter = "prod"
      }
    }
  }
}
`), want: []string{"main.tf:8:7 ECR106 aws_ecr_replication_configuration.r.", "main.tf:6:9 ECR106 aws_ecr_replication_configuration.r.rules[0].destinations[0].registry",
		"main.tf:4:7 ECR200 aws_ecr_replication_configuration.r.rules[0].destinations[0].registryId"}},
	{name: "misspelt awscc resource type", files: tf(strings.Replace(awscc(`"`+arnA+`"`, `"a/*"`), "awscc_ecr_signing_configuration", "awscc_ecr_signing_configuraton", 1)),
		want: []string{"main.tf:1:10 ECR113 "}},
	{name: "for_each instances", files: tf(strings.Replace(awscc(`"`+arnA+`"`, `"${each.key}/*"`), "{\n", "{\n  for_each = toset([\"prod\", \"Dev\"])\n", 1)),
		want: []string{`main.tf:5:39 ECR205 awscc_ecr_signing_configuration.s["Dev"].rules[0].repositoryFilters[0].filter`}},
	{name: "count instances", files: tf(strings.Replace(awscc(`"arn:aws:signer:us-east-1:123456789012:/signing-profiles/p_${count.index}"`, `"a/*"`), "{\n", "{\n  count = 2\n", 1))},
	{name: "for_each unknown", files: tf(strings.Replace(awscc(`"`+arnA+`"`, `"${each.key}/*"`), "{\n", "{\n  for_each = var.teams\n", 1) + "variable \"teams\" {}\n"),
		want: []string{`main.tf:5:39 ECR108 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter`}},
	{name: "resource attribute", files: tf(awscc(`aws_signer_signing_profile.p.arn`, `"a/*"`)),
		want: []string{"main.tf:3:27 ECR108 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "data source in a template", files: tf(awscc(`"arn:aws:signer:us-east-1:${data.aws_caller_identity.c.account_id}:/signing-profiles/p_1"`, `"a/*"`)),
		want: []string{"main.tf:3:27 ECR108 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "unknown function", files: tf(awscc(`"`+arnA+`"`, `format("%s/*", "a")`)),
		want: []string{"main.tf:4:39 ECR108 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "known functions", files: tf(awscc(`"`+arnA+`"`, `lower(join("/", ["A", "*"]))`))},
	{name: "whole rules unknown", files: tf("resource \"awscc_ecr_signing_configuration\" \"s\" {\n  rules = module.m.rules\n}\n"),
		want: []string{"main.tf:2:11 ECR108 awscc_ecr_signing_configuration.s.rules"}},
	{name: "undeclared variable", files: tf(awscc(`var.nope`, `"a/*"`)),
		want: []string{"main.tf:3:27 ECR115 ", "main.tf:3:27 ECR108 awscc_ecr_signing_configuration.s.rules[0].signingProfileArn"}},
	{name: "type error", files: tf(awscc(`"`+arnA+`"`, `1 + "a"`)),
		want: []string{"main.tf:4:43 ECR115 ", "main.tf:4:39 ECR108 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "dynamic over a literal list", files: tf(fmt.Sprintf(tfAWSSigning, "var.filters")),
		want: []string{"main.tf:13:23 ECR205 aws_ecr_signing_configuration.s.rules[0].repositoryFilters[1].filter"}},
	{name: "dynamic over an unknown", files: tf(fmt.Sprintf(tfAWSSigning, "data.x.y.filters")),
		want: []string{"main.tf:9:5 ECR108 aws_ecr_signing_configuration.s.rules[0].repositoryFilters"}},
	{name: "dynamic over nothing", files: tf(fmt.Sprintf(tfAWSSigning, "[]")),
		want: []string{"main.tf:7:3 ECR216 aws_ecr_signing_configuration.s.rules[0]", "main.tf:7:3 ECR307 aws_ecr_signing_configuration.s.rules[0]"}},
	{name: "aws signing without rule", files: tf("resource \"aws_ecr_signing_configuration\" \"s\" {\n}\n"),
		want: []string{"main.tf:1:1 ECR216 aws_ecr_signing_configuration.s.rules", "main.tf:1:1 ECR308 aws_ecr_signing_configuration.s.rules"}},
	{name: "aws replication", files: tf(`resource "aws_ecr_replication_configuration" "r" {
  replication_configuration {
    rule {
      destination {
        region      = "us-west-2"
        registry_id = "12345678901"
      }
      repository_filter {
        filter      = "prod"
        filter_type = "PREFIX_MATCH"
      }
    }
  }
}
`), want: []string{"main.tf:6:23 ECR212 aws_ecr_replication_configuration.r.rules[0].destinations[0].registryId"}},
	{name: "aws replication without configuration", files: tf("resource \"aws_ecr_replication_configuration\" \"r\" {\n}\n"),
		want: []string{"main.tf:1:1 ECR200 aws_ecr_replication_configuration.r."}},
	{name: "awscc replication", files: tf(`resource "awscc_ecr_replication_configuration" "r" {
  replication_configuration = {
    rules = [{
      destinations       = [{ region = "us-west-2", registry_id = "123456789012" }]
      repository_filters = [{ filter = "p", filter_type = "PREFIX_MATCH" }]
    }]
  }
}
`), want: []string{"main.tf:5:40 ECR204 awscc_ecr_replication_configuration.r.rules[0].repositoryFilters[0].filter"}},
	{name: "no resource", files: tf(`resource "aws_ecr_repository" "r" { name = "x" }`), want: []string{"main.tf:1:1 ECR107 "}},
	{name: "syntax", files: tf("resource \"awscc_ecr_signing_configuration\" \"s\" {\n  rules = [\n}\n"),
		want: []string{"main.tf:3:1 ECR101 "}},
	{name: "bad --var-file", files: tf(awscc(`"`+arnA+`"`, `"a/*"`)), vars: []string{"@x.tfvars=tema = \n"},
		want: []string{"x.tfvars:1:8 ECR101 "}},
	{name: "binary", files: tf("resource \x00"), want: []string{"main.tf:1:10 ECR102 "}},
	// positions are HCL's (and Terraform's): a lone "\r" does not end a line, "\r\n" does
	{name: "binary after a lone CR", files: tf("#\r\x00"), want: []string{"main.tf:1:3 ECR102 "}},
	{name: "binary after CRLF", files: tf("#\r\n\x00"), want: []string{"main.tf:2:1 ECR102 "}},
	{name: "not UTF-8", files: tf("# \xff\n"), want: []string{"main.tf:1:3 ECR102 "}},
	{name: "too large", files: tf(strings.Repeat("#\n", MaxTerraformSourceSize/2+1)), want: []string{"main.tf:1:1 ECR100 "}},
	{name: "nesting", files: tf("locals {\n  a = " + strings.Repeat("[", MaxTerraformNesting+1) + "\n}\n"), want: []string{"main.tf:2:" + fmt.Sprint(6+MaxTerraformNesting) + " ECR103 "}},
	{name: "unary chain", files: tf("locals {\n  a = " + strings.Repeat("!", 100000) + "true\n}\n"), want: []string{"main.tf:2:" + fmt.Sprint(6+MaxTerraformNesting) + " ECR103 "}},
	{name: "for expansion", files: tf("locals {\n  l = [" + strings.Repeat("1,", 5000) + "]\n  x = [for a in local.l : [for b in local.l : [for c in local.l : \"${a}${b}${c}\"]]]\n}\n" + awscc(`"`+arnA+`"`, `local.x[0][0][0]`)),
		want: []string{"main.tf:*:* ECR103 ", "main.tf:6:11 ECR108 awscc_ecr_signing_configuration.s.rules"}},
	{name: "doubling locals", files: tf("locals {\n" + func() string {
		var b strings.Builder
		b.WriteString("  l0 = \"aaaaaaaaaaaaaaaa\"\n")
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, "  l%d = \"${local.l%d}${local.l%d}\"\n", i, i-1, i-1)
		}
		return b.String()
	}() + "}\n" + awscc(`"`+arnA+`"`, `local.l40`)),
		want: []string{"main.tf:*:* ECR103 ", "main.tf:45:11 ECR108 awscc_ecr_signing_configuration.s.rules"}},
	{name: "huge number", files: tf(awscc(`"`+arnA+`"`, `"${1e600000000}"`)),
		want: []string{"main.tf:4:39 ECR103 ", "main.tf:4:39 ECR108 awscc_ecr_signing_configuration.s.rules[0].repositoryFilters[0].filter"}},
	{name: "misspelt resource type", files: tf(`resource "aws_ecr_signing_configuraton" "s" {}` + "\n" + `resource "awscc_ecr_replicaton_configuration" "r" {}` + "\n"),
		want: []string{"main.tf:1:10 ECR113 ", "main.tf:2:10 ECR113 "}},
	{name: "other ECR resource types are not typos", files: tf(`resource "aws_ecr_repository" "r" {}` + "\n" + `resource "aws_ecr_registry_scanning_configuration" "s" {}` + "\n"),
		want: []string{"main.tf:1:1 ECR107 "}},
}

func decodeTFCase(t *testing.T, tt tfCase) []*Document {
	t.Helper()
	var vars TerraformVars
	for _, v := range tt.vars {
		if rest, ok := strings.CutPrefix(v, "@"); ok {
			name, content, _ := strings.Cut(rest, "=")
			vars.AddFile(name, []byte(content))
			continue
		}
		if err := vars.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	return DecodeTerraformModule(tt.files, &vars)
}

func TestDecodeTerraformModule(t *testing.T) {
	for _, tt := range tfCases {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			docs := decodeTFCase(t, tt)
			var have []string
			var all []Finding
			for _, d := range docs {
				for _, f := range d.AllFindings() {
					all = append(all, f)
					path := f.Path
					if f.Config != "" {
						path = f.Config + "." + path
					}
					have = append(have, fmt.Sprintf("%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Code, path))
					if f.Code.Describe() == "" || f.Message == "" {
						t.Errorf("%v: no description or message", f)
					}
				}
			}
			want := append([]string(nil), tt.want...)
			for i, w := range want {
				if strings.Contains(w, ":*:* ") { // position not asserted
					code := w[strings.Index(w, ":*:* ")+5:]
					for j, h := range have {
						if strings.Contains(h, " "+code) {
							have[j] = w
						}
					}
					want[i] = w
				}
			}
			sort.Strings(have)
			sort.Strings(want)
			if strings.Join(have, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s\n%s", strings.Join(have, "\n"), strings.Join(want, "\n"), findingLines(all))
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d) // a hang, not a timing claim: the bounds keep every case far below
			}
		})
	}
}

func TestTerraformUnknownMessages(t *testing.T) {
	tests := []struct {
		name          string
		tt            tfCase
		message, hint string
	}{
		{"variable", tfCase{files: tf(`variable "arn" {}` + "\n" + awscc(`var.arn`, `"a/*"`))},
			"signing_profile_arn is not checked: var.arn (main.tf:4:27) is an input variable with no default, and no value was given",
			"give it with --var arn=VALUE or in a .tfvars file (--var-file)"},
		{"resource", tfCase{files: tf(awscc(`aws_signer_signing_profile.p.arn`, `"a/*"`))},
			"aws_signer_signing_profile.p.arn (main.tf:3:27) is an attribute of another resource, known only after apply", "terraform show -json"},
		{"through a local in another file", tfCase{files: []TerraformFile{
			{"locals.tf", []byte("locals {\n  arn = data.aws_signer_signing_profile.p.arn\n}\n")},
			{"main.tf", []byte(awscc(`local.arn`, `"a/*"`))}}},
			"local.arn (main.tf:3:27) depends on data.aws_signer_signing_profile.p.arn (locals.tf:2:9) is a data source", ""},
		{"each", tfCase{files: tf(strings.Replace(awscc(`"`+arnA+`"`, `"${each.key}/*"`), "{\n", "{\n  for_each = data.x.teams\n", 1))},
			"each.key (main.tf:5:42) is a value of the resource's instances, whose for_each or count is not known", ""},
		{"function", tfCase{files: tf(awscc(`"`+arnA+`"`, `format("%s/*", "a")`))},
			"format (main.tf:4:39) is a function ecrsign does not evaluate", "give the value as a literal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Finding
			for _, d := range decodeTFCase(t, tt.tt) {
				for _, f := range d.AllFindings() {
					if f.Code == CodeUnresolved {
						got = &f
					}
				}
			}
			if got == nil {
				t.Fatal("no ECR108 finding")
			}
			if !strings.Contains(got.Message, tt.message) || !strings.Contains(got.Hint, tt.hint) {
				t.Errorf("got %q (%q), want %q (%q)", got.Message, got.Hint, tt.message, tt.hint)
			}
		})
	}
}

// terraformSourceCodes returns the codes the .tf cases produce, for TestEveryCode.
func terraformSourceCodes(t *testing.T) map[Code]bool {
	seen := map[Code]bool{}
	for _, tt := range tfCases {
		for _, d := range decodeTFCase(t, tt) {
			for _, f := range d.AllFindings() {
				seen[f.Code] = true
			}
		}
	}
	return seen
}

func TestTerraformValues(t *testing.T) {
	docs := decodeTFCase(t, tfCase{files: tf(fmt.Sprintf(tfAWSSigning, `["a/*", "b/*"]`))})
	c := docs[0].Configs[0]
	if c.Format != FormatTerraformSource || c.Kind != KindSigning || len(c.Signing.Rules) != 1 {
		t.Fatalf("config %+v", c)
	}
	var got []string
	for _, f := range c.Signing.Rules[0].RepositoryFilters {
		got = append(got, f.Filter+" "+string(f.FilterType))
	}
	if fmt.Sprint(got) != "[a/* WILDCARD_MATCH b/* WILDCARD_MATCH]" || c.Signing.Rules[0].SigningProfileArn != arnA {
		t.Errorf("rule %+v", c.Signing.Rules[0])
	}
	if err := new(TerraformVars).Set("no-equals"); err == nil {
		t.Error("Set accepted an assignment without =")
	}
}

// TestTerraformHintsInHCL checks that a hint that tells what to write says it in HCL.
func TestTerraformHintsInHCL(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{`resource "aws_ecr_signing_configuration" "s" {
  rule {
    signing_profile_arn = "` + arnA + `"
    repository_filter { filter = "a/*" }
  }
}
`, `add filter_type = "WILDCARD_MATCH"`},
		{`resource "awscc_ecr_replication_configuration" "r" {
  replication_configuration = { rules = [{ destinations = [{ region = "us-west-2", registry_id = "123456789012" }], repository_filters = [{ filter = "a" }] }] }
}
`, `add filter_type = "PREFIX_MATCH"`},
	}
	for _, tt := range tests {
		docs := DecodeTerraformModule([]TerraformFile{{Name: "main.tf", Data: []byte(tt.src)}}, nil)
		var hints []string
		for _, f := range docs[0].AllFindings() {
			if f.Code == CodeRequired {
				hints = append(hints, f.Hint)
			}
		}
		if len(hints) != 1 || hints[0] != tt.want {
			t.Errorf("hints %q, want [%q]\n%s", hints, tt.want, tt.src)
		}
	}
}
