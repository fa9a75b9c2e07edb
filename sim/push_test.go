package sim

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

func putSigning(t *testing.T, c *client, cfg *rules.SigningConfiguration) {
	t.Helper()
	must(c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: cfg}))(t)
}

func push(t *testing.T, c *client, repo string, n int, tag string) *PushResult {
	t.Helper()
	return must(c.Push(&ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: manifest(n), ImageTag: tag}))(t)
}

// repush pushes through the registry protocol's rules (a re-push of the same manifest and
// tag is a push) without requiring the manifest's blobs.
func repush(t *testing.T, c *client, repo string, n int, tag string) *PushResult {
	t.Helper()
	return must(c.push(ecrapi.OpPutImage, &ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: manifest(n), ImageTag: tag}, pushMode{repush: true}))(t)
}

func TestPushSignsOncePerDistinctProfile(t *testing.T) {
	_, clk, c := newTestWorld()
	putSigning(t, c, signing(
		rule(profProd, "team/*"),
		rule(profAudit, "*api*"),
		rule(profProd, "*/api"), // same profile again: still one status
		rule(profShared, "other/*"),
	))
	createRepo(t, c, "team/api")
	res := push(t, c, "team/api", 1, "v1")
	want := []ecrapi.ImageSigningStatus{{SigningProfileArn: profProd, Status: ecrapi.StatusInProgress}, {SigningProfileArn: profAudit, Status: ecrapi.StatusInProgress}}
	if !reflect.DeepEqual(res.SigningStatuses, want) {
		t.Fatalf("after push %+v", res.SigningStatuses)
	}
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); !reflect.DeepEqual(got, want) {
		t.Fatalf("describe right after push %+v", got)
	}
	clk.Advance(DefaultSigningLatency - time.Millisecond)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); got[0].Status != ecrapi.StatusInProgress {
		t.Fatalf("settled before the latency passed: %+v", got)
	}
	clk.Advance(time.Millisecond)
	want = []ecrapi.ImageSigningStatus{{SigningProfileArn: profProd, Status: ecrapi.StatusComplete}, {SigningProfileArn: profAudit, Status: ecrapi.StatusComplete}}
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageDigest: ecrapi.Digest(manifest(1))}); !reflect.DeepEqual(got, want) {
		t.Fatalf("settled %+v", got)
	}
}

func TestPushWithoutApplyingRules(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	if res := push(t, c, "team/api", 1, ""); len(res.SigningStatuses) != 0 || res.SigningConfiguration != nil {
		t.Fatalf("no configuration: %+v", res)
	}
	putSigning(t, c, signing(rule(profProd, "other/*")))
	push(t, c, "team/api", 2, "")
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageDigest: ecrapi.Digest(manifest(2))}); got == nil || len(got) != 0 {
		t.Fatalf("want an empty, non-nil list, got %#v", got)
	}
	putSigning(t, c, signing())
	if res := push(t, c, "team/api", 3, ""); len(res.SigningStatuses) != 0 {
		t.Fatalf("empty rules signed: %+v", res.SigningStatuses)
	}
}

