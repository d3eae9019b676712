package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/feed"
	"github.com/takedown-project/takedown/hashbank"
)

// hashbankCommands hash files on the server, look files and hashes up in the banks, move
// hash lists in and out, and pull a platform's signed feed.
func hashbankCommands() []command {
	return []command{
		{"hash", "hash files on the server: SHA-256, MD5, and PDQ with quality for images (nothing is stored)", runHash},
		{"match", "look files or hashes (TYPE:HEX) up in every bank: PDQ within each bank's radius, with the dihedral variants of a file", runMatch},
		{"bank import", "add a hash list (.csv, .json, or .txt with one hash a line) to a bank", runBankImport},
		{"bank export", "write a bank's entries as CSV, JSON or plain text", runBankExport},
		{"bank feed", "pull the banks shared with this platform, whole or since a cursor, as a signed note (verified with --key)", runBankFeed},
		{"bank feedback send", "report matches found with an entry, or confirm or disagree with its labels (platforms)", runFeedbackSend},
	}
}

// readFile reads a file of at most limit bytes.
func readFile(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MB", name, limit>>20)
	}
	return data, nil
}

// parseHashArg reads a hash given on the command line: TYPE:HEX, or bare hex of 64 digits
// (PDQ) or 32 (MD5). A SHA-256 is always written sha256:HEX.
func parseHashArg(s string) (takedown.HashValue, error) {
	typ, value, ok := strings.Cut(s, ":")
	if !ok {
		value = s
		switch len(s) {
		case 64:
			typ = string(takedown.HashPDQ)
		case 32:
			typ = string(takedown.HashMD5)
		default:
			return takedown.HashValue{}, fmt.Errorf("%q is not a hash: write TYPE:HEX (pdq, md5, sha256), or 64 hex digits for PDQ, 32 for MD5", s)
		}
	}
	h := takedown.HashValue{Type: takedown.HashType(typ), Value: value}
	v, err := takedown.ParseHashValue(h.Type, h.Value)
	h.Value = v
	return h, err
}

func runHash(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "hash", "FILE...")
	var cf clientFlags
	cf.register(fs, e)
	names, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fs.Usage()
		return errUsage
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var rows [][]string
	for _, name := range names {
		data, err := readFile(name, takedown.MaxReportFileSize)
		if err != nil {
			return takedown.Invalid("FILE", "%v", err)
		}
		var out json.RawMessage
		if err := c.Send(ctx, "POST", "/hashes", url.Values{"name": {filepath.Base(name)}}, "application/octet-stream", data, &out); err != nil {
			return err
		}
		if cf.json {
			if err := printRaw(e.stdout, out); err != nil {
				return err
			}
			continue
		}
		h, err := decode[takedown.ImageHashes](out)
		if err != nil {
			return err
		}
		quality := "-"
		if h.Quality != nil {
			quality = strconv.Itoa(*h.Quality)
		}
		pdqHash := h.PDQ
		if pdqHash == "" {
			pdqHash = "- (" + h.NotImage + ")"
		}
		rows = append(rows, []string{name, h.SHA256, h.MD5, pdqHash, quality})
	}
	if cf.json {
		return nil
	}
	return table(e.stdout, []string{"FILE", "SHA-256", "MD5", "PDQ", "QUALITY"}, rows)
}

func runMatch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "match", "FILE|HASH...")
	var cf clientFlags
	cf.register(fs, e)
	pos, err := parse(fs, args, -1)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return errUsage
	}
	in := map[string]any{}
	var hashes []takedown.HashValue
	var files []takedown.ReportFile
	for _, a := range pos {
		if _, err := os.Stat(a); err == nil {
			data, err := readFile(a, takedown.MaxReportFileSize)
			if err != nil {
				return takedown.Invalid("FILE", "%v", err)
			}
			files = append(files, takedown.ReportFile{Name: filepath.Base(a), Data: data})
			continue
		}
		h, err := parseHashArg(a)
		if err != nil {
			return takedown.Invalid("HASH", "%v (and there is no file of that name)", err)
		}
		hashes = append(hashes, h)
	}
	if hashes != nil {
		in["hashes"] = hashes
	}
	if files != nil {
		in["files"] = files
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var out json.RawMessage
	if err := c.Do(ctx, "POST", "/match", nil, in, &out); err != nil {
		return err
	}
	if cf.json {
		return printRaw(e.stdout, out)
	}
	res, err := decode[struct {
		Results []takedown.MatchResult `json:"results"`
	}](out)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, r := range res.Results {
		query := string(r.Query.Type) + ":" + r.Query.Value[:16] + "…"
		switch {
		case r.Skipped != "":
			rows = append(rows, []string{query, "not matched: " + r.Skipped, "", "", "", ""})
		case len(r.Suppressed) > 0:
			rows = append(rows, []string{query, fmt.Sprintf("a known false positive (bank %q, entry %d): no match", r.Suppressed[0].Bank, r.Suppressed[0].EntryID), "", "", "", ""})
		case len(r.Matches) == 0:
			rows = append(rows, []string{query, "no match", "", "", "", ""})
		}
		for _, m := range r.Matches {
			cases := make([]string, len(m.CaseIDs))
			for i, id := range m.CaseIDs {
				cases[i] = strconv.FormatInt(id, 10)
			}
			rows = append(rows, []string{query, m.Bank, id(m.EntryID), strconv.Itoa(m.Distance), strings.Join(cases, " "), strings.Join(m.Labels, " ")})
		}
	}
	return table(e.stdout, []string{"QUERY", "BANK", "ENTRY", "DISTANCE", "CASES", "LABELS"}, rows)
}

