package rules

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/internal/source"
)

// SuppressionKind says where a suppression is written, in the words of SARIF's
// suppression.kind.
type SuppressionKind string

const (
	// SuppressionInSource is written in the input itself: an ecrsign:ignore comment, or a
	// CloudFormation resource's Metadata.
	SuppressionInSource SuppressionKind = "inSource"
	// SuppressionExternal is written elsewhere: the project configuration file.
	SuppressionExternal SuppressionKind = "external"
)

// Suppression is a finding accepted on purpose, and where and why it was accepted. A
// suppressed finding is still reported, with Finding.Suppressed set (docs/model.md, D11).
type Suppression struct {
	Kind  SuppressionKind `json:"kind"`
	Codes []Code          `json:"codes"`
	// Reason is the justification written with the suppression; "" when none was given
	// (ECR500 says so).
	Reason string `json:"justification,omitempty"`
	// File, Line and Column locate the suppression itself.
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// IgnoreMarker starts an inline suppression in a comment:
//
//	filter: team/api   # ecrsign:ignore ECR302 the exact name is meant
//
// A comment alone on its line suppresses on the next line that is not blank or a comment; a
// comment after a value, on its own line. Codes are separated by commas or spaces; the text
// after them is the reason. '#' and '//' start comments (YAML, HCL).
const IgnoreMarker = "ecrsign:ignore"

// MaxSuppressions bounds the suppressions read from one input; later ones are not read.
// No real file holds more than a few, and each finding is compared with each suppression.
const MaxSuppressions = 1000

// Suppress returns findings with those accepted by a suppression marked (Suppressed and
// Suppression set), and, appended, the findings about the suppressions written in data:
// ECR500 for one without a reason, ECR501 for one that suppresses nothing, ECR502 for one
// that names no valid code. Suppressions are read from data, the input that file names,
// whatever its format: ecrsign:ignore comments (see IgnoreMarker), matched to findings by file
// and line, and the Metadata of CloudFormation resources,
//
//	Metadata: {ecrsign: {ignore: [ECR302, {code: ECR404, reason: "..."}]}}
//
// matched to the findings of that resource. project, when not nil, adds the ignore entries of
// a project configuration file; its unused entries are reported by [ProjectConfig.Unused]
// once every input has been seen. Findings about suppressions (ECR5xx) are never suppressed.
func Suppress(file string, data []byte, findings []Finding, project *ProjectConfig) []Finding {
	var own []*localSuppression
	var notes []Finding
	if bytes.Contains(data, []byte("ecrsign")) {
		own, notes = inlineSuppressions(file, data)
		if mentionsMetadata(data) {
			meta, metaNotes := metadataSuppressions(file, data)
			own, notes = append(own, meta...), append(notes, metaNotes...)
		}
	}
	if len(own) == 0 && project == nil {
		return append(slices.Clone(findings), notes...)
	}
	// Index the suppressions by the line or the resource they concern, so that each finding
	// is compared only with those that may accept it.
	byLine := map[int][]*localSuppression{}
	byConfig := map[string][]*localSuppression{}
	for _, s := range own {
		if s.line > 0 {
			byLine[s.line] = append(byLine[s.line], s)
		}
		for _, c := range s.configs {
			byConfig[c] = append(byConfig[c], s)
		}
	}
	out := make([]Finding, 0, len(findings)+len(notes))
	for _, f := range findings {
		if !f.Code.suppressible() || f.Suppressed {
			out = append(out, f)
			continue
		}
		config, _, _ := strings.Cut(f.Config, ".")
		for _, s := range slices.Concat(byLine[f.Line], byConfig[f.Config], byConfig[config]) {
			if s.accepts(f) {
				s.used++
				f.Suppressed, f.Suppression = true, &s.Suppression
				break
			}
		}
		if !f.Suppressed && project != nil {
			if s := project.accept(f); s != nil {
				f.Suppressed, f.Suppression = true, s
			}
		}
		out = append(out, f)
	}
	for _, s := range own {
		if s.Reason == "" {
			note := s.note(CodeSuppressionNoReason, SeverityWarning, "the suppression of "+codeList(s.Codes)+" gives no reason")
			if s.line == 0 {
				note.Hint = reasonHint(s.Codes)
			}
			notes = append(notes, note)
		}
		if s.used == 0 {
			notes = append(notes, s.note(CodeSuppressionUnused, SeverityInfo, "the suppression of "+codeList(s.Codes)+" suppresses nothing"))
		}
	}
	sortFindings(notes)
	return append(out, notes...)
}

// suppressible reports whether a finding of code c may be suppressed: every code but those
// about suppressions and the project file.
func (c Code) suppressible() bool { return c < CodeSuppressionNoReason }

// localSuppression is a suppression written in the input, with what it applies to.
type localSuppression struct {
	Suppression
	line    int      // an inline comment: the line of the findings it accepts
	configs []string // Metadata: the names the resource's findings carry
	used    int
}

func (s *localSuppression) accepts(f Finding) bool {
	if !containsCode(s.Codes, f.Code) || f.File != s.File {
		return false
	}
	if s.line > 0 {
		return f.Line == s.line
	}
	for _, c := range s.configs {
		// A finding of a resource may name a part of it (a branch of Fn::If) after a '.'.
		if f.Config == c || strings.HasPrefix(f.Config, c+".") {
			return true
		}
	}
	return false
}

func (s *localSuppression) note(code Code, sev Severity, msg string) Finding {
	info, _ := code.Info()
	return Finding{Code: code, Severity: sev, File: s.File, Line: s.Line, Column: s.Column, Message: msg, Hint: info.Hint}
}

func containsCode(codes []Code, c Code) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

func codeList(codes []Code) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// inlineSuppressions reads the ecrsign:ignore comments of data.
func inlineSuppressions(file string, data []byte) ([]*localSuppression, []Finding) {
	// Lines end at "\n", "\r\n" or a lone "\r", as the decoders count them.
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), "\n")
	var out []*localSuppression
	var notes []Finding
	for i, line := range lines {
		start, text, alone, ok := ignoreComment(line)
		if !ok {
			continue
		}
		if len(out) == MaxSuppressions {
			break
		}
		pos := source.Pos{Line: i + 1, Column: utf8.RuneCountInString(line[:start]) + 1}
		codes, reason, bad := parseIgnore(text)
		for _, msg := range bad {
			notes = append(notes, Finding{Code: CodeSuppressionInvalid, Severity: SeverityWarning, File: file,
				Line: pos.Line, Column: pos.Column, Message: msg, Hint: invalidHint})
		}
		if len(codes) == 0 {
			continue
		}
		target := i + 1
		if alone {
			target = nextContentLine(lines, i+1)
		}
		out = append(out, &localSuppression{
			Suppression: Suppression{Kind: SuppressionInSource, Codes: codes, Reason: reason, File: file, Line: pos.Line, Column: pos.Column},
			line:        target,
		})
	}
	return out, notes
}

