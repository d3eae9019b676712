package publisher_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/auditlog/witness"
	"github.com/takedown-project/takedown/internal/storetest"
)

var clock = takedown.NewSimClock(time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC), nil)

var quiet = slog.New(slog.DiscardHandler)

// logStore is a real store with a log key.
type logStore struct {
	db   *storetest.Store
	keys *publisher.Keys
	key  note.Verifier
}

func newLogStore(t *testing.T) *logStore {
	t.Helper()
	db := storetest.Open(t, clock)
	dir := db.Dir
	vkey, err := publisher.CreateKey(filepath.Join(dir, "log.key"), "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := publisher.LoadKeys(filepath.Join(dir, "log.key"), "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if keys.Public[0] != vkey {
		t.Fatalf("LoadKeys derived the public key %s, CreateKey made %s", keys.Public[0], vkey)
	}
	return &logStore{db: db, keys: keys, key: v}
}

// appendEvents appends n events.
func (s *logStore) appendEvents(t *testing.T, n int) {
	t.Helper()
	err := s.db.Update(context.Background(), func(tx takedown.Tx) error {
		for i := range n {
			e := &takedown.Event{At: clock.Now(), Kind: takedown.EventReportReceived, ActorRole: takedown.ActorPublic,
				Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
			if err := tx.AppendEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (s *logStore) checkpointer(w publisher.Cosigner) *publisher.Checkpointer {
	return publisher.New(s.db, s.keys, w, clock, time.Second, quiet, prometheus.NewRegistry())
}

// open opens a published checkpoint with the log's key.
func (s *logStore) open(t *testing.T, cp *takedown.Checkpoint, witnesses ...note.Verifier) *auditlog.Opened {
	t.Helper()
	o, err := auditlog.Open([]byte(cp.Note), []note.Verifier{s.key}, witnesses)
	if err != nil {
		t.Fatal(err)
	}
	if o.Size != cp.Size || string(o.Root[:]) != string(cp.Root) {
		t.Fatalf("the note says size %d, root %x; the store %d, %x", o.Size, o.Root, cp.Size, cp.Root)
	}
	return o
}

// TestCut: a checkpoint is published when the log has grown, never twice for one size, and
// each is consistent with the one before.
func TestCut(t *testing.T) {
	s := newLogStore(t)
	c := s.checkpointer(nil)
	ctx := context.Background()
	if cp, err := c.Cut(ctx); cp != nil || err != nil {
		t.Fatalf("an empty log: Cut = %v, %v; want nothing", cp, err)
	}
	s.appendEvents(t, 3)
	first, err := c.Cut(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := s.open(t, first)
	if old.Size != 3 {
		t.Fatalf("first checkpoint of size %d, want 3", old.Size)
	}
	if again, err := c.Cut(ctx); err != nil || again.Size != 3 || again.Note != first.Note {
		t.Errorf("Cut with nothing new = %v, %v; want the same checkpoint", again, err)
	}
	s.appendEvents(t, 300)
	second, err := c.Cut(ctx)
	if err != nil {
		t.Fatal(err)
	}
	latest := s.open(t, second)
	err = s.db.View(ctx, func(tx takedown.Tx) error {
		proof, err := tlog.ProveTree(latest.Size, old.Size, auditlog.HashReader(tx))
		if err != nil {
			return err
		}
		return auditlog.CheckConsistency(proof, old.Checkpoint, latest.Checkpoint)
	})
	if err != nil {
		t.Error(err)
	}
	s.db.View(ctx, func(tx takedown.Tx) error {
		list, _, err := tx.Checkpoints(takedown.Page{Limit: 10})
		if err != nil || len(list) != 2 {
			t.Errorf("%d checkpoints stored, %v; want 2", len(list), err)
		}
		return nil
	})
}

// failingWitness refuses every checkpoint.
type failingWitness struct{}

func (failingWitness) Cosign(context.Context, []byte, int64, func(int64) ([]tlog.Hash, error)) ([]byte, error) {
	return nil, errors.New("the witness is unreachable")
}

// TestCutWithWitness: with a witness required, a checkpoint is published only with its
// cosignature; when the witness fails, nothing is published and the error says why.
func TestCutWithWitness(t *testing.T) {
	s := newLogStore(t)
	s.appendEvents(t, 5)
	if _, err := s.checkpointer(failingWitness{}).Cut(context.Background()); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("Cut with a failing witness = %v, want its error", err)
	}
	s.db.View(context.Background(), func(tx takedown.Tx) error {
		if _, err := tx.LatestCheckpoint(); takedown.ErrorCode(err) != takedown.ENOTFOUND {
			t.Errorf("a checkpoint was published without its cosignature: %v", err)
		}
		return nil
	})

	logs, err := witness.LogsForKeys(s.keys.Public)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.Open(filepath.Join(t.TempDir(), "witness"), "controller-witness.example", logs, quiet)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	client, err := witness.NewClient(srv.URL, ws.VerifierKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := s.checkpointer(client)
	for _, n := range []int{0, 7, 1} {
		s.appendEvents(t, n)
		cp, err := c.Cut(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		s.open(t, cp, client.Verifier())
	}
}

// TestCutRefusesARollback: a log smaller than a published checkpoint is a database that was
// rolled back or tampered with; no checkpoint is signed for it.
func TestCutRefusesARollback(t *testing.T) {
	s := newLogStore(t)
	s.appendEvents(t, 2)
	err := s.db.Update(context.Background(), func(tx takedown.Tx) error {
		return tx.CreateCheckpoint(&takedown.Checkpoint{Size: 9, Root: make([]byte, 32), Note: "authority.example/log\n9\n…\n", SignedAt: clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.checkpointer(nil).Cut(context.Background()); err == nil || !strings.Contains(err.Error(), "rolled back") {
		t.Errorf("Cut on a log behind its checkpoint = %v, want a refusal", err)
	}
}

// get fetches a path of the tiles handler.
func get(t *testing.T, srv *httptest.Server, method, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
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
	return resp.StatusCode, resp.Header, b
}

// TestTiles: the handler serves the checkpoint, hash tiles and entry bundles of the
// published size as C2SP says, with the caching it says, and refuses with a clear message a
// malformed path, a tile beyond the checkpoint and any other method.
func TestTiles(t *testing.T) {
	s := newLogStore(t)
	mux := http.NewServeMux()
	mux.Handle("/log/", publisher.Tiles(s.db, quiet))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	if code, _, body := get(t, srv, "GET", "/log/checkpoint"); code != http.StatusNotFound || !strings.Contains(string(body), "no checkpoint") {
		t.Errorf("the checkpoint of an unpublished log: %d %q", code, body)
	}
	s.appendEvents(t, 300)
	cp, err := s.checkpointer(nil).Cut(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.appendEvents(t, 10) // not published: never served

	code, header, body := get(t, srv, "GET", "/log/checkpoint")
	if code != 200 || string(body) != cp.Note || header.Get("Cache-Control") != "no-cache" || !strings.HasPrefix(header.Get("Content-Type"), "text/plain") {
		t.Errorf("checkpoint: %d %v %q", code, header, body)
	}
	var leaves, entries [][]byte
	err = s.db.View(context.Background(), func(tx takedown.Tx) error {
		entries, err = tx.LogEntries(0, 300)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		h := tlog.RecordHash(e)
		leaves = append(leaves, h[:])
	}
	join := func(bs [][]byte) string { return string(joinBytes(bs)) }
	level1 := tlog.NodeHash(subtree(leaves[:128]), subtree(leaves[128:256]))
	for _, tc := range []struct {
		path, want, cache string
	}{
		{"/log/tile/0/000", join(leaves[:256]), "public, max-age=31536000, immutable"},
		{"/log/tile/0/001.p/44", join(leaves[256:300]), "public, max-age=3600"},
		{"/log/tile/0/001.p/10", join(leaves[256:266]), "public, max-age=3600"},
		{"/log/tile/entries/000", string(auditlog.MarshalBundle(entries[:256])), "public, max-age=31536000, immutable"},
		{"/log/tile/entries/001.p/44", string(auditlog.MarshalBundle(entries[256:])), "public, max-age=3600"},
		{"/log/tile/1/000.p/1", string(level1[:]), "public, max-age=3600"},
	} {
		code, header, body := get(t, srv, "GET", tc.path)
		if code != 200 || string(body) != tc.want || header.Get("Cache-Control") != tc.cache || header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("%s: %d, %d bytes (want %d), %v", tc.path, code, len(body), len(tc.want), header)
		}
	}
	for _, tc := range []struct {
		method, path string
		code         int
		says         string
	}{
		{"GET", "/log/tile/0/001.p/45", 404, "beyond the published checkpoint of size 300"},
		{"GET", "/log/tile/0/001", 404, "beyond the published checkpoint"},
		{"GET", "/log/tile/entries/002.p/1", 404, "beyond the published checkpoint"},
		{"GET", "/log/tile/1/000", 404, "beyond the published checkpoint"},
		{"GET", "/log/tile/0/x001/234", 404, "beyond"},
		{"GET", "/log/tile/0/1", 400, "not in x000"},
		{"GET", "/log/tile/00/000", 400, "level"},
		{"GET", "/log/tile/0/000.p/0", 400, "width"},
		{"GET", "/log/tile/0/000.p/256", 400, "width"},
		{"GET", "/log/tile/64/000", 400, "level"},
		{"GET", "/log/tile/0/x000/001", 400, "canonical"},
		{"GET", "/log/tile/0/x9223372036854775807/000", 400, "index"},
		{"GET", "/log/tiles/0/000", 400, "tile path"},
		{"GET", "/log/", 400, "tile path"},
		{"POST", "/log/checkpoint", 405, "GET"},
		{"DELETE", "/log/tile/0/000", 405, "GET"},
	} {
		code, _, body := get(t, srv, tc.method, tc.path)
		if code != tc.code || !strings.Contains(string(body), tc.says) {
			t.Errorf("%s %s: %d %q; want %d saying %q", tc.method, tc.path, code, body, tc.code, tc.says)
		}
	}
}

func joinBytes(bs [][]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// subtree is the RFC 6962 hash of a power-of-two run of leaf hashes.
func subtree(leaves [][]byte) tlog.Hash {
	if len(leaves) == 1 {
		return tlog.Hash(leaves[0])
	}
	return tlog.NodeHash(subtree(leaves[:len(leaves)/2]), subtree(leaves[len(leaves)/2:]))
}

// TestKeyRotation: during a rotation both keys sign, so a verifier knowing either one keeps
// verifying; once retired, only the new one does. A key file others can read is refused.
func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "log.key")
	oldKey, err := publisher.CreateKey(file, "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := publisher.RotateKey(file)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := publisher.LoadKeys(file, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Signers) != 2 || keys.Public[0] != newKey || keys.Public[1] != oldKey {
		t.Fatalf("keys during the rotation: %v; want %s then %s", keys.Public, newKey, oldKey)
	}
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: keys.Origin, Size: 1}, keys.Signers...)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{oldKey, newKey} {
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auditlog.Open(signed, []note.Verifier{v}, nil); err != nil {
			t.Errorf("with %s alone: %v", k, err)
		}
	}
	if err := publisher.RetireKey(file); err != nil {
		t.Fatal(err)
	}
	if keys, err = publisher.LoadKeys(file, ""); err != nil || len(keys.Public) != 1 || keys.Public[0] != newKey {
		t.Errorf("after retiring: %v, %v", keys, err)
	}
	if _, err := publisher.LoadKeys(file, "another.example/log"); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("a key for another origin: %v, want invalid", err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := publisher.LoadKeys(file, ""); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key readable by others: %v, want a refusal", err)
	}
}
