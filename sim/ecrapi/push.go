package ecrapi

// Failure codes of signing and replication jobs. FailureAccessDenied is the code AWS is
// observed to report; the others are ecrsign's own vocabulary (AWS documents no other code),
// and their reasons say so.
const (
	FailureAccessDenied    = "ACCESS_DENIED"
	FailureProfileNotFound = "SIGNING_PROFILE_NOT_FOUND"
	FailureProfileCanceled = "SIGNING_PROFILE_CANCELED"
	FailureProfileRevoked  = "SIGNING_PROFILE_REVOKED"
	FailureTransient       = "TRANSIENT_FAILURE"
	// FailureImageTagAlreadyExists ends a replication whose destination repository is
	// IMMUTABLE and has the pushed tag on another image (or will, when a replica in flight
	// appears); the replica is not stored there.
	FailureImageTagAlreadyExists = "IMAGE_TAG_ALREADY_EXISTS"
)

// FailureLimitExceeded ends a replication whose destination holds as many registries,
// repositories or images as the simulator's limits allow; the replica is not stored.
const FailureLimitExceeded = "LIMIT_EXCEEDED"
