package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// openTest opens a store in a temporary directory (or at path) and closes it after the test.
func openTest(t *testing.T, path string, opts ...Option) *World {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "state.db")
	}
	w, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func saved(t *testing.T, w *World) string {
	t.Helper()
	var b bytes.Buffer
	if err := w.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// firstDifference shows where two world files part.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n%s\n---\n%s", i+1, strings.Join(al[max(0, i-3):min(len(al), i+3)], "\n"), strings.Join(bl[max(0, i-3):min(len(bl), i+3)], "\n"))
		}
	}
	return fmt.Sprintf("%d lines, then %d", len(al), len(bl))
}

// reopen closes a world and opens its store again.
func reopen(t *testing.T, w *World) *World {
	t.Helper()
	path := w.store.path
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return openTest(t, path)
}

// TestStoreHoldsWhatMemoryHolds runs every kind of change against a world with a store and
// checks, after each phase, that the world reopened from the store is the world in memory:
// each operation stored exactly what it changed.
func TestStoreHoldsWhatMemoryHolds(t *testing.T) {
	seed := func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{SigningLatency: time.Second, ReplicationLatency: 5 * time.Second, CreateRepositoryOnPush: true, SignReplicatedImages: true})), nil
	}
	w := openTest(t, "", WithSeed(seed))
	west := Caller{Region: "us-west-2"}
	c, cw := w.client(Caller{}), w.client(west)
	phases := []func(){
		func() {
			must(0, w.SetProfileStatus(profAudit, ProfileRevoked))(t)
			must(0, w.GrantProfiles("arn:aws:iam::123456789012:role/dev", profProd))(t)
			putSigning(t, c, signing(rule(profProd, "team/*"), rule(profAudit)))
			must(cw.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profWest))}))(t)
			must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"))}}}))(t)
			must(c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable}))(t)
			must(cw.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "team/web", ImageTagMutability: ecrapi.TagImmutable}))(t)
		},
		func() {
			push(t, c, "team/api", 1, "v1")
			push(t, c, "team/web", 2, "v1") // created on push; replica in flight holds v1 in the west
			push(t, c, "team/api", 3, "")
			must(0, w.ChangeClock(ClockChange{Advance: 10 * time.Second}))(t)
		},
		func() {
			push(t, c, "team/web", 4, "v2") // settles the moves that happened
			push(t, c, "svc", 5, "latest")
			push(t, c, "svc", 6, "latest") // the tag moves
			must(c.DeleteSigningConfiguration(nil))(t)
			push(t, c, "svc", 6, "again")
			o := w.Options()
			o.Faults = Faults{Seed: 7, SigningFailureRate: 0.5}
			must(0, w.SetOptions(o))(t)
			f := true
			must(0, w.ChangeClock(ClockChange{Freeze: &f, Advance: time.Hour}))(t)
		},
	}
	for i, phase := range phases {
		phase()
		before := saved(t, w)
		w = reopen(t, w)
		c, cw = w.client(Caller{}), w.client(west)
		if after := saved(t, w); after != before {
			t.Fatalf("phase %d: the reopened world differs from the world in memory: %s", i, firstDifference(before, after))
		}
	}
}

// TestStoreConcurrentChanges: changes from many goroutines, committed together, are all in
// the store, as in memory.
func TestStoreConcurrentChanges(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{CreateRepositoryOnPush: true})), nil
	}))
	putSigning(t, w.client(Caller{}), signing(rule(profProd, "team/*")))
	var wg sync.WaitGroup
	errs := make(chan error, 16*20)
	for g := range 16 {
		wg.Go(func() {
			c := w.client(Caller{Account: fmt.Sprintf("1000000000%02d", g%4)})
			for i := range 20 {
				repo := fmt.Sprintf("team/r%d", (g+i)%3)
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: manifest(g*100 + i), ImageTag: fmt.Sprintf("t%d", i%5)}); err != nil {
					errs <- err
				}
				if i%7 == 0 {
					if _, err := c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd, fmt.Sprintf("team/r%d", i%3)))}); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	before := saved(t, w)
	if after := saved(t, reopen(t, w)); after != before {
		t.Fatalf("the reopened world differs: %s", firstDifference(before, after))
	}
}

