package match

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/rules"
)

const arnA = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/a"
const arnB = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/b"

func signing(rs ...[]string) *rules.SigningConfiguration {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	for i, fs := range rs {
		r := rules.SigningRule{SigningProfileArn: fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", i)}
		if fs != nil {
			r.RepositoryFilters = []rules.SigningRepositoryFilter{}
		}
		for _, f := range fs {
			r.RepositoryFilters = append(r.RepositoryFilters, rules.SigningRepositoryFilter{Filter: f, FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	return cfg
}

// ruleFilter projects causes on their rule and filter indexes.
func ruleFilter(cs []Cause) []Cause {
	var out []Cause
	for _, c := range cs {
		out = append(out, Cause{Rule: c.Rule, Filter: c.Filter})
	}
	return out
}

func mustCompile(t testing.TB, cfg *rules.SigningConfiguration) *Matcher {
	t.Helper()
	m, err := Compile(cfg)
	require.NoError(t, err)
	return m
}

func applies(m *Matcher, name string) []int { return slices.Collect(m.Match(name).Rules()) }

// TestFilterSemantics covers every index of the engine and the known traps, one filter per case.
func TestFilterSemantics(t *testing.T) {
	tests := []struct {
		filter string
		index  string
		match  []string
		reject []string
	}{
		{"team/api", "exact", []string{"team/api"}, []string{"team/ap", "team/api2", "team/apii", "xteam/api", ""}},
		{"ab", "exact", []string{"ab"}, []string{"a", "abc", "b"}},
		{"team/*", "prefix", []string{"team/", "team/api", "team/a/b/c"}, []string{"team", "tea", "teams/a", "x/team/a"}},
		{"a*ant", "suffix", []string{"aant", "abcant", "antant"}, []string{"ant", "a", "aan", "ants"}},
		{"start*art", "prefix", []string{"startart", "start-art", "startxxart"}, []string{"start", "starta", "startar", "art"}},
		{"org/*/svc-*", "middle", []string{"org/x/svc-a", "org//svc-", "org/a/b/svc-c/d"}, []string{"org/svc-a", "org/x/svc", "org/x/svcz-a"}},
		{"team/*x*", "prefix", []string{"team/x", "team/axb"}, []string{"team/", "team", "x/team/x"}},
		{"ab*cdef*g", "middle", []string{"abcdefg", "abxcdefxg"}, []string{"cdefg", "abcdef", "abcdefgx", "abgcdef"}},
		{"*x*prod-eu*y", "middle", []string{"xprod-euy"}, []string{"prod-euxy", "xprod-eu", "xprod-eyu"}},
		{"a*b*c", "prefix", []string{"abc", "axbxc", "abbc", "acbc"}, []string{"ac", "acb", "abcd", "bc"}},
		{"*/prod", "suffix", []string{"/prod", "team/prod", "a/b/prod"}, []string{"prod", "team/prod2", "team/production"}},
		{"*a*prod", "suffix", []string{"aprod", "xaxprod"}, []string{"prod", "xprod", "aprodx"}},
		{"*prod", "suffix", []string{"prod", "xprod"}, []string{"pro", "prodx"}},
		{"*prod*", "middle", []string{"prod", "a-prod-b", "xprod", "prodx"}, []string{"pro", "p-rod", ""}},
		{"*a*b*c*", "middle", []string{"abc", "xaxbxcx", "aabbcc"}, []string{"acb", "cba", "ab", "bc"}},
		{"*ab*ab*", "middle", []string{"abab", "xabyabz"}, []string{"ab", "aba", "aabb"}},
		{"*aa*a*", "middle", []string{"aaa", "aabaa"}, []string{"aa", "aba"}},
		{"*", "any", []string{"", "a", "team/api"}, nil},
		{"**", "any", []string{"", "x/y"}, nil},
		{"a**b", "prefix", []string{"ab", "axb"}, []string{"a", "b", "ba"}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			m := mustCompile(t, signing([]string{tc.filter}))
			for _, name := range tc.match {
				assert.True(t, m.Match(name).Has(0), "%q should match %q", tc.filter, name)
				e := m.Explain(name).Rules[0]
				assert.True(t, e.Applies)
				assert.Equal(t, tc.index, e.Index)
			}
			for _, name := range tc.reject {
				assert.False(t, m.Match(name).Has(0), "%q should not match %q", tc.filter, name)
				e := m.Explain(name).Rules[0]
				assert.False(t, e.Applies)
				assert.Equal(t, 0, e.Closest)
				assert.NotEmpty(t, e.Mismatch.Reason)
			}
		})
	}
}

func TestRules(t *testing.T) {
	cfg := signing(
		[]string{"team/*", "*/prod"}, // 0
		nil,                          // 1: every repository
		[]string{"*prod*"},           // 2
		[]string{"team/api"},         // 3
	)
	cfg.Rules[2].SigningProfileArn = cfg.Rules[0].SigningProfileArn
	m := mustCompile(t, cfg)
	assert.Equal(t, 4, m.NumRules())
	assert.Len(t, m.Profiles(), 3)

	r := m.Match("team/prod")
	assert.Equal(t, []int{0, 1, 2}, slices.Collect(r.Rules()))
	assert.Equal(t, 3, r.Len())
	assert.Equal(t, []string{cfg.Rules[0].SigningProfileArn, cfg.Rules[1].SigningProfileArn}, slices.Collect(r.Profiles()))
	assert.False(t, r.Has(3))
	assert.False(t, r.Has(-1))
	assert.False(t, r.Has(5000))
	assert.Equal(t, []int{0, 1, 3}, applies(m, "team/api"))
	assert.Equal(t, []int{1}, applies(m, "other"))

	var zero Result
	assert.Equal(t, 0, zero.Len())
	assert.Empty(t, slices.Collect(zero.Profiles()))
}

func TestEmptyFilterListAppliesToNothing(t *testing.T) {
	m := mustCompile(t, signing([]string{}))
	assert.False(t, m.Match("anything").Has(0))
	assert.Empty(t, m.AppendCauses(nil, "anything"))
}

func TestReplicationPrefix(t *testing.T) {
	cfg := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		{RepositoryFilters: []rules.RepositoryFilter{{Filter: "team", FilterType: rules.PrefixMatch}, {Filter: "a*b", FilterType: rules.PrefixMatch}}},
		{},
		{RepositoryFilters: []rules.RepositoryFilter{{Filter: "team/api", FilterType: rules.PrefixMatch}}},
	}}
	m, err := CompileReplication(cfg)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2}, applies(m, "team/api-x"))
	assert.Equal(t, []int{0, 1}, applies(m, "teams"))
	assert.Equal(t, []int{1}, applies(m, "tea"))
	assert.Equal(t, []int{0, 1}, applies(m, "a*bc"), "'*' is literal in PREFIX_MATCH")
	assert.Equal(t, []int{1}, applies(m, "axb"))
	assert.Equal(t, []Cause{{Rule: 0, Filter: 1, FilterText: "a*b", ProfileIndex: -1}, {Rule: 1, Filter: -1, ProfileIndex: -1}},
		m.AppendCauses(nil, "a*bc"), "replication rules have no profile")
	assert.Equal(t, []Cause{{Rule: 0, Filter: 0}, {Rule: 1, Filter: -1}, {Rule: 2, Filter: 0}}, ruleFilter(m.AppendCauses(nil, "team/api-x")))
	assert.Empty(t, slices.Collect(m.Match("team").Profiles()))
	e := m.Explain("team")
	assert.Equal(t, "prefix", e.Rules[0].Index)
}

