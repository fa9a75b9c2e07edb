// Package simtest checks the invariants of package sim's simulator, for the tests of sim and
// of the packages that embed it (as net/http/httptest serves net/http's). It sits beside sim
// rather than under internal/, whose packages the rules -> match -> sim flow imports. A
// Ledger records every push made through it and checks each push, and then the whole world,
// against what the configuration in force says must happen.
package simtest

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/ecrsign/ecrsign/match"
	"github.com/ecrsign/ecrsign/sim"
	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// CheckError reports an error an operation returned that the ECR API model does not list for
// it, or that is not an exception at all.
func CheckError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *ecrapi.Error
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s returned %T %v, not an API exception", op, err, err)
	}
	// AccessDeniedException is the protocol's common error (IAM refusing a request), which the
	// model lists for no operation.
	if !slices.Contains(ecrapi.OperationErrors(op), ae.ErrorCode()) && ae.ErrorCode() != ecrapi.AccessDeniedException {
		return fmt.Errorf("%s raised %s, which the model does not list for it: %s", op, ae.ErrorCode(), ae.ErrorMessage())
	}
	if ae.ErrorMessage() == "" {
		return fmt.Errorf("%s raised %s without a message", op, ae.ErrorCode())
	}
	return nil
}

type imageKey struct{ repo, digest string }

type record struct {
	seq      uint64
	profiles []string
}

// Ledger records pushes to one registry and checks the invariants. Safe for concurrent use.
type Ledger struct {
	mu         sync.Mutex
	images     map[imageKey][]record
	violations []string
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{images: map[imageKey][]record{}} }

func (l *Ledger) fail(format string, args ...any) {
	l.mu.Lock()
	l.violations = append(l.violations, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

// Push pushes as caller c and checks the push: exactly one status per distinct profile of the
// rules the compiled matcher says apply under the configuration in force, none for a
// referrer, each IN_PROGRESS or settled, and destinations never repeated.
func (l *Ledger) Push(w *sim.World, c sim.Caller, req *ecrapi.PutImageRequest) (*sim.PushResult, error) {
	res, err := w.Push(c, req)
	if err != nil {
		if v := CheckError(ecrapi.OpPutImage, err); v != nil {
			l.fail("%v", v)
		}
		return nil, err
	}
	var want []string
	if res.SigningConfiguration != nil && !res.Referrer {
		m, err := match.Compile(res.SigningConfiguration)
		if err != nil {
			l.fail("push %d: configuration in force does not compile: %v", res.Seq, err)
			return res, nil
		}
		r := m.Match(req.RepositoryName)
		for p := range r.Profiles() {
			want = append(want, p)
		}
	}
	var got []string
	for _, s := range res.SigningStatuses {
		got = append(got, s.SigningProfileArn)
		if s.Status == ecrapi.StatusFailed && s.FailureCode == "" || s.Status != ecrapi.StatusFailed && (s.FailureCode != "" || s.FailureReason != "") {
			l.fail("push %d: inconsistent status %+v", res.Seq, s)
		}
	}
	if !slices.Equal(got, want) {
		l.fail("push %d to %s: statuses for %v, the matcher says %v", res.Seq, req.RepositoryName, got, want)
	}
	seen := map[string]bool{}
	for _, d := range res.ReplicationStatuses {
		k := d.RegistryID + "/" + d.Region
		if seen[k] {
			l.fail("push %d: destination %s twice", res.Seq, k)
		}
		seen[k] = true
	}
	l.mu.Lock()
	k := imageKey{req.RepositoryName, res.Image.ImageID.ImageDigest}
	l.images[k] = append(l.images[k], record{seq: res.Seq, profiles: got})
	l.mu.Unlock()
	return res, nil
}

// Pushes returns how many pushes succeeded.
func (l *Ledger) Pushes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, rs := range l.images {
		n += len(rs)
	}
	return n
}

// Verify describes every image pushed and checks that its statuses are exactly one per
// profile any of its pushes signed with, in order of first use, none lost or duplicated,
// and, when settled is set (the clock is past every latency), none IN_PROGRESS. It returns
// every violation found, including those of the pushes.
func (l *Ledger) Verify(c ecrapi.API, settled bool) error {
	l.mu.Lock()
	keys := make([]imageKey, 0, len(l.images))
	for k := range l.images {
		keys = append(keys, k)
	}
	l.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool { return keys[i].repo+keys[i].digest < keys[j].repo+keys[j].digest })
	for _, k := range keys {
		l.mu.Lock()
		rs := slices.Clone(l.images[k])
		l.mu.Unlock()
		sort.Slice(rs, func(i, j int) bool { return rs[i].seq < rs[j].seq })
		var want []string
		for _, r := range rs {
			for _, p := range r.profiles {
				if !slices.Contains(want, p) {
					want = append(want, p)
				}
			}
		}
		out, err := c.DescribeImageSigningStatus(&ecrapi.DescribeImageSigningStatusRequest{RepositoryName: k.repo, ImageID: &ecrapi.ImageIdentifier{ImageDigest: k.digest}})
		if err != nil {
			l.fail("%s@%s: describe: %v", k.repo, k.digest, err)
			continue
		}
		var got []string
		for _, s := range out.SigningStatuses {
			got = append(got, s.SigningProfileArn)
			if settled && s.Status == ecrapi.StatusInProgress {
				l.fail("%s@%s: %s still IN_PROGRESS after every latency passed", k.repo, k.digest, s.SigningProfileArn)
			}
		}
		if !slices.Equal(got, want) {
			l.fail("%s@%s: statuses for %v, its %d pushes signed with %v", k.repo, k.digest, got, len(rs), want)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.violations) == 0 {
		return nil
	}
	n := len(l.violations)
	shown := l.violations[:min(n, 10)]
	return fmt.Errorf("%d invariant violations, first: %v", n, shown)
}
