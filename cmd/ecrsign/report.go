package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ecrsign/ecrsign/rules"
)

// report is what validate prints: the findings of every input, the inputs checked, and the
// inputs that could not be read.
type report struct {
	findings []rules.Finding
	// files are the inputs checked, in the order they were read.
	files []string
	// unreadable are the inputs that could not be read: the run did not check everything.
	unreadable []unreadableInput
	// fails reports whether a finding fails the run (its severity and --strict); nil: errors
	// that are not suppressed.
	fails func(rules.Finding) bool
}

// unreadableInput is an input that could not be read, and why.
type unreadableInput struct {
	file string
	err  error
}

func (r *report) failing(f rules.Finding) bool {
	if r.fails != nil {
		return r.fails(f)
	}
	return !f.Suppressed && f.Severity == rules.SeverityError
}

// failsWith returns a report's fails function: a finding fails the run unless it is
// suppressed, when it is an error, or a warning of an input in strict (checked with
// --strict or its project file's strict: true).
func failsWith(strict map[string]bool) func(rules.Finding) bool {
	return func(f rules.Finding) bool {
		if f.Suppressed {
			return false
		}
		return f.Severity == rules.SeverityError || f.Severity == rules.SeverityWarning && strict[displayFile(f.File)]
	}
}

// tally reports whether any finding fails the run, and counts the suppressed ones.
func (r *report) tally() (failing bool, suppressed int) {
	for _, f := range r.findings {
		failing = failing || r.failing(f)
		if f.Suppressed {
			suppressed++
		}
	}
	return failing, suppressed
}

// writeFindings prints findings in one of validate's formats.
func writeFindings(w io.Writer, format string, findings []rules.Finding) error {
	return writeReport(w, format, &report{findings: findings})
}

// writeReport prints a report in one of validate's formats. Suppressed findings are listed,
// marked, in json, sarif and junit; text and github leave them out (validate counts them on
// standard error).
func writeReport(w io.Writer, format string, r *report) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if r.findings == nil {
			return enc.Encode([]rules.Finding{}) // [], not null: consumers iterate over it
		}
		return enc.Encode(r.findings)
	case "sarif":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sarifLog(r))
	case "junit":
		return writeJUnit(w, r)
	case "github":
		bw := bufio.NewWriter(w)
		for _, f := range r.findings {
			if !f.Suppressed {
				bw.WriteString(githubAnnotation(f))
				bw.WriteByte('\n')
			}
		}
		for _, u := range r.unreadable {
			// The job fails (exit 2); the annotation says on which input, as sarif does.
			fmt.Fprintf(bw, "::error file=%s,title=%s::%s\n", escapeProperty(filepath.ToSlash(displayFile(u.file))),
				escapeProperty("input could not be read"), escapeData(u.err.Error()))
		}
		return bw.Flush()
	default:
		bw := bufio.NewWriter(w)
		for _, f := range r.findings {
			if !f.Suppressed {
				bw.WriteString(f.String())
				bw.WriteByte('\n')
			}
		}
		return bw.Flush()
	}
}

// githubAnnotation formats a finding as a GitHub Actions workflow command, which the runner
// shows as an annotation on the file and line.
func githubAnnotation(f rules.Finding) string {
	cmd := "error"
	switch f.Severity {
	case rules.SeverityWarning:
		cmd = "warning"
	case rules.SeverityInfo:
		cmd = "notice"
	}
	props := []string{"file=" + escapeProperty(filepath.ToSlash(f.File))}
	if f.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", f.Line))
		if f.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", f.Column))
		}
	}
	props = append(props, "title="+escapeProperty(string(f.Code)))
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(f.Text())
}

