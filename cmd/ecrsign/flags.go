package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// flagSet holds the conventions every command shares: -h prints the help on standard output
// and exits 0; a usage error is one line on standard error and exits 2; flags may come before,
// between or after the positional arguments ("--" ends the flags).
type flagSet struct {
	*flag.FlagSet
	help   string // usage line, description and example, printed before the flags
	stdout io.Writer
	stderr io.Writer
	// format and formats, set by formatFlag, make parse reject an unknown --format.
	format  *string
	formats []string
}

func newFlagSet(name, help string, stdout, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse errors are printed by parse, help by printHelp
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, help: help, stdout: stdout, stderr: stderr}
}

// formatFlag defines --format, whose first allowed value is the default; parse rejects any
// value not allowed.
func (f *flagSet) formatFlag(usage string, allowed ...string) *string {
	f.format, f.formats = f.String("format", allowed[0], usage), allowed
	return f.format
}

// parse parses args and returns the positional arguments. When ok is false the command
// returns code: exitOK after -h, exitUsage after a bad flag.
func (f *flagSet) parse(args []string) (pos []string, code int, ok bool) {
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printHelp()
				return nil, exitOK, false
			}
			return nil, f.usageError("%v", err), false
		}
		rest := f.Args()
		if len(rest) == 0 {
			if f.format != nil && !slices.Contains(f.formats, *f.format) {
				return nil, f.usageError("unknown format %q (%s)", *f.format, strings.Join(f.formats, ", ")), false
			}
			return pos, exitOK, true
		}
		// Parse stops at "--" (consumed) or at the first positional argument.
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			args = nil
			pos = append(pos, rest...)
			continue
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (f *flagSet) printHelp() {
	fmt.Fprint(f.stdout, f.help)
	var flags strings.Builder
	f.SetOutput(&flags)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
	if flags.Len() > 0 {
		fmt.Fprintf(f.stdout, "\nflags:\n%s", flags.String())
	}
}

// usageError prints a usage error and returns exitUsage.
func (f *flagSet) usageError(format string, args ...any) int {
	fmt.Fprintf(f.stderr, "ecrsign %s: %s\n", f.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(f.stderr, "Run \"ecrsign %s -h\" for help.\n", f.Name())
	return exitUsage
}

// errorf prints a diagnostic for the command on standard error.
func (f *flagSet) errorf(format string, args ...any) {
	fmt.Fprintf(f.stderr, "ecrsign %s: %s\n", f.Name(), fmt.Sprintf(format, args...))
}
