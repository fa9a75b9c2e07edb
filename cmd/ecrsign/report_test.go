package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
)

func TestGithubAnnotation(t *testing.T) {
	tests := []struct {
		f    rules.Finding
		want string
	}{
		{rules.Finding{Code: "ECR205", Severity: rules.SeverityError, File: "a/b.json", Path: "rules[0]", Line: 3, Column: 7, Message: "bad", Hint: "fix"},
			"::error file=a/b.json,line=3,col=7,title=ECR205::rules[0]: bad (fix)"},
		{rules.Finding{Code: "ECR302", Severity: rules.SeverityWarning, File: "x.yaml", Config: "Res", Path: "rules[1]", Line: 1, Message: "w"},
			"::warning file=x.yaml,line=1,title=ECR302::Res.rules[1]: w"},
		{rules.Finding{Code: "ECR307", Severity: rules.SeverityInfo, File: "x.yaml", Message: "i"},
			"::notice file=x.yaml,title=ECR307::i"},
		{rules.Finding{Code: "ECR101", Severity: rules.SeverityError, File: "a,b:c%.json", Line: 2, Column: 1, Message: "50% of\r\nit"},
			"::error file=a%2Cb%3Ac%25.json,line=2,col=1,title=ECR101::50%25 of%0D%0Ait"},
	}
	for _, tt := range tests {
		if got := githubAnnotation(tt.f); got != tt.want {
			t.Errorf("githubAnnotation(%+v)\n got %s\nwant %s", tt.f, got, tt.want)
		}
	}
}

func TestSarifURI(t *testing.T) {
	tests := []struct{ file, uri, base string }{
		{"examples/a.json", "examples/a.json", "%SRCROOT%"},
		{"./examples/../b c.yaml", "b%20c.yaml", "%SRCROOT%"},
		{"/abs/x#1.json", "file:///abs/x%231.json", ""},
		{"-", "stdin", ""},
	}
	for _, tt := range tests {
		if uri, base := sarifURI(tt.file); uri != tt.uri || base != tt.base {
			t.Errorf("sarifURI(%q) = %q, %q; want %q, %q", tt.file, uri, base, tt.uri, tt.base)
		}
	}
}

// TestSarifLog checks the members GitHub code scanning requires: every result names a rule of
// the driver by id and index, has a level and a location with a line of at least 1.
func TestSarifLog(t *testing.T) {
	findings := []rules.Finding{
		{Code: rules.CodeFilterPattern, Severity: rules.SeverityError, File: "a.json", Line: 4, Column: 9, Message: "m"},
		{Code: rules.CodeNoConfig, Severity: rules.SeverityError, File: "b.json", Message: "no position"},
		{Code: "ECR401", Severity: rules.SeverityWarning, File: "a.json", Line: 5, Column: 1, Message: "analysis"},
		{Code: "ECR999", Severity: rules.SeverityInfo, File: "a.json", Line: 1, Column: 1, Message: "unknown code"},
	}
	var buf bytes.Buffer
	if err := writeFindings(&buf, "sarif", findings); err != nil {
		t.Fatal(err)
	}
	var log sarifDoc
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	driver := log.Runs[0].Tool.Driver
	ids := map[string]bool{}
	for _, r := range driver.Rules {
		if ids[r.ID] || r.ShortDescription.Text == "" {
			t.Errorf("rule %+v: duplicate or without description", r)
		}
		ids[r.ID] = true
	}
	// The codes the results use, in order, described from the catalogue (the code itself
	// for a code the catalogue lacks).
	want := []sarifRule{
		{"ECR107", sarifText{rules.CodeNoConfig.Describe()}},
		{"ECR205", sarifText{rules.CodeFilterPattern.Describe()}},
		{"ECR401", sarifText{rules.CodeRedundantFilter.Describe()}},
		{"ECR999", sarifText{"ECR999"}},
	}
	if !slices.Equal(driver.Rules, want) {
		t.Errorf("driver rules %+v, want %+v", driver.Rules, want)
	}
	results := log.Runs[0].Results
	if len(results) != len(findings) {
		t.Fatalf("%d results for %d findings", len(results), len(findings))
	}
	levels := []string{"error", "error", "warning", "note"}
	for i, r := range results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(driver.Rules) || driver.Rules[r.RuleIndex].ID != r.RuleID || r.RuleID != string(findings[i].Code) {
			t.Errorf("result %d: ruleId %s, ruleIndex %d", i, r.RuleID, r.RuleIndex)
		}
		if r.Level != levels[i] {
			t.Errorf("result %d: level %s, want %s", i, r.Level, levels[i])
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %d: locations %+v", i, r.Locations)
		}
	}
}

