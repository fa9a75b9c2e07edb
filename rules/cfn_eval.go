package rules

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ecrsign/ecrsign/internal/source"
)

// Bounds of the evaluation of a CloudFormation template. Each stops evaluation with an
// ECR114 finding that names it; the values it did not reach stay unknown.
const (
	// MaxIntrinsicDepth is the deepest nesting of intrinsic functions inside one another
	// (and of conditions inside conditions). Real templates nest three or four.
	MaxIntrinsicDepth = 16
	// MaxEvaluatedValues is the most values one evaluation of a resource visits or builds
	// (Fn::Join, Fn::Split and Fn::FindInMap make values; Fn::If branches are evaluated
	// again for each variant). The largest valid configuration written with a function in
	// every value evaluates to about 5,000.
	MaxEvaluatedValues = 50_000
	// MaxTemplateValues is the most values all evaluations of a template visit or build
	// together: past it, the Fn::If branches not yet checked are left unchecked (ECR114).
	MaxTemplateValues = 500_000
	// MaxEvaluatedString is the longest string Fn::Join or Fn::Sub may build, in bytes.
	MaxEvaluatedString = 64 << 10
	// MaxBranchVariants is the most configurations checked per resource with other Fn::If
	// branches taken; every branch of a template with fewer Fn::If functions is checked.
	MaxBranchVariants = 32
	// MaxOutcomes is the most outcomes of unknown conditions computed per resource (three
	// unknown conditions).
	MaxOutcomes = 8
)

// template is what evaluating a CloudFormation template needs of it: parameters with their
// values, mappings, conditions, the names of resources, and the pseudo parameters known.
type template struct {
	params     map[string]*templateParam
	paramNames []string
	mappings   *source.Node
	conditions map[string]*source.Node
	resources  map[string]bool
	// transformed is set for a template with a Transform (SAM, macros): it creates
	// resources it does not list, so a Ref or Fn::GetAtt of an unlisted name is unknown,
	// not an error.
	transformed bool
	pseudo      map[string]string
	// findings are the template errors found, each once, by configuration name.
	findings []Finding
	reported map[string]bool
	// values counts the values of every evaluation, against MaxTemplateValues.
	values int
}

// templateParam is a parameter of a template and its value, when known.
type templateParam struct {
	known bool
	value string
	list  bool
	// what and hint say why the value is unknown and how to give it.
	what, hint string
}

// unknownValue is a value that stays unknown, and how to supply it.
type unknownValue struct {
	what, hint string
	// failed is true when a template error (already reported) made the value unknown.
	failed bool
}

// tri is a condition's value: false, true or unknown.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

// condValue is the value of a condition; why and hint say why it is unknown.
type condValue struct {
	v         tri
	why, hint string
}

// noValue is what AWS::NoValue evaluates to: the member or element holding it is removed.
var noValue = &source.Node{Kind: source.Null}

// pseudoParams are the pseudo parameters a template may Ref, with how to give each.
var pseudoParams = map[string]string{
	"AWS::Region":           "give it with --region",
	"AWS::AccountId":        "give it with --account-id",
	"AWS::Partition":        "give it with --region",
	"AWS::URLSuffix":        "give it with --region",
	"AWS::StackName":        "it is known only when the stack is created: write the value, or make it a parameter",
	"AWS::StackId":          "it is known only when the stack is created: write the value, or make it a parameter",
	"AWS::NotificationARNs": "it is known only when the stack is created: write the value, or make it a parameter",
}