func TestBudget(t *testing.T) {
	cfg := signing([]string{"a*", "b*", "c*"})
	_, err := Compile(cfg, WithBudget(Budget{MaxFilters: 2}))
	assert.True(t, errors.Is(err, ErrBudget), "%v", err)
	_, err = Compile(cfg, WithBudget(Budget{MaxFilterLength: 1}))
	assert.True(t, errors.Is(err, ErrBudget), "%v", err)
	_, err = Compile(signing(nil, nil), WithBudget(Budget{MaxRules: 1}))
	assert.True(t, errors.Is(err, ErrBudget), "%v", err)
	_, err = Compile(signing([]string{"*abc*", "*abd*"}), WithBudget(Budget{MaxAutomatonCells: 8}))
	assert.True(t, errors.Is(err, ErrBudget), "%v", err)
	assert.Equal(t, rules.CodeCompileBudget, rules.CodeOf(err), "a budget error carries its finding code")
	_, err = Compile(nil)
	assert.Error(t, err)
	assert.Equal(t, rules.Code(""), rules.CodeOf(err), "only budget errors carry ECR406")
}

// TestAdversarialLinear feeds patterns that make backtracking exponential; the test finishing
// at all is the point (a backtracking engine takes hours).
func TestAdversarialLinear(t *testing.T) {
	var fs []string
	for k := 1; k <= 40; k++ {
		fs = append(fs, strings.Repeat("*a", k)+"*b", strings.Repeat("*a", k)+"*", strings.Repeat("a*", k)+"b*")
	}
	m := mustCompile(t, signing(fs))
	name := strings.Repeat("a", 256)
	r := m.Match(name)
	assert.True(t, r.Has(0))
	e := m.Explain(name + "c")
	assert.True(t, e.Rules[0].Applies)
	assert.Equal(t, 1, e.Rules[0].Filter) // "*a*" is the first that matches
}

