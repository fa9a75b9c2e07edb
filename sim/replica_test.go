package sim

import (
	"bytes"
	"testing"

	"github.com/ecrsign/ecrsign/rules"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// TestReplicaTags: a replica's tag moves in the destination only when the replica appears,
// and an IMMUTABLE destination whose tag is on another image refuses the replica: that
// destination's status ends FAILED with IMAGE_TAG_ALREADY_EXISTS and nothing is stored.
func TestReplicaTags(t *testing.T) {
	const repo = "team/api"
	west := Caller{Region: "us-west-2"}
	d0, d1, d2 := ecrapi.Digest(manifest(0)), ecrapi.Digest(manifest(1)), ecrapi.Digest(manifest(2))
	tests := []struct {
		name string
		// setup prepares the destination repository (us-west-2) before the source push of
		// manifest(1) tagged v1; it may be nil.
		setup      func(t *testing.T, dst *client)
		wantBefore string // digest v1 names in the destination right after the push ("" none)
		wantAfter  string // and once replication settled
		wantStatus string
		wantCode   string
		wantStored bool // manifest(1) is in the destination once settled
	}{
		{name: "new repository: tag appears with the replica",
			wantBefore: "", wantAfter: d1, wantStatus: ecrapi.StatusComplete, wantStored: true},
		{name: "mutable: old image keeps the tag until the replica appears",
			setup:      func(t *testing.T, dst *client) { createRepo(t, dst, repo); push(t, dst, repo, 0, "v1") },
			wantBefore: d0, wantAfter: d1, wantStatus: ecrapi.StatusComplete, wantStored: true},
		{name: "immutable, tag on another image: replication fails, replica not stored",
			setup: func(t *testing.T, dst *client) {
				must(dst.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: repo, ImageTagMutability: ecrapi.TagImmutable}))(t)
				push(t, dst, repo, 0, "v1")
			},
			wantBefore: d0, wantAfter: d0, wantStatus: ecrapi.StatusFailed, wantCode: ecrapi.FailureImageTagAlreadyExists},
		{name: "immutable, tag on the same image: no conflict",
			setup: func(t *testing.T, dst *client) {
				must(dst.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: repo, ImageTagMutability: ecrapi.TagImmutable}))(t)
				push(t, dst, repo, 1, "v1")
			},
			wantBefore: d1, wantAfter: d1, wantStatus: ecrapi.StatusComplete, wantStored: true},
		{name: "immutable, tag free: replicated",
			setup: func(t *testing.T, dst *client) {
				must(dst.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: repo, ImageTagMutability: ecrapi.TagImmutable}))(t)
				push(t, dst, repo, 0, "other")
			},
			wantBefore: "", wantAfter: d1, wantStatus: ecrapi.StatusComplete, wantStored: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, clk, c := newTestWorld()
			dst := w.client(west)
			putWestReplication(t, c)
			if tt.setup != nil {
				tt.setup(t, dst)
			}
			createRepo(t, c, repo)
			res := push(t, c, repo, 1, "v1")
			if got := res.ReplicationStatuses; len(got) != 1 || got[0].Status != ecrapi.StatusInProgress {
				t.Fatalf("statuses after the push %+v", got)
			}
			if got := taggedDigest(t, dst, repo, "v1"); got != tt.wantBefore {
				t.Fatalf("right after the push, v1 names %q in the destination; want %q", got, tt.wantBefore)
			}
			clk.Advance(DefaultReplicationLatency)
			rs := must(c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: repo, ImageID: &ecrapi.ImageIdentifier{ImageTag: "v1"}}))(t)
			if got := rs.ReplicationStatuses; len(got) != 1 || got[0].Status != tt.wantStatus || got[0].FailureCode != tt.wantCode {
				t.Fatalf("settled statuses %+v; want %s %s", got, tt.wantStatus, tt.wantCode)
			}
			if got := taggedDigest(t, dst, repo, "v1"); got != tt.wantAfter {
				t.Fatalf("once settled, v1 names %q in the destination; want %q", got, tt.wantAfter)
			}
			_, err := dst.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: repo, ImageID: &ecrapi.ImageIdentifier{ImageDigest: d1}})
			if stored := err == nil; stored != tt.wantStored {
				t.Fatalf("replica stored in the destination: %v (%v); want %v", stored, err, tt.wantStored)
			}
		})
	}

	t.Run("a replica in flight holds its tag in an immutable destination", func(t *testing.T) {
		w, clk, c := newTestWorld()
		dst := w.client(west)
		putWestReplication(t, c)
		must(dst.CreateRepository(&ecrapi.CreateRepositoryRequest{RepositoryName: repo, ImageTagMutability: ecrapi.TagImmutable}))(t)
		createRepo(t, c, repo)
		push(t, c, repo, 1, "v1")
		_, err := dst.Push(&ecrapi.PutImageRequest{RepositoryName: repo, ImageManifest: manifest(2), ImageTag: "v1"})
		wantAPIError(t, err, "ImageTagAlreadyExistsException", "'v1'")
		second := push(t, c, repo, 2, "v1") // the source is mutable: the tag moves there
		clk.Advance(DefaultReplicationLatency)
		if got := taggedDigest(t, dst, repo, "v1"); got != d1 {
			t.Fatalf("v1 names %q in the destination; want the first replica %s", got, d1)
		}
		rs := must(c.DescribeImageReplicationStatus(&ecrapi.DescribeImageReplicationStatusRequest{RepositoryName: repo, ImageID: &ecrapi.ImageIdentifier{ImageDigest: second.Image.ImageID.ImageDigest}}))(t)
		if got := rs.ReplicationStatuses; len(got) != 1 || got[0].FailureCode != ecrapi.FailureImageTagAlreadyExists {
			t.Fatalf("second replica %+v; want FAILED %s", got, ecrapi.FailureImageTagAlreadyExists)
		}
		if got := taggedDigest(t, c, repo, "v1"); got != d2 {
			t.Fatalf("source v1 names %q; want %s", got, d2)
		}
	})

	t.Run("tags of replicas in flight survive save and load", func(t *testing.T) {
		w, clk, c := newTestWorld()
		dst := w.client(west)
		putWestReplication(t, c)
		createRepo(t, dst, repo)
		push(t, dst, repo, 0, "v1")
		createRepo(t, c, repo)
		push(t, c, repo, 1, "v1")
		var saved bytes.Buffer
		if err := w.Save(&saved); err != nil {
			t.Fatal(err)
		}
		w2 := must(Load(bytes.NewReader(saved.Bytes())))(t)
		clk2 := w2.Clock()
		dst2 := w2.client(west)
		if got := taggedDigest(t, dst2, repo, "v1"); got != d0 {
			t.Fatalf("loaded world: v1 names %q before the replica appears; want %s", got, d0)
		}
		clk.Advance(DefaultReplicationLatency)
		clk2.Advance(DefaultReplicationLatency)
		for _, cl := range []*client{dst, dst2} {
			if got := taggedDigest(t, cl, repo, "v1"); got != d1 {
				t.Fatalf("v1 names %q once the replica appeared; want %s", got, d1)
			}
		}
	})
}

func putWestReplication(t *testing.T, c *client) {
	t.Helper()
	must(c.PutReplicationConfiguration(&ecrapi.PutReplicationConfigurationRequest{ReplicationConfiguration: &rules.ReplicationConfiguration{Rules: []rules.ReplicationRule{
		replRule(nil, dest(DefaultAccount, "us-west-2")),
	}}}))(t)
}

// taggedDigest returns the digest tag names in repo, "" when DescribeImageSigningStatus says
// there is no such image.
func taggedDigest(t *testing.T, c *client, repo, tag string) string {
	t.Helper()
	out, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: repo, ImageID: &ecrapi.ImageIdentifier{ImageTag: tag}})
	if err != nil {
		wantAPIError(t, err, "ImageNotFoundException", "")
		return ""
	}
	return out.ImageID.ImageDigest
}
