package witness

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

const origin = "takedown.example/log"

// TestAddCheckpointAnswers: each answer of the protocol, against a witness that cosigned the
// log at size 10. The refusals that show the log contradicting itself are kept as evidence,
// once however often they are sent, and none moves the witness.
func TestAddCheckpointAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		// body returns the request, given the log the witness cosigned at size 10.
		body        func(t *testing.T, l *testLog) []byte
		status      int
		contentType string
		answer      string // a substring of the answer
		evidence    bool
		size        int64 // the witness's size afterwards
	}{
		{"consistent", func(t *testing.T, l *testLog) []byte { return l.grow(t, 7, "a").request(t, 10) },
			200, "text/plain; charset=utf-8", "— controller-witness.example ", false, 17},
		{"same checkpoint again", func(t *testing.T, l *testLog) []byte { return l.request(t, 10) },
			200, "", "— controller-witness.example ", false, 10},
		{"stale old size", func(t *testing.T, l *testLog) []byte { return l.grow(t, 7, "a").request(t, 4) },
			409, auditlog.SizeContentType, "10\n", false, 10},
		{"old size 0 after a cosignature", func(t *testing.T, l *testLog) []byte { return l.grow(t, 1, "a").request(t, 0) },
			409, auditlog.SizeContentType, "10\n", false, 10},
		{"old size larger than the checkpoint's", func(t *testing.T, l *testLog) []byte {
			return (&auditlog.AddCheckpoint{OldSize: 11, Checkpoint: l.signed(t)}).Marshal()
		}, 400, "", "larger than the checkpoint's size 10", false, 10},
		{"fork: same size, another root", func(t *testing.T, l *testLog) []byte {
			f := newTestLog(t, origin, 0)
			f.signers, f.vkeys = l.signers, l.vkeys
			return f.grow(t, 10, "forked").request(t, 10)
		}, 409, "text/plain; charset=utf-8", "another root hash", true, 10},
		{"fork: a larger tree that does not extend the cosigned one", func(t *testing.T, l *testLog) []byte {
			f := newTestLog(t, origin, 0)
			f.signers, f.vkeys = l.signers, l.vkeys
			f.grow(t, 20, "forked")
			proof, err := f.prove(10) // a proof of the forked tree, not of the cosigned one
			if err != nil {
				t.Fatal(err)
			}
			return (&auditlog.AddCheckpoint{OldSize: 10, Proof: proof, Checkpoint: f.signed(t)}).Marshal()
		}, 422, "", "does not verify", true, 10},
		{"a wrong proof", func(t *testing.T, l *testLog) []byte {
			l.grow(t, 10, "a")
			proof, _ := l.prove(10)
			proof[0][0] ^= 1
			return (&auditlog.AddCheckpoint{OldSize: 10, Proof: proof, Checkpoint: l.signed(t)}).Marshal()
		}, 422, "", "does not verify", true, 10},
		{"no proof", func(t *testing.T, l *testLog) []byte {
			return (&auditlog.AddCheckpoint{OldSize: 10, Checkpoint: l.grow(t, 10, "a").signed(t)}).Marshal()
		}, 422, "", "does not verify", true, 10},
		{"a proof for the same size", func(t *testing.T, l *testLog) []byte {
			return (&auditlog.AddCheckpoint{OldSize: 10, Proof: []tlog.Hash{{1}}, Checkpoint: l.signed(t)}).Marshal()
		}, 400, "", "must be empty", false, 10},
		{"signed by an unknown key", func(t *testing.T, l *testLog) []byte {
			other := l.fork()
			stranger := newTestLog(t, origin, 1)
			other.signers, other.vkeys = stranger.signers, stranger.vkeys
			return other.grow(t, 2, "a").request(t, 10)
		}, 403, "", "no valid signature", false, 10},
		{"a bad signature by the log's key", func(t *testing.T, l *testLog) []byte {
			proof, _ := l.grow(t, 2, "a").prove(10)
			return (&auditlog.AddCheckpoint{OldSize: 10, Proof: proof, Checkpoint: tamperSignature(t, l.signed(t))}).Marshal()
		}, 403, "", "no valid signature", false, 10},
		{"no signature at all", func(t *testing.T, l *testLog) []byte {
			return []byte("old 10\n\n" + l.grow(t, 1, "a").checkpoint(t).Text())
		}, 400, "", "", false, 10},
		{"unknown origin", func(t *testing.T, l *testLog) []byte {
			return newTestLog(t, "other.example/log", 1).grow(t, 3, "a").request(t, 0)
		}, 404, "", "does not witness the log", false, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t, origin, 1).grow(t, 10, "log")
			w := newTestWitness(t, "", l)
			w.cosign(t, l, 0)
			body := tc.body(t, l)
			got := w.post(t, body)
			if got.status != tc.status || !strings.Contains(got.body, tc.answer) {
				t.Errorf("answer %d %q, want %d with %q", got.status, got.body, tc.status, tc.answer)
			}
			if tc.contentType != "" && got.contentType != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got.contentType, tc.contentType)
			}
			if got, want := w.latestSize(t, l), tc.size; got != want {
				t.Errorf("the witness's size afterwards is %d, want %d", got, want)
			}
			ev := w.evidence(t)
			if !tc.evidence {
				if len(ev) != 0 {
					t.Errorf("evidence kept: %v, want none", ev)
				}
				return
			}
			requests, cosigned := withSuffix(ev, ".add-checkpoint"), withSuffix(ev, ".cosigned")
			if len(requests) != 1 || len(cosigned) != 1 || len(ev) != 2 {
				t.Fatalf("evidence %v, want one request and the checkpoint it contradicts", ev)
			}
			if !strings.Contains(requests[0], "takedown.example%2Flog-10-") {
				t.Errorf("evidence file %s is not named by its log and sizes", requests[0])
			}
			kept, err := os.ReadFile(filepath.Join(w.dir, evidenceDir, requests[0]))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(kept, body) {
				t.Errorf("the evidence is not the request as received:\n%s", kept)
			}
			if !strings.Contains(w.logs.String(), "inconsistent") {
				t.Errorf("the refusal was not logged:\n%s", w.logs)
			}
			if again := w.post(t, body); again.status != tc.status {
				t.Errorf("sent again: answer %d, want %d", again.status, tc.status)
			}
			if again := w.evidence(t); len(again) != 2 {
				t.Errorf("the same request sent again: evidence %v, want the first copy only", again)
			}
		})
	}
}

