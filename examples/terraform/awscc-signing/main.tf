# Signs production images with one profile and every team's images with another.
locals {
  profile_prefix = "arn:aws:signer:${var.region}:${var.account_id}:/signing-profiles"
}

resource "awscc_ecr_signing_configuration" "this" {
  rules = [
    {
      signing_profile_arn = "${local.profile_prefix}/production_images"
      repository_filters = [
        { filter = "prod/*", filter_type = "WILDCARD_MATCH" },
      ]
    },
    {
      signing_profile_arn = "${local.profile_prefix}/team_images"
      repository_filters = [
        for team in var.teams : { filter = "${team}/*", filter_type = "WILDCARD_MATCH" }
      ]
    },
  ]
}
