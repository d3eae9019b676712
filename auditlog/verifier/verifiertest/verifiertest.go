// Package verifiertest serves an in-memory audit log as the authority's server publishes it
// (C2SP tlog-tiles under /log/, the events under /api/v1/events, verifications recorded at
// /api/v1/log/verifications), for the tests of package verifier and of the command that
// uses it. It builds its tree with the same functions the authority's server does
// (tlog.StoredHashes, tlog.ReadTileData, auditlog.Entry, auditlog.Sign), and can be made to
// lie in every way the verifier must catch: a changed, deleted or reordered event, a
// rewritten history re-signed with the log's own key, a rollback, a wrong tile.
//
// Every name in it is synthetic (takedown.example, witness.example).
package verifiertest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Origin is the origin of a test log.
const Origin = "takedown.example/log"

// Token is the controller's API token on a test log's server.
const Token = "tdk_test_controller"

// Log is an audit log in memory, with the record it commits to.
type Log struct {
	// Key is the log's verifier key.
	Key string
	// WitnessKeys are the cosignature/v1 verifier keys of the witnesses that cosign every
	// checkpoint Publish signs.
	WitnessKeys []string

	signer    note.Signer
	witnesses []note.Signer

	mu            sync.Mutex
	events        []*takedown.Event // the record, as logged
	entries       [][]byte
	hashes        []tlog.Hash // the tree's stored hashes, by tlog's stored-hash index
	checkpoint    []byte      // the published checkpoint
	published     int64       // its size
	served        []*takedown.Event
	tiles         map[string][]byte
	verifications []takedown.Verification
}

// New returns an empty log of Origin, signed with a fresh key and cosigned by the given
// number of witnesses (witness1.example, …).
func New(tb testing.TB, witnesses int) *Log {
	tb.Helper()
	skey, vkey, err := auditlog.GenerateKey(Origin)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	l := &Log{Key: vkey, signer: signer, tiles: map[string][]byte{}}
	for i := 1; i <= witnesses; i++ {
		skey, vkey, err := note.GenerateKey(rand.Reader, fmt.Sprintf("witness%d.example", i))
		if err != nil {
			tb.Fatal(err)
		}
		w, err := fnote.NewSignerForCosignatureV1(skey)
		if err != nil {
			tb.Fatal(err)
		}
		cokey, err := fnote.VKeyToCosignatureV1(vkey)
		if err != nil {
			tb.Fatal(err)
		}
		l.witnesses = append(l.witnesses, w)
		l.WitnessKeys = append(l.WitnessKeys, cokey)
	}
	l.Publish(tb)
	return l
}

// Signer returns the log's signing key.
func (l *Log) Signer() note.Signer { return l.signer }

// Witnesses returns the witnesses' cosigners.
func (l *Log) Witnesses() []note.Signer { return l.witnesses }

// event returns the synthetic event id: its salt, time and data follow from its id, so a
// test log holds the same record every time.
func event(id int64) *takedown.Event {
	salt := sha256.Sum256([]byte("verifiertest salt " + strconv.FormatInt(id, 10)))
	// As json.Marshal writes it (compact, "<" escaped), without its cost in a large log.
	data := fmt.Appendf(nil, `{"n":%d,"reasons":"synthetic event %d \u003cfor tests\u003e"}`, id, id)
	return &takedown.Event{
		ID:        id,
		At:        time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(id)*time.Minute + time.Duration(id%7)*time.Millisecond),
		Kind:      takedown.EventKinds[int(id)%len(takedown.EventKinds)],
		ActorID:   7,
		ActorRole: "officer",
		CaseID:    id/3 + 1,
		MeasureID: id % 5,
		Data:      data,
		Salt:      salt[:],
	}
}

// ReadHashes reads the tree's stored hashes, as a tlog.HashReader.
func (l *Log) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("verifiertest: no stored hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// Append logs n more events, without publishing a checkpoint.
func (l *Log) Append(tb testing.TB, n int) {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		e := event(int64(len(l.events)) + 1)
		if err := l.appendLeaf(e); err != nil {
			tb.Fatal(err)
		}
	}
}

func (l *Log) appendLeaf(e *takedown.Event) error {
	entry, err := auditlog.Entry(e)
	if err != nil {
		return err
	}
	hashes, err := tlog.StoredHashes(int64(len(l.entries)), entry, l)
	if err != nil {
		return err
	}
	l.events = append(l.events, e)
	l.entries = append(l.entries, entry)
	l.hashes = append(l.hashes, hashes...)
	return nil
}

// Size returns the number of events logged.
func (l *Log) Size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.events))
}

// Publish signs, cosigns and publishes a checkpoint of every event logged, and returns it.
func (l *Log) Publish(tb testing.TB) []byte {
	tb.Helper()
	return l.PublishSigned(tb, l.Size(), append([]note.Signer{l.signer}, l.witnesses...)...)
}

// PublishSigned publishes a checkpoint of the tree at size (which may be smaller than the
// log, for a rollback) signed by the given signers only, and returns it.
func (l *Log) PublishSigned(tb testing.TB, size int64, signers ...note.Signer) []byte {
	tb.Helper()
	return l.PublishCheckpoint(tb, size, Origin, signers...)
}

// PublishCheckpoint publishes a checkpoint of the tree at size naming the given origin,
// signed by the given signers.
func (l *Log) PublishCheckpoint(tb testing.TB, size int64, origin string, signers ...note.Signer) []byte {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	root, err := tlog.TreeHash(size, l)
	if err != nil {
		tb.Fatal(err)
	}
	msg, err := auditlog.Sign(auditlog.Checkpoint{Origin: origin, Size: size, Root: root}, signers...)
	if err != nil {
		tb.Fatal(err)
	}
	l.checkpoint, l.published = msg, size
	return msg
}

