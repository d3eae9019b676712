package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of the spec. The id is the receiver's idempotency key: it is the same on every
// attempt of one message, while the timestamp is the attempt's own.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a timestamp may be from the verifier's clock, the spec's five
// minutes: enough for clock skew and a slow network, short enough to make replays useless.
const DefaultTolerance = 5 * time.Minute

// signatureVersion marks an HMAC-SHA256 signature; the spec's asymmetric ones are "v1a".
const signatureVersion = "v1"

// Errors of Verify, one per way a message can fail, so a receiver can log why it refused one.
var (
	ErrMissingHeader      = errors.New("missing header")
	ErrBadTimestamp       = errors.New("malformed timestamp")
	ErrTooOld             = errors.New("timestamp too old")
	ErrTooNew             = errors.New("timestamp too far in the future")
	ErrMalformedSignature = errors.New("malformed signature")
	ErrNoMatch            = errors.New("no matching signature")
	ErrNoSecret           = errors.New("no secret")
)

// Sign returns the webhook-signature header value for a message: one "v1,<base64>" signature
// per secret, space-separated. During a rotation both the old and the new secret sign, so a
// receiver holding either accepts the message. ts is truncated to the second, as the
// webhook-timestamp header carries it.
func Sign(secrets []Secret, msgID string, ts time.Time, body []byte) string {
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sigs[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s, msgID, ts.Unix(), body))
	}
	return strings.Join(sigs, " ")
}

// mac is the HMAC-SHA256 of the spec's signed content, "id.timestamp.body".
func mac(s Secret, msgID string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(msgID))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, ts, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a received message as the spec requires: the three headers are present, the
// timestamp is within tolerance of now (DefaultTolerance when tolerance is not positive), and
// one of the v1 signatures is the HMAC of the message under one of secrets, compared in
// constant time. Signatures of other versions (v1a) are skipped. body must be the bytes as
// received, before any JSON parsing. The error wraps one of the Err* values above.
func Verify(secrets []Secret, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secrets) == 0 {
		return fmt.Errorf("webhook: verify: %w to verify with", ErrNoSecret)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	msgID, tsText, sigText := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	for _, kv := range [][2]string{{HeaderID, msgID}, {HeaderTimestamp, tsText}, {HeaderSignature, sigText}} {
		if kv[1] == "" {
			return fmt.Errorf("webhook: verify: %w %s", ErrMissingHeader, kv[0])
		}
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	at := time.Unix(ts, 0)
	if d := now.Sub(at); d > tolerance {
		return fmt.Errorf("webhook: verify: %w: %s is %s before now, beyond the %s tolerance",
			ErrTooOld, HeaderTimestamp, d.Truncate(time.Second), tolerance)
	}
	if d := at.Sub(now); d > tolerance {
		return fmt.Errorf("webhook: verify: %w: %s is %s after now, beyond the %s tolerance",
			ErrTooNew, HeaderTimestamp, d.Truncate(time.Second), tolerance)
	}
	sigs, err := parseSignatures(sigText)
	if err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	for _, s := range secrets {
		want := mac(s, msgID, ts, body)
		for _, got := range sigs {
			if hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return fmt.Errorf("webhook: verify: %w among %d v1 signatures for %d secrets", ErrNoMatch, len(sigs), len(secrets))
}

// parseTimestamp reads webhook-timestamp: decimal Unix seconds, digits only (no sign, no
// fraction, no spaces).
func parseTimestamp(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: %s is not decimal Unix seconds", ErrBadTimestamp, HeaderTimestamp)
		}
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is out of range", ErrBadTimestamp, HeaderTimestamp)
	}
	return ts, nil
}

// parseSignatures reads webhook-signature into its decoded v1 MACs. Every entry must be
// "version,value"; a v1 value must be the base64 of a 32-byte MAC. Other versions are
// skipped, so the list may come out empty, which Verify reports as no match.
func parseSignatures(s string) ([][]byte, error) {
	entries := strings.Fields(s)
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: %s is blank", ErrMalformedSignature, HeaderSignature)
	}
	var sigs [][]byte
	for i, e := range entries {
		version, value, ok := strings.Cut(e, ",")
		if !ok || version == "" || value == "" {
			return nil, fmt.Errorf("%w: entry %d of %s is not version,signature", ErrMalformedSignature, i+1, HeaderSignature)
		}
		if version != signatureVersion {
			continue
		}
		sig, err := base64.StdEncoding.Strict().DecodeString(value)
		if err != nil || len(sig) != sha256.Size {
			return nil, fmt.Errorf("%w: entry %d of %s is not the base64 of a %d-byte HMAC-SHA256",
				ErrMalformedSignature, i+1, HeaderSignature, sha256.Size)
		}
		sigs = append(sigs, sig)
	}
	return sigs, nil
}
