// Package witness is the controller's witness of the audit log, and the client the
// authority's server uses to reach it, speaking the C2SP tlog-witness protocol
// (https://c2sp.org/tlog-witness).
//
// The witness cosigns a checkpoint only if it is consistent with the last one it cosigned for
// the same log: same tree or a larger one that extends it, by an RFC 6962 consistency proof.
// A checkpoint that carries its cosignature therefore shows a history the controller has seen
// grow without ever being rewritten, and the authority cannot show one history to the
// controller and another to anyone else without being caught. When a validly signed
// checkpoint contradicts what the witness cosigned, the witness keeps the request as
// evidence: the log's own signature makes it proof of the log's misbehaviour.
//
// Cosignatures are C2SP tlog-cosignature "cosignature/v1" timestamped Ed25519 signatures.
package witness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Log is a log the witness cosigns for.
type Log struct {
	// Origin is the log's origin: the first line of its checkpoints and the name of its keys.
	Origin string
	// Keys are the log's Ed25519 verifier keys in the signed-note format
	// ("origin+hash+data"). A checkpoint signed by any of them is accepted, so a log can
	// rotate its key without the witness losing track of it.
	Keys []string
}

// LogsForKeys groups verifier keys into logs: the origin of each is the name of its key.
func LogsForKeys(vkeys []string) ([]Log, error) {
	var logs []Log
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, takedown.Invalid("log-key", "%q is not an Ed25519 verifier key (origin+hash+data): %v", k, err)
		}
		name := v.Name()
		i := slices.IndexFunc(logs, func(l Log) bool { return l.Origin == name })
		if i < 0 {
			logs = append(logs, Log{Origin: name})
			i = len(logs) - 1
		}
		logs[i].Keys = append(logs[i].Keys, k)
	}
	return logs, nil
}

// Server is a witness: it answers add-checkpoint requests for the logs it was opened with,
// keeping its key, the latest checkpoint it cosigned for each log and the evidence of
// inconsistent ones in its data directory.
type Server struct {
	dir    string
	signer *fnote.Signer
	vkey   string
	keys   map[string][]note.Verifier // log keys by origin
	log    *slog.Logger
	mux    *http.ServeMux

	// mu serialises add-checkpoint from the check of the old size to the storing of the new
	// checkpoint: two requests checked against the same state could otherwise both be
	// cosigned, the smaller one last, rolling the witness back.
	mu     sync.Mutex
	latest map[string]*cosigned // by origin; nil when never cosigned
}

// cosigned is the latest checkpoint the witness cosigned for a log.
type cosigned struct {
	auditlog.Checkpoint
	note []byte // with the log's signatures and the witness's cosignature
}

