package ecrapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ecrsign/ecrsign/rules"
)

// PutSigningConfigurationRequest is the input of PutSigningConfiguration.
type PutSigningConfigurationRequest struct {
	SigningConfiguration *rules.SigningConfiguration `json:"signingConfiguration"`
}

// PutSigningConfigurationResponse is the output of PutSigningConfiguration.
type PutSigningConfigurationResponse struct {
	SigningConfiguration *rules.SigningConfiguration `json:"signingConfiguration,omitempty"`
}

// GetSigningConfigurationRequest is the input of GetSigningConfiguration; it has no members,
// the registry is the caller's.
type GetSigningConfigurationRequest struct{}

// GetSigningConfigurationResponse is the output of GetSigningConfiguration.
type GetSigningConfigurationResponse struct {
	RegistryID           string                      `json:"registryId,omitempty"`
	SigningConfiguration *rules.SigningConfiguration `json:"signingConfiguration,omitempty"`
}

// DeleteSigningConfigurationRequest is the input of DeleteSigningConfiguration.
type DeleteSigningConfigurationRequest struct{}

// DeleteSigningConfigurationResponse is the output of DeleteSigningConfiguration: the
// configuration that was deleted.
type DeleteSigningConfigurationResponse struct {
	RegistryID           string                      `json:"registryId,omitempty"`
	SigningConfiguration *rules.SigningConfiguration `json:"signingConfiguration,omitempty"`
}

// PutReplicationConfigurationRequest is the input of PutReplicationConfiguration.
type PutReplicationConfigurationRequest struct {
	ReplicationConfiguration *rules.ReplicationConfiguration `json:"replicationConfiguration"`
}

// PutReplicationConfigurationResponse is the output of PutReplicationConfiguration.
type PutReplicationConfigurationResponse struct {
	ReplicationConfiguration *rules.ReplicationConfiguration `json:"replicationConfiguration,omitempty"`
}

// DescribeRegistryRequest is the input of DescribeRegistry.
type DescribeRegistryRequest struct{}

// DescribeRegistryResponse is the output of DescribeRegistry. ReplicationConfiguration is
// an empty configuration (no rules) when none was put, as ECR reports it.
type DescribeRegistryResponse struct {
	RegistryID               string                          `json:"registryId,omitempty"`
	ReplicationConfiguration *rules.ReplicationConfiguration `json:"replicationConfiguration,omitempty"`
}

// CreateRepositoryRequest is the input of CreateRepository.
type CreateRepositoryRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
	// ImageTagMutability is MUTABLE (the default) or IMMUTABLE; the *_WITH_EXCLUSION
	// variants are not modelled and are rejected with InvalidParameterException.
	ImageTagMutability string `json:"imageTagMutability,omitempty"`
}

// CreateRepositoryResponse is the output of CreateRepository.
type CreateRepositoryResponse struct {
	Repository *Repository `json:"repository,omitempty"`
}

// Repository is the ECR Repository shape.
type Repository struct {
	CreatedAt          *Timestamp `json:"createdAt,omitempty"`
	ImageTagMutability string     `json:"imageTagMutability,omitempty"`
	RegistryID         string     `json:"registryId,omitempty"`
	RepositoryArn      string     `json:"repositoryArn,omitempty"`
	RepositoryName     string     `json:"repositoryName,omitempty"`
	RepositoryURI      string     `json:"repositoryUri,omitempty"`
}

// Image tag mutability settings the simulator models.
const (
	TagMutable   = "MUTABLE"
	TagImmutable = "IMMUTABLE"
)

// PutImageRequest is the input of PutImage: one push of one manifest. The pushing principal
// is the caller's.
type PutImageRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
	ImageManifest  string `json:"imageManifest"`
	// ImageManifestMediaType is required when the manifest has no mediaType member.
	ImageManifestMediaType string `json:"imageManifestMediaType,omitempty"`
	ImageTag               string `json:"imageTag,omitempty"`
	// ImageDigest, when given, must be the sha256 digest of ImageManifest.
	ImageDigest string `json:"imageDigest,omitempty"`
}

