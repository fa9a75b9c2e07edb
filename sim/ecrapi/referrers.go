package ecrapi

const (
	// SignatureArtifactType is Notation's artifact type, the one ECR's signatures carry.
	SignatureArtifactType = "application/vnd.cncf.notary.signature"
)

const (
	// SimulatedSignatureMediaType is the media type of a simulated signature's one layer:
	// a text saying it is simulated, with no signature and no key material.
	SimulatedSignatureMediaType = "application/vnd.ecrsign.simulated-signature.v1+txt"
)

const (
	// AnnotationSigningProfile names the signing profile of a simulated signature.
	AnnotationSigningProfile = "io.ecrsign.signing-profile-arn"
)

const (
	// AnnotationSimulated marks a simulated signature.
	AnnotationSimulated = "io.ecrsign.simulated"
)

// ListImageReferrersRequest is the input of ListImageReferrers.
type ListImageReferrersRequest struct {
	RegistryID     string                    `json:"registryId,omitempty"`
	RepositoryName string                    `json:"repositoryName"`
	SubjectID      *SubjectIdentifier        `json:"subjectId"`
	Filter         *ListImageReferrersFilter `json:"filter,omitempty"`
	NextToken      string                    `json:"nextToken,omitempty"`
	MaxResults     *int32                    `json:"maxResults,omitempty"`
}

// SubjectIdentifier names the subject of referrers.
type SubjectIdentifier struct {
	ImageDigest string `json:"imageDigest"`
}

// ListImageReferrersFilter filters referrers by artifact type.
type ListImageReferrersFilter struct {
	ArtifactTypes  []string `json:"artifactTypes,omitempty"`
	ArtifactStatus string   `json:"artifactStatus,omitempty"`
}

// ListImageReferrersResponse is the output of ListImageReferrers.
type ListImageReferrersResponse struct {
	Referrers []ImageReferrer `json:"referrers"`
	NextToken string          `json:"nextToken,omitempty"`
}

// ImageReferrer is one referrer.
type ImageReferrer struct {
	Digest         string            `json:"digest"`
	MediaType      string            `json:"mediaType"`
	ArtifactType   string            `json:"artifactType,omitempty"`
	Size           int64             `json:"size"`
	Annotations    map[string]string `json:"annotations,omitempty"`
	ArtifactStatus string            `json:"artifactStatus,omitempty"`
}

// Limits of ListImageReferrersFilter (ArtifactTypeList, ArtifactType).
const (
	MaxArtifactTypes     = 5
	MaxArtifactTypeBytes = 255
)
