package bench

import (
	"math/rand/v2"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gobwas "github.com/gobwas/glob"

	iengine "github.com/ecrsign/ecrsign/internal/engine"
	"github.com/ecrsign/ecrsign/internal/glob"
	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
)

// An engine answers, for one name, a bit set of the rules that apply.
type engine struct {
	name  string
	build func(c corpus) func(name string, bits []uint64)
}

// compiled is the matcher under a budget, as an engine.
func compiled(b match.Budget) func(c corpus) func(string, []uint64) {
	return func(c corpus) func(string, []uint64) {
		m, err := match.Compile(c.cfg, match.WithBudget(b))
		if err != nil {
			panic(err)
		}
		return func(name string, bits []uint64) {
			for r := range m.Match(name).Rules() {
				bits[r/64] |= 1 << (r % 64)
			}
		}
	}
}

// The engines: "automaton" is match.Compile as shipped; "indexes" is the same matcher with its
// automaton turned off (the engine before the automaton, and its fallback); the rest are
// baselines, each filter on its own.
var engines = []engine{
	{"automaton", compiled(match.Budget{})},
	{"indexes", compiled(match.Budget{MaxDFABytes: -1})},
	{"naive", func(c corpus) func(string, []uint64) {
		rs := make([][]glob.Pattern, len(c.cfg.Rules))
		for i, r := range c.cfg.Rules {
			for _, f := range r.RepositoryFilters {
				rs[i] = append(rs[i], glob.Parse(f.Filter))
			}
		}
		return func(name string, bits []uint64) {
			for i, ps := range rs {
				for _, p := range ps {
					if p.Match(name) {
						bits[i/64] |= 1 << (i % 64)
						break
					}
				}
			}
		}
	}},
	{"gobwas", func(c corpus) func(string, []uint64) {
		rs := make([][]*gobwas.Pattern, len(c.cfg.Rules))
		for i, r := range c.cfg.Rules {
			for _, f := range r.RepositoryFilters {
				rs[i] = append(rs[i], gobwas.MustCompile(gobwasFilter(f.Filter)))
			}
		}
		return func(name string, bits []uint64) {
			for i, gs := range rs {
				for _, g := range gs {
					if g.Match(name) {
						bits[i/64] |= 1 << (i % 64)
						break
					}
				}
			}
		}
	}},
	{"regexp", func(c corpus) func(string, []uint64) {
		rs := make([]*regexp.Regexp, len(c.cfg.Rules))
		for i, r := range c.cfg.Rules {
			alts := make([]string, len(r.RepositoryFilters))
			for j, f := range r.RepositoryFilters {
				alts[j] = globRegexp(f.Filter)
			}
			rs[i] = regexp.MustCompile(`(?s)^(?:` + strings.Join(alts, "|") + `)$`)
		}
		return func(name string, bits []uint64) {
			for i, re := range rs {
				if re.MatchString(name) {
					bits[i/64] |= 1 << (i % 64)
				}
			}
		}
	}},
}

// checkedOnly are engines that TestEnginesAgree checks but the benchmarks do not time: the
// automaton with a budget so small that names leave it part-way and the index engine
// finishes them, and the automaton walked even where the configuration is small enough for
// the direct path (the tiny corpora).
var checkedOnly = []engine{
	{"automaton-tiny-budget", compiled(match.Budget{MaxDFABytes: 4096})},
	{"automaton-no-direct", compiled(match.Budget{MaxDirectPatterns: -1})},
}

// gobwasFilter spells a filter for gobwas/glob: the literal parts quoted, joined by `*`.
func gobwasFilter(filter string) string {
	parts := strings.Split(filter, "*")
	for i, p := range parts {
		parts[i] = gobwas.QuoteMeta(p)
	}
	return strings.Join(parts, "*")
}

// globRegexp translates a filter: quoted literals joined by `.*`.
func globRegexp(filter string) string {
	parts := strings.Split(filter, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, ".*")
}

