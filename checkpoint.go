package takedown

import "time"

// Checkpoint is a signed statement of the audit log: its size (the number of events it
// holds) and the root hash of its Merkle tree at that size, as a C2SP signed note carrying the
// log's signature and, when a witness is required, the witness's cosignature. A checkpoint is
// stored once published, and never changes.
type Checkpoint struct {
	Size int64  `json:"size"`
	Root []byte `json:"root"`
	// Note is the checkpoint as published at /log/checkpoint, with every signature.
	Note     string    `json:"note"`
	SignedAt time.Time `json:"signed_at"`
}

// Verification is the result of a verification of the audit log that the controller ran and
// recorded: which checkpoint it verified, and what it found.
type Verification struct {
	// Checkpoint is the signed note that was verified.
	Checkpoint string `json:"checkpoint"`
	// Size of the verified tree.
	Size int64 `json:"size"`
	// OK is true when everything verified.
	OK bool `json:"ok"`
	// Bodies is the number of event bodies checked against their leaves (0 when only the
	// tree was verified).
	Bodies int64 `json:"bodies"`
	// Problem describes the first inconsistency found, when OK is false.
	Problem string `json:"problem,omitempty"`
}

// Validate checks a verification's fields.
func (v *Verification) Validate() error {
	switch {
	case v.Checkpoint == "" || len(v.Checkpoint) > 16<<10:
		return Invalid("checkpoint", "must be the signed checkpoint that was verified, at most 16 KiB")
	case v.Size < 0:
		return Invalid("size", "must not be negative")
	case v.Bodies < 0 || v.Bodies > v.Size:
		return Invalid("bodies", "must be between 0 and the size")
	case v.OK && v.Problem != "":
		return Invalid("problem", "must be empty when the verification succeeded")
	case !v.OK && v.Problem == "":
		return Invalid("problem", "must say what failed")
	case len(v.Problem) > MaxReasonsLength:
		return Invalid("problem", "is longer than %d bytes", MaxReasonsLength)
	}
	if err := CheckText("checkpoint", v.Checkpoint, true); err != nil {
		return err
	}
	return CheckText("problem", v.Problem, true)
}
