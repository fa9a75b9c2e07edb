package rules_test

import (
	"fmt"

	"github.com/ecrsign/ecrsign/rules"
)

func ExampleDecodeTerraformModule() {
	main := []byte(`variable "team" {}

resource "aws_ecr_signing_configuration" "this" {
  rule {
    signing_profile_arn = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/team_images"
    repository_filter {
      filter      = "${var.team}/*"
      filter_type = "WILDCARD_MATCH"
    }
    repository_filter {
      filter      = data.aws_ssm_parameter.extra.value
      filter_type = "WILDCARD_MATCH"
    }
  }
}
`)
	var vars rules.TerraformVars
	if err := vars.Set("team=Payments"); err != nil {
		panic(err)
	}
	for _, doc := range rules.DecodeTerraformModule([]rules.TerraformFile{{Name: "main.tf", Data: main}}, &vars) {
		for _, f := range doc.AllFindings() {
			fmt.Println(f)
		}
	}
	// Output:
	// main.tf:7:21: error ECR205 aws_ecr_signing_configuration.this.rules[0].repositoryFilters[0].filter: filter "Payments/*" does not match the ECR API's filter pattern: upper-case 'P' at offset 0; names are lower case (repository names are lower case: did you mean "payments/*"?)
	// main.tf:11:21: info ECR108 aws_ecr_signing_configuration.this.rules[0].repositoryFilters[1].filter: filter is not checked: data.aws_ssm_parameter.extra.value (main.tf:11:21) is a data source, read only when Terraform runs
}
