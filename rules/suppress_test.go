package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// brief renders findings as "CODE LINE:COL" plus " suppressed" for the ones a suppression
// accepted, in order.
func brief(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		s := fmt.Sprintf("%s %d:%d", f.Code, f.Line, f.Column)
		if f.Suppressed {
			s += " suppressed"
		}
		out = append(out, s)
	}
	return out
}

const signingYAML = `rules:
  - signingProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
    repositoryFilters:
%s`

func TestSuppressInline(t *testing.T) {
	tests := []struct {
		name    string
		filters string
		want    []string
		reason  string // the justification of the suppressed finding
	}{
		{
			name:    "comment above",
			filters: "      # ecrsign:ignore ECR302 the release repository is named exactly\n      - filter: team/release\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 5:17 suppressed"},
			reason:  "the release repository is named exactly",
		},
		{
			name:    "comment on the line, several codes, separator before the reason",
			filters: "      - filter: team/release   # ecrsign:ignore ECR401,ECR302 -- exact on purpose\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 4:17 suppressed"},
			reason:  "exact on purpose",
		},
		{
			name:    "blank and comment lines between the comment and the line",
			filters: "      # ecrsign:ignore ECR302 exact\n\n      # the release repository\n      - filter: team/release\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 7:17 suppressed"},
			reason:  "exact",
		},
		{
			name:    "no reason is a warning",
			filters: "      - filter: team/release # ecrsign:ignore ECR302\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 4:17 suppressed", "ECR500 4:30"},
		},
		{
			name:    "another code suppresses nothing",
			filters: "      - filter: team/release # ecrsign:ignore ECR300 not this one\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 4:17", "ECR501 4:30"},
		},
		{
			name:    "the wrong line suppresses nothing",
			filters: "      - filter: team/*\n        filterType: WILDCARD_MATCH # ecrsign:ignore ECR302 wrong line\n      - filter: team/release\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 6:17", "ECR501 5:36"},
		},
		{
			name:    "no code, and a code that does not exist",
			filters: "      # ecrsign:ignore because\n      # ecrsign:ignore ECR999 ECR302 typo\n      - filter: team/release\n        filterType: WILDCARD_MATCH\n",
			want:    []string{"ECR302 6:17 suppressed", "ECR502 4:7", "ECR502 5:7"},
			reason:  "typo",
		},
		{
			name:    "not a comment, not the marker",
			filters: "      - filter: team/release\n        filterType: WILDCARD_MATCH\n# ecrsign:ignore-file ECR302\n",
			want:    []string{"ECR302 4:17"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(strings.Replace(signingYAML, "%s", tt.filters, 1))
			doc := Decode("in.yaml", data)
			got := Suppress("in.yaml", data, doc.AllFindings(), nil)
			if b := brief(got); !slices.Equal(b, tt.want) {
				t.Fatalf("findings %q, want %q\n%s", b, tt.want, got)
			}
			for _, f := range got {
				if f.Suppressed && (f.Suppression.Reason != tt.reason || f.Suppression.Kind != SuppressionInSource || f.Suppression.File != "in.yaml") {
					t.Errorf("suppression %+v, want reason %q, in source", *f.Suppression, tt.reason)
				}
				if !f.Suppressed && f.Suppression != nil {
					t.Errorf("%s has a suppression but is not suppressed", f.Code)
				}
			}
		})
	}
}

// TestSuppressHCL holds the inline form to HCL's comment markers, with findings placed as
// the Terraform decoder places them: by file and line, whatever the format.
func TestSuppressHCL(t *testing.T) {
	src := `resource "aws_ecr_signing_configuration" "main" {
  rule {
    signing_profile_arn = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
    repository_filter {
      // ecrsign:ignore ECR302 the release repository is named exactly
      filter      = "team/release"
      filter_type = "WILDCARD_MATCH" # ecrsign:ignore ECR206 the provider maps it
    }
  }
}
`
	findings := []Finding{
		{Code: CodeExactFilter, Severity: SeverityWarning, File: "main.tf", Line: 6, Column: 21},
		{Code: CodeFilterType, Severity: SeverityError, File: "main.tf", Line: 7, Column: 21},
		{Code: CodeExactFilter, Severity: SeverityWarning, File: "other.tf", Line: 6, Column: 21},
	}
	got := Suppress("main.tf", []byte(src), findings, nil)
	want := []string{"ECR302 6:21 suppressed", "ECR206 7:21 suppressed", "ECR302 6:21"}
	if b := brief(got); !slices.Equal(b, want) {
		t.Fatalf("findings %q, want %q", b, want)
	}
}

