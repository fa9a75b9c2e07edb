# The hashicorp/aws provider's aws_ecr_signing_configuration (terraform-provider-aws
# PR #47527): one rule block per signing profile, one repository_filter block per filter.
variable "profile_arn" {
  type = string
}

variable "filters" {
  type    = list(string)
  default = ["prod/*"]
}

resource "aws_ecr_signing_configuration" "this" {
  rule {
    signing_profile_arn = var.profile_arn

    dynamic "repository_filter" {
      for_each = var.filters
      content {
        filter      = repository_filter.value
        filter_type = "WILDCARD_MATCH"
      }
    }
  }
}
