// Package ecrhttp serves a simulated ECR world ([sim.World]) over the ECR wire protocol, so
// that tools speaking to ECR through an AWS SDK or the AWS CLI can run unchanged against it.
// [NewHandler] is the http.Handler (for tests, in process); [Serve] runs it as `ecrsign serve`
// does: timeouts, caps, graceful shutdown.
//
// # Protocol
//
// AWS JSON 1.1: POST / with X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>
// and an application/x-amz-json-1.1 body, for every operation of package sim ([ecrapi.Operations]).
// Responses carry the ECR shapes; timestamps are epoch seconds. Errors have AWS's form,
// {"__type": "RepositoryNotFoundException", "message": "..."} with the same name in the
// X-Amzn-ErrorType header, HTTP 400 for client errors and 500 for ServerException. An
// X-Amz-Target that names no served operation gets UnknownOperationException; a body that is
// not a JSON object of the operation's input gets SerializationException (HTTP 400), and a
// body over the size limit ([DefaultMaxBodyBytes]) a SerializationException with HTTP 413.
//
// # Credentials
//
// By default signatures are not checked: the SigV4 Authorization header is read only for its
// credential scope "Credential=KEY/DATE/REGION/ecr/aws4_request": REGION is the region of
// the registry the request addresses, and KEY picks the caller — the account and the
// principal pushes are signed as — through [WithAccessKey]; a key not mapped acts as the
// world's default account and principal. With [WithSignatureVerification] every request's
// signature is recomputed with the AWS SDK's v4 signer and the key's secret
// ([WithSecretKey]); an unknown key gets UnrecognizedClientException, a signature that
// differs InvalidSignatureException, a request without one
// MissingAuthenticationTokenException, all with HTTP 403.
//
// # Registry protocol
//
// The OCI distribution protocol (v1.1) is served on /v2/ by the same handler: blob uploads
// (monolithic, chunked, cross-repository mount), blobs and manifests (GET, HEAD, PUT, DELETE),
// tag listing with n and last, and the referrers API with artifactType filtering. It
// authenticates as ECR's registry does: Basic with user AWS and the password of
// GetAuthorizationToken, a 401 with a Basic challenge otherwise. A manifest PUT is a push
// ([sim.Registry.PushManifest]); errors are the spec's JSON with its codes. Uploads in progress
// stream to temporary files; a completed one is put in the store's content-addressed
// blob area and recorded in the repository before it is acknowledged.
//
// # Limits
//
// Request bodies are bounded ([WithMaxBodyBytes]) and read only once their size fits in a
// budget shared by all requests ([WithMaxBufferedBodyBytes]); at most
// [DefaultMaxConcurrentRequests] requests are served at once and [DefaultMaxConnections]
// connections are open; [Serve] sets read-header, read, write and idle timeouts
// ([DefaultTimeouts]). The world's own limits ([sim.Limits]) bound what it holds.
//
// # Admin endpoints
//
// Under [AdminPrefix]: POST clock changes the world's clock ({"freeze": true},
// {"advance": "5s"}, {"set": "2026-01-01T00:00:00Z"}, {"freeze": false}) through
// [sim.World.ChangeClock], which stores the change and refuses one that would run the clock
// backward or past what the world can hold (ValidationException, HTTP 400); GET clock shows
// it; GET world streams the whole world in the world file format. They refuse requests a web
// page could send: a POST without Content-Type application/json, any request with an Origin
// header, or one whose Host is not the listener's address (DNS rebinding), with HTTP 403 or
// 415. [WithoutAdmin] turns them off.
//
// # State
//
// A world opened with [sim.Open] commits every change to its store before it is visible or
// acknowledged, so what the server acknowledged survives any crash; see package sim.
package ecrhttp