// TestEnginesAgree checks that every engine gives the same answer on every name of every
// corpus, so the benchmarks compare equal work.
func TestEnginesAgree(t *testing.T) {
	all := append(slices.Clone(engines), checkedOnly...)
	for _, c := range corpora() {
		if (testing.Short() || raceEnabled) && c.name == "org-100k" {
			continue // compiling 100,000 filters for five engines under the race detector takes minutes
		}
		names := c.names
		if c.name == "org-100k" {
			names = names[:2000]
		}
		fns := make([]func(string, []uint64), len(all))
		for i, e := range all {
			// On org-100k, building regexp and gobwas matchers for 100,000 filters takes most
			// of a minute, and under the race detector they take minutes on every corpus:
			// there, the matcher's engines and naive still meet on every name (.ci/run also
			// runs this test without -race).
			slow := (c.name == "org-100k" || raceEnabled) && (e.name == "gobwas" || e.name == "regexp")
			if skipEngine(c, e) == "" && !slow {
				fns[i] = e.build(c)
			}
		}
		words := (len(c.cfg.Rules) + 63) / 64
		for k, name := range names {
			want := make([]uint64, words)
			fns[0](name, want)
			for i, fn := range fns[1:] {
				if fn == nil || all[i+1].name == "regexp" && k >= regexpNames {
					continue
				}
				got := make([]uint64, words)
				fn(name, got)
				if !slices.Equal(got, want) {
					t.Fatalf("%s: %q: %s disagrees with %s", c.name, name, all[i+1].name, all[0].name)
				}
			}
		}
	}
}

// regexpNames is how many names of each corpus TestEnginesAgree gives the regexp engine: on the
// long and star-heavy corpora it takes seconds per thousand names.
const regexpNames = 500

// skipEngine says why an engine cannot run on a corpus at all, or "".
func skipEngine(c corpus, e engine) string {
	if c.name == "adversarial" && e.name == "gobwas" {
		// For example the corpus's filter of 134 bytes `*aa*a*aaaa*...*aaaab*` (37 middles)
		// against 256 `a`s did not return within 5 minutes.
		return "gobwas/glob backtracks exponentially on this corpus: one name does not finish in minutes"
	}
	return ""
}

var sink int

// BenchmarkMatch times one name (cycling through the corpus's names) answered as "which rules
// apply" by each engine, and "floor": a dependent walk of a 256-entry table over the same
// names, one load per byte, the least any byte-at-a-time automaton can cost.
func BenchmarkMatch(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			for _, mode := range []struct {
				name   string
				budget match.Budget
			}{{"automaton", match.Budget{}}, {"indexes", match.Budget{MaxDFABytes: -1}}} {
				b.Run(mode.name, func(b *testing.B) {
					m, _ := warmMatcher(b, c, mode.budget)
					timeMatch(b, m, c.names)
				})
			}
			// the shipped engine without match.Result: internal/engine's Match into a reused
			// bit set, as the baselines below write theirs (the Result's fixed cost is the
			// difference to "automaton")
			b.Run("engine", func(b *testing.B) {
				var fs []iengine.Filter
				for i, r := range c.cfg.Rules {
					for _, f := range r.RepositoryFilters {
						fs = append(fs, iengine.Filter{Pattern: glob.Parse(f.Filter), Rule: i})
					}
				}
				e, err := iengine.Compile(fs, len(c.cfg.Rules), iengine.Budget{})
				if err != nil {
					b.Fatal(err)
				}
				bits := make([]uint64, (len(c.cfg.Rules)+63)/64)
				for _, name := range c.names {
					e.Match(name, bits)
				}
				runtime.GC()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					clear(bits)
					e.Match(c.names[i%len(c.names)], bits)
				}
			})
			for _, e := range engines[2:] {
				b.Run(e.name, func(b *testing.B) {
					if why := skipEngine(c, e); why != "" {
						b.Skip(why)
					}
					if c.name == "org-100k" && e.name == "regexp" {
						b.Skip("compiling 1,000 alternations of 100 filters takes most of a minute on every run")
					}
					fn := e.build(c)
					bits := make([]uint64, (len(c.cfg.Rules)+63)/64)
					runtime.GC()
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						clear(bits)
						fn(c.names[i%len(c.names)], bits)
					}
				})
			}
			b.Run("floor", func(b *testing.B) {
				var table [256]uint8
				for i, v := range rand.New(rand.NewPCG(7, 7)).Perm(256) {
					table[i] = uint8(v)
				}
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					n += floorWalk(&table, c.names[i%len(c.names)])
				}
				sink = n
			})
		})
	}
}

