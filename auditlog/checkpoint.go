package auditlog

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, its size, and the root
// hash of the tree at that size.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the checkpoint's note text.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// MaxCheckpoint bounds a signed checkpoint read from untrusted input.
const MaxCheckpoint = 16 << 10

// Sign signs a checkpoint with the log's keys (one, or two while a key is rotated).
func Sign(c Checkpoint, signers ...note.Signer) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, signers...)
	if err != nil {
		return nil, fmt.Errorf("auditlog: sign checkpoint: %w", err)
	}
	return msg, nil
}

// ParseCheckpointText parses the text of a checkpoint note strictly: origin, size with no
// leading zeros, a base64 root of 32 bytes, and optional non-empty extension lines.
func ParseCheckpointText(text string) (Checkpoint, error) {
	const what = "checkpoint"
	if len(text) > MaxCheckpoint {
		return Checkpoint{}, malformed(what, "longer than %d bytes", MaxCheckpoint)
	}
	body, ok := strings.CutSuffix(text, "\n")
	if !ok {
		return Checkpoint{}, malformed(what, "does not end in a newline")
	}
	lines := strings.Split(body, "\n")
	if len(lines) < 3 {
		return Checkpoint{}, malformed(what, "has %d lines, want origin, size and root hash", len(lines))
	}
	for _, l := range lines[3:] {
		if l == "" {
			return Checkpoint{}, malformed(what, "has an empty extension line")
		}
	}
	c := Checkpoint{Origin: lines[0]}
	if !ValidOrigin(c.Origin) {
		return Checkpoint{}, malformed(what, "origin %q is not a name (printable, no spaces or '+')", truncate(c.Origin))
	}
	size, err := parseDecimal("checkpoint size", lines[1])
	if err != nil {
		return Checkpoint{}, err
	}
	c.Size = size
	root, err := decodeBase64(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, malformed(what, "root hash %q is not 32 bytes of base64", truncate(lines[2]))
	}
	copy(c.Root[:], root)
	return c, nil
}

// ValidOrigin reports whether s can be a log's origin and key name: printable ASCII without
// spaces or '+', as C2SP signed notes require, at most 255 bytes.
func ValidOrigin(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '+' {
			return false
		}
	}
	return true
}

// Opened is a checkpoint whose log signature verified.
type Opened struct {
	Checkpoint
	// Note is the signed note, as received.
	Note []byte
	// Cosigners names the witnesses whose cosignatures verified.
	Cosigners []string
}

// Open verifies a signed checkpoint: it must carry a valid signature by one of the log's
// keys, whose name is the origin, and a valid cosignature by each of the witnesses (none if
// no witness is required). Signatures by other keys are ignored. The error wraps ErrMalformed
// or ErrInconsistent.
func Open(msg []byte, logKeys []note.Verifier, witnesses []note.Verifier) (*Opened, error) {
	if len(msg) > MaxCheckpoint {
		return nil, malformed("checkpoint", "longer than %d bytes", MaxCheckpoint)
	}
	if len(logKeys) == 0 {
		return nil, errors.New("auditlog: open checkpoint: no log key")
	}
	n, err := note.Open(msg, note.VerifierList(append(append([]note.Verifier{}, logKeys...), witnesses...)...))
	var unverified *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unverified):
		return nil, inconsistent("the checkpoint is not signed by the log's key %s", logKeys[0].Name())
	case err != nil && strings.Contains(err.Error(), "malformed"):
		return nil, malformed("checkpoint", "%v", err)
	case err != nil:
		return nil, inconsistent("checkpoint signature: %v", err)
	}
	// note.Open decodes signatures with lenient base64, which ignores the padding bits: refuse
	// those other spellings, so that one signed checkpoint (and one receipt) is one text.
	for _, s := range n.Sigs {
		if _, err := decodeBase64(s.Base64); err != nil {
			return nil, malformed("checkpoint", "the signature by %s is not in canonical base64", s.Name)
		}
	}
	signed := func(v note.Verifier) bool {
		for _, s := range n.Sigs {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				return true
			}
		}
		return false
	}
	byLog := false
	for _, k := range logKeys {
		byLog = byLog || signed(k)
	}
	if !byLog {
		return nil, inconsistent("the checkpoint is not signed by the log's key %s", logKeys[0].Name())
	}
	c, err := ParseCheckpointText(n.Text)
	if err != nil {
		return nil, err
	}
	if c.Origin != logKeys[0].Name() {
		return nil, inconsistent("the checkpoint's origin is %q, but the log's key is named %q", truncate(c.Origin), logKeys[0].Name())
	}
	o := &Opened{Checkpoint: c, Note: msg}
	for _, w := range witnesses {
		if !signed(w) {
			return nil, inconsistent("the checkpoint of size %d is not cosigned by the witness %s", c.Size, w.Name())
		}
		o.Cosigners = append(o.Cosigners, w.Name())
	}
	return o, nil
}

// GenerateKey returns a new Ed25519 signing key for a log, named by its origin, and its
// public verifier key, in the signed-note formats ("PRIVATE+KEY+origin+hash+data" and
// "origin+hash+data").
func GenerateKey(origin string) (skey, vkey string, err error) {
	if !ValidOrigin(origin) {
		return "", "", fmt.Errorf("auditlog: origin %q is not a name: printable ASCII, no spaces or '+'", origin)
	}
	return note.GenerateKey(rand.Reader, origin)
}
