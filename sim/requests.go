package sim

import (
	"fmt"

	"github.com/ecrsign/ecrsign/rules"
)

// lockAndBegin is the prologue of a request served under the world's lock: it locks,
// begins op and returns req, or its zero request when req is nil. On success the caller
// defers unlock; on error the lock is already released.
func lockAndBegin[R any](c *client, op string, req *R) (_ *R, unlock func(), _ error) {
	c.w.mu.Lock()
	if err := c.begin(op); err != nil {
		c.w.mu.Unlock()
		return nil, nil, err
	}
	if req == nil {
		req = new(R)
	}
	return req, c.w.mu.Unlock, nil
}

// listTooLong is the InvalidRequest violation of a list member at path holding n entries,
// more than the max the model allows.
func listTooLong(op, path string, n, max int) error {
	return invalidRequest(op, fmt.Sprintf("1 validation error detected: Value %s at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", rules.ListValue(n), path, max))
}

// memberNull is the InvalidRequest violation of a required member at path left out.
func memberNull(op, path string) error {
	return invalidRequest(op, "1 validation error detected: Value null at '"+path+"' failed to satisfy constraint: Member must not be null")
}

// valueOrZero is *p, or T's zero value when p is nil (an optional member left out).
func valueOrZero[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// checkStatusFilter checks the tagStatus and imageStatus of a ListImages or DescribeImages
// filter.
func checkStatusFilter(op, tagStatus, imageStatus string) error {
	if err := checkTagStatus(op, "filter.tagStatus", tagStatus); err != nil {
		return err
	}
	return checkImageStatus(op, "filter.imageStatus", imageStatus)
}
