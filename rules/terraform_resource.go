package rules

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// resource decodes one resource block into a configuration of f's document.
func (m *tfModule) resource(f *tfFile, b *hclsyntax.Block, res tfResource, in tfInstance) *Config {
	name := b.Labels[0] + "." + b.Labels[1] + in.key
	c, d := newConfig(f.name, name, FormatTerraformSource, res.kind, styleSnake, f.budget)
	d.tf = true
	f.doc.Configs = append(f.doc.Configs, c)
	pos := toPos(b.TypeRange.Start)
	c.positions[""] = pos
	ev := &tfEval{m: m, file: f, unknowns: map[source.Pos][]tfCause{}, scope: in.scope}
	values := &source.Node{Kind: source.Object, Pos: pos}
	if res.blocks {
		values = ev.body(b.Body, pos, "", res, 0)
	} else {
		attr := "rules"
		if res.wrapper != "" {
			attr = res.wrapper
		}
		if a, ok := b.Body.Attributes[attr]; ok {
			v := ev.expr(a.Expr, ev.scope)
			values.Members = append(values.Members, source.Member{Key: attr, KeyPos: toPos(a.NameRange.Start),
				Value: ev.node(a.Expr, v, 0)})
		}
	}
	body := terraformBody(values, res, m.o.limits.MaxDepth)
	for _, f := range ev.extra {
		c.add(f)
	}
	checkTerraformMembers(c, body, res)
	if res.kind == KindReplication {
		if body == nil && res.wrapper != "" {
			body = &source.Node{Kind: source.Object, Pos: pos}
			c.problems[""] = true
			c.Replication = &ReplicationConfiguration{}
			c.add(Finding{Code: CodeRequired, Severity: SeverityError, Path: "",
				Message: res.wrapper + " is missing; the resource needs it", Hint: "add a " + res.wrapper + " with its rules"})
		} else {
			d.replication(body)
		}
	} else {
		d.signing(body)
	}
	ev.markUnknown(c)
	checkTerraformBounds(c, res)
	return c
}

// tfInstance is one instance of a resource: its address suffix ([0], ["key"]) and the
// values of count or each in it.
type tfInstance struct {
	key   string
	scope map[string]cty.Value
}

// maxInstances bounds the instances of one resource that are read.
const maxInstances = 100

// instances returns the instances of a resource block: one per element of a known,
// non-empty for_each, one per index of a known, positive count, and otherwise the block
// itself, read once (each and count are then unknown; a count of 0 is read too, as
// terraform validate reads it).
func (m *tfModule) instances(f *tfFile, b *hclsyntax.Block) []tfInstance {
	once := []tfInstance{{}}
	ev := &tfEval{m: m, file: f}
	if a, ok := b.Body.Attributes["for_each"]; ok {
		coll := ev.expr(a.Expr, nil)
		ty := coll.Type()
		if !coll.IsWhollyKnown() || coll.IsNull() || !(ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) || coll.LengthInt() == 0 {
			return once
		}
		var out []tfInstance
		for it := coll.ElementIterator(); it.Next() && len(out) < maxInstances; {
			k, v := it.Element()
			if !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
				return once
			}
			out = append(out, tfInstance{key: fmt.Sprintf("[%q]", k.AsString()),
				scope: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}})
		}
		return out
	}
	if a, ok := b.Body.Attributes["count"]; ok {
		n := ev.expr(a.Expr, nil)
		if !n.IsKnown() || n.IsNull() || n.Type() != cty.Number {
			return once
		}
		count, acc := n.AsBigFloat().Int64()
		if acc != big.Exact || count <= 0 {
			return once
		}
		var out []tfInstance
		for i := int64(0); i < min(count, maxInstances); i++ {
			out = append(out, tfInstance{key: fmt.Sprintf("[%d]", i),
				scope: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}})
		}
		return out
	}
	return once
}

