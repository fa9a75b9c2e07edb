package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/internal/source"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// FormatTerraformSource is Terraform configuration source: the .tf files of a module.
const FormatTerraformSource Format = "terraform"

// TerraformFile is one file of a Terraform module: a .tf file, or a .tfvars or
// .tfvars.json file of variable values.
type TerraformFile struct {
	Name string
	Data []byte
}

// TerraformVars are values for a module's input variables, given as terraform plan takes
// them: .tfvars files and -var NAME=VALUE assignments, each overriding those added before
// it. The zero value gives none.
type TerraformVars struct {
	sources []tfVarSource
}

type tfVarSource struct {
	file        *TerraformFile // a .tfvars or .tfvars.json file
	name, value string         // or one NAME=VALUE assignment
}

// AddFile adds the values of a .tfvars file (HCL attributes) or, when name ends in .json,
// of a .tfvars.json file.
func (v *TerraformVars) AddFile(name string, data []byte) {
	v.sources = append(v.sources, tfVarSource{file: &TerraformFile{Name: name, Data: data}})
}

// Set adds one NAME=VALUE assignment. As with terraform's -var, the value is a string for
// a variable of a primitive type or none, and an HCL expression ([...], {...}) for a
// variable of a collection or structural type.
func (v *TerraformVars) Set(assignment string) error {
	name, value, ok := strings.Cut(assignment, "=")
	if !ok || !hclsyntax.ValidIdentifier(name) {
		return fmt.Errorf("%q is not NAME=VALUE with NAME a variable name", assignment)
	}
	v.sources = append(v.sources, tfVarSource{name: name, value: value})
	return nil
}

// tfModule is the state of the evaluation of one Terraform module.
type tfModule struct {
	o      options
	budget *evalBudget
	funcs  map[string]function.Function
	files  []*tfFile
	byName map[string]*tfFile
	vars   map[string]*tfVariable
	locals map[string]*tfLocal
	// flags holds the findings of --var assignments, which have no file.
	flags *tfFile
	// limited is set once the finding that evaluation stopped at MaxTerraformWork is made.
	limited bool
}

// tfFile is one file of the module and the document of its findings.
type tfFile struct {
	name   string
	data   []byte
	body   *hclsyntax.Body
	doc    *Document
	budget *findingBudget
	// broken is set when the file does not parse: Terraform refuses it, and its blocks
	// are not read.
	broken bool
}

type tfVariable struct {
	name     string
	file     *tfFile
	block    *hclsyntax.Block
	hclValue bool // a --var value is an HCL expression (the type is not primitive)
	// expr is the expression of the value that applies (the default, a .tfvars value, an
	// HCL --var), evaluated when the variable is first referred to; nil for none or a
	// string --var, whose value is value.
	expr      hclsyntax.Expression
	value     cty.Value
	given     bool // a value was given or defaulted
	evaluated bool
}

// valueOf returns the value of a variable, evaluating its expression the first time:
// variables that the configurations do not use cost nothing.
func (m *tfModule) valueOf(v *tfVariable) cty.Value {
	if !v.evaluated {
		v.evaluated = true
		if v.expr != nil {
			val, ok := m.literal(v.expr)
			if !ok {
				val, v.given = cty.DynamicVal, false
			}
			v.value = val
		}
	}
	return v.value
}

type tfLocal struct {
	name   string
	file   *tfFile
	attr   *hclsyntax.Attribute
	state  localState
	value  cty.Value
	causes []tfCause
}

// localState is how far the evaluation of a local value is.
type localState int

const (
	localPending localState = iota
	localEvaluating
	localDone
)

// tfCause explains why a value is unknown: the expression that makes it so, where, why and
// how to supply it.
type tfCause struct {
	text, where, why, hint string
	rng                    hcl.Range
	limit                  bool // evaluation stopped at a limit: one such cause says it
}

func (c tfCause) String() string {
	return fmt.Sprintf("%s (%s) %s", c.text, c.where, c.why)
}

