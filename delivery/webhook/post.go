package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// DefaultTimeout bounds an attempt when Post is given no client: the spec recommends 15 to
// 30 seconds, time for a receiver to verify, store and answer.
const DefaultTimeout = 30 * time.Second

// MaxRetryAfter caps the wait a receiver may ask for with Retry-After, so that a receiver
// cannot push a measure's delivery back by days.
const MaxRetryAfter = time.Hour

// MaxResponseBody is how much of a receiver's answer Post keeps for the record.
const MaxResponseBody = 1 << 10

// UserAgent names takedown's webhook sender to the receivers' logs and firewalls.
const UserAgent = "takedown-webhook/1"

// Response is what the receiver did with one attempt, in the terms the outbox decides on:
// a receipt, a retry (and when), or a failure that retrying will not mend.
type Response struct {
	// Status is the HTTP status, 0 when there was no HTTP response.
	Status int
	// Accepted is true on a 2xx: the receiver acknowledged receipt. It is the receipt that
	// starts the operator's legal deadline.
	Accepted bool
	// Retry is true when another attempt later may succeed: network errors, timeouts, TLS
	// failures, 5xx, 408, 429, and 3xx (redirects are not followed; the operator corrects
	// its registered endpoint, which a later attempt uses). It is false for the other 4xx,
	// which will not change by themselves (410 Gone: the operator removed the endpoint), and
	// for an invalid endpoint or message id.
	Retry bool
	// RetryAfter is the wait a 429 or 503 asked for with Retry-After, at most MaxRetryAfter;
	// 0 when none was asked.
	RetryAfter time.Duration
	// Reason says what happened, for people and for the record: "HTTP 503", "timeout",
	// "connection refused", "redirect not followed (302 to …)", "TLS: …". It never holds a
	// secret, nor the endpoint's query string.
	Reason string
	// Body is the start of the receiver's answer, at most MaxResponseBody bytes of valid
	// UTF-8, for the record.
	Body string
	// Err is the error that kept the request from getting an answer, nil when it got one:
	// the caller can tell a refusal of its own client (an address it must not reach) from a
	// failure of the network.
	Err error
}

// Post sends one signed message to endpoint and reports what the receiver did. msgID must be
// the same on every attempt of one message (the receiver dedupes on it); ts is the attempt's
// time, sent as webhook-timestamp and used to read a Retry-After date. Post never follows
// redirects: a webhook's receipt must come from the endpoint the operator registered. client
// may be nil (a client with DefaultTimeout is used); it is not modified. The ctx bounds the
// attempt as well as client's Timeout.
func Post(ctx context.Context, client *http.Client, endpoint string, secrets []Secret, msgID string, ts time.Time, body []byte) Response {
	if err := checkEndpoint(endpoint); err != nil {
		return Response{Reason: err.Error()}
	}
	if err := checkMessageID(msgID); err != nil {
		return Response{Reason: err.Error()}
	}
	if len(secrets) == 0 {
		return Response{Reason: "no secret to sign with"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		// The endpoint was checked above; the error may hold it, so it is not repeated.
		return Response{Reason: "invalid request"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, msgID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(secrets, msgID, ts, body))

	resp, err := noRedirects(client).Do(req)
	if err != nil {
		return Response{Retry: true, Reason: transportReason(err), Err: err}
	}
	defer resp.Body.Close()
	r := Response{
		Status:   resp.StatusCode,
		Accepted: resp.StatusCode >= 200 && resp.StatusCode < 300,
		Retry:    retryable(resp.StatusCode),
		Reason:   "HTTP " + strconv.Itoa(resp.StatusCode),
		Body:     readBody(resp.Body),
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		r.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), ts)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		r.Reason = redirectReason(resp)
	}
	return r
}

// noRedirects returns a copy of c that stops at the first response.
func noRedirects(c *http.Client) *http.Client {
	stop := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c == nil {
		return &http.Client{Timeout: DefaultTimeout, CheckRedirect: stop}
	}
	cc := *c
	cc.CheckRedirect = stop
	return &cc
}

// checkEndpoint refuses what cannot be a webhook endpoint, and credentials in the URL, which
// would end up in logs and records.
func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		// url's error repeats the input; say only that it is not a URL.
		return errors.New("invalid endpoint: not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("invalid endpoint: not an absolute https or http URL")
	case u.User != nil:
		return errors.New("invalid endpoint: user info (user:password@) is not allowed")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("invalid endpoint: no host")
	}
	return nil
}

// checkMessageID keeps the id a plain header token without '.', which the spec asks so that
// the id cannot run into the timestamp in the signed content.
func checkMessageID(id string) error {
	if id == "" || len(id) > 256 {
		return errors.New("invalid message id: must be 1 to 256 bytes")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return errors.New("invalid message id: only printable ASCII, no space, no '.'")
		}
	}
	return nil
}

// retryable says whether another attempt may get a different answer.
func retryable(status int) bool {
	switch {
	case status >= 200 && status < 300:
		return false
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests:
		return true
	case status >= 400 && status < 500:
		return false
	}
	return true // 3xx, 5xx and anything unexpected
}

// readBody keeps the start of a receiver's answer, as valid UTF-8 for the record, and drains a
// little more so the connection can be reused.
func readBody(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, MaxResponseBody))
	io.CopyN(io.Discard, r, 4<<10)
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	for len(s) > MaxResponseBody {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// parseRetryAfter reads Retry-After, seconds or an HTTP date (taken relative to now), into a
// wait between 0 and MaxRetryAfter; 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		switch {
		case err != nil && errors.Is(err, strconv.ErrRange):
			return MaxRetryAfter
		case err != nil:
			return 0
		case n >= uint64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else {
		t, err := http.ParseTime(v)
		if err != nil {
			return 0
		}
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}

// redirectReason names where the receiver wanted to send us, without the query string, which
// may hold the operator's token.
func redirectReason(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		return fmt.Sprintf("redirect not followed (%d, no Location)", resp.StatusCode)
	}
	loc.User = nil
	loc.Fragment, loc.RawFragment = "", ""
	q := ""
	if loc.RawQuery != "" || loc.ForceQuery {
		loc.RawQuery, loc.ForceQuery, q = "", false, "?…"
	}
	return fmt.Sprintf("redirect not followed (%d to %s%s)", resp.StatusCode, loc, q)
}

// transportReason says in a few words why there was no HTTP response. It does not repeat
// the url.Error around err, which holds the endpoint.
func transportReason(err error) string {
	var (
		netErr     net.Error
		verifyErr  *tls.CertificateVerificationError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		dnsErr     *net.DNSError
		urlErr     *url.Error
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &verifyErr):
		return "TLS: " + verifyErr.Err.Error()
	case errors.As(err, &unknownCA):
		return "TLS: " + unknownCA.Error()
	case errors.As(err, &hostErr):
		return "TLS: " + hostErr.Error()
	case errors.As(err, &invalidErr):
		return "TLS: " + invalidErr.Error()
	case errors.As(err, &recordErr):
		return "TLS: " + recordErr.Error()
	case errors.As(err, &alertErr):
		return "TLS: " + alertErr.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &dnsErr):
		return "DNS: " + dnsErr.Err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed before a response"
	case errors.As(err, &urlErr):
		return urlErr.Err.Error()
	}
	return err.Error()
}
