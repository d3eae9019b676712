package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/atomicfile"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/verifier"
	"github.com/takedown-project/takedown/client"
)

// logCommands verify the audit log, export it and check receipts; they need no access to the
// authority's database.
func logCommands() []command {
	return []command{
		{"log verify", "verify the audit log, from the server or a bundle: signatures, the whole tree, every event", runLogVerify},
		{"log export", "export the audit log (with a token, its events too) to a bundle file, to verify offline", runLogExport},
		{"log receipt verify", "check a receipt offline, and show the event it proves and the checkpoint", runReceiptVerify},
		{"log history", "a case's record as log entries, each with its inclusion proof checked against the log's key", runLogHistory},
	}
}

// keyFlags are the keys a checkpoint is checked with.
type keyFlags struct {
	keys, witnesses listFlag
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.Var(&k.keys, "key", "the log's public key (origin+hash+data), from a source you trust; repeat during a key rotation [TAKEDOWN_LOG_KEY]")
	fs.Var(&k.witnesses, "witness-key", "the key of a witness whose cosignature is required (cosignature/v1); repeat for several [TAKEDOWN_WITNESS_KEY]")
}

// parse returns the log's keys and the witnesses', from the flags or else the environment,
// where several keys are separated by spaces (a key holds none).
func (k *keyFlags) parse(e *env) (logKeys, witnesses []note.Verifier, err error) {
	keys, wkeys := []string(k.keys), []string(k.witnesses)
	if len(keys) == 0 {
		keys = strings.Fields(e.getenv("TAKEDOWN_LOG_KEY"))
	}
	if len(wkeys) == 0 {
		wkeys = strings.Fields(e.getenv("TAKEDOWN_WITNESS_KEY"))
	}
	if len(keys) == 0 {
		return nil, nil, takedown.Invalid("key", "is required: the log's public key (--key or TAKEDOWN_LOG_KEY), obtained from a source you trust")
	}
	if logKeys, err = verifier.ParseLogKeys(keys); err != nil {
		return nil, nil, takedown.Invalid("key", "%s", strings.TrimPrefix(err.Error(), "verifier: "))
	}
	if witnesses, err = verifier.ParseWitnessKeys(wkeys); err != nil {
		return nil, nil, takedown.Invalid("witness-key", "%s", strings.TrimPrefix(err.Error(), "verifier: "))
	}
	return logKeys, witnesses, nil
}

// checkServer checks a server URL flag.
func checkServer(server string) error {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return takedown.Invalid("server", "%q is not a server URL such as http://127.0.0.1:8080", server)
	}
	return nil
}

// progressEvery returns a progress callback that prints to w at most once per interval, so
// that a long run shows it is alive and a short one prints nothing.
func progressEvery(w io.Writer, interval time.Duration, verb string) func(what string, done, total int64) {
	last := time.Now()
	return func(what string, done, total int64) {
		if now := time.Now(); now.Sub(last) >= interval {
			last = now
			fmt.Fprintf(w, "%s %s of %s %s\n", verb, thousands(done), thousands(total), what)
		}
	}
}

// thousands writes n with thousands separators: 1,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// progressInterval is how often long runs report progress.
const progressInterval = 3 * time.Second

func runLogVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log verify", "[--server URL | --bundle FILE] --key VKEY [flags]")
	server := fs.String("server", e.getenv("TAKEDOWN_SERVER"), "server URL [TAKEDOWN_SERVER]")
	bundle := fs.String("bundle", "", "a bundle made by takedown log export, to verify offline instead of a server")
	token := fs.String("token", e.getenv("TAKEDOWN_TOKEN"), "API token, to check every event's body too [TAKEDOWN_TOKEN]")
	state := fs.String("state", "", "the state file of the previous verification: compare with it, and keep this one in it")
	record := fs.Bool("record", false, "record the result, good or bad, in the record (controller token; from a server)")
	var kf keyFlags
	kf.register(fs)
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *bundle != "" && set["server"]:
		return takedown.Invalid("bundle", "give --server or --bundle, not both")
	case *bundle != "" && *record:
		return takedown.Invalid("record", "records a verification of the server's log: verify from --server")
	case *bundle == "" && *server == "":
		return takedown.Invalid("server", "is required: --server URL (or TAKEDOWN_SERVER), or --bundle FILE")
	case *record && *token == "":
		return takedown.Invalid("token", "--record needs the controller's token (--token or TAKEDOWN_TOKEN)")
	}
	logKeys, witnesses, err := kf.parse(e)
	if err != nil {
		return err
	}
	var src verifier.Source
	from := "the server"
	if *bundle != "" {
		b, err := verifier.OpenBundle(*bundle)
		if err != nil {
			return takedown.Invalid("bundle", "%s", strings.TrimPrefix(err.Error(), "verifier: "))
		}
		defer b.Close()
		src, from = b, "the bundle"
	} else {
		if err := checkServer(*server); err != nil {
			return err
		}
		src = verifier.NewHTTPSource(*server, *token)
	}
	progress := progressEvery(e.stderr, progressInterval, "verified")
	res, err := verifier.Verify(ctx, src, verifier.Options{
		LogKeys:   logKeys,
		Witnesses: witnesses,
		State:     *state,
		Progress:  func(stage verifier.Stage, done, total int64) { progress(string(stage), done, total) },
	})
	var recordErr error
	recorded := false
	if *record {
		if v, ok := verifier.NewVerification(res, err); ok {
			recordErr = client.New(*server, *token).Do(ctx, "POST", "/log/verifications", nil, v, nil)
			recorded = recordErr == nil
		}
	}
	if err != nil && res == nil {
		err = verifyError(e, err, *bundle != "", from)
		if recorded {
			fmt.Fprintln(e.stdout, "This failed verification was recorded in the record.")
		} else if recordErr != nil {
			fmt.Fprintf(e.stderr, "takedown: the failed verification could not be recorded: %v\n", recordErr)
		}
		return err
	}
	printVerification(e.stdout, res, *state, from)
	if *record {
		if recordErr != nil {
			return &takedown.Error{Code: takedown.ErrorCode(recordErr),
				Message: "the log verified, but the verification could not be recorded: " + takedown.ErrorMessage(recordErr)}
		}
		fields(e.stdout, "recorded", "in the record, as the controller's verification")
	}
	if err != nil { // the log verified, but its state could not be kept
		return verifyError(e, err, *bundle != "", from)
	}
	fmt.Fprintln(e.stdout, "OK")
	return nil
}