func TestSigningFailures(t *testing.T) {
	const pusher = "arn:aws:iam::123456789012:role/ci"
	tests := []struct {
		name   string
		opts   Options
		setup  func(w *World)
		code   string
		reason string
	}{
		{name: "defaults complete", code: ""},
		{name: "principal granted another profile", setup: func(w *World) { w.GrantProfiles(pusher, profAudit) },
			code: ecrapi.FailureAccessDenied, reason: "User: " + pusher + " is not authorized to perform: signer:SignPayload on resource: " + profProd},
		{name: "principal granted all", setup: func(w *World) { w.GrantProfiles(pusher, AllProfiles) }},
		{name: "strict principals", opts: Options{StrictPrincipals: true}, code: ecrapi.FailureAccessDenied, reason: "signer:SignPayload"},
		{name: "strict principals, granted", opts: Options{StrictPrincipals: true}, setup: func(w *World) { w.GrantProfiles(pusher, profProd) }},
		{name: "strict profiles", opts: Options{StrictProfiles: true}, code: ecrapi.FailureProfileNotFound, reason: "does not exist." + ownVocabulary},
		{name: "strict profiles, declared", opts: Options{StrictProfiles: true}, setup: func(w *World) { w.SetProfileStatus(profProd, ProfileActive) }},
		{name: "absent", setup: func(w *World) { w.SetProfileStatus(profProd, ProfileAbsent) }, code: ecrapi.FailureProfileNotFound, reason: "ecrsign"},
		{name: "canceled", setup: func(w *World) { w.SetProfileStatus(profProd, ProfileCanceled) }, code: ecrapi.FailureProfileCanceled, reason: "is CANCELED" + ""},
		{name: "revoked", setup: func(w *World) { w.SetProfileStatus(profProd, ProfileRevoked) }, code: ecrapi.FailureProfileRevoked, reason: "is REVOKED"},
		{name: "access is checked before the profile", setup: func(w *World) {
			w.SetProfileStatus(profProd, ProfileRevoked)
			w.GrantProfiles(pusher)
		}, code: ecrapi.FailureAccessDenied},
		{name: "transient fault", opts: Options{Faults: Faults{Seed: 7, SigningFailureRate: 1}}, code: ecrapi.FailureTransient, reason: "Injected transient signing failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.SigningLatency = time.Second
			w, clk, _ := newTestWorld(WithOptions(o))
			if tt.setup != nil {
				tt.setup(w)
			}
			c := w.client(Caller{Principal: pusher})
			putSigning(t, c, signing(rule(profProd)))
			createRepo(t, c, "team/api")
			res := push(t, c, "team/api", 1, "v1")
			if res.SigningStatuses[0].Status != ecrapi.StatusInProgress || res.SigningStatuses[0].FailureCode != "" {
				t.Fatalf("after push: %+v (failure fields must be absent until FAILED)", res.SigningStatuses[0])
			}
			clk.Advance(time.Second)
			got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"})
			if len(got) != 1 {
				t.Fatalf("statuses %+v", got)
			}
			s := got[0]
			if tt.code == "" {
				if s != (ecrapi.ImageSigningStatus{SigningProfileArn: profProd, Status: ecrapi.StatusComplete}) {
					t.Fatalf("want COMPLETE, got %+v", s)
				}
				return
			}
			if s.Status != ecrapi.StatusFailed || s.FailureCode != tt.code || !strings.Contains(s.FailureReason, tt.reason) {
				t.Fatalf("got %+v, want FAILED %s with reason containing %q", s, tt.code, tt.reason)
			}
			if tt.code != ecrapi.FailureAccessDenied && !strings.Contains(s.FailureReason, "ecrsign") {
				t.Fatalf("reason of an ecrsign failure code does not say so: %q", s.FailureReason)
			}
		})
	}
}

func TestProfileChangesAffectLaterJobsOnly(t *testing.T) {
	w, clk, c := newTestWorld()
	putSigning(t, c, signing(rule(profProd)))
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	w.SetProfileStatus(profProd, ProfileRevoked)
	clk.Advance(time.Hour)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); got[0].Status != ecrapi.StatusComplete {
		t.Fatalf("revoking after the push changed the job: %+v", got)
	}
	push(t, c, "team/api", 2, "v2")
	clk.Advance(time.Hour)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v2"}); got[0].FailureCode != ecrapi.FailureProfileRevoked {
		t.Fatalf("later push: %+v", got)
	}
}

func TestConfigurationChangesAffectLaterPushesOnly(t *testing.T) {
	_, clk, c := newTestWorld()
	createRepo(t, c, "team/api")
	putSigning(t, c, signing(rule(profProd, "team/*")))
	push(t, c, "team/api", 1, "v1")
	clk.Advance(time.Minute)
	before := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"})

	putSigning(t, c, signing(rule(profAudit, "team/*")))
	clk.Advance(time.Minute)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); !reflect.DeepEqual(got, before) {
		t.Fatalf("Put rewrote an earlier status: %+v, was %+v", got, before)
	}
	must(c.DeleteSigningConfiguration(nil))(t)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); !reflect.DeepEqual(got, before) {
		t.Fatalf("Delete rewrote an earlier status: %+v", got)
	}
	if res := push(t, c, "team/api", 2, "v2"); len(res.SigningStatuses) != 0 {
		t.Fatalf("signed after delete: %+v", res.SigningStatuses)
	}
}

