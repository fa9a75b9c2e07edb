package rules

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Limits of .tf evaluation. HCL's parser and evaluator recurse once per nesting level and
// run for and splat expressions to completion, so a few kilobytes of nested brackets or of
// for expressions over each other's results could exhaust the stack or run for hours. Real
// configurations stay far below each limit.
const (
	// MaxTerraformSourceSize bounds each .tf and .tfvars file: HCL lexes the whole file into
	// tokens of about a hundred bytes each before parsing. Real files are a few kilobytes.
	MaxTerraformSourceSize = 1 << 20
	// MaxTerraformNesting bounds the nesting of brackets, quotes, interpolations, template
	// directives and chains of unary and conditional operators in one expression.
	MaxTerraformNesting = 64
	// MaxTerraformWork bounds the evaluation of a module: every value an expression produces
	// costs one unit per element and per byte of string, and evaluation stops (leaving the
	// values unknown, with a finding) when a module has spent this many.
	MaxTerraformWork = 1 << 20
	// MaxTerraformLocalDepth bounds chains of locals that refer to each other.
	MaxTerraformLocalDepth = 64
	// evaluationCost is the work charged for each evaluation of an operand, on top of the
	// size of its value: for and splat expressions are bounded by their iterations.
	evaluationCost = 16
	// conversionCost is the work charged for each value an expression may convert from a
	// number to a string (an interpolation, a function argument): cty formats numbers
	// exactly, which takes some 10µs, a thousand times the cost of a unit of work.
	conversionCost = 256
	// maxTerraformExponent bounds the binary exponent of numbers: formatting 1e600000000
	// as a string would take gigabytes.
	maxTerraformExponent = 1100
)

// errTerraformLimit marks the diagnostics of a limit of evaluation.
var errTerraformLimit = errors.New("limit")

// checkNesting reports the first place where the tokens of src nest deeper than
// MaxTerraformNesting, counting brackets, quotes and interpolations, template if and for
// directives, and the unary and conditional operators chained within one list element
// (each of which the parser handles with one more level of recursion).
func checkNesting(src []byte, filename string) *hcl.Diagnostic {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.Pos{Line: 1, Column: 1})
	type level struct{ chain int }
	stack := make([]level, 1, 16)
	total := 0
	prev := hclsyntax.TokenNewline
	afterControl := false
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenOParen, hclsyntax.TokenOBrack, hclsyntax.TokenOBrace, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, level{})
			total++
		case hclsyntax.TokenCParen, hclsyntax.TokenCBrack, hclsyntax.TokenCBrace, hclsyntax.TokenCQuote,
			hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			if len(stack) > 1 {
				total -= 1 + stack[len(stack)-1].chain
				stack = stack[:len(stack)-1]
			}
		case hclsyntax.TokenComma, hclsyntax.TokenNewline, hclsyntax.TokenEqual:
			top := &stack[len(stack)-1]
			total -= top.chain
			top.chain = 0
		case hclsyntax.TokenBang, hclsyntax.TokenQuestion, hclsyntax.TokenMinus:
			if t.Type != hclsyntax.TokenMinus || !endsValue(prev) {
				stack[len(stack)-1].chain++
				total++
			}
		case hclsyntax.TokenIdent:
			if afterControl {
				switch string(t.Bytes) {
				case "if", "for":
					stack[0].chain++ // directives nest across interpolations
					total++
				case "endif", "endfor":
					if stack[0].chain > 0 {
						stack[0].chain--
						total--
					}
				}
			}
		}
		afterControl = t.Type == hclsyntax.TokenTemplateControl
		if t.Type != hclsyntax.TokenComment {
			prev = t.Type
		}
		if total > MaxTerraformNesting {
			r := t.Range
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "nesting too deep",
				Detail: fmt.Sprintf("expressions nest deeper than %d levels here", MaxTerraformNesting), Subject: &r}
		}
	}
	return nil
}

// endsValue reports whether a token can end an operand, so that a minus after it is binary.
func endsValue(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenIdent, hclsyntax.TokenNumberLit, hclsyntax.TokenCParen, hclsyntax.TokenCBrack,
		hclsyntax.TokenCBrace, hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc:
		return true
	}
	return false
}