// markUnknown records the values of c that are unknown (absent from the decoded
// configuration, present in ev.unknowns by position) as unresolved, with their causes.
func (ev *tfEval) markUnknown(c *Config) {
	var paths []string
	for p := range c.nulls {
		if _, ok := ev.unknowns[c.positions[p]]; ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		if c.suppressed(p) {
			continue
		}
		causes := ev.unknowns[c.positions[p]]
		c.Unresolved = append(c.Unresolved, p)
		c.problems[p] = true
		msg := fmt.Sprintf("%s is known only when Terraform runs; it is not checked", memberName(styleSnake, p))
		hint := ""
		if len(causes) > 0 {
			var parts []string
			for _, cs := range causes {
				parts = append(parts, cs.String())
				if hint == "" {
					hint = cs.hint
				}
			}
			msg = fmt.Sprintf("%s is not checked: %s", memberName(styleSnake, p), strings.Join(parts, "; "))
		}
		c.add(Finding{Code: CodeUnresolved, Severity: SeverityInfo, Path: p, Message: msg, Hint: hint})
	}
}

func toPos(p hcl.Pos) source.Pos { return source.Pos{Line: p.Line, Column: p.Column} }

// maxBlockDepth bounds the nesting of blocks read: the resources' blocks nest three deep
// (replication_configuration, rule, destination).
const maxBlockDepth = 4

// terraformBlocks are the nested block types of the hashicorp/aws resources, by the block
// that holds them ("" for the resource).
var terraformBlocks = map[string]map[string][]string{
	"signing": {"": {"rule"}, "rule": {"repository_filter"}},
	"replication": {"": {"replication_configuration"}, "replication_configuration": {"rule"},
		"rule": {"destination", "repository_filter"}},
}

// body converts a block body of a hashicorp/aws resource to a source tree: its attributes
// (the resource's own only for nested blocks), and its nested blocks, static and dynamic,
// as lists by type.
func (ev *tfEval) body(b *hclsyntax.Body, pos source.Pos, blockType string, res tfResource, depth int) *source.Node {
	n := &source.Node{Kind: source.Object, Pos: pos}
	if depth > maxBlockDepth {
		return n
	}
	if blockType != "" {
		for _, a := range sortedAttributes(b) {
			v := ev.expr(a.Expr, ev.scope)
			n.Members = append(n.Members, source.Member{Key: a.Name, KeyPos: toPos(a.NameRange.Start), Value: ev.node(a.Expr, v, 0)})
		}
	}
	if blockType != "" {
		ev.checkBlocks(b, blockType, res)
	}
	for _, typ := range terraformBlocks[string(res.kind)][blockType] {
		// An absent block is an empty list, as in terraform show -json output; a dynamic
		// block over an unknown collection makes the whole list unknown.
		list := &source.Node{Kind: source.Array, Pos: n.Pos}
		keyPos := n.Pos
		found, unknown := false, false
		for _, blk := range b.Blocks {
			dynamic := blk.Type == "dynamic" && len(blk.Labels) == 1 && blk.Labels[0] == typ
			if !dynamic && (blk.Type != typ || len(blk.Labels) != 0) || unknown {
				continue
			}
			if !found {
				keyPos, list.Pos, found = toPos(blk.TypeRange.Start), toPos(blk.TypeRange.Start), true
			}
			if !dynamic {
				list.Items = append(list.Items, ev.body(blk.Body, toPos(blk.TypeRange.Start), typ, res, depth+1))
				continue
			}
			items, known := ev.dynamic(blk, typ, res, depth)
			if !known {
				list, unknown = &source.Node{Kind: source.Null, Pos: toPos(blk.TypeRange.Start)}, true
				continue
			}
			list.Items = append(list.Items, items...)
		}
		n.Members = append(n.Members, source.Member{Key: typ, KeyPos: keyPos, Value: list})
	}
	return n
}

