package auditlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
)

// proofHeader is the first line of a C2SP tlog-proof.
const proofHeader = "c2sp.org/tlog-proof@v1"

// MaxProofHashes bounds an inclusion or consistency proof: a tree of 2^63 leaves needs 63.
const MaxProofHashes = 63

// MaxProof bounds a tlog-proof read from untrusted input: an event body in its extra data,
// the hashes and the checkpoint.
const MaxProof = 2 << 20

// Proof is a C2SP tlog-proof: an inclusion proof of the entry at Index in the tree of the
// checkpoint, which it carries, with optional extra data that the proof itself does not
// authenticate. A receipt is a Proof whose extra data is the event (see NewReceipt).
type Proof struct {
	Extra  []byte
	Index  int64
	Hashes []tlog.Hash // RFC 6962 order: from the leaf's sibling up to the root's child
	// Checkpoint is the signed note the proof leads to.
	Checkpoint []byte
}

// Marshal encodes the proof in the tlog-proof text format.
func (p *Proof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(proofHeader + "\n")
	if p.Extra != nil {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	fmt.Fprintf(&b, "index %d\n", p.Index)
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof parses a tlog-proof. It checks the form only: VerifyReceipt checks what it says.
func ParseProof(data []byte) (*Proof, error) {
	const what = "proof"
	if len(data) > MaxProof {
		return nil, malformed(what, "longer than %d bytes", MaxProof)
	}
	text := string(data)
	line := func() (string, bool) {
		l, rest, ok := strings.Cut(text, "\n")
		text = rest
		return l, ok
	}
	if l, ok := line(); !ok || l != proofHeader {
		return nil, malformed(what, "does not start with %s", proofHeader)
	}
	p := &Proof{}
	l, ok := line()
	if extra, isExtra := strings.CutPrefix(l, "extra "); ok && isExtra {
		b, err := decodeBase64(extra)
		if err != nil {
			return nil, malformed(what, "extra data is not base64")
		}
		p.Extra = b
		l, ok = line()
	}
	index, isIndex := strings.CutPrefix(l, "index ")
	if !ok || !isIndex {
		return nil, malformed(what, "has no index line")
	}
	n, err := parseDecimal("proof index", index)
	if err != nil {
		return nil, err
	}
	p.Index = n
	for {
		l, ok := line()
		if !ok {
			return nil, malformed(what, "ends before its checkpoint")
		}
		if l == "" {
			break
		}
		if len(p.Hashes) == MaxProofHashes {
			return nil, malformed(what, "has more than %d hashes", MaxProofHashes)
		}
		h, err := parseHash(l)
		if err != nil {
			return nil, err
		}
		p.Hashes = append(p.Hashes, h)
	}
	if text == "" {
		return nil, malformed(what, "has no checkpoint")
	}
	p.Checkpoint = []byte(text)
	return p, nil
}

// decodeBase64 decodes canonical standard base64: padded, no stray bits, and no line breaks
// (which base64.Strict still skips, so that "AAA\rA" would read as "AAAA"), so that one value
// has one spelling and a parsed text is the text written back.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("a line break in base64")
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}

// parseHash decodes one base64 hash line.
func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := decodeBase64(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, malformed("hash", "%q is not 32 bytes of base64", truncate(s))
	}
	copy(h[:], b)
	return h, nil
}

// NewReceipt returns the receipt of an event: the inclusion proof of its leaf in the tree of
// the checkpoint, with the event's salt and canonical body as the extra data, so that whoever
// holds it can show, with no access to the authority, what was recorded and when.
func NewReceipt(e *takedown.Event, hashes []tlog.Hash, checkpoint []byte) (*Proof, error) {
	body, err := EncodeEvent(e)
	if err != nil {
		return nil, err
	}
	if len(e.Salt) != SaltSize {
		return nil, fmt.Errorf("auditlog: event %d has no salt", e.ID)
	}
	if e.ID < 1 {
		// Its leaf index would be negative, and the receipt would not parse.
		return nil, fmt.Errorf("auditlog: event %d has no leaf: events are numbered from 1", e.ID)
	}
	extra := append(append(make([]byte, 0, SaltSize+len(body)), e.Salt...), body...)
	return &Proof{Extra: extra, Index: LeafIndex(e.ID), Hashes: hashes, Checkpoint: checkpoint}, nil
}

// VerifyReceipt checks a receipt: the checkpoint's signatures (the log's, and each witness's
// cosignature), the event in its extra data against the leaf at its index, and the inclusion
// proof of that leaf in the checkpoint's tree. It returns the event, with its salt, and the
// checkpoint. The error wraps ErrMalformed or ErrInconsistent.
func VerifyReceipt(data []byte, logKeys, witnesses []note.Verifier) (*takedown.Event, *Opened, error) {
	p, err := ParseProof(data)
	if err != nil {
		return nil, nil, err
	}
	if len(p.Extra) < SaltSize {
		return nil, nil, malformed("receipt", "has no event in its extra data")
	}
	e, err := DecodeEvent(p.Extra[SaltSize:])
	if err != nil {
		return nil, nil, err
	}
	e.Salt = p.Extra[:SaltSize]
	if LeafIndex(e.ID) != p.Index {
		return nil, nil, inconsistent("the receipt's index is %d, but its event %d is at leaf %d", p.Index, e.ID, LeafIndex(e.ID))
	}
	cp, err := Open(p.Checkpoint, logKeys, witnesses)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckInclusion(p.Hashes, cp.Checkpoint, p.Index, entryOf(e.Salt, p.Extra[SaltSize:])); err != nil {
		return nil, nil, err
	}
	return e, cp, nil
}

// CheckInclusion checks that entry is the leaf at index in the checkpoint's tree.
func CheckInclusion(hashes []tlog.Hash, c Checkpoint, index int64, entry []byte) error {
	if index >= c.Size {
		return inconsistent("leaf %d is not in a tree of size %d", index, c.Size)
	}
	if err := tlog.CheckRecord(hashes, c.Size, c.Root, index, tlog.RecordHash(entry)); err != nil {
		return inconsistent("the inclusion proof of leaf %d does not lead to the root of the checkpoint of size %d", index, c.Size)
	}
	return nil
}

// CheckConsistency checks that the tree of checkpoint old is a prefix of the tree of
// checkpoint new.
func CheckConsistency(hashes []tlog.Hash, old, new Checkpoint) error {
	switch {
	case old.Size > new.Size:
		return inconsistent("the log went back from size %d to size %d", old.Size, new.Size)
	case old.Size == new.Size && old.Root != new.Root:
		return inconsistent("two checkpoints of size %d have different root hashes: the log was forked", old.Size)
	case old.Size == 0 || old.Size == new.Size:
		return nil
	}
	if err := tlog.CheckTree(hashes, new.Size, new.Root, old.Size, old.Root); err != nil {
		return inconsistent("the tree of size %d is not a prefix of the tree of size %d: the log was rewritten", old.Size, new.Size)
	}
	return nil
}
