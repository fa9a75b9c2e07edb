package ecrhttp

import (
	"testing"
	"time"
)

// waitFor polls cond every 10 ms until it holds, failing the test after timeout: tests wait
// on conditions, never for a fixed time, so that they hold on a busy machine.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting %v for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor is waitFor for the package's external tests (package ecrhttp_test).
var WaitFor = waitFor
