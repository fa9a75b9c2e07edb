package rules

import (
	"encoding/json"
	"fmt"
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
