package fuzz

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/rules"
)

// FuzzTerraform feeds arbitrary .tf source and .tfvars values to rules.DecodeTerraformModule.
// It may not panic or hang (every HCL expansion stops at a named limit); every finding must
// be well-formed and, when it concerns main.tf, lie within it; a configuration without error
// findings and without unknown values must pass the API checks.
func FuzzTerraform(f *testing.F) {
	err := filepath.WalkDir("../examples/terraform", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tf") {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil {
			f.Add(data, []byte(nil))
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`variable "v" {}
resource "aws_ecr_signing_configuration" "s" {
  rule {
    signing_profile_arn = var.v
    dynamic "repository_filter" {
      for_each = local.fs
      content {
        filter      = repository_filter.value
        filter_type = "WILDCARD_MATCH"
      }
    }
  }
}
locals { fs = [for t in ["a", "b"] : "${t}/*"] }
`), []byte(`v = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/p_1"`))
	f.Add([]byte(`resource "awscc_ecr_replication_configuration" "r" {
  replication_configuration = { rules = [{ destinations = [{ region = "us-west-2", registry_id = data.x.y.id }] }] }
}
locals {
  a = local.b
  b = [local.a, "${1e400}", join("", [for i in [1, 2, 3] : i])]
}
`), []byte(`x = [`))
	f.Add([]byte(`resource "aws_ecr_replication_configuration" "r" { replication_configuration { rule { destination { region = "x" } } } }`), []byte(`{}`))

	f.Fuzz(func(t *testing.T, src, vars []byte) {
		files := []rules.TerraformFile{{Name: "main.tf", Data: src}}
		var tv rules.TerraformVars
		tv.AddFile("x.tfvars", vars)
		// lines as HCL counts them, and so Terraform's own messages: a line ends at "\n" or
		// "\r\n"; a lone "\r" is a character of its line
		lines := bytes.Split(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")), []byte("\n"))
		for _, doc := range rules.DecodeTerraformModule(files, &tv) {
			for _, fd := range doc.AllFindings() {
				if fd.Code.Describe() == "" || fd.Message == "" {
					t.Errorf("%v: code not in the catalogue, or no message", fd)
				}
				switch fd.Severity {
				case rules.SeverityError, rules.SeverityWarning, rules.SeverityInfo:
				default:
					t.Errorf("%v: bad severity", fd)
				}
				if fd.File != "main.tf" {
					continue
				}
				if fd.Line < 1 || fd.Column < 1 || fd.Line > len(lines) {
					t.Fatalf("%v: position %d:%d outside the input (%d lines)", fd, fd.Line, fd.Column, len(lines))
				}
				if max := utf8.RuneCount(lines[fd.Line-1]) + 1; fd.Column > max {
					t.Fatalf("%v: column %d past the end of line %d (%d)", fd, fd.Column, fd.Line, max)
				}
			}
			for _, c := range doc.Configs {
				if len(c.Unresolved) > 0 || hasErrors(c.Findings) {
					continue
				}
				var vs []rules.Violation
				if c.Signing != nil {
					vs = rules.CheckSigning(c.Signing)
				} else if c.Replication != nil {
					vs = rules.CheckReplication(c.Replication)
				}
				if len(vs) > 0 {
					t.Fatalf("%s has no error finding, but violations %v", c.Name, vs)
				}
			}
		}
	})
}

func hasErrors(fs []rules.Finding) bool {
	for _, f := range fs {
		if f.Severity == rules.SeverityError {
			return true
		}
	}
	return false
}