// DecodeTerraformModule reads the .tf files of one Terraform module (one directory; its
// files are evaluated together, as Terraform does) and returns one document per file, in
// the order given, with every ECR signing and replication configuration resource
// (terraformResources) validated and linted as Decode does. Documents of .tfvars files and of
// --var assignments follow when they hold findings.
//
// Values are evaluated with HCL: literals, input variables (vars, then their defaults),
// locals, string templates, conditionals, for expressions, dynamic blocks and the functions
// of Terraform whose result is no larger than their arguments (terraformFunctions). A
// value that stays unknown (an attribute of another resource, a data source, a module
// output, a variable without a value, another function) is reported as unresolved (ECR108)
// with the expression that makes it so and where; it is never guessed. A resource with a
// known for_each or count is read once per instance. Work is bounded by MaxTerraformSourceSize,
// MaxTerraformNesting, MaxTerraformWork and MaxTerraformLocalDepth.
func DecodeTerraformModule(files []TerraformFile, vars *TerraformVars, opts ...Option) []*Document {
	o := options{maxSize: DefaultMaxSize, limits: source.DefaultLimits}
	for _, opt := range opts {
		opt(&o)
	}
	budget := &evalBudget{left: MaxTerraformWork}
	m := &tfModule{o: o, budget: budget, funcs: terraformFunctions(budget), byName: map[string]*tfFile{},
		vars: map[string]*tfVariable{}, locals: map[string]*tfLocal{}}
	for _, tf := range files {
		f := m.addFile(tf)
		f.body = m.parse(f)
	}
	for _, f := range m.files {
		m.declare(f)
	}
	m.assignVars(vars)
	var all []*Config
	for _, f := range m.files {
		if f.body != nil && !f.broken && isTerraformSource(f.name) {
			all = append(all, m.configurations(f)...)
		}
	}
	if m.budget.spent != nil && !m.limited {
		m.limitFinding(*m.budget.spent, fmt.Sprintf("evaluation stopped after %d units of work", MaxTerraformWork))
	}
	for _, c := range all {
		check(c, &o)
	}
	return m.documents(len(all) > 0)
}

// configurations decodes the ECR configuration resources of the configuration file f, one
// per instance, and reports resource types within a few edits of one of them.
func (m *tfModule) configurations(f *tfFile) []*Config {
	var cs []*Config
	for _, b := range f.body.Blocks {
		if b.Type != "resource" || len(b.Labels) != 2 {
			continue
		}
		if res, ok := terraformResources[b.Labels[0]]; ok {
			for _, in := range m.instances(f, b) {
				cs = append(cs, m.resource(f, b, res, in))
			}
		} else if near := nearTerraformType(b.Labels[0]); near != "" {
			m.finding(CodeResourceType, SeverityError, b.LabelRanges[0], fmt.Sprintf("resource type %q is no resource type of the provider: did you mean %s?", b.Labels[0], near),
				"terraform rejects the module; ecrsign checks the resource once its type is "+near)
		}
	}
	return cs
}

// documents returns the documents of the module's files, in order: every configuration
// file (saying it declares no configuration when the module has none, found false, and it
// has no error), and every values file with findings; then the --var assignments' document
// if it has one.
func (m *tfModule) documents(found bool) []*Document {
	var docs []*Document
	for _, f := range m.files {
		if isTerraformSource(f.name) && !found && !hasError(f.doc.Findings) {
			f.doc.Findings = append(f.doc.Findings, Finding{Code: CodeNoConfig, Severity: SeverityError, File: f.name, Line: 1, Column: 1,
				Message: "the Terraform module declares no " + terraformTypeList + " resource"})
		}
		if !isTerraformSource(f.name) && len(f.doc.Findings) == 0 {
			continue // a .tfvars file without findings
		}
		if s, ok := f.budget.summary(); ok {
			s.File = f.name
			f.doc.Findings = append(f.doc.Findings, s)
		}
		sortFindings(f.doc.Findings)
		docs = append(docs, f.doc)
	}
	if m.flags != nil {
		docs = append(docs, m.flags.doc)
	}
	return docs
}

// isTerraformSource reports whether a file of a module is configuration (.tf), not values.
func isTerraformSource(name string) bool { return strings.HasSuffix(name, ".tf") }

func (m *tfModule) addFile(tf TerraformFile) *tfFile {
	f := &tfFile{name: tf.Name, data: tf.Data, doc: &Document{File: tf.Name}, budget: &findingBudget{left: MaxFindings}}
	if f.name == "" {
		f.name, f.doc.File = "-", "-"
	}
	m.files = append(m.files, f)
	if m.byName[f.name] == nil {
		m.byName[f.name] = f
	}
	return f
}