func TestManyRules(t *testing.T) {
	for _, n := range []int{63, 64, 65, MaxInlineRules, MaxInlineRules + 1, 3000} {
		fs := make([][]string, n)
		for i := range fs {
			fs[i] = []string{fmt.Sprintf("r%d/*", i), "*shared*"}
		}
		m := mustCompile(t, signing(fs...))
		r := m.Match(fmt.Sprintf("r%d/x", n-1))
		assert.Equal(t, []int{n - 1}, slices.Collect(r.Rules()))
		assert.Equal(t, n, m.Match("a-shared-b").Len())
		assert.Len(t, slices.Collect(m.Match("shared").Profiles()), n)
	}
}

// TestMatchDoesNotAllocate holds Match, and ranging over its Rules and Profiles, to zero
// allocations for API-sized configurations and for 1,000 rules of 100 filters (there one
// 16 KiB block per 128 calls, which AllocsPerRun's average of 600 calls rounds to zero), and
// AppendCauses too (its bit set pooled beyond MaxInlineFilters filters).
func TestMatchDoesNotAllocate(t *testing.T) {
	for _, nr := range []int{10, 1000} {
		fs := make([][]string, nr)
		for i := range fs {
			for j := range 100 {
				switch j % 5 {
				case 0:
					fs[i] = append(fs[i], fmt.Sprintf("t%d/s%d-*", i, j))
				case 1:
					fs[i] = append(fs[i], fmt.Sprintf("*/p%d-%d", i, j))
				case 2:
					fs[i] = append(fs[i], fmt.Sprintf("*x%d*y%d*", i, j))
				case 3:
					fs[i] = append(fs[i], fmt.Sprintf("org/t%d/s%d", i, j))
				default:
					fs[i] = append(fs[i], fmt.Sprintf("org/*/s%d-*-%d", j, i))
				}
			}
		}
		m := mustCompile(t, signing(fs...))
		names := []string{"t3/s0-api", "a/b/p3-1", "zzx3-y2-y7", "org/t3/s3", "org/foo/s4-bar-3", "nothing/here"}
		count := 0
		allocs := testing.AllocsPerRun(100, func() {
			for _, n := range names {
				res := m.Match(n)
				for range res.Rules() {
					count++
				}
				for range res.Profiles() {
					count++
				}
			}
		})
		assert.NotZero(t, count)
		var buf [16]Cause
		causeAllocs := testing.AllocsPerRun(100, func() {
			for _, n := range names {
				count += len(m.AppendCauses(buf[:0], n))
			}
		})
		if !raceEnabled { // beyond MaxInlineFilters, the pooled bit set once the pool is warm
			assert.Zero(t, causeAllocs, "%d rules", nr)
		}
		if !raceEnabled {
			assert.Zero(t, allocs, "%d rules", nr)
		}
		assert.True(t, m.Match("t3/s0-api").Has(3))
		assert.True(t, m.Match("zzx3-y2-y7").Has(3))
	}
}