func TestSuppressCloudFormationMetadata(t *testing.T) {
	template := `Resources:
  Release:
    Type: AWS::ECR::SigningConfiguration
    Metadata:
      ecrsign:
        ignore:
          - code: ECR302
            reason: the release repository is named exactly
          - ECR307
    Properties:
      Rules:
        - SigningProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
          RepositoryFilters:
            - Filter: team/release
              FilterType: WILDCARD_MATCH
  Other:
    Type: AWS::ECR::SigningConfiguration
    Metadata:
      aws:cdk:path: App/Stack/Other
      ecrsign: {ignore: [{codes: [ECR302, ECR205], reason: "cdk"}, 42]}
    Properties:
      Rules:
        - SigningProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
          RepositoryFilters:
            - Filter: other/exact
              FilterType: WILDCARD_MATCH
`
	data := []byte(template)
	doc := Decode("t.yaml", data)
	got := Suppress("t.yaml", data, doc.AllFindings(), nil)
	want := []string{
		"ECR500 9:13", // ECR307 without a reason
		"ECR501 9:13", // and it suppresses nothing: every rule has filters
		"ECR302 14:23 suppressed",
		"ECR502 20:68", // 42 is no code
		"ECR302 25:23 suppressed",
	}
	if b := brief(got); !slices.Equal(sortedCopy(b), sortedCopy(want)) {
		t.Fatalf("findings %q, want %q", b, want)
	}
	for _, f := range got {
		if f.Code == CodeExactFilter && f.Config == "Release" && f.Suppression.Reason != "the release repository is named exactly" {
			t.Errorf("Release: %+v", f.Suppression)
		}
	}
	// A finding named by the resource's construct path (CDK) is matched too.
	cdk := Suppress("t.yaml", data, []Finding{{Code: CodeExactFilter, File: "t.yaml", Config: "App/Stack/Other", Line: 25}}, nil)
	if !cdk[0].Suppressed {
		t.Errorf("a finding named by aws:cdk:path is not suppressed: %+v", cdk[0])
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestSuppressNeverDropsOrSuppressesItsOwn: every finding comes back, and those about
// suppressions are never themselves suppressed.
func TestSuppressNeverDropsOrSuppressesItsOwn(t *testing.T) {
	data := []byte("a: 1 # ecrsign:ignore ECR500 ECR302\n")
	in := []Finding{
		{Code: CodeSuppressionNoReason, File: "f", Line: 1},
		{Code: CodeExactFilter, File: "f", Line: 1},
		{Code: CodeExactFilter, File: "f", Line: 0},
	}
	got := Suppress("f", data, in, nil)
	want := []string{"ECR500 1:0", "ECR302 1:0 suppressed", "ECR302 0:0", "ECR500 1:6"}
	if b := brief(got); !slices.Equal(b, want) {
		t.Fatalf("findings %q, want %q", b, want)
	}
}

func TestSuppressBounded(t *testing.T) {
	data := []byte(strings.Repeat("# ecrsign:ignore ECR302 x\n", MaxSuppressions+10))
	got := Suppress("f", data, nil, nil)
	if len(got) != MaxSuppressions {
		t.Fatalf("%d findings about %d suppressions, want %d (the bound)", len(got), MaxSuppressions+10, MaxSuppressions)
	}
}

func TestProjectConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, ProjectConfigName)
	src := `# project settings
ignore:
  - code: ECR302
    reason: release repositories are named exactly
    paths: ["deploy/**/release.yaml", "legacy"]
  - codes: [ECR404, ECR401]
    reason: both profiles sign shared images
  - ECR301
strict: true
region: eu-west-1
registry-id: 123456789012
account-id: "000000000001"
parameters: {Env: prod, Subnets: [a, b], Count: 3}
vars: {env: prod, repos: [api, web], tags: {team: x}}
`
	p, notes := ParseProjectConfig(file, []byte(src))
	if b := brief(notes); !slices.Equal(b, []string{"ECR500 8:5"}) {
		t.Fatalf("findings %q, want one ECR500 for ECR301 without a reason", b)
	}
	if p.Strict == nil || !*p.Strict || p.Region != "eu-west-1" || p.RegistryID != "123456789012" || p.AccountID != "000000000001" {
		t.Errorf("settings %+v", p)
	}
	if p.Parameters["Env"] != "prod" || p.Parameters["Subnets"] != "a,b" || p.Parameters["Count"] != "3" {
		t.Errorf("parameters %q", p.Parameters)
	}
	if p.Vars["env"] != "prod" || p.Vars["repos"] != `["api","web"]` || p.Vars["tags"] != `{"team":"x"}` {
		t.Errorf("vars %q", p.Vars)
	}
	if len(p.Ignore) != 3 || p.Ignore[0].Kind != SuppressionExternal || !slices.Equal(p.Ignore[0].Paths, []string{"deploy/**/release.yaml", "legacy"}) {
		t.Fatalf("ignore %+v", p.Ignore)
	}

	tests := []struct {
		file string
		code Code
		want bool
	}{
		{filepath.Join(dir, "deploy/release.yaml"), CodeExactFilter, true},
		{filepath.Join(dir, "deploy/eu/prod/release.yaml"), CodeExactFilter, true},
		{filepath.Join(dir, "legacy/a/b.json"), CodeExactFilter, true},
		{filepath.Join(dir, "deploy/other.yaml"), CodeExactFilter, false},
		{filepath.Join(dir, "../outside/deploy/release.yaml"), CodeExactFilter, false},
		{"-", CodeExactFilter, false},
		{"-", CodeOverlap, true}, // no paths: every input
		{filepath.Join(dir, "x.json"), CodeRedundantFilter, true},
		{filepath.Join(dir, "x.json"), CodeDuplicateFilter, false},
	}
	for _, tt := range tests {
		got := Suppress(tt.file, nil, []Finding{{Code: tt.code, File: tt.file, Line: 1}}, p)
		if got[0].Suppressed != tt.want {
			t.Errorf("%s in %s: suppressed %v, want %v", tt.code, tt.file, got[0].Suppressed, tt.want)
		}
		if tt.want && got[0].Suppression.Kind != SuppressionExternal {
			t.Errorf("%s in %s: kind %q", tt.code, tt.file, got[0].Suppression.Kind)
		}
	}
	if b := brief(p.Unused()); !slices.Equal(b, []string{"ECR501 8:5"}) {
		t.Errorf("unused %q, want the ECR301 entry only", b)
	}
}

