package rules

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/internal/source"
)

// DefaultMaxSize is the largest input Decode accepts unless told otherwise. The largest valid
// signing configuration is well under 1 MiB; templates and Terraform plans hold more.
const DefaultMaxSize = 16 << 20

// MaxYAMLSize bounds YAML inputs further than the size limit of every input: go-yaml
// parses a YAML document of millions of tiny values at about 1.5 MB/s and holds far more
// memory than the input, so a 16 MiB YAML file would take ten seconds or more. No YAML
// configuration comes near it: CloudFormation accepts templates of at most 1 MB.
const MaxYAMLSize = 4 << 20

// Option changes how Decode works.
type Option func(*options)

type options struct {
	region  string
	maxSize int
	limits  source.Limits
}

// WithRegion names the registry's region: signing profiles in another region are reported
// (ECR rejects cross-region profiles).
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithMaxSize sets the largest input accepted, in bytes. A YAML input is also bounded by
// MaxYAMLSize.
func WithMaxSize(n int) Option { return func(o *options) { o.maxSize = n } }

// Decode reads every signing and replication configuration of data, whatever its format
// (SPEC section 6), validates each against the ECR API and lints it. It never fails: every
// problem, from a syntax error to a lint, is a finding of the document or of one of its
// configurations. file names the input in findings.
//
// Decisions where the formats are silent: members the format does not define are errors
// (ECR106), as the AWS CLI and CloudFormation reject them, except in Terraform output, which
// carries computed attributes; a key given twice is an error (ECR104) and the last value is
// used, as the AWS CLI would; a value of the wrong JSON type, null included, is an error
// (ECR105), except that null means "absent" in Terraform output.
//
// Work is bounded whatever the input: a list longer than the API allows is checked up to one
// element past its maximum (ECR110 says where checking stopped; messages give the real
// length), a document lists at most MaxFindings findings (ECR111 counts the rest), and YAML
// inputs are bounded by MaxYAMLSize. A 16 MiB input takes a few seconds at most.
func Decode(file string, data []byte, opts ...Option) *Document {
	o := options{maxSize: DefaultMaxSize, limits: source.DefaultLimits}
	for _, opt := range opts {
		opt(&o)
	}
	doc := &Document{File: file}
	fail := func(code Code, pos source.Pos, msg, hint string) *Document {
		doc.Findings = append(doc.Findings, Finding{Code: code, Severity: SeverityError, File: file,
			Line: pos.Line, Column: pos.Column, Message: msg, Hint: hint})
		return doc
	}
	if len(data) > o.maxSize {
		return fail(CodeTooLarge, source.Pos{Line: 1, Column: 1},
			fmt.Sprintf("input is %d bytes, more than the %d bytes accepted", len(data), o.maxSize), "")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail(CodeEncoding, source.End(data[:i]), "input is binary (it holds a NUL byte), not a JSON or YAML text", "")
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return fail(CodeEncoding, source.End(data[:i]), fmt.Sprintf("input is not valid UTF-8 (byte 0x%02x)", data[i]), "save the file as UTF-8")
	}
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(trimmed) == 0 {
		return fail(CodeNoConfig, source.Pos{Line: 1, Column: 1}, "input is empty", "")
	}
	isJSON := trimmed[0] == '{' || trimmed[0] == '['
	maxYAML := min(o.maxSize, MaxYAMLSize)
	if !isJSON && len(data) > maxYAML {
		return fail(CodeTooLarge, source.Pos{Line: 1, Column: 1},
			fmt.Sprintf("YAML input is %d bytes, more than the %d bytes accepted for YAML", len(data), maxYAML),
			"CloudFormation accepts templates of at most 1 MB; convert larger inputs to JSON")
	}
	root, isJSON, more, err := parse(data, isJSON, len(data) <= maxYAML, o.limits)
	if err != nil {
		code, msg, pos := CodeSyntax, err.Error(), source.Pos{Line: 1, Column: 1}
		if se, ok := err.(*source.Error); ok {
			msg, pos = se.Msg, se.Pos
			if se.Limit {
				code = CodeLimit
			}
		}
		if isJSON {
			msg = "invalid JSON: " + msg
		} else {
			msg = "invalid YAML: " + msg
		}
		return fail(code, pos, msg, "")
	}
	if more != nil {
		doc.Findings = append(doc.Findings, Finding{Code: CodeMoreDocuments, Severity: SeverityWarning, File: file,
			Line: more.Line, Column: more.Column, Message: "a second YAML document starts here; only the first document of the input is read",
			Hint: "put each document in a file of its own"})
	}
	if root.Kind != source.Object {
		return fail(CodeNoConfig, root.Pos, fmt.Sprintf("input is %s, not an object holding a configuration", root.Brief()),
			`expected {"signingConfiguration": ...}, {"rules": ...}, a CloudFormation template or terraform show -json output`)
	}
	format := detect(root, isJSON)
	budget := &findingBudget{left: MaxFindings}
	switch {
	case format == "":
		return fail(CodeNoConfig, root.Pos, "no signing or replication configuration found: "+describeKeys(root),
			`expected {"signingConfiguration": ...}, {"replicationConfiguration": ...}, {"rules": ...}, a CloudFormation template or terraform show -json output`)
	case format.CloudFormation():
		decodeCloudFormation(doc, root, format, budget)
	case format == FormatTerraformPlan || format == FormatTerraformState:
		decodeTerraform(doc, root, format, o.limits.MaxDepth, budget)
	default:
		decodeAPI(doc, root, format, budget)
	}
	if len(doc.Configs) == 0 && !hasError(doc.Findings) {
		what := "the CloudFormation template holds no AWS::ECR::SigningConfiguration or AWS::ECR::ReplicationConfiguration resource"
		switch format {
		case FormatTerraformPlan:
			what = "the Terraform plan holds no awscc_ecr_signing_configuration resource"
		case FormatTerraformState:
			what = "the Terraform state holds no awscc_ecr_signing_configuration resource"
		}
		return fail(CodeNoConfig, root.Pos, what, "")
	}
	for _, c := range doc.Configs {
		validate(c)
		lint(c, o.region)
		sortFindings(c.Findings)
	}
	if f, ok := budget.summary(); ok {
		f.File = file
		doc.Findings = append(doc.Findings, f)
	}
	sortFindings(doc.Findings)
	return doc
}