// dynamic expands a dynamic block over its for_each collection; known is false when the
// collection is not known (the unknown is recorded).
func (ev *tfEval) dynamic(blk *hclsyntax.Block, typ string, res tfResource, depth int) (items []*source.Node, known bool) {
	pos := toPos(blk.TypeRange.Start)
	fe, ok := blk.Body.Attributes["for_each"]
	if !ok {
		ev.m.finding(CodeExpression, SeverityError, blk.TypeRange, fmt.Sprintf("dynamic %q block has no for_each", typ), "")
		return nil, true
	}
	var content *hclsyntax.Block
	for _, c := range blk.Body.Blocks {
		if c.Type == "content" {
			content = c
		}
	}
	if content == nil {
		ev.m.finding(CodeExpression, SeverityError, blk.TypeRange, fmt.Sprintf("dynamic %q block has no content block", typ), "")
		return nil, true
	}
	iter := typ
	if it, ok := blk.Body.Attributes["iterator"]; ok {
		if kw := hcl.ExprAsKeyword(it.Expr); kw != "" {
			iter = kw
		}
	}
	coll := ev.expr(fe.Expr, ev.scope)
	if !coll.IsWhollyKnown() {
		ev.unknowns[pos] = ev.causes(fe.Expr)
		return nil, false
	}
	ty := coll.Type()
	if coll.IsNull() || !(ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType()) {
		ev.m.finding(CodeExpression, SeverityError, fe.Expr.Range(), fmt.Sprintf("for_each of dynamic %q must be a list, set or map, found %s", typ, ty.FriendlyName()), "")
		return nil, true
	}
	outer := ev.scope
	defer func() { ev.scope = outer }()
	for it := coll.ElementIterator(); it.Next(); {
		k, v := it.Element()
		scope := map[string]cty.Value{}
		for n, val := range outer {
			scope[n] = val
		}
		scope[iter] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
		ev.scope = scope
		items = append(items, ev.body(content.Body, pos, typ, res, depth+1))
		if ev.m.budget.exhausted() {
			break
		}
	}
	return items, true
}

// node converts the value v of expression e to a source tree, positioned at the
// expressions that wrote each part where the structure of the value follows the syntax (a
// list or object written out), at e otherwise. Unknown parts become nulls recorded in
// ev.unknowns with their causes.
func (ev *tfEval) node(e hclsyntax.Expression, v cty.Value, depth int) *source.Node {
	e = unwrapParens(e)
	pos := toPos(e.Range().Start)
	if !v.IsKnown() {
		if _, done := ev.unknowns[pos]; !done {
			ev.unknowns[pos] = ev.causes(e)
		}
		return &source.Node{Kind: source.Null, Pos: pos}
	}
	if v.IsNull() {
		return &source.Node{Kind: source.Null, Pos: pos}
	}
	if n := primitiveNode(v, pos); n != nil {
		return n
	}
	if depth > ev.m.o.limits.MaxDepth {
		ev.unknowns[pos] = []tfCause{{text: exprText(e, ev.file.data), where: where(e.Range()), why: "nests too deep to be read"}}
		return &source.Node{Kind: source.Null, Pos: pos}
	}
	switch ty := v.Type(); {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return ev.arrayNode(e, v, pos, depth)
	case ty.IsMapType() || ty.IsObjectType():
		return ev.objectNode(e, v, pos, depth)
	}
	return &source.Node{Kind: source.Null, Pos: pos}
}

// unwrapParens returns e without the parentheses and wrappers around it.
func unwrapParens(e hclsyntax.Expression) hclsyntax.Expression {
	e = unwrap(e)
	for {
		p, ok := e.(*hclsyntax.ParenthesesExpr)
		if !ok {
			return e
		}
		e = unwrap(p.Expression)
	}
}

// primitiveNode converts a known, non-null string, number or bool at pos; nil for other
// types.
func primitiveNode(v cty.Value, pos source.Pos) *source.Node {
	switch v.Type() {
	case cty.String:
		return &source.Node{Kind: source.String, Pos: pos, Text: v.AsString()}
	case cty.Number:
		f := v.AsBigFloat()
		if i, acc := f.Int64(); acc == big.Exact {
			return &source.Node{Kind: source.Number, Pos: pos, Text: strconv.FormatInt(i, 10)}
		}
		return &source.Node{Kind: source.Number, Pos: pos, Text: f.Text('g', 20)}
	case cty.Bool:
		return &source.Node{Kind: source.Bool, Pos: pos, Text: fmt.Sprint(v.True())}
	}
	return nil
}

// arrayNode converts a list, set or tuple; its items are positioned at the elements of e
// when e writes out a tuple of the same length.
func (ev *tfEval) arrayNode(e hclsyntax.Expression, v cty.Value, pos source.Pos, depth int) *source.Node {
	n := &source.Node{Kind: source.Array, Pos: pos}
	tc, _ := e.(*hclsyntax.TupleConsExpr)
	structural := tc != nil && len(tc.Exprs) == v.LengthInt()
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, elem := it.Element()
		sub := e
		if structural {
			sub = tc.Exprs[i]
		}
		n.Items = append(n.Items, ev.node(sub, elem, depth+1))
	}
	return n
}

