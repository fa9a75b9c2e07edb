package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// SigningChange is one repository whose signing profiles differ between two configurations.
type SigningChange struct {
	Repository string `json:"repository"`
	// Line is the 1-based line of the inventory the name was read from.
	Line   int      `json:"line"`
	Gained []string `json:"gained,omitempty"` // profiles that sign its pushes only under the proposal
	Lost   []string `json:"lost,omitempty"`   // profiles that sign its pushes only today
}

// SigningImpactSummary counts what a configuration change does to an inventory.
type SigningImpactSummary struct {
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

// SigningImpact compares the signing profiles that current and proposed apply to each repository
// name of inventory (one name per line; blank lines and lines starting with '#' are skipped)
// and calls each, when not nil, for every repository that gains or loses a profile, in
// inventory order. Memory does not grow with the inventory. A nil configuration means none
// (nothing is signed). A configuration the API would reject is a ValidationException; an error
// from each stops the analysis and is returned.
//
// Both configurations are compiled into one matcher, so that each name is matched once.
func SigningImpact(current, proposed *rules.SigningConfiguration, inventory io.Reader, each func(SigningChange) error) (*SigningImpactSummary, error) {
	for _, cfg := range []*rules.SigningConfiguration{current, proposed} {
		if vs := rules.CheckSigning(cfg); cfg != nil && len(vs) > 0 {
			return nil, &ecrapi.Error{Code: ecrapi.ValidationException, Message: rules.FormatViolations("signingConfiguration", vs)}
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
	c := setComparison[string]{matcher: m, split: split, ruleItems: make([]uint64, len(both.Rules))}
	for i, r := range both.Rules {
		p := slices.Index(c.items, r.SigningProfileArn)
		if p < 0 {
			p = len(c.items)
			c.items = append(c.items, r.SigningProfileArn)
		}
		c.ruleItems[i] = 1 << p
	}
	var changed func(line int, name string, gained, lost []string) error
	if each != nil {
		changed = func(line int, name string, gained, lost []string) error {
			return each(SigningChange{Repository: name, Line: line, Gained: gained, Lost: lost})
		}
	}
	counts, inv, err := c.run(inventory, changed)
	sum := &SigningImpactSummary{
		Repositories: inv.valid, Changed: counts.changed,
		SignedBefore: counts.before, SignedAfter: counts.after,
		Gained: map[string]int{}, Lost: map[string]int{},
		Invalid: inv.invalid, InvalidExamples: inv.examples,
	}
	if err != nil {
		return sum, err
	}
	for i, p := range c.items {
		if counts.gained[i] > 0 {
			sum.Gained[p] = counts.gained[i]
		}
		if counts.lost[i] > 0 {
			sum.Lost[p] = counts.lost[i]
		}
	}
	return sum, nil
}

// setComparison compares, for each repository name, the set of items (signing profiles,
// replication destinations) that two configurations give it. One matcher holds the rules of
// both: rules below split are the current configuration's, the others the proposal's, and
// ruleItems[r] has bit i set when rule r gives items[i] (so at most 64 items).
type setComparison[T any] struct {
	matcher   *match.Matcher
	split     int
	ruleItems []uint64
	items     []T
}

// setCounts is what a setComparison counted over the valid names of an inventory.
type setCounts struct {
	before, after int   // names given at least one item, today and under the proposal
	changed       int   // names whose set of items changes
	gained, lost  []int // per item, the names that gain or lose it
}

// run matches every valid name of inventory once and counts the changes. For each name whose
// set changes it calls changed, when not nil, with the items gained and lost in the order of
// items; an error from changed stops the run and is returned.
func (c *setComparison[T]) run(inventory io.Reader, changed func(line int, name string, gained, lost []T) error) (setCounts, inventoryCounts, error) {
	counts := setCounts{gained: make([]int, len(c.items)), lost: make([]int, len(c.items))}
	inv, err := scanInventory(inventory, func(line int, name string) error {
		var before, after uint64
		for r := range c.matcher.Match(name).Rules() {
			if r < c.split {
				before |= c.ruleItems[r]
			} else {
				after |= c.ruleItems[r]
			}
		}
		if before != 0 {
			counts.before++
		}
		if after != 0 {
			counts.after++
		}
		if before == after {
			return nil
		}
		counts.changed++
		var gained, lost []T // nil when empty, allocated once otherwise
		if n := bits.OnesCount64(after &^ before); n > 0 && changed != nil {
			gained = make([]T, 0, n)
		}
		if n := bits.OnesCount64(before &^ after); n > 0 && changed != nil {
			lost = make([]T, 0, n)
		}
		for i := range c.items {
			bit := uint64(1) << i
			switch {
			case after&bit != 0 && before&bit == 0:
				counts.gained[i]++
				if changed != nil {
					gained = append(gained, c.items[i])
				}
			case before&bit != 0 && after&bit == 0:
				counts.lost[i]++
				if changed != nil {
					lost = append(lost, c.items[i])
				}
			}
		}
		if changed != nil {
			return changed(line, name, gained, lost)
		}
		return nil
	})
	return counts, inv, err
}

// inventoryCounts is what scanInventory counted: valid names, and invalid lines with the
// first few as examples.
type inventoryCounts struct {
	valid    int
	invalid  int
	examples []string
}

// scanInventory reads an inventory of repository names, one a line, in constant memory: it
// skips blank lines and lines starting with '#' (after trimming spaces), counts the lines
// that are not valid repository names, and calls fn with every valid name and its 1-based
// line. An error from fn stops the scan and is returned as is; a line longer than
// maxInventoryLine, or a read error, is an error naming the line. The counts are those of
// the lines read until then.
func scanInventory(inventory io.Reader, fn func(line int, name string) error) (inventoryCounts, error) {
	var n inventoryCounts
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
			n.invalid++
			if len(n.examples) < maxInvalidShown {
				n.examples = append(n.examples, fmt.Sprintf("line %d: %s: %v", line, name, rules.ValidateRepositoryName(name)))
			}
			continue
		}
		n.valid++
		if err := fn(line, name); err != nil {
			return n, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, fmt.Errorf("inventory line %d: longer than %d bytes; an inventory holds one repository name per line", line+1, maxInventoryLine)
		}
		return n, fmt.Errorf("inventory line %d: %w", line+1, err)
	}
	return n, nil
}
