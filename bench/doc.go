// Package bench measures the hot paths of ecrsign against honest baselines in the same run.
//
// Run `go test -bench . -benchmem ./bench/`; every speed claim is a ratio between engines.
package bench
