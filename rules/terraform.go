package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// tfResource describes how one Terraform resource type holds its configuration.
type tfResource struct {
	kind Kind
	// wrapper is the attribute or block that holds the configuration body ({rules: ...}),
	// "" when the resource's own attributes are the body.
	wrapper string
	// blocks is true for the hashicorp/aws provider, whose rules, destinations and filters
	// are nested blocks with singular names (rule, destination, repository_filter): in JSON
	// output they are lists, and an absent block is an empty list.
	blocks bool
	// minRules and minFilters are the provider's lower bounds where they are stricter than
	// the API's (0 rules, no filters): aws_ecr_signing_configuration's rule is a set of
	// 1..10 and each rule's repository_filter a set of 1..100.
	minRules, minFilters int
}

// terraformResources are the resource types that hold ECR signing and replication
// configurations, by provider: awscc (generated from the CloudFormation schemas, attributes
// named like the API) and hashicorp/aws (nested blocks).
var terraformResources = map[string]tfResource{
	"awscc_ecr_signing_configuration":     {kind: KindSigning},
	"awscc_ecr_replication_configuration": {kind: KindReplication, wrapper: "replication_configuration"},
	"aws_ecr_replication_configuration":   {kind: KindReplication, wrapper: "replication_configuration", blocks: true},
	// Proposed in terraform-provider-aws PR #47527.
	"aws_ecr_signing_configuration": {kind: KindSigning, blocks: true, minRules: 1, minFilters: 1},
}

// nearTerraformType returns the resource type of terraformResources a few edits from typ (a
// typo terraform rejects, which would otherwise pass unchecked), or "".
func nearTerraformType(typ string) string {
	if !strings.Contains(typ, "ecr") {
		return ""
	}
	for _, known := range slices.Sorted(maps.Keys(terraformResources)) {
		if editDistance(typ, known) <= 2 {
			return known
		}
	}
	return ""
}

// terraformTypeList names every resource type read, for messages.
const terraformTypeList = "awscc_ecr_signing_configuration, awscc_ecr_replication_configuration, aws_ecr_signing_configuration or aws_ecr_replication_configuration"

// terraformBlockNames maps the hashicorp/aws provider's singular block names to the
// attribute names of the awscc provider, which follow the API.
var terraformBlockNames = map[string]string{
	"rule": "rules", "destination": "destinations", "repository_filter": "repository_filters",
}

// decodeTerraform reads every ECR signing and replication configuration resource of
// terraform show -json output (terraformResources), named by address: from planned_values
// (a plan) or values (a state), root and child modules; from resource_changes when a plan
// has no planned_values. Values a plan knows only after apply (after_unknown) are reported
// as unresolved. A plan's prior_state is not read: planned_values is what apply configures.
func decodeTerraform(doc *Document, root *source.Node, f Format, maxDepth int, b *findingBudget) {
	d := &tfShowDecoder{doc: doc, format: f, maxDepth: maxDepth, budget: b, resources: map[*Config]tfResource{}}
	top := root.Lookup("planned_values")
	if f == FormatTerraformState {
		top = root.Lookup("values")
	}
	d.module(top.Lookup("root_module"), 0)
	if d.found == 0 && f == FormatTerraformPlan {
		d.resourceChanges(root.Lookup("resource_changes"))
	}
	// Values known only after apply (the ARN of a profile created in the same plan) are
	// absent from planned_values and marked in resource_changes[].change.after_unknown.
	d.afterUnknown(root.Lookup("resource_changes"))
	for c, res := range d.resources {
		checkTerraformBounds(c, res)
	}
	if d.found == 0 {
		what := "plan"
		if f == FormatTerraformState {
			what = "state"
		}
		doc.Findings = append(doc.Findings, Finding{Code: CodeNoConfig, Severity: SeverityError, File: doc.File,
			Line: root.Pos.Line, Column: root.Pos.Column,
			Message: fmt.Sprintf("the Terraform %s holds no awscc_ecr_signing_configuration resource, nor any %s",
				what, strings.TrimPrefix(terraformTypeList, "awscc_ecr_signing_configuration, "))})
	}
}

