package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ecrsign/ecrsign/rules"
)

func init() {
	register(command{
		name:    "validate",
		summary: "check configuration files as the ECR API would, and lint them",
		run:     runValidate,
	})
}

const validateUsage = `usage: ecrsign validate [--format text|json] [--strict] [--region REGION] FILE...

Validates every signing and replication configuration in each FILE ("-" reads standard
input): API request or response JSON, bare {"rules": ...}, CloudFormation templates (JSON or
YAML) and terraform show -json output. Prints one line per finding:

  FILE:LINE:COL: SEVERITY CODE PATH: MESSAGE (hint)

Exit status: 0 when no finding is an error, 1 when one is, 2 for usage errors and unreadable
files.

flags:
`

func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output `format`: text or json")
	strict := fs.Bool("strict", false, "count warnings as errors")
	region := fs.String("region", "", "the registry's `region`: report signing profiles in other regions")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), validateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "ecrsign validate: unknown format %q (text or json)\n", *format)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "ecrsign validate: no files given")
		fs.Usage()
		return exitUsage
	}
	var opts []rules.Option
	if *region != "" {
		opts = append(opts, rules.WithRegion(*region))
	}

	status := exitOK
	all := []rules.Finding{}
	for _, name := range fs.Args() {
		data, err := readInput(name, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "ecrsign validate: %v\n", err)
			status = exitUsage
			continue
		}
		doc := rules.Decode(name, data, opts...)
		if doc.HasErrors(*strict) && status == exitOK {
			status = exitFound
		}
		all = append(all, doc.AllFindings()...)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(all); err != nil {
			fmt.Fprintf(stderr, "ecrsign validate: %v\n", err)
			return exitUsage
		}
	} else {
		for _, f := range all {
			fmt.Fprintln(stdout, f)
		}
	}
	return status
}

// readInput reads a file, or standard input for "-", reading at most one byte more than
// Decode accepts so that it can report the size.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory", name)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, rules.DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, nil
}