// TestCosignatureVerifies: a 200 answer is a cosignature/v1 line by the witness's key over
// the checkpoint, and the witness's latest checkpoint carries it next to the log's
// signature.
func TestCosignatureVerifies(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 5, "log")
	w := newTestWitness(t, "", l)
	got := w.post(t, l.request(t, 0))
	if got.status != 200 || strings.Count(got.body, "\n") != 1 || !strings.HasPrefix(got.body, "— controller-witness.example ") {
		t.Fatalf("answer %d %q, want one signature line", got.status, got.body)
	}
	v, err := fnote.NewVerifierForCosignatureV1(w.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	msg := append([]byte(l.checkpoint(t).Text()+"\n"), got.body...)
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		t.Fatalf("the cosignature does not verify: %v", err)
	}
	if ts, err := fnote.CoSigV1Timestamp(n.Sigs[0]); err != nil || ts.Unix() == 0 {
		t.Errorf("cosignature timestamp %v, %v; want a time", ts, err)
	}
	latest, _ := w.Latest(origin)
	o, err := auditlog.Open(latest, verifiers(t, l.vkeys...), []note.Verifier{v})
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != 5 || o.Root != l.checkpoint(t).Root {
		t.Errorf("latest checkpoint %d %x, want the log's", o.Size, o.Root)
	}
	if !bytes.HasSuffix(latest, []byte(got.body)) {
		t.Errorf("the stored checkpoint does not carry the cosignature answered:\n%s", latest)
	}
}

