package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register(command{
		name:    "version",
		summary: "print the version of ecrsign",
		run:     runVersion,
	})
}

const versionHelp = `usage: ecrsign version

Prints the module version ecrsign was built from ("(devel)" for a build from a checkout
without version information) and the Go version.

Example:

  ecrsign version
`

func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", versionHelp, stdout, stderr)
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return fs.usageError("takes no arguments")
	}
	goVersion := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = " " + info.GoVersion
	}
	fmt.Fprintf(stdout, "ecrsign %s%s\n", moduleVersion(), goVersion)
	return exitOK
}

// moduleVersion is the version of the main module from the build information, or "(devel)".
func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
