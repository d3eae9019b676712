// Package webhook signs and sends takedown's webhooks as the Standard Webhooks specification
// (https://www.standardwebhooks.com) has them, so that an operator can verify them with any of
// the spec's libraries, or with a dozen lines of its own: HMAC-SHA256 over
// "id.timestamp.body", one signature per active secret, so secrets rotate without downtime.
//
// The package sends one attempt and says what the receiver did; retrying, backing off and
// recording receipts belong to the outbox that calls it.
package webhook

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SecretPrefix marks a webhook signing secret, as the spec has it, so that an operator (or a
// secret scanner) recognises one on sight.
const SecretPrefix = "whsec_"

// The bounds the spec sets on a secret's length, in bytes before encoding: below 24 a secret
// is guessable, above 64 HMAC-SHA256 hashes it down anyway.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// newSecretBytes is how many random bytes NewSecret draws: 256 bits, SHA-256's own strength.
const newSecretBytes = 32

// Errors of ParseSecret, distinct so a form can say which mistake an operator made.
var (
	ErrSecretPrefix = errors.New("secret does not start with " + SecretPrefix)
	ErrSecretBase64 = errors.New("secret is not valid base64 after " + SecretPrefix)
	ErrSecretLength = fmt.Errorf("secret is not %d to %d bytes long", MinSecretBytes, MaxSecretBytes)
)

// Secret is a parsed signing secret. It never prints its key: fmt, %v, %#v and slog all show
// a placeholder, so a secret that ends up in a log line or an error by mistake leaks nothing.
// Keep the "whsec_…" string, in the vault, as the stored form.
type Secret struct {
	key []byte
}

// redacted is what a Secret prints as.
const redacted = "webhook.Secret(redacted)"

// String hides the key.
func (Secret) String() string { return redacted }

// GoString hides the key from %#v.
func (Secret) GoString() string { return redacted }

// Format hides the key whatever the verb (%x and %q included).
func (Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// NewSecret makes a new secret from rand (crypto/rand.Reader in production, a fixed stream in
// tests) in the spec's serialized form, to be given to the operator once and stored.
func NewSecret(rand io.Reader) (string, error) {
	key := make([]byte, newSecretBytes)
	if _, err := io.ReadFull(rand, key); err != nil {
		return "", fmt.Errorf("webhook: new secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// ParseSecret reads a secret in the spec's serialized form: "whsec_" and the standard,
// padded base64 of 24 to 64 bytes. Its errors never repeat the input.
func ParseSecret(s string) (Secret, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return Secret{}, fmt.Errorf("webhook: parse secret: %w", ErrSecretPrefix)
	}
	if strings.ContainsAny(enc, "\r\n") { // which the decoder would skip
		return Secret{}, fmt.Errorf("webhook: parse secret: %w: line break", ErrSecretBase64)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		// err names the offending byte's position, never the secret.
		return Secret{}, fmt.Errorf("webhook: parse secret: %w: %v", ErrSecretBase64, err)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("webhook: parse secret: %w (it is %d)", ErrSecretLength, len(key))
	}
	return Secret{key: key}, nil
}
