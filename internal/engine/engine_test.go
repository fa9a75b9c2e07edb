package engine

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ecrsign/ecrsign/internal/glob"
)

func compile(t *testing.T, filters ...string) *Engine {
	t.Helper()
	fs := make([]Filter, len(filters))
	for i, f := range filters {
		fs[i] = Filter{Pattern: glob.Parse(f), Rule: i}
	}
	e, err := Compile(fs, len(filters), Budget{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func rulesOf(e *Engine, name string) string {
	bits := make([]uint64, (e.numRules+63)/64+1)
	e.Match(name, bits)
	s := ""
	for r := range e.numRules {
		if has(bits, int32(r)) {
			s += fmt.Sprint(r)
		}
	}
	return s
}

var update = flag.Bool("update", false, "rewrite the golden files of TestString")

// TestString pins the printed compiled form of a few small configurations in
// testdata/*.golden (go test -run TestString -update rewrites them).
func TestString(t *testing.T) {
	tests := []struct {
		golden  string
		budget  Budget
		filters []string
	}{
		{"prefix-suffix", Budget{}, []string{"team/*", "*/prod"}},
		{"every-index", Budget{}, []string{"team/*", "team/*", "*/prod", "*prod*", "org/*/svc-*", "exact", "*", "*a*bc*"}},
		{"star-budget", Budget{MaxDFABytes: 1200, MaxDirectPatterns: -1}, []string{"*a*b*", "*b*a*", "*ab*"}},
		{"no-automaton", Budget{MaxDFABytes: -1}, []string{"a*", "*b"}},
	}
	for _, tc := range tests {
		fs := make([]Filter, len(tc.filters))
		for i, f := range tc.filters {
			fs[i] = Filter{Pattern: glob.Parse(f), Rule: i}
		}
		e, err := Compile(fs, len(fs), tc.budget)
		if err != nil {
			t.Fatal(err)
		}
		got := e.String()
		rulesOf(e, "team/prod") // matching builds states, which String must not show
		if again := e.String(); again != got {
			t.Errorf("%s: String changed after a match:\n%s\nthen\n%s", tc.golden, got, again)
		}
		path := filepath.Join("testdata", tc.golden+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s: String() =\n%s\nwant\n%s", tc.golden, got, want)
		}
	}
	if got := rulesOf(compile(t, "team/*", "team/*", "*/prod", "*prod*", "org/*/svc-*", "exact", "*", "*a*bc*"), "team/prod"); got != "01236" {
		t.Errorf("team/prod: rules %s", got)
	}
}

// TestExactSet puts many names with equal lengths, heads and tails in the open-addressing
// table, so that probes collide.
func TestExactSet(t *testing.T) {
	var fs []string
	for i := range 300 {
		fs = append(fs, fmt.Sprintf("prefix-%03d-suffix", i), fmt.Sprint(i))
	}
	e := compile(t, fs...)
	for i, f := range fs {
		if got := rulesOf(e, f); got != fmt.Sprint(i) {
			t.Fatalf("%q: rules %q, want %d", f, got, i)
		}
	}
	if got := rulesOf(e, "prefix-300-suffix"); got != "" {
		t.Fatalf("unexpected rules %s", got)
	}
}

func TestAutomatonBudget(t *testing.T) {
	fs := []Filter{{Pattern: glob.Parse("*abcdef*"), Rule: 0}, {Pattern: glob.Parse("*xyz*"), Rule: 0}}
	if _, err := Compile(fs, 1, Budget{MaxAutomatonCells: 30}); !errors.Is(err, ErrBudget) {
		t.Fatalf("err = %v, want ErrBudget", err)
	}
	if _, err := Compile(fs, 1, Budget{MaxAutomatonCells: 1 << 10}); err != nil {
		t.Fatal(err)
	}
}

func TestDiagnose(t *testing.T) {
	tests := []struct {
		filter, name string
		want         Diagnosis
	}{
		{"team/*", "team/x", Diagnosis{Score: 5}},
		{"team/*", "tex", Diagnosis{Failure: FailPrefix, Matched: 2, Segment: "team/", Score: 2}},
		{"*/prod", "a/pro", Diagnosis{Failure: FailSuffix, Matched: 0, Segment: "/prod", Score: 0}},
		{"start*art", "start", Diagnosis{Failure: FailTooShort, Matched: 5, Score: 8}},
		{"a*b*c", "axc", Diagnosis{Failure: FailMiddle, Matched: 1, Segment: "b", Score: 2}},
		{"abc", "abd", Diagnosis{Failure: FailExact, Matched: 2, Segment: "abc", Score: 2}},
	}
	for _, tc := range tests {
		p := Pattern{Pattern: glob.Parse(tc.filter)}
		p.MinLen = p.Pattern.MinLen()
		if got := p.Diagnose(tc.name); got != tc.want {
			t.Errorf("%q on %q: %+v, want %+v", tc.filter, tc.name, got, tc.want)
		}
		if p.Matches(tc.name) != (tc.want.Failure == NoFailure) {
			t.Errorf("%q on %q: Matches disagrees with Diagnose", tc.filter, tc.name)
		}
	}
}

// TestTrieWalks puts prefixes and suffixes that share long chains (compressed into one edge),
// end inside each other, and are both sure and verified, then checks every name over a small
// alphabet up to length 7 against the filters one by one. Rules own one filter each or share
// them (so walks stop early once their rules apply), with at most 64 rules (bit masks) and
// more (the general path).
func TestTrieWalks(t *testing.T) {
	filters := []string{
		"abcab*", "abc*", "ab*", "abcabc*", "abca*b", "abc*ca", "ab*a*c",
		"*cabc", "*bc", "*abcabc", "*b*bc", "a*cbc", "*cba", "c*a*bca",
		"abcb", "*", "*bb*", "a*b*c*a", "bcabcab*", "bcabcc*",
	}
	alphabet := "abc"
	var names []string
	var gen func(string)
	gen = func(s string) {
		names = append(names, s)
		if len(s) < 7 {
			for i := range len(alphabet) {
				gen(s + alphabet[i:i+1])
			}
		}
	}
	gen("")
	tests := []struct {
		rule     func(filter int) int
		numRules int
	}{
		{func(i int) int { return i }, len(filters)},
		{func(i int) int { return i % 3 }, 3},
		{func(i int) int { return 60 + i }, 60 + len(filters)},
		{func(i int) int { return 63 + i%3 }, 66},
	}
	// the automaton as shipped, the indexes alone, and an automaton whose budget sends most
	// names to the indexes part-way
	budgets := []Budget{{}, {MaxDFABytes: -1}, {MaxDFABytes: 3000}}
	for k, tc := range tests {
		fs := make([]Filter, len(filters))
		for i, f := range filters {
			fs[i] = Filter{Pattern: glob.Parse(f), Rule: tc.rule(i)}
		}
		budget := budgets[k%len(budgets)]
		e, err := Compile(fs, tc.numRules, budget)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstGlob(t, e, filters, tc.rule, tc.numRules, names)
		for _, b := range budgets {
			e, err := Compile(fs, tc.numRules, b)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstGlob(t, e, filters, tc.rule, tc.numRules, names)
		}
		e.indexes()
		if e.prefix.size <= len(e.prefix.nodes) || e.suffix.size <= len(e.suffix.nodes) {
			t.Fatalf("tries not compressed: prefix %d of %d nodes, suffix %d of %d",
				len(e.prefix.nodes), e.prefix.size, len(e.suffix.nodes), e.suffix.size)
		}
	}
}

// TestDirect: configurations of at most Budget.MaxDirectPatterns patterns are answered by
// checking each pattern (matchDirect); on every pair and triple of the filters of
// TestTrieWalks, over every name of a small alphabet up to length 6, the direct path, the
// automaton and the indexes agree with the filters one by one.
func TestDirect(t *testing.T) {
	filters := []string{"abcab*", "abc*", "*bc", "*b*bc", "a*cbc", "abcb", "*", "*bb*", "a*b*c*a", "ab*a*c"}
	var names []string
	var gen func(string)
	gen = func(s string) {
		names = append(names, s)
		if len(s) < 6 {
			for _, c := range "abc" {
				gen(s + string(c))
			}
		}
	}
	gen("")
	for i := range filters {
		for j := i; j < len(filters); j++ {
			for k := j; k < len(filters); k += 3 {
				set := []string{filters[i], filters[j], filters[k]}
				for _, numRules := range []int{2, 70} {
					rule := func(f int) int { return f % 2 * (numRules - 1) }
					fs := make([]Filter, len(set))
					for f, s := range set {
						fs[f] = Filter{Pattern: glob.Parse(s), Rule: rule(f)}
					}
					for _, b := range []Budget{{}, {MaxDirectPatterns: -1}, {MaxDFABytes: -1}} {
						e, err := Compile(fs, numRules, b)
						if err != nil {
							t.Fatal(err)
						}
						if want := b.MaxDirectPatterns == 0 && b.MaxDFABytes == 0; e.direct != want {
							t.Fatalf("%v budget %+v: direct %v", set, b, e.direct)
						}
						checkAgainstGlob(t, e, set, rule, numRules, names)
					}
				}
			}
		}
	}
}

// checkAgainstGlob checks the rules e gives every name against the filters one by one.
func checkAgainstGlob(t *testing.T, e *Engine, filters []string, rule func(int) int, numRules int, names []string) {
	t.Helper()
	for _, name := range names {
		bits := make([]uint64, (numRules+63)/64)
		e.Match(name, bits)
		want := make([]bool, numRules)
		for i, f := range filters {
			want[rule(i)] = want[rule(i)] || glob.Parse(f).Match(name)
		}
		for r, w := range want {
			if has(bits, int32(r)) != w {
				t.Fatalf("%d rules, budget %+v: rule %d on %q: got %v, want %v", numRules, e.budget, r, name, !w, w)
			}
		}
	}
}

// TestExplosion compiles filters whose automaton has 2^20 states (`*a*b*` over distinct byte
// pairs: a state records which first literals occurred): the automaton stops at its budget,
// the memory stays within it, and the indexes answer the rest, agreeing with the filters.
func TestExplosion(t *testing.T) {
	const pairs = 20
	var filters []string
	for i := range pairs {
		filters = append(filters, fmt.Sprintf("*%c*%c*", 'A'+i, 'a'+i))
	}
	fs := make([]Filter, len(filters))
	for i, f := range filters {
		fs[i] = Filter{Pattern: glob.Parse(f), Rule: i}
	}
	const budget = 1 << 16
	e, err := Compile(fs, len(fs), Budget{MaxDFABytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 2000)
	for i := range names {
		b := make([]byte, 256)
		for j := range b {
			k := r.IntN(pairs)
			b[j] = byte('A' + k + r.IntN(2)*('a'-'A'))
		}
		names[i] = string(b)
	}
	checkAgainstGlob(t, e, filters, func(i int) int { return i }, len(filters), names)
	if !e.automaton().full {
		t.Fatal("the automaton did not reach its budget")
	}
	if e.automaton().bytes > budget {
		t.Fatalf("automaton states hold %d bytes, budget %d", e.automaton().bytes, budget)
	}
	d := e.automaton()
	if tab := 4*len(d.cur.Load().trans) + 2*len(d.cur.Load().cells) + 2*cap(d.draft); tab > budget+4*d.stride {
		t.Fatalf("automaton table holds %d bytes, budget %d", tab, budget)
	}
}

// TestTrieEarlyStop: a walk stops only once every rule its node and subtree can add applies;
// here the middle index sets rule 1 first, and the node of `ab` must still add rule 0.
func TestTrieEarlyStop(t *testing.T) {
	fs := []Filter{
		{Pattern: glob.Parse("ab*"), Rule: 0},
		{Pattern: glob.Parse("abx*"), Rule: 1},
		{Pattern: glob.Parse("*x*"), Rule: 1},
		{Pattern: glob.Parse("*yab"), Rule: 2},
		{Pattern: glob.Parse("*ab"), Rule: 3},
		{Pattern: glob.Parse("*y*"), Rule: 2},
	}
	e, err := Compile(fs, 4, Budget{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"abx": "01", "yab": "23", "abxyab": "0123", "ab": "03"} {
		if got := rulesOf(e, name); got != want {
			t.Errorf("%q: rules %s, want %s", name, got, want)
		}
	}
}

// TestColdRegime: once the automaton is saturated and most names leave it, Match sends names
// to the index engine directly (its score passes coldScore), still agreeing with the filters;
// when the names come back to the states it holds, the automaton answers them all again.
func TestColdRegime(t *testing.T) {
	filters := []string{"team/*", "*/prod", "*a*b*", "*svc-*-api", "exact/name"}
	fs := make([]Filter, len(filters))
	for i, f := range filters {
		fs[i] = Filter{Pattern: glob.Parse(f), Rule: i}
	}
	e, err := Compile(fs, len(fs), Budget{MaxDFABytes: 4608})
	if err != nil {
		t.Fatal(err)
	}
	hot := []string{"team/x", "a/prod", "exact/name", "ab"}
	checkAgainstGlob(t, e, filters, func(i int) int { return i }, len(filters), hot)
	r := rand.New(rand.NewPCG(3, 4))
	cold := make([]string, 4*coldScore/probeEvery+1000)
	for i := range cold {
		b := make([]byte, 8+r.IntN(40))
		for j := range b {
			b[j] = "abtem/prodsvc-ix"[r.IntN(16)]
		}
		cold[i] = string(b)
	}
	checkAgainstGlob(t, e, filters, func(i int) int { return i }, len(filters), cold)
	if !e.automaton().saturated.Load() || e.automaton().score.Load() < coldScore-probeEvery {
		t.Fatalf("distinct names left the automaton, yet saturated %v, score %d (cold beyond %d)",
			e.automaton().saturated.Load(), e.automaton().score.Load(), coldScore)
	}
	// cold: a name that would leave the automaton goes straight to the indexes, the automaton untried (no fallback counted)
	leaving := ""
	for _, name := range cold {
		if !e.automaton().match(name, make([]uint64, 1)) {
			leaving = name
			break
		}
	}
	if leaving == "" {
		t.Fatal("no name leaves the saturated automaton")
	}
	e.automaton().score.Store(coldScore + 10)
	checkAgainstGlob(t, e, filters, func(i int) int { return i }, len(filters), []string{leaving})
	if s := e.automaton().score.Load(); s != coldScore+9 {
		t.Fatalf("cold automaton: score %d after one name, want %d", s, coldScore+9)
	}
	for range 2 * coldScore {
		checkAgainstGlob(t, e, filters, func(i int) int { return i }, len(filters), hot)
	}
	if s := e.automaton().score.Load(); s != 0 {
		t.Fatalf("names the automaton holds came back, yet its score is %d, not 0", s)
	}
}

// TestConcurrentNarrow matches from several goroutines at once on engines of at most 64
// rules (the narrow table), while their states, cells and published copies are being built,
// and under a budget small enough that names leave the automaton: every answer agrees with
// the filters (run it with -race).
func TestConcurrentNarrow(t *testing.T) {
	filters := []string{"team/*", "*/prod", "*a*b*", "*svc-*-api", "exact/name", "*-x", "t*m/*/p*", "*b*a*"}
	fs := make([]Filter, len(filters))
	globs := make([]glob.Pattern, len(filters))
	for i, f := range filters {
		fs[i] = Filter{Pattern: glob.Parse(f), Rule: i}
		globs[i] = glob.Parse(f)
	}
	for _, budget := range []int{0, 1 << 13} {
		e, err := Compile(fs, len(fs), Budget{MaxDFABytes: budget})
		if err != nil {
			t.Fatal(err)
		}
		if !e.automaton().narrow {
			t.Fatalf("budget %d: the automaton's table is not narrow", budget)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), uint64(budget)))
				for range 3000 {
					b := make([]byte, r.IntN(30))
					for j := range b {
						b[j] = "abtem/prodsvc-ix"[r.IntN(16)]
					}
					name := string(b)
					bits := make([]uint64, 1)
					e.Match(name, bits)
					if r.IntN(64) == 0 {
						if err := checkNarrowCopy(e.automaton()); err != nil {
							t.Errorf("budget %d: %v", budget, err)
							return
						}
					}
					for i, p := range globs {
						if has(bits, int32(i)) != p.Match(name) {
							t.Errorf("budget %d: rule %d on %q: got %v", budget, i, name, !p.Match(name))
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		if err := checkNarrowCopy(e.automaton()); err != nil {
			t.Errorf("budget %d: %v", budget, err)
		}
		if d := e.automaton(); budget > 0 && !d.full {
			t.Errorf("budget %d: %d states, the budget not reached", budget, d.nstates)
		}
	}
}

// checkNarrowCopy checks what matchNarrow's address arithmetic relies on, in the copy of the
// narrow table published now: whole rows, and every class cell either a mark or the offset of
// a row inside the copy.
func checkNarrowCopy(d *dfa) error {
	t := d.cur.Load()
	if len(t.cells)%d.stride != 0 || d.stride%narrowUnit != 0 {
		return fmt.Errorf("a copy of %d cells is not whole rows of %d", len(t.cells), d.stride)
	}
	if int(t.start)*narrowUnit+d.stride > len(t.cells) {
		return fmt.Errorf("the start cell %d is beyond the copy's %d cells", t.start, len(t.cells))
	}
	for row := 0; row < len(t.cells); row += d.stride {
		for c, v := range t.cells[row : row+d.classes] {
			switch {
			case v == narrowSettled || v == narrowFallback || v == narrowUnknown:
			case v >= narrowLive:
				return fmt.Errorf("row %d, class %d: %#x is no mark", row, c, v)
			case int(v)*narrowUnit%d.stride != 0 || int(v)*narrowUnit+d.stride > len(t.cells):
				return fmt.Errorf("row %d, class %d: %d units is not a row of the copy's %d cells", row, c, v, len(t.cells))
			}
		}
	}
	return nil
}
