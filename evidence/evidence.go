// Package evidence seals the files kept as evidence with age (X25519): to the authority's
// vault key and, where the server is given one, to the independent controller's public key as
// a second recipient. The controller opens what was sealed to it with its own identity, on
// its own machine (`takedown evidence open --identity FILE`): that identity never reaches the
// server, and the database alone reveals nothing.
package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/vault"
)

// Authority is the key the server unseals with: the vault.
type Authority interface {
	Recipient() age.Recipient
	Unseal(sealed []byte) ([]byte, error)
}

// Sealer seals evidence to the authority and, when set, to the controller.
type Sealer struct {
	authority  Authority
	recipients []age.Recipient
	controller string // the controller's public key, as given; empty without one
}

// NewSealer returns a Sealer to the authority and to the controller's age public key
// (age1…), which may be empty.
func NewSealer(authority Authority, controller string) (*Sealer, error) {
	s := &Sealer{authority: authority, recipients: []age.Recipient{authority.Recipient()}}
	if controller = strings.TrimSpace(controller); controller != "" {
		r, err := ParseRecipient(controller)
		if err != nil {
			return nil, err
		}
		s.recipients = append(s.recipients, r)
		s.controller = controller
	}
	return s, nil
}

// ParseRecipient reads an age X25519 public key (age1…).
func ParseRecipient(s string) (age.Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, takedown.Invalid("controller_recipient", "is not an age public key (age1…): %v", err)
	}
	return r, nil
}

// Controller is the controller's public key the evidence is sealed to, or "" when none.
func (s *Sealer) Controller() string { return s.controller }

// Seal encrypts plaintext to every recipient.
func (s *Sealer) Seal(plaintext []byte) ([]byte, error) {
	return vault.SealTo(plaintext, s.recipients...)
}

// Unseal decrypts sealed evidence with the authority's key.
func (s *Sealer) Unseal(sealed []byte) ([]byte, error) { return s.authority.Unseal(sealed) }

// Open decrypts sealed evidence with identities, such as the controller's, read by
// ReadIdentities. The error says whether the blob is damaged or sealed to other keys.
func Open(sealed []byte, identities ...age.Identity) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, takedown.Errorf(takedown.EINVALID, "the sealed evidence is empty (missing or already purged)")
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), identities...)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return nil, takedown.Errorf(takedown.EFORBIDDEN, "the evidence was not sealed to this identity")
	}
	if err != nil {
		return nil, takedown.Errorf(takedown.EINVALID, "the sealed evidence is damaged: %v", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, takedown.Errorf(takedown.EINVALID, "the sealed evidence is damaged: %v", err)
	}
	return b, nil
}

// ReadIdentities reads the age identities (AGE-SECRET-KEY-…) of a file, such as the one
// made by age-keygen.
func ReadIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evidence: identity: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, takedown.Errorf(takedown.EINVALID, "%s holds no age identity: %v", path, err)
	}
	return ids, nil
}
