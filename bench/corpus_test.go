package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ecrsign/ecrsign/rules"
)

// A corpus is a configuration and the repository names matched against it, generated
// deterministically from a fixed seed so that every run and every commit measures the same work.
type corpus struct {
	name  string
	cfg   *rules.SigningConfiguration
	names []string
}

var (
	teams    = strings.Fields("payments web data ml platform infra mobile search ads auth billing checkout identity catalog media analytics security sre core edge growth ledger risk fraud support docs build release observability storage network compute messaging notifications maps video audio games labs partner")
	services = strings.Fields("api worker frontend gateway db-migrator scheduler indexer cache proxy ingest exporter collector agent controller operator webhook cron batch stream sync bridge router auth-service user-service order-service cart inventory pricing recommender ranker crawler parser renderer thumbnailer transcoder uploader downloader notifier mailer sms push reporter dashboard admin console cli sdk")
	envs     = strings.Fields("prod staging dev qa canary sandbox perf")
)

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

// repositoryName draws a realistic repository name (`org/team/service`, `team/service-env`, ...),
// 2..256 bytes.
func repositoryName(r *rand.Rand) string {
	var s string
	switch r.IntN(64) / 8 {
	case 0:
		s = pick(r, services)
	case 1, 2:
		s = pick(r, teams) + "/" + pick(r, services)
	case 3:
		s = "org/" + pick(r, teams) + "/" + pick(r, services)
	case 4:
		s = pick(r, teams) + "/" + pick(r, services) + "-" + pick(r, envs)
	case 5:
		s = pick(r, teams) + "/" + pick(r, services) + "/" + pick(r, envs)
	case 6:
		s = fmt.Sprintf("org/%s/svc-%s-v%d", pick(r, teams), pick(r, services), r.IntN(5))
	case 7: // deep or long names, up to the 256-byte limit: one name in 64
		if r.IntN(8) != 0 {
			s = pick(r, teams) + "/" + pick(r, services) + "_" + pick(r, envs)
			break
		}
		parts := []string{pick(r, teams)}
		for range 2 + r.IntN(12) {
			parts = append(parts, pick(r, services)+"."+pick(r, envs)+"_"+pick(r, teams))
		}
		s = strings.Join(parts, "/")
	}
	return s[:min(len(s), 256)]
}

// wildcardFilter draws one filter of the realistic mix: prefixes, suffixes, contains, exact
// names, `org/*/svc-*` and a few `*a*b*c*`.
func wildcardFilter(r *rand.Rand, names []string) string {
	switch k := r.IntN(100); {
	case k < 25:
		return pick(r, teams) + "/*"
	case k < 32:
		return pick(r, teams) + "/" + pick(r, services) + "-*"
	case k < 40:
		return "*/" + pick(r, envs)
	case k < 47:
		return "*/" + pick(r, services)
	case k < 55:
		return "*" + pick(r, services) + "*"
	case k < 75:
		return names[r.IntN(len(names))]
	case k < 92:
		return fmt.Sprintf("org/*/svc-%s-*", pick(r, services))
	default:
		return "*" + pick(r, teams) + "*" + pick(r, services) + "*" + pick(r, envs) + "*"
	}
}

func profileARN(i int) string {
	return fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/profile_%d", i)
}

func corpusNames(seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 1))
	names := make([]string, 10000)
	for i := range names {
		names[i] = repositoryName(r)
	}
	return names
}

