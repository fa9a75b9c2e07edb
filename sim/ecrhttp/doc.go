// Package ecrhttp serves a simulated ECR world ([sim.World]) over the ECR wire protocol, so
// that tools speaking to ECR through an AWS SDK or the AWS CLI can run unchanged against it.
// [NewHandler] is the in-process http.Handler for tests; [Serve] is `ecrsign serve`: listen,
// state file, graceful shutdown.
//
// # Protocol
//
// AWS JSON 1.1: POST / with X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>
// and an application/x-amz-json-1.1 body, for every operation of package sim ([Operations]).
// Responses carry the ECR shapes; timestamps are epoch seconds. Errors have AWS's form,
// {"__type": "RepositoryNotFoundException", "message": "..."} with the same name in the
// X-Amzn-ErrorType header, HTTP 400 for client errors and 500 for ServerException. An
// X-Amz-Target that names no served operation gets UnknownOperationException; a body that is
// not a JSON object of the operation's input gets SerializationException (HTTP 400), and a
// body over the size limit ([DefaultMaxBodyBytes]) a SerializationException with HTTP 413.
//
// Credentials are not checked. The SigV4 Authorization header is read only for its credential
// scope "Credential=KEY/DATE/REGION/ecr/aws4_request": REGION is the region of the registry
// the request addresses, and KEY picks the caller — the account and the principal pushes are
// signed as — through [WithAccessKey]; a key not mapped acts as the world's default account
// and principal.
//
// # Registry protocol
//
// The OCI distribution protocol (v1.1) is served on /v2/ by the same handler: blob uploads
// (monolithic, chunked, cross-repository mount), blobs and manifests (GET, HEAD, PUT, DELETE),
// tag listing with n and last, and the referrers API with artifactType filtering. It
// authenticates as ECR's registry does: Basic with user AWS and the password of
// GetAuthorizationToken, a 401 with a Basic challenge otherwise. A manifest PUT is a push
// ([sim.Client.PushManifest]); errors are the spec's JSON with its codes. Blob bytes stream
// to the world's [sim.BlobStore]: [Serve] keeps them in a directory ([ServeConfig].BlobDir).
//
// # Time
//
// Statuses settle when the world's clock passes their job's end. A server's [Clock] follows
// real time until an operator freezes, sets or advances it through POST /_ecrsign/clock
// ({"freeze": true}, {"advance": "5s"}, {"set": "2026-01-01T00:00:00Z"}, {"freeze": false})
// or the Go API; GET /_ecrsign/clock shows it. Clock control is on whenever the world runs on
// a [Clock] (sim.WithClock or sim.World.SetClock). GET /_ecrsign/world returns the whole world
// in the world file format, indented.
//
// # State
//
// With a state file, every change (an operation that succeeded and changed the world, or a
// clock change) is saved before it is acknowledged: the world, as compact JSON with the
// clock's state ("now" when frozen, "clockOffset" when running ahead of or behind real
// time), is written to a temporary file in the same directory, fsynced and renamed over the
// state file. Concurrent changes share saves. A restart loads the file, so nothing
// acknowledged is lost and the clock carries on where it was; a file that cannot be parsed
// stops the server with a [StateError] and is left as it is.
package ecrhttp
