package fuzz

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	gobwas "github.com/gobwas/glob"

	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// signingConfig reads one rule per line and filters separated by spaces; a line "-" is a rule
// without filters.
func signingConfig(spec string) *rules.SigningConfiguration {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	for i, line := range strings.Split(spec, "\n") {
		r := rules.SigningRule{SigningProfileArn: fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", i%3)}
		if line != "-" {
			r.RepositoryFilters = []rules.SigningRepositoryFilter{}
			for _, f := range strings.Split(line, " ") {
				r.RepositoryFilters = append(r.RepositoryFilters, rules.SigningRepositoryFilter{Filter: f, FilterType: rules.WildcardMatch})
			}
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	return cfg
}

// The oracles: regexp (on valid UTF-8), gobwas/glob (where it applies) and the reference
// greedy matcher internal/glob (on any bytes), each filter on its own, never the compiled form.

// regexpOracle is the filter as a regular expression: quoted literals joined by `.*`, anchored.
func regexpOracle(filter string) *regexp.Regexp {
	parts := strings.Split(filter, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`)
}

// gobwasOracle compiles the filter with gobwas/glob v1.1.0, its literal parts quoted, when
// that library reads it as this project does (valid UTF-8 and no NUL, which its lexer reads as
// the end of the pattern) and cannot blow up on it (it backtracks exponentially on many
// stars); nil otherwise.
func gobwasOracle(filter, name string) *gobwas.Pattern {
	if !utf8.ValidString(filter) || !utf8.ValidString(name) || strings.Contains(filter, "\x00") || strings.Count(filter, "*") > 6 || len(name) > 64 {
		return nil
	}
	parts := strings.Split(filter, "*")
	for i, p := range parts {
		parts[i] = gobwas.QuoteMeta(p)
	}
	g, err := gobwas.Compile(strings.Join(parts, "*"))
	if err != nil {
		return nil
	}
	return g
}

// budgets are the matcher's configurations that FuzzMatch checks: the automaton as shipped
// (which checks configurations of at most three patterns directly), the automaton walked
// whatever the configuration's size, the index engine alone (the automaton's fallback), and an
// automaton whose budget is so small that names leave it part-way and the index engine
// finishes them.
var budgets = []struct {
	name   string
	budget match.Budget
}{
	{"automaton", match.Budget{}},
	{"automaton-no-direct", match.Budget{MaxDirectPatterns: -1}},
	{"indexes", match.Budget{MaxDFABytes: -1}},
	{"tiny-budget", match.Budget{MaxDFABytes: 2048}},
}

func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"team/*", "team/api"},
		{"a*ant", "ant"},
		{"start*art", "start"},
		{"*a*a*a*b\n*prod*", "aaaaaaaaaaaa"},
		{"org/*/svc-* exact\n-\n*/prod", "org/x/svc-y"},
		{"*ab*ab* *aba*", "abab"},
		{"* ** a**b", ""},
		// one seed per corpus shape of the benchmarks: realistic mix, long names,
		// star-heavy, exact-heavy, prefix/suffix-heavy, tiny, adversarial
		{"payments/* */prod *api* org/*/svc-api-* web/frontend *web*api*prod*\nml/* */dev", "org/ml/svc-api-v1"},
		{"*/api.prod_* ml/*\n*sync*", "ml/api.prod_web/sync.dev_ads/cache.qa_maps/parser.canary_sre/bridge.perf_docs"},
		{"*api*prod* *web*api* *cache*\n*ml*dev* *x*", "web/api-prod-cache-worker-cron-sync"},
		{"ml/api web/frontend-prod data/db-migrator\nads/*", "web/frontend-prod"},
		{"ml/* ml/api-* */prod *-dev ml/*-prod", "ml/api-prod"},
		{"payments/*", "payments/api"},
		{"*a*a*a*a*b a*a*b*a *aa*a*aaab*", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, spec, name string) {
		cfg := signingConfig(spec)
		for _, b := range budgets {
			m, err := match.Compile(cfg, match.WithBudget(b.budget))
			if err != nil {
				if errors.Is(err, match.ErrBudget) {
					return
				}
				t.Fatal(err)
			}
			// a prefix of the name first, so that the automaton has states built before
			// the name is matched
			m.Match(name[:len(name)/2])
			checkMatcher(t, b.name, cfg, m, name)
		}
	})
}

// checkMatcher checks Match, Explain and AppendCauses of m on name against the oracles.
func checkMatcher(t *testing.T, engine string, cfg *rules.SigningConfiguration, m *match.Matcher, name string) {
	t.Helper()
	res := m.Match(name)
	ex := m.Explain(name)
	causes := m.AppendCauses(nil, name)
	n := 0
	for i, r := range cfg.Rules {
		want := r.RepositoryFilters == nil
		first := -1
		for j, fl := range r.RepositoryFilters {
			ok := glob.Match(fl.Filter, name)
			if utf8.ValidString(fl.Filter) && utf8.ValidString(name) {
				// regexp reads runes; on valid UTF-8 a literal can only occur at rune
				// boundaries, so rune and byte semantics agree
				if re := regexpOracle(fl.Filter).MatchString(name); re != ok {
					t.Fatalf("regexp oracle and internal/glob disagree on %q against %q", fl.Filter, name)
				}
			}
			if g := gobwasOracle(fl.Filter, name); g != nil && g.Match(name) != ok {
				t.Fatalf("oracles disagree on %q against %q: regexp %v", fl.Filter, name, ok)
			}
			if ok && first < 0 {
				first = j
			}
			want = want || ok
		}
		if res.Has(i) != want {
			t.Fatalf("%s: rule %d %v on %q: Match says %v, oracle %v", engine, i, r.RepositoryFilters, name, res.Has(i), want)
		}
		if ex.Rules[i].Applies != want || r.RepositoryFilters != nil && ex.Rules[i].Filter != first {
			t.Fatalf("rule %d on %q: Explain %+v, oracle applies %v first %d", i, name, ex.Rules[i], want, first)
		}
		if want {
			if n >= len(causes) || causes[n].Rule != i || causes[n].Filter != first ||
				first >= 0 && causes[n].FilterText != r.RepositoryFilters[first].Filter || causes[n].Profile != r.SigningProfileArn {
				t.Fatalf("rule %d on %q: causes %v, oracle first filter %d", i, name, causes, first)
			}
			n++
		}
	}
	if len(causes) != n {
		t.Fatalf("causes %v, want %d", causes, n)
	}
	if res.Len() != n {
		t.Fatalf("Len %d, want %d", res.Len(), n)
	}
	profiles := slices.Collect(res.Profiles())
	if len(slices.Compact(slices.Clone(profiles))) != len(profiles) || len(profiles) > n {
		t.Fatalf("profiles %q", profiles)
	}
}

// FuzzCompile reads arbitrary bytes as a configuration (rules per line, filters per space, any
// bytes in filters) and small budgets; Compile must never panic, either refuse with ErrBudget
// or build a matcher within the budget, whose Match, Explain and Analyze behave.
func FuzzCompile(f *testing.F) {
	f.Add([]byte("team/*\n*/prod *prod*\n-"), uint16(0), uint16(0))
	f.Add([]byte("*a*b*c* *b*c*d*\n*x*"), uint16(3), uint16(20))
	f.Add([]byte("a\nab ab\n\xff*\x00"), uint16(1), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, maxFilters, maxCells uint16) {
		cfg := signingConfig(string(data))
		// maxCells also sets the matching automaton's state budget (16 bytes a cell), so
		// that small budgets send names to the index engine part-way
		budget := match.Budget{MaxFilters: int(maxFilters), MaxAutomatonCells: int(maxCells), MaxDFABytes: 16 * int(maxCells), MaxFilterLength: 512}
		m, err := match.Compile(cfg, match.WithBudget(budget))
		total := 0
		for _, r := range cfg.Rules {
			total += len(r.RepositoryFilters)
		}
		if err != nil {
			if !errors.Is(err, match.ErrBudget) {
				t.Fatalf("error not wrapping ErrBudget: %v", err)
			}
			return
		}
		if maxFilters > 0 && total > int(maxFilters) {
			t.Fatalf("%d filters compiled with a budget of %d", total, maxFilters)
		}
		if m.NumRules() != len(cfg.Rules) {
			t.Fatalf("NumRules %d, want %d", m.NumRules(), len(cfg.Rules))
		}
		for _, name := range []string{"", string(data), "team/prod", strings.Repeat("a", 300)} {
			res := m.Match(name)
			ex := m.Explain(name)
			for i := range cfg.Rules {
				if ex.Rules[i].Applies != res.Has(i) {
					t.Fatalf("Explain and Match disagree on rule %d for %q", i, name)
				}
			}
		}
		for _, fd := range m.Analyze(match.WithAnalysisBudget(5000)) {
			if fd.Code == "" || fd.Message == "" {
				t.Fatalf("empty finding %+v", fd)
			}
		}
	})
}
