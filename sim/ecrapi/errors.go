package ecrapi

import "slices"

// Error is an exception of the ECR API model, as the simulator raises it: Code is the
// exception's name (the `__type` of an AWS JSON 1.1 error body, one of the constants below),
// Message its `message`. Every exception is this one type, so callers test the name rather
// than a Go type: errors.As(err, &e) && e.Code == ecrapi.ImageNotFoundException. The method set
// (ErrorCode, ErrorMessage, ErrorFault) is the one the AWS SDK's smithy.APIError has, so code
// written against the SDK's errors reads the simulator's the same way. Its JSON form is the
// error body {"message": "..."}.
type Error struct {
	Code    string `json:"-"`
	Message string `json:"message"`
}

// The exceptions of the ECR API model the simulator raises.
const (
	ServerException                       = "ServerException"
	InvalidParameterException             = "InvalidParameterException"
	ValidationException                   = "ValidationException"
	SigningConfigurationNotFoundException = "SigningConfigurationNotFoundException"
	RepositoryNotFoundException           = "RepositoryNotFoundException"
	RepositoryAlreadyExistsException      = "RepositoryAlreadyExistsException"
	ImageNotFoundException                = "ImageNotFoundException"
	ImageTagAlreadyExistsException        = "ImageTagAlreadyExistsException"
	ImageDigestDoesNotMatchException      = "ImageDigestDoesNotMatchException"
	ReferencedImagesNotFoundException     = "ReferencedImagesNotFoundException"
	ImageAlreadyExistsException           = "ImageAlreadyExistsException"
	LayersNotFoundException               = "LayersNotFoundException"
	LimitExceededException                = "LimitExceededException"
	RepositoryNotEmptyException           = "RepositoryNotEmptyException"
	UploadNotFoundException               = "UploadNotFoundException"
	InvalidLayerException                 = "InvalidLayerException"
	InvalidLayerPartException             = "InvalidLayerPartException"
	LayerAlreadyExistsException           = "LayerAlreadyExistsException"
	EmptyUploadException                  = "EmptyUploadException"
	InvalidTagParameterException          = "InvalidTagParameterException"
	TooManyTagsException                  = "TooManyTagsException"
	// AccessDeniedException is not in any operation's list in the model: it is the
	// protocol's common error for a request IAM refuses.
	AccessDeniedException = "AccessDeniedException"
	// UnknownOperationException names an operation of the model the simulator does not serve.
	UnknownOperationException = "UnknownOperationException"
)

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the exception's name.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage returns the exception's message.
func (e *Error) ErrorMessage() string { return e.Message }

// HTTPStatusCode is the status the protocol answers with: 500 for ServerException, which the
// model marks as a fault, 400 for the others.
func (e *Error) HTTPStatusCode() int {
	if e.Code == ServerException {
		return 500
	}
	return 400
}

// Operation names, as in the ECR API (and the X-Amz-Target header).
const (
	OpPutSigningConfiguration        = "PutSigningConfiguration"
	OpGetSigningConfiguration        = "GetSigningConfiguration"
	OpDeleteSigningConfiguration     = "DeleteSigningConfiguration"
	OpPutReplicationConfiguration    = "PutReplicationConfiguration"
	OpDescribeRegistry               = "DescribeRegistry"
	OpCreateRepository               = "CreateRepository"
	OpPutImage                       = "PutImage"
	OpDescribeImageSigningStatus     = "DescribeImageSigningStatus"
	OpDescribeImageReplicationStatus = "DescribeImageReplicationStatus"
	OpDescribeRepositories           = "DescribeRepositories"
	OpDeleteRepository               = "DeleteRepository"
	OpDescribeImages                 = "DescribeImages"
	OpListImages                     = "ListImages"
	OpBatchGetImage                  = "BatchGetImage"
	OpBatchDeleteImage               = "BatchDeleteImage"
	OpPutImageTagMutability          = "PutImageTagMutability"
	OpGetAuthorizationToken          = "GetAuthorizationToken"
	OpBatchCheckLayerAvailability    = "BatchCheckLayerAvailability"
	OpInitiateLayerUpload            = "InitiateLayerUpload"
	OpUploadLayerPart                = "UploadLayerPart"
	OpCompleteLayerUpload            = "CompleteLayerUpload"
	OpGetDownloadUrlForLayer         = "GetDownloadUrlForLayer"
	OpListImageReferrers             = "ListImageReferrers"
	OpTagResource                    = "TagResource"
	OpUntagResource                  = "UntagResource"
	OpListTagsForResource            = "ListTagsForResource"
)