// finding records a finding of the module at rng (in whichever file it is).
func (m *tfModule) finding(code Code, sev Severity, rng hcl.Range, msg, hint string) {
	f := m.byName[rng.Filename]
	if f == nil {
		f = m.flagFile()
	}
	if f.budget.take(sev) {
		f.doc.Findings = append(f.doc.Findings, Finding{Code: code, Severity: sev, File: f.doc.File,
			Line: rng.Start.Line, Column: rng.Start.Column, Message: msg, Hint: hint})
	}
}

func (m *tfModule) flagFile() *tfFile {
	if m.flags == nil {
		m.flags = &tfFile{name: "--var", doc: &Document{File: "--var"}, budget: &findingBudget{left: MaxFindings}}
	}
	return m.flags
}

func (m *tfModule) limitFinding(rng hcl.Range, detail string) {
	m.limited = true
	m.finding(CodeLimit, SeverityError, rng, "Terraform expression too large: "+detail+"; the values that depend on it are not checked",
		"simplify the expression, or check the plan instead (terraform show -json PLAN)")
}

// parse checks the encoding, size and nesting of a file and parses it; nil when it cannot
// be parsed at all. A .tfvars.json file is parsed as JSON by package source.
func (m *tfModule) parse(f *tfFile) *hclsyntax.Body {
	limit := min(m.o.maxSize, MaxTerraformSourceSize)
	start := hcl.Range{Filename: f.name, Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 1}}
	if len(f.data) > limit {
		m.finding(CodeTooLarge, SeverityError, start,
			fmt.Sprintf("Terraform file is %d bytes, more than the %d bytes accepted", len(f.data), limit), "split the module into smaller files")
		return nil
	}
	f.data = bytes.TrimPrefix(f.data, []byte("\xef\xbb\xbf"))
	if i := bytes.IndexByte(f.data, 0); i >= 0 {
		m.finding(CodeEncoding, SeverityError, posRange(f.name, f.data, i), "input is binary (it holds a NUL byte), not a Terraform text", "")
		return nil
	}
	if !utf8.Valid(f.data) {
		i := 0
		for i < len(f.data) {
			r, size := utf8.DecodeRune(f.data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		m.finding(CodeEncoding, SeverityError, posRange(f.name, f.data, i), fmt.Sprintf("input is not valid UTF-8 (byte 0x%02x)", f.data[i]), "save the file as UTF-8")
		return nil
	}
	if strings.HasSuffix(f.name, ".json") {
		return m.parseJSONVars(f)
	}
	if d := checkNesting(f.data, f.name); d != nil {
		m.finding(CodeLimit, SeverityError, *d.Subject, "invalid Terraform: "+d.Detail, "")
		return nil
	}
	file, diags := hclsyntax.ParseConfig(f.data, f.name, hcl.Pos{Line: 1, Column: 1})
	f.broken = diags.HasErrors()
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			m.finding(CodeSyntax, SeverityError, diagRange(d, f.name), "invalid Terraform: "+diagText(d), "")
		}
	}
	if file == nil {
		return nil
	}
	body, _ := file.Body.(*hclsyntax.Body)
	return body
}

// parseJSONVars reads a .tfvars.json file into a body of literal attributes.
func (m *tfModule) parseJSONVars(f *tfFile) *hclsyntax.Body {
	root, err := source.ParseJSON(f.data, m.o.limits)
	if err != nil {
		pos := source.Pos{Line: 1, Column: 1}
		msg := err.Error()
		if se, ok := err.(*source.Error); ok {
			pos, msg = se.Pos, se.Msg
		}
		m.finding(CodeSyntax, SeverityError, hcl.Range{Filename: f.name, Start: hcl.Pos{Line: pos.Line, Column: pos.Column}}, "invalid JSON: "+msg, "")
		return nil
	}
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
	if root.Kind != source.Object {
		m.finding(CodeWrongType, SeverityError, hcl.Range{Filename: f.name, Start: hcl.Pos{Line: root.Pos.Line, Column: root.Pos.Column}},
			"a .tfvars.json file must hold an object of variable values, found "+root.Brief(), "")
		return body
	}
	for _, mem := range root.Members {
		rng := hcl.Range{Filename: f.name, Start: hcl.Pos{Line: mem.Value.Pos.Line, Column: mem.Value.Pos.Column}}
		rng.End = rng.Start
		body.Attributes[mem.Key] = &hclsyntax.Attribute{Name: mem.Key,
			Expr:      &hclsyntax.LiteralValueExpr{Val: jsonValue(mem.Value, m.o.limits.MaxDepth), SrcRange: rng},
			NameRange: hcl.Range{Filename: f.name, Start: hcl.Pos{Line: mem.KeyPos.Line, Column: mem.KeyPos.Column}}, SrcRange: rng}
	}
	return body
}