func TestRepushSignsAgainAndReportsTheLatestJob(t *testing.T) {
	w, clk, c := newTestWorld()
	createRepo(t, c, "team/api")
	putSigning(t, c, signing(rule(profProd)))
	w.SetProfileStatus(profProd, ProfileCanceled)
	first := push(t, c, "team/api", 1, "v1")
	clk.Advance(time.Minute)
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"}); got[0].Status != ecrapi.StatusFailed {
		t.Fatalf("first job: %+v", got)
	}
	w.SetProfileStatus(profProd, ProfileActive)
	putSigning(t, c, signing(rule(profProd), rule(profAudit)))
	second := push(t, c, "team/api", 1, "also-v1") // same manifest, new tag
	if second.Seq <= first.Seq || len(second.SigningStatuses) != 2 {
		t.Fatalf("re-push %+v", second)
	}
	got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "v1"})
	want := []ecrapi.ImageSigningStatus{{SigningProfileArn: profProd, Status: ecrapi.StatusInProgress}, {SigningProfileArn: profAudit, Status: ecrapi.StatusInProgress}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after re-push %+v", got)
	}
	// A profile that no longer applies keeps its last status.
	putSigning(t, c, signing(rule(profAudit)))
	clk.Advance(time.Minute)
	repush(t, c, "team/api", 1, "")
	got = statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageTag: "also-v1"})
	want = []ecrapi.ImageSigningStatus{{SigningProfileArn: profProd, Status: ecrapi.StatusComplete}, {SigningProfileArn: profAudit, Status: ecrapi.StatusInProgress}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after second re-push %+v", got)
	}
}

func TestReferrersAreNotSigned(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	putSigning(t, c, signing(rule(profProd)))
	img := push(t, c, "team/api", 1, "v1")
	sig := must(c.Push(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: referrer(img.Image.ImageID.ImageDigest)}))(t)
	if !sig.Referrer || len(sig.SigningStatuses) != 0 {
		t.Fatalf("signature push %+v", sig)
	}
	if got := statuses(t, c, "team/api", ecrapi.ImageIdentifier{ImageDigest: sig.Image.ImageID.ImageDigest}); len(got) != 0 {
		t.Fatalf("signature has statuses %+v", got)
	}
}

func TestIndexAndManifestsAreEachAPush(t *testing.T) {
	_, _, c := newTestWorld()
	createRepo(t, c, "team/api")
	putSigning(t, c, signing(rule(profProd)))
	a, b := push(t, c, "team/api", 1, ""), push(t, c, "team/api", 2, "")
	idx := must(c.Push(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: index(a.Image.ImageID.ImageDigest, b.Image.ImageID.ImageDigest), ImageTag: "multi"}))(t)
	if len(a.SigningStatuses) != 1 || len(b.SigningStatuses) != 1 || len(idx.SigningStatuses) != 1 {
		t.Fatalf("each push signs once: %v %v %v", a.SigningStatuses, b.SigningStatuses, idx.SigningStatuses)
	}
	if idx.Image.ImageManifestMediaType != ecrapi.MediaTypeOCIIndex || idx.Seq != 3 {
		t.Fatalf("index push %+v", idx)
	}
}

func TestReplication(t *testing.T) {
	tests := []struct {
		name       string
		repo       string
		wantDests  []string // "account/region"
		signRepl   bool
		wantSigned bool
	}{
		{name: "prefix match, distinct destinations once", repo: "team/api", wantDests: []string{"123456789012/us-west-2", "210987654321/eu-west-1"}},
		{name: "only the catch-all rule", repo: "web", wantDests: []string{"210987654321/eu-west-1"}},
		{name: "replicas signed when asked", repo: "team/api", wantDests: []string{"123456789012/us-west-2", "210987654321/eu-west-1"}, signRepl: true, wantSigned: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.SignReplicatedImages = tt.signRepl
			w, clk, c := newTestWorld(WithOptions(opts))
			must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
				replRule([]string{"team"}, dest("123456789012", "us-west-2"), dest("210987654321", "eu-west-1")),
				replRule(nil, dest("210987654321", "eu-west-1")),
			}}}))(t)
			west := w.client(Caller{Region: "us-west-2"})
			// The destination replicates back to us-east-1 and everywhere: replicas must not chain.
			must(west.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
				replRule(nil, dest("123456789012", "us-east-1"), dest("123456789012", "ap-south-1")),
			}}}))(t)
			putSigning(t, west, signing(rule("arn:aws:signer:us-west-2:123456789012:/signing-profiles/west")))
			createRepo(t, c, tt.repo)
			res := push(t, c, tt.repo, 1, "v1")
			var got []string
			for _, s := range res.ReplicationStatuses {
				if s.Status != ecrapi.StatusInProgress || s.FailureCode != "" {
					t.Fatalf("after push %+v", s)
				}
				got = append(got, s.RegistryID+"/"+s.Region)
			}
			if !reflect.DeepEqual(got, tt.wantDests) {
				t.Fatalf("destinations %v, want %v", got, tt.wantDests)
			}
			id := &ecrapi.ImageIdentifier{ImageTag: "v1"}
			if len(tt.wantDests) > 0 && tt.wantDests[0] == "123456789012/us-west-2" {
				_, err := west.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: tt.repo, ImageID: id})
				wantAPIError(t, err, "ImageNotFoundException", "") // not there before replication completes
			}
			clk.Advance(DefaultReplicationLatency)
			rs := must(c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: tt.repo, ImageID: id}))(t)
			for _, s := range rs.ReplicationStatuses {
				if s.Status != ecrapi.StatusComplete {
					t.Fatalf("settled %+v", s)
				}
			}
			if len(rs.ReplicationStatuses) != len(tt.wantDests) {
				t.Fatalf("describe %+v", rs)
			}
			if tt.wantDests[0] != "123456789012/us-west-2" {
				return
			}
			clk.Advance(DefaultSigningLatency)
			replica := must(west.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: tt.repo, ImageID: id}))(t)
			if len(replica.ReplicationStatuses) != 0 {
				t.Fatalf("replica replicated onward: %+v", replica)
			}
			ss := statuses(t, west, tt.repo, *id)
			if tt.wantSigned != (len(ss) == 1 && ss[0].Status == ecrapi.StatusComplete) {
				t.Fatalf("SignReplicatedImages=%v, replica statuses %+v", tt.signRepl, ss)
			}
			// Nothing came back to the source: its image was pushed once.
			if n := w.registries[registryKey{"123456789012", "us-east-1"}].repos[tt.repo].images[ecrapi.Digest(manifest(1))].pushes; n != 1 {
				t.Fatalf("source image pushed %d times", n)
			}
		})
	}
}