// newTemplate reads the parameters, mappings and conditions of a template and the values
// of its parameters and pseudo parameters from o.
func newTemplate(root *source.Node, o *options) *template {
	t := &template{params: map[string]*templateParam{}, conditions: map[string]*source.Node{},
		resources: map[string]bool{}, pseudo: map[string]string{}, reported: map[string]bool{}}
	if region := cmpOr(o.region, o.pseudoRegion); region != "" {
		t.pseudo["AWS::Region"] = region
		t.pseudo["AWS::Partition"], t.pseudo["AWS::URLSuffix"] = partitionOf(region)
	}
	if o.accountID != "" {
		t.pseudo["AWS::AccountId"] = o.accountID
	}
	if ps := root.Lookup("Parameters"); ps != nil && ps.Kind == source.Object {
		for _, m := range ps.Members {
			p := &templateParam{}
			typ := ""
			if n := m.Value.Lookup("Type"); n != nil && n.Kind == source.String {
				typ = n.Text
			}
			p.list = typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
			def := m.Value.Lookup("Default")
			given, isGiven := o.parameters[m.Key]
			switch {
			case isGiven:
				p.known, p.value = true, given
			case strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<"):
				p.what = fmt.Sprintf("parameter %s is of type %s: CloudFormation reads its value from Systems Manager at deployment", m.Key, typ)
				p.hint = fmt.Sprintf("give the value with --parameter %s=VALUE", m.Key)
			case def != nil && (def.Kind == source.String || def.Kind == source.Number || def.Kind == source.Bool):
				p.known, p.value = true, def.Text
			default:
				p.what = fmt.Sprintf("parameter %s has no Default and no value was given", m.Key)
				p.hint = fmt.Sprintf("give it with --parameter %s=VALUE, a --parameters-file, or parameters: in .ecrsign.yaml", m.Key)
			}
			if p.known {
				t.checkAllowed(m, p.value, isGiven)
			}
			t.params[m.Key] = p
			t.paramNames = append(t.paramNames, m.Key)
		}
	}
	if ms := root.Lookup("Mappings"); ms != nil && ms.Kind == source.Object {
		t.mappings = ms
	}
	if cs := root.Lookup("Conditions"); cs != nil && cs.Kind == source.Object {
		for _, m := range cs.Members {
			t.conditions[m.Key] = m.Value
		}
	}
	if rs := root.Lookup("Resources"); rs != nil && rs.Kind == source.Object {
		for _, m := range rs.Members {
			t.resources[m.Key] = true
		}
	}
	t.transformed = root.Lookup("Transform") != nil
	return t
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkAllowed reports a parameter value that is not one of the parameter's AllowedValues:
// CloudFormation refuses to create the stack.
func (t *template) checkAllowed(m source.Member, value string, given bool) {
	allowed := m.Value.Lookup("AllowedValues")
	if allowed == nil || allowed.Kind != source.Array {
		return
	}
	var values []string
	for _, a := range allowed.Items {
		if a.Text == value && (a.Kind == source.String || a.Kind == source.Number || a.Kind == source.Bool) {
			return
		}
		values = append(values, a.Text)
	}
	from := "its Default"
	if given {
		from = "the value given"
	}
	t.report("", CodeTemplate, SeverityError, m.KeyPos,
		fmt.Sprintf("parameter %s: %s, %q, is not one of its AllowedValues (%s); CloudFormation refuses to create the stack", m.Key, from, value, strings.Join(values, ", ")), "")
}

// partitionOf returns the partition and URL suffix of a region.
func partitionOf(region string) (partition, urlSuffix string) {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov", "amazonaws.com"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso", "c2s.ic.gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b", "sc2s.sgov.gov"
	}
	return "aws", "amazonaws.com"
}

// report records a template error once; config names the resource it was found in.
func (t *template) report(config string, code Code, sev Severity, pos source.Pos, msg, hint string) {
	key := fmt.Sprintf("%d:%d\x00%s", pos.Line, pos.Column, msg)
	if t.reported[key] {
		return
	}
	t.reported[key] = true
	t.findings = append(t.findings, Finding{Code: code, Severity: sev, Config: config, Line: pos.Line, Column: pos.Column, Message: msg, Hint: hint})
}

// evaluation is one evaluation of a resource's properties: with every condition as the
// parameters give it, or with some Fn::If branches forced (to check them), or some unknown
// conditions assumed (to say what each outcome gives).
type evaluation struct {
	t      *template
	config string // the resource, for findings
	force  map[*source.Node]int
	assume map[string]bool

	unknown map[*source.Node]unknownValue
	branch  map[*source.Node]string
	// ifs lists the Fn::If functions met and the branch taken (0: true, 1: false).
	ifs []ifChoice
	// unknownConds lists the unknown conditions the result depends on, in the order met.
	unknownConds []string
	conds        map[string]condValue
	busy         []string // conditions being evaluated, to find cycles
	values       int
	stopped      bool
	stoppedAt    *source.Node
}

type ifChoice struct {
	node  *source.Node
	cond  string
	taken int
}

func (t *template) evaluation(config string, force map[*source.Node]int, assume map[string]bool) *evaluation {
	return &evaluation{t: t, config: config, force: force, assume: assume}
}