func TestProjectConfigProblems(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"", nil},
		{"# nothing yet\n", nil},
		{"- a\n", []string{"ECR503 1:1"}},
		{"ignore: [ECR302\n", []string{"ECR503 1:1"}},
		{"strict: yes please\n", []string{"ECR503 1:9"}},
		{"region: US_EAST\nregistry-id: 12345\naccount-id: [1]\n", []string{"ECR503 1:9", "ECR503 2:14", "ECR503 3:13"}},
		{"unknown: 1\n", []string{"ECR503 1:1"}},
		{"ignore: [{code: ECR302, reason: r, paths: ['[']}]\n", []string{"ECR503 1:44"}},
		{"ignore: [{code: ECR302, reason: r, path: 'a/**/**/**/**/**/b'}]\n", []string{"ECR503 1:42"}},
		{"ignore: [{reason: r}, {code: ECR9}]\n", []string{"ECR502 1:10", "ECR502 1:30"}},
		{"parameters: [a]\nvars: {a: null}\n", []string{"ECR503 1:13", "ECR503 2:11"}},
		{"parameters: {a: [{b: c}]}\n", []string{"ECR503 1:18"}},
		// A misspelt paths would widen the entry to every file.
		{"ignore: [{code: ECR302, reason: r, pathz: [deploy/**]}]\n", []string{"ECR503 1:36"}},
		{"vars: {ok: 1, ok-too: [1], 'bad name': x, 9lives: y}\n", []string{"ECR503 1:28", "ECR503 1:43"}},
	}
	for _, tt := range tests {
		_, notes := ParseProjectConfig(ProjectConfigName, []byte(tt.src))
		if b := brief(notes); !slices.Equal(b, tt.want) {
			t.Errorf("%q: findings %q, want %q\n%s", tt.src, b, tt.want, notes)
		}
	}
	_, notes := ParseProjectConfig("big", make([]byte, MaxProjectConfigSize+1))
	if len(notes) != 1 || notes[0].Code != CodeProjectConfig {
		t.Errorf("a file over MaxProjectConfigSize: %v", notes)
	}
}

