package sim

import (
	"iter"
	"slices"
	"time"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// Cause is a rule that made a status: its 0-based index in the configuration and the filter
// that matched, as match.Cause (and so match.Explain) reports it.
type Cause struct {
	Rule int `json:"rule"`
	// Filter is the 0-based index of the first matching filter; -1 when the rule has no
	// filters and so applies to every repository (AllRepositories).
	Filter          int    `json:"filter"`
	FilterText      string `json:"filterText,omitempty"`
	AllRepositories bool   `json:"allRepositories,omitempty"`
}

// SigningPrediction is the predicted status for one signing profile.
type SigningPrediction struct {
	AfterPush ecrapi.ImageSigningStatus `json:"afterPush"`
	Settled   ecrapi.ImageSigningStatus `json:"settled"`
	// Causes lists every applying rule with this profile, in configuration order.
	Causes []Cause `json:"causes"`
}

// ReplicationPrediction is the predicted status for one destination.
type ReplicationPrediction struct {
	AfterPush ecrapi.ImageReplicationStatus `json:"afterPush"`
	Settled   ecrapi.ImageReplicationStatus `json:"settled"`
	Causes    []Cause                       `json:"causes"`
}

// Prediction is what DescribeImageSigningStatus and DescribeImageReplicationStatus would
// report for a push, right after it and once every job has settled, with the reasons.
type Prediction struct {
	RegistryID     string                 `json:"registryId"`
	RepositoryName string                 `json:"repositoryName"`
	ImageID        ecrapi.ImageIdentifier `json:"imageId"`
	// Referrer is set when the manifest has a subject: it is not signed.
	Referrer    bool                    `json:"referrer,omitempty"`
	Signing     []SigningPrediction     `json:"signing"`
	Replication []ReplicationPrediction `json:"replication"`
}

// SigningStatuses returns the predicted signingStatuses list, right after the push or once
// settled.
func (p *Prediction) SigningStatuses(settled bool) []ecrapi.ImageSigningStatus {
	out := make([]ecrapi.ImageSigningStatus, len(p.Signing))
	for i, s := range p.Signing {
		out[i] = s.AfterPush
		if settled {
			out[i] = s.Settled
		}
	}
	return out
}

// ReplicationStatuses returns the predicted replicationStatuses list.
func (p *Prediction) ReplicationStatuses(settled bool) []ecrapi.ImageReplicationStatus {
	out := make([]ecrapi.ImageReplicationStatus, len(p.Replication))
	for i, s := range p.Replication {
		out[i] = s.AfterPush
		if settled {
			out[i] = s.Settled
		}
	}
	return out
}

// Predictor predicts pushes in a world without changing it. It is safe for concurrent use.
//
// Every push is predicted for the registry it addresses, as [World.Push] decides it: the
// push's registryId member, else the caller's account, in the caller's region. A
// configuration given to [World.Predictor] is validated and compiled once and models the
// registry each push addresses; a configuration not given is the one the addressed registry
// has in the world when Predict is called, so that a prediction agrees with a push made at
// that instant.
type Predictor struct {
	w      *World
	caller Caller
	key    registryKey // the caller's registry
	// signing and replication are the configurations given (nil: the world's).
	signing     *signingState
	replication *replicationState
}

// Predict returns what a push would produce under the given configurations in a default world
// (registry 123456789012 in us-east-1, every profile ACTIVE and usable). Either configuration
// may be nil for none. Errors are the exceptions PutSigningConfiguration,
// PutReplicationConfiguration or PutImage would raise.
func Predict(signing *rules.SigningConfiguration, replication *rules.ReplicationConfiguration, push *ecrapi.PutImageRequest) (*Prediction, error) {
	w := New() // no registries: a nil configuration is none
	p, err := w.Predictor(Caller{}, signing, replication)
	if err != nil {
		return nil, err
	}
	return p.Predict(push)
}

// Predictor returns a predictor for pushes by c. A non-nil configuration is validated as
// PutSigningConfiguration or PutReplicationConfiguration by c would validate it, and stands
// for the configuration of whichever registry a push addresses; a nil configuration means
// the addressed registry's own in the world, read at each Predict (none if it has none). The
// world's profiles, principals, latencies and options decide the outcomes; injected faults
// do not (a prediction is the outcome without transient failures).
func (w *World) Predictor(c Caller, signing *rules.SigningConfiguration, replication *rules.ReplicationConfiguration) (*Predictor, error) {
	cl := w.client(c)
	p := &Predictor{w: w, caller: cl.caller, key: cl.key("")}
	if !validRegistryID(p.key.account) || !validRegion(p.key.region) {
		return nil, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "the caller's account must be 12 digits and its region match " + rules.RegionPattern}
	}
	var err error
	if signing != nil {
		if p.signing, err = compileSigning(signing, p.key.region); err != nil {
			return nil, err
		}
	}
	if replication != nil {
		if p.replication, err = compileReplication(replication, p.key); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Predict returns what push would produce. It validates the request as PutImage does but
// does not look at the repositories: the repository need not exist, and neither tag
// immutability (of the repository or of a replication destination's) nor the manifests an
// image index references are checked. When the push addresses a registry other than the
// caller's and a replication configuration was given, a destination that is that registry
// is rejected with the InvalidParameterException PutReplicationConfiguration would raise
// there.
func (p *Predictor) Predict(push *ecrapi.PutImageRequest) (*Prediction, error) {
	info, err := parsePush(ecrapi.OpPutImage, push)
	if err != nil {
		return nil, err
	}
	k := p.key
	if push.RegistryID != "" {
		k.account = push.RegistryID
	}
	if p.replication != nil && k != p.key {
		if err := checkNotSource(p.replication.cfg, k); err != nil {
			return nil, err
		}
	}
	out := &Prediction{
		RegistryID:     k.account,
		RepositoryName: push.RepositoryName,
		ImageID:        ecrapi.ImageIdentifier{ImageDigest: info.digest, ImageTag: push.ImageTag},
		Referrer:       info.referrer,
		Signing:        []SigningPrediction{},
		Replication:    []ReplicationPrediction{},
	}
	w := p.w
	w.mu.Lock()
	opts := w.opts
	sign, repl := p.configurations(k)
	if sign != nil && !info.referrer {
		out.Signing = p.predictSigning(sign, push.RepositoryName, opts.SigningLatency)
	}
	w.mu.Unlock()
	if repl != nil {
		out.Replication = predictReplication(repl, k, push.RepositoryName, opts.ReplicationLatency)
	}
	return out, nil
}

// configurations returns the signing and replication configurations a push to registry k
// is predicted under: the predictor's, else the registry's in the world; w.mu held.
func (p *Predictor) configurations(k registryKey) (*signingState, *replicationState) {
	sign, repl := p.signing, p.replication
	if reg := p.w.registries[k]; reg != nil {
		if sign == nil {
			sign = reg.signing
		}
		if repl == nil {
			repl = reg.replication
		}
	}
	return sign, repl
}

// predictSigning predicts the signing statuses of a push to repo: the jobs a push starts
// (World.signingJobs, which a push uses too), each with the causes of the applying rules that
// name its profile; w.mu held.
func (p *Predictor) predictSigning(sign *signingState, repo string, latency time.Duration) []SigningPrediction {
	var buf [rules.MaxSigningRules]match.Cause
	causes := sign.matcher.AppendCauses(buf[:0], repo)
	type started struct{ profile, code, reason string }
	var jobs [rules.MaxSigningRules]started
	n := 0
	p.w.signingJobs(causeProfiles(causes), p.caller.Principal, func(profile, code, reason string) {
		jobs[n] = started{profile, code, reason}
		n++
	})
	if n == 0 {
		return []SigningPrediction{}
	}
	out := make([]SigningPrediction, n)
	groupCauses(causes, n, func(c match.Cause, i int) bool { return c.Profile == jobs[i].profile }, func(i int, cs []Cause) {
		j, sp := jobs[i], &out[i]
		sp.Causes = cs
		sp.Settled = ecrapi.ImageSigningStatus{SigningProfileArn: j.profile, Status: ecrapi.StatusComplete}
		if j.code != "" {
			sp.Settled.Status, sp.Settled.FailureCode, sp.Settled.FailureReason = ecrapi.StatusFailed, j.code, j.reason
		}
		sp.AfterPush = sp.Settled
		if latency > 0 {
			sp.AfterPush = ecrapi.ImageSigningStatus{SigningProfileArn: j.profile, Status: ecrapi.StatusInProgress}
		}
	})
	return out
}

// predictReplication predicts the replication statuses of a push to repo in registry source:
// one per destination a push replicates to (appendDestinations, which a push uses too), each
// with the causes of the applying rules that name it.
func predictReplication(repl *replicationState, source registryKey, repo string, latency time.Duration) []ReplicationPrediction {
	var buf [rules.MaxReplicationRules]match.Cause
	causes := repl.matcher.AppendCauses(buf[:0], repo)
	var dbuf [rules.MaxDistinctDestinations]registryKey
	dests := appendDestinations(dbuf[:0], source, repl, causeRules(causes))
	if len(dests) == 0 {
		return []ReplicationPrediction{}
	}
	out := make([]ReplicationPrediction, len(dests))
	groupCauses(causes, len(dests), func(c match.Cause, i int) bool { return sendsTo(repl.cfg.Rules[c.Rule], dests[i]) }, func(i int, cs []Cause) {
		rp := &out[i]
		rp.Causes = cs
		rp.Settled = ecrapi.ImageReplicationStatus{Region: dests[i].region, RegistryID: dests[i].account, Status: ecrapi.StatusComplete}
		rp.AfterPush = rp.Settled
		if latency > 0 {
			rp.AfterPush.Status = ecrapi.StatusInProgress
		}
	})
	return out
}

// causeRules yields the rules of causes: the applying rules, in configuration order, as
// Match reports them.
func causeRules(causes []match.Cause) iter.Seq[int] {
	return func(yield func(int) bool) {
		for _, c := range causes {
			if !yield(c.Rule) {
				return
			}
		}
	}
}

// causeProfiles yields the distinct profiles of causes, in the order of the first cause
// with each: the applying rules' profiles as Result.Profiles yields them.
func causeProfiles(causes []match.Cause) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i, c := range causes {
			if !slices.ContainsFunc(causes[:i], func(o match.Cause) bool { return o.ProfileIndex == c.ProfileIndex }) && !yield(c.Profile) {
				return
			}
		}
	}
}

// groupCauses calls status for each of n statuses with its causes: those of causes that
// select it, in configuration order, as subslices of one array (a replication rule may
// select several statuses, so the array is sized by a first pass).
func groupCauses(causes []match.Cause, n int, selects func(c match.Cause, i int) bool, status func(i int, cs []Cause)) {
	size := 0
	for i := range n {
		for _, c := range causes {
			if selects(c, i) {
				size++
			}
		}
	}
	all := make([]Cause, 0, size)
	for i := range n {
		lo := len(all)
		for _, c := range causes {
			if selects(c, i) {
				all = append(all, causeOf(c))
			}
		}
		status(i, all[lo:len(all):len(all)])
	}
}

// sendsTo reports whether rule names destination k.
func sendsTo(rule rules.ReplicationRule, k registryKey) bool {
	for _, d := range rule.Destinations {
		if d.RegistryID == k.account && d.Region == k.region {
			return true
		}
	}
	return false
}

// causeOf describes a match.Cause, which carries the text of its filter.
func causeOf(c match.Cause) Cause {
	if c.Filter < 0 {
		return Cause{Rule: c.Rule, Filter: -1, AllRepositories: true}
	}
	return Cause{Rule: c.Rule, Filter: c.Filter, FilterText: c.FilterText}
}