// verifyError prints the evidence of an inconsistency and turns a verification's error
// into one a person can act on, with its exit code.
func verifyError(e *env, err error, fromBundle bool, from string) error {
	var ie *verifier.InconsistencyError
	if errors.As(err, &ie) {
		printEvidence(e.stdout, ie, from)
		return &takedown.Error{Code: takedown.EINCONSISTENT, Message: "the log does not verify: " + ie.Error()}
	}
	var se *verifier.StateError
	if errors.As(err, &se) {
		return takedown.Invalid("state", "%s: %v (a new state file would trust the log anew: move this one away only knowingly)", se.Path, se.Err)
	}
	if fromBundle && errors.Is(err, auditlog.ErrMalformed) {
		return takedown.Invalid("bundle", "%s", strings.TrimPrefix(err.Error(), "verifier: "))
	}
	return err
}

// printEvidence shows what failed and both checkpoints, which the log's signature makes
// evidence.
func printEvidence(w io.Writer, ie *verifier.InconsistencyError, from string) {
	fmt.Fprintf(w, "THE LOG DOES NOT VERIFY: %s\n\n", ie.Error())
	at := ""
	if ie.Index >= 0 {
		at = fmt.Sprintf("leaf %d (event %d)", ie.Index, ie.EventID)
	}
	fields(w, "what failed", string(ie.Kind), "at", at, "tile", ie.Tile)
	if ie.Old != nil {
		fmt.Fprintf(w, "\nThe checkpoint you verified before (size %s, on %s, from the state file):\n", thousands(ie.Old.Size), day(ie.Old.At))
		printNote(w, ie.Old.Note)
	}
	if ie.New != nil {
		fmt.Fprintf(w, "\nThe checkpoint %s serves (size %s, read on %s):\n", from, thousands(ie.New.Size), day(ie.New.At))
		printNote(w, ie.New.Note)
	}
	fmt.Fprintln(w, "\nKeep this output: a checkpoint signed by the log's key is evidence of what the log stated.")
}

// printNote prints a signed note, indented.
func printNote(w io.Writer, msg []byte) {
	for _, l := range strings.SplitAfter(clean(string(msg), true), "\n") {
		switch l {
		case "":
		case "\n":
			fmt.Fprintln(w)
		default:
			fmt.Fprint(w, "    "+l)
		}
	}
	if len(msg) > 0 && msg[len(msg)-1] != '\n' {
		fmt.Fprintln(w)
	}
}

// cosignedBy names the witnesses whose cosignatures of a checkpoint were checked.
func cosignedBy(cp *auditlog.Opened) string {
	if len(cp.Cosigners) == 0 {
		return "no witness required (--witness-key)"
	}
	return strings.Join(cp.Cosigners, ", ")
}

