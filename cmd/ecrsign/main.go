// Command ecrsign checks Amazon ECR managed-signing configurations: it validates them exactly
// as the ECR API would and explains which rules sign which repositories.
//
// Usage:
//
//	ecrsign COMMAND [flags] [args]
//
// Commands: validate (check configuration files, for pre-commit and CI), match (which
// signing profiles apply to repository names), explain (why a rule does or does not apply),
// simulate (the statuses a push would produce), diff (which repositories a configuration
// change affects) and version. Run "ecrsign help COMMAND" for a command's flags and an
// example.
//
// Exit status, for every command: 0 when there is nothing to report, 1 for findings (an
// error-level finding, an invalid repository name, a signing job that would fail, a change
// with diff --exit-code), 2 for usage errors, unreadable files and configurations that cannot
// be used because the ECR API would reject them. Results go to standard output, diagnostics
// to standard error.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Exit statuses shared by every command.
const (
	exitOK    = 0 // nothing to report
	exitFound = 1 // a finding counts as an error, or a change was found
	exitUsage = 2 // bad usage, an unreadable input or an unusable configuration
)

// command is one subcommand. Each lives in its own file and registers itself in init.
type command struct {
	name    string
	summary string // one line for "ecrsign help"
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("ecrsign: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(stderr, "ecrsign help: unknown command %q\n", args[1])
				usage(stderr)
				return exitUsage
			}
			return c.run([]string{"-h"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ecrsign: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ecrsign COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "ecrsign checks Amazon ECR managed-signing configurations as the ECR API would.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Exit status: 0 nothing to report, 1 findings or changes, 2 usage or input errors.")
	fmt.Fprintln(w, `Run "ecrsign help COMMAND" for a command's flags and an example.`)
}