// jsonValue converts a JSON value to cty, as Terraform reads .tfvars.json.
func jsonValue(n *source.Node, depth int) cty.Value {
	if depth < 0 {
		return cty.DynamicVal
	}
	switch n.Kind {
	case source.String:
		return cty.StringVal(n.Text)
	case source.Bool:
		return cty.BoolVal(n.Text == "true")
	case source.Number:
		if v, err := cty.ParseNumberVal(n.Text); err == nil {
			return v
		}
		return cty.StringVal(n.Text)
	case source.Array:
		if len(n.Items) == 0 {
			return cty.EmptyTupleVal
		}
		vs := make([]cty.Value, len(n.Items))
		for i, it := range n.Items {
			vs[i] = jsonValue(it, depth-1)
		}
		return cty.TupleVal(vs)
	case source.Object:
		if len(n.Members) == 0 {
			return cty.EmptyObjectVal
		}
		vs := make(map[string]cty.Value, len(n.Members))
		for _, mem := range n.Members {
			vs[mem.Key] = jsonValue(mem.Value, depth-1)
		}
		return cty.ObjectVal(vs)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// posRange is the range of the byte at offset, counted as HCL counts the positions of its own
// diagnostics (and so as Terraform reports them): a line ends at "\n" (or "\r\n"), and a
// lone "\r" is a character of its line.
func posRange(name string, data []byte, offset int) hcl.Range {
	before := data[:offset]
	start := bytes.LastIndexByte(before, '\n') + 1
	pos := hcl.Pos{Line: bytes.Count(before, []byte{'\n'}) + 1, Column: utf8.RuneCount(before[start:]) + 1, Byte: offset}
	return hcl.Range{Filename: name, Start: pos, End: pos}
}

func diagRange(d *hcl.Diagnostic, file string) hcl.Range {
	if d.Subject != nil {
		return *d.Subject
	}
	return hcl.Range{Filename: file, Start: hcl.Pos{Line: 1, Column: 1}}
}

func diagText(d *hcl.Diagnostic) string {
	if d.Detail == "" {
		return d.Summary
	}
	return strings.TrimSuffix(d.Summary, ".") + ": " + d.Detail
}

// declare records the variables and locals of a file, with their defaults.
func (m *tfModule) declare(f *tfFile) {
	if f.body == nil || !isTerraformSource(f.name) {
		return
	}
	for _, b := range f.body.Blocks {
		switch {
		case b.Type == "variable" && len(b.Labels) == 1:
			v := &tfVariable{name: b.Labels[0], file: f, block: b, value: cty.DynamicVal}
			if t, ok := b.Body.Attributes["type"]; ok {
				switch hcl.ExprAsKeyword(t.Expr) {
				case "string", "number", "bool", "any":
				default:
					v.hclValue = true
				}
			}
			if d, ok := b.Body.Attributes["default"]; ok {
				v.expr, v.given = d.Expr, true
			}
			if prev := m.vars[v.name]; prev != nil {
				m.finding(CodeDuplicateKey, SeverityError, b.LabelRanges[0],
					fmt.Sprintf("variable %q is declared twice (first at %s)", v.name, where(prev.block.LabelRanges[0])), "remove one of them")
				continue
			}
			m.vars[v.name] = v
		case b.Type == "locals":
			for _, a := range sortedAttributes(b.Body) {
				if prev := m.locals[a.Name]; prev != nil {
					m.finding(CodeDuplicateKey, SeverityError, a.NameRange,
						fmt.Sprintf("local value %q is defined twice (first at %s)", a.Name, where(prev.attr.NameRange)), "remove one of them")
					continue
				}
				m.locals[a.Name] = &tfLocal{name: a.Name, file: f, attr: a}
			}
		}
	}
}

func sortedAttributes(b *hclsyntax.Body) []*hclsyntax.Attribute {
	as := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		as = append(as, a)
	}
	sort.Slice(as, func(i, j int) bool { return as[i].SrcRange.Start.Byte < as[j].SrcRange.Start.Byte })
	return as
}

// literal evaluates an expression that may not refer to anything (a variable default, a
// .tfvars value), reporting what is wrong with it.
func (m *tfModule) literal(e hclsyntax.Expression) (cty.Value, bool) {
	wrapChildren(e, m.budget)
	if lit, ok := e.(*hclsyntax.LiteralValueExpr); ok {
		cheapNumber(lit)
	}
	v, diags := e.Value(&hcl.EvalContext{Functions: m.funcs})
	if d := m.budget.charge(v, e.Range()); d != nil {
		diags = append(diags, d)
	}
	ok := true
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		ok = false
		if d.Extra == errTerraformLimit {
			if !m.limited {
				m.limitFinding(diagRange(d, ""), d.Detail)
			}
			continue
		}
		m.finding(CodeExpression, SeverityError, diagRange(d, e.Range().Filename), diagText(d)+" (a variable's value must be a literal)", "")
	}
	return v, ok && v.IsWhollyKnown()
}

