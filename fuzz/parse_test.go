package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ecrsign/ecrsign/rules"
)

// seedFiles returns every example and test input of the repository.
func seedFiles(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, dir := range []string{"../examples", "../cmd/ecrsign/testdata"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(path, "golden") {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				seeds = append(seeds, data)
			}
			return err
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	return seeds
}

// FuzzParse feeds arbitrary bytes to rules.Decode and rules.Parse. Neither may panic or hang;
// every finding must be well-formed and lie within the input; Parse must fail exactly when
// Decode reports an error (or finds other than one signing configuration); a configuration
// Parse accepts must pass the API checks and survive a JSON round trip.
func FuzzParse(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"rules": []}`))
	f.Add([]byte("rules:\n  - signingProfileArn: !Ref P\n"))
	f.Add([]byte(`{"format_version": "1.0", "values": {"root_module": {"child_modules": [{"resources": [{"type": "awscc_ecr_signing_configuration", "values": {"rules": []}}]}]}}}`))
	f.Add([]byte("{rules: [{signingProfileArn: 5, repositoryFilters: [{filter: '', filterType: ''}]}]}"))
	f.Add([]byte("rules: []\r---\rrules: [1]\r"))
	f.Add([]byte(`{"rules": [` + strings.Repeat(`{"signingProfileArn": ""},`, 12) + `0]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		doc := rules.Decode("in", data)
		// Lines end at "\n", "\r\n" or a lone "\r", as Decode counts them.
		lines := bytes.Split(bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")), []byte("\n"))
		hasError := false
		for _, fd := range doc.AllFindings() {
			if fd.Code.Describe() == "" {
				t.Errorf("%v: code not in the catalogue", fd)
			}
			switch fd.Severity {
			case rules.SeverityError:
				hasError = true
			case rules.SeverityWarning, rules.SeverityInfo:
			default:
				t.Errorf("%v: bad severity", fd)
			}
			if fd.Message == "" {
				t.Errorf("%v: empty message", fd)
			}
			if fd.Line < 1 || fd.Column < 1 || fd.Line > len(lines) {
				t.Fatalf("%v: position %d:%d outside the input (%d lines)", fd, fd.Line, fd.Column, len(lines))
			}
			if max := utf8.RuneCount(lines[fd.Line-1]) + 1; fd.Column > max {
				t.Fatalf("%v: column %d past the end of line %d (%d)", fd, fd.Column, fd.Line, max)
			}
		}
		signing := 0
		unresolved := false
		for _, c := range doc.Configs {
			if c.Kind == rules.KindSigning {
				signing++
			}
			unresolved = unresolved || len(c.Unresolved) > 0
		}

		cfg, err := rules.Parse(data)
		wantErr := hasError || signing != 1
		if (err != nil) != wantErr {
			t.Fatalf("Parse error %v, but Decode reports errors=%v with %d signing configurations", err, hasError, signing)
		}
		if err != nil {
			var fe *rules.FindingsError
			if !errors.As(err, &fe) || len(fe.Findings) == 0 {
				t.Fatalf("Parse error %v is no FindingsError", err)
			}
			for _, fd := range fe.Findings {
				if fd.Severity != rules.SeverityError {
					t.Fatalf("Parse error holds a %s finding: %v", fd.Severity, fd)
				}
			}
			return
		}
		if unresolved {
			return
		}
		if vs := rules.CheckSigning(cfg); len(vs) > 0 {
			t.Fatalf("Parse accepted a configuration with violations: %v", vs)
		}
		out, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		again, err := rules.Parse(out)
		if err != nil {
			t.Fatalf("round trip of %s: %v", out, err)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Fatalf("round trip changed the configuration:\n%+v\n%+v", cfg, again)
		}
	})
}
