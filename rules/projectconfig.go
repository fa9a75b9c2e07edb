package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/ecrsign/ecrsign/internal/source"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// ProjectConfigName is the name of the project configuration file, kept at the root of a
// repository:
//
//	ignore:
//	  - code: ECR302
//	    reason: release repositories are named exactly
//	    paths: ["deploy/**"]        # relative to this file; none: every file
//	  - codes: [ECR404]
//	    reason: the platform and team profiles both sign shared images on purpose
//	strict: true                    # warnings fail, as --strict
//	region: us-east-1               # as --region
//	registry-id: "123456789012"     # the registry the configurations are for
//	account-id: "123456789012"      # CloudFormation's AWS::AccountId
//	parameters: {Env: prod}         # CloudFormation parameter values
//	vars: {env: prod}               # Terraform variable values
const ProjectConfigName = ".ecrsign.yaml"

// MaxProjectConfigSize bounds the project configuration file; a real one is a few hundred bytes.
const MaxProjectConfigSize = 1 << 20

// ProjectConfig is a project configuration file (ProjectConfigName): suppressions that hold
// for every file below it, and the settings a command line would otherwise repeat. Fields
// left out of the file are zero (Strict nil). Command-line flags given explicitly win over
// the file.
type ProjectConfig struct {
	// File is the file's path as given; Dir is the absolute directory that the paths of
	// Ignore entries are relative to (the file's own, unless set otherwise).
	File string
	Dir  string
	// Ignore lists the suppressions; see Suppress.
	Ignore []IgnoreEntry
	// Strict counts warnings as errors; nil when the file does not say.
	Strict *bool
	// Region is the registry's region; RegistryID and AccountID its 12-digit IDs (AccountID is
	// what CloudFormation's AWS::AccountId resolves to).
	Region     string
	RegistryID string
	AccountID  string
	// Parameters are CloudFormation parameter values by name; a list is joined with commas,
	// as CommaDelimitedList parameters take it.
	Parameters map[string]string
	// Vars are Terraform variable values by name, as terraform's -var NAME=VALUE takes them:
	// strings as they are, other values (numbers, lists, objects) in HCL's literal syntax.
	Vars map[string]string

	mu   sync.Mutex
	used []int // per Ignore entry: the findings it accepted
}

// IgnoreEntry is one suppression of a project configuration file.
type IgnoreEntry struct {
	// Suppression holds the codes, the reason, and where the entry is written; its Kind is
	// SuppressionExternal.
	Suppression
	// Paths restricts the entry to files whose path relative to the configuration's Dir
	// matches one of these globs, or lies below a directory that does: '/'-separated,
	// path.Match syntax, and "**" for any number of directories. Empty: every file.
	Paths []string
}

// projectMembers are the members a project configuration file may hold.
var projectMembers = []string{"ignore", "strict", "region", "registry-id", "account-id", "parameters", "vars"}

var twelveDigits = regexp.MustCompile(`^[0-9]{12}$`)

// ParseProjectConfig reads a project configuration file; file names it in findings and is
// the base of its Dir. Problems are findings: ECR503 for an unreadable file, an unknown member
// or an ill-typed value (the value is left out), ECR502 for an ignore entry that names no valid
// code, ECR500 for one without a reason. The configuration is returned whatever the findings.
func ParseProjectConfig(file string, data []byte) (*ProjectConfig, []Finding) {
	p := &ProjectConfig{File: file, Dir: filepath.Dir(file)}
	if abs, err := filepath.Abs(p.Dir); err == nil {
		p.Dir = abs
	}
	var notes []Finding
	bad := func(at source.Pos, format string, args ...any) {
		notes = append(notes, Finding{Code: CodeProjectConfig, Severity: SeverityError, File: file,
			Line: at.Line, Column: at.Column, Message: fmt.Sprintf(format, args...),
			Hint: "see the README's section on the project configuration file"})
	}
	if len(data) > MaxProjectConfigSize {
		bad(source.Pos{Line: 1, Column: 1}, "the file is %d bytes, more than the %d accepted", len(data), MaxProjectConfigSize)
		return p, notes
	}
	if onlyComments(data) {
		return p, nil
	}
	root, _, err := source.ParseYAML(data, source.DefaultLimits)
	if err != nil {
		at, msg := source.Pos{Line: 1, Column: 1}, err.Error()
		if se, ok := err.(*source.Error); ok {
			at, msg = se.Pos, se.Msg
		}
		bad(at, "invalid YAML: %s", msg)
		return p, notes
	}
	if root.Kind == source.Null {
		return p, nil
	}
	if root.Kind != source.Object {
		bad(root.Pos, "the file holds %s, not a mapping of settings", root.Brief())
		return p, notes
	}
	for _, m := range root.Members {
		notes = append(notes, p.set(m, bad)...)
	}
	for _, e := range p.Ignore {
		if e.Reason == "" {
			notes = append(notes, Finding{Code: CodeSuppressionNoReason, Severity: SeverityWarning, File: file,
				Line: e.Line, Column: e.Column, Message: "the suppression of " + codeList(e.Codes) + " gives no reason",
				Hint: reasonHint(e.Codes)})
		}
	}
	sortFindings(notes)
	return p, notes
}

