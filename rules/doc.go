// Package rules models Amazon ECR signing and replication configurations, decodes them from
// every format people write, and validates them exactly as the ECR API would.
//
// Every problem is reported as a [Finding] (code, severity, path, line:column, message and a
// hint), so decoding errors, API constraint violations and lint warnings are the same kind of
// value; package match reports its analysis findings with the same type.
package rules