// operationErrors lists the exceptions each operation may raise, verbatim from the ECR API
// model (botocore service-2.json); the simulator raises no other.
var operationErrors = map[string][]string{
	OpPutSigningConfiguration:        {"ServerException", "InvalidParameterException", "ValidationException"},
	OpGetSigningConfiguration:        {"ServerException", "InvalidParameterException", "ValidationException", "SigningConfigurationNotFoundException"},
	OpDeleteSigningConfiguration:     {"ServerException", "ValidationException", "SigningConfigurationNotFoundException"},
	OpPutReplicationConfiguration:    {"ServerException", "InvalidParameterException", "ValidationException"},
	OpDescribeRegistry:               {"ServerException", "InvalidParameterException", "ValidationException"},
	OpCreateRepository:               {"ServerException", "InvalidParameterException", "InvalidTagParameterException", "TooManyTagsException", "RepositoryAlreadyExistsException", "LimitExceededException", "KmsException"},
	OpPutImage:                       {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ImageAlreadyExistsException", "LayersNotFoundException", "ReferencedImagesNotFoundException", "LimitExceededException", "ImageTagAlreadyExistsException", "ImageDigestDoesNotMatchException", "KmsException"},
	OpDescribeImageSigningStatus:     {"ServerException", "InvalidParameterException", "ValidationException", "ImageNotFoundException", "RepositoryNotFoundException"},
	OpDescribeImageReplicationStatus: {"ServerException", "InvalidParameterException", "ImageNotFoundException", "RepositoryNotFoundException", "ValidationException"},
	OpDescribeRepositories:           {"ServerException", "InvalidParameterException", "RepositoryNotFoundException"},
	OpDeleteRepository:               {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "RepositoryNotEmptyException", "KmsException"},
	OpDescribeImages:                 {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ImageNotFoundException"},
	OpListImages:                     {"ServerException", "InvalidParameterException", "RepositoryNotFoundException"},
	OpBatchGetImage:                  {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "LimitExceededException", "UnableToGetUpstreamImageException"},
	OpBatchDeleteImage:               {"ServerException", "InvalidParameterException", "RepositoryNotFoundException"},
	OpPutImageTagMutability:          {"ServerException", "InvalidParameterException", "RepositoryNotFoundException"},
	OpGetAuthorizationToken:          {"ServerException", "InvalidParameterException"},
	OpBatchCheckLayerAvailability:    {"RepositoryNotFoundException", "InvalidParameterException", "ServerException"},
	OpInitiateLayerUpload:            {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "KmsException"},
	OpUploadLayerPart:                {"ServerException", "InvalidParameterException", "InvalidLayerPartException", "RepositoryNotFoundException", "UploadNotFoundException", "LimitExceededException", "KmsException"},
	OpCompleteLayerUpload:            {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "UploadNotFoundException", "InvalidLayerException", "LayerPartTooSmallException", "LayerAlreadyExistsException", "EmptyUploadException", "KmsException"},
	OpGetDownloadUrlForLayer:         {"ServerException", "InvalidParameterException", "LayersNotFoundException", "LayerInaccessibleException", "RepositoryNotFoundException", "UnableToGetUpstreamLayerException"},
	OpListImageReferrers:             {"ServerException", "InvalidParameterException", "RepositoryNotFoundException", "ValidationException", "UnableToListUpstreamImageReferrersException"},
	OpTagResource:                    {"InvalidParameterException", "InvalidTagParameterException", "TooManyTagsException", "RepositoryNotFoundException", "ServerException"},
	OpUntagResource:                  {"InvalidParameterException", "InvalidTagParameterException", "TooManyTagsException", "RepositoryNotFoundException", "ServerException"},
	OpListTagsForResource:            {"InvalidParameterException", "RepositoryNotFoundException", "ServerException"},
}

// Operations returns the names of the operations the simulator serves, sorted.
func Operations() []string {
	ops := make([]string, 0, len(operationErrors))
	for op := range operationErrors {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Raises reports whether the model lists exception among the errors of op.
func Raises(op, exception string) bool { return slices.Contains(operationErrors[op], exception) }

// OperationErrors returns the exception names the ECR API model lists for op (nil for an
// operation the simulator does not implement).
func OperationErrors(op string) []string { return slices.Clone(operationErrors[op]) }