// evalBudget is the work left for the evaluation of one module (MaxTerraformWork).
type evalBudget struct {
	left int
	// spent is where the budget ran out, for the one finding that says so.
	spent *hcl.Range
}

// charge counts the cost of a value against the budget and checks its numbers; the
// returned diagnostic, when not nil, says which limit v broke at rng.
func (b *evalBudget) charge(v cty.Value, rng hcl.Range) *hcl.Diagnostic {
	var bad string
	b.left -= evaluationCost
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		b.left--
		if b.left < 0 {
			return false
		}
		if !v.IsKnown() || v.IsNull() {
			return true
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			b.left -= len(v.AsString())
			return b.left >= 0
		case ty == cty.Number:
			if exp := v.AsBigFloat().MantExp(nil); exp > maxTerraformExponent || exp < -maxTerraformExponent {
				bad = "a number beyond ±1e330"
				return false
			}
		case ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				if _, e := it.Element(); !walk(e) {
					return false
				}
			}
		}
		return true
	}
	if walk(v) {
		return nil
	}
	if bad == "" {
		b.left = -1
		if b.spent == nil {
			b.spent = &rng
		}
		bad = fmt.Sprintf("evaluation stopped after %d units of work", MaxTerraformWork)
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "limit", Detail: bad, Subject: &rng, Extra: errTerraformLimit}
}

// exhausted reports whether the budget has run out.
func (b *evalBudget) exhausted() bool { return b.left < 0 }

// budgeted is an expression whose every evaluation is charged to a budget: it embeds the
// expression it wraps, so it is itself an hclsyntax.Expression.
type budgeted struct {
	hclsyntax.Expression
	budget *evalBudget
	// conversions is how many values the expression may convert to strings: the
	// interpolations of a template, the arguments of a function.
	conversions int
}

func (e *budgeted) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	e.budget.left -= e.conversions * conversionCost
	if e.budget.exhausted() {
		if e.budget.spent == nil {
			rng := e.Range()
			e.budget.spent = &rng
		}
		return cty.DynamicVal, nil
	}
	v, diags := e.Expression.Value(ctx)
	if d := e.budget.charge(v, e.Range()); d != nil {
		return cty.DynamicVal, append(diags, d)
	}
	return v, diags
}

// unwrap returns the expression a budgeted expression wraps.
func unwrap(e hclsyntax.Expression) hclsyntax.Expression {
	if b, ok := e.(*budgeted); ok {
		return b.Expression
	}
	return e
}

// wrapChildren makes every operand of e, at any depth, charge its value to b, so that for
// and splat expressions, templates and functions stop once the budget is spent. e itself
// is charged by its caller. Traversals are left as they are: they cost nothing beyond the
// values they name, which were charged when evaluated, and hclsyntax.Variables finds them
// only unwrapped.
func wrapChildren(e hclsyntax.Expression, b *evalBudget) {
	w := func(p *hclsyntax.Expression) {
		if *p == nil {
			return
		}
		if _, done := (*p).(*budgeted); done {
			return
		}
		wrapChildren(*p, b)
		switch e := (*p).(type) {
		case *hclsyntax.LiteralValueExpr:
			cheapNumber(e)
			return
		case *hclsyntax.ScopeTraversalExpr, *hclsyntax.AnonSymbolExpr:
			return
		}
		*p = &budgeted{Expression: *p, budget: b, conversions: conversions(*p)}
	}
	switch e := e.(type) {
	case *hclsyntax.BinaryOpExpr:
		w(&e.LHS)
		w(&e.RHS)
	case *hclsyntax.UnaryOpExpr:
		w(&e.Val)
	case *hclsyntax.ConditionalExpr:
		w(&e.Condition)
		w(&e.TrueResult)
		w(&e.FalseResult)
	case *hclsyntax.ForExpr:
		w(&e.CollExpr)
		w(&e.KeyExpr)
		w(&e.ValExpr)
		w(&e.CondExpr)
	case *hclsyntax.FunctionCallExpr:
		for i := range e.Args {
			w(&e.Args[i])
		}
	case *hclsyntax.IndexExpr:
		w(&e.Collection)
		w(&e.Key)
	case *hclsyntax.ObjectConsExpr:
		for i := range e.Items {
			if k, ok := e.Items[i].KeyExpr.(*hclsyntax.ObjectConsKeyExpr); ok {
				// A bare key is a name, not a reference: it stays as parsed.
				wrapChildren(k.Wrapped, b)
			}
			w(&e.Items[i].ValueExpr)
		}
	case *hclsyntax.ParenthesesExpr:
		w(&e.Expression)
	case *hclsyntax.RelativeTraversalExpr:
		w(&e.Source)
	case *hclsyntax.SplatExpr:
		w(&e.Source)
		w(&e.Each)
	case *hclsyntax.TemplateExpr:
		for i := range e.Parts {
			w(&e.Parts[i])
		}
	case *hclsyntax.TemplateJoinExpr:
		w(&e.Tuple)
	case *hclsyntax.TemplateWrapExpr:
		w(&e.Wrapped)
	case *hclsyntax.TupleConsExpr:
		for i := range e.Exprs {
			w(&e.Exprs[i])
		}
	}
}