// PutImageResponse is the output of PutImage.
type PutImageResponse struct {
	Image *Image `json:"image,omitempty"`
}

// Image is the ECR Image shape.
type Image struct {
	RegistryID             string           `json:"registryId,omitempty"`
	RepositoryName         string           `json:"repositoryName,omitempty"`
	ImageID                *ImageIdentifier `json:"imageId,omitempty"`
	ImageManifest          string           `json:"imageManifest,omitempty"`
	ImageManifestMediaType string           `json:"imageManifestMediaType,omitempty"`
}

// ImageIdentifier names an image by digest, tag, or both.
type ImageIdentifier struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

// DescribeImageSigningStatusRequest is the input of DescribeImageSigningStatus.
type DescribeImageSigningStatusRequest struct {
	RepositoryName string           `json:"repositoryName"`
	ImageID        *ImageIdentifier `json:"imageId"`
	RegistryID     string           `json:"registryId,omitempty"`
}

// DescribeImageSigningStatusResponse is the output of DescribeImageSigningStatus.
// SigningStatuses is never nil: an image no rule applied to has an empty list.
type DescribeImageSigningStatusResponse struct {
	RepositoryName  string               `json:"repositoryName,omitempty"`
	ImageID         *ImageIdentifier     `json:"imageId,omitempty"`
	RegistryID      string               `json:"registryId,omitempty"`
	SigningStatuses []ImageSigningStatus `json:"signingStatuses"`
}

// ImageSigningStatus is the signing status of an image for one signing profile.
// FailureCode and FailureReason are set only when Status is FAILED.
type ImageSigningStatus struct {
	SigningProfileArn string `json:"signingProfileArn,omitempty"`
	Status            string `json:"status,omitempty"`
	FailureCode       string `json:"failureCode,omitempty"`
	FailureReason     string `json:"failureReason,omitempty"`
}

// DescribeImageReplicationStatusRequest is the input of DescribeImageReplicationStatus.
type DescribeImageReplicationStatusRequest struct {
	RepositoryName string           `json:"repositoryName"`
	ImageID        *ImageIdentifier `json:"imageId"`
	RegistryID     string           `json:"registryId,omitempty"`
}

// DescribeImageReplicationStatusResponse is the output of DescribeImageReplicationStatus.
// ReplicationStatuses is never nil.
type DescribeImageReplicationStatusResponse struct {
	RepositoryName      string                   `json:"repositoryName,omitempty"`
	ImageID             *ImageIdentifier         `json:"imageId,omitempty"`
	ReplicationStatuses []ImageReplicationStatus `json:"replicationStatuses"`
}

// ImageReplicationStatus is the replication status of an image for one destination.
type ImageReplicationStatus struct {
	Region      string `json:"region,omitempty"`
	RegistryID  string `json:"registryId,omitempty"`
	Status      string `json:"status,omitempty"`
	FailureCode string `json:"failureCode,omitempty"`
}

// Statuses of signing and replication (SigningStatus and ReplicationStatus enums).
const (
	StatusInProgress = "IN_PROGRESS"
	StatusComplete   = "COMPLETE"
	StatusFailed     = "FAILED"
)

// Timestamp is a time that encodes as AWS JSON 1.1 does: seconds since the Unix epoch, with
// a fraction.
type Timestamp struct{ time.Time }

// MarshalJSON encodes the time as epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', 3, 64), nil
}

// UnmarshalJSON decodes epoch seconds (a JSON number); null leaves t as it is, as
// encoding/json does for other values.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("timestamp: want epoch seconds, got %s", b)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return fmt.Errorf("timestamp %s out of range", b)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

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

// Defaults and bounds of paginated operations (MaxResults and FiftyMaxResults in the model).
const (
	DefaultPageSize      = 100
	MaxPageSize          = 1000
	MaxReferrersPageSize = 50
)
