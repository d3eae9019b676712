// Package vault seals the small secrets the authority keeps about people, such as a
// reporter's contact, with age (X25519), so that a copy of the database alone reveals none
// of them. The identity (private key) is a file in the data directory, readable by its owner
// only; losing it makes the sealed data unreadable, so it belongs in the backups, kept apart
// from the database backups.
package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/takedown-project/takedown/atomicfile"
)

// Vault seals to one age identity and unseals with it.
type Vault struct {
	identity *age.X25519Identity
}

// Load reads the identity file at path, creating it with a fresh identity (mode 0600) if it
// does not exist.
func Load(path string) (*Vault, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, fmt.Errorf("vault: generate identity: %w", err)
		}
		err = atomicfile.Create(path, func(w io.Writer) error {
			_, err := fmt.Fprintf(w, "# takedown vault identity: seals reporters' contacts. Back it up apart from the database.\n# public key: %s\n%s\n",
				id.Recipient(), id)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("vault: %w", err)
		}
		return &Vault{identity: id}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("vault: %s is readable by others (mode %o); run chmod 600 on it", path, info.Mode().Perm())
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "AGE-SECRET-KEY-") {
			id, err := age.ParseX25519Identity(strings.TrimSpace(line))
			if err != nil {
				return nil, fmt.Errorf("vault: %s: %w", path, err)
			}
			return &Vault{identity: id}, nil
		}
	}
	return nil, fmt.Errorf("vault: %s holds no age identity (AGE-SECRET-KEY-…)", path)
}

// Seal encrypts plaintext to the vault's identity.
func (v *Vault) Seal(plaintext []byte) ([]byte, error) {
	return SealTo(plaintext, v.identity.Recipient())
}

// SealTo encrypts plaintext to recipients, such as the vault's and the controller's.
func SealTo(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	return buf.Bytes(), nil
}

// Unseal decrypts what Seal produced.
func (v *Vault) Unseal(sealed []byte) ([]byte, error) {
	r, err := age.Decrypt(bytes.NewReader(sealed), v.identity)
	if err != nil {
		return nil, fmt.Errorf("vault: unseal: %w", err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("vault: unseal: %w", err)
	}
	return b, nil
}

// Recipient is the vault's public key, for sealing to it beside other recipients.
func (v *Vault) Recipient() age.Recipient { return v.identity.Recipient() }