// intrinsicCall returns the function and argument of a CloudFormation intrinsic function:
// {"Ref": X}, {"Fn::Name": X}, or a short-form tag, !Ref X, !Name X (!GetAtt A.B is
// Fn::GetAtt [A, B]). It is the one place where both forms are read.
func intrinsicCall(n *source.Node) (fn string, arg *source.Node, ok bool) {
	switch {
	case n.Kind == source.Tagged:
		name := strings.TrimPrefix(n.Text, "!")
		switch name {
		case "Ref", "Condition":
			fn = name
		default:
			fn = "Fn::" + name
		}
		arg = n.Value
		if fn == "Fn::GetAtt" && arg != nil && arg.Kind == source.String {
			res, attr, _ := strings.Cut(arg.Text, ".")
			arg = &source.Node{Kind: source.Array, Pos: arg.Pos, Items: []*source.Node{
				{Kind: source.String, Pos: arg.Pos, Text: res}, {Kind: source.String, Pos: arg.Pos, Text: attr}}}
		}
		return fn, arg, true
	case n.Kind == source.Object && len(n.Members) == 1:
		k := n.Members[0].Key
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Members[0].Value, true
		}
	}
	return "", nil, false
}

// unknownAt returns a new value standing for one that stays unknown.
func (e *evaluation) unknownAt(n *source.Node, u unknownValue) *source.Node {
	v := &source.Node{Kind: source.Null, Pos: n.Pos}
	if e.unknown == nil {
		e.unknown = map[*source.Node]unknownValue{}
	}
	e.unknown[v] = u
	return v
}

// fail reports a template error at n and returns an unknown value.
func (e *evaluation) fail(n *source.Node, msg, hint string) *source.Node {
	e.t.report(e.config, CodeTemplate, SeverityError, n.Pos, msg, hint)
	return e.unknownAt(n, unknownValue{what: msg, failed: true})
}

// suggestResource is the hint for a reference to a resource the template lacks: the
// resource a few letters from name, if any.
func (t *template) suggestResource(name string) string {
	names := make([]string, 0, len(t.resources))
	for r := range t.resources {
		names = append(names, r)
	}
	slices.Sort(names)
	for _, r := range names {
		if editDistance(strings.ToLower(r), strings.ToLower(name)) <= 2 {
			return "did you mean " + r + "?"
		}
	}
	return "name a resource of the template's Resources section"
}

// gotInstead says what a function's argument arg is when it is not the list the function
// takes: ", not a list of 4 values", ", not a string".
func gotInstead(arg *source.Node) string {
	if arg.Kind == source.Array {
		return fmt.Sprintf(", not a list of %d %s", len(arg.Items), map[bool]string{true: "value", false: "values"}[len(arg.Items) == 1])
	}
	return ", not " + arg.Brief()
}

// limit reports an exceeded bound at n and returns an unknown value.
func (e *evaluation) limit(n *source.Node, msg string) *source.Node {
	e.stopped = true
	e.t.report(e.config, CodeTemplateLimit, SeverityError, n.Pos, msg, "simplify the template")
	return e.unknownAt(n, unknownValue{what: msg, failed: true})
}

// eval returns n with every intrinsic function replaced by its value: a literal, noValue,
// or a value registered as unknown. Values without functions are returned as they are.
// label names the Fn::If branches n is in.
func (e *evaluation) eval(n *source.Node, depth int, label string) *source.Node {
	if n == nil {
		return nil
	}
	if e.stopped {
		if e.stoppedAt == nil {
			e.stoppedAt = e.unknownAt(n, unknownValue{what: "evaluation stopped at a limit", failed: true})
		}
		return e.stoppedAt // one value for all that is left
	}
	e.values++
	e.t.values++
	if e.values > MaxEvaluatedValues {
		return e.limit(n, fmt.Sprintf("the resource's properties evaluate to more than %d values (MaxEvaluatedValues)", MaxEvaluatedValues))
	}
	if fn, arg, ok := intrinsicCall(n); ok {
		if depth >= MaxIntrinsicDepth {
			return e.limit(n, fmt.Sprintf("intrinsic functions nest deeper than %d levels (MaxIntrinsicDepth)", MaxIntrinsicDepth))
		}
		return e.call(n, fn, arg, depth+1, label)
	}
	switch n.Kind {
	case source.Object:
		var out *source.Node
		for i, m := range n.Members {
			v := e.eval(m.Value, depth, label)
			if v == m.Value && out == nil {
				continue
			}
			if out == nil {
				out = &source.Node{Kind: source.Object, Pos: n.Pos, Members: append([]source.Member(nil), n.Members[:i]...)}
			}
			if v != noValue {
				out.Members = append(out.Members, source.Member{Key: m.Key, KeyPos: m.KeyPos, Value: v})
			}
		}
		if out != nil {
			return out
		}
	case source.Array:
		var out *source.Node
		for i, it := range n.Items {
			v := e.eval(it, depth, label)
			if v == it && out == nil {
				continue
			}
			if out == nil {
				out = &source.Node{Kind: source.Array, Pos: n.Pos, Items: append([]*source.Node(nil), n.Items[:i]...)}
			}
			if v != noValue {
				out.Items = append(out.Items, v)
			}
		}
		if out != nil {
			return out
		}
	}
	return n
}

