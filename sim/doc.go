// Package sim simulates Amazon ECR registries with managed signing and replication, so that
// tools can ask what DescribeImageSigningStatus and DescribeImageReplicationStatus will say
// about a push before anything changes in AWS.
//
// A [World] holds registries (account and region), each with its signing and replication
// configurations, repositories and images; signing profiles and their status; principals and
// the profiles each may use; a [Clock], job latencies and [Limits]. [World.Client] gives its
// operations as an [ecrapi.API]: they take and return the ECR API's request and response
// shapes (package ecrapi) with their JSON member names, and fail with the model's
// exceptions, each an [*ecrapi.Error] whose Code names the exception
// ([ecrapi.ValidationException], [ecrapi.RepositoryNotFoundException], ...) and whose
// HTTPStatusCode is the status ECR answers with. [World.Registry] gives the registry
// protocol's side (blobs, manifests, tags, referrers). Which rules apply to a push is decided
// by package match's compiled matcher; [Predict] and [Predictor] answer for one push without
// a world to manage, with the rule and filter behind every status; [SigningImpact] and
// [ReplicationImpact] stream an inventory of repository names to show what a configuration
// change would sign, or where it would replicate.
//
// # The model
//
//   - A push ([ecrapi.API.PutImage], [World.Push]) starts one signing job per distinct profile
//     of the rules that apply to the repository at that instant; a later configuration change
//     never rewrites it. Each job is IN_PROGRESS until the signing latency passes, then
//     COMPLETE or FAILED. PutImage of a manifest that is there with the same tag (or without a
//     tag) is ImageAlreadyExistsException, as in ECR; the same manifest with a new tag, or a
//     re-push through the registry protocol ([Registry.PushManifest]), is a push: the status
//     reported for a profile is that of its latest job.
//   - A completed signing job stores a signature as an OCI referrer of the signed manifest in
//     the same repository (artifact type [ecrapi.SignatureArtifactType], annotation
//     [ecrapi.AnnotationSigningProfile], a payload saying it is simulated, no key material). It is
//     derived from the job, so it appears the instant the job completes; DescribeImages,
//     ListImageReferrers and the registry protocol list it, it is never signed, and it counts
//     against the images-per-repository quota (Options.ImagesPerRepository).
//   - FAILED carries ACCESS_DENIED when the pushing principal may not use the profile
//     (signer:SignPayload), as AWS reports. The other codes are ecrsign's own vocabulary, and
//     every reason says so: SIGNING_PROFILE_NOT_FOUND, SIGNING_PROFILE_CANCELED,
//     SIGNING_PROFILE_REVOKED, and TRANSIENT_FAILURE for injected faults ([Faults]); for
//     replication, IMAGE_TAG_ALREADY_EXISTS and TRANSIENT_FAILURE.
//   - Manifests with a subject (signatures, SBOMs, attestations) are referrers and are not
//     signed. An image index and each manifest are each a push; an index needs the manifests
//     it references in the repository (ReferencedImagesNotFoundException).
//   - PutSigningConfiguration rejects a profile of another region with ValidationException
//     "The region of signing profile ARN ... is 'X' but must be 'Y'"; cross-account profiles
//     are accepted. An empty rules list is a valid configuration that signs nothing.
//   - Replication sends each push once to each distinct destination of every matching rule,
//     never back to the source and never onward from a replica. The replica appears in the
//     destination (its repository created if needed) when replication completes; it is
//     signed there only with Options.SignReplicatedImages. Its tag moves there at the same
//     instant: until then the tag keeps naming the image it named. When the destination
//     repository is IMMUTABLE and the tag is on another image there (or will be, when a
//     replica in flight appears), that destination's status ends FAILED with
//     IMAGE_TAG_ALREADY_EXISTS (ecrsign's vocabulary) and the replica is not stored; a
//     replica in flight likewise holds its tag against a PutImage of another image there
//     (ImageTagAlreadyExistsException).
//   - A [Predictor] answers for the registry a push addresses (its registryId, else the
//     caller's account), as PutImage does; it does not look at repositories, so it does not
//     foresee tag immutability conflicts.
//   - Blobs (layers, configs) are stored in the blob area (the store's content-addressed blobs) by digest,
//     verified as they stream in; each repository records the ones uploaded to it (a layer
//     record, committed after the blob and before the upload is acknowledged). Uploads in
//     progress are temporary files, bounded by Limits.Uploads and Limits.UploadBytes, and do
//     not survive a restart. The registry protocol refuses a
//     manifest whose blobs the repository does not hold (LayersNotFoundException); PutImage does
//     so only with Options.RequireLayers, so that manifests can be simulated without blobs.
//   - An operation whose registryId names another account's registry is refused with
//     AccessDeniedException, as ECR refuses a caller no repository policy grants (the
//     simulator models none): act as that account instead ([Caller].Account). A [Predictor]
//     still predicts for any registry a push addresses: it answers "what if", it is no request.
//
// # The world file
//
// [Load] reads, and [World.Save] writes, a world as JSON. Every member is optional:
//
//	{
//	  "defaultRegistry": {"registryId": "123456789012", "region": "us-east-1"},
//	  "defaultPrincipal": "arn:aws:iam::123456789012:role/ci",
//	  "now": "2026-01-01T00:00:00Z",
//	  "options": {
//	    "signingLatency": "2s", "replicationLatency": "5s",
//	    "signReplicatedImages": false, "strictProfiles": false, "strictPrincipals": false,
//	    "createRepositoryOnPush": false,
//	    "faults": {"seed": 1, "signingFailureRate": 0.01, "replicationFailureRate": 0, "serverErrorRate": 0}
//	  },
//	  "profiles": {"arn:aws:signer:us-east-1:123456789012:/signing-profiles/prod": "ACTIVE"},
//	  "principals": {"arn:aws:iam::123456789012:role/ci": ["*"]},
//	  "registries": [{
//	    "registryId": "123456789012", "region": "us-east-1",
//	    "signingConfiguration": {"rules": [...]},
//	    "replicationConfiguration": {"rules": [...]},
//	    "repositories": [{"repositoryName": "team/api", "imageTagMutability": "IMMUTABLE"}]
//	  }]
//	}
//
// "now" freezes the world's [Clock] at that instant; "clockOffset" (exclusive with "now") runs
// it on real time shifted by the offset, which may be negative; with neither the world follows
// real time. [World.Save] writes the clock's state, so a frozen or advanced clock survives a
// save and a load. The clock never runs backward and stays between [MinClockTime] and
// [MaxClockTime], so every instant the world computes can be written. "profiles" maps profile ARNs to ACTIVE,
// CANCELED, REVOKED or ABSENT; a profile not listed is ACTIVE unless strictProfiles.
// "principals" maps a principal to the profiles it may use ("*" for all); a principal not
// listed may use every profile unless strictPrincipals. Configurations are validated as the
// Put operations validate them. Saved worlds also hold each repository's "images" (digest,
// tags, manifest, push count and jobs), each repository's "pendingTags" (tags replicas in
// flight bring, with the time each applies) and the push and operation counters, so that Load
// of a saved world restores it exactly. [World.SaveCompact] writes the same without
// indentation. Save streams the file: it copies the world's structure (pointers, not
// manifests) under the lock and writes one image at a time.
//
// # The store
//
// [Open] keeps a world in a bbolt database (an embedded, transactional B+tree file with an
// exclusive lock: a second Open of the file fails with a [*LockedError] naming the process
// that holds it, whose pid is recorded in the file beside it, STATE.pid). Every operation
// that changes the world goes through one mechanism: with the world locked it waits for the
// parts of the world it touches (scopes: the settings, a registry's configurations, a
// repository) to be free of other changes in flight, computes its change without applying it
// (a change set of records to put and delete, and the steps that apply it to memory), then
// commits the records through the store's committer, which groups concurrent commits into
// one fsynced transaction (one at a time; the changes that arrive meanwhile form the next),
// and only once the commit is durable applies the change in memory. A
// change is thus visible only once it is durable; a change whose commit fails leaves no
// trace and its retry behaves as the first try did. Reads are served from memory. A commit
// writes only what the change touched, so its cost does not grow with the world.
//
// Layout (format "ecrsign-store/1", in the meta bucket's "format" key; another format is refused):
//
//	meta          format; settings (the world file without registries: defaults, options,
//	              profiles, principals); clock ({"frozen", "now", "offset"}); pushes and
//	              operations (8-byte big-endian counters); tokenKey (the key of
//	              GetAuthorizationToken's passwords, so that a login survives a restart)
//	registries    ACCOUNT/REGION -> {"signingConfiguration", "replicationConfiguration"}
//	repositories  ACCOUNT/REGION/NAME -> {"imageTagMutability", "createdAt", "resourceTags"}
//	images        ACCOUNT/REGION/NAME \x00 DIGEST -> the image without its manifest and tags
//	              (media type, pushes, visibleAt, pushedAt, lastRecordedPullTime, signing
//	              jobs with signatureDeleted, replication jobs)
//	tags          ACCOUNT/REGION/NAME \x00 TAG -> DIGEST
//	pendingTags   ACCOUNT/REGION/NAME \x00 PUSH (16 hex digits) -> {"imageTag", "imageDigest", "appliesAt"}
//	manifests     DIGEST -> the manifest's bytes, content-addressed (shared by every image
//	              with that digest)
//	blobs         DIGEST -> {"size", "chunks", "id"}
//	blobChunks    ID (8 bytes) INDEX (8 bytes) -> up to [BlobChunkBytes] of the blob
//	layers        ACCOUNT/REGION/NAME \x00 DIGEST -> the size of a blob of the blob area that
//	              the repository holds (a layer or config: uploaded, or mounted)
//
// The blob area ([World.StatBlob] reports what it holds) holds
// content-addressed blobs of any size, streamed in chunks so that none is held in memory
// whole; a blob is visible once all its chunks and its record are durable. Blobs and
// manifests are shared by digest and are not deleted with the repositories or images that
// name them. A state file in
// the JSON world file format of earlier releases is migrated by Open.
//
// A World is safe for concurrent use: each operation is atomic.
package sim