// TestStoreLocked: regression: two servers on one state file both answered, and the last
// save won. The second Open fails, naming the file and the process that holds it.
func TestStoreLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	openTest(t, path)
	_, err := Open(path, WithLockTimeout(50*time.Millisecond))
	var le *LockedError
	if !errors.As(err, &le) || le.Path != path {
		t.Fatalf("second Open: %v, want a LockedError for %s", err, path)
	}
	for _, want := range []string{path, fmt.Sprintf("pid %d", os.Getpid())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// TestStoreMigratesJSON: a JSON state file of an earlier release is migrated: its world is
// stored, the old file kept beside the store.
func TestStoreMigratesJSON(t *testing.T) {
	old, _, c := newTestWorld()
	putSigning(t, c, signing(rule(profProd)))
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	path := filepath.Join(t.TempDir(), "state.json")
	var b bytes.Buffer
	if err := old.SaveCompact(&b); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b.Bytes(), 0o644)
	w := openTest(t, path)
	if got, want := saved(t, w), saved(t, old); got != want {
		t.Fatalf("migrated world differs: %s", firstDifference(got, want))
	}
	if kept, err := os.ReadFile(path + ".v0.json"); err != nil || !bytes.Equal(kept, b.Bytes()) {
		t.Fatalf("the old state file was not kept: %v", err)
	}
}

// TestStoreFromEmptyFile: an empty file (what a crash while a store is created leaves) is a
// new store.
func TestStoreFromEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	os.WriteFile(path, nil, 0o644)
	w := openTest(t, path)
	createRepo(t, w.client(Caller{}), "app")
	if _, err := reopen(t, w).client(Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "app"}); err == nil {
		t.Fatal("the repository did not survive")
	}
}

// TestStoreRefusesWhatItCannotRead: a file that is neither a store of this format nor a
// loadable JSON world stops Open with a StateError naming it, and is left unchanged.
func TestStoreRefusesWhatItCannotRead(t *testing.T) {
	otherFormat := filepath.Join(t.TempDir(), "other.db")
	db, err := bolt.Open(otherFormat, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket(bucketMeta)
		return b.Put(metaFormat, []byte("ecrsign-store/99"))
	})
	db.Close()
	formatBytes, _ := os.ReadFile(otherFormat)
	for _, tc := range []struct{ name, content, reason string }{
		{"torn JSON", `{"registries": [{"registryId": "1234`, "earlier release"},
		{"invalid JSON world", `{"registries": [{"registryId": "1", "region": "us-east-1"}]}`, "registryId must be 12 digits"},
		{"garbage", strings.Repeat("\x00\x01garbage", 1000), "invalid"},
		{"another format", string(formatBytes), `"ecrsign-store/99"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state")
			os.WriteFile(path, []byte(tc.content), 0o644)
			_, err := Open(path)
			var se *StateError
			if !errors.As(err, &se) || se.Path != path {
				t.Fatalf("want a StateError for %s, got %v", path, err)
			}
			for _, want := range []string{path, tc.reason, "left unchanged"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if after, _ := os.ReadFile(path); string(after) != tc.content {
				t.Fatal("the file was changed")
			}
		})
	}
}

// TestFailedCommitLeavesNoTrace: regression: a change whose save failed was applied all the
// same, visible at once and saved by the next commit, and its retry answered
// RepositoryAlreadyExistsException. A change that fails to commit is not applied; a retry
// behaves as the first try.
func TestFailedCommitLeavesNoTrace(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) { return New(WithOptions(Options{CreateRepositoryOnPush: true})), nil }))
	c := w.client(Caller{})
	createRepo(t, c, "kept")
	before := saved(t, w)
	w.store.db.Close() // every commit fails from now on, as on a disk that refuses writes
	for try := range 2 {
		_, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "lost"})
		wantAPIError(t, err, ecrapi.ServerException, "nothing of it was applied")
		_, err = c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "app", ImageManifest: manifest(try), ImageTag: "v1"})
		wantAPIError(t, err, ecrapi.ServerException, "nothing of it was applied")
		_, err = c.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd))})
		wantAPIError(t, err, ecrapi.ServerException, "")
		wantAPIError(t, w.ChangeClock(ClockChange{Advance: time.Hour}), ecrapi.ServerException, "")
	}
	after := saved(t, w)
	// The push counter may have moved (a Seq is never reused); nothing else did.
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, `"pushes":`) && !strings.Contains(l, `"operations":`) && !strings.Contains(l, `"clockOffset"`) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	if strip(after) != strip(before) {
		t.Fatalf("failed changes left a trace:\n%s\n---\n%s", before, after)
	}
}

// TestStoreLoadsLargeManifests: regression: manifests full of '<' grew 6x through JSON
// escaping and the restart refused the state file. The store keeps manifests as they are
// and loads whatever it accepted.
func TestStoreLoadsLargeManifests(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) { return New(WithOptions(Options{CreateRepositoryOnPush: true})), nil }))
	c := w.client(Caller{})
	var digests []string
	for n := range 3 {
		m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[],"annotations":{"x":"%s"}}`, n, strings.Repeat("<", ecrapi.MaxManifestBytes-400))
		res := must(c.Push(&ecrapi.PutImageRequest{RepositoryName: "app", ImageManifest: m}))(t)
		digests = append(digests, res.Image.ImageID.ImageDigest)
	}
	w = reopen(t, w)
	if used := w.store.size.Load(); used > 9*ecrapi.MaxManifestBytes { // copy-on-write pages: at most 3x
		t.Errorf("the store uses %d bytes for 3 manifests of %d bytes", used, ecrapi.MaxManifestBytes)
	}
	for _, d := range digests {
		statuses(t, w.client(Caller{}), "app", ecrapi.ImageIdentifier{ImageDigest: d})
	}
}

