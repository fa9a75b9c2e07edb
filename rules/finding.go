package rules

import (
	"fmt"
	"strings"
)

// Severity says whether a finding makes the API reject the configuration.
type Severity string

const (
	// SeverityError is a finding the ECR API (or the decoder) would reject.
	SeverityError Severity = "error"
	// SeverityWarning is accepted by the API but probably a mistake.
	SeverityWarning Severity = "warning"
	// SeverityInfo is worth knowing but needs no change.
	SeverityInfo Severity = "info"
)

// Code identifies the kind of a finding. Codes are stable: tools may match on them.
// ECR1xx: the input cannot be decoded as a configuration. ECR2xx: API constraint violations.
// ECR3xx: lints of package rules. ECR4xx: analysis lints and budgets of package match.
// ECR5xx: suppressions and the project configuration file. [Codes] describes every one.
type Code string

// Finding is one problem found in a configuration, from any package of ecrsign.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	// File is the file the configuration came from, when known.
	File string `json:"file,omitempty"`
	// Config names the configuration inside a document that holds several
	// (a CloudFormation logical ID, a Terraform resource address); empty otherwise.
	Config string `json:"config,omitempty"`
	// Path is the JSON path of the offending value in ECR API member names with
	// 0-based indices, for example "rules[2].repositoryFilters[7].filter";
	// empty for the whole document.
	Path string `json:"path"`
	// Line and Column locate the value in the source, 1-based; 0 when unknown.
	Line   int `json:"line"`
	Column int `json:"column"`
	// Message says what is wrong; Hint says how to fix it, when there is something to say.
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Suppressed is set when a suppression accepted the finding (see Suppress), which
	// Suppression describes. A suppressed finding is still reported; it does not fail a check.
	Suppressed  bool         `json:"suppressed,omitempty"`
	Suppression *Suppression `json:"suppression,omitempty"`
}

// String formats the finding as FILE:LINE:COL: SEVERITY CODE PATH: MESSAGE (hint).
func (f Finding) String() string {
	file := f.File
	if file == "" {
		file = "-"
	}
	sep := ": " // CODE: MESSAGE when there is no path
	if f.fullPath() != "" {
		sep = " "
	}
	return fmt.Sprintf("%s:%d:%d: %s %s%s%s", file, f.Line, f.Column, f.Severity, f.Code, sep, f.Text())
}

// Text formats the finding without its position, severity and code: PATH: MESSAGE (hint),
// or MESSAGE (hint) when it has no path.
func (f Finding) Text() string {
	var b strings.Builder
	if path := f.fullPath(); path != "" {
		b.WriteString(path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	if f.Hint != "" {
		fmt.Fprintf(&b, " (%s)", f.Hint)
	}
	return b.String()
}

// fullPath is the finding's path within its document: the configuration's name, then the
// path within the configuration.
func (f Finding) fullPath() string {
	switch {
	case f.Config == "":
		return f.Path
	case f.Path == "":
		return f.Config
	}
	return f.Config + "." + f.Path
}

// RulePath returns the path of rule i, for example "rules[2]".
func RulePath(rule int) string { return fmt.Sprintf("rules[%d]", rule) }

// FilterPath returns the path of filter j of rule i, for example "rules[2].repositoryFilters[7]".
func FilterPath(rule, filter int) string {
	return fmt.Sprintf("rules[%d].repositoryFilters[%d]", rule, filter)
}