// tfShowDecoder holds what decodeTerraform has read so far of terraform show -json output.
type tfShowDecoder struct {
	doc      *Document
	format   Format
	maxDepth int
	budget   *findingBudget
	// resources describes the resource each decoded configuration came from.
	resources map[*Config]tfResource
	found     int
}

// add decodes the configuration of resource r with attribute values values.
func (d *tfShowDecoder) add(r, values *source.Node, res tfResource) {
	d.resources[addTerraform(d.doc, r, values, res, d.format, d.budget, d.maxDepth)] = res
	d.found++
}

// module reads the resources of a module of planned_values or values, and of its child
// modules, depth levels down.
func (d *tfShowDecoder) module(mod *source.Node, depth int) {
	if mod == nil || mod.Kind != source.Object || depth > d.maxDepth {
		return
	}
	for _, r := range arrayItems(mod.Lookup("resources")) {
		if res, ok := terraformResourceOf(r); ok {
			d.add(r, r.Lookup("values"), res)
		}
	}
	for _, m := range arrayItems(mod.Lookup("child_modules")) {
		d.module(m, depth+1)
	}
}

// resourceChanges reads the resources of a plan's resource_changes, skipping those being
// deleted.
func (d *tfShowDecoder) resourceChanges(rcs *source.Node) {
	for _, rc := range arrayItems(rcs) {
		res, ok := terraformResourceOf(rc)
		if !ok {
			continue
		}
		after := rc.Lookup("change").Lookup("after")
		if after == nil || after.Kind == source.Null {
			continue // being deleted
		}
		d.add(rc, after, res)
	}
}

// afterUnknown marks as unresolved the values of decoded configurations that
// resource_changes[].change.after_unknown says are known only after apply.
func (d *tfShowDecoder) afterUnknown(rcs *source.Node) {
	items := arrayItems(rcs)
	if items == nil {
		return
	}
	byName := map[string]*Config{}
	for _, c := range d.doc.Configs {
		byName[c.Name] = c
	}
	for _, rc := range items {
		a := rc.Lookup("address")
		res, ok := terraformResourceOf(rc)
		if a == nil || a.Kind != source.String || byName[a.Text] == nil || !ok {
			continue
		}
		c := byName[a.Text]
		unknown := terraformBody(rc.Lookup("change").Lookup("after_unknown"), res, d.maxDepth)
		if unknown != nil && unknown.Kind == source.Bool && unknown.Text == "true" {
			// The whole configuration is known only after apply.
			markUnknown(c, &source.Node{Kind: source.Object, Members: []source.Member{{Key: "rules", Value: unknown}}}, "", d.maxDepth)
			continue
		}
		markUnknown(c, unknown, "", d.maxDepth)
	}
}

// arrayItems returns the items of n if it is an array, else nil.
func arrayItems(n *source.Node) []*source.Node {
	if n == nil || n.Kind != source.Array {
		return nil
	}
	return n.Items
}

// terraformResourceOf returns the description of a managed resource of terraform show -json
// output, if it holds an ECR configuration.
func terraformResourceOf(r *source.Node) (tfResource, bool) {
	t := r.Lookup("type")
	if t == nil || t.Kind != source.String {
		return tfResource{}, false
	}
	if m := r.Lookup("mode"); m != nil && m.Kind == source.String && m.Text != "managed" {
		return tfResource{}, false // a data source
	}
	res, ok := terraformResources[t.Text]
	return res, ok
}

// addTerraform decodes the configuration of one resource, r, whose attribute values are
// values.
func addTerraform(doc *Document, r, values *source.Node, res tfResource, f Format, b *findingBudget, maxDepth int) *Config {
	name := ""
	if a := r.Lookup("address"); a != nil && a.Kind == source.String {
		name = a.Text
	}
	c, d := newConfig(doc.File, name, f, res.kind, styleSnake, b)
	doc.Configs = append(doc.Configs, c)
	c.positions[""] = r.Pos
	if values == nil {
		values = &source.Node{Kind: source.Object, Pos: r.Pos}
	}
	body := terraformBody(values, res, maxDepth)
	if res.kind == KindReplication {
		d.replication(body)
	} else {
		d.signing(body)
	}
	return c
}