// TestLimits: past each limit the API answers as ECR does, and the world does not grow.
func TestLimits(t *testing.T) {
	w, _, c := newTestWorld(WithLimits(Limits{Registries: 2, RepositoriesPerRegistry: 2, ImagesPerRepository: 2}), WithOptions(Options{CreateRepositoryOnPush: true}))
	createRepo(t, c, "aa")
	createRepo(t, c, "bb")
	_, err := c.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "cc"})
	wantAPIError(t, err, ecrapi.LimitExceededException, "holds 2 repositories")
	_, err = c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "cc", ImageManifest: manifest(1)})
	wantAPIError(t, err, ecrapi.LimitExceededException, "holds 2 repositories")
	push(t, c, "aa", 1, "")
	push(t, c, "aa", 2, "")
	push(t, c, "aa", 2, "again") // a re-push is not a new image
	_, err = c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "aa", ImageManifest: manifest(3)})
	wantAPIError(t, err, ecrapi.LimitExceededException, "holds 2 images")

	other := w.client(Caller{Account: "210987654321"})
	createRepo(t, other, "xx") // the second registry
	third := w.client(Caller{Account: "333333333333"})
	_, err = third.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "xx"})
	wantAPIError(t, err, ecrapi.LimitExceededException, "registries")
	_, err = third.PutSigningConfiguration(&ecrapi.PutSigningConfigurationRequest{SigningConfiguration: signing(rule(profProd))})
	wantAPIError(t, err, ecrapi.ValidationException, "registries")

	// A replication into a registry past the limit fails; the replica is not stored.
	must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("444444444444", "us-east-1"))}}}))(t)
	res := push(t, c, "bb", 4, "")
	if got := res.ReplicationStatuses; len(got) != 1 || got[0].FailureCode != ecrapi.FailureLimitExceeded {
		t.Fatalf("replication past the registry limit: %+v", got)
	}
	if n := len(w.registries); n != 2 {
		t.Fatalf("the world holds %d registries, its limit is 2", n)
	}
}

// TestStoreSizeLimit: a change that would take the store past Limits.StoreBytes is refused
// with LimitExceededException (PutImage) and stores nothing.
func TestStoreSizeLimit(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) { return New(WithOptions(Options{CreateRepositoryOnPush: true})), nil }),
		WithLimits(Limits{StoreBytes: 1 << 20}))
	c := w.client(Caller{})
	m := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064x","size":2},"layers":[],"annotations":{"x":"%s"}}`, 1, strings.Repeat("y", 2<<20))
	_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "app", ImageManifest: m})
	wantAPIError(t, err, ecrapi.LimitExceededException, "store")
	_, err = c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: "app", ImageID: &ecrapi.ImageIdentifier{ImageDigest: ecrapi.Digest(m)}})
	wantAPIError(t, err, ecrapi.RepositoryNotFoundException, "")
}

