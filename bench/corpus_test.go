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

func corpora() []corpus {
	return []corpus{
		wildcardCorpus("ecr-max", 10, 10),
		wildcardCorpus("org-100k", 1000, 1000),
		adversarialCorpus(),
	}
}
