package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
)

func init() {
	register(command{
		name:    "diff",
		summary: "show which repositories gain or lose signing profiles or replication destinations",
		run:     runDiff,
	})
}

const diffHelp = `usage: ecrsign diff --old FILE --new FILE --repositories FILE|- [--registry-id ID] [--region REGION]
       [--exit-code] [--format text|json]

Compares what two configurations do to each repository of an inventory (one repository name a
line; blank lines and lines starting with '#' are skipped; "-" reads standard input) and prints
every repository that changes, in inventory order, then the counts: for signing
configurations, the signing profiles that sign its pushes; for replication configurations,
the destinations its pushes are replicated to. The files are compared as replication
configurations when --old holds a replication configuration and no signing one (with
FILE#NAME, when the configuration named is a replication configuration). It streams:
millions of names take constant memory. When standard error is a terminal, a progress line
shows how many names have been read.

Replication never goes back to the registry whose configuration it is: --registry-id and
--region name that source registry (default 123456789012 in us-east-1, as in simulate), and a
replication configuration with the source as a destination is refused, as
PutReplicationConfiguration refuses it. For signing configurations, --region, when given,
refuses signing profiles of another region, as PutSigningConfiguration in that region
refuses them; --registry-id is not used.

` + configSourcesHelp + ` It also
names the replication source, the registry of --old, when --registry-id and --region do not.

--format text prints one line per changed repository,

  REPOSITORY: +GAINED -LOST

where each item is a signing profile ARN, or a destination as REGION:REGISTRY_ID, then a
summary; --format json prints one object, {"changes": [...], "summary": {...}}, written as the
changes are found (replication destinations as {"region", "registryId"} objects).

Exit status: 0 when nothing changes (or without --exit-code), 1 with --exit-code when a
repository gains or loses a profile or destination, and 1 when an inventory line is not a
valid repository name (the line is skipped and reported on standard error); 2 for usage
errors, unreadable files and configurations the ECR API would reject.

Example:

  ecrsign diff --old examples/diff/current.json --new examples/diff/proposed.json --repositories examples/inventory.txt
  ecrsign diff --old examples/diff/current.json --new examples/diff/proposed.json --repositories - --exit-code --format json < examples/inventory.txt
  ecrsign diff --old examples/diff/replication-current.json --new examples/diff/replication-proposed.json --repositories examples/inventory.txt
`

var (
	registryIDFlag = regexp.MustCompile(`^(?:` + rules.RegistryIDPattern + `)$`)
	regionFlag     = regexp.MustCompile(`^(?:` + rules.RegionPattern + `)$`)
)

func runDiff(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("diff", diffHelp, stdout, stderr)
	flags := defineDiffFlags(fs)
	if code, ok := fs.parseFlagsOnly(args, "", flags.check); !ok {
		return code
	}
	configs, code, ok := flags.load(fs, stdin)
	if !ok {
		return code
	}
	in, closeInventory, err := openInventory(*flags.inventory, stdin)
	if err != nil {
		return fs.report(err)
	}
	defer closeInventory()
	var prog *progress
	if isTerminal(stderr) {
		prog = &progress{r: bufio.NewReaderSize(in, 64<<10), w: stderr, every: time.Second / 4}
		in = prog
	}
	out := newChangeWriter(stdout, *flags.format == "json")
	sum, err := configs.compare(in, out)
	prog.done()
	if err != nil {
		out.w.Flush()
		return fs.report(fmt.Errorf("%s: %w", *flags.inventory, err))
	}
	if err := out.end(sum); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	return diffStatus(fs, sum, *flags.exitCode)
}

// diffFlags are the flags of diff.
type diffFlags struct {
	oldFile, newFile, inventory *string
	registryID, region          *string
	exitCode                    *bool
	format                      *string
	inputs                      inputFlags
}

