package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// Change is one repository whose signing profiles differ between two configurations.
type Change struct {
	Repository string `json:"repository"`
	// Line is the 1-based line of the inventory the name was read from.
	Line   int      `json:"line"`
	Gained []string `json:"gained,omitempty"` // profiles that sign its pushes only under the proposal
	Lost   []string `json:"lost,omitempty"`   // profiles that sign its pushes only today
}

// ImpactSummary counts what a configuration change does to an inventory.
type ImpactSummary struct {
	Repositories int `json:"repositories"` // valid names read
	Changed      int `json:"changed"`      // repositories whose profiles change
	// Signed is how many repositories at least one profile signs, today and under the
	// proposal.
	SignedBefore int `json:"signedBefore"`
	SignedAfter  int `json:"signedAfter"`
	// Gained and Lost count, per profile ARN, the repositories that gain or lose it.
	Gained map[string]int `json:"gained"`
	Lost   map[string]int `json:"lost"`
	// Invalid counts lines that are not valid repository names; InvalidExamples shows the
	// first few ("line 7: Team/App: ...").
	Invalid         int      `json:"invalid"`
	InvalidExamples []string `json:"invalidExamples,omitempty"`
}

// Limits of impact analysis.
const (
	// maxInventoryLine bounds one inventory line; a repository name has at most 256
	// characters, so a longer line is not an inventory.
	maxInventoryLine = 4096
	maxInvalidShown  = 5
)

// Impact compares the signing profiles that current and proposed apply to each repository
// name of inventory (one name per line; blank lines and lines starting with '#' are skipped)
// and calls each, when not nil, for every repository that gains or loses a profile, in
// inventory order. Memory does not grow with the inventory. A nil configuration means none
// (nothing is signed). A configuration the API would reject is a ValidationException; an error
// from each stops the analysis and is returned.
//
// Both configurations are compiled into one matcher, so that each name is matched once.
func Impact(current, proposed *rules.SigningConfiguration, inventory io.Reader, each func(Change) error) (*ImpactSummary, error) {
	for _, cfg := range []*rules.SigningConfiguration{current, proposed} {
		if vs := rules.CheckSigning(cfg); cfg != nil && len(vs) > 0 {
			return nil, &ValidationException{Message: rules.FormatViolations("signingConfiguration", vs)}
		}
	}
	both := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	if current != nil {
		both.Rules = append(both.Rules, current.Rules...)
	}
	split := len(both.Rules) // rules before split are current's, the others proposed's
	if proposed != nil {
		both.Rules = append(both.Rules, proposed.Rules...)
	}
	m, err := match.Compile(both)
	if err != nil {
		return nil, err
	}
	// Each rule sets the bit of its profile; at most 2 x 10 rules, so at most 20 profiles.
	var names []string
	ruleBit := make([]uint64, len(both.Rules))
	for i, r := range both.Rules {
		p := slices.Index(names, r.SigningProfileArn)
		if p < 0 {
			p = len(names)
			names = append(names, r.SigningProfileArn)
		}
		ruleBit[i] = 1 << p
	}
	sum := &ImpactSummary{Gained: map[string]int{}, Lost: map[string]int{}}
	gained := make([]int, len(names))
	lost := make([]int, len(names))
	sc := bufio.NewScanner(inventory)
	sc.Buffer(make([]byte, 0, 512), maxInventoryLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		name := string(b)
		if vs := rules.CheckRepositoryName(name); len(vs) > 0 {
			sum.Invalid++
			if len(sum.InvalidExamples) < maxInvalidShown {
				sum.InvalidExamples = append(sum.InvalidExamples, fmt.Sprintf("line %d: %s: %v", line, name, rules.ValidateRepositoryName(name)))
			}
			continue
		}
		sum.Repositories++
		var b0, a0 uint64
		res := m.Match(name)
		for r := range res.Rules() {
			if r < split {
				b0 |= ruleBit[r]
			} else {
				a0 |= ruleBit[r]
			}
		}
		if b0 != 0 {
			sum.SignedBefore++
		}
		if a0 != 0 {
			sum.SignedAfter++
		}
		if b0 == a0 {
			continue
		}
		sum.Changed++
		c := Change{Repository: name, Line: line}
		for i := range names {
			bit := uint64(1) << i
			switch {
			case a0&bit != 0 && b0&bit == 0:
				gained[i]++
				if each != nil {
					c.Gained = append(c.Gained, names[i])
				}
			case b0&bit != 0 && a0&bit == 0:
				lost[i]++
				if each != nil {
					c.Lost = append(c.Lost, names[i])
				}
			}
		}
		if each != nil {
			if err := each(c); err != nil {
				return sum, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return sum, fmt.Errorf("inventory line %d: longer than %d bytes; an inventory holds one repository name per line", line+1, maxInventoryLine)
		}
		return sum, fmt.Errorf("inventory line %d: %w", line+1, err)
	}
	for i, n := range names {
		if gained[i] > 0 {
			sum.Gained[n] = gained[i]
		}
		if lost[i] > 0 {
			sum.Lost[n] = lost[i]
		}
	}
	return sum, nil
}
