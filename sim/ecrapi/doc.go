// Package ecrapi is the vocabulary of the Amazon ECR API that the simulator speaks: the
// request, response and nested shapes of the operations it serves, with the model's JSON
// member names, the exception type and names, the operation names and the enum values.
//
// It has no behaviour beyond encoding, so the simulator (package sim), its HTTP endpoint
// (package sim/ecrhttp) and any client share one set of types, as the AWS SDK's types
// package does for real ECR. The shapes follow the ECR API model (service version
// 2015-09-21); members the simulator does not model are left out and ignored on decoding.
package ecrapi
