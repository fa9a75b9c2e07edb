package rules

import (
	"fmt"
	"strings"
)

// FindingsError is the error of Parse: every error-level finding of the input.
type FindingsError struct {
	Findings []Finding
}

func (e *FindingsError) Error() string {
	if len(e.Findings) == 1 {
		return e.Findings[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors:", len(e.Findings))
	for _, f := range e.Findings {
		b.WriteString("\n\t")
		b.WriteString(f.String())
	}
	return b.String()
}

// Parse decodes data holding exactly one signing configuration, in any format Decode reads,
// and validates it. The error is a *FindingsError listing every error-level finding;
// warnings and infos do not make Parse fail (use Decode to see them). Values of a
// CloudFormation template that stay unknown (Config.Unresolved) are left empty in the result.
func Parse(data []byte) (*SigningConfiguration, error) {
	doc := Decode("", data)
	var errs []Finding
	for _, f := range doc.AllFindings() {
		if f.Severity == SeverityError {
			errs = append(errs, f)
		}
	}
	var signing []*Config
	for _, c := range doc.Configs {
		if c.Kind == KindSigning {
			signing = append(signing, c)
		}
	}
	if len(errs) == 0 {
		switch {
		case len(signing) == 0:
			errs = append(errs, Finding{Code: CodeNoConfig, Severity: SeverityError, Line: 1, Column: 1,
				Message: "the input holds no signing configuration"})
		case len(signing) > 1:
			names := make([]string, len(signing))
			for i, c := range signing {
				names[i] = c.Name
			}
			errs = append(errs, Finding{Code: CodeNoConfig, Severity: SeverityError, Line: 1, Column: 1,
				Message: fmt.Sprintf("the input holds %d signing configurations (%s); Parse takes one, use Decode", len(signing), strings.Join(names, ", "))})
		}
	}
	if len(errs) > 0 {
		return nil, &FindingsError{Findings: errs}
	}
	return signing[0].Signing, nil
}