// printVerification prints the summary of a successful verification.
func printVerification(w io.Writer, res *verifier.Result, state, from string) {
	cp := res.Checkpoint
	cosigned := cosignedBy(cp)
	var history string
	switch {
	case res.Previous != nil:
		history = fmt.Sprintf("consistent with the checkpoint of size %s you verified on %s (%s): no leaf of it changed",
			thousands(res.Previous.Size), day(res.Previous.At), state)
	case state != "":
		history = fmt.Sprintf("first verification: trust on first use; state saved, keep it and pass --state %s next time", state)
	default:
		history = "first verification: trust on first use, and without --state FILE the next one cannot show a history rewritten since: keep --state"
	}
	bodies := fmt.Sprintf("%s events checked against their leaves, in order, none missing", thousands(res.Bodies))
	if res.NoBodies != "" && cp.Size > 0 {
		bodies = "not checked: " + res.NoBodies
	}
	fields(w,
		"checkpoint", fmt.Sprintf("%s, size %s (from %s)", cp.Origin, thousands(cp.Size), from),
		"root", base64Hash(cp.Root),
		"signed by", strings.Join(res.Signers, ", "),
		"cosigned by", cosigned,
		"history", history,
		"tree", fmt.Sprintf("recomputed from %s leaves in %s tiles and entry bundles: its root and every tile match", thousands(res.Leaves), thousands(res.Tiles)),
		"bodies", bodies,
	)
}

// day formats the time of a verification, in UTC.
func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// base64Hash shows a hash as checkpoints do.
func base64Hash(h [32]byte) string { return base64.StdEncoding.EncodeToString(h[:]) }

func runLogExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log export", "--out FILE [flags]")
	out := fs.String("out", "", "the bundle file to write (an uncompressed tar)")
	server := fs.String("server", e.envOr("TAKEDOWN_SERVER", "http://127.0.0.1:8080"), "server URL [TAKEDOWN_SERVER]")
	token := fs.String("token", e.getenv("TAKEDOWN_TOKEN"), "API token, to include the events [TAKEDOWN_TOKEN]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *out == "" {
		return takedown.Invalid("out", "is required: the bundle file to write (--out FILE)")
	}
	if err := checkServer(*server); err != nil {
		return err
	}
	progress := progressEvery(e.stderr, progressInterval, "exported")
	var total int64
	err := atomicfile.Write(*out, func(w io.Writer) error {
		return verifier.Export(ctx, verifier.NewHTTPSource(*server, *token), w, func(done, all int64) {
			total = all
			progress("tiles and events", done, all)
		})
	})
	if err != nil {
		return err
	}
	b, err := verifier.OpenBundle(*out)
	if err != nil {
		return fmt.Errorf("the bundle written does not open: %w", err)
	}
	defer b.Close()
	contents := fmt.Sprintf("%s tiles and entry bundles, and the %s events", thousands(total-b.Size()), thousands(b.Size()))
	if !b.HasEvents() {
		contents = fmt.Sprintf("%s tiles and entry bundles, without the events (no token): verifying it checks the tree, not the bodies", thousands(total))
	}
	fmt.Fprintf(e.stdout, "Wrote %s: the log at size %s, %s.\n", *out, thousands(b.Size()), contents)
	fmt.Fprintf(e.stdout, "Verify it with: takedown log verify --bundle %s --key VKEY\n", *out)
	return nil
}

func runReceiptVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log receipt verify", "FILE --key VKEY [--witness-key VKEY…]")
	var kf keyFlags
	kf.register(fs)
	pos, err := parse(fs, args, 1)
	if err != nil {
		return err
	}
	logKeys, witnesses, err := kf.parse(e)
	if err != nil {
		return err
	}
	data, err := readBounded(pos[0], auditlog.MaxProof)
	if err != nil {
		return takedown.Invalid("FILE", "%v", err)
	}
	ev, cp, err := auditlog.VerifyReceipt(data, logKeys, witnesses)
	switch {
	case errors.Is(err, auditlog.ErrMalformed):
		return takedown.Errorf(takedown.EINCONSISTENT, "the receipt does not verify: %s is not a valid receipt (%v)", pos[0], err)
	case err != nil:
		return takedown.Errorf(takedown.EINCONSISTENT, "the receipt does not verify: %v", err)
	}
	cosigned := cosignedBy(cp)
	fields(e.stdout,
		"event", strconv.FormatInt(ev.ID, 10),
		"at", ev.At.UTC().Format(time.RFC3339Nano),
		"kind", string(ev.Kind),
		"actor", strings.TrimSpace(ev.ActorRole+" "+id(ev.ActorID)),
		"case", id(ev.CaseID),
		"measure", id(ev.MeasureID),
		"operator", id(ev.OperatorID),
		"data", string(ev.Data),
		"leaf", strconv.FormatInt(auditlog.LeafIndex(ev.ID), 10),
		"checkpoint", fmt.Sprintf("%s, size %s", cp.Origin, thousands(cp.Size)),
		"root", base64Hash(cp.Root),
		"signed by", strings.Join(verifier.Signers(cp.Note, logKeys), ", "),
		"cosigned by", cosigned,
	)
	fmt.Fprintf(e.stdout, "OK: the log's checkpoint of size %s includes this event, as leaf %d\n", thousands(cp.Size), auditlog.LeafIndex(ev.ID))
	return nil
}

// readBounded reads a file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a receipt", path, max)
	}
	return data, nil
}