// defineDiffFlags defines the flags of diff on fs.
func defineDiffFlags(fs *flagSet) *diffFlags {
	f := &diffFlags{
		oldFile:    fs.String("old", "", "current configuration `FILE` (FILE#NAME for one of several)"),
		newFile:    fs.String("new", "", "proposed configuration `FILE` (FILE#NAME for one of several)"),
		inventory:  fs.String("repositories", "", "inventory `FILE` of repository names, one a line (\"-\": standard input)"),
		registryID: fs.String("registry-id", "", "replication source: the registry (account) `ID` whose configuration changes (default: the project file's registry-id or account-id, else "+sim.DefaultAccount+")"),
		region:     fs.String("region", "", "replication source: the `REGION` of that registry (default: the project file's region, else "+sim.DefaultRegion+")"),
		exitCode:   fs.Bool("exit-code", false, "exit 1 when a repository gains or loses a profile or destination"),
		format:     fs.formatFlag("output `format`: text or json", "text", "json"),
	}
	f.inputs = fs.inputFlags(f.region)
	return f
}

// check returns the usage error of flags that do not go together, "" for none.
func (f *diffFlags) check() string {
	switch {
	case *f.oldFile == "" || *f.newFile == "":
		return "--old and --new are required"
	case *f.inventory == "":
		return "--repositories is required (a file of repository names, or - for standard input)"
	case *f.registryID != "" && !registryIDFlag.MatchString(*f.registryID):
		return fmt.Sprintf("--registry-id %q is not a registry (account) id: 12 digits", *f.registryID)
	case *f.region != "" && !regionFlag.MatchString(*f.region):
		return fmt.Sprintf("--region %q is not a region: %s", *f.region, rules.RegionPattern)
	case countStdin(*f.oldFile, *f.newFile, *f.inventory) > 1:
		return stdinTwice
	}
	return ""
}

// diffConfigs are the two configurations diff compares, of one kind, and the replication
// source.
type diffConfigs struct {
	kind          rules.Kind
	before, after *rules.Config
	source        sim.Caller
}

// load reads --old and --new and checks that the ECR API would accept each of them.
func (f *diffFlags) load(fs *flagSet, stdin io.Reader) (*diffConfigs, int, bool) {
	// The files are read twice, for their kind and their configurations: standard input,
	// when one of them is "-", once.
	configInput := func() io.Reader { return stdin }
	if *f.oldFile == "-" || *f.newFile == "-" {
		data, err := readInput("-", stdin)
		if err != nil {
			return nil, fs.report(err), false
		}
		configInput = func() io.Reader { return bytes.NewReader(data) }
	}
	opts, err := f.inputs.tmpl.options(*f.registryID)
	if err != nil {
		return nil, fs.usageError("%v", err), false
	}
	c := &diffConfigs{kind: diffKind(configInput, *f.oldFile, *f.newFile)}
	if c.before, err = loadConfig(*f.oldFile, c.kind, configInput(), f.inputs, opts...); err != nil {
		return nil, fs.report(err), false
	}
	if c.after, err = loadConfig(*f.newFile, c.kind, configInput(), f.inputs, opts...); err != nil {
		return nil, fs.report(err), false
	}
	// The source is the registry of --old: the flags', else its project file's.
	projectRegistry, projectRegion := f.inputs.projectRegistry(splitConfigFile(*f.oldFile))
	c.source = sim.Caller{Account: cmp.Or(*f.registryID, projectRegistry, sim.DefaultAccount), Region: cmp.Or(*f.region, projectRegion, sim.DefaultRegion)}
	regionGiven := cmp.Or(*f.region, projectRegion) != ""
	if err := c.check(*f.oldFile, *f.newFile, regionGiven); err != nil {
		return nil, fs.report(err), false
	}
	return c, exitOK, true
}

// check refuses a configuration that the source registry would reject: a replication
// configuration always, a signing configuration when the region is given (regionGiven).
// Each configuration is checked alone, so that an error names its file.
func (c *diffConfigs) check(oldFile, newFile string, regionGiven bool) error {
	files := []string{oldFile, newFile}
	for i, cfg := range []*rules.Config{c.before, c.after} {
		switch {
		case c.kind == rules.KindSigning && regionGiven:
			if _, err := sim.New().Predictor(c.source, cfg.Signing, nil); err != nil {
				return fmt.Errorf("%s: PutSigningConfiguration in %s (--region) would reject this signing configuration: %w", files[i], c.source.Region, err)
			}
		case c.kind == rules.KindReplication:
			if _, err := sim.ReplicationImpact(c.source, cfg.Replication, nil, strings.NewReader(""), nil); err != nil {
				return fmt.Errorf("%s: PutReplicationConfiguration in the source registry, %s in %s (--registry-id, --region), would reject this replication configuration: %w", files[i], c.source.Account, c.source.Region, err)
			}
		}
	}
	return nil
}

