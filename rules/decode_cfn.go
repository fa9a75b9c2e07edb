package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// The CloudFormation resource types of the configurations.
const (
	SigningResourceType     = "AWS::ECR::SigningConfiguration"
	ReplicationResourceType = "AWS::ECR::ReplicationConfiguration"
)

// decodeCloudFormation reads every signing and replication configuration resource of a
// template, named by logical ID (by construct path in CDK output), as CloudFormation
// evaluates it: parameters take their values from o or their Default, pseudo parameters
// from o, and intrinsic functions and conditions are evaluated (cfn_eval.go). Each Fn::If
// branch not taken is checked too, as a variant of the configuration whose findings name
// the branch; a resource that depends on conditions that stay unknown lists its outcomes.
func decodeCloudFormation(doc *Document, root *source.Node, f Format, b *findingBudget, o *options) {
	res := root.Lookup("Resources")
	if res == nil || res.Kind != source.Object {
		return
	}
	t := newTemplate(root, o)
	t.checkConditions()
	for _, m := range res.Members {
		typ := m.Value.Lookup("Type")
		if typ == nil || typ.Kind != source.String {
			continue
		}
		var kind Kind
		switch typ.Text {
		case SigningResourceType:
			kind = KindSigning
		case ReplicationResourceType:
			kind = KindReplication
		default:
			if want := resourceTypeTypo(typ.Text); want != "" {
				t.report(m.Key, CodeResourceType, SeverityError, typ.Pos,
					fmt.Sprintf("resource type %q is not a CloudFormation resource type: did you mean %s?", typ.Text, want),
					"CloudFormation rejects the template; ecrsign checks the resource once its type is "+want)
			}
			continue
		}
		decodeResource(doc, t, m, kind, f, b)
	}
	for _, fd := range t.findings {
		if b.take(fd.Severity) {
			fd.File = doc.File
			doc.Findings = append(doc.Findings, fd)
		}
	}
}

// resourceTypeTypo returns the configuration resource type typ is probably a misspelling
// of, "" when it is none: the same letters in another case, or a few edits away.
func resourceTypeTypo(typ string) string {
	if len(typ) > 2*len(ReplicationResourceType) {
		return ""
	}
	l := strings.ToLower(typ)
	for _, want := range []string{SigningResourceType, ReplicationResourceType} {
		if l == strings.ToLower(want) || editDistance(l, strings.ToLower(want)) <= 3 {
			return want
		}
	}
	return ""
}

// decodeResource decodes one configuration resource m of kind, with its variants and
// outcomes.
func decodeResource(doc *Document, t *template, m source.Member, kind Kind, f Format, b *findingBudget) {
	name, logicalID := m.Key, ""
	if path := cdkPath(m.Value); path != "" {
		name, logicalID, f = path, m.Key, FormatCDK
	}
	props := m.Value.Lookup("Properties")
	cond := m.Value.Lookup("Condition")
	ev := t.evaluation(name, nil, nil)
	c := decodeProperties(doc.File, name, f, kind, m.Value.Pos, props, ev, b)
	c.LogicalID = logicalID
	doc.Configs = append(doc.Configs, c)

	unknownConds := resourceConditions(t, c, ev, cond)
	if len(ev.ifs) > 0 {
		addVariants(t, c, ev, func(forced map[*source.Node]int) (*Config, *evaluation) {
			vev := t.evaluation(name, forced, nil)
			return decodeProperties(doc.File, name, f, kind, m.Value.Pos, props, vev, &findingBudget{left: MaxFindings}), vev
		}, m.Value.Pos)
	}
	if len(unknownConds) > 0 {
		c.Outcomes = outcomes(t, unknownConds, cond, func(e *evaluation) *Config {
			return decodeProperties(doc.File, name, f, kind, m.Value.Pos, props, e, &findingBudget{})
		}, name)
	}
}