// terraformBody returns the configuration body ({rules: [...]}, API structure, snake_case
// names) of a resource's values, or of its after_unknown marks, which have the same shape.
// hashicorp/aws blocks are renamed to the awscc attribute names, an absent (empty)
// repository_filter block list becomes null, which means absent, and the one
// replication_configuration block is unwrapped. nil when the values hold no body.
func terraformBody(values *source.Node, res tfResource, maxDepth int) *source.Node {
	if values == nil {
		return nil
	}
	if res.blocks {
		values = renameBlocks(values, maxDepth)
	}
	if res.wrapper == "" {
		return values
	}
	if values.Kind != source.Object {
		return values // a wrong type, or an after_unknown true: reported by the caller
	}
	body := values.Lookup(res.wrapper)
	if res.blocks && body != nil && body.Kind == source.Array {
		if len(body.Items) == 0 {
			return nil
		}
		body = body.Items[0] // the block allows one
	}
	return body
}

// renameBlocks copies n with the hashicorp/aws block names renamed (terraformBlockNames);
// an empty repository_filters list (no repository_filter block) becomes null.
func renameBlocks(n *source.Node, depth int) *source.Node {
	if depth < 0 {
		return n
	}
	switch n.Kind {
	case source.Object:
		out := *n
		out.Members = make([]source.Member, len(n.Members))
		for i, m := range n.Members {
			v := renameBlocks(m.Value, depth-1)
			if name, ok := terraformBlockNames[m.Key]; ok {
				m.Key = name
				if name == "repository_filters" && v.Kind == source.Array && len(v.Items) == 0 {
					v = &source.Node{Kind: source.Null, Pos: v.Pos}
				}
			}
			m.Value = v
			out.Members[i] = m
		}
		return &out
	case source.Array:
		out := *n
		out.Items = make([]*source.Node, len(n.Items))
		for i, it := range n.Items {
			out.Items[i] = renameBlocks(it, depth-1)
		}
		return &out
	}
	return n
}

// checkTerraformBounds reports where a provider's schema is stricter than the API
// (aws_ecr_signing_configuration: at least one rule block, and at least one
// repository_filter block in each): the plan fails although the API would accept the
// configuration.
func checkTerraformBounds(c *Config, res tfResource) {
	if c.Signing == nil || c.suppressed("rules") {
		return
	}
	if res.minRules > 0 && c.Signing.Rules != nil && len(c.Signing.Rules) < res.minRules {
		c.add(Finding{Code: CodeProviderSchema, Severity: SeverityError, Path: "rules",
			Message: fmt.Sprintf("no rule block: the provider's schema requires %d to %d (the API itself would accept an empty list, which signs nothing)", res.minRules, MaxSigningRules),
			Hint:    "add a rule block, or remove the resource to sign nothing"})
	}
	for i, r := range c.Signing.Rules {
		p := RulePath(i) + ".repositoryFilters"
		if res.minFilters == 0 || r.RepositoryFilters != nil || c.suppressed(p) || !c.present(RulePath(i)) {
			continue
		}
		c.add(Finding{Code: CodeProviderSchema, Severity: SeverityError, Path: RulePath(i),
			Message: fmt.Sprintf("rule has no repository_filter block: the provider's schema requires %d to %d (the API itself would apply the rule to every repository)", res.minFilters, MaxSigningFilters),
			Hint:    `add repository_filter { filter = "*", filter_type = "WILDCARD_MATCH" } to sign every repository`})
	}
}

// terraformNames maps the snake_case attributes of the configuration body to API member
// names.
var terraformNames = map[string]string{
	"rules": "rules", "signing_profile_arn": "signingProfileArn", "repository_filters": "repositoryFilters",
	"filter": "filter", "filter_type": "filterType",
	"destinations": "destinations", "region": "region", "registry_id": "registryId",
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
			if m.Key == "registry_id" && path == "" {
				continue // the resource's registry, not a destination's
			}
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