// reasonHint says how to give an ignore entry (Metadata, the project file) its reason.
func reasonHint(codes []Code) string {
	return "write the entry as {code: " + string(codes[0]) + ", reason: ...}"
}

const invalidHint = "name codes as ECR302, separated by commas or spaces, then the reason"

// ignoreComment finds an ecrsign:ignore comment in line: the byte offset of its comment
// marker, the text after IgnoreMarker, and whether the comment is alone on its line.
func ignoreComment(line string) (start int, text string, alone, ok bool) {
	i := strings.Index(line, IgnoreMarker)
	if i < 0 {
		return 0, "", false, false
	}
	rest := line[i+len(IgnoreMarker):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != ',' {
		return 0, "", false, false // ecrsign:ignore-something is not this marker
	}
	before := strings.TrimRight(line[:i], " \t")
	switch {
	case strings.HasSuffix(before, "//"):
		start = len(before) - 2
	case strings.HasSuffix(before, "#"):
		start = len(before) - 1
	default:
		return 0, "", false, false
	}
	return start, rest, strings.TrimSpace(line[:start]) == "", true
}

// nextContentLine returns the 1-based number of the first line from index i on that is not
// blank or a comment; 0 when there is none.
func nextContentLine(lines []string, i int) int {
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t != "" && !strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "//") {
			return i + 1
		}
	}
	return 0
}

// parseIgnore splits the text after IgnoreMarker into codes and the reason; bad holds a
// message for each token that looks like a code but is not one, and for a suppression that
// names no code at all.
func parseIgnore(text string) (codes []Code, reason string, bad []string) {
	rest := strings.TrimLeft(text, " \t,")
	for rest != "" {
		end := strings.IndexAny(rest, " \t,")
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		if !looksLikeCode(tok) {
			break
		}
		if _, known := Code(tok).Info(); known {
			codes = append(codes, Code(tok))
		} else {
			bad = append(bad, fmt.Sprintf("%s is not a code of ecrsign", tok))
		}
		rest = strings.TrimLeft(rest[end:], " \t,")
	}
	if len(codes) == 0 && len(bad) == 0 {
		bad = append(bad, "the suppression names no code")
	}
	reason = strings.TrimSpace(strings.TrimLeft(rest, "-:– \t"))
	return codes, reason, bad
}