// ignoreEntryMembers are the members an ignore entry of the file may hold.
var ignoreEntryMembers = []string{"code", "codes", "reason", "path", "paths"}

// didYouMean returns " (did you mean X?)" for the name of known a few letters from name, or "".
func didYouMean(name string, known []string) string {
	for _, k := range known {
		if editDistance(strings.ToLower(name), k) <= 2 {
			return " (did you mean " + k + "?)"
		}
	}
	return ""
}

// maxGlobStars bounds the "**" elements of one path glob: matching backtracks over each.
const maxGlobStars = 4

// set reads one member of the file; bad reports an ill-typed value or an unknown member,
// and the findings returned are those of an ignore list.
func (p *ProjectConfig) set(m source.Member, bad func(source.Pos, string, ...any)) []Finding {
	v := m.Value
	switch m.Key {
	case "ignore":
		entries, nodes, found := ignoreEntries(p.File, v)
		p.addIgnore(entries, nodes, bad)
		return found
	case "strict":
		if v.Kind != source.Bool {
			bad(v.Pos, "strict is %s, not true or false", v.Brief())
			return nil
		}
		strict := v.Text == "true"
		p.Strict = &strict
	case "region":
		if v.Kind != source.String || !regionRE.MatchString(v.Text) {
			bad(v.Pos, "region is %s, not a region code such as us-east-1", v.Brief())
			return nil
		}
		p.Region = v.Text
	case "registry-id", "account-id":
		if (v.Kind != source.String && v.Kind != source.Number) || !twelveDigits.MatchString(v.Text) {
			bad(v.Pos, "%s is %s, not 12 digits (quote it to keep leading zeros)", m.Key, v.Brief())
			return nil
		}
		if m.Key == "registry-id" {
			p.RegistryID = v.Text
		} else {
			p.AccountID = v.Text
		}
	case "parameters":
		p.Parameters = scalarMap(m.Key, v, true, bad)
	case "vars":
		p.Vars = scalarMap(m.Key, v, false, bad)
		for _, x := range v.Members {
			if !hclsyntax.ValidIdentifier(x.Key) {
				bad(x.KeyPos, "vars: %q is not a Terraform variable name (letters, digits, '_' and '-', not starting with a digit)", x.Key)
				delete(p.Vars, x.Key)
			}
		}
	default:
		bad(m.KeyPos, "unknown member %q (known: %s)%s", m.Key, strings.Join(projectMembers, ", "), didYouMean(m.Key, projectMembers))
	}
	return nil
}

