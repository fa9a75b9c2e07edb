package sim

// The request and response structs below are the ECR API's shapes (service model
// 2015-09-21) with its JSON member names, so that they can be marshalled onto the wire of the
// AWS JSON 1.1 protocol unchanged. Members the simulator does not model are left out; the
// encoding/json decoder ignores them.
