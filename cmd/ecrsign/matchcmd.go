package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

func init() {
	register(command{
		name:    "match",
		summary: "list the signing profiles that apply to repository names",
		run:     runMatch,
	})
}

const matchHelp = `usage: ecrsign match --config FILE [--format text|json] [NAME... | -]

Prints, for each repository NAME, the signing profiles whose rules apply to it: the
distinct profile ARNs, in the order of the first rule that applies with each. With "-" the
names are read from standard input, one a line (blank lines and lines starting with '#' are
skipped), and results are printed as they are found, in constant memory.

--format text prints a table (REPOSITORY, RULES, SIGNING PROFILES); --format json prints JSON
Lines, one object per name in input order:

  {"repositoryName":"prod/api","signingProfileArns":["arn:aws:signer:..."]}
  {"repositoryName":"Prod/API","error":"repository name \"Prod/API\" is invalid: ..."}

FILE holds a signing configuration in any format validate reads, or is a CDK app or cdk.out
directory; FILE#NAME chooses one of several configurations in a CloudFormation template, CDK
app or Terraform output. A template is evaluated as CloudFormation would: --parameter,
--parameters-file, --region and --account-id give the values it leaves to deployment, and
a value or condition that stays unknown is refused with what supplies it.

A .tf file or a directory of them is a Terraform module, with --var and --var-file. The
project file (.ecrsign.yaml, the nearest above FILE, or --config-file) gives region,
registry-id, account-id, parameters and vars too, as it does to validate; flags win.

Exit status: 0 when every name is a valid repository name, 1 when one is not, 2 for usage
errors, unreadable files and configurations the ECR API would reject.

Example:

  ecrsign match --config examples/signing/api-request.json prod/api dev/web team/release
  ecrsign match --config examples/signing/api-request.json --format json - < examples/inventory.txt
`

func runMatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newSigningCommand("match", matchHelp, "output `format`: text or json (JSON Lines)", stdout, stderr)
	fs, format, configFile := cmd.fs, cmd.format, cmd.configFile
	names, code, ok := cmd.parse(args, `no repository names given (name them, or "-" to read them from standard input)`)
	if !ok {
		return code
	}
	fromStdin := len(names) == 1 && names[0] == "-"
	for _, n := range names {
		if n == "-" && !fromStdin {
			return fs.usageError(`"-" reads the names from standard input and cannot be mixed with names`)
		}
	}
	if fromStdin && *configFile == "-" {
		return fs.usageError("the configuration and the names cannot both come from standard input")
	}
	_, m, err := loadSigning(*configFile, stdin, cmd.inputs)
	if err != nil {
		return fs.report(err)
	}

	out := newMatchWriter(stdout, *format == "json", m)
	status := exitOK
	emit := func(name string, nameErr error) error {
		if nameErr == nil {
			nameErr = rules.ValidateRepositoryName(name)
		}
		if nameErr != nil {
			status = exitFound
		}
		return out.write(name, nameErr)
	}
	if !fromStdin {
		for _, n := range names {
			if err := emit(n, nil); err != nil {
				fs.errorf("%v", err)
				return exitUsage
			}
		}
		if err := out.flush(); err != nil {
			fs.errorf("%v", err)
			return exitUsage
		}
		return status
	}
	err = eachLine(stdin, func(line []byte, tooLong bool) error {
		if tooLong {
			return emit(abbreviate(string(line)), fmt.Errorf("line is longer than %d bytes; a repository name has at most %d characters", maxLine, rules.MaxRepositoryNameLength))
		}
		return emit(string(line), nil)
	}, out.idle)
	if err == nil {
		err = out.flush()
	}
	if err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	return status
}

// maxLine bounds a line of a list of names: a repository name has at most 256 characters.
const maxLine = 4096

// eachLine calls fn with each name line of r (trimmed; blank lines and '#' comments skipped)
// in constant memory. A line longer than maxLine is passed truncated, with tooLong set.
// idle is called whenever no more input is buffered, before a read that may block, so that
// interactive use sees results at once while bulk input is written in blocks.
func eachLine(r io.Reader, fn func(line []byte, tooLong bool) error, idle func() error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		if br.Buffered() == 0 && idle != nil {
			if err := idle(); err != nil {
				return err
			}
		}
		line, err := br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxLine {
			tooLong = true
			line = append([]byte(nil), line[:min(len(line), 64)]...)
			for errors.Is(err, bufio.ErrBufferFull) { // discard the rest of the line
				_, err = br.ReadSlice('\n')
			}
		}
		if err != nil && err != io.EOF {
			return err
		}
		if t := bytes.TrimSpace(line); tooLong || len(t) > 0 && t[0] != '#' {
			if ferr := fn(t, tooLong); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// abbreviate shortens a long string for a message.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// matchWriter prints the results of match as a table or JSON Lines. The table is aligned
// over each block of lines written between flushes.
type matchWriter struct {
	json bool
	m    *match.Matcher
	bw   *bufio.Writer
	tw   *tabwriter.Writer
	rows int
	arns []string
}

func newMatchWriter(w io.Writer, asJSON bool, m *match.Matcher) *matchWriter {
	mw := &matchWriter{json: asJSON, m: m, bw: bufio.NewWriterSize(w, 64<<10), arns: make([]string, 0, 4)}
	if !asJSON {
		mw.tw = tabwriter.NewWriter(mw.bw, 0, 8, 2, ' ', 0)
		fmt.Fprintln(mw.tw, "REPOSITORY\tRULES\tSIGNING PROFILES")
	}
	return mw
}

// matchResult and matchError are the JSON Lines objects of match.
type matchResult struct {
	RepositoryName     string   `json:"repositoryName"`
	SigningProfileArns []string `json:"signingProfileArns"` // [] rather than null
}

type matchError struct {
	RepositoryName string `json:"repositoryName"`
	Error          string `json:"error"`
}

func (mw *matchWriter) write(name string, nameErr error) error {
	mw.arns = mw.arns[:0]
	var res match.Result
	if nameErr == nil {
		res = mw.m.Match(name)
		for p := range res.Profiles() {
			mw.arns = append(mw.arns, p)
		}
	}
	if mw.json {
		var line any = matchResult{name, mw.arns}
		if nameErr != nil {
			line = matchError{name, nameErr.Error()}
		}
		b, err := json.Marshal(line)
		if err != nil {
			return err
		}
		mw.bw.Write(b)
		return mw.bw.WriteByte('\n')
	}
	mw.rows++
	switch {
	case nameErr != nil:
		fmt.Fprintf(mw.tw, "%s\t-\terror: %v\n", name, nameErr)
	case len(mw.arns) == 0:
		fmt.Fprintf(mw.tw, "%s\t-\t(none: pushes are not signed)\n", name)
	default:
		var rs []string
		for r := range res.Rules() {
			rs = append(rs, fmt.Sprint(r))
		}
		fmt.Fprintf(mw.tw, "%s\t%s\t%s\n", name, strings.Join(rs, ","), strings.Join(mw.arns, " "))
	}
	if mw.rows >= 1024 {
		return mw.flush()
	}
	return nil
}

// idle writes what is buffered, once a row is: the header waits for the first block so that
// it is aligned with it.
func (mw *matchWriter) idle() error {
	if mw.tw != nil && mw.rows == 0 {
		return nil
	}
	return mw.flush()
}

// flush writes what is buffered.
func (mw *matchWriter) flush() error {
	if mw.tw != nil {
		if err := mw.tw.Flush(); err != nil {
			return err
		}
		mw.rows = 0
	}
	return mw.bw.Flush()
}