// onlyComments reports whether data holds nothing but blank lines and YAML comments.
func onlyComments(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// addIgnore adds the ignore entries read from nodes, with the paths of each.
func (p *ProjectConfig) addIgnore(entries []Suppression, nodes []*source.Node, bad func(source.Pos, string, ...any)) {
	for i, e := range entries {
		e.Kind = SuppressionExternal
		entry := IgnoreEntry{Suppression: e}
		if nodes[i].Kind == source.Object {
			// A misspelt paths would widen the entry to every file: each member is known.
			for _, m := range nodes[i].Members {
				if !slices.Contains(ignoreEntryMembers, m.Key) {
					bad(m.KeyPos, "unknown member %q of an ignore entry (known: %s)%s", m.Key, strings.Join(ignoreEntryMembers, ", "), didYouMean(m.Key, ignoreEntryMembers))
				}
			}
		}
		for _, key := range []string{"path", "paths"} {
			ps := nodes[i].Lookup(key)
			if ps == nil {
				continue
			}
			list := []*source.Node{ps}
			if ps.Kind == source.Array {
				list = ps.Items
			}
			for _, g := range list {
				_, err := path.Match(g.Text, "")
				if g.Kind != source.String || g.Text == "" || err != nil || strings.Count(g.Text, "**") > maxGlobStars {
					bad(g.Pos, "path %s is not a glob such as deploy/** or *.yaml (at most %d '**')", g.Brief(), maxGlobStars)
					continue
				}
				entry.Paths = append(entry.Paths, strings.TrimPrefix(path.Clean(g.Text), "./"))
			}
		}
		p.Ignore = append(p.Ignore, entry)
	}
	p.used = make([]int, len(p.Ignore))
}

// scalarMap reads a mapping of names to values as strings; lists are joined with commas
// (joinLists) or written as HCL literals, as are objects.
func scalarMap(what string, n *source.Node, joinLists bool, bad func(source.Pos, string, ...any)) map[string]string {
	if n.Kind != source.Object {
		bad(n.Pos, "%s is %s, not a mapping of names to values", what, n.Brief())
		return nil
	}
	out := make(map[string]string, len(n.Members))
	for _, m := range n.Members {
		v := m.Value
		switch {
		case v.Kind == source.String || v.Kind == source.Number || v.Kind == source.Bool:
			out[m.Key] = v.Text
		case v.Kind == source.Array && joinLists:
			parts := make([]string, 0, len(v.Items))
			for _, it := range v.Items {
				if it.Kind != source.String && it.Kind != source.Number && it.Kind != source.Bool {
					bad(it.Pos, "%s.%s holds %s; a list parameter holds strings", what, m.Key, it.Brief())
					parts = nil
					break
				}
				parts = append(parts, it.Text)
			}
			if parts != nil {
				out[m.Key] = strings.Join(parts, ",")
			}
		case (v.Kind == source.Array || v.Kind == source.Object) && !joinLists:
			b, err := json.Marshal(plain(v))
			if err != nil {
				bad(v.Pos, "%s.%s: %v", what, m.Key, err)
				continue
			}
			out[m.Key] = string(b) // JSON arrays and objects are HCL literals
		default:
			bad(v.Pos, "%s.%s is %s, not a value", what, m.Key, v.Brief())
		}
	}
	return out
}

// plain turns a parsed value into Go values encoding/json writes back.
func plain(n *source.Node) any {
	switch n.Kind {
	case source.Object:
		m := make(map[string]any, len(n.Members))
		for _, x := range n.Members {
			m[x.Key] = plain(x.Value)
		}
		return m
	case source.Array:
		a := make([]any, len(n.Items))
		for i, it := range n.Items {
			a[i] = plain(it)
		}
		return a
	case source.Number, source.Bool:
		return json.RawMessage(n.Text)
	case source.Null:
		return nil
	}
	return n.Text
}

// LoadProjectConfig reads the project configuration file at file (see ParseProjectConfig).
// The error is for a file that cannot be read at all.
func LoadProjectConfig(file string) (*ProjectConfig, []Finding, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxProjectConfigSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	p, notes := ParseProjectConfig(file, data)
	return p, notes, nil
}

// FindProjectConfig looks for ProjectConfigName in dir and each directory above it, and
// returns the path of the first one found, or "" when there is none. It stops at the root of
// a repository (a directory holding .git) and at the root of the file system.
func FindProjectConfig(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, ProjectConfigName)
		switch st, err := os.Stat(candidate); {
		case err == nil && !st.IsDir():
			return candidate, nil
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return "", err
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// accept returns the suppression of the first ignore entry that accepts f, counting it, or
// nil. It is safe for concurrent use.
func (p *ProjectConfig) accept(f Finding) *Suppression {
	rel, relOK := p.relative(f.File)
	for i := range p.Ignore {
		e := &p.Ignore[i]
		if !containsCode(e.Codes, f.Code) {
			continue
		}
		if len(e.Paths) > 0 && (!relOK || !slices.ContainsFunc(e.Paths, func(g string) bool { return globMatchesPath(g, rel) })) {
			continue
		}
		p.mu.Lock()
		if p.used == nil {
			p.used = make([]int, len(p.Ignore))
		}
		p.used[i]++
		p.mu.Unlock()
		return &e.Suppression
	}
	return nil
}

// relative returns file's '/'-separated path relative to p.Dir; ok is false for standard
// input and for files outside Dir.
func (p *ProjectConfig) relative(file string) (string, bool) {
	if file == "" || file == "-" {
		return "", false
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(p.Dir, abs)
	if err != nil {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	return rel, true
}

// Unused returns an ECR501 info for each ignore entry that has accepted no finding so far:
// call it once every input has been passed to Suppress.
func (p *ProjectConfig) Unused() []Finding {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Finding
	for i, e := range p.Ignore {
		if i < len(p.used) && p.used[i] > 0 {
			continue
		}
		out = append(out, Finding{Code: CodeSuppressionUnused, Severity: SeverityInfo, File: p.File,
			Line: e.Line, Column: e.Column, Message: "the suppression of " + codeList(e.Codes) + " suppresses nothing",
			Hint: "remove it"})
	}
	return out
}

// globMatchesPath reports whether the glob g matches the path rel, or a directory above it.
// "**" stands for any number of path elements, other elements follow path.Match.
func globMatchesPath(g, rel string) bool {
	pat := strings.Split(g, "/")
	name := strings.Split(rel, "/")
	for n := len(name); n > 0; n-- {
		if matchElements(pat, name[:n]) {
			return true
		}
	}
	return false
}

// matchElements matches path elements against glob elements. It backtracks only over "**",
// and a glob has at most a few of them.
func matchElements(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(name); k++ {
				if matchElements(pat[1:], name[k:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
