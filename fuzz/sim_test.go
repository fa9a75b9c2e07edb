package fuzz

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/internal/manifest"
	"github.com/ecrsign/ecrsign/internal/manifest/oracle"
	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
	"github.com/ecrsign/ecrsign/sim/simtest"
)

// simBytes hands out the fuzzer's bytes as small decisions; zeros once they run out.
type simBytes struct {
	b []byte
	i int
}

func (s *simBytes) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return int(s.b[s.i-1])
}

func (s *simBytes) done() bool { return s.i >= len(s.b) }

// str builds a string of up to max characters of alphabet; valid and invalid names and
// filters both come out of it.
func (s *simBytes) str(alphabet string, max int) string {
	n := s.next() % (max + 1)
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[s.next()%len(alphabet)]
	}
	return string(out)
}

func simProfile(s *simBytes) string {
	switch s.next() % 8 {
	case 0:
		return "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/far" // another region
	case 1:
		return "arn:aws:signer:us-east-1:123456789012:/signing-profiles/bad-name" // invalid
	case 2:
		return "arn:aws:signer:us-east-1:210987654321:/signing-profiles/shared" // another account
	}
	return fmt.Sprintf("arn:aws:signer:us-east-1:123456789012:/signing-profiles/p%d", s.next()%4)
}

const simNameAlphabet = "ab/-_.a"

func simSigning(s *simBytes) *rules.SigningConfiguration {
	if s.next()%16 == 0 {
		return nil
	}
	cfg := &rules.SigningConfiguration{Rules: []rules.SigningRule{}}
	for n := s.next() % 5; n > 0; n-- {
		r := rules.SigningRule{SigningProfileArn: simProfile(s)}
		if k := s.next() % 4; k > 0 {
			r.RepositoryFilters = []rules.SigningRepositoryFilter{}
			for ; k > 1; k-- {
				ft := rules.WildcardMatch
				if s.next()%16 == 0 {
					ft = "PREFIX_MATCH"
				}
				r.RepositoryFilters = append(r.RepositoryFilters, rules.SigningRepositoryFilter{Filter: s.str("ab*/-._*A", 6), FilterType: ft})
			}
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	return cfg
}

func simReplication(s *simBytes) *rules.ReplicationConfiguration {
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "X"}
	accounts := []string{"123456789012", "210987654321", "1"}
	cfg := &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{}}
	for n := s.next() % 3; n > 0; n-- {
		r := rules.ReplicationRule{Destinations: []rules.ReplicationDestination{}}
		for k := s.next() % 3; k > 0; k-- {
			r.Destinations = append(r.Destinations, rules.ReplicationDestination{Region: regions[s.next()%len(regions)], RegistryID: accounts[s.next()%len(accounts)]})
		}
		if s.next()%2 == 0 {
			r.RepositoryFilters = []rules.RepositoryFilter{{Filter: s.str(simNameAlphabet, 4), FilterType: rules.PrefixMatch}}
		}
		cfg.Rules = append(cfg.Rules, r)
	}
	return cfg
}

func simManifest(s *simBytes, pushed []string) string {
	switch s.next() % 8 {
	case 0:
		return "{not json"
	case 1:
		return `{"schemaVersion":2}` // no media type
	case 2:
		if len(pushed) > 0 { // a signature of an image pushed before
			return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","subject":{"digest":%q}}`, pushed[s.next()%len(pushed)])
		}
	case 3:
		d := "sha256:0000"
		if len(pushed) > 0 {
			d = pushed[s.next()%len(pushed)]
		}
		return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":%q}]}`, d)
	}
	return fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:%064x"}}`, s.next()%6)
}

// FuzzSim runs random sequences of operations against the simulator and holds it to its
// invariants: every error is an exception the model lists for the operation, never a panic;
// every push has exactly one status per profile the matcher says applies; statuses only
// change by pushes, never by configuration changes; nothing is lost or duplicated.
func FuzzSim(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 3, 0, 0, 4, 1, 2, 5, 2, 1, 4, 5, 0, 0, 6, 0, 8, 200})
	f.Add([]byte("\x00\x03\x02\x05\x04\x03\x02\x01\x05\x05\x05\x05\x06\x07\x08\x09\x0a\x00\x01"))
	f.Add([]byte{9, 0, 3, 1, 4, 0, 2, 2, 5, 5, 0, 1, 3, 7, 1, 2, 3, 0, 5, 4, 0, 3, 2, 9, 9, 9, 6, 6, 2})
	f.Fuzz(fuzzSimSequence)
}

