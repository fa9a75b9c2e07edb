//go:build race

package main

// raceEnabled shortens the streaming tests, which the race detector slows tenfold.
const raceEnabled = true