func TestReplicationFaults(t *testing.T) {
	_, clk, c := newTestWorld(WithOptions(Options{ReplicationLatency: time.Second, Faults: Faults{Seed: 1, ReplicationFailureRate: 1}}))
	must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"))}}}))(t)
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	clk.Advance(time.Second)
	rs := must(c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: "team/api", ImageID: &ecrapi.ImageIdentifier{ImageTag: "v1"}}))(t)
	if len(rs.ReplicationStatuses) != 1 || rs.ReplicationStatuses[0].Status != ecrapi.StatusFailed || rs.ReplicationStatuses[0].FailureCode != ecrapi.FailureTransient {
		t.Fatalf("%+v", rs)
	}
}

func TestZeroLatencySettlesAtOnce(t *testing.T) {
	_, _, c := newTestWorld(WithOptions(Options{}))
	putSigning(t, c, signing(rule(profProd)))
	createRepo(t, c, "team/api")
	if res := push(t, c, "team/api", 1, ""); res.SigningStatuses[0].Status != ecrapi.StatusComplete {
		t.Fatalf("%+v", res.SigningStatuses)
	}
}

func TestFaultsAreDeterministic(t *testing.T) {
	run := func(seed uint64) (codes []string) {
		_, _, c := newTestWorld(WithOptions(Options{Faults: Faults{Seed: seed, SigningFailureRate: 0.5, ServerErrorRate: 0.2}}))
		for {
			if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd), rule(profAudit))}); err == nil {
				break
			}
		}
		for {
			if _, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api"}); err == nil {
				break
			}
		}
		for i := 0; i < 50; i++ {
			res, err := c.Push(&ecrapi.PutImageRequest{RepositoryName: "team/api", ImageManifest: manifest(i)})
			if err != nil {
				wantAPIError(t, err, "ServerException", "ecrsign fault injection")
				codes = append(codes, "server")
				continue
			}
			for _, s := range res.SigningStatuses {
				codes = append(codes, s.FailureCode)
			}
		}
		return codes
	}
	a, b, other := run(42), run(42), run(43)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different faults")
	}
	if reflect.DeepEqual(a, other) {
		t.Fatal("different seeds, same faults")
	}
	var server, transient, ok int
	for _, c := range a {
		switch c {
		case "server":
			server++
		case ecrapi.FailureTransient:
			transient++
		case "":
			ok++
		}
	}
	if server == 0 || transient == 0 || ok == 0 {
		t.Fatalf("rates not applied: %d server, %d transient, %d ok", server, transient, ok)
	}
}

