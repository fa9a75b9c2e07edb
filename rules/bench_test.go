package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// largestConfig is the largest configuration the API accepts: 10 rules of 100 filters.
func largestConfig() []byte {
	var rs []string
	for i := 0; i < MaxSigningRules; i++ {
		var fs []string
		for j := 0; j < MaxSigningFilters; j++ {
			fs = append(fs, fmt.Sprintf("team%d/app%d-*", i, j))
		}
		rs = append(rs, rule(fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", i), fs...))
	}
	return []byte(`{"signingConfiguration": {"rules": [` + strings.Join(rs, ",\n") + `]}}`)
}

// BenchmarkDecode decodes, validates and lints the largest valid configuration;
// BenchmarkDecodeBaselineJSON only unmarshals it with encoding/json, without positions,
// validation or lints, as the baseline of the ratio.
func BenchmarkDecode(b *testing.B) {
	data := largestConfig()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if doc := Decode("b", data); len(doc.Configs) != 1 {
			b.Fatal("no configuration")
		}
	}
}

func BenchmarkDecodeBaselineJSON(b *testing.B) {
	data := largestConfig()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var req struct {
			SigningConfiguration SigningConfiguration `json:"signingConfiguration"`
		}
		if err := json.Unmarshal(data, &req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckSigning(b *testing.B) {
	doc := Decode("b", largestConfig())
	cfg := doc.Configs[0].Signing
	for b.Loop() {
		if vs := CheckSigning(cfg); len(vs) != 0 {
			b.Fatal(vs)
		}
	}
}

// hostileInputs are inputs of about 16 MiB (DefaultMaxSize; MaxYAMLSize for YAML) built to make Decode work as
// hard as it can: a finding per element, lists millions of elements long, every key
// unknown, a configuration per resource. Decode checks lists only up to one element past
// the API's maximum and lists at most MaxFindings findings, so each stays a few seconds.
func hostileInputs() map[string][]byte {
	const size = DefaultMaxSize - 1024
	repeat := func(head, item, sep, tail string) []byte {
		n := (size - len(head) - len(tail)) / (len(item) + len(sep))
		return []byte(head + strings.Repeat(item+sep, n-1) + item + tail)
	}
	repeatYAML := func(head, item, sep, tail string) []byte { // YAML is bounded by MaxYAMLSize
		n := (MaxYAMLSize - len(head) - len(tail)) / (len(item) + len(sep))
		return []byte(head + strings.Repeat(item+sep, n-1) + item + tail)
	}
	filter := `{"filter": "a*", "filterType": "WILDCARD_MATCH"}`
	return map[string][]byte{
		"json-rules-of-numbers":  repeat(`{"rules":[`, "0", ",", "]}"),
		"json-duplicate-filters": repeat(`{"rules":[{"signingProfileArn":"`+arnA+`","repositoryFilters":[`, filter, ",", "]}]}"),
		"json-empty-rules":       repeat(`{"rules":[`, "{}", ",", "]}"),
		"json-unknown-keys":      repeat(`{"signingConfiguration":{"rules":[]}`, `,"x":0`, "", "}"),
		"json-long-string":       []byte(`{"rules":[{"signingProfileArn":"` + strings.Repeat("a", size) + `"}]}`),
		"cfn-many-resources":     repeat(`{"Resources":{`, `"S":{"Type":"AWS::ECR::SigningConfiguration"}`, ",", "}}"),
		"terraform-many-resources": repeat(`{"format_version":"1.0","values":{"root_module":{"resources":[`,
			`{"type":"awscc_ecr_signing_configuration","values":{"rules":[0]}}`, ",", "]}}}"),
		"yaml-block-list": repeatYAML("rules:\n", "- 0", "\n", "\n"),
		"yaml-flow-list":  repeatYAML("rules: [", "0", ",", "]\n"),
	}
}

// BenchmarkDecodeHostile decodes each hostile input once per iteration; run it with
// -benchtime=1x to see the worst case, which is a few seconds at most.
func BenchmarkDecodeHostile(b *testing.B) {
	inputs := hostileInputs()
	names := make([]string, 0, len(inputs))
	for name := range inputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := inputs[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				doc := Decode("b", data)
				if n := len(doc.AllFindings()); n == 0 || n > MaxFindings+1 {
					b.Fatalf("%d findings", n)
				}
			}
		})
	}
}