// compare reads the inventory from in and writes each repository that changes to out.
func (c *diffConfigs) compare(in io.Reader, out *changeWriter) (diffSummary, error) {
	if c.kind == rules.KindReplication {
		return replicationDiff(c.source, c.before.Replication, c.after.Replication, in, out)
	}
	return signingDiff(c.before.Signing, c.after.Signing, in, out)
}

// openInventory opens the inventory file name ("-": standard input) and returns it with the
// function that closes it.
func openInventory(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is a directory", name)
	}
	return f, func() { f.Close() }, nil
}

// diffStatus reports the invalid inventory lines of sum on standard error and returns the
// exit status: exitFound for invalid lines, or for changes with --exit-code (exitCode).
func diffStatus(fs *flagSet, sum diffSummary, exitCode bool) int {
	status := exitOK
	if sum.invalid > 0 {
		fs.errorf("%s:", count(sum.invalid, "inventory line is not a valid repository name and was skipped", "inventory lines are not valid repository names and were skipped"))
		for _, ex := range sum.invalidExamples {
			fmt.Fprintf(fs.stderr, "  %s\n", ex)
		}
		status = exitFound
	}
	if exitCode && sum.changed > 0 {
		status = exitFound
	}
	return status
}

// diffKind returns the kind of configurations diff compares: that of the first of specs
// (--old, then --new) that says: replication when it holds a replication configuration and
// no signing one (with FILE#NAME, when the configuration named is a replication
// configuration), signing when it holds a signing one. A bare, empty rules list
// ({"rules": []}) is either kind and says nothing, and so does a file that cannot be read or
// decoded (loadConfig then says why); when none says, signing. It reads each spec as
// loadConfig does, from input when the spec is "-", but without the values of flags and
// project files: a Terraform module is decoded here apart from the one loadConfig decodes
// with them, which decides the kind of no resource.
func diffKind(input func() io.Reader, specs ...string) rules.Kind {
	for _, spec := range specs {
		file, name := splitConfigSpec(spec)
		doc, err := readDocument(file, input(), nil)
		if err != nil {
			continue
		}
		held := map[rules.Kind]bool{}
		for _, c := range doc.Configs {
			if (name == "" || c.Name == name || c.LogicalID == name) && !c.IsEitherKind() {
				held[c.Kind] = true
			}
		}
		switch {
		case held[rules.KindReplication] && !held[rules.KindSigning]:
			return rules.KindReplication
		case held[rules.KindSigning]:
			return rules.KindSigning
		}
	}
	return rules.KindSigning
}

// diffSummary is what runDiff needs of an analysis's summary besides writing it.
type diffSummary struct {
	json            any               // the summary in the JSON output
	text            func(w io.Writer) // writes the summary as text
	changed         int               // repositories that gain or lose something
	invalid         int               // inventory lines that are not repository names
	invalidExamples []string          // the first few of them
}

func signingDiff(before, after *rules.SigningConfiguration, in io.Reader, out *changeWriter) (diffSummary, error) {
	sum, err := sim.SigningImpact(before, after, in, func(c sim.SigningChange) error {
		return writeChange(out, c, c.Repository, c.Gained, c.Lost, func(arn string) string { return arn })
	})
	if err != nil {
		return diffSummary{}, err
	}
	return diffSummary{
		json:    sum,
		text:    func(w io.Writer) { writeImpactSummary(w, sum) },
		changed: sum.Changed, invalid: sum.Invalid, invalidExamples: sum.InvalidExamples,
	}, nil
}

