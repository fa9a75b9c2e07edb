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
	region       string
	pseudoRegion string
	accountID    string
	registryID   string
	parameters   map[string]string
	maxSize      int
	limits       source.Limits
}

// WithRegion names the registry's region: signing profiles in another region are reported
// (ECR rejects cross-region profiles), and it is CloudFormation's AWS::Region (AWS::Partition
// and AWS::URLSuffix follow from it).
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithStackRegion names the region a CloudFormation template is deployed in, its
// AWS::Region, without the region checks of WithRegion: for tools that check regions
// themselves.
func WithStackRegion(region string) Option { return func(o *options) { o.pseudoRegion = region } }

// WithAccountID names the account a CloudFormation template is deployed in, its
// AWS::AccountId. It is also the registry's ID unless WithRegistryID names another.
func WithAccountID(id string) Option { return func(o *options) { o.accountID = id } }

// WithRegistryID names the registry (account) the configurations are put into. With
// WithRegion it is the source registry of replication: a destination that is the source is
// an error (ECR214), as PutReplicationConfiguration rejects it. It is also
// AWS::AccountId unless WithAccountID names another.
func WithRegistryID(id string) Option { return func(o *options) { o.registryID = id } }

// WithParameters gives values to CloudFormation template parameters, by name, over their
// Default: as "aws cloudformation deploy --parameter-overrides" does. A parameter of a
// list type (CommaDelimitedList, List<...>) takes its elements separated by commas.
// [ReadParameters] reads the parameter files of the AWS CLI and CodePipeline.
func WithParameters(values map[string]string) Option {
	return func(o *options) {
		if o.parameters == nil {
			o.parameters = map[string]string{}
		}
		for k, v := range values {
			o.parameters[k] = v
		}
	}
}

// WithMaxSize sets the largest input accepted, in bytes. A YAML input is also bounded by
// MaxYAMLSize.
func WithMaxSize(n int) Option { return func(o *options) { o.maxSize = n } }

// Decode reads every signing and replication configuration of data, whatever its format
// (docs/model.md, section 6), validates each against the ECR API and lints it. It never fails: every
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
	o.accountID, o.registryID = cmpOr(o.accountID, o.registryID), cmpOr(o.registryID, o.accountID)
	doc := &Document{File: file}
	fail := func(f *Finding) *Document {
		f.Severity, f.File = SeverityError, file
		doc.Findings = append(doc.Findings, *f)
		return doc
	}
	data, bad := checkText(data, o.maxSize)
	if bad != nil {
		return fail(bad)
	}
	isJSON, bad := checkSyntaxSize(data, o.maxSize)
	if bad != nil {
		return fail(bad)
	}
	root, isJSON, more, err := parse(data, isJSON, len(data) <= min(o.maxSize, MaxYAMLSize), o.limits)
	if err != nil {
		return fail(parseFailure(err, isJSON))
	}
	if more != nil {
		doc.Findings = append(doc.Findings, Finding{Code: CodeMoreDocuments, Severity: SeverityWarning, File: file,
			Line: more.Line, Column: more.Column, Message: "a second YAML document starts here; only the first document of the input is read",
			Hint: "put each document in a file of its own"})
	}
	if root.Kind != source.Object {
		return fail(errorAt(CodeNoConfig, root.Pos, fmt.Sprintf("input is %s, not an object holding a configuration", root.Brief()),
			`expected {"signingConfiguration": ...}, {"rules": ...}, a CloudFormation template or terraform show -json output`))
	}
	format := detect(root, isJSON)
	if format == "" {
		return fail(errorAt(CodeNoConfig, root.Pos, "no signing or replication configuration found: "+describeKeys(root),
			`expected {"signingConfiguration": ...}, {"replicationConfiguration": ...}, {"rules": ...}, a CloudFormation template or terraform show -json output`))
	}
	budget := &findingBudget{left: MaxFindings}
	decodeFormat(doc, root, format, budget, &o)
	if len(doc.Configs) == 0 && !hasError(doc.Findings) {
		return fail(errorAt(CodeNoConfig, root.Pos, noConfigMessage(format), ""))
	}
	for _, c := range doc.Configs {
		check(c, &o)
	}
	if f, ok := budget.summary(); ok {
		f.File = file
		doc.Findings = append(doc.Findings, f)
	}
	sortFindings(doc.Findings)
	return doc
}