// warmMatcher compiles the corpus under budget and matches every name once, so that the
// automaton's states the names reach exist (the steady state of a registry); it returns the
// matcher and the time that first pass took.
func warmMatcher(b *testing.B, c corpus, budget match.Budget) (*match.Matcher, time.Duration) {
	m, err := match.Compile(c.cfg, match.WithBudget(budget))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, name := range c.names {
		m.Match(name)
	}
	firstPass := time.Since(start)
	runtime.GC() // collect the corpus builders' garbage now, not while timing
	return m, firstPass
}

// timeMatch times m.Match over names, cycling through them: one op is one name.
func timeMatch(b *testing.B, m *match.Matcher, names []string) {
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += m.Match(names[i%len(names)]).Len()
	}
	sink = n
}

// floorWalk is the floor: one dependent load per byte of name from a 256-entry table.
//
//go:noinline
func floorWalk(table *[256]uint8, name string) int {
	s := uint8(0)
	for i := 0; i < len(name); i++ {
		s = table[s^name[i]]
	}
	return int(s)
}

// BenchmarkMatchCold times the first pass over a corpus's names on a fresh matcher: the
// automaton builds the states the names reach.
func BenchmarkMatchCold(b *testing.B) {
	for _, c := range corpora() {
		if c.name == "org-100k" {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := match.Compile(c.cfg)
				if err != nil {
					b.Fatal(err)
				}
				for _, name := range c.names {
					m.Match(name)
				}
			}
			b.ReportMetric(float64(len(c.names)), "names/op")
		})
	}
}

// BenchmarkCauses measures naming the cause (first matching filter) of every applying rule:
// "appendcauses" is Matcher.AppendCauses, one pass over a filter-level index; its baselines
// are the same with the automaton off ("appendcauses-indexes"), and "matchingfilter": Match
// followed by a linear scan of each applying rule's compiled filters in order (what the former
// Matcher.MatchingFilter did).
func BenchmarkCauses(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			m, err := match.Compile(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			var buf [64]match.Cause
			for _, name := range c.names { // build both automata's states before timing
				m.AppendCauses(buf[:0], name)
				m.Match(name)
			}
			b.Run("appendcauses", func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					n += len(m.AppendCauses(buf[:0], c.names[i%len(c.names)]))
				}
				sink = n
			})
			b.Run("appendcauses-indexes", func(b *testing.B) {
				m, err := match.Compile(c.cfg, match.WithBudget(match.Budget{MaxDFABytes: -1}))
				if err != nil {
					b.Fatal(err)
				}
				m.AppendCauses(buf[:0], "")
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					n += len(m.AppendCauses(buf[:0], c.names[i%len(c.names)]))
				}
				sink = n
			})
			b.Run("matchingfilter", func(b *testing.B) {
				rs := rulePatterns(c.cfg)
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					name := c.names[i%len(c.names)]
					for r := range m.Match(name).Rules() {
						for k := range rs[r] {
							if rs[r][k].Matches(name) {
								n += k
								break
							}
						}
					}
				}
				sink = n
			})
		})
	}
}

// BenchmarkExplain times Matcher.Explain: every rule's verdict, and for each rule that does
// not apply its closest filter.
func BenchmarkExplain(b *testing.B) {
	for _, c := range corpora() {
		if c.name == "org-100k" {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			m, err := match.Compile(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("explain", func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					n += len(m.Explain(c.names[i%len(c.names)]).Rules)
				}
				sink = n
			})
			// the baseline is Explain before this engine: Diagnose every filter of every
			// rule until one matches, keeping the highest score
			b.Run("diagnose-loop", func(b *testing.B) {
				rs := rulePatterns(c.cfg)
				b.ReportAllocs()
				n := 0
				for i := 0; b.Loop(); i++ {
					name := c.names[i%len(c.names)]
					out := make([]iengine.Diagnosis, 0, len(rs))
					for _, ps := range rs {
						var best iengine.Diagnosis
						for k := range ps {
							d := ps[k].Diagnose(name)
							if d.Failure == iengine.NoFailure {
								best = d
								break
							}
							if k == 0 || d.Score > best.Score {
								best = d
							}
						}
						out = append(out, best)
					}
					n += len(out)
				}
				sink = n
			})
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var m *match.Matcher
			for b.Loop() {
				var err error
				if m, err = match.Compile(c.cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(m.Bytes()), "matcher-bytes")
		})
	}
}