func replicationDiff(source sim.Caller, before, after *rules.ReplicationConfiguration, in io.Reader, out *changeWriter) (diffSummary, error) {
	sum, err := sim.ReplicationImpact(source, before, after, in, func(c sim.ReplicationChange) error {
		return writeChange(out, c, c.Repository, c.Gained, c.Lost, destinationName)
	})
	if err != nil {
		return diffSummary{}, err
	}
	return diffSummary{
		json:    sum,
		text:    func(w io.Writer) { writeReplicationImpactSummary(w, sum) },
		changed: sum.Changed, invalid: sum.Invalid, invalidExamples: sum.InvalidExamples,
	}, nil
}

// destinationName is a replication destination as diff prints it, REGION:REGISTRY_ID (the
// order of an ARN's fields).
func destinationName(d rules.ReplicationDestination) string { return d.Region + ":" + d.RegistryID }

// changeWriter writes the changes of a diff as they are found, then the summary: in text, a
// line per change and the summary's lines; in JSON, one object {"changes": [...],
// "summary": {...}}.
type changeWriter struct {
	w       *bufio.Writer
	json    bool
	written int // changes written
}

func newChangeWriter(w io.Writer, asJSON bool) *changeWriter {
	cw := &changeWriter{w: bufio.NewWriterSize(w, 64<<10), json: asJSON}
	if asJSON {
		cw.w.WriteString(`{"changes":[`)
	}
	return cw
}

// writeChange writes one change: c in JSON, or in text "REPOSITORY: +GAINED -LOST" with
// each item named by name.
func writeChange[T any](cw *changeWriter, c any, repository string, gained, lost []T, name func(T) string) error {
	if cw.json {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if cw.written > 0 {
			cw.w.WriteByte(',')
		}
		cw.w.WriteString("\n  ")
		_, err = cw.w.Write(b)
		cw.written++
		return err
	}
	cw.w.WriteString(repository)
	cw.w.WriteByte(':')
	for _, g := range gained {
		cw.w.WriteString(" +" + name(g))
	}
	for _, l := range lost {
		cw.w.WriteString(" -" + name(l))
	}
	cw.written++
	return cw.w.WriteByte('\n')
}

// end writes the summary and flushes the output.
func (cw *changeWriter) end(sum diffSummary) error {
	if cw.json {
		b, err := json.Marshal(sum.json)
		if err != nil {
			return err
		}
		if cw.written > 0 {
			cw.w.WriteByte('\n')
		}
		fmt.Fprintf(cw.w, "],\n\"summary\":%s}\n", b)
	} else {
		sum.text(cw.w)
	}
	return cw.w.Flush()
}

func writeImpactSummary(w io.Writer, s *sim.SigningImpactSummary) {
	fmt.Fprintf(w, "%s, %d changed; signed by at least one profile: %d before, %d after\n",
		count(s.Repositories, "repository", "repositories"), s.Changed, s.SignedBefore, s.SignedAfter)
	for _, c := range []struct {
		sign   string
		counts map[string]int
	}{{"+", s.Gained}, {"-", s.Lost}} {
		for _, arn := range slices.Sorted(maps.Keys(c.counts)) {
			writeCount(w, c.sign, arn, c.counts[arn])
		}
	}
}

func writeReplicationImpactSummary(w io.Writer, s *sim.ReplicationImpactSummary) {
	fmt.Fprintf(w, "%s, %d changed; replicated to at least one destination: %d before, %d after\n",
		count(s.Repositories, "repository", "repositories"), s.Changed, s.ReplicatedBefore, s.ReplicatedAfter)
	for _, d := range s.Gained {
		writeCount(w, "+", destinationName(d.ReplicationDestination), d.Repositories)
	}
	for _, d := range s.Lost {
		writeCount(w, "-", destinationName(d.ReplicationDestination), d.Repositories)
	}
}

// writeCount writes a summary line: how many repositories gain (sign "+") or lose ("-") item.
func writeCount(w io.Writer, sign, item string, n int) {
	verb := "lose"
	if sign == "+" {
		verb = "gain"
	}
	if n == 1 {
		verb += "s"
	}
	fmt.Fprintf(w, "  %s%s: %s %s it\n", sign, item, count(n, "repository", "repositories"), verb)
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
