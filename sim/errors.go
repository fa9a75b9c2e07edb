package sim

import (
	"fmt"

	"github.com/ecrsign/ecrsign/sim/ecrapi"
)

// newError returns the exception code with a formatted message.
func newError(code, format string, args ...any) *ecrapi.Error {
	return &ecrapi.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// invalidRequest returns the exception an operation raises for a request member that breaks a
// model constraint: ValidationException where the model lists it, else
// InvalidParameterException (the operations without ValidationException, such as PutImage
// and CreateRepository, report constraint violations so).
func invalidRequest(op, message string) error {
	if ecrapi.Raises(op, ecrapi.ValidationException) {
		return &ecrapi.Error{Code: ecrapi.ValidationException, Message: message}
	}
	return &ecrapi.Error{Code: ecrapi.InvalidParameterException, Message: message}
}