func TestFindProjectConfig(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	deep := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p string) {
		if err := os.WriteFile(p, []byte("strict: true\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, ProjectConfigName)) // above the repository: never found from inside it
	if got, err := FindProjectConfig(deep); err != nil || got != filepath.Join(root, ProjectConfigName) {
		t.Fatalf("without .git: %q %v, want the file above", got, err)
	}
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindProjectConfig(deep); err != nil || got != "" {
		t.Fatalf("with .git: %q %v, want none (the walk stops at the repository root)", got, err)
	}
	write(filepath.Join(repo, ProjectConfigName))
	if got, err := FindProjectConfig(deep); err != nil || got != filepath.Join(repo, ProjectConfigName) {
		t.Fatalf("%q %v, want the repository's", got, err)
	}
	write(filepath.Join(deep, ProjectConfigName))
	if got, _ := FindProjectConfig(deep); got != filepath.Join(deep, ProjectConfigName) {
		t.Fatalf("%q, want the nearest", got)
	}
	p, notes, err := LoadProjectConfig(filepath.Join(deep, ProjectConfigName))
	if err != nil || len(notes) != 0 || p.Strict == nil || p.Dir != deep {
		t.Fatalf("LoadProjectConfig: %+v %v %v", p, notes, err)
	}
	if _, _, err := LoadProjectConfig(filepath.Join(root, "absent.yaml")); err == nil {
		t.Fatal("LoadProjectConfig of a missing file: no error")
	}
}

func TestGlobMatchesPath(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"a.json", "a.json", true},
		{"*.json", "a.json", true},
		{"*.json", "d/a.json", false},
		{"**/*.json", "d/e/a.json", true},
		{"**/*.json", "a.json", true},
		{"d", "d/e/a.json", true},
		{"d/**", "d/e/a.json", true},
		{"d/*/a.json", "d/e/a.json", true},
		{"d/*/a.json", "d/e/f/a.json", false},
		{"e", "d/e/a.json", false},
	}
	for _, tt := range tests {
		if got := globMatchesPath(tt.glob, tt.path); got != tt.want {
			t.Errorf("globMatchesPath(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

// exactFilterYAML is the largest valid configuration in YAML with every filter exact (ECR302
// each), and, when commented, an ecrsign:ignore comment on every filter's line.
func exactFilterYAML(commented bool) []byte {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := 0; i < MaxSigningRules; i++ {
		fmt.Fprintf(&b, "  - signingProfileArn: arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d\n    repositoryFilters:\n", i)
		for j := 0; j < MaxSigningFilters; j++ {
			fmt.Fprintf(&b, "      - filter: team%d/app%d", i, j)
			if commented {
				b.WriteString(" # ecrsign:ignore ECR302 named exactly")
			}
			b.WriteString("\n        filterType: WILDCARD_MATCH\n")
		}
	}
	return []byte(b.String())
}

// BenchmarkSuppress measures Suppress on the 1,000 findings of the largest configuration,
// with a comment on every line (every finding suppressed) and with none (the common case:
// the input never mentions ecrsign); the decode sub-benchmark is the baseline, Decode of the
// same commented input, which every run of validate pays first.
func BenchmarkSuppress(b *testing.B) {
	for _, commented := range []bool{true, false} {
		data := exactFilterYAML(commented)
		findings := Decode("b", data).AllFindings()
		if len(findings) != MaxSigningRules*MaxSigningFilters {
			b.Fatalf("%d findings", len(findings))
		}
		name := "comments"
		if !commented {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				out := Suppress("b", data, findings, nil)
				if out[0].Suppressed != commented {
					b.Fatal("wrong suppression")
				}
			}
		})
	}
	b.Run("decode", func(b *testing.B) {
		data := exactFilterYAML(true)
		for b.Loop() {
			Decode("b", data)
		}
	})
}
