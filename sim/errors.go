package sim

import "slices"

// APIError is implemented by every exception the simulator raises. ErrorCode is the model's
// exception name (the `__type` of an AWS JSON 1.1 error body), ErrorMessage its `message`,
// and HTTPStatusCode the status the protocol answers with (500 for ServerException, which the
// model marks as a fault, 400 for the others).
type APIError interface {
	error
	ErrorCode() string
	ErrorMessage() string
	HTTPStatusCode() int
}

// The exceptions of the ECR API model the simulator raises, one type each, so that callers can
// use errors.As. Their JSON form is the error body {"message": "..."}.

// ServerException: a server-side error; the simulator raises it only when fault injection asks for it.
type ServerException struct {
	Message string `json:"message"`
}

func (e *ServerException) Error() string        { return "ServerException: " + e.Message }
func (e *ServerException) ErrorCode() string    { return "ServerException" }
func (e *ServerException) ErrorMessage() string { return e.Message }
func (e *ServerException) HTTPStatusCode() int  { return 500 }

// InvalidParameterException: a parameter is invalid.
type InvalidParameterException struct {
	Message string `json:"message"`
}

func (e *InvalidParameterException) Error() string        { return "InvalidParameterException: " + e.Message }
func (e *InvalidParameterException) ErrorCode() string    { return "InvalidParameterException" }
func (e *InvalidParameterException) ErrorMessage() string { return e.Message }
func (e *InvalidParameterException) HTTPStatusCode() int  { return 400 }

// ValidationException: a request member violates a constraint of the API model.
type ValidationException struct {
	Message string `json:"message"`
}

func (e *ValidationException) Error() string        { return "ValidationException: " + e.Message }
func (e *ValidationException) ErrorCode() string    { return "ValidationException" }
func (e *ValidationException) ErrorMessage() string { return e.Message }
func (e *ValidationException) HTTPStatusCode() int  { return 400 }

// SigningConfigurationNotFoundException: the registry has no signing configuration.
type SigningConfigurationNotFoundException struct {
	Message string `json:"message"`
}

func (e *SigningConfigurationNotFoundException) Error() string {
	return "SigningConfigurationNotFoundException: " + e.Message
}
func (e *SigningConfigurationNotFoundException) ErrorCode() string {
	return "SigningConfigurationNotFoundException"
}
func (e *SigningConfigurationNotFoundException) ErrorMessage() string { return e.Message }
func (e *SigningConfigurationNotFoundException) HTTPStatusCode() int  { return 400 }

// RepositoryNotFoundException: the repository does not exist in the registry.
type RepositoryNotFoundException struct {
	Message string `json:"message"`
}

func (e *RepositoryNotFoundException) Error() string {
	return "RepositoryNotFoundException: " + e.Message
}
func (e *RepositoryNotFoundException) ErrorCode() string    { return "RepositoryNotFoundException" }
func (e *RepositoryNotFoundException) ErrorMessage() string { return e.Message }
func (e *RepositoryNotFoundException) HTTPStatusCode() int  { return 400 }

// RepositoryAlreadyExistsException: a repository with that name already exists.
type RepositoryAlreadyExistsException struct {
	Message string `json:"message"`
}

func (e *RepositoryAlreadyExistsException) Error() string {
	return "RepositoryAlreadyExistsException: " + e.Message
}
func (e *RepositoryAlreadyExistsException) ErrorCode() string {
	return "RepositoryAlreadyExistsException"
}
func (e *RepositoryAlreadyExistsException) ErrorMessage() string { return e.Message }
func (e *RepositoryAlreadyExistsException) HTTPStatusCode() int  { return 400 }

// ImageNotFoundException: the image does not exist in the repository.
type ImageNotFoundException struct {
	Message string `json:"message"`
}

func (e *ImageNotFoundException) Error() string        { return "ImageNotFoundException: " + e.Message }
func (e *ImageNotFoundException) ErrorCode() string    { return "ImageNotFoundException" }
func (e *ImageNotFoundException) ErrorMessage() string { return e.Message }
func (e *ImageNotFoundException) HTTPStatusCode() int  { return 400 }

// ImageTagAlreadyExistsException: the tag exists on another image in an immutable repository.
type ImageTagAlreadyExistsException struct {
	Message string `json:"message"`
}

func (e *ImageTagAlreadyExistsException) Error() string {
	return "ImageTagAlreadyExistsException: " + e.Message
}
func (e *ImageTagAlreadyExistsException) ErrorCode() string    { return "ImageTagAlreadyExistsException" }
func (e *ImageTagAlreadyExistsException) ErrorMessage() string { return e.Message }
func (e *ImageTagAlreadyExistsException) HTTPStatusCode() int  { return 400 }

// ImageDigestDoesNotMatchException: the digest given does not match the manifest.
type ImageDigestDoesNotMatchException struct {
	Message string `json:"message"`
}

func (e *ImageDigestDoesNotMatchException) Error() string {
	return "ImageDigestDoesNotMatchException: " + e.Message
}
func (e *ImageDigestDoesNotMatchException) ErrorCode() string {
	return "ImageDigestDoesNotMatchException"
}
func (e *ImageDigestDoesNotMatchException) ErrorMessage() string { return e.Message }
func (e *ImageDigestDoesNotMatchException) HTTPStatusCode() int  { return 400 }

// ReferencedImagesNotFoundException: an image index references manifests the repository does not hold.
type ReferencedImagesNotFoundException struct {
	Message string `json:"message"`
}

func (e *ReferencedImagesNotFoundException) Error() string {
	return "ReferencedImagesNotFoundException: " + e.Message
}
func (e *ReferencedImagesNotFoundException) ErrorCode() string {
	return "ReferencedImagesNotFoundException"
}
func (e *ReferencedImagesNotFoundException) ErrorMessage() string { return e.Message }
func (e *ReferencedImagesNotFoundException) HTTPStatusCode() int  { return 400 }

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
}

// Operations returns the names of the operations the simulator implements.
func Operations() []string {
	ops := make([]string, 0, len(operationErrors))
	for op := range operationErrors {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// OperationErrors returns the exception names the ECR API model lists for op (nil for an
// operation the simulator does not implement).
func OperationErrors(op string) []string { return slices.Clone(operationErrors[op]) }

// invalidRequest returns the exception an operation raises for a request member that breaks a
// model constraint: ValidationException where the model lists it, else
// InvalidParameterException (the operations without ValidationException, such as PutImage
// and CreateRepository, report constraint violations so).
func invalidRequest(op, message string) error {
	if slices.Contains(operationErrors[op], "ValidationException") {
		return &ValidationException{Message: message}
	}
	return &InvalidParameterException{Message: message}
}
