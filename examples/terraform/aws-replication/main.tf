# The hashicorp/aws provider's aws_ecr_replication_configuration: nested blocks, one
# destination block per region.
variable "regions" {
  type    = list(string)
  default = ["us-west-2", "eu-west-1"]
}

data "aws_caller_identity" "current" {}

resource "aws_ecr_replication_configuration" "this" {
  replication_configuration {
    rule {
      dynamic "destination" {
        for_each = toset(var.regions)
        content {
          region      = destination.value
          registry_id = "123456789012"
        }
      }

      repository_filter {
        filter      = "prod"
        filter_type = "PREFIX_MATCH"
      }
    }
  }
}
