package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// FuzzStoreReopen runs random sequences of operations against a world with a store and
// reopens it: the reopened world is the world that was in memory, byte for byte in the world
// file form, so every operation stored exactly what it changed (and nothing of what failed).
func FuzzStoreReopen(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{9, 0, 3, 1, 4, 0, 2, 2, 5, 5, 0, 1, 3, 7, 1, 2, 3, 0, 5, 4, 0, 3, 2, 9, 9, 9, 6, 6, 2})
	f.Add([]byte("\x0f\x00\x03\x02\x05\x04\x03\x02\x01\x05\x05\x05\x05\x06\x07\x08\x09\x0a\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &simBytes{b: data}
		opts := sim.DefaultOptions()
		flags := s.next()
		opts.SignReplicatedImages = flags&1 != 0
		opts.CreateRepositoryOnPush = flags&8 != 0
		opts.Faults = sim.Faults{Seed: uint64(s.next()), SigningFailureRate: float64(s.next()%4) / 4}
		limits := sim.DefaultLimits()
		limits.RepositoriesPerRegistry, limits.ImagesPerRepository = 1+s.next()%4, 1+s.next()%4
		path := filepath.Join(t.TempDir(), "state.db")
		seed := func() (*sim.World, error) {
			return sim.New(sim.WithClock(sim.NewFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))), sim.WithOptions(opts)), nil
		}
		w, err := sim.Open(path, sim.WithSeed(seed), sim.WithoutSync(), sim.WithLimits(limits))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { w.Close() }()
		callers := []sim.Caller{{}, {Region: "us-west-2"}, {Account: "210987654321"}}
		var pushed []string
		for steps := 0; !s.done() && steps < 64; steps++ {
			caller := w.Caller(callers[s.next()%len(callers)])
			c, reg := w.Client(caller), w.Registry(caller)
			repo := s.str(simNameAlphabet, 4)
			switch s.next() % 14 {
			case 0:
				c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: simSigning(s)})
			case 1:
				c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: simReplication(s)})
			case 2:
				mut := []string{"", ecrapi.TagMutable, ecrapi.TagImmutable}[s.next()%3]
				c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: repo, ImageTagMutability: mut})
			case 3:
				c.DeleteSigningConfiguration(nil)
			case 4:
				w.ChangeClock(sim.ClockChange{Advance: time.Duration(s.next()) * 100 * time.Millisecond})
			case 5:
				w.SetProfileStatus(simProfile(s), []sim.ProfileStatus{sim.ProfileActive, sim.ProfileRevoked, sim.ProfileAbsent}[s.next()%3])
			case 6:
				c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: repo, Force: s.next()%2 == 0})
			case 7:
				id := ecrapi.ImageIdentifier{ImageTag: []string{"", "v1", "v2", "latest"}[s.next()%4]}
				if len(pushed) > 0 && (id.ImageTag == "" || s.next()%2 == 0) {
					id.ImageDigest = pushed[int(s.next())%len(pushed)]
				}
				c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: repo, ImageIDs: []ecrapi.ImageIdentifier{id}})
			case 8:
				c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: repo, ImageTagMutability: []string{ecrapi.TagMutable, ecrapi.TagImmutable}[s.next()%2]})
			case 9:
				arn := "arn:aws:ecr:" + caller.Region + ":" + caller.Account + ":repository/" + repo
				if key := s.str(simNameAlphabet, 2); s.next()%2 == 0 {
					c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "k" + key, Value: s.str(simNameAlphabet, 3)}}})
				} else {
					c.UntagResource(&ecrapi.UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"k" + key}})
				}
			case 10:
				w.ChangeClock(sim.ClockChange{Advance: time.Duration(s.next()) * time.Second})
				c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: repo, ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: []string{"v1", "v2", "latest"}[s.next()%3]}}})
			case 11:
				content := s.str(simNameAlphabet, 8)
				if id, err := reg.StartUpload(repo); err == nil {
					reg.FinishUpload(repo, id, ecrapi.Digest(content), bytes.NewReader([]byte(content)))
				}
			default:
				tag := []string{"", "v1", "v2", "latest"}[s.next()%4]
				m := simManifest(s, pushed)
				if res, err := w.Push(caller, &ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: m, ImageTag: tag}); err == nil {
					pushed = append(pushed, res.Image.ImageID.ImageDigest)
				}
			}
		}
		var before, after bytes.Buffer
		if err := w.Save(&before); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if w, err = sim.Open(path, sim.WithoutSync()); err != nil {
			t.Fatalf("reopening: %v", err)
		}
		if err := w.Save(&after); err != nil {
			t.Fatal(err)
		}
		// The operation counter (for fault injection) counts reads and failed operations too,
		// which store nothing; it is stored with the next change.
		if b, a := withoutOperations(t, before.Bytes()), withoutOperations(t, after.Bytes()); !reflect.DeepEqual(b, a) {
			t.Fatalf("the reopened world differs: %s", firstDiff(before.String(), after.String()))
		}
	})
}

func withoutOperations(t *testing.T, file []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(file, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "operations")
	return m
}

func firstDiff(a, b string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("at byte %d: %q / %q", i, a[max(0, i-80):min(len(a), i+80)], b[max(0, i-80):min(len(b), i+80)])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}
