package fuzz

import (
	"strings"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
)

// FuzzSuppress feeds arbitrary bytes to rules.Decode and then rules.Suppress, which reads the
// ecrsign:ignore comments and CloudFormation Metadata of the same bytes. It may not panic or
// hang; it must return every finding it was given, in order and unchanged but for the
// suppression mark; and what it adds must be ECR5xx findings placed within the input.
func FuzzSuppress(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Add([]byte("rules:\n  - signingProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/p\n    repositoryFilters:\n      # ecrsign:ignore ECR302 exact\n      - {filter: a/b, filterType: WILDCARD_MATCH} # ecrsign:ignore ECR999,ECR300\n"))
	f.Add([]byte("Resources:\n  R:\n    Type: AWS::ECR::SigningConfiguration\n    Metadata: {ecrsign: {ignore: [ECR302, {codes: [ECR205, x], reason: r}, 1]}}\n    Properties: {Rules: []}\n"))
	f.Add([]byte("// ecrsign:ignore\n# ecrsign:ignore ,,ECR302 --\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		findings := rules.Decode("in", data).AllFindings()
		got := rules.Suppress("in", data, findings, nil)
		if len(got) < len(findings) {
			t.Fatalf("%d findings in, %d out", len(findings), len(got))
		}
		lines := lineCount(data)
		for i, fd := range got {
			if i < len(findings) {
				in := findings[i]
				fd.Suppressed, fd.Suppression = in.Suppressed, in.Suppression
				if fd != in {
					t.Fatalf("finding %d changed: %v, was %v", i, got[i], in)
				}
				if got[i].Suppressed && (got[i].Suppression == nil || got[i].Suppression.Kind != rules.SuppressionInSource) {
					t.Fatalf("finding %d suppressed without an in-source suppression: %+v", i, got[i])
				}
				continue
			}
			if fd.Code < rules.CodeSuppressionNoReason || fd.Code.Describe() == "" || fd.Suppressed {
				t.Fatalf("added finding %v is not about a suppression", fd)
			}
			if fd.Line < 1 || fd.Line > lines || fd.Column < 1 {
				t.Fatalf("added finding %v lies outside the input (%d lines)", fd, lines)
			}
		}
	})
}

// FuzzProjectConfig feeds arbitrary bytes to rules.ParseProjectConfig: no panic, no hang, and
// every finding has a catalogued code and a position within the input.
func FuzzProjectConfig(f *testing.F) {
	f.Add([]byte("ignore:\n  - code: ECR302\n    reason: r\n    paths: [deploy/**, '*.yaml']\n  - ECR401\nstrict: true\nregion: us-east-1\nregistry-id: 123456789012\nparameters: {A: [a, b]}\nvars: {v: {x: [1, true, null]}}\n"))
	f.Add([]byte("ignore: {codes: [ECR9, 1], path: '['}\nunknown: 1\n"))
	f.Add([]byte("# only a comment\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, notes := rules.ParseProjectConfig(".ecrsign.yaml", data)
		if p == nil {
			t.Fatal("nil configuration")
		}
		lines := lineCount(data)
		for _, fd := range notes {
			if fd.Code.Describe() == "" || fd.Message == "" {
				t.Fatalf("finding %v: code not in the catalogue or no message", fd)
			}
			if fd.Line < 1 || fd.Line > lines || fd.Column < 1 {
				t.Fatalf("finding %v lies outside the input (%d lines)", fd, lines)
			}
		}
		for _, e := range p.Ignore {
			if len(e.Codes) == 0 || e.Kind != rules.SuppressionExternal {
				t.Fatalf("ignore entry %+v", e)
			}
		}
	})
}

// lineCount counts lines as generously as the decoders might: at "\n", "\r\n", a lone "\r",
// and the breaks YAML also knows (U+0085, U+2028, U+2029).
func lineCount(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}
