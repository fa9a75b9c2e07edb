package main

import (
	"flag"
	"io"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
)

// TestSettingsFor: flags given explicitly win over the project file; the file fills in the
// rest.
func TestSettingsFor(t *testing.T) {
	yes, no := true, false
	cfg := &rules.ProjectConfig{Strict: &yes, Region: "eu-west-1", RegistryID: "111111111111", AccountID: "222222222222",
		Parameters: map[string]string{"Env": "prod"}, Vars: map[string]string{"env": "prod"}}
	tests := []struct {
		name   string
		args   []string
		cfg    *rules.ProjectConfig
		strict bool
		region string
	}{
		{"no file", nil, nil, false, ""},
		{"no file, flags", []string{"-strict", "-region", "us-east-1"}, nil, true, "us-east-1"},
		{"file", nil, cfg, true, "eu-west-1"},
		{"flags win", []string{"-strict=false", "-region", "us-east-1"}, cfg, false, "us-east-1"},
		{"file says not strict", []string{}, &rules.ProjectConfig{Strict: &no}, false, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		strict := fs.Bool("strict", false, "")
		region := fs.String("region", "", "")
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		s := settingsFor(fs, *strict, *region, tt.cfg)
		if s.strict != tt.strict || s.region != tt.region {
			t.Errorf("%s: strict %v region %q, want %v %q", tt.name, s.strict, s.region, tt.strict, tt.region)
		}
		if tt.cfg == cfg && (s.registryID != "111111111111" || s.accountID != "222222222222" || s.parameters["Env"] != "prod" || s.vars["env"] != "prod") {
			t.Errorf("%s: the file's other settings are not carried: %+v", tt.name, s)
		}
	}
}
