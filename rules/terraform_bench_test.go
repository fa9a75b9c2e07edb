package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkTerraform decodes the bundled Terraform examples as a plan (JSON, the baseline)
// and as .tf modules, and the worst .tf input the limits allow: nested for expressions that
// stop at MaxTerraformWork.
func BenchmarkTerraform(b *testing.B) {
	plan, err := os.ReadFile("../examples/terraform/plan.json")
	if err != nil {
		b.Fatal(err)
	}
	module := func(dir string) []TerraformFile {
		var files []TerraformFile
		names, _ := filepath.Glob(filepath.Join("../examples/terraform", dir, "*.tf*"))
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, TerraformFile{Name: n, Data: data})
		}
		return files
	}
	b.Run("plan-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if doc := Decode("plan.json", plan); len(doc.Configs) != 4 {
				b.Fatal(len(doc.Configs))
			}
		}
	})
	for _, dir := range []string{"awscc-signing", "aws-signing", "aws-replication"} {
		files := module(dir)
		b.Run("tf-"+dir, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DecodeTerraformModule(files, nil)
			}
		})
	}
	bomb := []TerraformFile{{Name: "main.tf", Data: []byte("locals {\n  l = [" + strings.Repeat("1,", 100) +
		"]\n  x = [for a in local.l : [for b in local.l : [for c in local.l : \"${a}${b}${c}\"]]]\n}\n" +
		awscc(`"`+arnA+`"`, `local.x[0][0][0]`))}}
	b.Run("tf-expansion-limit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			DecodeTerraformModule(bomb, nil)
		}
	})
}