func describeKeys(n *source.Node) string {
	if len(n.Members) == 0 {
		return "the object is empty"
	}
	var keys []string
	for i, m := range n.Members {
		if i == 5 {
			keys = append(keys, "...")
			break
		}
		keys = append(keys, fmt.Sprintf("%q", m.Key))
	}
	return "the object has members " + strings.Join(keys, ", ")
}

// parse parses data as JSON when it starts like JSON (isJSON), as YAML otherwise. A YAML
// flow mapping such as {rules: [...]} also starts with '{': when the JSON parser stops at a
// character that is no JSON at all there (an unquoted word, a single quote, a YAML tag) and
// the input is well-formed YAML, it is read as YAML and json comes back false. JSON errors
// that YAML would forgive but the AWS CLI would not (a trailing comma, a truncated
// document) stay JSON errors, as do all errors of inputs too large for YAML (yamlOK false).
// more is the position of a second YAML document, not read.
func parse(data []byte, isJSON, yamlOK bool, lim source.Limits) (root *source.Node, json bool, more *source.Pos, err error) {
	if !isJSON {
		root, more, err = source.ParseYAML(data, lim)
		return root, false, more, err
	}
	root, err = source.ParseJSON(data, lim)
	se, ok := err.(*source.Error)
	if !ok || !yamlOK || se.Limit || se.Offset >= len(data) || strings.IndexByte(",]}\"", data[se.Offset]) >= 0 {
		return root, true, nil, err
	}
	if yroot, ymore, yerr := source.ParseYAML(data, lim); yerr == nil && ymore == nil {
		return yroot, false, nil, nil
	}
	return nil, true, nil, err
}