// conversions counts the values e may convert from numbers to strings when evaluated.
func conversions(e hclsyntax.Expression) int {
	n := 0
	switch e := e.(type) {
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if _, lit := unwrap(p).(*hclsyntax.LiteralValueExpr); !lit {
				n++
			}
		}
	case *hclsyntax.FunctionCallExpr:
		n = len(e.Args)
	case *hclsyntax.ForExpr:
		if e.KeyExpr != nil {
			n = 1 // an object's keys are strings
		}
	}
	return n
}

// cheapNumber gives a number literal 64 bits of precision instead of cty's 512: formatting
// a 512-bit number as a string (every interpolation of a number) takes some 30µs, which a
// for expression repeats; 64 bits hold every integer and account ID exactly and take 100
// times less. Arithmetic keeps the precision of its operands.
func cheapNumber(e *hclsyntax.LiteralValueExpr) {
	if e.Val.Type() == cty.Number && e.Val.IsKnown() && !e.Val.IsNull() {
		e.Val = cty.NumberVal(new(big.Float).SetPrec(64).Set(e.Val.AsBigFloat()))
	}
}

// terraformFunctions are the functions .tf expressions may call: those of Terraform's
// whose result is no larger than their arguments, plus join, checked. Any other function
// leaves its result unknown, with a finding naming it.
func terraformFunctions(b *evalBudget) map[string]function.Function {
	return map[string]function.Function{
		"lower":      stdlib.LowerFunc,
		"upper":      stdlib.UpperFunc,
		"trimspace":  stdlib.TrimSpaceFunc,
		"concat":     stdlib.ConcatFunc,
		"flatten":    stdlib.FlattenFunc,
		"merge":      stdlib.MergeFunc,
		"distinct":   stdlib.DistinctFunc,
		"length":     stdlib.LengthFunc,
		"coalesce":   stdlib.CoalesceFunc,
		"join":       boundedJoin(b),
		"split":      stdlib.SplitFunc,
		"trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc,
		"compact":    stdlib.CompactFunc,
		"keys":       stdlib.KeysFunc,
		"values":     stdlib.ValuesFunc,
		"lookup":     stdlib.LookupFunc,
		"contains":   stdlib.ContainsFunc,
		"element":    stdlib.ElementFunc,
		"tostring":   stdlib.MakeToFunc(cty.String),
		"tolist":     stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tomap":      stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	}
}

// boundedJoin is Terraform's join, refusing before it runs a result larger than the budget
// left (a long separator between many elements).
func boundedJoin(b *evalBudget) function.Function {
	return function.New(&function.Spec{
		Params:   stdlib.JoinFunc.Params(),
		VarParam: stdlib.JoinFunc.VarParam(),
		Type:     function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			size := 0
			for _, list := range args[1:] {
				if list.IsKnown() && !list.IsNull() {
					n := list.LengthInt()
					size += n * (len(args[0].AsString()) + conversionCost)
					for it := list.ElementIterator(); it.Next(); {
						if _, e := it.Element(); e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
							size += len(e.AsString())
						}
					}
				}
			}
			if size > b.left {
				return cty.DynamicVal, fmt.Errorf("the result would be %d bytes, more than the %d units of work left", size, max(b.left, 0))
			}
			return stdlib.JoinFunc.Call(args)
		},
	})
}