// randomFilter draws a filter from a tiny alphabet so that matches, near misses and overlaps
// between prefix, suffix and middles are frequent.
func randomFilter(r *rand.Rand, alphabet string) string {
	n := 1 + r.IntN(7)
	b := make([]byte, n)
	for i := range b {
		if r.IntN(3) == 0 {
			b[i] = '*'
		} else {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
	}
	return string(b)
}

func randomName(r *rand.Rand, alphabet string, max int) string {
	b := make([]byte, r.IntN(max+1))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// TestDifferentialGreedy compares the compiled engine with internal/glob, filter by filter, over
// generated configurations and names, and checks that Explain and AppendCauses agree with it.
func TestDifferentialGreedy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 7))
	const alphabet = "ab/-"
	for iter := 0; iter < 300; iter++ {
		nr := 1 + r.IntN(12)
		fs := make([][]string, nr)
		for i := range fs {
			if r.IntN(15) == 0 {
				continue // no filters
			}
			fs[i] = []string{}
			for range 1 + r.IntN(20) {
				fs[i] = append(fs[i], randomFilter(r, alphabet))
			}
		}
		m := mustCompile(t, signing(fs...))
		for range 200 {
			name := randomName(r, alphabet, 12)
			res := m.Match(name)
			ex := m.Explain(name)
			var causes []Cause
			for i, rfs := range fs {
				want := rfs == nil
				first := -1
				for j, f := range rfs {
					if glob.Match(f, name) {
						want = true
						if first < 0 {
							first = j
						}
					}
				}
				if res.Has(i) != want {
					t.Fatalf("rule %d %q on %q: compiled %v, greedy %v", i, rfs, name, res.Has(i), want)
				}
				require.Equal(t, want, ex.Rules[i].Applies)
				require.Equal(t, first, ex.Rules[i].Filter)
				if !want && len(rfs) > 0 {
					// the closest filter, measured filter by filter without the memo or
					// floors Explain uses: the most literal bytes, the first on ties
					lo, best := m.rules[i].filters.lo, 0
					bestA := m.eng.Pattern(lo).Agree(name)
					for k := 1; k < len(rfs); k++ {
						if a := m.eng.Pattern(lo + k).Agree(name); a.Literal > bestA.Literal {
							best, bestA = k, a
						}
					}
					require.Equal(t, best, ex.Rules[i].Closest, "rule %d %q on %q", i, rfs, name)
					require.Equal(t, Agreement(bestA), ex.Rules[i].Mismatch.Agreement, "rule %d %q on %q", i, rfs, name)
				}
				if want {
					causes = append(causes, Cause{Rule: i, Filter: first})
				}
			}
			require.Equal(t, causes, ruleFilter(m.AppendCauses(nil, name)), "causes of %q", name)
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	// beyond MaxInlineRules and MaxInlineFilters, with a pooled automaton scratch; the first
	// AppendCauses calls race to build the filter index
	fs := make([][]string, 1100)
	for i := range fs {
		fs[i] = []string{fmt.Sprintf("*m%d*", i), fmt.Sprintf("p%d/*", i), fmt.Sprintf("*/s%d", i)}
	}
	m := mustCompile(t, signing(fs...))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2000 {
				i := (g*2000 + k) % len(fs)
				name := fmt.Sprintf("x-m%d-y", i)
				res := m.Match(name)
				if !res.Has(i) {
					t.Errorf("%q: rule %d missing", name, i)
					return
				}
				cs := m.AppendCauses(nil, name)
				if !slices.ContainsFunc(cs, func(c Cause) bool { return c.Rule == i && c.Filter == 0 }) || len(cs) != res.Len() {
					t.Errorf("%q: causes %v for %d rules", name, cs, res.Len())
					return
				}
				_ = m.Match(fmt.Sprintf("p%d/z/s%d", i, i)).Len()
			}
		}()
	}
	wg.Wait()
}

