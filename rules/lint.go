package rules

import (
	"fmt"
	"strings"
)

// lint reports what the ECR API accepts but is probably a mistake, and the region mismatches
// the model cannot see (docs/model.md, section 3: cross-region profiles are rejected). Values with a
// decoding finding or an API violation are skipped. Lints that need to know what filters
// match (redundant or never-matching filters) belong to package match.
func lint(c *Config, region string) {
	if c.Signing != nil {
		lintSigning(c, region)
	}
	if c.Replication != nil {
		lintReplication(c)
	}
}

func lintSigning(c *Config, region string) {
	cfg := c.Signing
	if cfg.Rules != nil && len(cfg.Rules) == 0 && !c.suppressed("rules") {
		c.add(Finding{Code: CodeNoRules, Severity: SeverityInfo, Path: "rules",
			Message: "the configuration has no rules: no image is signed"})
	}
	firstProfile := map[string]int{}
	firstRegion, firstRegionPath := "", ""
	for i, r := range cfg.Rules {
		rp := RulePath(i)
		ap := rp + ".signingProfileArn"
		if arn, err := ParseProfileARN(r.SigningProfileArn); err == nil && !c.suppressed(ap) {
			if j, seen := firstProfile[r.SigningProfileArn]; seen {
				c.add(Finding{Code: CodeSharedProfile, Severity: SeverityWarning, Path: ap,
					Message: fmt.Sprintf("profile %s is also used by rule %d; ECR signs once per profile and reports one status", arn.Name, j),
					Hint:    sharedProfileHint(cfg.Rules[j].RepositoryFilters == nil, r.RepositoryFilters == nil, j, i)})
			} else {
				firstProfile[r.SigningProfileArn] = i
			}
			switch {
			case region != "" && arn.Region != region:
				c.add(Finding{Code: CodeForeignRegion, Severity: SeverityError, Path: ap,
					Message: fmt.Sprintf("profile %s is in region %s, but the registry is in %s; ECR rejects cross-region signing profiles", arn.Name, arn.Region, region),
					Hint:    fmt.Sprintf("use a signing profile in %s", region)})
			case region == "" && firstRegion == "":
				firstRegion, firstRegionPath = arn.Region, ap
			case region == "" && arn.Region != firstRegion:
				c.add(Finding{Code: CodeMixedRegions, Severity: SeverityError, Path: ap,
					Message: fmt.Sprintf("profile %s is in region %s, but %s is in %s; a registry is in one region and ECR rejects cross-region signing profiles", arn.Name, arn.Region, firstRegionPath, firstRegion),
					Hint:    "use signing profiles in the registry's region"})
			}
		}
		if r.RepositoryFilters == nil {
			if !c.suppressed(rp + ".repositoryFilters") {
				c.add(Finding{Code: CodeSignsEverything, Severity: SeverityInfo, Path: rp,
					Message: "the rule has no repositoryFilters: it signs images pushed to every repository of the registry"})
			}
			continue
		}
		lintFilters(c, i, len(r.RepositoryFilters), func(j int) string { return r.RepositoryFilters[j].Filter }, true)
	}
}

// sharedProfileHint says how to fix rules first and later sharing a profile. A rule without
// repositoryFilters signs every repository: merging filters into it would narrow it, so the
// rule with filters is the one that changes nothing and is to be removed.
func sharedProfileHint(firstAll, laterAll bool, first, later int) string {
	switch {
	case firstAll && laterAll:
		return fmt.Sprintf("remove rule %d: both rules sign every repository", later)
	case firstAll:
		return fmt.Sprintf("remove rule %d: rule %d has no repositoryFilters and already signs every repository with this profile", later, first)
	case laterAll:
		return fmt.Sprintf("remove rule %d: rule %d has no repositoryFilters and already signs every repository with this profile", first, later)
	}
	return fmt.Sprintf("merge the filters of both rules into rule %d", first)
}

// lintFilters reports duplicate filters of rule i and, for wildcard filters, filters without
// '*' and a '*' beside other filters.
func lintFilters(c *Config, i, n int, filter func(j int) string, wildcard bool) {
	first := map[string]int{}
	star := -1
	filters := RuleAt(i).Member("repositoryFilters")
	for j := 0; j < n; j++ {
		at := filters.Index(j).Member("filter")
		fp := at.String()
		s := filter(j)
		if s == "" || c.invalid[at] || c.suppressed(fp) {
			continue
		}
		if k, dup := first[s]; dup {
			c.add(Finding{Code: CodeDuplicateFilter, Severity: SeverityWarning, Path: fp,
				Message: fmt.Sprintf("filter %q repeats filter %d of the same rule", s, k),
				Hint:    "remove it"})
			continue
		}
		first[s] = j
		if !wildcard {
			continue
		}
		if s == "*" || strings.Trim(s, "*") == "" {
			star = j
		} else if !strings.Contains(s, "*") {
			c.add(Finding{Code: CodeExactFilter, Severity: SeverityWarning, Path: fp,
				Message: fmt.Sprintf("filter %q has no '*': it matches only the repository named exactly %q", s, s),
				Hint:    fmt.Sprintf("did you mean %q (names containing it) or %q (names under it)?", "*"+s+"*", s+"/*")})
		}
	}
	if star >= 0 && n > 1 {
		c.add(Finding{Code: CodeStarWithOthers, Severity: SeverityWarning,
			Path:    filters.Index(star).Member("filter").String(),
			Message: fmt.Sprintf("filter %q matches every repository, so the rule's other %d filters change nothing", filter(star), n-1),
			Hint:    "remove the other filters, or remove repositoryFilters to apply the rule to every repository"})
	}
}

func lintReplication(c *Config) {
	cfg := c.Replication
	if cfg.Rules != nil && len(cfg.Rules) == 0 && !c.suppressed("rules") {
		c.add(Finding{Code: CodeNoRules, Severity: SeverityInfo, Path: "rules",
			Message: "the configuration has no rules: nothing is replicated"})
	}
	for i, r := range cfg.Rules {
		seen := map[ReplicationDestination]int{}
		for j, d := range r.Destinations {
			at := RuleAt(i).Member("destinations").Index(j)
			dp := at.String()
			if c.suppressed(dp) || c.invalid[at.Member("region")] || c.invalid[at.Member("registryId")] {
				continue
			}
			if k, dup := seen[d]; dup {
				c.add(Finding{Code: CodeDuplicateDest, Severity: SeverityWarning, Path: dp,
					Message: fmt.Sprintf("destination %s/%s repeats destination %d of the same rule", d.Region, d.RegistryID, k),
					Hint:    "remove it"})
				continue
			}
			seen[d] = j
		}
		lintFilters(c, i, len(r.RepositoryFilters), func(j int) string { return r.RepositoryFilters[j].Filter }, false)
	}
}
