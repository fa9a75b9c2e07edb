package ecrapi

// API is the ECR operations the simulator serves, one method per operation with the
// operation's name, request and response shapes. An error is an [*Error] carrying one of the
// exception names the model lists for the operation ([OperationErrors]).
//
// The simulator's client (sim.World.Client) implements it, and the HTTP endpoint
// (sim/ecrhttp) calls every operation through it, so code written against it runs against the
// simulator and any other implementation (a test double, an adapter over the AWS SDK) alike.
type API interface {
	BatchCheckLayerAvailability(*BatchCheckLayerAvailabilityRequest) (*BatchCheckLayerAvailabilityResponse, error)
	BatchDeleteImage(*BatchDeleteImageRequest) (*BatchDeleteImageResponse, error)
	BatchGetImage(*BatchGetImageRequest) (*BatchGetImageResponse, error)
	CompleteLayerUpload(*CompleteLayerUploadRequest) (*CompleteLayerUploadResponse, error)
	CreateRepository(*CreateRepositoryRequest) (*CreateRepositoryResponse, error)
	DeleteRepository(*DeleteRepositoryRequest) (*DeleteRepositoryResponse, error)
	DeleteSigningConfiguration(*DeleteSigningConfigurationRequest) (*DeleteSigningConfigurationResponse, error)
	DescribeImageReplicationStatus(*DescribeImageReplicationStatusRequest) (*DescribeImageReplicationStatusResponse, error)
	DescribeImageSigningStatus(*DescribeImageSigningStatusRequest) (*DescribeImageSigningStatusResponse, error)
	DescribeImages(*DescribeImagesRequest) (*DescribeImagesResponse, error)
	DescribeRegistry(*DescribeRegistryRequest) (*DescribeRegistryResponse, error)
	DescribeRepositories(*DescribeRepositoriesRequest) (*DescribeRepositoriesResponse, error)
	GetAuthorizationToken(*GetAuthorizationTokenRequest) (*GetAuthorizationTokenResponse, error)
	GetDownloadUrlForLayer(*GetDownloadUrlForLayerRequest) (*GetDownloadUrlForLayerResponse, error)
	GetSigningConfiguration(*GetSigningConfigurationRequest) (*GetSigningConfigurationResponse, error)
	InitiateLayerUpload(*InitiateLayerUploadRequest) (*InitiateLayerUploadResponse, error)
	ListImageReferrers(*ListImageReferrersRequest) (*ListImageReferrersResponse, error)
	ListImages(*ListImagesRequest) (*ListImagesResponse, error)
	ListTagsForResource(*ListTagsForResourceRequest) (*ListTagsForResourceResponse, error)
	PutImage(*PutImageRequest) (*PutImageResponse, error)
	PutImageTagMutability(*PutImageTagMutabilityRequest) (*PutImageTagMutabilityResponse, error)
	PutReplicationConfiguration(*PutReplicationConfigurationRequest) (*PutReplicationConfigurationResponse, error)
	PutSigningConfiguration(*PutSigningConfigurationRequest) (*PutSigningConfigurationResponse, error)
	TagResource(*TagResourceRequest) (*TagResourceResponse, error)
	UntagResource(*UntagResourceRequest) (*UntagResourceResponse, error)
	UploadLayerPart(*UploadLayerPartRequest) (*UploadLayerPartResponse, error)
}
