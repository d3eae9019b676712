package witness

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown/auditlog"
)

// testLog is a real log, in memory: an RFC 6962 tree of entries as tlog stores it, and the
// keys that sign its checkpoints (two while one is rotated).
type testLog struct {
	origin  string
	signers []note.Signer
	vkeys   []string
	hashes  []tlog.Hash // stored hashes, in tlog's order
	size    int64
}

// newTestLog returns an empty log with keys signing keys.
func newTestLog(t testing.TB, origin string, keys int) *testLog {
	t.Helper()
	l := &testLog{origin: origin}
	for range keys {
		skey, vkey, err := auditlog.GenerateKey(origin)
		if err != nil {
			t.Fatal(err)
		}
		s, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		l.signers, l.vkeys = append(l.signers, s), append(l.vkeys, vkey)
	}
	return l
}

// ReadHashes implements tlog.HashReader.
func (l *testLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no stored hash %d in a tree of size %d", x, l.size)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// grow appends n entries, named after tag so that two logs grown with different tags differ.
func (l *testLog) grow(t testing.TB, n int, tag string) *testLog {
	t.Helper()
	for range n {
		hs, err := tlog.StoredHashes(l.size, fmt.Appendf(nil, "%s entry %d", tag, l.size), l)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.size++
	}
	return l
}

// fork returns a copy of the log, same keys and same tree, that can grow apart from it.
func (l *testLog) fork() *testLog {
	f := *l
	f.hashes = append([]tlog.Hash(nil), l.hashes...)
	return &f
}

// checkpoint returns the log's checkpoint at its size.
func (l *testLog) checkpoint(t testing.TB) auditlog.Checkpoint {
	t.Helper()
	root, err := tlog.TreeHash(l.size, l)
	if err != nil {
		t.Fatal(err)
	}
	return auditlog.Checkpoint{Origin: l.origin, Size: l.size, Root: root}
}

// signed returns the log's checkpoint signed by the keys numbered which (all if none).
func (l *testLog) signed(t testing.TB, which ...int) []byte {
	t.Helper()
	signers := l.signers
	if len(which) > 0 {
		signers = nil
		for _, i := range which {
			signers = append(signers, l.signers[i])
		}
	}
	msg, err := auditlog.Sign(l.checkpoint(t), signers...)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// prove returns the consistency proof from old to the log's size.
func (l *testLog) prove(old int64) ([]tlog.Hash, error) {
	p, err := tlog.ProveTree(l.size, old, l)
	return []tlog.Hash(p), err
}

// request returns an add-checkpoint body from old, with its proof, to the log's checkpoint.
func (l *testLog) request(t testing.TB, old int64) []byte {
	t.Helper()
	var proof []tlog.Hash
	if old > 0 && old < l.size {
		var err error
		if proof, err = l.prove(old); err != nil {
			t.Fatal(err)
		}
	}
	return (&auditlog.AddCheckpoint{OldSize: old, Proof: proof, Checkpoint: l.signed(t)}).Marshal()
}

// config returns the witness's configuration of the log.
func (l *testLog) config() Log { return Log{Origin: l.origin, Keys: l.vkeys} }

// testWitness is a witness served over HTTP on loopback, on its data directory.
type testWitness struct {
	*Server
	dir  string
	url  string
	logs *logBuffer // what it logged
}

// logBuffer holds what a witness logged, written by its handlers and read by the test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestWitness opens a witness named controller-witness.example on dir (a new temporary
// directory if empty) for the logs, and serves it.
func newTestWitness(t testing.TB, dir string, logs ...*testLog) *testWitness {
	t.Helper()
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "witness")
	}
	var configs []Log
	for _, l := range logs {
		configs = append(configs, l.config())
	}
	out := &logBuffer{}
	s, err := Open(dir, "controller-witness.example", configs, slog.New(slog.NewTextHandler(out, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testWitness{Server: s, dir: dir, url: srv.URL, logs: out}
}

// answer is a witness's HTTP answer.
type answer struct {
	status      int
	contentType string
	body        string
}

// post sends body to the witness's add-checkpoint.
func (w *testWitness) post(t testing.TB, body []byte) answer {
	t.Helper()
	return send(t, http.MethodPost, w.url+"/add-checkpoint", body)
}

// send makes one HTTP request and returns the answer.
func send(t testing.TB, method, url string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(b)}
}

// cosign has the witness cosign the log's checkpoint from old, and fails unless it does.
func (w *testWitness) cosign(t testing.TB, l *testLog, old int64) {
	t.Helper()
	if a := w.post(t, l.request(t, old)); a.status != http.StatusOK {
		t.Fatalf("add-checkpoint from %d to %d: %d %q, want 200", old, l.size, a.status, a.body)
	}
}

// latestSize returns the size of the latest checkpoint the witness cosigned for the log, 0
// if none.
func (w *testWitness) latestSize(t testing.TB, l *testLog) int64 {
	t.Helper()
	msg, ok := w.Latest(l.origin)
	if !ok {
		return 0
	}
	v, err := fnote.NewVerifierForCosignatureV1(w.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	o, err := auditlog.Open(msg, verifiers(t, l.vkeys...), []note.Verifier{v})
	if err != nil {
		t.Fatalf("the witness's latest checkpoint does not open: %v", err)
	}
	return o.Size
}

// verifiers parses verifier keys.
func verifiers(t testing.TB, vkeys ...string) []note.Verifier {
	t.Helper()
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// evidence returns the names of the files in the witness's evidence directory.
func (w *testWitness) evidence(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(w.dir, evidenceDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// withSuffix returns the names ending in suffix.
func withSuffix(names []string, suffix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasSuffix(n, suffix) {
			out = append(out, n)
		}
	}
	return out
}