func TestServerFaultChangesNothing(t *testing.T) {
	_, _, c := newTestWorld(WithOptions(Options{Faults: Faults{ServerErrorRate: 1}}))
	calls := map[string]func() error{
		ecrapi.OpPutSigningConfiguration: func() error {
			_, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing()})
			return err
		},
		ecrapi.OpGetSigningConfiguration:    func() error { _, err := c.GetSigningConfiguration(nil); return err },
		ecrapi.OpDeleteSigningConfiguration: func() error { _, err := c.DeleteSigningConfiguration(nil); return err },
		ecrapi.OpPutReplicationConfiguration: func() error {
			_, err := c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}})
			return err
		},
		ecrapi.OpDescribeRegistry: func() error { _, err := c.DescribeRegistry(nil); return err },
		ecrapi.OpCreateRepository: func() error {
			_, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "ab"})
			return err
		},
		ecrapi.OpPutImage: func() error {
			_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "ab", ImageManifest: manifest(1)})
			return err
		},
		ecrapi.OpDescribeImageSigningStatus: func() error {
			_, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: "ab", ImageID: &ecrapi.ImageIdentifier{ImageTag: "x"}})
			return err
		},
		ecrapi.OpDescribeImageReplicationStatus: func() error {
			_, err := c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: "ab", ImageID: &ecrapi.ImageIdentifier{ImageTag: "x"}})
			return err
		},
	}
	for op, call := range map[string]func() error{
		ecrapi.OpDescribeRepositories: func() error { _, err := c.DescribeRepositories(nil); return err },
		ecrapi.OpDeleteRepository: func() error {
			_, err := c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "ab"})
			return err
		},
		ecrapi.OpDescribeImages: func() error {
			_, err := c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "ab"})
			return err
		},
		ecrapi.OpListImages: func() error { _, err := c.ListImages(&ecrapi.ListImagesRequest{RepositoryName: "ab"}); return err },
		ecrapi.OpBatchGetImage: func() error {
			_, err := c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "ab", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "x"}}})
			return err
		},
		ecrapi.OpBatchDeleteImage: func() error {
			_, err := c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "ab", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "x"}}})
			return err
		},
		ecrapi.OpPutImageTagMutability: func() error {
			_, err := c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "ab", ImageTagMutability: ecrapi.TagImmutable})
			return err
		},
		ecrapi.OpGetAuthorizationToken: func() error { _, err := c.GetAuthorizationToken(nil); return err },
		ecrapi.OpBatchCheckLayerAvailability: func() error {
			_, err := c.BatchCheckLayerAvailability(&ecrapi.BatchCheckLayerAvailabilityRequest{RepositoryName: "ab", LayerDigests: []string{"sha256:x"}})
			return err
		},
		ecrapi.OpInitiateLayerUpload: func() error {
			_, err := c.InitiateLayerUpload(&ecrapi.InitiateLayerUploadRequest{RepositoryName: "ab"})
			return err
		},
		ecrapi.OpUploadLayerPart: func() error {
			zero := int64(0)
			_, err := c.UploadLayerPart(&ecrapi.UploadLayerPartRequest{RepositoryName: "ab", UploadID: "u", PartFirstByte: &zero, PartLastByte: &zero, LayerPartBlob: []byte("x")})
			return err
		},
		ecrapi.OpCompleteLayerUpload: func() error {
			_, err := c.CompleteLayerUpload(&ecrapi.CompleteLayerUploadRequest{RepositoryName: "ab", UploadID: "u", LayerDigests: []string{ecrapi.Digest("x")}})
			return err
		},
		ecrapi.OpGetDownloadUrlForLayer: func() error {
			_, err := c.GetDownloadUrlForLayer(&ecrapi.GetDownloadUrlForLayerRequest{RepositoryName: "ab", LayerDigest: ecrapi.Digest("x")})
			return err
		},
		ecrapi.OpListImageReferrers: func() error {
			_, err := c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "ab", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest("x")}})
			return err
		},
		ecrapi.OpTagResource: func() error {
			_, err := c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/ab", Tags: []ecrapi.ResourceTag{}})
			return err
		},
		ecrapi.OpUntagResource: func() error {
			_, err := c.UntagResource(&ecrapi.UntagResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/ab", TagKeys: []string{}})
			return err
		},
		ecrapi.OpListTagsForResource: func() error {
			_, err := c.ListTagsForResource(&ecrapi.ListTagsForResourceRequest{ResourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/ab"})
			return err
		},
	} {
		calls[op] = call
	}
	if len(calls) != len(ecrapi.Operations()) {
		t.Fatalf("test covers %d operations of %d", len(calls), len(ecrapi.Operations()))
	}
	for op, call := range calls {
		wantAPIError(t, call(), "ServerException", op)
	}
	if n := len(c.w.registries); n != 0 {
		t.Fatalf("failed operations created %d registries", n)
	}
}

func TestCreateOnPushKeepsNothingFromAFailedPush(t *testing.T) {
	w, _, c := newTestWorld(WithOptions(Options{CreateRepositoryOnPush: true}))
	_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "new/repo", ImageManifest: index(ecrapi.Digest(manifest(1)))})
	wantAPIError(t, err, "ReferencedImagesNotFoundException", "")
	if len(w.registries) != 0 {
		t.Fatal("a failed push created its repository")
	}
}