// objectNode converts a map or object; its members are positioned at the items of e that
// write them when e writes out an object.
func (ev *tfEval) objectNode(e hclsyntax.Expression, v cty.Value, pos source.Pos, depth int) *source.Node {
	n := &source.Node{Kind: source.Object, Pos: pos}
	items := map[string]hclsyntax.ObjectConsItem{}
	if oc, ok := e.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range oc.Items {
			if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
				items[k.AsString()] = item
			}
		}
	}
	for it := v.ElementIterator(); it.Next(); {
		k, val := it.Element()
		key := k.AsString()
		sub, keyPos := e, pos
		if item, ok := items[key]; ok {
			sub, keyPos = item.ValueExpr, toPos(item.KeyExpr.Range().Start)
		}
		n.Members = append(n.Members, source.Member{Key: key, KeyPos: keyPos, Value: ev.node(sub, val, depth+1)})
	}
	return n
}

// checkBlocks reports the nested blocks of a hashicorp/aws block that its schema does not
// have, as terraform validate does (the resource's own blocks, lifecycle and others, are
// not checked).
func (ev *tfEval) checkBlocks(b *hclsyntax.Body, blockType string, res tfResource) {
	allowed := terraformBlocks[string(res.kind)][blockType]
	for _, blk := range b.Blocks {
		name := blk.Type
		if name == "dynamic" && len(blk.Labels) == 1 {
			name = blk.Labels[0]
		}
		if slices.Contains(allowed, name) {
			continue
		}
		what := "no nested blocks"
		if len(allowed) > 0 {
			what = "only " + strings.Join(allowed, " and ") + " blocks"
		}
		ev.extra = append(ev.extra, Finding{Code: CodeUnknownField, Severity: SeverityError,
			Line: blk.TypeRange.Start.Line, Column: blk.TypeRange.Start.Column,
			Message: fmt.Sprintf("a %s block takes %s, not %q", blockType, what, name), Hint: suggestName(name, allowed)})
	}
}

// terraformMembers are the arguments of each object of a configuration body ({rules: ...},
// in the awscc provider's names), by the list that holds it ("" for the body itself).
var terraformMembers = map[Kind]map[string][]string{
	KindSigning: {"": {"rules"}, "rules": {"signing_profile_arn", "repository_filters"}, "repository_filters": {"filter", "filter_type"}},
	KindReplication: {"": {"rules"}, "rules": {"destinations", "repository_filters"},
		"destinations": {"region", "registry_id"}, "repository_filters": {"filter", "filter_type"}},
}

// checkTerraformMembers reports the arguments of a .tf configuration that its resource type
// does not take, as terraform validate does: a misspelt repository_filters would otherwise
// read as a rule without filters, which signs every repository.
func checkTerraformMembers(c *Config, body *source.Node, res tfResource) {
	var walk func(n *source.Node, list, path string, depth int)
	walk = func(n *source.Node, list, path string, depth int) {
		allowed, ok := terraformMembers[res.kind][list]
		if n == nil || n.Kind != source.Object || !ok || depth > maxBlockDepth {
			return
		}
		names := allowed
		if res.blocks {
			names = make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = providerName(a)
			}
		}
		for _, m := range n.Members {
			if !slices.Contains(allowed, m.Key) {
				c.add(Finding{Code: CodeUnknownField, Severity: SeverityError, Path: join(path, m.Key),
					Line: m.KeyPos.Line, Column: m.KeyPos.Column,
					Message: fmt.Sprintf("unknown argument %q; %s takes %s", m.Key, memberName(styleSnake, path), strings.Join(names, ", ")),
					Hint:    suggestName(m.Key, names)})
				continue
			}
			if m.Value.Kind != source.Array {
				continue
			}
			for i, it := range m.Value.Items {
				walk(it, m.Key, fmt.Sprintf("%s[%d]", join(path, terraformNames[m.Key]), i), depth+1)
			}
		}
	}
	walk(body, "", "", 0)
}

// providerName is the hashicorp/aws name of an awscc attribute: its block's name.
func providerName(awscc string) string {
	for block, attr := range terraformBlockNames {
		if attr == awscc {
			return block
		}
	}
	return awscc
}

// suggestName proposes the allowed name a mistyped one was probably meant to be.
func suggestName(name string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, a := range allowed {
		if editDistance(norm(name), norm(a)) <= 2 {
			return fmt.Sprintf("did you mean %s?", a)
		}
	}
	return ""
}
