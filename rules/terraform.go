package rules

import (
	"fmt"

	"github.com/ecrsign/ecrsign/internal/source"
)

// decodeTerraform reads every awscc_ecr_signing_configuration resource of terraform show
// -json output, named by address: from planned_values (a plan) or values (a state), root
// and child modules; from resource_changes when a plan has no planned_values.
func decodeTerraform(doc *Document, root *source.Node, f Format, maxDepth int, b *findingBudget) {
	var walk func(mod *source.Node, depth int)
	found := 0
	walk = func(mod *source.Node, depth int) {
		if mod == nil || mod.Kind != source.Object || depth > maxDepth {
			return
		}
		if rs := mod.Lookup("resources"); rs != nil && rs.Kind == source.Array {
			for _, r := range rs.Items {
				if s := r.Lookup("type"); s == nil || s.Kind != source.String || s.Text != "awscc_ecr_signing_configuration" {
					continue
				}
				addTerraform(doc, r, r.Lookup("values"), f, b)
				found++
			}
		}
		if cm := mod.Lookup("child_modules"); cm != nil && cm.Kind == source.Array {
			for _, m := range cm.Items {
				walk(m, depth+1)
			}
		}
	}
	top := root.Lookup("planned_values")
	if f == FormatTerraformState {
		top = root.Lookup("values")
	}
	walk(top.Lookup("root_module"), 0)
	// Values known only after apply (the ARN of a profile created in the same plan) are
	// absent from planned_values and marked in resource_changes[].change.after_unknown.
	if rcs := root.Lookup("resource_changes"); rcs != nil && rcs.Kind == source.Array {
		byName := map[string]*Config{}
		for _, c := range doc.Configs {
			byName[c.Name] = c
		}
		for _, rc := range rcs.Items {
			a := rc.Lookup("address")
			if a == nil || a.Kind != source.String || byName[a.Text] == nil {
				continue
			}
			markUnknown(byName[a.Text], rc.Lookup("change").Lookup("after_unknown"), "", maxDepth)
		}
	}
	if found > 0 || f != FormatTerraformPlan {
		return
	}
	if rcs := root.Lookup("resource_changes"); rcs != nil && rcs.Kind == source.Array {
		for _, rc := range rcs.Items {
			if s := rc.Lookup("type"); s == nil || s.Kind != source.String || s.Text != "awscc_ecr_signing_configuration" {
				continue
			}
			after := rc.Lookup("change").Lookup("after")
			if after == nil || after.Kind == source.Null {
				continue // being deleted
			}
			addTerraform(doc, rc, after, f, b)
		}
	}
}

func addTerraform(doc *Document, r, values *source.Node, f Format, b *findingBudget) {
	name := ""
	if a := r.Lookup("address"); a != nil && a.Kind == source.String {
		name = a.Text
	}
	c, d := newConfig(doc.File, name, f, KindSigning, styleSnake, b)
	doc.Configs = append(doc.Configs, c)
	c.positions[""] = r.Pos
	if values == nil {
		values = &source.Node{Kind: source.Object, Pos: r.Pos}
	}
	d.signing(values)
}

// terraformNames maps the snake_case attributes of awscc_ecr_signing_configuration to API
// member names.
var terraformNames = map[string]string{
	"rules": "rules", "signing_profile_arn": "signingProfileArn", "repository_filters": "repositoryFilters",
	"filter": "filter", "filter_type": "filterType",
}

// markUnknown records the values a Terraform plan's after_unknown marks as known only after
// apply, so that they are reported as unresolved rather than missing.
func markUnknown(c *Config, n *source.Node, path string, depth int) {
	if n == nil || depth < 0 {
		return
	}
	switch n.Kind {
	case source.Bool:
		if n.Text == "true" && path != "" && !c.problems[path] {
			c.Unresolved = append(c.Unresolved, path)
			c.problems[path] = true
			c.add(Finding{Code: CodeUnresolved, Severity: SeverityInfo, Path: path,
				Message: fmt.Sprintf("%s is known only after apply; it is not checked", memberName(styleSnake, path))})
		}
	case source.Object:
		for _, m := range n.Members {
			if api, ok := terraformNames[m.Key]; ok {
				markUnknown(c, m.Value, join(path, api), depth-1)
			}
		}
	case source.Array:
		for i, it := range n.Items {
			markUnknown(c, it, fmt.Sprintf("%s[%d]", path, i), depth-1)
		}
	}
}