// TestSarifSuppressionsAndInvocations: a suppressed finding carries SARIF's suppressions
// (kind and justification, located), and an unreadable input makes the run unsuccessful
// with a notification; a run that read everything has no invocation record.
func TestSarifSuppressionsAndInvocations(t *testing.T) {
	sup := &rules.Suppression{Kind: rules.SuppressionExternal, Codes: []rules.Code{rules.CodeExactFilter},
		Reason: "named exactly", File: ".ecrsign.yaml", Line: 3, Column: 5}
	r := &report{
		findings: []rules.Finding{
			{Code: rules.CodeExactFilter, Severity: rules.SeverityWarning, File: "a.json", Line: 2, Column: 3, Message: "m", Suppressed: true, Suppression: sup},
			{Code: rules.CodeExactFilter, Severity: rules.SeverityWarning, File: "a.json", Line: 4, Column: 3, Message: "m"},
		},
		unreadable: []unreadableInput{{file: "gone.json", err: errors.New("no such file")}},
	}
	log := sarifLog(r)
	res := log.Runs[0].Results
	if len(res) != 2 || len(res[1].Suppressions) != 0 || len(res[0].Suppressions) != 1 {
		t.Fatalf("results %+v", res)
	}
	s := res[0].Suppressions[0]
	if s.Kind != "external" || s.Justification != "named exactly" || s.Location == nil || s.Location.PhysicalLocation.ArtifactLocation.URI != ".ecrsign.yaml" || s.Location.PhysicalLocation.Region.StartLine != 3 {
		t.Errorf("suppression %+v", s)
	}
	inv := log.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) != 1 ||
		inv[0].ToolExecutionNotifications[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "gone.json" {
		t.Errorf("invocations %+v", inv)
	}
	r.unreadable = nil
	if inv := sarifLog(r).Runs[0].Invocations; inv != nil {
		t.Errorf("a run that read every input: invocations %+v", inv)
	}
}

func TestSortByPosition(t *testing.T) {
	fs := []rules.Finding{
		{File: "b", Line: 9, Code: "ECR1"}, {File: "a", Line: 3, Column: 2, Code: "ECR2"}, {File: "b", Line: 1, Code: "ECR3"},
		{File: "a", Line: 3, Column: 1, Code: "ECR4"}, {File: "a", Line: 3, Column: 1, Code: "ECR0"},
	}
	var got []string
	for _, f := range sortByPosition(fs) {
		got = append(got, string(f.Code))
	}
	// Files by name, whatever order they were seen in; lines and columns ascending; ties keep
	// their order.
	if want := []string{"ECR4", "ECR0", "ECR2", "ECR3", "ECR1"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestFlagsAnywhere(t *testing.T) {
	tests := []struct {
		args []string
		pos  []string
		v    bool
	}{
		{[]string{"a", "-v", "b"}, []string{"a", "b"}, true},
		{[]string{"-v", "a"}, []string{"a"}, true},
		{[]string{"a", "--", "-v", "b"}, []string{"a", "-v", "b"}, false},
		{[]string{"-", "-v"}, []string{"-"}, true},
		{nil, nil, false},
	}
	for _, tt := range tests {
		fs := newFlagSet("t", "", io.Discard, io.Discard)
		v := fs.Bool("v", false, "")
		pos, _, ok := fs.parse(tt.args)
		if !ok || !slices.Equal(pos, tt.pos) || *v != tt.v {
			t.Errorf("parse(%q) = %q, -v %v, ok %v; want %q, %v", tt.args, pos, *v, ok, tt.pos, tt.v)
		}
	}
}
