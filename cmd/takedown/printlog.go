package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// signerNames lists the names on the signature lines of a signed note, as the server
// published it (the server verified them; a verifier checks them again).
func signerNames(note string) []string {
	_, sigs, _ := strings.Cut(note, "\n\n")
	var names []string
	for _, line := range strings.Split(sigs, "\n") {
		if rest, ok := strings.CutPrefix(line, "— "); ok {
			name, _, _ := strings.Cut(rest, " ")
			names = append(names, name)
		}
	}
	return names
}

func printLogStatus(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(st casework.LogStatus) string { return strconv.FormatInt(st.Size, 10) }, func(st casework.LogStatus) {
		fields(o.stdout, "Events in the log", strconv.FormatInt(st.Size, 10))
		if cp := st.Published; cp != nil {
			fields(o.stdout, "Latest checkpoint", fmt.Sprintf("size %d, signed %s", cp.Size, o.when(cp.SignedAt)),
				"Root hash", base64.StdEncoding.EncodeToString(cp.Root),
				"Signed by", strings.Join(signerNames(cp.Note), ", "))
		} else {
			fields(o.stdout, "Latest checkpoint", "none yet")
		}
		if st.Unpublished > 0 {
			fields(o.stdout, "Not yet in a checkpoint", strconv.FormatInt(st.Unpublished, 10)+" events")
		}
		if e := st.LastVerification; e != nil {
			var v takedown.Verification
			json.Unmarshal(e.Data, &v)
			result := "everything verified"
			if !v.OK {
				result = "FAILED: " + v.Problem
			}
			fields(o.stdout, "Last verification", fmt.Sprintf("%s by %s %d, of the checkpoint of size %d, %d bodies checked: %s",
				o.when(e.At), e.ActorRole, e.ActorID, v.Size, v.Bodies, result))
		} else {
			fields(o.stdout, "Last verification", "none recorded (takedown log verify --record)")
		}
	})
}

func printCheckpoints(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"SIZE", "SIGNED", "ROOT", "SIGNED BY"},
		func(cp *takedown.Checkpoint) []string {
			return []string{strconv.FormatInt(cp.Size, 10), o.when(cp.SignedAt), base64.StdEncoding.EncodeToString(cp.Root),
				strings.Join(signerNames(cp.Note), ", ")}
		}, func(cp *takedown.Checkpoint) int64 { return cp.Size })
}

func printConsistency(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(c casework.Consistency) string { return "" }, func(c casework.Consistency) {
		fmt.Fprintf(o.stdout, "The tree of size %d is a prefix of the tree of size %d if these %d hashes verify (RFC 6962 consistency proof):\n",
			c.Old.Size, c.New.Size, len(c.Proof))
		for _, h := range c.Proof {
			fmt.Fprintln(o.stdout, base64.StdEncoding.EncodeToString(h[:]))
		}
		fmt.Fprintf(o.stdout, "\n%s\n%s", c.Old.Note, c.New.Note)
	})
}

func printEvent(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(e *takedown.Event) string { return id(e.ID) }, func(e *takedown.Event) {
		fields(o.stdout, "Event", id(e.ID), "At", o.when(e.At), "Kind", string(e.Kind), "By", fmt.Sprintf("%s %s", e.ActorRole, id(e.ActorID)),
			"Data", string(e.Data))
	})
}
