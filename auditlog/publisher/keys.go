package publisher

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog"
)

// Keys are the keys that sign the log's checkpoints: the current one and, while a key is
// being rotated, the previous one, so that verifiers that know only the old key keep
// verifying until they have the new one.
type Keys struct {
	// Origin is the log's origin, the name of every key.
	Origin string
	// Signers sign each checkpoint: the current key first.
	Signers []note.Signer
	// Public are the verifier keys, in the same order.
	Public []string
}

// PreviousSuffix names the file of the previous key during a rotation: the key file's name
// with this suffix.
const PreviousSuffix = ".previous"

// LoadKeys reads the signing key at path, and the previous key beside it if a rotation is in
// progress. A key file must be readable by its owner only. If origin is not empty, the key
// must be named by it.
func LoadKeys(path, origin string) (*Keys, error) {
	cur, err := readKey(path)
	if err != nil {
		return nil, err
	}
	if origin != "" && cur.Name() != origin {
		return nil, takedown.Invalid("log-origin", "the log key %s is for the origin %q, not %q: the origin names the log and cannot change with the same key", path, cur.Name(), origin)
	}
	keys := &Keys{Origin: cur.Name()}
	if err := keys.add(cur, path); err != nil {
		return nil, err
	}
	prev, err := readKey(path + PreviousSuffix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	case prev.Name() != cur.Name():
		return nil, takedown.Invalid("log-key-file", "the previous log key %s%s is for the origin %q, but the current one for %q", path, PreviousSuffix, prev.Name(), cur.Name())
	default:
		if err := keys.add(prev, path+PreviousSuffix); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// signerFile is a signer read from a file, with its private key text for the public key.
type signerFile struct {
	note.Signer
	skey string
}

func (k *Keys) add(s *signerFile, path string) error {
	vkey, err := publicKey(s.skey)
	if err != nil {
		return fmt.Errorf("publisher: %s: %w", path, err)
	}
	k.Signers = append(k.Signers, s.Signer)
	k.Public = append(k.Public, vkey)
	return nil
}

// readKey reads one signer key file, refusing one that others can read.
func readKey(path string) (*signerFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, takedown.Invalid("log-key-file", "%s is readable by other users (mode %o): whoever reads it can sign the log's checkpoints; run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	skey := strings.TrimSpace(string(b))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, takedown.Invalid("log-key-file", "%s does not hold a signed-note private key (PRIVATE+KEY+…): %v", path, err)
	}
	return &signerFile{Signer: s, skey: skey}, nil
}

// publicKey derives the verifier key of a signer key, which the note package does not expose:
// a signer key is PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 ‖ Ed25519 seed>, and its verifier
// key <name>+<hash>+<base64 of 0x01 ‖ public key>.
func publicKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5) // the key data is base64, which has '+' too
	if len(parts) != 5 {
		return "", errors.New("malformed signer key")
	}
	data, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(data) != 1+ed25519.SeedSize || data[0] != 1 {
		return "", errors.New("the signer key is not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	vkey := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	if _, err := note.NewVerifier(vkey); err != nil { // the hash must match the key
		return "", fmt.Errorf("the signer key's hash does not match it: %w", err)
	}
	return vkey, nil
}

// CreateKey writes a new signing key for origin at path, readable by its owner only, and
// returns its verifier key. It refuses to replace an existing file.
func CreateKey(path, origin string) (string, error) {
	skey, vkey, err := auditlog.GenerateKey(origin)
	if err != nil {
		return "", takedown.Invalid("log-origin", "%v", err)
	}
	err = atomicfile.Create(path, func(w io.Writer) error {
		_, err := io.WriteString(w, skey+"\n")
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		return "", takedown.Errorf(takedown.ECONFLICT, "%s already exists: a log's key is never replaced, only rotated (takedown admin log-key rotate)", path)
	}
	if err != nil {
		return "", fmt.Errorf("publisher: create the log key: %w", err)
	}
	return vkey, nil
}

// RotateKey starts a key rotation: the key at path becomes the previous key, and a new key
// for the same origin takes its place. Both sign until RetireKey. It refuses while another
// rotation is in progress.
func RotateKey(path string) (string, error) {
	cur, err := readKey(path)
	if err != nil {
		return "", err
	}
	prev := path + PreviousSuffix
	if _, err := os.Stat(prev); err == nil {
		return "", takedown.Errorf(takedown.ECONFLICT, "a rotation is already in progress (%s exists): retire the previous key first", prev)
	}
	if err := os.Link(path, prev); err != nil {
		return "", fmt.Errorf("publisher: keep the previous log key: %w", err)
	}
	tmp := path + ".new"
	vkey, err := CreateKey(tmp, cur.Name())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(prev)
		return "", err
	}
	return vkey, nil
}

// RetireKey ends a key rotation: the previous key stops signing and is deleted.
func RetireKey(path string) error {
	err := os.Remove(path + PreviousSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return takedown.Errorf(takedown.ECONFLICT, "no key rotation is in progress: there is no %s%s", path, PreviousSuffix)
	}
	return err
}
