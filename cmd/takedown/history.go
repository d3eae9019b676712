package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// historyEntry is one event of a case with its receipt, checked.
type historyEntry struct {
	Event *takedown.Event `json:"event"`
	// Proof is the event's receipt, a C2SP tlog-proof.
	Proof string `json:"proof"`
	// Checkpoint is the size of the checkpoint the proof leads to.
	Checkpoint int64 `json:"checkpoint"`
}

// runLogHistory prints a case's record as log entries: each event with its leaf, checked
// here against the log's key with its inclusion proof in the latest checkpoint.
func runLogHistory(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log history", "CASE --key VKEY [--witness-key VKEY] [--json]")
	var cf clientFlags
	cf.register(fs, e)
	var kf keyFlags
	kf.register(fs)
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	caseID, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || caseID <= 0 {
		return takedown.Invalid("CASE", "%q is not a case id", pos[0])
	}
	logKeys, witnesses, err := kf.parse(e)
	if err != nil {
		return err
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var entries []historyEntry
	q := url.Values{"case_id": {pos[0]}, "limit": {strconv.Itoa(takedown.MaxPageLimit)}}
	for {
		var page listPage[*takedown.Event]
		if err := c.Do(ctx, "GET", "/events", q, nil, &page); err != nil {
			return err
		}
		for _, ev := range page.Items {
			var proof json.RawMessage
			if err := c.Do(ctx, "GET", fmt.Sprintf("/events/%d/proof", ev.ID), nil, nil, &proof); err != nil {
				return err
			}
			proved, cp, err := auditlog.VerifyReceipt(proof, logKeys, witnesses)
			if err != nil {
				return &takedown.Error{Code: takedown.EINCONSISTENT, Message: fmt.Sprintf("event %d: its proof does not verify: %v", ev.ID, err)}
			}
			listed, err := auditlog.EncodeEvent(ev)
			if err != nil {
				return &takedown.Error{Code: takedown.EINCONSISTENT, Message: fmt.Sprintf("event %d: %v", ev.ID, err)}
			}
			if again, _ := auditlog.EncodeEvent(proved); !bytes.Equal(listed, again) || !bytes.Equal(ev.Salt, proved.Salt) {
				return &takedown.Error{Code: takedown.EINCONSISTENT, Message: fmt.Sprintf("event %d as the server lists it is not the event its proof proves", ev.ID)}
			}
			entries = append(entries, historyEntry{Event: ev, Proof: string(proof), Checkpoint: cp.Size})
		}
		if page.NextCursor == "" {
			break
		}
		q.Set("cursor", page.NextCursor)
	}
	if len(entries) == 0 {
		return takedown.Errorf(takedown.ENOTFOUND, "case %d has no events", caseID)
	}
	if cf.json {
		b, err := json.MarshalIndent(entries, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		return err
	}
	o := &output{env: e, ctx: ctx, client: c}
	rows := make([][]string, len(entries))
	for i, h := range entries {
		by := h.Event.ActorRole
		if h.Event.ActorID != 0 {
			by += " " + strconv.FormatInt(h.Event.ActorID, 10)
		}
		rows[i] = []string{id(h.Event.ID), o.when(h.Event.At), string(h.Event.Kind), by,
			strconv.FormatInt(auditlog.LeafIndex(h.Event.ID), 10), fmt.Sprintf("included, checkpoint %d", h.Checkpoint)}
	}
	if err := table(e.stdout, []string{"EVENT", "AT", "KIND", "BY", "LEAF", "PROOF"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Every event of case %d is in the log, each proof checked with the log's key. Save one with: takedown event proof EVENT\n", caseID)
	return nil
}
