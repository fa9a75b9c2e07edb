package ecrapi

// InitiateLayerUploadRequest is the input of InitiateLayerUpload.
type InitiateLayerUploadRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
}

// InitiateLayerUploadResponse is the output of InitiateLayerUpload.
type InitiateLayerUploadResponse struct {
	UploadID string `json:"uploadId,omitempty"`
	PartSize int64  `json:"partSize"`
}

// PartSize is the part size InitiateLayerUpload suggests.
const PartSize = 10 << 20

// UploadLayerPartRequest is the input of UploadLayerPart.
type UploadLayerPartRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
	UploadID       string `json:"uploadId"`
	PartFirstByte  *int64 `json:"partFirstByte"`
	PartLastByte   *int64 `json:"partLastByte"`
	LayerPartBlob  []byte `json:"layerPartBlob"`
}

// UploadLayerPartResponse is the output of UploadLayerPart.
type UploadLayerPartResponse struct {
	RegistryID       string `json:"registryId,omitempty"`
	RepositoryName   string `json:"repositoryName,omitempty"`
	UploadID         string `json:"uploadId,omitempty"`
	LastByteReceived int64  `json:"lastByteReceived"`
}

// CompleteLayerUploadRequest is the input of CompleteLayerUpload.
type CompleteLayerUploadRequest struct {
	RegistryID     string   `json:"registryId,omitempty"`
	RepositoryName string   `json:"repositoryName"`
	UploadID       string   `json:"uploadId"`
	LayerDigests   []string `json:"layerDigests"`
}

// CompleteLayerUploadResponse is the output of CompleteLayerUpload.
type CompleteLayerUploadResponse struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName,omitempty"`
	UploadID       string `json:"uploadId,omitempty"`
	LayerDigest    string `json:"layerDigest,omitempty"`
}

// BatchCheckLayerAvailabilityRequest is the input of BatchCheckLayerAvailability.
type BatchCheckLayerAvailabilityRequest struct {
	RegistryID     string   `json:"registryId,omitempty"`
	RepositoryName string   `json:"repositoryName"`
	LayerDigests   []string `json:"layerDigests"`
}

// BatchCheckLayerAvailabilityResponse is the output of BatchCheckLayerAvailability.
type BatchCheckLayerAvailabilityResponse struct {
	Layers   []Layer        `json:"layers"`
	Failures []LayerFailure `json:"failures"`
}

// Layer is a layer of a repository.
type Layer struct {
	LayerDigest       string `json:"layerDigest,omitempty"`
	LayerAvailability string `json:"layerAvailability,omitempty"`
	LayerSize         *int64 `json:"layerSize,omitempty"`
	MediaType         string `json:"mediaType,omitempty"`
}

// LayerFailure is a layer digest BatchCheckLayerAvailability cannot answer for.
type LayerFailure struct {
	LayerDigest   string `json:"layerDigest,omitempty"`
	FailureCode   string `json:"failureCode,omitempty"`
	FailureReason string `json:"failureReason,omitempty"`
}

// MaxLayerDigests bounds BatchCheckLayerAvailability's layerDigests.
const MaxLayerDigests = 100

// GetDownloadUrlForLayerRequest is the input of GetDownloadUrlForLayer.
type GetDownloadUrlForLayerRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
	LayerDigest    string `json:"layerDigest"`
}

// GetDownloadUrlForLayerResponse is the output of GetDownloadUrlForLayer. DownloadURL is a
// path of the registry protocol (/v2/NAME/blobs/DIGEST); an HTTP server makes it absolute.
type GetDownloadUrlForLayerResponse struct {
	DownloadURL string `json:"downloadUrl,omitempty"`
	LayerDigest string `json:"layerDigest,omitempty"`
}

const (
	// MaxLayerPartBytes bounds one UploadLayerPart (the model's LayerPartBlob maximum).
	MaxLayerPartBytes = 20971520
)