func TestString(t *testing.T) {
	m := mustCompile(t, signing([]string{"a/*", "*/b", "*c*", "d", "*"}))
	s := m.String()
	assert.Contains(t, s, "5 distinct patterns")
	assert.Contains(t, s, "exact 1 prefix 1 suffix 1 middle 1 any 1")
	assert.Positive(t, m.Bytes())
}

// TestBytesCountsTheFilterIndex: the index AppendCauses builds is part of the matcher's
// memory once it exists.
func TestBytesCountsTheFilterIndex(t *testing.T) {
	m := mustCompile(t, signing([]string{"team/*", "*/prod", "*api*", "exact"}, []string{"org/*/svc-*"}))
	before := m.Bytes()
	assert.Equal(t, []Cause{{Rule: 0, Filter: 0}}, ruleFilter(m.AppendCauses(nil, "team/x")))
	assert.Greater(t, m.Bytes(), before)
}

// TestCauses: a cause carries the filter's text and the rule's profile, by index among the
// distinct profiles and by ARN; a rule without filters has filter -1 and no text.
func TestCauses(t *testing.T) {
	f := func(s string) []rules.SigningRepositoryFilter {
		return []rules.SigningRepositoryFilter{{Filter: "x/*", FilterType: rules.WildcardMatch}, {Filter: s, FilterType: rules.WildcardMatch}}
	}
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: arnA, RepositoryFilters: f("team/*")}, {SigningProfileArn: arnB}, {SigningProfileArn: arnA, RepositoryFilters: f("*/api")},
	}}
	m, err := Compile(cfg)
	require.NoError(t, err)
	assert.Equal(t, []Cause{
		{Rule: 0, Filter: 1, FilterText: "team/*", ProfileIndex: 0, Profile: arnA},
		{Rule: 1, Filter: -1, ProfileIndex: 1, Profile: arnB},
		{Rule: 2, Filter: 1, FilterText: "*/api", ProfileIndex: 0, Profile: arnA},
	}, m.AppendCauses(nil, "team/api"))
	assert.Equal(t, []string{arnA, arnB}, m.Profiles())
	for _, name := range []string{"team/api", "x/y", "other"} {
		for _, c := range m.AppendCauses(nil, name) {
			assert.Equal(t, m.matchingFilter(name, c.Rule), c.Filter, "%s rule %d", name, c.Rule)
		}
	}
}

