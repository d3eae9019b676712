package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// The errors a guarded request can fail with, besides those of the network. Compare with
// errors.Is; Reason turns any error into a short code for metrics and records.
var (
	// ErrRefusedAddress: the request would have reached an address the authority's network
	// must be protected from (see RefusedError); nothing was sent.
	ErrRefusedAddress = errors.New("refused address")
	// ErrTooManyRedirects: the server sent more redirects than Config.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrBadURL: the URL, or a redirect's, is not one takedown fetches (not absolute, not
	// http or https, no host).
	ErrBadURL = errors.New("bad URL")
	// ErrBodyTooLarge: a response body went on beyond Config.MaxBytes. Check records the
	// bytes before it as a truncated body; other callers get this error from Read.
	ErrBodyTooLarge = errors.New("response body too large")
)

// RefusedError says which address a request was refused and why, so that a person reading
// a record sees that the URL pointed inside, not that "the check failed".
type RefusedError struct {
	// Host is the name that resolved to Addr when the check was made before the request (with
	// a proxy); "" when the dialer refused the connection itself.
	Host string
	// Addr is the refused address, with its port when the dialer refused it.
	Addr string
	// Why names the kind of address: "a private address", "a loopback address"…
	Why string
}

// Error implements the error interface.
func (e *RefusedError) Error() string {
	if e.Host != "" {
		if e.Addr == "" {
			return fmt.Sprintf("refused to fetch %s: %s", e.Host, e.Why)
		}
		return fmt.Sprintf("refused to fetch %s: it resolves to %s, %s", e.Host, e.Addr, e.Why)
	}
	return fmt.Sprintf("refused to connect to %s: %s", e.Addr, e.Why)
}

// Is makes errors.Is(err, ErrRefusedAddress) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefusedAddress }

// The reason codes Reason returns.
const (
	ReasonRefusedAddress    = "refused_address"
	ReasonTimeout           = "timeout"
	ReasonCancelled         = "cancelled"
	ReasonTLS               = "tls"
	ReasonDNSNotFound       = "dns_not_found"
	ReasonDNS               = "dns_error"
	ReasonConnectionRefused = "connection_refused"
	ReasonTooManyRedirects  = "too_many_redirects"
	ReasonBadURL            = "bad_url"
	ReasonTooLarge          = "too_large"
	ReasonOther             = "other"
)

// Reason returns a short snake_case code for what went wrong, for metrics labels and records
// ("" for nil). The set is small and fixed, so that a dashboard can count each kind.
func Reason(err error) string {
	code, _ := classify(err)
	return code
}

// classify returns Reason's code and a sentence for people that says what happened, without
// the URL (which the record holds anyway).
func classify(err error) (code, text string) {
	if err == nil {
		return "", ""
	}
	if re, ok := errors.AsType[*RefusedError](err); ok {
		return ReasonRefusedAddress, re.Error()
	}
	switch {
	case errors.Is(err, ErrTooManyRedirects):
		return ReasonTooManyRedirects, inner(err)
	case errors.Is(err, ErrBadURL):
		return ReasonBadURL, inner(err)
	case errors.Is(err, ErrBodyTooLarge):
		return ReasonTooLarge, inner(err)
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		switch {
		case de.IsNotFound:
			return ReasonDNSNotFound, "host no longer resolves"
		case de.IsTimeout:
			return ReasonTimeout, "timeout (DNS)"
		}
		return ReasonDNS, "DNS lookup failed: " + de.Err
	}
	if isTLS(err) {
		return ReasonTLS, "TLS error: " + inner(err)
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return ReasonTimeout, "timeout"
	}
	if errors.Is(err, context.Canceled) {
		return ReasonCancelled, "check cancelled"
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ReasonConnectionRefused, "connection refused"
	}
	return ReasonOther, "request failed: " + inner(err)
}

// isTLS reports whether err is a failed TLS handshake or certificate verification.
func isTLS(err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return true
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return true
	}
	if _, ok := errors.AsType[tls.AlertError](err); ok {
		return true
	}
	return false
}

// inner is err's message without the url.Error's method and URL prefix.
func inner(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return strings.TrimPrefix(err.Error(), "fetch: ")
}
