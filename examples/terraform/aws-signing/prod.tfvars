profile_arn = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/production_images"
filters     = ["prod/*", "release/*"]
