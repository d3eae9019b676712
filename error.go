package takedown

import (
	"errors"
	"fmt"
)

// Error codes. They are the whole vocabulary of failure that users see: the HTTP API maps
// each to a status, the CLI to an exit code. Anything else is an internal error, logged once
// and shown as "internal error".
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EPRECONDITION = "precondition_failed"
	ETOOLARGE     = "too_large"
	EUNSUPPORTED  = "unsupported_media_type"
	EMETHOD       = "method_not_allowed"
	ERATELIMITED  = "rate_limited"
	EUNAVAILABLE  = "unavailable"
	// EINCONSISTENT: the audit log, a checkpoint or a receipt does not verify: the record
	// was changed, or a log shows two histories. The message carries the evidence.
	EINCONSISTENT       = "inconsistent"
	EINTERNAL           = "internal"
	internalErrorString = "internal error"
)

// Error is an error a user can act on: a code from the list above, a message that says what
// is wrong, and, for invalid input, the JSON field that is wrong.
type Error struct {
	Code    string
	Message string
	Field   string // JSON path of the offending input, e.g. "urls[1]"; empty if none
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("takedown: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("takedown: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL for any other error,
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an *Error in err's chain, or "internal error" for any
// other error, so that internal details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return internalErrorString
}

// ErrorField returns the offending field of an *Error in err's chain, if any.
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}

// IndexField names element i of a list field in errors, as in "urls[2]".
func IndexField(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// errorTable maps each code to its HTTP status and the CLI's exit code. It is the one place
// where codes meet transports. Where two codes share a status, the first is the one assumed
// for a bare status.
var errorTable = []struct {
	code         string
	status, exit int
}{
	{EINVALID, 400, 2},
	{EUNAUTHORIZED, 401, 3},
	{EFORBIDDEN, 403, 4},
	{ENOTFOUND, 404, 5},
	{ECONFLICT, 409, 6},
	{EPRECONDITION, 422, 7},
	{ETOOLARGE, 413, 2},
	{EUNSUPPORTED, 415, 2},
	{EMETHOD, 405, 2},
	{ERATELIMITED, 429, 8},
	{EUNAVAILABLE, 503, 9},
	{EINCONSISTENT, 409, 10},
	{EINTERNAL, 500, 1},
}

// HTTPStatus returns the HTTP status for an error code.
func HTTPStatus(code string) int {
	for _, e := range errorTable {
		if e.code == code {
			return e.status
		}
	}
	return 500
}

// ExitCode returns the CLI exit code for an error code; 0 for no error.
func ExitCode(code string) int {
	if code == "" {
		return 0
	}
	for _, e := range errorTable {
		if e.code == code {
			return e.exit
		}
	}
	return 1
}

// CodeForStatus returns the error code a client should assume for an HTTP status that came
// without a problem document (a proxy's error page, say).
func CodeForStatus(status int) string {
	for _, e := range errorTable {
		if e.status == status {
			return e.code
		}
	}
	return EINTERNAL
}