// looksLikeCode reports whether tok has the form of a code: ECR and three digits.
func looksLikeCode(tok string) bool {
	if len(tok) != 6 || !strings.HasPrefix(strings.ToUpper(tok), "ECR") {
		return false
	}
	for _, c := range tok[3:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// mentionsMetadata reports whether data may hold an ecrsign member: the word followed by a
// quote (a JSON key) or by ':' and a space, a line end or '{' (a YAML key), as no
// ecrsign:ignore comment is.
func mentionsMetadata(data []byte) bool {
	for rest := data; ; {
		i := bytes.Index(rest, []byte("ecrsign"))
		if i < 0 {
			return false
		}
		rest = rest[i+len("ecrsign"):]
		switch {
		case len(rest) > 0 && rest[0] == '"':
			return true
		case len(rest) > 0 && rest[0] == ':' && (len(rest) == 1 || strings.IndexByte(" \t\r\n{", rest[1]) >= 0):
			return true
		}
	}
}

// metadataSuppressions reads the Metadata.ecrsign.ignore lists of the resources of a
// CloudFormation template. It parses data itself, so that it does not depend on how the
// template's configurations are decoded; input that does not parse holds none.
func metadataSuppressions(file string, data []byte) ([]*localSuppression, []Finding) {
	root := parseTree(data)
	resources := root.Lookup("Resources")
	if resources == nil || resources.Kind != source.Object {
		return nil, nil
	}
	var out []*localSuppression
	var notes []Finding
	for _, m := range resources.Members {
		meta := m.Value.Lookup("Metadata")
		ignore := meta.Lookup("ecrsign").Lookup("ignore")
		if ignore == nil {
			continue
		}
		names := []string{m.Key}
		if p := meta.Lookup("aws:cdk:path"); p != nil && p.Kind == source.String {
			names = append(names, p.Text)
		}
		entries, _, bad := ignoreEntries(file, ignore)
		notes = append(notes, bad...)
		for _, e := range entries {
			if len(out) == MaxSuppressions {
				return out, notes
			}
			e.Kind = SuppressionInSource
			out = append(out, &localSuppression{Suppression: e, configs: names})
		}
	}
	return out, notes
}

// parseTree parses data as JSON or YAML, or returns nil.
func parseTree(data []byte) *source.Node {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if root, err := source.ParseJSON(data, source.DefaultLimits); err == nil {
			return root
		}
	}
	if len(data) > MaxYAMLSize {
		return nil
	}
	root, _, err := source.ParseYAML(data, source.DefaultLimits)
	if err != nil {
		return nil
	}
	return root
}

// ignoreEntries reads an ignore list: codes as strings, or objects {code (or codes), reason}.
// A single code or object stands for a list of one. nodes holds the node of each entry.
func ignoreEntries(file string, n *source.Node) (entries []Suppression, nodes []*source.Node, notes []Finding) {
	items := []*source.Node{n}
	if n.Kind == source.Array {
		items = n.Items
	}
	bad := func(at source.Pos, msg string) {
		notes = append(notes, Finding{Code: CodeSuppressionInvalid, Severity: SeverityWarning, File: file,
			Line: at.Line, Column: at.Column, Message: msg, Hint: invalidHint})
	}
	for _, it := range items {
		s := Suppression{File: file, Line: it.Pos.Line, Column: it.Pos.Column}
		var codeNodes []*source.Node
		switch it.Kind {
		case source.String:
			codeNodes = []*source.Node{it}
		case source.Object:
			if c := it.Lookup("code"); c != nil {
				codeNodes = append(codeNodes, c)
			}
			if cs := it.Lookup("codes"); cs != nil {
				if cs.Kind == source.Array {
					codeNodes = append(codeNodes, cs.Items...)
				} else {
					codeNodes = append(codeNodes, cs)
				}
			}
			if r := it.Lookup("reason"); r != nil && r.Kind == source.String {
				s.Reason = strings.TrimSpace(r.Text)
			}
		default:
			bad(it.Pos, fmt.Sprintf("an ignore entry is %s, not a code or an object {code, reason}", it.Brief()))
			continue
		}
		for _, c := range codeNodes {
			code := Code(strings.TrimSpace(c.Text))
			if _, known := code.Info(); c.Kind != source.String || !known {
				bad(c.Pos, fmt.Sprintf("%s is not a code of ecrsign", c.Brief()))
				continue
			}
			s.Codes = append(s.Codes, code)
		}
		if len(s.Codes) == 0 {
			if len(codeNodes) == 0 {
				bad(it.Pos, "the suppression names no code")
			}
			continue
		}
		entries, nodes = append(entries, s), append(nodes, it)
	}
	return entries, nodes, notes
}