// BenchmarkCompileFirstMatch times Compile and the first Match, which builds the automaton's
// position trie (Compile leaves it to the first walk): the time until a matcher has answered.
func BenchmarkCompileFirstMatch(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				m, err := match.Compile(c.cfg)
				if err != nil {
					b.Fatal(err)
				}
				n += m.Match(c.names[0]).Len()
			}
			sink = n
		})
	}
}

// BenchmarkAnalyze measures the exact filter analysis under its default work budget.
func BenchmarkAnalyze(b *testing.B) {
	for _, c := range corpora() {
		b.Run(c.name, func(b *testing.B) {
			m, err := match.Compile(c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				n = len(m.Analyze())
			}
			b.ReportMetric(float64(n), "findings")
		})
	}
}

// rulePatterns compiles each rule's filters on their own, for the per-filter baselines.
func rulePatterns(cfg *rules.SigningConfiguration) [][]iengine.Pattern {
	rs := make([][]iengine.Pattern, len(cfg.Rules))
	for i, r := range cfg.Rules {
		for _, f := range r.RepositoryFilters {
			g := glob.Parse(f.Filter)
			rs[i] = append(rs[i], iengine.Pattern{Pattern: g, MinLen: g.MinLen()})
		}
	}
	return rs
}

// BenchmarkMatchBudget measures the automaton under state budgets around the default, on the
// shapes of at most 10 x 100 filters, beside dependent walks over tables of those sizes: the
// floor of a byte-at-a-time automaton whose states no longer fit in the first-level cache.
// It is the evidence for match.DefaultMaxDFABytes (bench/README.md).
func BenchmarkMatchBudget(b *testing.B) {
	budgets := []int{256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20}
	for _, c := range corpora() {
		if len(c.cfg.Rules) > 10 || c.name == "adversarial" || strings.HasPrefix(c.name, "tiny") {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			for _, budget := range budgets {
				b.Run("automaton/budget="+sizeName(budget), func(b *testing.B) {
					m, firstPass := warmMatcher(b, c, match.Budget{MaxDFABytes: budget})
					timeMatch(b, m, c.names)
					b.ReportMetric(float64(m.Bytes()), "matcher-bytes")
					b.ReportMetric(float64(firstPass.Nanoseconds())/float64(len(c.names)), "first-pass-ns/name")
				})
			}
		})
	}
	for _, c := range corpora() {
		if c.name != "ecr-max" && c.name != "long-names" {
			continue
		}
		for _, size := range budgets {
			b.Run(c.name+"/floor/table="+sizeName(size), func(b *testing.B) {
				table := make([]uint32, size/4)
				r := rand.New(rand.NewPCG(7, 7))
				for i := range table {
					table[i] = uint32(r.IntN(len(table)))
				}
				n := 0
				for i := 0; b.Loop(); i++ {
					n += floorWalkTable(table, c.names[i%len(c.names)])
				}
				sink = n
			})
		}
	}
}

// sizeName prints a byte count in KiB or MiB.
func sizeName(n int) string {
	if n >= 1<<20 {
		return strconv.Itoa(n>>20) + "MiB"
	}
	return strconv.Itoa(n>>10) + "KiB"
}

// floorWalkTable is floorWalk over a table of any power-of-two size whose entries point
// anywhere in it: each byte's load is dependent on the last and lands on a random line.
//
//go:noinline
func floorWalkTable(table []uint32, name string) int {
	mask := uint32(len(table) - 1)
	s := uint32(0)
	for i := 0; i < len(name); i++ {
		s = table[(s^uint32(name[i]))&mask]
	}
	return int(s)
}
