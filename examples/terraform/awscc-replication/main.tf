# Replicates every repository under prod/ to a second region of the same account.
variable "destination_region" {
  type    = string
  default = "us-west-2"
}

resource "awscc_ecr_replication_configuration" "this" {
  replication_configuration = {
    rules = [
      {
        destinations = [
          { region = var.destination_region, registry_id = "123456789012" },
        ]
        repository_filters = [
          { filter = "prod", filter_type = "PREFIX_MATCH" },
        ]
      },
    ]
  }
}
