// Package fuzz holds the fuzz targets of ecrsign: every parser and the matcher are fed
// arbitrary input and held to invariants and oracles.
//
// Run one with `go test -fuzz=FuzzParse ./fuzz/`; seed corpora live in testdata/fuzz.
package fuzz