// escapeData and escapeProperty escape as the GitHub Actions toolkit does (toolkit/core
// command.ts): '%', CR and LF everywhere, ':' and ',' in properties too.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the members GitHub code
// scanning reads.
type sarifDoc struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Invocations is written when an input could not be read: executionSuccessful false and
	// a notification per input, so that code scanning shows the failure instead of an empty,
	// green upload.
	Invocations []sarifInvocation `json:"invocations,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// sarifSuppression is SARIF's suppression object: kind inSource (a comment or the template's
// Metadata) or external (the project configuration file), with the reason as justification.
type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string    `json:"id"`
	ShortDescription sarifText `json:"shortDescription"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
	// Suppressions is present, and not empty, for a suppressed finding only.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.SeverityError:
		return "error"
	case rules.SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifLog builds a SARIF log of a report. The driver's rules are the codes the results use,
// in code order, with their descriptions from the catalogue. Rules carry no default level: a
// code's severity can depend on the finding, and every result states its level.
func sarifLog(r *report) sarifDoc {
	findings := r.findings
	driver := sarifDriver{Name: "ecrsign", InformationURI: "https://github.com/ecrsign/ecrsign", Rules: []sarifRule{}}
	if v := moduleVersion(); v != "(devel)" {
		driver.Version = v
	}
	used := map[rules.Code]bool{}
	for _, f := range findings {
		used[f.Code] = true
	}
	describe := map[rules.Code]string{}
	for _, c := range rules.Codes() {
		describe[c.Code] = c.Description
	}
	codes := make([]rules.Code, 0, len(used))
	for c := range used {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	index := map[rules.Code]int{}
	for i, c := range codes {
		index[c] = i
		d := describe[c]
		if d == "" {
			d = string(c)
		}
		driver.Rules = append(driver.Rules, sarifRule{ID: string(c), ShortDescription: sarifText{d}})
	}
	results := make([]sarifResult, 0, len(findings))
	for _, f := range findings {
		uri, base := sarifURI(f.File)
		results = append(results, sarifResult{
			RuleID:    string(f.Code),
			RuleIndex: index[f.Code],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{f.Text()},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base},
				Region:           &sarifRegion{StartLine: max(f.Line, 1), StartColumn: f.Column},
			}}},
			Suppressions: sarifSuppressions(f),
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: results}
	if len(r.unreadable) > 0 {
		inv := sarifInvocation{ExecutionSuccessful: false}
		for _, u := range r.unreadable {
			uri, base := sarifURI(u.file)
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
				Level:   "error",
				Message: sarifText{"input could not be read: " + u.err.Error()},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base}}}},
			})
		}
		run.Invocations = []sarifInvocation{inv}
	}
	return sarifDoc{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
}

// sarifSuppressions describes the suppression of a suppressed finding, and is nil for any
// other.
func sarifSuppressions(f rules.Finding) []sarifSuppression {
	if !f.Suppressed || f.Suppression == nil {
		return nil
	}
	s := f.Suppression
	out := sarifSuppression{Kind: string(s.Kind), Justification: s.Reason}
	if s.File != "" {
		uri, base := sarifURI(s.File)
		out.Location = &sarifLocation{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base},
			Region:           &sarifRegion{StartLine: max(s.Line, 1), StartColumn: s.Column},
		}}
	}
	return []sarifSuppression{out}
}

// sarifURI makes a file name a SARIF artifact URI: relative paths are relative to the source
// root (%SRCROOT%, the repository checkout for code scanning), absolute ones file URIs.
func sarifURI(file string) (uri, base string) {
	switch {
	case file == "" || file == "-":
		return "stdin", ""
	case filepath.IsAbs(file):
		return "file://" + escapePath(filepath.ToSlash(file)), ""
	}
	return escapePath(filepath.ToSlash(filepath.Clean(file))), "%SRCROOT%"
}

// escapePath percent-encodes the characters of a path that a URI reference cannot hold.
func escapePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// sortByPosition orders findings by file name, then line and column, so that every format
// lists them in the same order whatever order the inputs were named or found in (pre-commit
// passes files in any order), and a report reads from the top of each file down. Findings at
// the same position keep their order.
func sortByPosition(fs []rules.Finding) []rules.Finding {
	slices.SortStableFunc(fs, func(a, b rules.Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return fs
}

// plural returns word, with an s unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
