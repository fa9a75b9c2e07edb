package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func init() {
	register(command{
		name:    "simulate",
		summary: "show the signing and replication statuses a push would produce",
		run:     runSimulate,
	})
}

const simulateHelp = `usage: ecrsign simulate --config FILE [--replication FILE] [--world FILE] --repository NAME
       [--tag TAG] [--digest DIGEST] [--manifest FILE] [--principal ARN] [--registry-id ID]
       [--region REGION] [--at push|settled] [--format text|json]

Simulates a push of an image to repository NAME and prints what DescribeImageSigningStatus
(and, with a replication configuration, DescribeImageReplicationStatus) would report: once
every job has settled, or right after the push with --at push. Text output also says which
rule and filter caused each status, and marks failure codes that are ecrsign's own (AWS
documents only ACCESS_DENIED).

Unless --world names a world file (see package sim; the model is in docs/model.md), the
world is one registry, 123456789012 in us-east-1, where every signing profile is ACTIVE and
every principal may use every profile. --config replaces the registry's signing configuration and --replication
its replication configuration; with --world, either may be left out to use the world's own.
Without --manifest, a minimal OCI image manifest stands for the image, and --digest names it
(the statuses do not depend on the digest); with --manifest, --digest must be its digest, as
PutImage checks.

` + configSourcesHelp + ` It also
names the registry pushed to when --registry-id and --region do not.

--format json prints one object in the DescribeImageSigningStatus response shape
(registryId, repositoryName, imageId, signingStatuses), with replicationStatuses in the
DescribeImageReplicationStatus shape when a replication configuration or world is given.

Exit status: 0 when no status is (or will settle) FAILED, 1 when one is, 2 for usage errors,
unreadable files, and configurations or pushes the ECR API would reject (the exception is
printed).

Example:

  ecrsign simulate --config examples/signing/api-request.json --replication examples/replication/replication.json --repository prod/api --tag v1.2.0
  ecrsign simulate --world examples/world.json --repository legacy/billing-batch --format json
`

