package ecrapi

// DescribeRepositoriesRequest is the input of DescribeRepositories.
type DescribeRepositoriesRequest struct {
	RegistryID      string   `json:"registryId,omitempty"`
	RepositoryNames []string `json:"repositoryNames,omitempty"`
	NextToken       string   `json:"nextToken,omitempty"`
	MaxResults      *int32   `json:"maxResults,omitempty"`
}

// DescribeRepositoriesResponse is the output of DescribeRepositories.
type DescribeRepositoriesResponse struct {
	Repositories []Repository `json:"repositories"`
	NextToken    string       `json:"nextToken,omitempty"`
}

// MaxRepositoryNames bounds DescribeRepositories' repositoryNames (RepositoryNameList).
const MaxRepositoryNames = 100

// DeleteRepositoryRequest is the input of DeleteRepository.
type DeleteRepositoryRequest struct {
	RegistryID     string `json:"registryId,omitempty"`
	RepositoryName string `json:"repositoryName"`
	Force          bool   `json:"force,omitempty"`
}

// DeleteRepositoryResponse is the output of DeleteRepository.
type DeleteRepositoryResponse struct {
	Repository *Repository `json:"repository,omitempty"`
}

// Tag status filters of ListImages and DescribeImages.
const (
	TagStatusTagged   = "TAGGED"
	TagStatusUntagged = "UNTAGGED"
	TagStatusAny      = "ANY"
)

// ListImagesRequest is the input of ListImages.
type ListImagesRequest struct {
	RegistryID     string            `json:"registryId,omitempty"`
	RepositoryName string            `json:"repositoryName"`
	NextToken      string            `json:"nextToken,omitempty"`
	MaxResults     *int32            `json:"maxResults,omitempty"`
	Filter         *ListImagesFilter `json:"filter,omitempty"`
}

// ListImagesFilter filters ListImages.
type ListImagesFilter struct {
	TagStatus   string `json:"tagStatus,omitempty"`
	ImageStatus string `json:"imageStatus,omitempty"`
}

// ListImagesResponse is the output of ListImages.
type ListImagesResponse struct {
	ImageIDs  []ImageIdentifier `json:"imageIds"`
	NextToken string            `json:"nextToken,omitempty"`
}

// DescribeImagesRequest is the input of DescribeImages.
type DescribeImagesRequest struct {
	RegistryID     string                `json:"registryId,omitempty"`
	RepositoryName string                `json:"repositoryName"`
	ImageIDs       []ImageIdentifier     `json:"imageIds,omitempty"`
	NextToken      string                `json:"nextToken,omitempty"`
	MaxResults     *int32                `json:"maxResults,omitempty"`
	Filter         *DescribeImagesFilter `json:"filter,omitempty"`
}

// DescribeImagesFilter filters DescribeImages.
type DescribeImagesFilter struct {
	TagStatus   string `json:"tagStatus,omitempty"`
	ImageStatus string `json:"imageStatus,omitempty"`
}

// DescribeImagesResponse is the output of DescribeImages.
type DescribeImagesResponse struct {
	ImageDetails []ImageDetail `json:"imageDetails"`
	NextToken    string        `json:"nextToken,omitempty"`
}

// ImageDetail describes one image.
type ImageDetail struct {
	RegistryID             string     `json:"registryId,omitempty"`
	RepositoryName         string     `json:"repositoryName,omitempty"`
	ImageDigest            string     `json:"imageDigest,omitempty"`
	ImageTags              []string   `json:"imageTags,omitempty"`
	ImageSizeInBytes       int64      `json:"imageSizeInBytes"`
	ImagePushedAt          *Timestamp `json:"imagePushedAt,omitempty"`
	ImageManifestMediaType string     `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType      string     `json:"artifactMediaType,omitempty"`
	LastRecordedPullTime   *Timestamp `json:"lastRecordedPullTime,omitempty"`
	SubjectManifestDigest  string     `json:"subjectManifestDigest,omitempty"`
	ImageStatus            string     `json:"imageStatus,omitempty"`
}

// MaxImageIDs bounds the imageIds of DescribeImages, BatchGetImage and BatchDeleteImage
// (ImageIdentifierList).
const MaxImageIDs = 100

// ImageFailure is an image a batch operation could not act on.
type ImageFailure struct {
	ImageID       *ImageIdentifier `json:"imageId,omitempty"`
	FailureCode   string           `json:"failureCode,omitempty"`
	FailureReason string           `json:"failureReason,omitempty"`
}

// BatchGetImageRequest is the input of BatchGetImage.
type BatchGetImageRequest struct {
	RegistryID         string            `json:"registryId,omitempty"`
	RepositoryName     string            `json:"repositoryName"`
	ImageIDs           []ImageIdentifier `json:"imageIds"`
	AcceptedMediaTypes []string          `json:"acceptedMediaTypes,omitempty"`
}

// BatchGetImageResponse is the output of BatchGetImage.
type BatchGetImageResponse struct {
	Images   []Image        `json:"images"`
	Failures []ImageFailure `json:"failures"`
}

// MaxAcceptedMediaTypes bounds BatchGetImage's acceptedMediaTypes (MediaTypeList).
const MaxAcceptedMediaTypes = 100

// BatchDeleteImageRequest is the input of BatchDeleteImage.
type BatchDeleteImageRequest struct {
	RegistryID     string            `json:"registryId,omitempty"`
	RepositoryName string            `json:"repositoryName"`
	ImageIDs       []ImageIdentifier `json:"imageIds"`
}

// BatchDeleteImageResponse is the output of BatchDeleteImage.
type BatchDeleteImageResponse struct {
	ImageIDs []ImageIdentifier `json:"imageIds"`
	Failures []ImageFailure    `json:"failures"`
}

// PutImageTagMutabilityRequest is the input of PutImageTagMutability.
type PutImageTagMutabilityRequest struct {
	RegistryID         string `json:"registryId,omitempty"`
	RepositoryName     string `json:"repositoryName"`
	ImageTagMutability string `json:"imageTagMutability"`
}

// PutImageTagMutabilityResponse is the output of PutImageTagMutability.
type PutImageTagMutabilityResponse struct {
	RegistryID         string `json:"registryId,omitempty"`
	RepositoryName     string `json:"repositoryName,omitempty"`
	ImageTagMutability string `json:"imageTagMutability,omitempty"`
}

// ResourceTag is a tag of a repository (the model's Tag: its members are capitalised).
type ResourceTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// TagResourceRequest is the input of TagResource.
type TagResourceRequest struct {
	ResourceArn string        `json:"resourceArn"`
	Tags        []ResourceTag `json:"tags"`
}

// TagResourceResponse is the output of TagResource.
type TagResourceResponse struct{}

// UntagResourceRequest is the input of UntagResource.
type UntagResourceRequest struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// UntagResourceResponse is the output of UntagResource.
type UntagResourceResponse struct{}

// ListTagsForResourceRequest is the input of ListTagsForResource.
type ListTagsForResourceRequest struct {
	ResourceArn string `json:"resourceArn"`
}

// ListTagsForResourceResponse is the output of ListTagsForResource.
type ListTagsForResourceResponse struct {
	Tags []ResourceTag `json:"tags"`
}

const (
	MaxResourceTags = 50
)

const (
	MaxResourceTagKey = 128
)

const (
	MaxResourceTagValue = 256
)