// TestMalformedRequests: requests that are not in the format, or not at the address, are
// refused with the status the protocol names, and never panic.
func TestMalformedRequests(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	w := newTestWitness(t, "", l)
	w.cosign(t, l, 0)
	l.grow(t, 5, "a")
	valid := l.request(t, 10)
	hash := base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"
	cp := string(l.signed(t))
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   string
		status int
	}{
		{"empty", "POST", "/add-checkpoint", "", 400},
		{"no old line", "POST", "/add-checkpoint", "\n" + cp, 400},
		{"old with a leading zero", "POST", "/add-checkpoint", "old 010\n\n" + cp, 400},
		{"negative old", "POST", "/add-checkpoint", "old -1\n\n" + cp, 400},
		{"old out of range", "POST", "/add-checkpoint", "old 99999999999999999999\n\n" + cp, 400},
		{"CRLF", "POST", "/add-checkpoint", strings.ReplaceAll(string(valid), "\n", "\r\n"), 400},
		{"no empty line", "POST", "/add-checkpoint", "old 10\n" + cp, 400},
		{"bad base64", "POST", "/add-checkpoint", "old 10\n!!!!\n\n" + cp, 400},
		{"a short hash", "POST", "/add-checkpoint", "old 10\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n\n" + cp, 400},
		{"64 proof lines", "POST", "/add-checkpoint", "old 10\n" + strings.Repeat(hash, 64) + "\n" + cp, 400},
		{"no checkpoint", "POST", "/add-checkpoint", "old 10\n\n", 400},
		{"a checkpoint without origin line", "POST", "/add-checkpoint", "old 10\n\n" + origin, 400},
		{"a proof from size 0", "POST", "/add-checkpoint", "old 0\n" + hash + "\n" + cp, 400},
		{"a control character", "POST", "/add-checkpoint", strings.Replace(string(valid), "\n\n", "\n\x01\n", 1), 400},
		{"invalid UTF-8 in the note", "POST", "/add-checkpoint", strings.Replace(string(valid), origin+"\n", origin+"\n\xff", 1), 400},
		{"too large", "POST", "/add-checkpoint", "old 10\n" + strings.Repeat("A", auditlog.MaxAddCheckpoint), 413},
		{"GET", "GET", "/add-checkpoint", "", 405},
		{"another path", "POST", "/add-checkpoints", string(valid), 404},
		{"the root", "GET", "/", "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := send(t, tc.method, w.url+tc.path, []byte(tc.body))
			if got.status != tc.status {
				t.Errorf("answer %d %q, want %d", got.status, got.body, tc.status)
			}
			if !strings.HasPrefix(got.contentType, "text/plain") {
				t.Errorf("Content-Type %q, want plain text", got.contentType)
			}
		})
	}
	t.Run("every truncation", func(t *testing.T) {
		for i := range len(valid) {
			if got := w.post(t, valid[:i]); got.status != 400 {
				t.Fatalf("the first %d bytes of a request: answer %d %q, want 400", i, got.status, got.body)
			}
		}
	})
	if got := w.latestSize(t, l); got != 10 {
		t.Errorf("after malformed requests the witness is at size %d, want 10", got)
	}
	if got := w.post(t, valid); got.status != 200 {
		t.Errorf("the valid request after them: %d %q", got.status, got.body)
	}
}