// emptyImageManifest is the image simulate pushes when not given one: an OCI image manifest
// with the empty config ({}, whose digest this is) and no layers.
const emptyImageManifest = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`

var digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)

func runSimulate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("simulate", simulateHelp, stdout, stderr)
	flags := defineSimulateFlags(fs)
	if code, ok := fs.parseFlagsOnly(args, "(name the repository with --repository)", flags.check); !ok {
		return code
	}
	opts, err := flags.inputs.tmpl.options(*flags.registryID)
	if err != nil {
		return fs.usageError("%v", err)
	}
	s, err := flags.load(stdin, opts)
	if err != nil {
		return fs.report(err)
	}
	pred, caller, err := flags.predict(s)
	if err != nil {
		return fs.report(err)
	}
	settled := *flags.at == "settled"
	withReplication := s.replication != nil || *flags.worldFile != ""
	bw := bufio.NewWriter(stdout)
	if *flags.format == "json" {
		writeSimulationJSON(bw, pred, settled, withReplication)
	} else {
		writeSimulation(bw, pred, caller, settled, withReplication)
	}
	if err := bw.Flush(); err != nil {
		fs.errorf("%v", err)
		return exitUsage
	}
	return simulationStatus(pred)
}

// simulateFlags are the flags of simulate.
type simulateFlags struct {
	configFile, replicationFile, worldFile *string
	repository, tag, digest, manifestFile  *string
	principal, registryID, region          *string
	at, format                             *string
	inputs                                 inputFlags
}

// defineSimulateFlags defines the flags of simulate on fs.
func defineSimulateFlags(fs *flagSet) *simulateFlags {
	f := &simulateFlags{
		configFile:      fs.String("config", "", "signing configuration `FILE` (FILE#NAME for one of several)"),
		replicationFile: fs.String("replication", "", "replication configuration `FILE`"),
		worldFile:       fs.String("world", "", "world `FILE` (registries, profiles, principals, latencies)"),
		repository:      fs.String("repository", "", "repository `NAME` pushed to"),
		tag:             fs.String("tag", "", "image `TAG` of the push"),
		digest:          fs.String("digest", "", "image `DIGEST` (sha256:...) of the push"),
		manifestFile:    fs.String("manifest", "", "image manifest `FILE` pushed (default: a minimal OCI image manifest)"),
		principal:       fs.String("principal", "", "IAM principal `ARN` that pushes (default: the world's default principal)"),
		registryID:      fs.String("registry-id", "", "registry (account) `ID` pushed to (default: the project file's registry-id or account-id, else the world's default registry)"),
		region:          fs.String("region", "", "`REGION` of the registry (default: the project file's region, else the world's default region)"),
		at:              fs.String("at", "settled", "statuses right after the `push`, or once settled"),
		format:          fs.formatFlag("output `format`: text or json", "text", "json"),
	}
	f.inputs = fs.inputFlags(f.region)
	return f
}

// check returns the usage error of flags that do not go together, "" for none.
func (f *simulateFlags) check() string {
	switch {
	case *f.at != "push" && *f.at != "settled":
		return fmt.Sprintf("--at is push or settled, not %q", *f.at)
	case *f.configFile == "" && *f.worldFile == "":
		return "--config is required (or --world, to use the world's configuration)"
	case *f.repository == "":
		return "--repository is required"
	case *f.digest != "" && !digestPattern.MatchString(*f.digest):
		return fmt.Sprintf("--digest %q is not a sha256 digest (sha256: and 64 lower-case hex digits)", *f.digest)
	case countStdin(*f.configFile, *f.replicationFile, *f.worldFile, *f.manifestFile) > 1:
		return stdinTwice
	}
	return ""
}

// simulation is what simulate reads: the configurations given, the world, and the push.
type simulation struct {
	signing     *rules.SigningConfiguration     // nil: the world's
	replication *rules.ReplicationConfiguration // nil: the world's
	world       *sim.World
	push        *ecrapi.PutImageRequest
}

// load reads the configurations, the world and the manifest the flags name, decoding the
// configurations with opts.
func (f *simulateFlags) load(stdin io.Reader, opts []rules.Option) (*simulation, error) {
	s := &simulation{world: sim.New()}
	if *f.configFile != "" {
		c, err := loadConfig(*f.configFile, rules.KindSigning, stdin, f.inputs, opts...)
		if err != nil {
			return nil, err
		}
		s.signing = c.Signing
	}
	if *f.replicationFile != "" {
		c, err := loadConfig(*f.replicationFile, rules.KindReplication, stdin, f.inputs, opts...)
		if err != nil {
			return nil, err
		}
		s.replication = c.Replication
	}
	if *f.worldFile != "" {
		data, err := readInput(*f.worldFile, stdin)
		if err != nil {
			return nil, err
		}
		if s.world, err = sim.Load(strings.NewReader(string(data))); err != nil {
			return nil, fmt.Errorf("%s: %w", *f.worldFile, err)
		}
	}
	s.push = &ecrapi.PutImageRequest{RepositoryName: *f.repository, ImageTag: *f.tag, ImageManifest: emptyImageManifest}
	if *f.manifestFile != "" {
		data, err := readLimited(*f.manifestFile, stdin, ecrapi.MaxManifestBytes)
		if err != nil {
			return nil, err
		}
		s.push.ImageManifest, s.push.ImageDigest = string(data), *f.digest
	}
	return s, nil
}

// predict predicts the push of s by the caller the flags (else the project file of --config,
// else the world) name, and returns the prediction with that caller.
func (f *simulateFlags) predict(s *simulation) (*sim.Prediction, sim.Caller, error) {
	projectRegistry, projectRegion := "", ""
	if *f.configFile != "" {
		projectRegistry, projectRegion = f.inputs.projectRegistry(splitConfigFile(*f.configFile))
	}
	caller := s.world.Caller(sim.Caller{Account: cmp.Or(*f.registryID, projectRegistry), Region: cmp.Or(*f.region, projectRegion), Principal: *f.principal})
	p, err := s.world.Predictor(caller, s.signing, s.replication)
	if err != nil {
		return nil, caller, fmt.Errorf("the configuration would be rejected: %w", err)
	}
	pred, err := p.Predict(s.push)
	if err != nil {
		return nil, caller, fmt.Errorf("PutImage would fail: %w", err)
	}
	if *f.digest != "" && *f.manifestFile == "" {
		pred.ImageID.ImageDigest = *f.digest
	}
	return pred, caller, nil
}

// simulationStatus is simulate's exit status: exitFound when a status is, or will settle,
// FAILED.
func simulationStatus(pred *sim.Prediction) int {
	for _, s := range pred.SigningStatuses(true) {
		if s.Status == ecrapi.StatusFailed {
			return exitFound
		}
	}
	for _, s := range pred.ReplicationStatuses(true) {
		if s.Status == ecrapi.StatusFailed {
			return exitFound
		}
	}
	return exitOK
}

// writeSimulationJSON writes pred in the DescribeImageSigningStatus response shape, with
// replicationStatuses when withReplication.
func writeSimulationJSON(w io.Writer, pred *sim.Prediction, settled, withReplication bool) {
	out := simulateOutput{
		RegistryID:      pred.RegistryID,
		RepositoryName:  pred.RepositoryName,
		ImageID:         pred.ImageID,
		SigningStatuses: pred.SigningStatuses(settled),
	}
	if withReplication {
		rs := pred.ReplicationStatuses(settled)
		out.ReplicationStatuses = &rs
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// simulateOutput is the DescribeImageSigningStatus response shape, with the
// DescribeImageReplicationStatus member replicationStatuses.
type simulateOutput struct {
	RegistryID          string                           `json:"registryId"`
	RepositoryName      string                           `json:"repositoryName"`
	ImageID             ecrapi.ImageIdentifier           `json:"imageId"`
	SigningStatuses     []ecrapi.ImageSigningStatus      `json:"signingStatuses"`
	ReplicationStatuses *[]ecrapi.ImageReplicationStatus `json:"replicationStatuses,omitempty"`
}

func describeCauses(cs []sim.Cause) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if c.AllRepositories {
			parts[i] = fmt.Sprintf("rule %d (no filters: every repository)", c.Rule)
		} else {
			parts[i] = fmt.Sprintf("rule %d filter %d %q", c.Rule, c.Filter, c.FilterText)
		}
	}
	return strings.Join(parts, ", ")
}

func writeSimulation(w io.Writer, p *sim.Prediction, caller sim.Caller, settled, withReplication bool) {
	image := p.RepositoryName
	if p.ImageID.ImageTag != "" {
		image += ":" + p.ImageID.ImageTag
	}
	fmt.Fprintf(w, "push of %s (%s) to registry %s in %s by %s\n", image, p.ImageID.ImageDigest, p.RegistryID, caller.Region, caller.Principal)
	when := "once settled"
	if !settled {
		when = "right after the push"
	}
	if p.Referrer {
		fmt.Fprintln(w, "the manifest has a subject (a signature, SBOM or attestation): ECR does not sign referrers")
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if len(p.Signing) == 0 {
		if !p.Referrer {
			fmt.Fprintln(w, "no signing rule applies: signingStatuses is empty, the image is not signed")
		}
	} else {
		fmt.Fprintf(w, "signing statuses %s:\n", when)
		for _, s := range p.Signing {
			st := s.AfterPush
			if settled {
				st = s.Settled
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", st.SigningProfileArn, st.Status, "by "+describeCauses(s.Causes))
			if st.Status == ecrapi.StatusFailed {
				own := ""
				if st.FailureCode != ecrapi.FailureAccessDenied {
					own = " (ecrsign's own failure code; AWS documents only ACCESS_DENIED)"
				}
				fmt.Fprintf(tw, "  \t\tfailureCode %s%s: %s\n", st.FailureCode, own, st.FailureReason)
			} else if !settled && s.Settled.Status == ecrapi.StatusFailed {
				fmt.Fprintf(tw, "  \t\twill settle FAILED (%s)\n", s.Settled.FailureCode)
			}
		}
		tw.Flush()
	}
	if !withReplication {
		return
	}
	if len(p.Replication) == 0 {
		fmt.Fprintln(w, "no replication rule applies: replicationStatuses is empty")
		return
	}
	fmt.Fprintf(w, "replication statuses %s:\n", when)
	for _, r := range p.Replication {
		st := r.AfterPush
		if settled {
			st = r.Settled
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", st.Region, st.RegistryID, st.Status, "by "+describeCauses(r.Causes))
		if st.FailureCode != "" {
			fmt.Fprintf(tw, "  \t\tfailureCode %s (ecrsign's own failure code)\n", st.FailureCode)
		}
	}
	tw.Flush()
}
