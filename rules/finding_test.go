package rules

import "testing"

func TestFindingText(t *testing.T) {
	tests := []struct {
		f         Finding
		str, text string
	}{
		{Finding{File: "a.json", Line: 3, Column: 7, Severity: SeverityError, Code: "ECR201", Path: "rules[0]", Message: "bad", Hint: "fix it"},
			"a.json:3:7: error ECR201 rules[0]: bad (fix it)", "rules[0]: bad (fix it)"},
		{Finding{Line: 1, Column: 1, Severity: SeverityWarning, Code: "ECR301", Config: "Signing", Path: "rules[1]", Message: "odd"},
			"-:1:1: warning ECR301 Signing.rules[1]: odd", "Signing.rules[1]: odd"},
		{Finding{File: "t.yaml", Line: 2, Column: 1, Severity: SeverityInfo, Code: "ECR108", Config: "Signing", Message: "not checked"},
			"t.yaml:2:1: info ECR108 Signing: not checked", "Signing: not checked"},
		{Finding{File: "x.json", Line: 1, Column: 1, Severity: SeverityError, Code: "ECR101", Message: "not JSON"},
			"x.json:1:1: error ECR101: not JSON", "not JSON"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.f.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
	}
}
