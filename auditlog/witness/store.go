package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog"
)

// The files of a witness's data directory.
const (
	// keyFile holds the witness's signing key.
	keyFile = "witness.key"
	// checkpointsDir holds, for each log, the latest checkpoint the witness cosigned.
	checkpointsDir = "checkpoints"
	// evidenceDir holds the refused requests that show a log contradicting itself.
	evidenceDir = "evidence"
)

// openDir creates the data directory for its owner only, or checks that an existing one is.
// A directory open to others is refused rather than changed: whoever made it so may have
// meant it, and the key in it must not have been readable.
func openDir(dir string) error {
	if dir == "" {
		return takedown.Invalid("data", "is required: the witness's data directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("witness: data directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("witness: data directory: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return takedown.Invalid("data", "%s is open to other users (mode %o); it holds the witness's signing key: run chmod 700 %s", dir, perm, dir)
	}
	for _, sub := range []string{checkpointsDir, evidenceDir} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("witness: data directory: %w", err)
		}
	}
	return nil
}

// key is the witness's signing key and its public cosignature/v1 key.
type key struct {
	signer *fnote.Signer
	vkey   string
}

// PublicKey returns the cosignature/v1 verifier key of the witness whose data directory is
// dir, for the log's operators to configure. If name is not empty, a directory without a
// key gets one by that name, as Open would make it, and a key of another name is refused;
// with an empty name, a missing key is an error.
func PublicKey(dir, name string) (string, error) {
	if name == "" {
		if _, err := os.Stat(filepath.Join(dir, keyFile)); errors.Is(err, fs.ErrNotExist) {
			return "", takedown.Errorf(takedown.ENOTFOUND, "%s holds no witness key: give the witness's name to create one", dir)
		}
	}
	if err := openDir(dir); err != nil {
		return "", err
	}
	k, err := loadKey(dir, name, name != "")
	if err != nil {
		return "", err
	}
	return k.vkey, nil
}

// loadKey reads the witness's key from its file, or, if create is set and there is none,
// generates one named name and writes it (mode 0600). A non-empty name must be the key's.
func loadKey(dir, name string, create bool) (*key, error) {
	path := filepath.Join(dir, keyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return newKey(path, name)
	}
	if err != nil {
		return nil, fmt.Errorf("witness: key: %w", err)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, takedown.Invalid("data", "%s is readable by others (mode %o): run chmod 600 on it, and consider the key compromised if it was read", path, info.Mode().Perm())
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "PRIVATE+KEY+") {
			continue
		}
		k, err := parseKey(line)
		if err != nil {
			return nil, fmt.Errorf("witness: %s: %w", path, err)
		}
		if name != "" && k.signer.Name() != name {
			return nil, takedown.Invalid("name", "the witness key in %s is named %q, not %q: a witness keeps its name, which its clients know it by", path, k.signer.Name(), name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("witness: %s holds no signing key (PRIVATE+KEY+…)", path)
}

// newKey generates a key named name and writes it to path, which must not exist.
func newKey(path, name string) (*key, error) {
	if !auditlog.ValidOrigin(name) {
		return nil, takedown.Invalid("name", "%q is not a key name: printable ASCII, no spaces or '+'", name)
	}
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, fmt.Errorf("witness: generate key: %w", err)
	}
	k, err := parseKey(skey)
	if err != nil {
		return nil, err
	}
	err = atomicfile.Create(path, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "# takedown witness key: cosigns the audit log's checkpoints. Keep it secret; back it up.\n# public key: %s\n%s\n", k.vkey, skey)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("witness: key: %w", err)
	}
	return k, nil
}

// parseKey parses a signed-note Ed25519 signing key ("PRIVATE+KEY+name+hash+data", as
// note.GenerateKey makes them) into a cosignature/v1 signer and its verifier key.
func parseKey(skey string) (*key, error) {
	signer, err := fnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		return nil, fmt.Errorf("witness: signing key: %w", err)
	}
	// The public key is derived from the seed; its hash, in the skey, is checked by
	// VKeyToCosignatureV1, so a key file whose parts do not match is refused.
	parts := strings.SplitN(skey, "+", 5)
	seed, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(seed) != 1+ed25519.SeedSize || seed[0] != 1 {
		return nil, errors.New("witness: signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(seed[1:]).Public().(ed25519.PublicKey)
	vkey, err := fnote.VKeyToCosignatureV1(parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)))
	if err != nil {
		return nil, fmt.Errorf("witness: signing key: %w", err)
	}
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil || v.KeyHash() != signer.KeyHash() {
		return nil, errors.New("witness: signing key: its public key does not match")
	}
	return &key{signer: signer, vkey: vkey}, nil
}