// mediaTypes are the media types of the hash list formats.
var mediaTypes = map[hashbank.Format]string{hashbank.CSV: "text/csv", hashbank.JSON: "application/json", hashbank.Plain: "text/plain"}

func runBankImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bank import", "BANK FILE [--type pdq|md5|sha256]")
	var cf clientFlags
	cf.register(fs, e)
	typ := fs.String("type", "", "the hash type of a plain list (one hash a line)")
	pos, err := parse(fs, args, 2)
	if err != nil {
		return err
	}
	bank, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || bank <= 0 {
		return takedown.Invalid("BANK", "%q is not an id: ids are positive integers", pos[0])
	}
	format, err := hashbank.FormatFor(pos[1])
	if err != nil {
		return takedown.Invalid("FILE", "%v", err)
	}
	data, err := readFile(pos[1], takedown.MaxImportSize)
	if err != nil {
		return takedown.Invalid("FILE", "%v", err)
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	query := url.Values{}
	if *typ != "" {
		query.Set("type", *typ)
	}
	var out json.RawMessage
	if err := c.Send(ctx, "POST", fmt.Sprintf("/hashbanks/%d/entries", bank), query, mediaTypes[format], data, &out); err != nil {
		return err
	}
	return printAddResult(&output{env: e, client: c, quiet: cf.quiet, ctx: ctx}, out)
}

func runBankExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bank export", "BANK [--format csv|json|plain] [--state S] [--type T] [--out FILE]")
	var cf clientFlags
	cf.register(fs, e)
	format := fs.String("format", string(hashbank.CSV), "csv, json or plain (one hash a line: give --type too)")
	state := fs.String("state", "", "only entries in this state: active, disabled or tombstoned")
	typ := fs.String("type", "", "only hashes of this type: pdq, md5 or sha256")
	out := fs.String("out", "", "the file to write (default: standard output)")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	bank, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || bank <= 0 {
		return takedown.Invalid("BANK", "%q is not an id: ids are positive integers", pos[0])
	}
	query := url.Values{"format": {*format}}
	if *state != "" {
		query.Set("state", *state)
	}
	if *typ != "" {
		query.Set("type", *typ)
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var body json.RawMessage
	if err := c.Do(ctx, "GET", fmt.Sprintf("/hashbanks/%d/export", bank), query, nil, &body); err != nil {
		return err
	}
	return writeOut(e, *out, body)
}

// writeOut writes data to the file, atomically, or to standard output.
func writeOut(e *env, name string, data []byte) error {
	if name == "" {
		_, err := e.stdout.Write(data)
		return err
	}
	return atomicfile.Write(name, func(w io.Writer) error { _, err := w.Write(data); return err })
}

func runBankFeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bank feed", "[--since CURSOR] [--limit N] [--key VKEY] [--out FILE]")
	var cf clientFlags
	cf.register(fs, e)
	since := fs.Int64("since", 0, "the cursor of your last pull: only the entries changed after it (default: every active entry)")
	limit := fs.Int("limit", 0, "at most this many entries (default 10000); pull again with --since CURSOR for the rest")
	out := fs.String("out", "", "the file to write the signed feed to (default: standard output)")
	var keys listFlag
	fs.Var(&keys, "key", "the authority's public key, or a file holding it: write nothing that does not verify with it (repeat during a key rotation)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	var verifiers []note.Verifier
	if len(keys) > 0 {
		var err error
		if verifiers, err = feedKeys(keys); err != nil {
			return err
		}
	}
	query := url.Values{"since": {strconv.FormatInt(*since, 10)}}
	if *limit != 0 {
		query.Set("limit", strconv.Itoa(*limit))
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	var msg json.RawMessage
	if err := c.Do(ctx, "GET", "/hashbank-feed", query, nil, &msg); err != nil {
		return err
	}
	var opened *feed.OpenedHashes
	if verifiers != nil {
		if opened, err = feed.OpenHashes(msg, verifiers); err != nil {
			return fmt.Errorf("the server's answer: %w", err)
		}
	}
	if err := writeOut(e, *out, msg); err != nil || *out == "" || cf.quiet {
		return err
	}
	if opened == nil {
		fmt.Fprintf(e.stdout, "Wrote %s: the signed hash feed (not verified: give --key VKEY).\n", *out)
		return nil
	}
	fmt.Fprintf(e.stdout, "Wrote %s: %d banks, %d entries changed after %d, verified with %s. Next pull: --since %d\n",
		*out, len(opened.Banks), len(opened.Entries), opened.Since, strings.Join(opened.Signers, ", "), opened.Cursor)
	return nil
}

func runFeedbackSend(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bank feedback send", "ENTRY --kind match|confirm|disagree [--count N] [--label L] [--note TEXT]")
	var cf clientFlags
	cf.register(fs, e)
	kind := fs.String("kind", "", "match (your matcher found it), confirm or disagree (your review of its labels)")
	count := fs.Int("count", 0, "for match: how many items matched")
	note := fs.String("note", "", "what you found, for the authority")
	var labels listFlag
	fs.Var(&labels, "label", "for disagree: a label you find right (repeat for several)")
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	entry, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || entry <= 0 {
		return takedown.Invalid("ENTRY", "%q is not an id: ids are positive integers", pos[0])
	}
	if *kind == "" {
		return takedown.Invalid("kind", "is required (--kind match, confirm or disagree)")
	}
	c, err := cf.client()
	if err != nil {
		return err
	}
	in := map[string]any{"feedback": []takedown.FeedbackInput{{EntryID: entry, Kind: takedown.FeedbackKind(*kind), Count: *count,
		Labels: labels, Note: *note}}}
	var out json.RawMessage
	if err := c.Do(ctx, "POST", "/hashbank-feedback", nil, in, &out); err != nil {
		return err
	}
	if cf.json {
		return printRaw(e.stdout, out)
	}
	return printFeedback(&output{env: e, client: c, quiet: cf.quiet, ctx: ctx}, out)
}

func printBanks(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "NAME", "OFFENCE", "SOURCE", "NEGATIVE", "RADIUS", "MIN QUALITY", "ENTRIES", "PLATFORMS"},
		func(b *takedown.Bank) []string {
			return []string{id(b.ID), b.Name, b.Offence, string(b.Source), yes(b.Negative), strconv.Itoa(b.Radius), strconv.Itoa(b.MinQuality),
				strconv.Itoa(b.Entries), idList(b.Platforms)}
		}, func(b *takedown.Bank) int64 { return b.ID })
}

func printBank(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(b *takedown.Bank) string { return id(b.ID) }, func(b *takedown.Bank) {
		fields(o.stdout, "Bank", id(b.ID), "Name", b.Name, "Offence", b.Offence, "Source", string(b.Source), "Negative", yes(b.Negative),
			"Radius", strconv.Itoa(b.Radius), "Minimum quality", strconv.Itoa(b.MinQuality), "Active entries", strconv.Itoa(b.Entries),
			"Shared with", idList(b.Platforms), "Description", b.Description, "Created", o.when(b.CreatedAt), "Updated", o.when(b.UpdatedAt))
	})
}

func printEntries(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "BANK", "TYPE", "STATE", "HASH", "LABELS", "CASES", "MATCHES", "DISAGREE"},
		func(h *takedown.HashEntry) []string {
			return []string{id(h.ID), id(h.BankID), string(h.Type), string(h.State), h.Value, strings.Join(h.Labels, " "), idList(h.CaseIDs),
				strconv.Itoa(h.Feedback.Matches), strconv.Itoa(h.Feedback.Disagrees)}
		}, func(h *takedown.HashEntry) int64 { return h.ID })
}

func printEntry(o *output, raw json.RawMessage) error {
	return printOne(o, raw, func(h *takedown.HashEntry) string { return id(h.ID) }, func(h *takedown.HashEntry) {
		quality := "-"
		if h.Quality != nil {
			quality = strconv.Itoa(*h.Quality)
		}
		fields(o.stdout, "Entry", id(h.ID), "Bank", id(h.BankID), "Type", string(h.Type), "Hash", h.Value, "Quality", quality,
			"State", string(h.State), "Reasons", h.Reasons, "Labels", strings.Join(h.Labels, " "), "Cases", idList(h.CaseIDs),
			"Added", o.when(h.AddedAt), "Updated", o.when(h.UpdatedAt),
			"Platforms' feedback", fmt.Sprintf("%d matched, %d confirmed, %d disagreed", h.Feedback.Matches, h.Feedback.Confirms, h.Feedback.Disagrees))
	})
}

func printAddResult(o *output, raw json.RawMessage) error {
	r, err := decode[casework.AddResult](raw)
	if err != nil || o.quiet {
		return err
	}
	fmt.Fprintf(o.stdout, "Bank %d: %d hashes added, %d merged into entries it held, %d unchanged (digest %s, in the audit log).\n",
		r.BankID, r.Added, r.Merged, r.Unchanged, r.Digest)
	return nil
}

func printFeedback(o *output, raw json.RawMessage) error {
	return printList(o, raw, []string{"ID", "ENTRY", "OPERATOR", "KIND", "COUNT", "LABELS", "AT", "NOTE"},
		func(f *takedown.Feedback) []string {
			return []string{id(f.ID), id(f.EntryID), id(f.OperatorID), string(f.Kind), strconv.Itoa(f.Count), strings.Join(f.Labels, " "),
				o.when(f.At), f.Note}
		}, func(f *takedown.Feedback) int64 { return f.ID })
}

// idList writes ids separated by spaces.
func idList(ids []int64) string {
	s := make([]string, len(ids))
	for i, n := range ids {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, " ")
}