// resourceConditions records what the conditions of resource c say: its Condition (false:
// the resource is not created), and the conditions that stay unknown, which it returns, each
// with an ECR108 finding that says how to give what it needs.
func resourceConditions(t *template, c *Config, ev *evaluation, cond *source.Node) []string {
	var unknown []string
	if cond != nil {
		if cond.Kind != source.String {
			t.report(c.Name, CodeTemplate, SeverityError, cond.Pos, "a resource's Condition is the name of a condition, not "+cond.Brief(), "")
		} else {
			switch v := ev.condition(cond.Text, cond, 0); v.v {
			case triFalse:
				c.NotCreated = fmt.Sprintf("its Condition %s is false", cond.Text)
			case triUnknown:
				if _, ok := t.conditions[cond.Text]; ok {
					unknown = append(unknown, cond.Text)
				}
			}
		}
	}
	for _, n := range ev.unknownConds {
		if !containsString(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	for _, n := range unknown {
		v := ev.condition(n, cond, 0)
		c.late = append(c.late, Finding{Code: CodeUnresolved, Severity: SeverityInfo,
			Message: fmt.Sprintf("the configuration depends on condition %s, which is unknown (%s); both outcomes are checked", n, strings.TrimPrefix(v.why, "condition "+n+" is unknown: ")),
			Hint:    v.hint})
	}
	return unknown
}

// addVariants decodes c again with each Fn::If branch its evaluation ev did not take, and
// with the branches those variants meet in turn, each branch once, up to
// MaxBranchVariants; decode evaluates and decodes one variant.
func addVariants(t *template, c *Config, ev *evaluation, decode func(forced map[*source.Node]int) (*Config, *evaluation), at source.Pos) {
	name := c.Name
	type ifKey struct {
		node  *source.Node
		taken int
	}
	done := map[ifKey]bool{}
	var queue []map[*source.Node]int
	names := map[*source.Node]string{}
	visit := func(e *evaluation, forced map[*source.Node]int) {
		for _, ch := range e.ifs {
			done[ifKey{ch.node, ch.taken}] = true
			names[ch.node] = ch.cond
		}
		for _, ch := range e.ifs {
			other := ifKey{ch.node, 1 - ch.taken}
			if done[other] {
				continue
			}
			done[other] = true
			next := map[*source.Node]int{ch.node: other.taken}
			for k, v := range forced {
				next[k] = v
			}
			queue = append(queue, next)
		}
	}
	visit(ev, nil)
	if len(queue) > 0 {
		taken := map[*source.Node]int{}
		for _, ch := range ev.ifs {
			taken[ch.node] = ch.taken
		}
		c.label = forcedLabel(taken, names)
	}
	for len(queue) > 0 {
		if len(c.variants) == MaxBranchVariants {
			t.report(name, CodeTemplateLimit, SeverityInfo, at,
				fmt.Sprintf("%d more Fn::If branches are not checked: a resource is checked with at most %d variants (MaxBranchVariants)", len(queue), MaxBranchVariants), "")
			break
		}
		if t.values > MaxTemplateValues {
			t.report(name, CodeTemplateLimit, SeverityInfo, at,
				fmt.Sprintf("%d more Fn::If branches are not checked: the template's evaluations visited more than %d values (MaxTemplateValues)", len(queue), MaxTemplateValues), "")
			break
		}
		forced := queue[0]
		queue = queue[1:]
		vc, vev := decode(forced)
		visit(vev, forced)
		c.variants = append(c.variants, variant{c: vc, label: forcedLabel(forced, names)})
	}
}

// outcomes returns what the configuration is for each combination of the unknown
// conditions conds (at most MaxOutcomes); cond is the resource's Condition, if any.
func outcomes(t *template, conds []string, cond *source.Node, decode func(*evaluation) *Config, name string) []Outcome {
	var out []Outcome
	for i := 0; i < 1<<len(conds) && i < MaxOutcomes; i++ {
		assume := map[string]bool{}
		var o Outcome
		for j, n := range conds {
			v := i&(1<<j) == 0
			assume[n] = v
			o.Conditions = append(o.Conditions, fmt.Sprintf("%s=%t", n, v))
		}
		oev := t.evaluation(name, nil, assume)
		if cond != nil && cond.Kind == source.String && oev.condition(cond.Text, cond, 0).v == triFalse {
			o.NotCreated = true
		}
		oc := decode(oev)
		o.Signing, o.Replication = oc.Signing, oc.Replication
		out = append(out, o)
	}
	return out
}

// maxLabelBranches bounds the branches a label names.
const maxLabelBranches = 3

// forcedLabel names the branches a configuration takes, in the order of the template: each
// condition and branch once, at most maxLabelBranches of them.
func forcedLabel(forced map[*source.Node]int, names map[*source.Node]string) string {
	nodes := make([]*source.Node, 0, len(forced))
	for n := range forced {
		nodes = append(nodes, n)
	}
	sort.Slice(nodes, func(i, j int) bool { return before(nodes[i].Pos, nodes[j].Pos) })
	var parts []string
	for _, n := range nodes {
		l := branchLabel(names[n], forced[n])
		if containsString(parts, l) {
			continue
		}
		if len(parts) == maxLabelBranches {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, ", ")
}

// decodeProperties evaluates the Properties of a configuration resource and decodes them.
func decodeProperties(file, name string, f Format, kind Kind, at source.Pos, props *source.Node, ev *evaluation, b *findingBudget) *Config {
	c, d := newConfig(file, name, f, kind, styleCFN, b)
	d.ev = ev
	c.positions[""] = at
	if props != nil {
		props = ev.eval(props, 0, "")
	}
	if props == nil || props == noValue {
		props = &source.Node{Kind: source.Object, Pos: at}
	}
	if kind == KindSigning {
		// RegistryId is a read-only property of the schema; it is allowed in a template.
		body := props
		if props.Kind == source.Object {
			body = &source.Node{Kind: source.Object, Pos: props.Pos}
			for _, pm := range props.Members {
				if pm.Key != "RegistryId" {
					body.Members = append(body.Members, pm)
				}
			}
		}
		d.signing(body)
		return c
	}
	// RegistryId is a read-only property of this schema too.
	pm, ok := d.object(props, "", "replicationConfiguration", "registryId")
	if !ok {
		return c
	}
	if pm["replicationConfiguration"] == nil {
		c.Replication = &ReplicationConfiguration{}
		d.problem("", props, CodeRequired, SeverityError, "ReplicationConfiguration is required", "")
		return c
	}
	d.replication(pm["replicationConfiguration"])
	return c
}

// MaxParametersFileSize bounds a parameters file ReadParameters reads.
const MaxParametersFileSize = 1 << 20

// ReadParameters reads template parameter values from a parameters file in either form
// people keep them: the AWS CLI's list (aws cloudformation create-stack --parameters
// file://...),
//
//	[{"ParameterKey": "Env", "ParameterValue": "prod"}]
//
// or CloudFormation's template configuration file (CodePipeline, deploy --parameter-overrides),
//
//	{"Parameters": {"Env": "prod"}}
func ReadParameters(data []byte) (map[string]string, error) {
	if len(data) > MaxParametersFileSize {
		return nil, fmt.Errorf("parameters file is %d bytes, more than the %d accepted", len(data), MaxParametersFileSize)
	}
	trimmed := strings.TrimSpace(string(data))
	out := map[string]string{}
	switch {
	case strings.HasPrefix(trimmed, "["):
		var list []struct {
			Key              *string `json:"ParameterKey"`
			Value            *string `json:"ParameterValue"`
			UsePreviousValue bool    `json:"UsePreviousValue"`
			ResolvedValue    string  `json:"ResolvedValue"`
		}
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf(`parameters file is not a list of {"ParameterKey": ..., "ParameterValue": ...}: %w`, err)
		}
		for i, p := range list {
			switch {
			case p.Key == nil:
				return nil, fmt.Errorf("parameters file: element %d has no ParameterKey", i)
			case p.Value == nil && p.UsePreviousValue:
				continue // the deployed stack's value, not known here
			case p.Value == nil:
				return nil, fmt.Errorf("parameters file: parameter %s has no ParameterValue", *p.Key)
			}
			out[*p.Key] = *p.Value
		}
	case strings.HasPrefix(trimmed, "{"):
		var cfg struct {
			Parameters map[string]any `json:"Parameters"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			return nil, fmt.Errorf(`parameters file is not {"Parameters": {"NAME": "VALUE", ...}}: %w`, err)
		}
		if cfg.Parameters == nil {
			return nil, fmt.Errorf(`parameters file has no "Parameters" object: write {"Parameters": {"NAME": "VALUE", ...}} (CloudFormation template configuration) or [{"ParameterKey": "NAME", "ParameterValue": "VALUE"}, ...] (AWS CLI)`)
		}
		for k, v := range cfg.Parameters {
			switch v := v.(type) {
			case string:
				out[k] = v
			case float64, bool:
				out[k] = fmt.Sprint(v)
			default:
				return nil, fmt.Errorf("parameters file: parameter %s is not a string", k)
			}
		}
	default:
		return nil, fmt.Errorf(`parameters file is neither [{"ParameterKey": ..., "ParameterValue": ...}] nor {"Parameters": {...}}`)
	}
	return out, nil
}

func before(a, b source.Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
}