// TestAckWritesDoNotGrowWithTheWorld: regression: every acknowledged write rewrote the whole
// world (1.05 s per push at 100k images). The pages a push writes are the same in a world of
// 20,000 images as in one of 100.
func TestAckWritesDoNotGrowWithTheWorld(t *testing.T) {
	pagesPerPush := func(images int) float64 {
		seed := func() (*World, error) {
			w := New(WithOptions(Options{CreateRepositoryOnPush: true}))
			c := w.client(Caller{})
			for i := range images {
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "fill", ImageManifest: manifest(1<<30 | i)}); err != nil {
					return nil, err
				}
			}
			return w, nil
		}
		w := openTest(t, "", WithSeed(seed), WithoutSync())
		c := w.client(Caller{})
		writes := func() int64 { st := w.store.db.Stats(); return st.TxStats.GetWrite() }
		before := writes()
		const pushes = 20
		for i := range pushes {
			must(c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "app", ImageManifest: manifest(i)}))(t)
		}
		return float64(writes()-before) / pushes
	}
	small, large := pagesPerPush(100), pagesPerPush(20_000)
	t.Logf("pages written per push: %.1f with 100 images, %.1f with 20,000", small, large)
	if large > 2*small {
		t.Fatalf("a push writes %.1f pages in a world of 20,000 images, %.1f in one of 100", large, small)
	}
}

// TestStoreHoldsRegistryOperations runs the repository, image, layer and tag operations
// against a world with a store and checks, after each phase, that the world reopened from the
// store is the world in memory, and that the layers' bytes are in the blob area.
func TestStoreHoldsRegistryOperations(t *testing.T) {
	seed := func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{SigningLatency: time.Second, ReplicationLatency: 5 * time.Second, SignReplicatedImages: true})), nil
	}
	w := openTest(t, "", WithSeed(seed))
	c := w.client(Caller{})
	arn := "arn:aws:ecr:us-east-1:123456789012:repository/team/api"
	layer := strings.Repeat("layer ", 300_000) // two chunks of the blob area
	upload := func(repo, content string) {
		t.Helper()
		id := must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", repo))(t)
		must(c.finishUpload(ecrapi.OpCompleteLayerUpload, "", repo, id, ecrapi.Digest(content), strings.NewReader(content), true))(t)
	}
	phases := []func(){
		func() {
			putSigning(t, c, signing(rule(profProd, "team/*")))
			must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{replRule(nil, dest("123456789012", "us-west-2"))}}}))(t)
			createRepo(t, c, "team/api")
			createRepo(t, c, "team/gone")
			upload("team/api", layer)
			upload("team/gone", "gone")
			must(c.mountBlob("team/gone", "team/api", ecrapi.Digest(layer)))(t)
			push(t, c, "team/api", 1, "v1")
			push(t, c, "team/api", 2, "v2")
			push(t, c, "team/gone", 3, "")
			must(c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "team", Value: "a"}, {Key: "cost", Value: "b"}}}))(t)
		},
		func() {
			must(0, w.ChangeClock(ClockChange{Advance: 10 * time.Second}))(t) // signed; replicas there
			must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t)
			must(c.getManifest("team/api", "v2", true))(t)
			sig := must(c.ListImageReferrers(&ecrapi.ListImageReferrersRequest{RepositoryName: "team/api", SubjectID: &ecrapi.SubjectIdentifier{ImageDigest: ecrapi.Digest(manifest(1))}}))(t).Referrers[0]
			del := must(c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageDigest: sig.Digest}, {ImageTag: "v2"}}}))(t)
			if len(del.Failures) != 0 {
				t.Fatalf("%+v", del.Failures)
			}
			must(c.UntagResource(&ecrapi.UntagResourceRequest{ResourceArn: arn, TagKeys: []string{"cost"}}))(t)
			must(c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable}))(t)
			must(c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/gone", Force: true}))(t)
		},
		func() {
			must(0, w.ChangeClock(ClockChange{Advance: time.Hour}))(t)
			must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t)
			createRepo(t, c, "team/gone") // a new repository of the same name starts empty
		},
	}
	for i, phase := range phases {
		phase()
		before := saved(t, w)
		w = reopen(t, w)
		c = w.client(Caller{})
		if after := saved(t, w); after != before {
			t.Fatalf("phase %d: the reopened world differs from the world in memory: %s", i, firstDifference(before, after))
		}
	}
	rc, n, err := c.openBlob("team/api", ecrapi.Digest(layer))
	if err != nil || n != int64(len(layer)) {
		t.Fatalf("the layer after a reopen: %d bytes, %v", n, err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(b) != layer {
		t.Fatalf("the layer's bytes after a reopen differ (%d bytes, %v)", len(b), err)
	}
	if imgs := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/gone"}))(t).ImageDetails; len(imgs) != 0 {
		t.Fatalf("the deleted repository's images came back: %+v", imgs)
	}
	if _, _, err := c.openBlob("team/gone", ecrapi.Digest("gone")); err == nil {
		t.Fatal("the deleted repository's layer came back")
	}
	d := must(c.DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t).ImageDetails[0]
	if d.LastRecordedPullTime == nil || !d.LastRecordedPullTime.Time.Equal(t0.Add(10*time.Second+time.Hour)) {
		t.Fatalf("lastRecordedPullTime after a reopen: %+v", d.LastRecordedPullTime)
	}
}