// call evaluates one intrinsic function.
func (e *evaluation) call(n *source.Node, fn string, arg *source.Node, depth int, label string) *source.Node {
	if arg == nil {
		return e.fail(n, fn+" has no argument", "")
	}
	switch fn {
	case "Ref":
		if arg.Kind != source.String {
			return e.fail(n, fmt.Sprintf("Ref takes the name of a parameter, resource or pseudo parameter, not %s", arg.Brief()), "")
		}
		return e.ref(n, arg.Text)
	case "Fn::Sub":
		return e.sub(n, arg, depth, label)
	case "Fn::Join":
		return e.join(n, arg, depth, label)
	case "Fn::Select":
		return e.selectItem(n, arg, depth, label)
	case "Fn::Split":
		return e.split(n, arg, depth, label)
	case "Fn::FindInMap":
		return e.findInMap(n, arg, depth, label)
	case "Fn::If":
		return e.ifBranch(n, arg, depth, label)
	case "Fn::GetAtt":
		what := "Fn::GetAtt"
		if arg.Kind == source.Array && len(arg.Items) == 2 && arg.Items[0].Kind == source.String && arg.Items[1].Kind == source.String {
			if !e.t.resources[arg.Items[0].Text] && !e.t.transformed {
				return e.fail(n, fmt.Sprintf("Fn::GetAtt %s.%s: the template has no resource %s", arg.Items[0].Text, arg.Items[1].Text, arg.Items[0].Text),
					e.t.suggestResource(arg.Items[0].Text))
			}
			what = fmt.Sprintf("Fn::GetAtt %s.%s, an attribute of resource %s known only after deployment", arg.Items[0].Text, arg.Items[1].Text, arg.Items[0].Text)
		}
		return e.unknownAt(n, unknownValue{what: what, hint: "write the value, or pass it as a parameter (--parameter)"})
	case "Fn::ImportValue":
		return e.unknownAt(n, unknownValue{what: "Fn::ImportValue, an export of another stack known only at deployment", hint: "write the value, or pass it as a parameter (--parameter)"})
	case "Fn::GetAZs", "Fn::Base64", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Transform", "Fn::ForEach":
		return e.unknownAt(n, unknownValue{what: fn + ", which ecrsign does not evaluate", hint: "write the value, or pass it as a parameter (--parameter)"})
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return e.fail(n, fn+" belongs in the Conditions section; a property takes a condition's value through Fn::If", "")
	}
	return e.fail(n, fmt.Sprintf("%s is not an intrinsic function of CloudFormation", fn), "")
}

// ref evaluates Ref name.
func (e *evaluation) ref(n *source.Node, name string) *source.Node {
	if name == "AWS::NoValue" {
		return noValue
	}
	if hint, ok := pseudoParams[name]; ok {
		if v, ok := e.t.pseudo[name]; ok {
			return &source.Node{Kind: source.String, Pos: n.Pos, Text: v}
		}
		return e.unknownAt(n, unknownValue{what: "Ref " + name + ", a pseudo parameter not given", hint: hint})
	}
	if p := e.t.params[name]; p != nil {
		if !p.known {
			return e.unknownAt(n, unknownValue{what: "Ref " + name + " (" + p.what + ")", hint: p.hint})
		}
		if !p.list {
			return &source.Node{Kind: source.String, Pos: n.Pos, Text: p.value}
		}
		list := &source.Node{Kind: source.Array, Pos: n.Pos}
		for _, s := range strings.Split(p.value, ",") {
			list.Items = append(list.Items, &source.Node{Kind: source.String, Pos: n.Pos, Text: s})
		}
		return list
	}
	if e.t.resources[name] || e.t.transformed {
		return e.unknownAt(n, unknownValue{what: "Ref " + name + ", the physical ID of a resource, known only after deployment",
			hint: "write the value, or pass it as a parameter (--parameter)"})
	}
	hint := ""
	for _, p := range e.t.paramNames {
		if editDistance(strings.ToLower(p), strings.ToLower(name)) <= 2 {
			hint = "did you mean " + p + "?"
			break
		}
	}
	return e.fail(n, fmt.Sprintf("Ref %s: the template has no parameter or resource %s, and it is no pseudo parameter", name, name), hint)
}