// assignVars applies the .tfvars files of the module's directory (terraform.tfvars, then
// *.auto.tfvars, as given) and vars, in order, and builds the var object of evaluation.
func (m *tfModule) assignVars(vars *TerraformVars) {
	// Values of the module's own .tfvars files for variables it does not declare are
	// reported, as terraform does; those given on the command line are not: they may be
	// meant for another of the modules checked at once.
	auto := true
	set := func(name string, rng hcl.Range, e hclsyntax.Expression, val cty.Value) {
		v := m.vars[name]
		if v == nil {
			if auto {
				m.finding(CodeExpression, SeverityWarning, rng, fmt.Sprintf("a value is given for variable %q, which the module does not declare; it is ignored", name),
					m.suggestVar(name))
			}
			return
		}
		v.expr, v.value, v.given = e, val, true
	}
	applyFile := func(f *tfFile) {
		if f.body == nil || f.broken {
			return
		}
		for _, a := range sortedAttributes(f.body) {
			set(a.Name, a.NameRange, a.Expr, cty.NilVal)
		}
	}
	for _, f := range m.files {
		if !isTerraformSource(f.name) {
			applyFile(f)
		}
	}
	auto = false
	if vars != nil {
		for _, s := range vars.sources {
			if s.file != nil {
				f := m.addFile(*s.file)
				f.body = m.parse(f)
				applyFile(f)
				continue
			}
			rng := hcl.Range{Filename: "--var " + s.name}
			v := m.vars[s.name]
			if v == nil || !v.hclValue {
				set(s.name, rng, nil, cty.StringVal(s.value))
				continue
			}
			if d := checkNesting([]byte(s.value), rng.Filename); d != nil {
				m.finding(CodeLimit, SeverityError, rng, "--var "+s.name+": "+d.Detail, "")
				continue
			}
			e, diags := hclsyntax.ParseExpression([]byte(s.value), rng.Filename, hcl.Pos{Line: 1, Column: 1})
			if diags.HasErrors() {
				m.finding(CodeExpression, SeverityError, rng, fmt.Sprintf("--var %s: the value of a variable of type %s is an HCL expression: %s",
					s.name, typeText(v), diagText(diags[0])), `quote lists and objects for the shell: --var 'NAME=["a", "b"]'`)
				continue
			}
			set(s.name, rng, e, cty.NilVal)
		}
	}
}

func typeText(v *tfVariable) string {
	t := v.block.Body.Attributes["type"]
	return string(t.Expr.Range().SliceBytes(v.file.data))
}

func (m *tfModule) suggestVar(name string) string {
	names := make([]string, 0, len(m.vars))
	for n := range m.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	return suggestName(name, names)
}

