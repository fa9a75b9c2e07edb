package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
)

func init() {
	register(command{
		name:    "diff",
		summary: "show which repositories gain or lose signing profiles with a configuration change",
		run:     runDiff,
	})
}

const diffHelp = `usage: ecrsign diff --old FILE --new FILE --repositories FILE|- [--exit-code] [--format text|json]

Compares the signing profiles that two signing configurations apply to each repository of an
inventory (one repository name a line; blank lines and lines starting with '#' are skipped;
"-" reads standard input) and prints every repository that gains or loses a profile, in
inventory order, then the counts. It streams: millions of names take constant memory. When
standard error is a terminal, a progress line shows how many names have been read.

--format text prints one line per changed repository,

  REPOSITORY: +GAINED_ARN -LOST_ARN

then a summary; --format json prints one object, {"changes": [...], "summary": {...}}, written
as the changes are found.

Exit status: 0 when nothing changes (or without --exit-code), 1 with --exit-code when a
repository gains or loses a profile, and 1 when an inventory line is not a valid repository
name (the line is skipped and reported on standard error); 2 for usage errors, unreadable
files and configurations the ECR API would reject.

Example:

  ecrsign diff --old examples/diff/current.json --new examples/diff/proposed.json --repositories examples/inventory.txt
  ecrsign diff --old examples/diff/current.json --new examples/diff/proposed.json --repositories - --exit-code --format json < examples/inventory.txt
`

func runDiff(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", diffHelp, stdout, stderr)
	oldFile := fs.String("old", "", "current signing configuration `FILE` (FILE#NAME for one of several)")
	newFile := fs.String("new", "", "proposed signing configuration `FILE` (FILE#NAME for one of several)")
	inventory := fs.String("repositories", "", "inventory `FILE` of repository names, one a line (\"-\": standard input)")
	exitCode := fs.Bool("exit-code", false, "exit 1 when a repository gains or loses a profile")
	format := fs.formatFlag("output `format`: text or json", "text", "json")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	switch {
	case len(pos) > 0:
		return fs.usageError("unexpected arguments %q", pos)
	case *oldFile == "" || *newFile == "":
		return fs.usageError("--old and --new are required")
	case *inventory == "":
		return fs.usageError("--repositories is required (a file of repository names, or - for standard input)")
	}
	stdinUsers := 0
	for _, f := range []string{*oldFile, *newFile, *inventory} {
		if f == "-" {
			stdinUsers++
		}
	}
	if stdinUsers > 1 {
		return fs.usageError("only one input can come from standard input")
	}
	before, err := loadConfig(*oldFile, rules.KindSigning, stdin)
	if err != nil {
		return fs.report(err)
	}
	after, err := loadConfig(*newFile, rules.KindSigning, stdin)
	if err != nil {
		return fs.report(err)
	}
	var in io.Reader = stdin
	if *inventory != "-" {
		f, err := os.Open(*inventory)
		if err != nil {
			return fs.report(err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return fs.report(fmt.Errorf("%s is a directory", *inventory))
		}
		in = f
	}
	var prog *progress
	if isTerminal(stderr) {
		prog = &progress{r: bufio.NewReaderSize(in, 64<<10), w: stderr, every: time.Second / 4}
		in = prog
	}

	bw := bufio.NewWriterSize(stdout, 64<<10)
	asJSON := *format == "json"
	first := true
	if asJSON {
		bw.WriteString(`{"changes":[`)
	}
	each := func(c sim.Change) error {
		if asJSON {
			b, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if !first {
				bw.WriteByte(',')
			}
			bw.WriteString("\n  ")
			_, err = bw.Write(b)
			first = false
			return err
		}
		bw.WriteString(c.Repository)
		bw.WriteByte(':')
		for _, p := range c.Gained {
			bw.WriteString(" +" + p)
		}
		for _, p := range c.Lost {
			bw.WriteString(" -" + p)
		}
		return bw.WriteByte('\n')
	}
	sum, err := sim.Impact(before.Signing, after.Signing, in, each)
	prog.done()
	if err != nil {
		bw.Flush()
		return fs.report(fmt.Errorf("%s: %w", *inventory, err))
	}
	if asJSON {
		b, err := json.Marshal(sum)
		if err != nil {
			return fs.report(err)
		}
		if !first {
			bw.WriteByte('\n')
		}
		fmt.Fprintf(bw, "],\n\"summary\":%s}\n", b)
	} else {
		writeImpactSummary(bw, sum)
	}
	if err := bw.Flush(); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	status := exitOK
	if sum.Invalid > 0 {
		fs.errorf("%s not valid repository names and were skipped:", count(sum.Invalid, "inventory line is", "inventory lines are"))
		for _, ex := range sum.InvalidExamples {
			fmt.Fprintf(stderr, "  %s\n", ex)
		}
		status = exitFound
	}
	if *exitCode && sum.Changed > 0 {
		status = exitFound
	}
	return status
}

func writeImpactSummary(w io.Writer, s *sim.ImpactSummary) {
	fmt.Fprintf(w, "%s, %d changed; signed by at least one profile: %d before, %d after\n",
		count(s.Repositories, "repository", "repositories"), s.Changed, s.SignedBefore, s.SignedAfter)
	for _, c := range []struct {
		sign, one, many string
		counts          map[string]int
	}{{"+", "gains", "gain", s.Gained}, {"-", "loses", "lose", s.Lost}} {
		arns := make([]string, 0, len(c.counts))
		for a := range c.counts {
			arns = append(arns, a)
		}
		sort.Strings(arns)
		for _, a := range arns {
			n := c.counts[a]
			verb := c.many
			if n == 1 {
				verb = c.one
			}
			fmt.Fprintf(w, "  %s%s: %s %s it\n", c.sign, a, count(n, "repository", "repositories"), verb)
		}
	}
}

// count formats n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// isTerminal reports whether w is a character device (a terminal), where a progress line
// helps; a variable so that tests can pretend.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress counts the lines read through it and rewrites a progress line on w at most once
// per every.
type progress struct {
	r     io.Reader
	w     io.Writer
	every time.Duration
	lines int64
	bytes int64
	last  time.Time
	shown bool
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.lines += int64(bytes.Count(b[:n], []byte{'\n'}))
	p.bytes += int64(n)
	if now := time.Now(); now.Sub(p.last) >= p.every {
		p.last = now
		p.shown = true
		fmt.Fprintf(p.w, "\rread %s names (%s)\x1b[K", groupDigits(p.lines), megabytes(p.bytes))
	}
	return n, err
}

// done clears the progress line.
func (p *progress) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