// Open opens the witness whose data directory is dir, creating the directory (mode 0700) and
// the witness's key, named name, on first use. It refuses a directory open to other users,
// a key of another name than name (a witness keeps its name: clients know it by name and
// key), and stored state it did not cosign itself. log may be nil.
func Open(dir, name string, logs []Log, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if name == "" {
		return nil, takedown.Invalid("name", "is required: the witness's name, such as controller-witness.example")
	}
	if !auditlog.ValidOrigin(name) {
		return nil, takedown.Invalid("name", "%q is not a key name: printable ASCII, no spaces or '+'", name)
	}
	if len(logs) == 0 {
		return nil, takedown.Invalid("log-key", "is required: the verifier key of at least one log to witness")
	}
	keys := map[string][]note.Verifier{}
	for _, l := range logs {
		if !auditlog.ValidOrigin(l.Origin) {
			return nil, takedown.Invalid("log-key", "%q is not a log origin: printable ASCII, no spaces or '+'", l.Origin)
		}
		if _, dup := keys[l.Origin]; dup {
			return nil, takedown.Invalid("log-key", "the log %s is listed twice; give all its keys in one Log", l.Origin)
		}
		if len(l.Keys) == 0 {
			return nil, takedown.Invalid("log-key", "the log %s has no key", l.Origin)
		}
		for _, k := range l.Keys {
			v, err := note.NewVerifier(k)
			if err != nil {
				return nil, takedown.Invalid("log-key", "%q is not an Ed25519 verifier key (origin+hash+data): %v", k, err)
			}
			if v.Name() != l.Origin {
				return nil, takedown.Invalid("log-key", "the key %s is named %q, not after the log's origin %q", k, v.Name(), l.Origin)
			}
			keys[l.Origin] = append(keys[l.Origin], v)
		}
	}
	if err := openDir(dir); err != nil {
		return nil, err
	}
	k, err := loadKey(dir, name, true)
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, signer: k.signer, vkey: k.vkey, keys: keys, log: log, latest: map[string]*cosigned{}}
	for origin := range keys {
		c, err := s.load(origin)
		if err != nil {
			return nil, err
		}
		if c != nil {
			s.latest[origin] = c
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /add-checkpoint", s.addCheckpoint)
	return s, nil
}

// Name returns the witness's name, the name of its key.
func (s *Server) Name() string { return s.signer.Name() }

// VerifierKey returns the witness's public key, the cosignature/v1 verifier key
// ("name+hash+data") that logs and verifiers use to check its cosignatures.
func (s *Server) VerifierKey() string { return s.vkey }

// Origins returns the origins of the logs the witness cosigns for, sorted.
func (s *Server) Origins() []string {
	origins := make([]string, 0, len(s.keys))
	for o := range s.keys {
		origins = append(origins, o)
	}
	slices.Sort(origins)
	return origins
}

// Latest returns the latest checkpoint the witness cosigned for the log of the origin: a
// signed note with the log's signature and the witness's cosignature, which auditlog.Open
// accepts with the log's key and the witness's. It returns false if the witness never
// cosigned one, or does not witness that log.
func (s *Server) Latest(origin string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.latest[origin]
	if c == nil {
		return nil, false
	}
	return bytes.Clone(c.note), true
}

// ServeHTTP serves the witness's API, POST /add-checkpoint; anything else is answered 404 or
// 405 in plain text.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// refusal is the answer to an add-checkpoint request the witness does not cosign.
type refusal struct {
	status  int
	message string // plain text for the client
	// stale is set for an old size that is not the latest cosigned size, latestSize: the
	// answer is that size, for the client to retry from.
	stale      bool
	latestSize int64
}

// write answers the request with the refusal.
func (r *refusal) write(w http.ResponseWriter) {
	if r.stale {
		w.Header().Set("Content-Type", auditlog.SizeContentType)
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", r.latestSize)
		return
	}
	http.Error(w, r.message, r.status)
}

// addCheckpoint answers POST /add-checkpoint. The order of the checks is the protocol's: the
// log must be known and its signature valid before the request says anything about it.
func (s *Server) addCheckpoint(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, auditlog.MaxAddCheckpoint))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, fmt.Sprintf("the request is longer than %d bytes", auditlog.MaxAddCheckpoint), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	req, err := auditlog.ParseAddCheckpoint(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	origin, _, ok := bytes.Cut(req.Checkpoint, []byte("\n"))
	if !ok {
		http.Error(w, "the checkpoint has no origin line", http.StatusBadRequest)
		return
	}
	keys, ok := s.keys[string(origin)]
	if !ok {
		http.Error(w, fmt.Sprintf("this witness does not witness the log %q", truncate(string(origin))), http.StatusNotFound)
		return
	}
	cp, err := auditlog.Open(req.Checkpoint, keys, nil)
	switch {
	case errors.Is(err, auditlog.ErrMalformed):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, fmt.Sprintf("the checkpoint carries no valid signature by a key of the log %s", origin), http.StatusForbidden)
		return
	case req.OldSize > cp.Size:
		http.Error(w, fmt.Sprintf("the old size %d is larger than the checkpoint's size %d", req.OldSize, cp.Size), http.StatusBadRequest)
		return
	case len(req.Proof) > 0 && (req.OldSize == 0 || req.OldSize == cp.Size):
		http.Error(w, fmt.Sprintf("a consistency proof from size %d to size %d must be empty", req.OldSize, cp.Size), http.StatusBadRequest)
		return
	}
	line, ref := s.cosign(req, cp, body)
	if ref != nil {
		ref.write(w)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(line)
}

