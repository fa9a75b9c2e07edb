//go:build race

package bench

// raceEnabled: the race detector slows matching tenfold, so tests sample fewer names.
const raceEnabled = true