// TestFailedRegistryCommitsLeaveNoTrace: the repository, image, layer and tag operations
// whose commit fails change nothing, and their retry behaves as the first try.
func TestFailedRegistryCommitsLeaveNoTrace(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) { return New(WithClock(NewFrozenClock(t0))), nil }))
	c := w.client(Caller{})
	createRepo(t, c, "team/api")
	push(t, c, "team/api", 1, "v1")
	id := must(c.startUpload(ecrapi.OpInitiateLayerUpload, "", "team/api"))(t)
	must(c.appendUpload(ecrapi.OpUploadLayerPart, "", "team/api", id, 0, strings.NewReader("layer")))(t)
	before := saved(t, w)
	w.store.db.Close() // every commit fails from now on
	arn := "arn:aws:ecr:us-east-1:123456789012:repository/team/api"
	for range 2 {
		_, err := c.DeleteRepository(&ecrapi.DeleteRepositoryRequest{RepositoryName: "team/api", Force: true})
		wantAPIError(t, err, ecrapi.ServerException, "nothing of it was applied")
		_, err = c.BatchDeleteImage(&ecrapi.BatchDeleteImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}})
		wantAPIError(t, err, ecrapi.ServerException, "nothing of it was applied")
		_, err = c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/api", ImageTagMutability: ecrapi.TagImmutable})
		wantAPIError(t, err, ecrapi.ServerException, "")
		_, err = c.TagResource(&ecrapi.TagResourceRequest{ResourceArn: arn, Tags: []ecrapi.ResourceTag{{Key: "team", Value: "a"}}})
		wantAPIError(t, err, ecrapi.ServerException, "")
		// a pull is served even when its time cannot be recorded
		if got := must(c.BatchGetImage(&ecrapi.BatchGetImageRequest{RepositoryName: "team/api", ImageIDs: []ecrapi.ImageIdentifier{{ImageTag: "v1"}}}))(t); len(got.Images) != 1 {
			t.Fatalf("%+v", got)
		}
	}
	_, err := c.finishUpload(ecrapi.OpCompleteLayerUpload, "", "team/api", id, ecrapi.Digest("layer"), nil, true)
	wantAPIError(t, err, ecrapi.ServerException, "the upload was not completed")
	// the operation counter moves (fault injection numbers operations); nothing else does
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, `"operations":`) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	if after := saved(t, w); strip(after) != strip(before) {
		t.Fatalf("failed changes left a trace: %s", firstDifference(strip(before), strip(after)))
	}
}

// TestCloseTwice: closing a world again does nothing, even once another has opened its
// store; a change after Close fails and is not applied.
func TestCloseTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	a := openTest(t, path)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := a.client(Caller{}).CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: "late"})
	wantAPIError(t, err, ecrapi.ServerException, "closed")
	b := openTest(t, path)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if holder := readOwner(ownerFile(path)); !strings.Contains(holder, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("closing the old world again removed the new one's pid record: %s", holder)
	}
	createRepo(t, b.client(Caller{}), "app")
}

