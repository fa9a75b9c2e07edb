// Package rules models Amazon ECR signing and replication configurations, decodes them from
// every format people write, and validates them exactly as the ECR API would.
//
// Every problem is reported as a [Finding] (code, severity, path, line:column, message and a
// hint), so decoding errors, API constraint violations and lint warnings are the same kind of
// value; package match reports its analysis findings with the same type.
//
// [Decode] reads API request and response JSON, bare {"rules": ...} documents,
// CloudFormation templates (JSON and YAML, evaluated as CloudFormation would: parameters,
// pseudo parameters, intrinsic functions, conditions, every Fn::If branch checked), CDK synth
// output and terraform show -json output, and returns a [Document] listing each
// configuration with its findings; [Config.Position] gives the findings of other packages
// their line and column, and [Document.Select] picks the one configuration a tool uses.
// Decoding (one reader per format), validation against the API (on typed [Path] values) and
// lints are separate stages, in that order. [Parse] is the short form for input
// holding one signing configuration. The API constraints themselves are [CheckSigning],
// [CheckReplication] and [CheckRepositoryName], which report [Violation] values in the form
// AWS prints them ([FormatViolations]); the findings are derived from them. [Codes] is the
// catalogue of every finding code ecrsign reports, from any package.
//
// [Suppress] marks the findings a user accepted on purpose (ecrsign:ignore comments,
// CloudFormation Metadata, the project configuration file read by [LoadProjectConfig]); they
// stay in the result, marked. The model these checks implement, and the decisions taken
// where AWS is silent, are in docs/model.md.
package rules
