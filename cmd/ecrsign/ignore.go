package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"

	"github.com/ecrsign/ecrsign/rules"
)

// projectFlags are the flags that choose and override the project configuration file
// (.ecrsign.yaml): validate defines them, and any command that reads the file can.
type projectFlags struct {
	configFile *string // --config-file: one file for every input instead of the nearest
	noIgnore   *bool   // --no-ignore: apply no suppression, report every finding as it is
}

func (f *flagSet) projectFlags() projectFlags {
	return projectFlags{
		configFile: f.String("config-file", "", "the project configuration `file` for every input (default: the nearest "+rules.ProjectConfigName+" above each, up to the repository root)"),
		noIgnore:   f.Bool("no-ignore", false, "apply no suppression (ecrsign:ignore comments, Metadata, the project file's ignore): show every finding"),
	}
}

// projects finds and loads the project configuration files of a run's inputs, each once,
// and keeps the findings about them (reported once, with the inputs' findings).
type projects struct {
	flags    projectFlags
	loaded   map[string]*rules.ProjectConfig // by path; nil for a file that could not be read
	order    []*rules.ProjectConfig
	findings []rules.Finding
}

func newProjects(flags projectFlags) *projects {
	return &projects{flags: flags, loaded: map[string]*rules.ProjectConfig{}}
}

// forInput returns the project configuration that governs the input name ("-": standard
// input, governed by the working directory's), or nil when there is none. An error is a
// project file that exists but cannot be read; it is returned once.
func (p *projects) forInput(name string) (*rules.ProjectConfig, error) {
	if name == "-" {
		return p.forDir(".")
	}
	return p.forDir(filepath.Dir(name))
}

// forDir returns the project configuration that governs the files of dir, as forInput.
func (p *projects) forDir(dir string) (*rules.ProjectConfig, error) {
	file := *p.flags.configFile
	if file == "" {
		found, err := rules.FindProjectConfig(dir)
		if err != nil || found == "" {
			return nil, err
		}
		file = found
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, found); err == nil && filepath.IsLocal(rel) {
				file = rel // findings name it as the inputs are named
			}
		}
	}
	if cfg, seen := p.loaded[file]; seen {
		return cfg, nil
	}
	cfg, findings, err := rules.LoadProjectConfig(file)
	p.loaded[file] = cfg
	if err != nil {
		return nil, err
	}
	p.order = append(p.order, cfg)
	p.findings = append(p.findings, findings...)
	return cfg, nil
}

// suppress applies the suppressions of one input's data and of its project file to its
// findings, unless --no-ignore.
func (p *projects) suppress(name string, data []byte, findings []rules.Finding, cfg *rules.ProjectConfig) []rules.Finding {
	if *p.flags.noIgnore {
		return findings
	}
	return rules.Suppress(name, data, findings, cfg)
}

// done returns the findings about the project files: their own problems and, unless
// --no-ignore, the ignore entries that suppressed nothing in the whole run.
func (p *projects) done() []rules.Finding {
	if *p.flags.noIgnore {
		// The ignore entries were not applied: what could be said of them is moot.
		return slices.DeleteFunc(p.findings, func(f rules.Finding) bool { return f.Code != rules.CodeProjectConfig })
	}
	out := p.findings
	for _, cfg := range p.order {
		out = append(out, cfg.Unused()...)
	}
	return out
}

// settings are the options of one input that its project file gives: flags given explicitly
// win over it (strict and region here; the template and Terraform flags by coming later).
type settings struct {
	strict     bool
	region     string
	registryID string
	accountID  string
	parameters map[string]string // CloudFormation parameter values by name
	vars       map[string]string // Terraform variable values by name, as -var takes them
}

// settingsFor merges the explicitly set flags of fs with the project file cfg (may be nil).
func settingsFor(fs *flag.FlagSet, strict bool, region string, cfg *rules.ProjectConfig) settings {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	s := settings{strict: strict, region: region}
	if cfg != nil && !set["strict"] && cfg.Strict != nil {
		s.strict = *cfg.Strict
	}
	if cfg != nil && !set["region"] && cfg.Region != "" {
		s.region = cfg.Region
	}
	if cfg != nil {
		s.registryID, s.accountID = cfg.RegistryID, cfg.AccountID
		s.parameters, s.vars = cfg.Parameters, cfg.Vars
	}
	return s
}

// projectSettings are the settings of the project file cfg (may be nil) alone: for the
// commands whose own flags are added after them, so that those win.
func projectSettings(cfg *rules.ProjectConfig) settings {
	var s settings
	if cfg != nil {
		s.region, s.registryID, s.accountID = cfg.Region, cfg.RegistryID, cfg.AccountID
		s.parameters, s.vars = cfg.Parameters, cfg.Vars
		if cfg.Strict != nil {
			s.strict = *cfg.Strict
		}
	}
	return s
}

// decodeOptions are the options of rules.Decode the project file gives; the command puts
// the options of its explicit flags after them, so that those win.
func (s settings) decodeOptions() []rules.Option {
	var opts []rules.Option
	if s.region != "" {
		opts = append(opts, rules.WithRegion(s.region), rules.WithStackRegion(s.region))
	}
	if s.registryID != "" {
		opts = append(opts, rules.WithRegistryID(s.registryID))
	}
	if s.accountID != "" {
		opts = append(opts, rules.WithAccountID(s.accountID))
	}
	if len(s.parameters) > 0 {
		opts = append(opts, rules.WithParameters(s.parameters))
	}
	return opts
}
