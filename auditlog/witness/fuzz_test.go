package witness

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown/auditlog"
)

// FuzzAddCheckpoint proves that no request body makes the witness panic, answer with a
// status the protocol does not name, cosign a checkpoint its log did not sign, or move its
// state anywhere but forward, and only when it cosigns.
func FuzzAddCheckpoint(f *testing.F) {
	l := newTestLog(f, origin, 2).grow(f, 10, "log")
	s, err := Open(filepath.Join(f.TempDir(), "witness"), "controller-witness.example", []Log{l.config()}, nil)
	if err != nil {
		f.Fatal(err)
	}
	serve := func(body []byte) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/add-checkpoint", bytes.NewReader(body)))
		return rec
	}
	if rec := serve(l.request(f, 0)); rec.Code != http.StatusOK {
		f.Fatalf("first checkpoint: %d %s", rec.Code, rec.Body)
	}
	fork := newTestLog(f, origin, 0)
	fork.signers, fork.vkeys = l.signers, l.vkeys
	fork.grow(f, 12, "forked")
	stranger := newTestLog(f, "other.example/log", 1).grow(f, 3, "a")
	l.grow(f, 5, "a")
	valid := l.request(f, 10)
	for _, seed := range [][]byte{
		valid, l.request(f, 4), l.request(f, 0), fork.request(f, 10), stranger.request(f, 0),
		(&auditlog.AddCheckpoint{OldSize: 10, Checkpoint: l.signed(f, 1)}).Marshal(),
		valid[:len(valid)/2], valid[:len(valid)-1], append([]byte("old 10\n"), valid[7:]...),
		[]byte("old 0\n\n"), []byte("old 18446744073709551616\n\nx\n"), nil,
	} {
		f.Add(seed)
	}
	logKeys := verifiers(f, l.vkeys...)
	witnessKey, err := fnote.NewVerifierForCosignatureV1(s.VerifierKey())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _ := s.Latest(origin)
		rec := serve(body)
		after, _ := s.Latest(origin)
		switch rec.Code {
		case 200, 400, 403, 404, 409, 413, 422:
		default:
			t.Fatalf("answer %d %q", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK {
			if !bytes.Equal(before, after) {
				t.Fatalf("a refusal (%d) changed the witness's state", rec.Code)
			}
			return
		}
		req, err := auditlog.ParseAddCheckpoint(body)
		if err != nil {
			t.Fatalf("cosigned a malformed request: %v", err)
		}
		cp, err := auditlog.Open(req.Checkpoint, logKeys, nil)
		if err != nil {
			t.Fatalf("cosigned a checkpoint the log did not sign: %v", err)
		}
		if _, err := note.Open(append([]byte(cp.Text()+"\n"), rec.Body.Bytes()...), note.VerifierList(witnessKey)); err != nil {
			t.Fatalf("the answer is not a cosignature of the checkpoint: %v", err)
		}
		was, err := auditlog.Open(before, logKeys, nil)
		if err != nil {
			t.Fatal(err)
		}
		now, err := auditlog.Open(after, logKeys, nil)
		if err != nil {
			t.Fatal(err)
		}
		if now.Size < was.Size || now.Checkpoint != cp.Checkpoint {
			t.Fatalf("cosigned size %d after %d; the state is at %d", cp.Size, was.Size, now.Size)
		}
	})
}