// str evaluates n to a string: ok is false when it is unknown (u says why) or not a
// string (reported).
func (e *evaluation) str(n *source.Node, fn string, depth int, label string) (s string, u *source.Node, ok bool) {
	v := e.eval(n, depth, label)
	if _, unknown := e.unknown[v]; unknown {
		return "", v, false
	}
	switch v.Kind {
	case source.String, source.Number, source.Bool:
		return v.Text, nil, true
	}
	return "", e.fail(n, fmt.Sprintf("%s takes a string here, not %s", fn, v.Brief()), ""), false
}

// sub evaluates Fn::Sub: "text ${Name} ${Resource.Attr} ${!Literal}", or [text, {vars}].
func (e *evaluation) sub(n, arg *source.Node, depth int, label string) *source.Node {
	text := arg
	var vars *source.Node
	if arg.Kind == source.Array {
		if len(arg.Items) != 2 || arg.Items[1].Kind != source.Object {
			return e.fail(n, "Fn::Sub takes a string, or a list of a string and an object of variables", "")
		}
		text, vars = arg.Items[0], arg.Items[1]
	}
	if text.Kind != source.String {
		return e.fail(n, fmt.Sprintf("Fn::Sub takes a string to substitute into, not %s", text.Brief()), "")
	}
	var b strings.Builder
	var missing []string
	var hints []string
	s := text.Text
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			b.WriteString("${" + s)
			break
		}
		name := s[:j]
		s = s[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v *source.Node
		if vn := vars.Lookup(name); vn != nil {
			v = e.eval(vn, depth, label)
		} else if res, attr, isAtt := strings.Cut(name, "."); isAtt && e.t.resources[res] {
			v = e.unknownAt(n, unknownValue{what: fmt.Sprintf("Fn::GetAtt %s.%s, an attribute of resource %s known only after deployment", res, attr, res),
				hint: "write the value, or pass it as a parameter (--parameter)"})
		} else {
			v = e.ref(text, name)
		}
		if u, unknown := e.unknown[v]; unknown {
			if u.failed {
				return v
			}
			missing = append(missing, "${"+name+"}")
			if !containsString(hints, u.hint) {
				hints = append(hints, u.hint)
			}
			continue
		}
		if v.Kind != source.String && v.Kind != source.Number && v.Kind != source.Bool {
			return e.fail(n, fmt.Sprintf("Fn::Sub: ${%s} is %s, not a string", name, v.Brief()), "")
		}
		b.WriteString(v.Text)
		if b.Len() > MaxEvaluatedString {
			return e.limit(n, fmt.Sprintf("Fn::Sub builds a string longer than %d bytes (MaxEvaluatedString)", MaxEvaluatedString))
		}
	}
	if len(missing) > 0 {
		return e.unknownAt(n, unknownValue{what: fmt.Sprintf("Fn::Sub %q uses %s, not known", text.Text, strings.Join(missing, ", ")), hint: joinHints(hints)})
	}
	return &source.Node{Kind: source.String, Pos: n.Pos, Text: b.String()}
}