func where(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// evalLocal evaluates local value name once, after the locals it refers to.
func (m *tfModule) evalLocal(name string, depth int, from hcl.Range) *tfLocal {
	l := m.locals[name]
	if l == nil {
		return nil
	}
	switch {
	case l.state == localDone:
		return l
	case l.state == localEvaluating:
		m.finding(CodeExpression, SeverityError, from, fmt.Sprintf("local.%s refers to itself", name), "break the cycle of locals")
		return &tfLocal{name: name, value: cty.DynamicVal, causes: []tfCause{{text: "local." + name, where: where(from), why: "refers to itself", rng: from}}}
	case depth > MaxTerraformLocalDepth:
		m.finding(CodeLimit, SeverityError, from, fmt.Sprintf("locals refer to each other more than %d deep here", MaxTerraformLocalDepth), "")
		return &tfLocal{name: name, value: cty.DynamicVal, causes: []tfCause{{text: "local." + name, where: where(from), why: "is too deep a chain of locals", rng: from}}}
	}
	l.state = localEvaluating
	ev := &tfEval{m: m, file: l.file, depth: depth}
	l.value = ev.expr(l.attr.Expr, nil)
	if !l.value.IsWhollyKnown() {
		l.causes = ev.causes(l.attr.Expr)
	}
	l.state = localDone
	return l
}

// tfEval evaluates the expressions of one file.
type tfEval struct {
	m     *tfModule
	file  *tfFile
	depth int // of locals being evaluated
	// diagCauses are the causes found while evaluating (unknown functions, errors).
	diagCauses []tfCause
	// localCauses are the causes of the unknown locals an expression referred to.
	localCauses map[string][]tfCause
	// unknowns are the causes of the unknown values of a resource, by position.
	unknowns map[source.Pos][]tfCause
	// scope holds the iterators of the dynamic blocks being expanded.
	scope map[string]cty.Value
	// extra holds the findings of the blocks a resource does not take.
	extra []Finding
}

// expr evaluates e, iterators giving the values of enclosing dynamic blocks' iterators.
func (ev *tfEval) expr(e hclsyntax.Expression, iterators map[string]cty.Value) cty.Value {
	m := ev.m
	if m.budget.exhausted() {
		ev.diagCauses = append(ev.diagCauses, tfCause{text: exprText(e, ev.file.data), where: where(e.Range()),
			why: "is not evaluated: the evaluation of the module reached its limit", rng: e.Range(), limit: true})
		return cty.DynamicVal
	}
	wrapChildren(e, m.budget)
	if lit, ok := e.(*hclsyntax.LiteralValueExpr); ok {
		cheapNumber(lit)
	}
	v, diags := e.Value(&hcl.EvalContext{Variables: ev.variables(e, iterators), Functions: m.funcs})
	if d := m.budget.charge(v, e.Range()); d != nil {
		v = cty.DynamicVal
		diags = append(diags, d)
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			ev.diagCauses = append(ev.diagCauses, ev.diagCause(e, d))
		}
	}
	return v
}

// variables returns the values of the variables e refers to: input variables, locals and
// iterators; any other reference (a resource attribute, path.module) is unknown.
func (ev *tfEval) variables(e hclsyntax.Expression, iterators map[string]cty.Value) map[string]cty.Value {
	vars := map[string]cty.Value{}
	var varVals, locals map[string]cty.Value
	for _, t := range hclsyntax.Variables(e) {
		root := t.RootName()
		if _, ok := iterators[root]; ok {
			continue
		}
		name := attrName(t)
		switch {
		case (root == "var" || root == "local") && name == "":
			continue
		case root == "var":
			if varVals == nil {
				varVals = map[string]cty.Value{}
			}
			varVals[name] = ev.inputVariable(t, name)
		case root == "local":
			if locals == nil {
				locals = map[string]cty.Value{}
			}
			locals[name] = ev.localValue(t, name)
		default:
			vars[root] = cty.DynamicVal
		}
	}
	if locals != nil {
		vars["local"] = cty.ObjectVal(locals)
	}
	if varVals != nil {
		vars["var"] = cty.ObjectVal(varVals)
	}
	for k, v := range iterators {
		vars[k] = v
	}
	return vars
}

// inputVariable returns the value of the input variable name that t refers to; unknown,
// with a finding, if it is not declared.
func (ev *tfEval) inputVariable(t hcl.Traversal, name string) cty.Value {
	m := ev.m
	v := m.vars[name]
	if v == nil {
		m.finding(CodeExpression, SeverityError, t.SourceRange(), fmt.Sprintf("reference to undeclared input variable %q", name), m.suggestVar(name))
		return cty.DynamicVal
	}
	return m.valueOf(v)
}

