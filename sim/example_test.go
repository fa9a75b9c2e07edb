package sim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func ExamplePredict() {
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod",
			RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "*/prod", FilterType: rules.WildcardMatch}}},
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit"},
	}}
	p, err := sim.Predict(cfg, nil, &ecrapi.PutImageRequest{
		RepositoryName: "payments/prod",
		ImageTag:       "v1",
		ImageManifest:  `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Signing {
		c := s.Causes[0]
		fmt.Printf("%s: %s -> %s (rule %d, filter %q, all repositories %v)\n",
			s.Settled.SigningProfileArn, s.AfterPush.Status, s.Settled.Status, c.Rule, c.FilterText, c.AllRepositories)
	}
	// Output:
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod: IN_PROGRESS -> COMPLETE (rule 0, filter "*/prod", all repositories false)
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit: IN_PROGRESS -> COMPLETE (rule 1, filter "", all repositories true)
}

func ExampleSigningImpact() {
	prod := "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
	current := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: prod, RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "payments/*", FilterType: rules.WildcardMatch}}},
	}}
	proposed := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: prod, RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "*/prod", FilterType: rules.WildcardMatch}}},
	}}
	inventory := strings.NewReader("payments/api\npayments/api/prod\nsearch/indexer/prod\nsandbox/test\n")
	sum, err := sim.SigningImpact(current, proposed, inventory, func(c sim.SigningChange) error {
		fmt.Printf("%s: +%d -%d\n", c.Repository, len(c.Gained), len(c.Lost))
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d repositories, %d change, signed %d -> %d\n", sum.Repositories, sum.Changed, sum.SignedBefore, sum.SignedAfter)
	// Output:
	// payments/api: +0 -1
	// search/indexer/prod: +1 -0
	// 4 repositories, 2 change, signed 2 -> 2
}

// A world kept in a store: every change is durable before it is visible, and the world is
// there again after the store is closed and opened again.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "ecrsign-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	state := filepath.Join(dir, "state.db")

	w, err := sim.Open(state)
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Client(sim.Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api"})
	w.Close()

	w, err = sim.Open(state)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	_, err = w.Client(sim.Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api"})
	fmt.Println(err)
	// Output:
	// RepositoryAlreadyExistsException: The repository with name 'team/api' already exists in the registry with id '123456789012'
}

// A signing job that completes stores a signature as a referrer of the signed manifest.
func ExampleWorld_Client() {
	clk := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	w := sim.New(sim.WithClock(clk))
	c := w.Client(sim.Caller{})
	prod := "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod"
	c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: &rules.SigningConfiguration{Rules: []rules.SigningRule{{SigningProfileArn: prod}}}})
	c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/app"})
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`
	if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/app", ImageManifest: manifest, ImageTag: "v1"}); err != nil {
		fmt.Println(err)
		return
	}
	list := func() {
		out, err := c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/app", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest(manifest)}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(len(out.Referrers), "referrers")
		for _, r := range out.Referrers {
			fmt.Println(r.ArtifactType, r.Annotations[ecrapi.AnnotationSigningProfile])
		}
	}
	list() // signing is IN_PROGRESS
	clk.Advance(sim.DefaultSigningLatency)
	list()
	// Output:
	// 0 referrers
	// 1 referrers
	// application/vnd.cncf.notary.signature arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod
}

// World.Push reports what a push set off: one signing status per distinct profile of the
// rules that apply to the repository.
func ExampleWorld_Push() {
	w := sim.New(sim.WithOptions(sim.Options{CreateRepositoryOnPush: true, SigningLatency: time.Minute}))
	caller := sim.Caller{Principal: "arn:aws:iam::123456789012:role/ci"}
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod", RepositoryFilters: []rules.SigningRepositoryFilter{{Filter: "team/*", FilterType: rules.WildcardMatch}}},
		{SigningProfileArn: "arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit"},
	}}
	if _, err := w.Client(caller).PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}); err != nil {
		fmt.Println(err)
		return
	}
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`
	res, err := w.Push(caller, &ecrapi.PutImageRequest{RepositoryName: "team/app", ImageManifest: manifest, ImageTag: "v1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.SigningStatuses {
		fmt.Println(s.SigningProfileArn, s.Status)
	}
	// Output:
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod IN_PROGRESS
	// arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit IN_PROGRESS
}
