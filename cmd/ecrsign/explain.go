package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

func init() {
	register(command{
		name:    "explain",
		summary: "say why each rule does or does not apply to a repository",
		run:     runExplain,
	})
}

const explainHelp = `usage: ecrsign explain --config FILE [--format text|json] NAME...

Says, for each rule of the signing configuration in FILE, whether it applies to the
repository NAME and which filter made it so (with its line and column in FILE); for a rule
that does not apply, the filter that came closest and where matching it stopped. The verdicts
come from the same compiled matcher as match and simulate.

` + configSourcesHelp + `

A NAME that is not a valid repository name is explained all the same, after a line saying
why ECR would reject it, and makes the exit status 1.

Exit status: 0 when every name is valid, 1 when one is not, 2 for usage errors, unreadable
files and configurations the ECR API would reject.

Example:

  ecrsign explain --config examples/signing/api-request.json prod/api
`

func runExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newSigningCommand("explain", explainHelp, "output `format`: text or json", stdout, stderr)
	fs, format := cmd.fs, cmd.format
	names, code, ok := cmd.parse(args, "no repository name given")
	if !ok {
		return code
	}
	cfg, m, err := loadSigning(*cmd.configFile, stdin, cmd.inputs)
	if err != nil {
		return fs.report(err)
	}
	status := exitOK
	bw := bufio.NewWriter(stdout)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	for i, name := range names {
		nameErr := rules.ValidateRepositoryName(name)
		if nameErr != nil {
			status = exitFound
		}
		e := m.Explain(name)
		if *format == "json" {
			if err := enc.Encode(explainJSON(cfg, e, nameErr)); err != nil {
				fs.errorf("%v", err)
				return exitUsage
			}
			continue
		}
		if i > 0 {
			bw.WriteByte('\n')
		}
		writeExplanation(bw, cfg, e, nameErr)
	}
	if err := bw.Flush(); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	return status
}

// filterAt returns "FILE:LINE:COL" of filter j of rule i, or "" when unknown.
func filterAt(cfg *rules.Config, rule, filter int) string {
	f := cfg.Position(rules.Finding{Path: rules.FilterPath(rule, filter) + ".filter"})
	if f.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}

func writeExplanation(w io.Writer, cfg *rules.Config, e match.Explanation, nameErr error) {
	name := e.Name
	if nameErr != nil {
		name = strconv.Quote(name) // it may be empty or hold control characters
		fmt.Fprintf(w, "%s: %v; ECR rejects such a name, no image can be pushed there\n", name, nameErr)
	}
	var profiles []string
	applying := 0
	for _, r := range e.Rules {
		if r.Applies {
			applying++
			if r.Profile != "" && !contains(profiles, r.Profile) {
				profiles = append(profiles, r.Profile)
			}
		}
	}
	fmt.Fprintf(w, "repository %s: %d of %d rules apply\n", name, applying, len(e.Rules))
	for _, r := range e.Rules {
		fmt.Fprintf(w, "  rule %d ", r.Rule)
		switch {
		case r.AllRepositories:
			fmt.Fprint(w, "applies: it has no repositoryFilters, so it applies to every repository")
		case r.Applies:
			fmt.Fprintf(w, "applies: filter %d %q matches", r.Filter, r.FilterText)
			if at := filterAt(cfg, r.Rule, r.Filter); at != "" {
				fmt.Fprintf(w, " (%s)", at)
			}
		case r.Closest >= 0:
			fmt.Fprintf(w, "does not apply: closest filter %d %q", r.Closest, r.ClosestText)
			if at := filterAt(cfg, r.Rule, r.Closest); at != "" {
				fmt.Fprintf(w, " (%s)", at)
			}
			fmt.Fprintf(w, ": %s", r.Mismatch)
		default:
			fmt.Fprint(w, "does not apply")
		}
		fmt.Fprintf(w, "\n    profile %s\n", r.Profile)
	}
	if len(profiles) == 0 {
		fmt.Fprintf(w, "no rule applies: images pushed to %s are not signed\n", name)
	} else {
		fmt.Fprintf(w, "signed with %d profile(s): %s\n", len(profiles), strings.Join(profiles, ", "))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// explainOutput is the JSON form of an explanation.
type explainOutput struct {
	RepositoryName     string       `json:"repositoryName"`
	Error              string       `json:"error,omitempty"`
	SigningProfileArns []string     `json:"signingProfileArns"`
	Rules              []ruleOutput `json:"rules"`
}

type ruleOutput struct {
	Rule              int    `json:"rule"`
	Applies           bool   `json:"applies"`
	SigningProfileArn string `json:"signingProfileArn"`
	AllRepositories   bool   `json:"allRepositories,omitempty"`
	// Filter is the filter that matched; Closest, Stopped and Mismatch say, for a rule that
	// does not apply, which filter came closest and where matching it stopped.
	Filter   *filterOutput `json:"filter,omitempty"`
	Closest  *filterOutput `json:"closestFilter,omitempty"`
	Stopped  string        `json:"stoppedMatching,omitempty"`
	Mismatch *mismatchJSON `json:"mismatch,omitempty"`
}

type filterOutput struct {
	Index  int    `json:"index"`
	Filter string `json:"filter"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

type mismatchJSON struct {
	Reason    string `json:"reason"`
	Matched   int    `json:"matched"`
	Segment   string `json:"segment,omitempty"`
	MinLength int    `json:"minLength"`
}

func filterJSON(cfg *rules.Config, rule, filter int, text string) *filterOutput {
	f := cfg.Position(rules.Finding{Path: rules.FilterPath(rule, filter) + ".filter"})
	return &filterOutput{Index: filter, Filter: text, Line: f.Line, Column: f.Column}
}

func explainJSON(cfg *rules.Config, e match.Explanation, nameErr error) explainOutput {
	out := explainOutput{RepositoryName: e.Name, SigningProfileArns: []string{}, Rules: []ruleOutput{}}
	if nameErr != nil {
		out.Error = nameErr.Error()
	}
	for _, r := range e.Rules {
		ro := ruleOutput{Rule: r.Rule, Applies: r.Applies, SigningProfileArn: r.Profile, AllRepositories: r.AllRepositories}
		switch {
		case r.Applies && !r.AllRepositories:
			ro.Filter = filterJSON(cfg, r.Rule, r.Filter, r.FilterText)
		case !r.Applies && r.Closest >= 0:
			ro.Closest = filterJSON(cfg, r.Rule, r.Closest, r.ClosestText)
			ro.Stopped = r.Mismatch.String()
			ro.Mismatch = &mismatchJSON{r.Mismatch.Reason, r.Mismatch.Matched, r.Mismatch.Segment, r.Mismatch.MinLength}
		}
		if r.Applies && r.Profile != "" && !contains(out.SigningProfileArns, r.Profile) {
			out.SigningProfileArns = append(out.SigningProfileArns, r.Profile)
		}
		out.Rules = append(out.Rules, ro)
	}
	return out
}