// Rewrite changes the event at leaf index, rebuilds the tree from it, and publishes the new
// history signed with the log's own key and the witnesses': what a log that rewrites its
// record, and witnesses that do not keep state, would show.
func (l *Log) Rewrite(tb testing.TB, index int64) {
	tb.Helper()
	l.mu.Lock()
	events := l.events
	changed := *events[index]
	changed.Data = json.RawMessage(`{"rewritten":true}`)
	l.events, l.entries, l.hashes = nil, nil, nil
	for i, e := range events {
		if int64(i) == index {
			e = &changed
		}
		if err := l.appendLeaf(e); err != nil {
			l.mu.Unlock()
			tb.Fatal(err)
		}
	}
	l.mu.Unlock()
	l.Publish(tb)
}

// Events returns copies of the events logged, in order.
func (l *Log) Events() []*takedown.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*takedown.Event, len(l.events))
	for i, e := range l.events {
		c := *e
		out[i] = &c
	}
	return out
}

// ServeEvents makes the server answer with these events instead of the record: a record
// changed after it was logged. nil serves the record again.
func (l *Log) ServeEvents(events []*takedown.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.served = events
}

// ServeTile makes the server answer with data for the tile at path (such as "tile/1/000").
func (l *Log) ServeTile(path string, data []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tiles[path] = data
}

// TileData returns a tile of the published tree, as the server serves it.
func (l *Log) TileData(t tlog.Tile) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tileData(t)
}

func (l *Log) tileData(t tlog.Tile) ([]byte, error) {
	if t.W > auditlog.TileWidthAt(t.L, t.N, l.published) {
		return nil, fmt.Errorf("verifiertest: %s is beyond the published size %d", auditlog.TilePath(t), l.published)
	}
	if t.L == auditlog.EntriesLevel {
		start := t.N * auditlog.TileWidth
		return auditlog.MarshalBundle(l.entries[start : start+int64(t.W)]), nil
	}
	return tlog.ReadTileData(t, l)
}

// Receipt returns the receipt of event id in the published checkpoint's tree, as the
// authority gives it (auditlog.NewReceipt, a C2SP tlog-proof).
func (l *Log) Receipt(tb testing.TB, id int64) []byte {
	tb.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	proof, err := tlog.ProveRecord(l.published, auditlog.LeafIndex(id), l)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := auditlog.NewReceipt(l.events[auditlog.LeafIndex(id)], proof, l.checkpoint)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Marshal()
}

// Verifications returns the verifications recorded through the API.
func (l *Log) Verifications() []takedown.Verification {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]takedown.Verification(nil), l.verifications...)
}

// Serve starts a loopback HTTP server for the log, closed when the test ends, and returns its
// URL.
func (l *Log) Serve(tb testing.TB) string {
	srv := httptest.NewServer(l.Handler())
	tb.Cleanup(srv.Close)
	return srv.URL
}

// Handler serves the log as the authority's server does.
func (l *Log) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /log/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		defer l.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(l.checkpoint)
	})
	mux.HandleFunc("GET /log/tile/", func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/log/")
		t, err := auditlog.ParseTilePath(path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		l.mu.Lock()
		data, override := l.tiles[path]
		if !override {
			data, err = l.tileData(t)
		}
		l.mu.Unlock()
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	})
	mux.HandleFunc("GET /api/v1/events", l.authorized(l.listEvents))
	mux.HandleFunc("POST /api/v1/log/verifications", l.authorized(l.recordVerification))
	return mux
}

// authorized answers 401 to a request without the controller's token.
func (l *Log) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+Token {
			problem(w, takedown.Errorf(takedown.EUNAUTHORIZED, "sign in with a token"))
			return
		}
		h(w, r)
	}
}

// listEvents serves a page of events; the cursor is the position in the list served, so a
// reordered record is served as it is.
func (l *Log) listEvents(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	events := l.served
	if events == nil {
		events = l.events
	}
	l.mu.Unlock()
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > takedown.MaxPageLimit {
		problem(w, takedown.Invalid("limit", "must be between 1 and %d", takedown.MaxPageLimit))
		return
	}
	from := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		if from, err = strconv.Atoi(c); err != nil || from < 0 || from > len(events) {
			problem(w, takedown.Invalid("cursor", "is not a cursor of this list"))
			return
		}
	}
	to := min(from+limit, len(events))
	page := struct {
		Items      []*takedown.Event `json:"items"`
		NextCursor string            `json:"next_cursor,omitempty"`
	}{Items: events[from:to]}
	if to < len(events) {
		page.NextCursor = strconv.Itoa(to)
	}
	answer(w, http.StatusOK, page)
}

// recordVerification records a verification, as the controller's POST does.
func (l *Log) recordVerification(w http.ResponseWriter, r *http.Request) {
	var v takedown.Verification
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		problem(w, takedown.Errorf(takedown.EINVALID, "the body is not a verification: %v", err))
		return
	}
	if err := v.Validate(); err != nil {
		problem(w, err)
		return
	}
	l.mu.Lock()
	l.verifications = append(l.verifications, v)
	l.mu.Unlock()
	answer(w, http.StatusCreated, v)
}

func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, err error) {
	code := takedown.ErrorCode(err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(takedown.HTTPStatus(code))
	json.NewEncoder(w).Encode(map[string]string{"code": code, "detail": takedown.ErrorMessage(err), "field": takedown.ErrorField(err)})
}