// fuzzSimSequence runs the operations data encodes and checks the invariants.
func fuzzSimSequence(t *testing.T, data []byte) {
	s := &simBytes{b: data}
	opts := sim.DefaultOptions()
	flags := s.next()
	opts.SignReplicatedImages = flags&1 != 0
	opts.StrictProfiles = flags&2 != 0
	opts.StrictPrincipals = flags&4 != 0
	opts.CreateRepositoryOnPush = flags&8 != 0
	opts.Faults = sim.Faults{Seed: uint64(s.next()), SigningFailureRate: float64(s.next()%4) / 4, ServerErrorRate: float64(s.next()%4) / 8}
	clk := sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	w := sim.New(sim.WithClock(clk), sim.WithOptions(opts))
	c := w.Client(sim.Caller{})
	ledger := simtest.NewLedger()
	var pushed []string
	type seen struct{ repo, digest string }
	last := map[seen][]ecrapi.ImageSigningStatus{} // statuses last described, and no push since
	check := func(op string, err error) {
		if e := simtest.CheckError(op, err); e != nil {
			t.Fatal(e)
		}
	}
	for steps := 0; !s.done() && steps < 200; steps++ {
		switch s.next() % 10 {
		case 0:
			_, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: simSigning(s)})
			check(ecrapi.OpPutSigningConfiguration, err)
		case 1:
			_, err := c.DeleteSigningConfiguration(nil)
			check(ecrapi.OpDeleteSigningConfiguration, err)
		case 2:
			_, err := c.GetSigningConfiguration(nil)
			check(ecrapi.OpGetSigningConfiguration, err)
		case 3:
			_, err := c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: simReplication(s)})
			check(ecrapi.OpPutReplicationConfiguration, err)
		case 4:
			_, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: s.str(simNameAlphabet, 5)})
			check(ecrapi.OpCreateRepository, err)
		case 5:
			req := &ecrapi.PutImageRequest{RepositoryName: s.str(simNameAlphabet, 5), ImageManifest: simManifest(s, pushed)}
			if s.next()%2 == 0 {
				req.ImageTag = fmt.Sprintf("t%d", s.next()%3)
			}
			if s.next()%8 == 0 {
				req.ImageDigest = "sha256:bad"
			}
			var predicted *sim.Prediction
			if pr, err := w.Predictor(sim.Caller{}, nil, nil); err != nil {
				t.Fatalf("predictor of the current configuration: %v", err)
			} else if predicted, err = pr.Predict(req); err != nil {
				check(ecrapi.OpPutImage, err)
			}
			res, err := ledger.Push(w, sim.Caller{}, req)
			if err != nil {
				check(ecrapi.OpPutImage, err)
				continue
			}
			if predicted == nil {
				t.Fatalf("push of %+v succeeded where the prediction failed", req)
			}
			if p, g := simProfiles(predicted.SigningStatuses(false)), simProfiles(res.SigningStatuses); p != g {
				t.Fatalf("predicted profiles %s, the push signed with %s", p, g)
			}
			if p, g := simDestinations(predicted.ReplicationStatuses(false)), simDestinations(res.ReplicationStatuses); p != g {
				t.Fatalf("predicted destinations %s, the push replicated to %s", p, g)
			}
			pushed = append(pushed, res.Image.ImageID.ImageDigest)
			delete(last, seen{req.RepositoryName, res.Image.ImageID.ImageDigest})
		case 6, 7:
			repo := s.str(simNameAlphabet, 5)
			id := &ecrapi.ImageIdentifier{ImageTag: fmt.Sprintf("t%d", s.next()%3)}
			if len(pushed) > 0 && s.next()%2 == 0 {
				id = &ecrapi.ImageIdentifier{ImageDigest: pushed[s.next()%len(pushed)]}
			}
			if s.next()%8 == 0 {
				id = nil
			}
			out, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: repo, ImageID: id})
			check(ecrapi.OpDescribeImageSigningStatus, err)
			if err == nil {
				k := seen{repo, out.ImageID.ImageDigest}
				if prev, ok := last[k]; ok && fmt.Sprint(prev) != fmt.Sprint(out.SigningStatuses) {
					t.Fatalf("%s@%s changed without a push or time passing: %v -> %v", repo, k.digest, prev, out.SigningStatuses)
				}
				last[k] = out.SigningStatuses
			}
			_, err = c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: repo, ImageID: id})
			check(ecrapi.OpDescribeImageReplicationStatus, err)
		case 8:
			clk.Advance(time.Duration(s.next()) * 100 * time.Millisecond)
			clear(last)
		case 9:
			statuses := []sim.ProfileStatus{sim.ProfileActive, sim.ProfileCanceled, sim.ProfileRevoked, sim.ProfileAbsent}
			arn, status := simProfile(s), statuses[s.next()%len(statuses)]
			if err := w.SetProfileStatus(arn, status); err != nil && !strings.Contains(arn, "bad-name") {
				t.Fatalf("SetProfileStatus(%s, %s): %v", arn, status, err)
			}
			if s.next()%2 == 0 {
				w.GrantProfiles(sim.DefaultPrincipal, simProfile(s))
			}
		}
	}
	w.SetOptions(sim.Options{}) // no more injected faults while verifying
	if err := ledger.Verify(c, false); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := ledger.Verify(c, true); err != nil {
		t.Fatal(err)
	}
}

func simDestinations(ss []ecrapi.ImageReplicationStatus) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.RegistryID + "/" + s.Region + " ")
	}
	return b.String()
}

func simProfiles(ss []ecrapi.ImageSigningStatus) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.SigningProfileArn)
		b.WriteByte(' ')
	}
	return b.String()
}

// FuzzSimManifest holds the simulator's one-pass manifest reader to encoding/json as the
// oracle: the same documents are accepted and the same members read.
func FuzzSimManifest(f *testing.F) {
	for _, s := range []string{
		`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:1","size":2},"layers":[]}`,
		`{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"digest":"sha256:a"},null,{}]}`,
		`{"subject":{"digest":"d"},"artifactType":"x","mediaType":"\u0061\ud800"}`,
		`{"a":[1,-0.5e+3,true,false,null,"\n"],"mediaType":null,"mediaType":"z"}`,
		`null`, `[]`, `{"a":01}`, `{"a":"\x"}`, "{\"a\":\"\xff\"}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		got, err := manifest.Read(doc)
		want, ok := simManifestOracle(doc)
		if (err == nil) != ok {
			t.Fatalf("Read(%q) error %v; encoding/json accepts it: %v", doc, err, ok)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("Read(%q) = %+v; encoding/json reads %+v", doc, got, want)
		}
	})
}

// simManifestOracle is the encoding/json reading of the members manifest.Read reads.
func simManifestOracle(doc string) (manifest.Info, bool) {
	o, ok := oracle.Read(doc)
	return manifest.Info{MediaType: o.MediaType, Subject: o.Subject, Manifests: o.Manifests}, ok
}
