package sim

import (
	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// compileSigning validates a signing configuration as PutSigningConfiguration does for a
// registry in region, and compiles it. The state holds a private copy of cfg.
func compileSigning(cfg *rules.SigningConfiguration, region string) (*signingState, error) {
	if vs := rules.CheckSigning(cfg); len(vs) > 0 {
		return nil, &ecrapi.Error{Code: ecrapi.ValidationException, Message: rules.FormatViolations("signingConfiguration", vs)}
	}
	for _, r := range cfg.Rules {
		arn, err := rules.ParseProfileARN(r.SigningProfileArn)
		if err != nil { // CheckSigning accepted it, so this does not happen; say so if it does
			return nil, &ecrapi.Error{Code: ecrapi.ValidationException, Message: err.Error()}
		}
		if arn.Region != region {
			return nil, newError(ecrapi.ValidationException, "The region of signing profile ARN %s is '%s' but must be '%s'", r.SigningProfileArn, arn.Region, region)
		}
		if want := ecrapi.Partition(region); arn.Partition != want {
			return nil, newError(ecrapi.ValidationException, "The partition of signing profile ARN %s is '%s' but must be '%s'", r.SigningProfileArn, arn.Partition, want)
		}
	}
	c := cloneSigning(cfg)
	m, err := match.Compile(c)
	if err != nil {
		return nil, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "Invalid parameter at 'signingConfiguration': " + err.Error()}
	}
	return &signingState{cfg: c, matcher: m}, nil
}

// compileReplication validates a replication configuration as PutReplicationConfiguration
// does for the source registry and compiles it.
func compileReplication(cfg *rules.ReplicationConfiguration, source registryKey) (*replicationState, error) {
	if vs := rules.CheckReplication(cfg); len(vs) > 0 {
		return nil, &ecrapi.Error{Code: ecrapi.ValidationException, Message: rules.FormatViolations("replicationConfiguration", vs)}
	}
	if err := checkNotSource(cfg, source); err != nil {
		return nil, err
	}
	distinct := map[registryKey]bool{}
	for _, r := range cfg.Rules {
		for _, d := range r.Destinations {
			distinct[registryKey{d.RegistryID, d.Region}] = true
		}
	}
	if len(distinct) > rules.MaxDistinctDestinations {
		return nil, newError(ecrapi.InvalidParameterException, "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'the rules name %d distinct destinations; at most %d are allowed'", len(distinct), rules.MaxDistinctDestinations)
	}
	c := cloneReplication(cfg)
	m, err := match.CompileReplication(c)
	if err != nil {
		return nil, &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: "Invalid parameter at 'replicationConfiguration': " + err.Error()}
	}
	return &replicationState{cfg: c, matcher: m}, nil
}

// checkNotSource rejects a replication configuration with a destination that is the source
// registry, as PutReplicationConfiguration in that registry does.
func checkNotSource(cfg *rules.ReplicationConfiguration, source registryKey) error {
	if vs := rules.CheckSource(cfg, source.account, source.region); len(vs) > 0 {
		v := vs[0]
		return newError(ecrapi.InvalidParameterException, "Invalid parameter at 'replicationConfiguration.%s' failed to satisfy constraint: '%s'", rules.APIPath(v.Path), v.Constraint)
	}
	return nil
}

// cloneSigning deep-copies a configuration, keeping nil and empty lists apart.
func cloneSigning(cfg *rules.SigningConfiguration) *rules.SigningConfiguration {
	if cfg == nil {
		return nil
	}
	c := &rules.SigningConfiguration{}
	if cfg.Rules != nil {
		c.Rules = make([]rules.SigningRule, len(cfg.Rules))
	}
	for i, r := range cfg.Rules {
		c.Rules[i] = rules.SigningRule{SigningProfileArn: r.SigningProfileArn}
		if r.RepositoryFilters != nil {
			c.Rules[i].RepositoryFilters = append(make([]rules.SigningRepositoryFilter, 0, len(r.RepositoryFilters)), r.RepositoryFilters...)
		}
	}
	return c
}

func cloneReplication(cfg *rules.ReplicationConfiguration) *rules.ReplicationConfiguration {
	if cfg == nil {
		return nil
	}
	c := &rules.ReplicationConfiguration{}
	if cfg.Rules != nil {
		c.Rules = make([]rules.ReplicationRule, len(cfg.Rules))
	}
	for i, r := range cfg.Rules {
		if r.Destinations != nil {
			c.Rules[i].Destinations = append(make([]rules.ReplicationDestination, 0, len(r.Destinations)), r.Destinations...)
		}
		if r.RepositoryFilters != nil {
			c.Rules[i].RepositoryFilters = append(make([]rules.RepositoryFilter, 0, len(r.RepositoryFilters)), r.RepositoryFilters...)
		}
	}
	return c
}