// TestRestart: the witness's key and the checkpoints it cosigned survive a restart, so a
// log cannot roll it back by waiting for one; state it did not write stops it from starting.
func TestRestart(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	w := newTestWitness(t, "", l)
	w.cosign(t, l, 0)
	w.cosign(t, l.grow(t, 5, "a"), 10)

	again := newTestWitness(t, w.dir, l)
	if again.VerifierKey() != w.VerifierKey() {
		t.Errorf("the key changed on restart: %s, then %s", w.VerifierKey(), again.VerifierKey())
	}
	if got := again.latestSize(t, l); got != 15 {
		t.Errorf("after a restart the witness is at size %d, want 15", got)
	}
	if got := again.post(t, l.grow(t, 1, "b").request(t, 10)); got.status != 409 || got.body != "15\n" {
		t.Errorf("stale request after restart: %d %q, want 409 15", got.status, got.body)
	}
	again.cosign(t, l, 15)

	for _, name := range []string{"", keyFile, checkpointsDir, evidenceDir, filepath.Join(checkpointsDir, fileName(origin))} {
		info, err := os.Stat(filepath.Join(w.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %o, want no access for others", name, perm)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(w.dir, checkpointsDir, ".*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	t.Run("state it did not cosign", func(t *testing.T) {
		state := filepath.Join(w.dir, checkpointsDir, fileName(origin))
		if err := os.WriteFile(state, l.signed(t), 0o600); err != nil { // the log's signature only
			t.Fatal(err)
		}
		_, err := Open(w.dir, "controller-witness.example", []Log{l.config()}, nil)
		if err == nil || !strings.Contains(err.Error(), "restore it from a backup") {
			t.Errorf("Open with state the witness did not cosign: %v, want a refusal", err)
		}
	})
}

// TestOpenRefuses: configurations the witness refuses to start with.
func TestOpenRefuses(t *testing.T) {
	l := newTestLog(t, origin, 1)
	named := filepath.Join(t.TempDir(), "named")
	if _, err := Open(named, "controller-witness.example", []Log{l.config()}, nil); err != nil {
		t.Fatal(err)
	}
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	other := newTestLog(t, "other.example/log", 1)
	for _, tc := range []struct {
		name  string
		dir   string
		wname string
		logs  []Log
		field string
		msg   string
	}{
		{"no name", "", "", []Log{l.config()}, "name", "is required"},
		{"a name with a space", "", "controller witness", []Log{l.config()}, "name", "not a key name"},
		{"another name than the key's", named, "other-witness.example", []Log{l.config()}, "name", `named "controller-witness.example"`},
		{"no log", "", "controller-witness.example", nil, "log-key", "is required"},
		{"a log without keys", "", "controller-witness.example", []Log{{Origin: origin}}, "log-key", "has no key"},
		{"a key of another log", "", "controller-witness.example", []Log{{Origin: origin, Keys: other.vkeys}}, "log-key", "not after the log's origin"},
		{"not a key", "", "controller-witness.example", []Log{{Origin: origin, Keys: []string{"takedown.example/log+00000000+AAAA"}}}, "log-key", "not an Ed25519 verifier key"},
		{"a log twice", "", "controller-witness.example", []Log{l.config(), l.config()}, "log-key", "listed twice"},
		{"a directory open to others", open, "controller-witness.example", []Log{l.config()}, "data", "chmod 700"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = filepath.Join(t.TempDir(), "witness")
			}
			_, err := Open(dir, tc.wname, tc.logs, nil)
			if got := takedown.ErrorField(err); got != tc.field || !strings.Contains(takedown.ErrorMessage(err), tc.msg) {
				t.Errorf("Open: %v; want an invalid %s: …%s…", err, tc.field, tc.msg)
			}
		})
	}
	if info, _ := os.Stat(open); info.Mode().Perm() != 0o755 {
		t.Errorf("the open directory's mode was changed to %o", info.Mode().Perm())
	}
}

// TestPublicKey: the public key can be read, or made, without serving, and is the one the
// witness signs with.
func TestPublicKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "witness")
	if _, err := PublicKey(dir, ""); takedown.ErrorCode(err) != takedown.ENOTFOUND {
		t.Errorf("PublicKey of an empty directory: %v, want not found", err)
	}
	vkey, err := PublicKey(dir, "controller-witness.example")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vkey, "controller-witness.example+") {
		t.Errorf("key %q is not named after the witness", vkey)
	}
	if again, err := PublicKey(dir, ""); err != nil || again != vkey {
		t.Errorf("PublicKey again: %q, %v; want %q", again, err, vkey)
	}
	l := newTestLog(t, origin, 1).grow(t, 3, "log")
	w := newTestWitness(t, dir, l)
	if w.VerifierKey() != vkey {
		t.Errorf("the witness signs with %s, not the key printed, %s", w.VerifierKey(), vkey)
	}
	// The key is a cosignature/v1 key (algorithm 0x04), not the plain Ed25519 key.
	raw, err := base64.StdEncoding.DecodeString(strings.SplitN(vkey, "+", 3)[2])
	if err != nil || raw[0] != 4 {
		t.Errorf("key %q is not a cosignature/v1 key", vkey)
	}
	if _, err := PublicKey(dir, "other.example"); takedown.ErrorField(err) != "name" {
		t.Errorf("PublicKey with another name: %v, want a refusal", err)
	}
}