func hasError(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// detect names the format of a document from its top-level members.
func detect(root *source.Node, isJSON bool) Format {
	has := func(k string) bool { return root.Lookup(k) != nil }
	cfn := FormatCloudFormationYAML
	if isJSON {
		cfn = FormatCloudFormationJSON
	}
	switch {
	case has("signingConfiguration") || has("replicationConfiguration"):
		if has("registryId") {
			return FormatAPIResponse
		}
		return FormatAPIRequest
	case has("Resources") || has("AWSTemplateFormatVersion"):
		return cfn
	case has("planned_values") || has("resource_changes"):
		return FormatTerraformPlan
	case has("format_version") && has("values"):
		return FormatTerraformState
	case has("rules"):
		return FormatBare
	}
	return ""
}

// style is the naming of members in a format.
type style int

const (
	styleAPI   style = iota // signingProfileArn
	styleCFN                // SigningProfileArn
	styleSnake              // signing_profile_arn
)

// name returns the member name of API member api in the style.
func (s style) name(api string) string {
	if api == "" {
		return api
	}
	switch s {
	case styleCFN:
		return strings.ToUpper(api[:1]) + api[1:]
	case styleSnake:
		var b strings.Builder
		for i, r := range api {
			if unicode.IsUpper(r) {
				if i > 0 {
					b.WriteByte('_')
				}
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return api
}

// decoder turns a source tree into a typed configuration, recording positions and findings.
type decoder struct {
	c     *Config
	style style
	// cfn accepts intrinsic functions as values that cannot be checked.
	cfn bool
	// tf reads null as absent and ignores members it does not know.
	tf bool
}

func newConfig(file, name string, f Format, k Kind, st style, b *findingBudget) (*Config, *decoder) {
	c := &Config{Name: name, Format: f, Kind: k, file: file, positions: map[string]source.Pos{},
		problems: map[string]bool{}, invalid: map[string]bool{}, lengths: map[string]int{}, style: st, budget: b}
	return c, &decoder{c: c, style: st, cfn: f.CloudFormation(), tf: f == FormatTerraformPlan || f == FormatTerraformState}
}

func (d *decoder) problem(path string, n *source.Node, code Code, sev Severity, msg, hint string) {
	d.c.problems[path] = true
	d.c.add(Finding{Code: code, Severity: sev, Path: path, Line: n.Pos.Line, Column: n.Pos.Column, Message: msg, Hint: hint})
}

// intrinsic reports whether n is a CloudFormation intrinsic function, and if so records it
// as a value that cannot be checked.
func (d *decoder) intrinsic(n *source.Node, path string) bool {
	if !d.cfn {
		return false
	}
	fn := ""
	switch {
	case n.Kind == source.Tagged:
		fn = n.Text
	case n.Kind == source.Object && len(n.Members) == 1 &&
		(n.Members[0].Key == "Ref" || strings.HasPrefix(n.Members[0].Key, "Fn::")):
		fn = n.Members[0].Key
	default:
		return false
	}
	d.c.Unresolved = append(d.c.Unresolved, path)
	d.problem(path, n, CodeUnresolved, SeverityInfo,
		fmt.Sprintf("%s is %s, whose value is only known at deployment; it is not checked", d.member(path), fn), "")
	return true
}

// member names the last member of path in the source's style, for messages.
func (d *decoder) member(path string) string { return memberName(d.style, path) }

func memberName(st style, path string) string {
	if path == "" {
		return "the configuration"
	}
	last := path[strings.LastIndexByte(path, '.')+1:]
	name := last
	idx := ""
	if i := strings.IndexByte(last, '['); i >= 0 {
		name, idx = last[:i], last[i:]
	}
	return st.name(name) + idx
}

func (d *decoder) wrongType(path string, n *source.Node, want string) {
	hint := ""
	if want == "a string" && (n.Kind == source.Number || n.Kind == source.Bool) {
		hint = fmt.Sprintf("quote it: \"%s\"", n.Text)
	}
	d.problem(path, n, CodeWrongType, SeverityError,
		fmt.Sprintf("%s must be %s, found %s", d.member(path), want, n.Brief()), hint)
}

// object checks that n is an object, reports members not in allowed and duplicate keys, and
// returns the members by API name. ok is false when n is no object (or is absent).
func (d *decoder) object(n *source.Node, path string, allowed ...string) (map[string]*source.Node, bool) {
	if n == nil {
		return nil, false
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return nil, false
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return nil, false
	}
	if n.Kind != source.Object {
		d.wrongType(path, n, "an object")
		return nil, false
	}
	byName := map[string]string{}
	for _, a := range allowed {
		byName[d.style.name(a)] = a
	}
	out := make(map[string]*source.Node, len(allowed))
	seen := make(map[string]source.Pos, len(allowed))
	for _, m := range n.Members {
		if first, dup := seen[m.Key]; dup && d.c.budget.take(SeverityError) {
			d.c.record(Finding{Code: CodeDuplicateKey, Severity: SeverityError, Path: join(path, m.Key),
				Line: m.KeyPos.Line, Column: m.KeyPos.Column,
				Message: fmt.Sprintf("key %q appears twice in the object (first at %d:%d); the last value is used", m.Key, first.Line, first.Column),
				Hint:    "remove one of them"})
		}
		seen[m.Key] = m.KeyPos
		api, ok := byName[m.Key]
		if !ok {
			if !d.tf && d.c.budget.take(SeverityError) {
				d.c.record(Finding{Code: CodeUnknownField, Severity: SeverityError, Path: join(path, m.Key),
					Line: m.KeyPos.Line, Column: m.KeyPos.Column,
					Message: fmt.Sprintf("unknown member %q in %s; it must be one of %s", m.Key, d.member(path), d.list(allowed)),
					Hint:    d.suggest(m.Key, allowed)})
			}
			continue
		}
		out[api] = m.Value
	}
	return out, true
}

func (d *decoder) list(allowed []string) string {
	var names []string
	for _, a := range allowed {
		names = append(names, d.style.name(a))
	}
	return strings.Join(names, ", ")
}

// suggest proposes the allowed member a mistyped key was probably meant to be.
func (d *decoder) suggest(key string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, a := range allowed {
		name := d.style.name(a)
		if norm(key) == norm(name) || editDistance(norm(key), norm(name)) <= 2 {
			h := fmt.Sprintf("did you mean %s?", name)
			if norm(key) == norm(name) && d.style != styleSnake {
				switch d.style {
				case styleAPI:
					h += " (the API uses camelCase; PascalCase is CloudFormation's)"
				case styleCFN:
					h += " (CloudFormation uses PascalCase; camelCase is the API's)"
				}
			}
			return h
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 100
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// array returns the elements of a list member; present is false when the member is absent
// (or unusable: a wrong type or an intrinsic, which are reported).
func (d *decoder) array(n *source.Node, path string) (items []*source.Node, present bool) {
	if n == nil {
		return nil, false
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return nil, false
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return nil, false
	}
	if n.Kind != source.Array {
		d.wrongType(path, n, "a list")
		return nil, false
	}
	return n.Items, true
}

// capped returns the elements of the list at path to decode: all of them, or, when the list
// is longer than max+1, the first max+1. One element past the API's maximum is enough for
// every violation and lint to be reported; checking the rest would only repeat them, and a
// 16 MiB list of millions of elements would take minutes. The list's real length is kept
// for messages, and a finding says where checking stopped.
func (d *decoder) capped(items []*source.Node, path string, max int, what string) []*source.Node {
	if len(items) <= max+1 {
		return items
	}
	d.c.lengths[path] = len(items)
	first := items[max+1]
	d.c.add(Finding{Code: CodeNotChecked, Severity: SeverityInfo, Path: fmt.Sprintf("%s[%d]", path, max+1),
		Line: first.Pos.Line, Column: first.Pos.Column,
		Message: fmt.Sprintf("%s holds %d %s, far more than the %d the API allows; only the first %d are checked, the %d from here on are not",
			d.member(path), len(items), what, max, max+1, len(items)-max-1)})
	return items[:max+1]
}

// str returns a string member; "" when absent or unusable.
func (d *decoder) str(n *source.Node, path string) string {
	if n == nil {
		return ""
	}
	d.c.positions[path] = n.Pos
	if d.intrinsic(n, path) {
		return ""
	}
	if n.Kind == source.Null && d.tf {
		d.c.null(path)
		return ""
	}
	if n.Kind != source.String {
		d.wrongType(path, n, "a string")
		return ""
	}
	return n.Text
}

// ruleItems decodes the configuration object at n down to its "rules" array, cut to one element
// past maxRules; present is false when there is no usable rules array (already reported).
func (d *decoder) ruleItems(n *source.Node, maxRules int) (items []*source.Node, present bool) {
	m, ok := d.object(n, "", "rules")
	if !ok {
		return nil, false
	}
	items, present = d.array(m["rules"], "rules")
	if !present {
		return nil, false
	}
	return d.capped(items, "rules", maxRules, "rules"), true
}

// signing decodes a SigningConfiguration at n.
func (d *decoder) signing(n *source.Node) {
	cfg := &SigningConfiguration{}
	d.c.Signing = cfg
	items, present := d.ruleItems(n, MaxSigningRules)
	if !present {
		return
	}
	cfg.Rules = make([]SigningRule, len(items))
	for i, it := range items {
		p := RulePath(i)
		rm, ok := d.object(it, p, "signingProfileArn", "repositoryFilters")
		if !ok {
			continue
		}
		r := &cfg.Rules[i]
		r.SigningProfileArn = d.str(rm["signingProfileArn"], p+".signingProfileArn")
		fs, present := d.array(rm["repositoryFilters"], p+".repositoryFilters")
		if !present {
			continue
		}
		fs = d.capped(fs, p+".repositoryFilters", MaxSigningFilters, "filters")
		r.RepositoryFilters = make([]SigningRepositoryFilter, len(fs))
		for j, fn := range fs {
			fp := FilterPath(i, j)
			fm, ok := d.object(fn, fp, "filter", "filterType")
			if !ok {
				continue
			}
			r.RepositoryFilters[j].Filter = d.str(fm["filter"], fp+".filter")
			r.RepositoryFilters[j].FilterType = SigningRepositoryFilterType(d.str(fm["filterType"], fp+".filterType"))
		}
	}
}

// replication decodes a ReplicationConfiguration at n.
func (d *decoder) replication(n *source.Node) {
	cfg := &ReplicationConfiguration{}
	d.c.Replication = cfg
	items, present := d.ruleItems(n, MaxReplicationRules)
	if !present {
		return
	}
	cfg.Rules = make([]ReplicationRule, len(items))
	for i, it := range items {
		p := RulePath(i)
		rm, ok := d.object(it, p, "destinations", "repositoryFilters")
		if !ok {
			continue
		}
		r := &cfg.Rules[i]
		if ds, present := d.array(rm["destinations"], p+".destinations"); present {
			ds = d.capped(ds, p+".destinations", MaxReplicationDestinations, "destinations")
			r.Destinations = make([]ReplicationDestination, len(ds))
			for j, dn := range ds {
				dp := fmt.Sprintf("%s.destinations[%d]", p, j)
				dm, ok := d.object(dn, dp, "region", "registryId")
				if !ok {
					continue
				}
				r.Destinations[j].Region = d.str(dm["region"], dp+".region")
				r.Destinations[j].RegistryID = d.str(dm["registryId"], dp+".registryId")
			}
		}
		fs, present := d.array(rm["repositoryFilters"], p+".repositoryFilters")
		if !present {
			continue
		}
		fs = d.capped(fs, p+".repositoryFilters", MaxReplicationFilters, "filters")
		r.RepositoryFilters = make([]RepositoryFilter, len(fs))
		for j, fn := range fs {
			fp := fmt.Sprintf("%s.repositoryFilters[%d]", p, j)
			fm, ok := d.object(fn, fp, "filter", "filterType")
			if !ok {
				continue
			}
			r.RepositoryFilters[j].Filter = d.str(fm["filter"], fp+".filter")
			r.RepositoryFilters[j].FilterType = RepositoryFilterType(d.str(fm["filterType"], fp+".filterType"))
		}
	}
}

// decodeAPI reads an API request, response or bare configuration.
func decodeAPI(doc *Document, root *source.Node, f Format, b *findingBudget) {
	kind := KindSigning
	member := "signingConfiguration"
	if root.Lookup("replicationConfiguration") != nil && root.Lookup("signingConfiguration") == nil {
		kind, member = KindReplication, "replicationConfiguration"
	}
	if f == FormatBare && isReplicationRules(root.Lookup("rules")) {
		kind = KindReplication
	}
	c, d := newConfig(doc.File, "", f, kind, styleAPI, b)
	doc.Configs = append(doc.Configs, c)
	body := root
	if f != FormatBare {
		// The envelope: report its unknown members, then decode the configuration.
		env, _ := newConfig(doc.File, "", f, kind, styleAPI, b)
		ed := &decoder{c: env, style: styleAPI}
		allowed := []string{member}
		if f == FormatAPIResponse {
			allowed = append(allowed, "registryId", "ResponseMetadata")
		}
		ed.object(root, "", allowed...)
		doc.Findings = append(doc.Findings, env.Findings...)
		body = root.Lookup(member)
	}
	if kind == KindReplication {
		d.replication(body)
	} else {
		d.signing(body)
	}
}

func isReplicationRules(n *source.Node) bool {
	if n == nil || n.Kind != source.Array {
		return false
	}
	for _, it := range n.Items {
		if it.Lookup("destinations") != nil {
			return true
		}
	}
	return false
}

// decodeCloudFormation reads every signing and replication configuration resource of a
// template, named by logical ID.
func decodeCloudFormation(doc *Document, root *source.Node, f Format, b *findingBudget) {
	res := root.Lookup("Resources")
	if res == nil || res.Kind != source.Object {
		return
	}
	for _, m := range res.Members {
		typ := m.Value.Lookup("Type")
		if typ == nil || typ.Kind != source.String {
			continue
		}
		var kind Kind
		switch typ.Text {
		case "AWS::ECR::SigningConfiguration":
			kind = KindSigning
		case "AWS::ECR::ReplicationConfiguration":
			kind = KindReplication
		default:
			continue
		}
		c, d := newConfig(doc.File, m.Key, f, kind, styleCFN, b)
		doc.Configs = append(doc.Configs, c)
		props := m.Value.Lookup("Properties")
		c.positions[""] = m.Value.Pos
		if props == nil {
			props = &source.Node{Kind: source.Object, Pos: m.Value.Pos}
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
			continue
		}
		pm, ok := d.object(props, "", "replicationConfiguration")
		if !ok {
			continue
		}
		if pm["replicationConfiguration"] == nil {
			c.Replication = &ReplicationConfiguration{}
			d.problem("", props, CodeRequired, SeverityError, "ReplicationConfiguration is required", "")
			continue
		}
		d.replication(pm["replicationConfiguration"])
	}
}