// errorAt returns an error finding at pos, without its file.
func errorAt(code Code, pos source.Pos, msg, hint string) *Finding {
	return &Finding{Code: code, Severity: SeverityError, Line: pos.Line, Column: pos.Column, Message: msg, Hint: hint}
}

// checkText checks that data is at most maxSize bytes of UTF-8 text, and returns it without
// a byte order mark; otherwise a finding saying what it is instead.
func checkText(data []byte, maxSize int) ([]byte, *Finding) {
	if len(data) > maxSize {
		return nil, errorAt(CodeTooLarge, source.Pos{Line: 1, Column: 1},
			fmt.Sprintf("input is %d bytes, more than the %d bytes accepted", len(data), maxSize), "")
	}
	if enc := unicodeEncoding(data); enc != "" {
		return nil, errorAt(CodeEncoding, source.Pos{Line: 1, Column: 1}, fmt.Sprintf("input is %s text, not UTF-8", enc),
			fmt.Sprintf("%s; convert to UTF-8, for example with iconv -f %s -t UTF-8", enc, enc))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, errorAt(CodeEncoding, source.End(data[:i]), "input is binary (it holds a NUL byte), not a JSON or YAML text", "")
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
		return nil, errorAt(CodeEncoding, source.End(data[:i]), fmt.Sprintf("input is not valid UTF-8 (byte 0x%02x)", data[i]), "save the file as UTF-8")
	}
	return data, nil
}

// checkSyntaxSize reports whether the text data looks like JSON (it starts with an object
// or array), and returns a finding if it is empty or YAML larger than YAML inputs may be.
func checkSyntaxSize(data []byte, maxSize int) (isJSON bool, bad *Finding) {
	trimmed := bytes.TrimLeftFunc(data, unicode.IsSpace)
	if len(trimmed) == 0 {
		return false, errorAt(CodeNoConfig, source.Pos{Line: 1, Column: 1}, "input is empty", "")
	}
	isJSON = trimmed[0] == '{' || trimmed[0] == '['
	if maxYAML := min(maxSize, MaxYAMLSize); !isJSON && len(data) > maxYAML {
		return false, errorAt(CodeTooLarge, source.Pos{Line: 1, Column: 1},
			fmt.Sprintf("YAML input is %d bytes, more than the %d bytes accepted for YAML", len(data), maxYAML),
			"CloudFormation accepts templates of at most 1 MB; convert larger inputs to JSON")
	}
	return isJSON, nil
}

// parseFailure turns a parse error into a finding: a syntax error, or a limit reached.
func parseFailure(err error, isJSON bool) *Finding {
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
	return errorAt(code, pos, msg, "")
}

// decodeFormat decodes the configurations of root, a document of the given format.
func decodeFormat(doc *Document, root *source.Node, format Format, budget *findingBudget, o *options) {
	switch {
	case format.CloudFormation():
		decodeCloudFormation(doc, root, format, budget, o)
	case format == FormatTerraformPlan || format == FormatTerraformState:
		decodeTerraform(doc, root, format, o.limits.MaxDepth, budget)
	default:
		decodeAPI(doc, root, format, budget)
	}
}

// noConfigMessage says that a document of the given format holds no configuration.
func noConfigMessage(format Format) string {
	switch format {
	case FormatTerraformPlan:
		return "the Terraform plan holds no awscc_ecr_signing_configuration resource"
	case FormatTerraformState:
		return "the Terraform state holds no awscc_ecr_signing_configuration resource"
	}
	return "the CloudFormation template holds no AWS::ECR::SigningConfiguration or AWS::ECR::ReplicationConfiguration resource"
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
