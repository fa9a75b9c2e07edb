package match

import (
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/rules"
)

// Check returns every finding of a decoded document, as ecrsign validate reports them: those
// of package rules (decoding, API constraints, lints) and the analysis of each configuration
// without errors (Analyze: redundant filters, shadowed rules, filters no repository name
// matches, overlapping rules), positioned in the source and sorted by configuration and
// position. Analysis findings that repeat a lint of package rules are left out: a filter
// repeated (ECR300) or beside "*" (ECR306) is not also reported redundant (ECR401).
func Check(doc *rules.Document) []rules.Finding {
	all := doc.AllFindings()
	for _, c := range doc.Configs {
		all = append(all, analyzeConfig(c)...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Config != b.Config {
			return a.Config < b.Config
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Code < b.Code
	})
	return all
}

// analyzeConfig compiles a configuration and returns its analysis findings, positioned in
// the source. A configuration with an error is not analysed (values the API would reject, or
// that did not decode, would mislead it), nor one whose filters stay unknown; profile ARNs
// that stay unknown stand for distinct unknown profiles.
func analyzeConfig(c *rules.Config) []rules.Finding {
	skip := map[string]bool{} // filter paths already reported redundant by package rules
	starRules := map[string]bool{}
	for _, f := range c.Findings {
		switch {
		case f.Severity == rules.SeverityError:
			return nil
		case f.Code == rules.CodeDuplicateFilter:
			skip[strings.TrimSuffix(f.Path, ".filter")] = true
		case f.Code == rules.CodeStarWithOthers:
			rule, _, _ := strings.Cut(f.Path, ".")
			starRules[rule] = true
		}
	}
	var m *Matcher
	var err error
	switch {
	case c.Signing != nil:
		cfg, ok := c.AnalysisSigning()
		if !ok {
			return nil
		}
		m, err = Compile(cfg)
	case c.Replication != nil:
		if len(c.Unresolved) > 0 {
			return nil
		}
		m, err = CompileReplication(c.Replication)
	default:
		return nil
	}
	if err != nil {
		return []rules.Finding{c.Position(rules.Finding{Code: rules.CodeAnalysisTruncated, Severity: rules.SeverityInfo,
			Message: "the configuration was not analysed: " + err.Error()})}
	}
	var out []rules.Finding
	for _, f := range m.Analyze() {
		if f.Code == rules.CodeRedundantFilter {
			rule, _, _ := strings.Cut(f.Path, ".")
			if skip[f.Path] || starRules[rule] {
				continue
			}
		}
		out = append(out, c.Position(f))
	}
	return out
}
