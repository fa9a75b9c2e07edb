package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
)

// The JUnit XML that CI systems read (Jenkins, GitLab, Azure Pipelines, CircleCI): one test
// suite per input, one test case per finding. A finding that fails the run (an error, or a
// warning with --strict) is a failure; a suppressed one is skipped, with the reason; the
// others pass and carry their text as output. An input without findings is one passing test
// case, and one that could not be read is an error, so the report lists everything checked.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit prints a report as JUnit XML, a suite per input in file-name order.
func writeJUnit(w io.Writer, r *report) error {
	byFile := map[string][]junitCase{}
	var files []string
	add := func(file string, c junitCase) {
		if _, seen := byFile[file]; !seen {
			files = append(files, file)
		}
		byFile[file] = append(byFile[file], c)
	}
	for _, f := range r.findings {
		file := displayFile(f.File)
		c := junitCase{Classname: file, Name: fmt.Sprintf("%s %s:%d:%d", f.Code, file, f.Line, f.Column)}
		switch {
		case f.Suppressed:
			reason := "suppressed"
			if f.Suppression != nil && f.Suppression.Reason != "" {
				reason += ": " + f.Suppression.Reason
			}
			c.Skipped = &junitSkipped{Message: reason}
		case r.failing(f):
			c.Failure = &junitProblem{Message: f.Text(), Type: string(f.Code), Text: f.String()}
		default:
			c.SystemOut = f.String()
		}
		add(file, c)
	}
	for _, name := range r.files {
		if file := displayFile(name); byFile[file] == nil {
			add(file, junitCase{Classname: file, Name: "validate " + file})
		}
	}
	for _, u := range r.unreadable {
		file := displayFile(u.file)
		add(file, junitCase{Classname: file, Name: "read " + file,
			Error: &junitProblem{Message: "input could not be read", Type: "unreadable", Text: u.err.Error()}})
	}
	slices.Sort(files)
	out := junitSuites{Name: "ecrsign validate"}
	for _, file := range files {
		s := junitSuite{Name: file, Cases: byFile[file]}
		for _, c := range s.Cases {
			s.Tests++
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// displayFile names an input as findings do: "-" for standard input.
func displayFile(file string) string {
	if file == "" {
		return "-"
	}
	return file
}
