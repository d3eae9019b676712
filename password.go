package takedown

import "unicode/utf8"

// Limits on console passwords (casework stores them as argon2id hashes).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// CheckPassword says what is wrong with a new password.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case !utf8.ValidString(password):
		return Invalid("password", "is not valid UTF-8")
	case n < MinPasswordLength:
		return Invalid("password", "has %d characters; it needs at least %d (a few words make a good one)", n, MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return Invalid("password", "is longer than %d bytes", MaxPasswordLength)
	}
	return nil
}