// TestConcurrentRequestsCannotRollBack: of requests racing from the same old size, exactly
// one is cosigned, and the witness ends at its size; a later request for a smaller tree from
// the same old size is refused.
func TestConcurrentRequestsCannotRollBack(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	first := l.request(t, 0)
	var bodies [][]byte
	sizes := []int64{11, 12, 13, 14, 15, 16, 17, 18}
	for range sizes {
		bodies = append(bodies, l.grow(t, 1, "a").request(t, 10))
	}
	for round := range 5 {
		// Each round starts from size 10, on a new data directory.
		w := newTestWitness(t, "", l)
		if got := w.post(t, first); got.status != 200 {
			t.Fatalf("the first checkpoint: %d %q", got.status, got.body)
		}
		answers := make([]answer, len(bodies))
		var wg sync.WaitGroup
		for i, b := range bodies {
			wg.Go(func() { answers[i] = w.post(t, b) })
		}
		wg.Wait()
		var won []int64
		for i, a := range answers {
			switch a.status {
			case 200:
				won = append(won, sizes[i])
			case 409:
			default:
				t.Errorf("round %d, size %d: %d %q", round, sizes[i], a.status, a.body)
			}
		}
		if len(won) != 1 {
			t.Fatalf("round %d: cosigned sizes %v, want exactly one", round, won)
		}
		if got := w.latestSize(t, l); got != won[0] {
			t.Errorf("round %d: the witness is at size %d, want %d, the one it cosigned", round, got, won[0])
		}
	}
	t.Run("sequential", func(t *testing.T) {
		w := newTestWitness(t, "", l)
		for _, b := range [][]byte{first, bodies[7]} {
			if got := w.post(t, b); got.status != 200 {
				t.Fatalf("%d %q", got.status, got.body)
			}
		}
		if got := w.post(t, bodies[0]); got.status != 409 || got.body != "18\n" {
			t.Errorf("a smaller tree from the old size: %d %q, want 409 18", got.status, got.body)
		}
	})
}

// TestKeyRotation: while a log rotates its key, a checkpoint signed by either key, or both,
// is cosigned; LogsForKeys puts both keys in one log.
func TestKeyRotation(t *testing.T) {
	l := newTestLog(t, origin, 2)
	other := newTestLog(t, "other.example/log", 1)
	logs, err := LogsForKeys(append(append([]string{}, l.vkeys...), other.vkeys...))
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || logs[0].Origin != origin || len(logs[0].Keys) != 2 || logs[1].Origin != "other.example/log" {
		t.Fatalf("LogsForKeys = %+v, want two logs, the first with two keys", logs)
	}
	if _, err := LogsForKeys([]string{"not a key"}); takedown.ErrorField(err) != "log-key" {
		t.Errorf("LogsForKeys of a bad key: %v", err)
	}
	w := newTestWitness(t, "", l)
	for i, which := range [][]int{{0}, {1}, {0, 1}, {1, 0}} {
		t.Run(fmt.Sprint(which), func(t *testing.T) {
			old := l.size
			l.grow(t, 3, "a")
			proof, err := l.prove(old)
			if old == 0 {
				proof, err = nil, nil
			}
			if err != nil {
				t.Fatal(err)
			}
			body := (&auditlog.AddCheckpoint{OldSize: old, Proof: proof, Checkpoint: l.signed(t, which...)}).Marshal()
			if got := w.post(t, body); got.status != 200 {
				t.Errorf("checkpoint %d signed by keys %v: %d %q", i, which, got.status, got.body)
			}
			// The log says which keys signed, for the day one of them leaks.
			line := w.logs.String()
			line = line[strings.LastIndex(strings.TrimSuffix(line, "\n"), "\n")+1:]
			for _, k := range which {
				if id := fmt.Sprintf("%s+%08x", origin, l.signers[k].KeyHash()); !strings.Contains(line, id) {
					t.Errorf("the log line %q does not name the key %s", line, id)
				}
			}
		})
	}
}

// TestFileName: a log's file name is one path element, and distinct logs get distinct names.
func TestFileName(t *testing.T) {
	long := strings.Repeat("x", 255)
	seen := map[string]string{}
	for _, o := range []string{origin, "takedown.example%2Flog", ".", "..", ".x", "%2Ex", "a/../b", long, long[:254] + "y", "%%sha256-x"} {
		name := fileName(o)
		if strings.Contains(name, "/") || strings.HasPrefix(name, ".") || len(name) > 100 {
			t.Errorf("fileName(%q) = %q, not a short file name", o, name)
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("fileName(%q) = fileName(%q) = %q", o, prev, name)
		}
		seen[name] = o
	}
	if _, err := Open(filepath.Join(t.TempDir(), "w"), "controller-witness.example", []Log{newTestLog(t, long, 1).config()}, nil); err != nil {
		t.Errorf("a witness of a log with a 255-byte origin: %v", err)
	}
}

// tamperSignature changes the last signature of a signed note, keeping its key hash.
func tamperSignature(t *testing.T, msg []byte) []byte {
	t.Helper()
	i := bytes.LastIndexByte(msg, ' ') + 1
	sig, err := base64.StdEncoding.DecodeString(string(msg[i : len(msg)-1]))
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)-1] ^= 1
	return append(msg[:i:i], base64.StdEncoding.EncodeToString(sig)+"\n"...)
}