// TestPushesIntoOneRepositoryShareCommits: pushes of distinct manifests into one repository
// share its scope, so they are committed together (before, each held the repository until
// its own commit was durable: one commit per push). Every push is acknowledged and stored,
// and a push of the same tag or manifest at once still runs one after the other.
func TestPushesIntoOneRepositoryShareCommits(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{CreateRepositoryOnPush: true})), nil
	}))
	c := w.client(Caller{})
	putSigning(t, c, signing(rule(profProd, "team/*")))
	createRepo(t, c, "team/one")
	const clients, each = 32, 10
	commits := w.StoreCommits()
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for g := range clients {
		wg.Go(func() {
			for i := range each {
				// every client also pushes tag "shared", so that pushes of one tag meet
				tag := fmt.Sprintf("c%d-%d", g, i)
				if i == 0 {
					tag = "shared"
				}
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/one", ImageManifest: manifest(g*100 + i), ImageTag: tag}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := w.StoreCommits() - commits; n >= clients*each {
		t.Errorf("%d pushes into one repository took %d commits: none was shared", clients*each, n)
	}
	// reads count operations, which only a change stores: compare before reading
	before := saved(t, w)
	w = reopen(t, w)
	if after := saved(t, w); after != before {
		t.Fatalf("the reopened world differs: %s", firstDifference(before, after))
	}
	out, err := w.client(Caller{}).DescribeImages(&ecrapi.DescribeImagesRequest{RepositoryName: "team/one", MaxResults: new(int32(1000))})
	if err != nil {
		t.Fatal(err)
	}
	pushed := map[string]bool{}
	for g := range clients {
		for i := range each {
			pushed[ecrapi.Digest(manifest(g*100+i))] = true
		}
	}
	n := 0
	for _, d := range out.ImageDetails {
		if pushed[d.ImageDigest] {
			n++
		}
	}
	if n != clients*each {
		t.Fatalf("the repository holds %d of the %d images pushed", n, clients*each)
	}
}

// TestConcurrentPushesKeepTheImageLimit: pushes that share a repository are each checked
// against the images stored, so near the limit they take the repository one at a time: no
// number of concurrent pushes takes it past ImagesPerRepository.
func TestConcurrentPushesKeepTheImageLimit(t *testing.T) {
	const limit = 40
	w := openTest(t, "", WithSeed(func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{CreateRepositoryOnPush: true})), nil
	}), WithLimits(Limits{ImagesPerRepository: limit}))
	c := w.client(Caller{})
	createRepo(t, c, "team/one")
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for g := range 32 {
		wg.Go(func() {
			for i := range 4 {
				_, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/one", ImageManifest: manifest(g*100 + i)})
				var api *ecrapi.Error
				switch {
				case err == nil:
					mu.Lock()
					accepted++
					mu.Unlock()
				case !errors.As(err, &api) || api.Code != ecrapi.LimitExceededException:
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if accepted != limit {
		t.Fatalf("%d pushes accepted into a repository of at most %d images", accepted, limit)
	}
}

// TestExclusiveOperationIsNotStarved: an operation that needs a whole repository gets it
// while pushes keep sharing it: once it waits, new pushes wait behind it.
func TestExclusiveOperationIsNotStarved(t *testing.T) {
	w := openTest(t, "", WithSeed(func() (*World, error) {
		return New(WithClock(NewFrozenClock(t0)), WithOptions(Options{CreateRepositoryOnPush: true})), nil
	}), WithLimits(Limits{}))
	c := w.client(Caller{})
	createRepo(t, c, "team/one")
	stop := make(chan struct{})
	var pushed sync.WaitGroup
	var wg sync.WaitGroup
	pushed.Add(1)
	var once sync.Once
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.PutImage(&ecrapi.PutImageRequest{RepositoryName: "team/one", ImageManifest: manifest(g*1_000_000 + i)}); err != nil {
					t.Error(err)
					return
				}
				if i == 20 {
					once.Do(pushed.Done)
				}
			}
		})
	}
	pushed.Wait() // the pushes are under way
	done := make(chan error, 1)
	go func() {
		_, err := c.PutImageTagMutability(&ecrapi.PutImageTagMutabilityRequest{RepositoryName: "team/one", ImageTagMutability: ecrapi.TagImmutable})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(time.Minute): // a deadline, not a wait: the call returns in milliseconds
		t.Error("PutImageTagMutability did not get the repository within a minute of pushes")
	}
	close(stop)
	wg.Wait()
}