// joinHints joins the hints of several unknown values: "give them with --region and
// --account-id".
func joinHints(hints []string) string {
	if len(hints) < 2 {
		return strings.Join(hints, "")
	}
	flags := make([]string, len(hints))
	for i, h := range hints {
		f, ok := strings.CutPrefix(h, "give it with ")
		if !ok {
			return strings.Join(hints, "; ")
		}
		flags[i] = f
	}
	return "give them with " + strings.Join(flags, " and ")
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// list evaluates n to a list; unknown is the value standing for it when it is not known.
func (e *evaluation) list(n *source.Node, fn string, depth int, label string) (items []*source.Node, unknown *source.Node) {
	v := e.eval(n, depth, label)
	if _, ok := e.unknown[v]; ok {
		return nil, v
	}
	if v.Kind != source.Array {
		return nil, e.fail(n, fmt.Sprintf("%s takes a list here, not %s", fn, v.Brief()), "")
	}
	return v.Items, nil
}

// join evaluates Fn::Join [delimiter, [values...]].
func (e *evaluation) join(n, arg *source.Node, depth int, label string) *source.Node {
	if arg.Kind != source.Array || len(arg.Items) != 2 {
		return e.fail(n, "Fn::Join takes a list of a delimiter and a list of values"+gotInstead(arg), `write it as Fn::Join ["/", [a, b]]`)
	}
	delim, u, ok := e.str(arg.Items[0], "Fn::Join", depth, label)
	if !ok {
		return u
	}
	items, u := e.list(arg.Items[1], "Fn::Join", depth, label)
	if u != nil {
		return u
	}
	var b strings.Builder
	for i, it := range items {
		if uv, unknown := e.unknown[it]; unknown {
			if uv.failed {
				return it
			}
			return e.unknownAt(n, unknownValue{what: "Fn::Join of " + uv.what, hint: uv.hint})
		}
		if it.Kind != source.String && it.Kind != source.Number && it.Kind != source.Bool {
			return e.fail(it, fmt.Sprintf("Fn::Join joins strings, not %s", it.Brief()), "")
		}
		if i > 0 {
			b.WriteString(delim)
		}
		b.WriteString(it.Text)
		if b.Len() > MaxEvaluatedString {
			return e.limit(n, fmt.Sprintf("Fn::Join builds a string longer than %d bytes (MaxEvaluatedString)", MaxEvaluatedString))
		}
	}
	return &source.Node{Kind: source.String, Pos: n.Pos, Text: b.String()}
}

// split evaluates Fn::Split [delimiter, string].
func (e *evaluation) split(n, arg *source.Node, depth int, label string) *source.Node {
	if arg.Kind != source.Array || len(arg.Items) != 2 {
		return e.fail(n, "Fn::Split takes a list of a delimiter and a string"+gotInstead(arg), `write it as Fn::Split [",", "a,b"]`)
	}
	delim, u, ok := e.str(arg.Items[0], "Fn::Split", depth, label)
	if !ok {
		return u
	}
	s, u, ok := e.str(arg.Items[1], "Fn::Split", depth, label)
	if !ok {
		return u
	}
	if delim == "" {
		return e.fail(n, "Fn::Split: the delimiter is empty", "")
	}
	// Count before splitting: a long literal split by one character makes many values.
	if e.values += strings.Count(s, delim) + 1; e.values > MaxEvaluatedValues {
		return e.limit(n, fmt.Sprintf("the resource's properties evaluate to more than %d values (MaxEvaluatedValues)", MaxEvaluatedValues))
	}
	parts := strings.Split(s, delim)
	out := &source.Node{Kind: source.Array, Pos: n.Pos}
	for _, p := range parts {
		out.Items = append(out.Items, &source.Node{Kind: source.String, Pos: n.Pos, Text: p})
	}
	return out
}

// selectItem evaluates Fn::Select [index, [values...]].
func (e *evaluation) selectItem(n, arg *source.Node, depth int, label string) *source.Node {
	if arg.Kind != source.Array || len(arg.Items) != 2 {
		return e.fail(n, "Fn::Select takes a list of an index and a list of values"+gotInstead(arg), `write it as Fn::Select ["0", [a, b]]`)
	}
	is, u, ok := e.str(arg.Items[0], "Fn::Select", depth, label)
	if !ok {
		return u
	}
	i, err := strconv.Atoi(is)
	if err != nil || i < 0 {
		return e.fail(arg.Items[0], fmt.Sprintf("Fn::Select: index %q is not a number from 0", is), "")
	}
	items, u := e.list(arg.Items[1], "Fn::Select", depth, label)
	if u != nil {
		return u
	}
	if i >= len(items) {
		return e.fail(n, fmt.Sprintf("Fn::Select: index %d is past the end of a list of %d", i, len(items)), "")
	}
	return items[i]
}

// findInMap evaluates Fn::FindInMap [map, top-level key, second-level key].
func (e *evaluation) findInMap(n, arg *source.Node, depth int, label string) *source.Node {
	if arg.Kind != source.Array || len(arg.Items) != 3 {
		return e.fail(n, "Fn::FindInMap takes a list of a mapping name, a top-level key and a second-level key"+gotInstead(arg), "write it as Fn::FindInMap [Mapping, TopKey, SecondKey]")
	}
	var keys [3]string
	for i, it := range arg.Items {
		s, u, ok := e.str(it, "Fn::FindInMap", depth, label)
		if !ok {
			if uv := e.unknown[u]; !uv.failed {
				return e.unknownAt(n, unknownValue{what: "Fn::FindInMap with a key that is " + uv.what, hint: uv.hint})
			}
			return u
		}
		keys[i] = s
	}
	m := e.t.mappings.Lookup(keys[0])
	if m == nil {
		return e.fail(n, fmt.Sprintf("Fn::FindInMap: the template has no mapping %q", keys[0]), "")
	}
	top := m.Lookup(keys[1])
	if top == nil {
		return e.fail(n, fmt.Sprintf("Fn::FindInMap: mapping %s has no key %q", keys[0], keys[1]), "")
	}
	v := top.Lookup(keys[2])
	if v == nil {
		return e.fail(n, fmt.Sprintf("Fn::FindInMap: mapping %s.%s has no key %q", keys[0], keys[1], keys[2]), "")
	}
	if v.Kind == source.String || v.Kind == source.Number || v.Kind == source.Bool {
		return &source.Node{Kind: v.Kind, Pos: n.Pos, Text: v.Text} // where it is used
	}
	return v
}

// ifBranch evaluates Fn::If [condition, value if true, value if false]: the branch the
// condition takes, the branch forced, or the true branch while the condition is unknown.
func (e *evaluation) ifBranch(n, arg *source.Node, depth int, label string) *source.Node {
	if arg.Kind != source.Array || len(arg.Items) != 3 || arg.Items[0].Kind != source.String {
		return e.fail(n, "Fn::If takes a list of a condition name and two values"+gotInstead(arg), "write it as Fn::If [Condition, value if true, value if false]")
	}
	name := arg.Items[0].Text
	taken, forced := e.force[n]
	if !forced {
		switch v := e.condition(name, arg.Items[0], 0); v.v {
		case triFalse:
			taken = 1
		case triUnknown:
			if _, defined := e.t.conditions[name]; !defined {
				return e.unknownAt(n, unknownValue{failed: true})
			}
			if !containsString(e.unknownConds, name) {
				e.unknownConds = append(e.unknownConds, name)
			}
		}
	}
	e.ifs = append(e.ifs, ifChoice{node: n, cond: name, taken: taken})
	l := branchLabel(name, taken)
	if label != "" {
		l = label + ", " + l
	}
	v := e.eval(arg.Items[1+taken], depth, l)
	if v != noValue {
		if e.branch == nil {
			e.branch = map[*source.Node]string{}
		}
		e.branch[v] = l
	}
	return v
}

func branchLabel(cond string, taken int) string {
	if taken == 0 {
		return "Fn::If " + cond + ": true branch"
	}
	return "Fn::If " + cond + ": false branch"
}

// condition returns the value of the named condition; at is where it is named.
func (e *evaluation) condition(name string, at *source.Node, depth int) condValue {
	if v, ok := e.assume[name]; ok {
		return condValue{v: boolTri(v)}
	}
	if v, ok := e.conds[name]; ok {
		return v
	}
	expr, ok := e.t.conditions[name]
	if !ok {
		e.fail(at, fmt.Sprintf("condition %s is not defined in the template's Conditions", name), "")
		return condValue{v: triUnknown}
	}
	if i := indexString(e.busy, name); i >= 0 {
		cycle := strings.Join(append(append([]string(nil), e.busy[i:]...), name), " -> ")
		e.t.report("", CodeTemplate, SeverityError, expr.Pos, fmt.Sprintf("condition %s refers to itself: %s", name, cycle), "a condition cannot depend on itself")
		return condValue{v: triUnknown, why: "condition " + name + " refers to itself"}
	}
	e.busy = append(e.busy, name)
	v := e.condExpr(expr, depth)
	e.busy = e.busy[:len(e.busy)-1]
	if v.v == triUnknown && v.why != "" && !strings.HasPrefix(v.why, "condition ") {
		v.why = fmt.Sprintf("condition %s is unknown: %s", name, v.why)
	}
	if e.conds == nil {
		e.conds = map[string]condValue{}
	}
	e.conds[name] = v
	return v
}

func indexString(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// condExpr evaluates a condition function: Fn::Equals, Fn::And, Fn::Or, Fn::Not or a
// reference to another condition.
func (e *evaluation) condExpr(n *source.Node, depth int) condValue {
	if depth >= MaxIntrinsicDepth {
		e.limit(n, fmt.Sprintf("conditions nest deeper than %d levels (MaxIntrinsicDepth)", MaxIntrinsicDepth))
		return condValue{v: triUnknown, why: "its conditions nest too deep"}
	}
	fn, arg, ok := intrinsicCall(n)
	if !ok && n.Kind == source.Object && len(n.Members) == 1 && n.Members[0].Key == "Condition" {
		fn, arg, ok = "Condition", n.Members[0].Value, true
	}
	if !ok || arg == nil {
		e.fail(n, fmt.Sprintf("a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, not %s", n.Brief()), "")
		return condValue{v: triUnknown}
	}
	switch fn {
	case "Condition":
		if arg.Kind != source.String {
			e.fail(n, "Condition takes the name of a condition", "")
			return condValue{v: triUnknown}
		}
		return e.condition(arg.Text, arg, depth+1)
	case "Fn::Equals":
		return e.equals(n, arg, depth)
	case "Fn::Not":
		if arg.Kind != source.Array || len(arg.Items) != 1 {
			e.fail(n, "Fn::Not takes a list of one condition"+gotInstead(arg), "write it as Fn::Not [{Condition: Name}]")
			return condValue{v: triUnknown}
		}
		v := e.condExpr(arg.Items[0], depth+1)
		switch v.v {
		case triTrue:
			v.v = triFalse
		case triFalse:
			v.v = triTrue
		}
		return v
	case "Fn::And", "Fn::Or":
		return e.andOr(n, fn, arg, depth)
	}
	e.fail(n, fmt.Sprintf("a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, not %s", fn), "")
	return condValue{v: triUnknown}
}

// equals evaluates Fn::Equals [a, b]: unknown when either value is.
func (e *evaluation) equals(n, arg *source.Node, depth int) condValue {
	if arg.Kind != source.Array || len(arg.Items) != 2 {
		e.fail(n, "Fn::Equals takes a list of two values"+gotInstead(arg), "write it as Fn::Equals [value, value]")
		return condValue{v: triUnknown}
	}
	var s [2]string
	for i, it := range arg.Items {
		v, u, ok := e.str(it, "Fn::Equals", depth+1, "")
		if !ok {
			uv := e.unknown[u]
			return condValue{v: triUnknown, why: uv.what, hint: uv.hint}
		}
		s[i] = v
	}
	return condValue{v: boolTri(s[0] == s[1])}
}

// andOr evaluates Fn::And or Fn::Or over 2 to 10 conditions, in three-valued logic: one
// false condition decides Fn::And, one true condition Fn::Or, even beside unknown ones.
func (e *evaluation) andOr(n *source.Node, fn string, arg *source.Node, depth int) condValue {
	if arg.Kind != source.Array || len(arg.Items) < 2 || len(arg.Items) > 10 {
		e.fail(n, fn+" takes a list of 2 to 10 conditions"+gotInstead(arg), "")
		return condValue{v: triUnknown}
	}
	decisive := triFalse
	if fn == "Fn::Or" {
		decisive = triTrue
	}
	out := condValue{v: 1 - decisive}
	for _, it := range arg.Items {
		v := e.condExpr(it, depth+1)
		switch {
		case v.v == decisive:
			return v
		case v.v == triUnknown && out.v != triUnknown:
			out = v
		}
	}
	return out
}

// checkConditions evaluates every condition of the template once, so that errors in
// conditions no resource uses (a cycle, an undefined parameter) are reported too.
func (t *template) checkConditions() {
	names := make([]string, 0, len(t.conditions))
	for name := range t.conditions {
		names = append(names, name)
	}
	sort.Strings(names)
	e := t.evaluation("", nil, nil)
	for _, name := range names {
		e.condition(name, t.conditions[name], 0)
	}
}
