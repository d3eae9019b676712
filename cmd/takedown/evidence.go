package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/evidence"
)

// evidenceCommands list a case's evidence and open a piece, on the server or, for the
// controller, on this machine with its own identity.
func evidenceCommands() []command {
	return []command{
		{"evidence list", "list a case's evidence (sealed: names, types, sizes and digests only)", runEvidenceList},
		{"evidence open", "open a piece of evidence, with the reason (recorded in the log); --identity opens the controller's sealed copy here", runEvidenceOpen},
	}
}

// caseEvidence is the answer of GET /cases/{id}/evidence.
type caseEvidence struct {
	Items    []*takedown.Evidence `json:"items"`
	Exposure takedown.Exposure    `json:"exposure"`
}

func runEvidenceList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "evidence list", "CASE")
	var cf clientFlags
	cf.register(fs, e)
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	caseID, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || caseID <= 0 {
		return takedown.Invalid("CASE", "%q is not a case number", pos[0])
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var out caseEvidence
	if err := c.Do(ctx, "GET", fmt.Sprintf("/cases/%d/evidence", caseID), nil, nil, &out); err != nil {
		return err
	}
	var rows [][]string
	for _, ev := range out.Items {
		rows = append(rows, []string{id(ev.ID), ev.Name, ev.ContentType, strconv.Itoa(ev.Size), ev.SHA256})
	}
	if err := table(e.stdout, []string{"ID", "NAME", "TYPE", "SIZE", "SHA-256"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Opened by you today: %d\n", out.Exposure.Today)
	return nil
}

func runEvidenceOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "evidence open", "EVIDENCE --reason TEXT --out FILE [--identity FILE]")
	var cf clientFlags
	cf.register(fs, e)
	reason := fs.String("reason", "", "why you open it: recorded in the log with your name (required)")
	out := fs.String("out", "", "the file to write the content to, which must not exist (required)")
	identity := fs.String("identity", "", "the controller's age identity file: the server sends the sealed copy, opened here (the identity never leaves this machine)")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	evID, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || evID <= 0 {
		return takedown.Invalid("EVIDENCE", "%q is not an evidence number", pos[0])
	}
	if *out == "" {
		return takedown.Invalid("out", "is required: the file to write the content to")
	}
	if _, err := os.Stat(*out); err == nil {
		return takedown.Invalid("out", "%s exists: give a new file", *out)
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var opened casework.OpenedEvidence
	if *identity == "" {
		if err := c.Do(ctx, "POST", fmt.Sprintf("/evidence/%d/open", evID), nil, casework.EvidenceAccess{Reason: *reason}, &opened); err != nil {
			return err
		}
	} else {
		ids, err := evidence.ReadIdentities(*identity)
		if err != nil {
			return err
		}
		if err := c.Do(ctx, "POST", fmt.Sprintf("/evidence/%d/sealed", evID), nil, casework.EvidenceAccess{Reason: *reason}, &opened); err != nil {
			return err
		}
		if opened.Content, err = evidence.Open(opened.Sealed, ids...); err != nil {
			return takedown.Errorf(takedown.ErrorCode(err), "evidence %d: %s", evID, takedown.ErrorMessage(err))
		}
	}
	sum := sha256.Sum256(opened.Content)
	if opened.Evidence != nil && hex.EncodeToString(sum[:]) != opened.Evidence.SHA256 {
		return takedown.Errorf(takedown.EINCONSISTENT, "evidence %d: the content's SHA-256 is %x, the record says %s", evID, sum, opened.Evidence.SHA256)
	}
	if err := os.WriteFile(*out, opened.Content, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Evidence %d (%s, %d bytes, SHA-256 %x) written to %s; opened by you today: %d\n",
		evID, opened.Evidence.ContentType, len(opened.Content), sum, *out, opened.Exposure.Today)
	return nil
}
