//go:build race

package match

// raceEnabled: the race detector makes sync.Pool drop items at random, so pooled scratch
// space allocates now and then.
const raceEnabled = true
