package auditlog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// Content types of the C2SP tlog-witness protocol.
const (
	// SizeContentType is the type of a witness's 409 answer: the size it last cosigned.
	SizeContentType = "text/x.tlog.size"
)

// MaxAddCheckpoint bounds an add-checkpoint request body.
const MaxAddCheckpoint = MaxCheckpoint + MaxProofHashes*(44+1) + 32 // a base64 hash is 44 bytes

// AddCheckpoint is the body of a C2SP tlog-witness add-checkpoint request: the size of the
// checkpoint the witness last cosigned, a consistency proof from that size, and the new
// checkpoint.
type AddCheckpoint struct {
	OldSize    int64
	Proof      []tlog.Hash
	Checkpoint []byte
}

// Marshal encodes the request body.
func (r *AddCheckpoint) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.OldSize)
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// ParseAddCheckpoint parses an add-checkpoint request body.
func ParseAddCheckpoint(data []byte) (*AddCheckpoint, error) {
	const what = "add-checkpoint request"
	if len(data) > MaxAddCheckpoint {
		return nil, malformed(what, "longer than %d bytes", MaxAddCheckpoint)
	}
	text := string(data)
	first, text, ok := strings.Cut(text, "\n")
	old, isOld := strings.CutPrefix(first, "old ")
	if !ok || !isOld {
		return nil, malformed(what, "does not start with an old size line")
	}
	n, err := parseDecimal("old size", old)
	if err != nil {
		return nil, err
	}
	r := &AddCheckpoint{OldSize: n}
	for {
		var l string
		l, text, ok = strings.Cut(text, "\n")
		if !ok {
			return nil, malformed(what, "ends before its checkpoint")
		}
		if l == "" {
			break
		}
		if len(r.Proof) == MaxProofHashes {
			return nil, malformed(what, "has more than %d proof lines", MaxProofHashes)
		}
		h, err := parseHash(l)
		if err != nil {
			return nil, err
		}
		r.Proof = append(r.Proof, h)
	}
	if text == "" {
		return nil, malformed(what, "has no checkpoint")
	}
	r.Checkpoint = []byte(text)
	return r, nil
}

// ParseSize parses a witness's text/x.tlog.size answer: a decimal size and a newline.
func ParseSize(data []byte) (int64, error) {
	s, ok := strings.CutSuffix(string(data), "\n")
	if !ok || len(data) > 21 {
		return 0, malformed("witness size", "%q is not a size and a newline", truncate(string(data)))
	}
	return parseDecimal("witness size", s)
}