// localValue returns the value of the local value name that t refers to, recording why it
// is unknown if it is; unknown, with a finding, if it is not declared.
func (ev *tfEval) localValue(t hcl.Traversal, name string) cty.Value {
	m := ev.m
	l := m.evalLocal(name, ev.depth+1, t.SourceRange())
	if l == nil {
		m.finding(CodeExpression, SeverityError, t.SourceRange(), fmt.Sprintf("reference to undeclared local value %q", name), "")
		return cty.DynamicVal
	}
	if len(l.causes) > 0 {
		if ev.localCauses == nil {
			ev.localCauses = map[string][]tfCause{}
		}
		ev.localCauses[name] = l.causes
	}
	return l.value
}

// diagCause explains an error met while evaluating e: a limit reached, a function ecrsign
// does not evaluate, or an error in the module, which is also reported as a finding.
func (ev *tfEval) diagCause(e hclsyntax.Expression, d *hcl.Diagnostic) tfCause {
	m := ev.m
	rng := diagRange(d, ev.file.name)
	c := tfCause{text: exprText(e, ev.file.data), where: where(rng), rng: rng}
	if f := m.byName[rng.Filename]; f != nil && d.Subject != nil {
		c.text = shorten(string(rng.SliceBytes(f.data)))
	}
	switch {
	case d.Extra == errTerraformLimit:
		if !m.limited && d.Detail != fmt.Sprintf("evaluation stopped after %d units of work", MaxTerraformWork) {
			m.limitFinding(rng, d.Detail)
		}
		c.why = "is not evaluated: " + d.Detail
		c.limit = true
	case d.Summary == "Call to unknown function":
		c.why = "is a function ecrsign does not evaluate"
		c.hint = "give the value as a literal or a variable (--var), or check the plan instead (terraform show -json PLAN)"
	default:
		m.finding(CodeExpression, SeverityError, rng, diagText(d), "")
		c.why = "has an error"
	}
	return c
}

func attrName(t hcl.Traversal) string {
	if len(t) < 2 {
		return ""
	}
	if a, ok := t[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// exprText is the source of e, shortened for messages.
func exprText(e hclsyntax.Expression, data []byte) string {
	return shorten(string(e.Range().SliceBytes(data)))
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

// causes explains why the value of e is not wholly known: the references to values
// ecrsign cannot know, and the problems met while evaluating it.
func (ev *tfEval) causes(e hclsyntax.Expression) []tfCause {
	var out []tfCause
	seen := map[string]bool{}
	limited := false
	add := func(c tfCause) {
		if key := c.text + c.where; !seen[key] && len(out) < 3 && !(c.limit && limited) {
			seen[key] = true
			limited = limited || c.limit
			out = append(out, c)
		}
	}
	rng := e.Range()
	for _, c := range ev.diagCauses {
		if c.rng.Filename == rng.Filename && c.rng.Start.Byte >= rng.Start.Byte && c.rng.End.Byte <= rng.End.Byte {
			add(c)
		}
	}
	for _, t := range hclsyntax.Variables(e) {
		r := t.SourceRange()
		c := tfCause{text: string(r.SliceBytes(ev.file.data)), where: where(r), rng: r}
		root := t.RootName()
		if _, ok := ev.scope[root]; ok {
			continue // an iterator or the instance's each or count, which are known
		}
		switch root {
		case "var":
			v := ev.m.vars[attrName(t)]
			if v == nil || v.given {
				continue
			}
			c.why = "is an input variable with no default, and no value was given"
			c.hint = fmt.Sprintf("give it with --var %s=VALUE or in a .tfvars file (--var-file)", v.name)
		case "local":
			inner := ev.localCauses[attrName(t)]
			if len(inner) == 0 {
				continue
			}
			if inner[0].limit {
				add(inner[0])
				continue
			}
			var parts []string
			for _, lc := range inner {
				parts = append(parts, lc.String())
			}
			c.why = "depends on " + strings.Join(parts, " and on ")
			c.hint = inner[0].hint
		case "data":
			c.why = "is a data source, read only when Terraform runs"
		case "module":
			c.why = "is a module output, known only when Terraform runs"
		case "each", "count", "self":
			c.why = "is a value of the resource's instances, whose for_each or count is not known"
		case "path", "terraform":
			c.why = "is a value Terraform sets when it runs"
		default:
			c.why = "is an attribute of another resource, known only after apply"
			c.hint = "check the plan instead: terraform plan -out=PLAN && terraform show -json PLAN | ecrsign validate -"
		}
		add(c)
	}
	return out
}