// fileName returns the file name of a log's files: the origin, path-escaped so that it is
// one name ("takedown.example%2Flog") with a leading dot escaped too (no "..", and no name
// of the hidden temporary files), or a hash of it when that would be too long. PathEscape
// never writes "%2E" or "%%", so no two origins get one name.
func fileName(origin string) string {
	esc := url.PathEscape(origin)
	if strings.HasPrefix(esc, ".") {
		esc = "%2E" + esc[1:]
	}
	if len(esc) <= 100 {
		return esc
	}
	sum := sha256.Sum256([]byte(origin))
	return "%%sha256-" + hex.EncodeToString(sum[:16])
}

// load reads the latest checkpoint cosigned for the log of the origin, or nil if there is
// none. It must carry the witness's own cosignature: state the witness did not write is
// refused, rather than trusted or silently reset, which would let the log roll back.
func (s *Server) load(origin string) (*cosigned, error) {
	path := filepath.Join(s.dir, checkpointsDir, fileName(origin))
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	n, err := note.Open(b, note.VerifierList(s.signer.Verifier()))
	if err != nil {
		return nil, fmt.Errorf("witness: %s does not carry the witness's valid cosignature (%v): restore it from a backup", path, err)
	}
	c, err := auditlog.ParseCheckpointText(n.Text)
	if err != nil {
		return nil, fmt.Errorf("witness: %s: %w", path, err)
	}
	if c.Origin != origin {
		return nil, fmt.Errorf("witness: %s holds a checkpoint of the log %q, not %q", path, c.Origin, origin)
	}
	return &cosigned{Checkpoint: c, note: b}, nil
}

// store writes the latest cosigned checkpoint of a log, durably, before it is answered.
func (s *Server) store(origin string, signed []byte) error {
	return writeFile(filepath.Join(s.dir, checkpointsDir), fileName(origin), signed)
}

// keepEvidence writes a refused request that contradicts the latest cosigned checkpoint, as
// received, beside that checkpoint, both signed by the log. Of the same size, they prove a
// fork; of a larger tree, the log owes a consistency proof between the two, which it cannot
// give if it rewrote its history. The files are named by the log, the sizes and a digest of
// the request, so that a request sent again adds nothing. It logs the refusal; a failure to
// write is logged, and does not change the answer.
func (s *Server) keepEvidence(latest *cosigned, cp *auditlog.Opened, req *auditlog.AddCheckpoint, body []byte, why error) {
	dir := filepath.Join(s.dir, evidenceDir)
	sum := sha256.Sum256(body)
	stem := fmt.Sprintf("%s-%d-%d-%x", fileName(cp.Origin), req.OldSize, cp.Size, sum[:8])
	msg := "witness: refused a checkpoint inconsistent with the one it cosigned: its consistency proof does not verify; the log signed both"
	if req.OldSize == cp.Size {
		msg = "witness: refused a checkpoint inconsistent with the one it cosigned: another tree of the same size; the log signed both, it forked"
	}
	s.log.Warn(msg, "origin", cp.Origin, "cosigned_size", latest.Size, "size", cp.Size, "problem", why.Error(),
		"evidence", filepath.Join(dir, stem+".add-checkpoint"))
	if fileExists(filepath.Join(dir, stem+".add-checkpoint")) {
		return // this very request, kept already
	}
	if err := errors.Join(writeFile(dir, stem+".cosigned", latest.note), writeFile(dir, stem+".add-checkpoint", body)); err != nil {
		s.log.Error("witness: cannot keep the evidence of an inconsistent checkpoint", "origin", cp.Origin, "err", err)
	}
}

// fileExists reports whether anything is at path.
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// writeFile writes data to dir/name atomically and durably (package atomicfile): a reader,
// or the witness after a crash, finds the old content or the new, never a part.
func writeFile(dir, name string, data []byte) error {
	err := atomicfile.Write(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	return nil
}