// TestExplainClosest: the closest filter of a rule that does not apply is the one agreeing
// with the name in the most literal bytes, read from the start or the end.
func TestExplainClosest(t *testing.T) {
	tests := []struct {
		filters   []string
		name      string
		closest   int
		agreement Agreement
		says      string
	}{
		{[]string{"prod/*", "*/release"}, "team/releases", 1,
			Agreement{Literal: 8, Agreed: 12, Found: "s"},
			`the filter matches the name's first 12 bytes and ends; the name goes on with "s"`},
		{[]string{"dev/*", "*-prod"}, "dev-prod/x", 1,
			Agreement{Literal: 5, Agreed: 8, Found: "/"},
			`the filter matches the name's first 8 bytes and ends; the name goes on with "/"`},
		{[]string{"dev/*", "*-prod"}, "dev-pr", 0,
			Agreement{Literal: 3, Agreed: 3, Expected: "/", Found: "-"},
			`name agrees with the prefix "dev/" for 3 bytes only`},
		{[]string{"team/*", "*/api-prod"}, "web/api-dev", 1,
			Agreement{Literal: 5, Agreed: 8, Expected: "prod", Found: "d"},
			`name does not end with "/api-prod" (last 0 bytes agree)`},
		{[]string{"a*", "*xyz"}, "qqqyz", 1,
			Agreement{Literal: 2, FromEnd: true, Agreed: 2, Expected: "x", Found: "q"},
			`name does not end with "xyz" (last 2 bytes agree)`},
	}
	for _, tc := range tests {
		m, err := Compile(signing(tc.filters))
		require.NoError(t, err)
		r := m.Explain(tc.name).Rules[0]
		assert.False(t, r.Applies)
		assert.Equal(t, tc.closest, r.Closest, "%v on %q", tc.filters, tc.name)
		assert.Equal(t, tc.agreement, r.Mismatch.Agreement, "%v on %q", tc.filters, tc.name)
		assert.Equal(t, tc.says, r.Mismatch.String())
	}
}

// TestResultsBeyondInlineAreTheirOwn keeps many Results of a matcher beyond MaxInlineRules,
// taken concurrently across several of its blocks, and checks that each still holds its own
// answer: the words handed out by takeWords are never shared.
func TestResultsBeyondInlineAreTheirOwn(t *testing.T) {
	const n = 200
	fs := make([][]string, n)
	for i := range fs {
		fs[i] = []string{fmt.Sprintf("r%d/*", i)}
	}
	m := mustCompile(t, signing(fs...))
	const perG, gs = 3000, 4
	kept := make([][]Result, gs)
	var wg sync.WaitGroup
	for g := range gs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perG {
				kept[g] = append(kept[g], m.Match(fmt.Sprintf("r%d/x", (g*perG+k)%n)))
			}
		}()
	}
	wg.Wait()
	for g := range gs {
		for k, r := range kept[g] {
			want := (g*perG + k) % n
			if got := slices.Collect(r.Rules()); len(got) != 1 || got[0] != want {
				t.Fatalf("goroutine %d, result %d: rules %v, want [%d]", g, k, got, want)
			}
		}
	}
}

// TestCausesBeyondMaxRulesFilters checks AppendCauses on more filters than DefaultMaxRules
// (its filter index has one "rule" per filter) against each rule's filters scanned in order.
func TestCausesBeyondMaxRulesFilters(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles 70,000 filters twice")
	}
	const nr, nf = 700, 100
	fs := make([][]string, nr)
	for i := range fs {
		for j := range nf {
			switch j % 4 {
			case 0:
				fs[i] = append(fs[i], fmt.Sprintf("t%d/s%d-*", i%50, j))
			case 1:
				fs[i] = append(fs[i], fmt.Sprintf("*/p%d-%d", i, j))
			case 2:
				fs[i] = append(fs[i], fmt.Sprintf("*x%d*y%d*", i%30, j))
			default:
				fs[i] = append(fs[i], fmt.Sprintf("org/t%d/s%d", i, j))
			}
		}
	}
	m := mustCompile(t, signing(fs...))
	require.NotNil(t, m.filterEngine(), "the filter index of %d filters must build", nr*nf)
	for _, name := range []string{"t3/s0-api", "t7/s4-x", "a/b/p3-1", "zzx3-y2-y6", "org/t3/s3", "nothing/here"} {
		var want []Cause
		for r := range m.Match(name).Rules() {
			want = m.appendCause(want, r, m.matchingFilter(name, r))
		}
		assert.Equal(t, want, m.AppendCauses(nil, name), name)
	}
}
