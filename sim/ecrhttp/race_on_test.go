//go:build race

package ecrhttp

// raceEnabled: the race detector slows hashing and copying some tenfold, so tests that
// stream large blobs stream smaller ones under it.
const raceEnabled = true