// cosign checks the checkpoint against the latest one cosigned for its log and, if it is
// consistent, cosigns it, stores it, and returns the cosignature line.
func (s *Server) cosign(req *auditlog.AddCheckpoint, cp *auditlog.Opened, body []byte) (line []byte, ref *refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	latest := s.latest[cp.Origin]
	var latestSize int64
	if latest != nil {
		latestSize = latest.Size
	}
	if req.OldSize != latestSize {
		return nil, &refusal{status: http.StatusConflict, stale: true, latestSize: latestSize}
	}
	if latest != nil {
		if err := auditlog.CheckConsistency(req.Proof, latest.Checkpoint, cp.Checkpoint); err != nil {
			ref := &refusal{status: http.StatusUnprocessableEntity,
				message: fmt.Sprintf("the consistency proof from size %d to size %d does not verify", req.OldSize, cp.Size)}
			if req.OldSize == cp.Size {
				ref = &refusal{status: http.StatusConflict,
					message: fmt.Sprintf("this witness cosigned a checkpoint of size %d with another root hash", cp.Size)}
			}
			s.keepEvidence(latest, cp, req, body, err)
			return nil, ref
		}
	}
	signed, line, logKeys, err := s.sign(cp)
	if err == nil {
		err = s.store(cp.Origin, signed)
	}
	if err != nil {
		s.log.Error("witness: cannot cosign a checkpoint", "origin", cp.Origin, "size", cp.Size, "err", err)
		return nil, &refusal{status: http.StatusInternalServerError, message: "internal error"}
	}
	s.latest[cp.Origin] = &cosigned{Checkpoint: cp.Checkpoint, note: signed}
	// Which of the log's keys signed is logged: after a key leaks, it tells which checkpoints
	// the witness accepted on the strength of the leaked key.
	s.log.Info("witness: cosigned a checkpoint", "origin", cp.Origin, "old_size", req.OldSize, "size", cp.Size, "log_keys", strings.Join(logKeys, " "))
	return line, nil
}

// sign cosigns an opened checkpoint. It returns the checkpoint as the witness keeps it (the
// text, the log's signatures, the cosignature), the cosignature's line, and the ids
// (name+hash) of the log's keys that signed.
func (s *Server) sign(cp *auditlog.Opened) (signed, line []byte, logKeys []string, err error) {
	n, err := splitNote(cp.Note)
	if err != nil {
		return nil, nil, nil, err
	}
	// Other signatures (other witnesses', unknown keys') are not the witness's to vouch for.
	// note.Open verified the first signature by each of the log's keys and skipped any
	// other line by the same key: only the first is kept.
	var logSigs []note.Signature
	for _, sig := range n.UnverifiedSigs {
		byLog := slices.ContainsFunc(s.keys[cp.Origin], func(v note.Verifier) bool { return v.Name() == sig.Name && v.KeyHash() == sig.Hash })
		seen := slices.ContainsFunc(logSigs, func(k note.Signature) bool { return k.Name == sig.Name && k.Hash == sig.Hash })
		if byLog && !seen {
			logSigs = append(logSigs, sig)
			logKeys = append(logKeys, fmt.Sprintf("%s+%08x", sig.Name, sig.Hash))
		}
	}
	signed, err = note.Sign(&note.Note{Text: n.Text, Sigs: logSigs}, s.signer)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("witness: cosign: %w", err)
	}
	// The cosignature is the last line: note.Sign writes new signatures after the others.
	start := bytes.LastIndexByte(signed[:len(signed)-1], '\n') + 1
	return signed, signed[start:], logKeys, nil
}

// splitNote returns the text of a signed note and its signature lines, none of them
// verified: for rearranging signatures that were verified before.
func splitNote(msg []byte) (*note.Note, error) {
	_, err := note.Open(msg, note.VerifierList())
	if u, ok := errors.AsType[*note.UnverifiedNoteError](err); ok {
		return u.Note, nil
	}
	return nil, fmt.Errorf("witness: %w signed note: %v", auditlog.ErrMalformed, err)
}

// truncate shortens untrusted text quoted in a message.
func truncate(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