func wildcardCorpus(name string, numRules int, seed uint64) corpus {
	names := corpusNames(1)
	r := rand.New(rand.NewPCG(seed, 2))
	cfg := &rules.SigningConfiguration{}
	for i := range numRules {
		rule := rules.SigningRule{SigningProfileArn: profileARN(i % 7)}
		for range 100 {
			rule.RepositoryFilters = append(rule.RepositoryFilters,
				rules.SigningRepositoryFilter{Filter: wildcardFilter(r, names), FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return corpus{name: name, cfg: cfg, names: names}
}

// adversarialCorpus holds 1,000 filters built to defeat backtracking and DFA construction
// (`*a*a*a*a*a*b`, `a*a*a*b*`, `*aa*a*aaab*`, `a*a*a*b*a`, ...) against 256-byte names of `a`s.
func adversarialCorpus() corpus {
	r := rand.New(rand.NewPCG(3, 3))
	cfg := &rules.SigningConfiguration{}
	for i := range 10 {
		rule := rules.SigningRule{SigningProfileArn: profileARN(i)}
		for j := range 100 {
			k := 1 + r.IntN(60)
			var f string
			switch j % 5 {
			case 0:
				f = strings.Repeat("*a", k) + "*b"
			case 1:
				f = strings.Repeat("a*", k) + "b*"
			case 2:
				f = strings.Repeat("*a", k) + "*b*"
			case 3:
				var b strings.Builder
				for range k {
					b.WriteString("*" + strings.Repeat("a", 1+r.IntN(4)))
				}
				b.WriteString("*" + strings.Repeat("a", 1+r.IntN(8)) + "b*")
				f = b.String()
			default: // prefix, suffix and middles all match; the last middle never does
				f = strings.Repeat("a*", k) + "b*a"
			}
			rule.RepositoryFilters = append(rule.RepositoryFilters,
				rules.SigningRepositoryFilter{Filter: f[:min(len(f), 256)], FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	names := make([]string, 16)
	for i := range names {
		names[i] = strings.Repeat("a", 256)
	}
	return corpus{name: "adversarial", cfg: cfg, names: names}
}

// longNames draws 10,000 names of 100 to 256 bytes: deep paths of team, service and
// environment words.
func longNames(seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 4))
	names := make([]string, 10000)
	for i := range names {
		n := 100 + r.IntN(157)
		s := pick(r, teams)
		for len(s) < n {
			s += "/" + pick(r, services) + "." + pick(r, envs) + "_" + pick(r, teams)
		}
		names[i] = s[:n]
	}
	return names
}

// tailNames is corpusNames with a long tail (`-build-...`, up to 120 bytes) on a fifth of the
// names.
func tailNames(seed uint64) []string {
	names := corpusNames(seed)
	r := rand.New(rand.NewPCG(seed, 5))
	for i, n := range names {
		if r.IntN(5) == 0 {
			for len(n) < 60+r.IntN(60) {
				n += "-" + pick(r, services)
			}
			names[i] = n[:min(len(n), 120)]
		}
	}
	return names
}

// shapedCorpus builds rules x filtersPerRule filters drawn by filter from the names.
func shapedCorpus(name string, numRules, filtersPerRule int, seed uint64, names []string, filter func(*rand.Rand, []string) string) corpus {
	r := rand.New(rand.NewPCG(seed, 6))
	cfg := &rules.SigningConfiguration{}
	for i := range numRules {
		rule := rules.SigningRule{SigningProfileArn: profileARN(i % 7)}
		for range filtersPerRule {
			rule.RepositoryFilters = append(rule.RepositoryFilters,
				rules.SigningRepositoryFilter{Filter: filter(r, names), FilterType: rules.WildcardMatch})
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return corpus{name: name, cfg: cfg, names: names}
}

// starHeavy draws `*a*b*` and `*x*` filters over team, service and environment words.
func starHeavy(r *rand.Rand, _ []string) string {
	switch r.IntN(4) {
	case 0:
		return "*" + pick(r, services) + "*"
	case 1:
		return "*" + pick(r, teams) + "*" + pick(r, services) + "*"
	case 2:
		return "*" + pick(r, services) + "*" + pick(r, envs) + "*"
	default:
		return "*" + pick(r, teams) + "*" + pick(r, envs) + "*"
	}
}

// exactHeavy draws exact names nine times in ten, else `team/*`.
func exactHeavy(r *rand.Rand, names []string) string {
	if r.IntN(10) == 0 {
		return pick(r, teams) + "/*"
	}
	return names[r.IntN(len(names))]
}

// prefixSuffix draws `team/*`, `team/svc-*`, `*/env`, `*-env` and `team/*-env`.
func prefixSuffix(r *rand.Rand, _ []string) string {
	switch r.IntN(5) {
	case 0:
		return pick(r, teams) + "/*"
	case 1:
		return pick(r, teams) + "/" + pick(r, services) + "-*"
	case 2:
		return "*/" + pick(r, envs)
	case 3:
		return "*-" + pick(r, envs)
	default:
		return pick(r, teams) + "/*-" + pick(r, envs)
	}
}

// tinyFilters are the filters of the tiny corpora, the commonest small configurations.
var tinyFilters = []string{"payments/*", "*/prod", "org/*/svc-api-*"}

func tinyCorpus(name string, n int) corpus {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: profileARN(0)}}}
	for _, f := range tinyFilters[:n] {
		cfg.Rules[0].RepositoryFilters = append(cfg.Rules[0].RepositoryFilters,
			rules.SigningRepositoryFilter{Filter: f, FilterType: rules.WildcardMatch})
	}
	return corpus{name: name, cfg: cfg, names: corpusNames(1)}
}

// hotCorpus keeps the first n names of c: a registry's working set of repositories, whose
// automaton states stay in the processor's caches.
func hotCorpus(c corpus, n int) corpus {
	c.names = c.names[:n]
	return c
}

// corpora is the one table of corpora: TestEnginesAgree checks every engine on each of them,
// and every benchmark runs over them.
func corpora() []corpus {
	return []corpus{
		wildcardCorpus("ecr-max", 10, 10),
		hotCorpus(wildcardCorpus("ecr-max-hot", 10, 10), 256),
		shapedCorpus("long-names", 10, 100, 11, longNames(11), wildcardFilter),
		shapedCorpus("star-heavy", 10, 100, 12, tailNames(12), starHeavy),
		shapedCorpus("exact-heavy", 10, 100, 13, corpusNames(13), exactHeavy),
		shapedCorpus("prefix-suffix", 10, 100, 14, corpusNames(14), prefixSuffix),
		tinyCorpus("tiny-1", 1),
		tinyCorpus("tiny-3", 3),
		wildcardCorpus("org-100k", 1000, 1000),
		adversarialCorpus(),
	}
}
