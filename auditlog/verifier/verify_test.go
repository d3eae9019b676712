package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/verifier"
	"github.com/takedown-project/takedown/auditlog/verifier/verifiertest"
)

// verifiedAt is the time of every test verification, so that messages are reproducible.
var verifiedAt = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)

// options returns the options that verify a test log: its key and its witnesses', with the
// state file, if any.
func options(t testing.TB, l *verifiertest.Log, state string) verifier.Options {
	t.Helper()
	keys, err := verifier.ParseLogKeys([]string{l.Key})
	if err != nil {
		t.Fatal(err)
	}
	witnesses, err := verifier.ParseWitnessKeys(l.WitnessKeys)
	if err != nil {
		t.Fatal(err)
	}
	return verifier.Options{LogKeys: keys, Witnesses: witnesses, State: state, Now: func() time.Time { return verifiedAt }}
}

// newLog returns a log of n events, published, cosigned by one witness.
func newLog(t testing.TB, n int) *verifiertest.Log {
	t.Helper()
	l := verifiertest.New(t, 1)
	l.Append(t, n)
	l.Publish(t)
	return l
}

// verify verifies the log over HTTP, with the controller's token.
func verify(t testing.TB, l *verifiertest.Log, url, state string) (*verifier.Result, error) {
	t.Helper()
	return verifier.Verify(context.Background(), verifier.NewHTTPSource(url, verifiertest.Token), options(t, l, state))
}

// inconsistency returns err as an *InconsistencyError, failing the test if it is not one.
func inconsistency(t testing.TB, err error) *verifier.InconsistencyError {
	t.Helper()
	var ie *verifier.InconsistencyError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an inconsistency", err)
	}
	if !errors.Is(err, auditlog.ErrInconsistent) {
		t.Errorf("%v does not wrap auditlog.ErrInconsistent", err)
	}
	return ie
}

// TestVerifyClean: a log that was never tampered with verifies, at sizes that make every
// kind of tile (full and partial, level 0, 1 and 2), and every event body is checked.
func TestVerifyClean(t *testing.T) {
	for _, tc := range []struct {
		size  int
		tiles int64 // hash tiles and entry bundles
	}{
		{0, 0},
		{1, 2},
		{255, 2},
		{256, 3},           // tile/0/000, tile/entries/000, tile/1/000.p/1
		{257, 5},           // and tile/0/001.p/1, tile/entries/001.p/1
		{1000, 9},          // 4 level-0 tiles, 4 bundles, tile/1/000.p/3
		{65537, 2*257 + 2}, // 257 level-0 tiles and bundles, tile/1/000, tile/2/000.p/1
	} {
		t.Run("", func(t *testing.T) {
			if tc.size > 10000 && testing.Short() {
				t.Skip("a large log")
			}
			l := newLog(t, tc.size)
			// The bodies of the large log are not read: its tiles are what it is for.
			token, bodies := verifiertest.Token, int64(tc.size)
			if tc.size > 10000 {
				token, bodies = "", 0
			}
			res, err := verifier.Verify(context.Background(), verifier.NewHTTPSource(l.Serve(t), token), options(t, l, ""))
			if err != nil {
				t.Fatal(err)
			}
			if res.Checkpoint.Size != int64(tc.size) || res.Leaves != int64(tc.size) || res.Bodies != bodies {
				t.Errorf("size %d, leaves %d, bodies %d; want %d, %d, %d", res.Checkpoint.Size, res.Leaves, res.Bodies, tc.size, tc.size, bodies)
			}
			if res.Tiles != tc.tiles {
				t.Errorf("%d tiles checked, want %d", res.Tiles, tc.tiles)
			}
			if !res.First || res.Previous != nil || res.StateSaved || (res.NoBodies != "") != (bodies == 0 && tc.size > 0) {
				t.Errorf("first %v, previous %v, saved %v, no bodies %q", res.First, res.Previous, res.StateSaved, res.NoBodies)
			}
			if len(res.Signers) != 1 || !strings.HasPrefix(res.Signers[0], verifiertest.Origin+"+") {
				t.Errorf("signers %v", res.Signers)
			}
			if len(res.Checkpoint.Cosigners) != 1 || res.Checkpoint.Cosigners[0] != "witness1.example" {
				t.Errorf("cosigners %v", res.Checkpoint.Cosigners)
			}
		})
	}
}

// TestVerifyWithoutToken: without a token the tree is verified and the result says why the
// bodies were not.
func TestVerifyWithoutToken(t *testing.T) {
	l := newLog(t, 300)
	res, err := verifier.Verify(context.Background(), verifier.NewHTTPSource(l.Serve(t), ""), options(t, l, ""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Bodies != 0 || !strings.Contains(res.NoBodies, "no token") {
		t.Errorf("bodies %d, no bodies %q", res.Bodies, res.NoBodies)
	}
}

// TestVerifyProgress: progress counts the leaves and then the bodies up to the size, in
// order.
func TestVerifyProgress(t *testing.T) {
	l := newLog(t, 2500)
	opts := options(t, l, "")
	last := map[verifier.Stage]int64{}
	opts.Progress = func(stage verifier.Stage, done, total int64) {
		if total != 2500 || done < last[stage] || done > total {
			t.Errorf("progress %s %d of %d after %d", stage, done, total, last[stage])
		}
		if stage == verifier.StageBodies && last[verifier.StageLeaves] != total {
			t.Errorf("bodies before all leaves")
		}
		last[stage] = done
	}
	if _, err := verifier.Verify(context.Background(), verifier.NewHTTPSource(l.Serve(t), verifiertest.Token), opts); err != nil {
		t.Fatal(err)
	}
	if last[verifier.StageLeaves] != 2500 || last[verifier.StageBodies] != 2500 {
		t.Errorf("last progress %v", last)
	}
}

// TestVerifyIgnoresEventsNotYetCheckpointed: events logged after the checkpoint are not
// checked, nor missed.
func TestVerifyIgnoresEventsNotYetCheckpointed(t *testing.T) {
	l := newLog(t, 300)
	l.Append(t, 20)
	res, err := verify(t, l, l.Serve(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Bodies != 300 {
		t.Errorf("bodies %d, want 300", res.Bodies)
	}
}

// TestVerifyState: the first verification trusts on first use and saves the state; the next
// compares with it, whether the log stayed or grew, and saves again.
func TestVerifyState(t *testing.T) {
	l := newLog(t, 700)
	url := l.Serve(t)
	state := filepath.Join(t.TempDir(), "log.state")

	res, err := verify(t, l, url, state)
	if err != nil {
		t.Fatal(err)
	}
	if !res.First || res.Previous != nil || !res.StateSaved {
		t.Fatalf("first run: first %v, previous %v, saved %v", res.First, res.Previous, res.StateSaved)
	}
	info, err := os.Stat(state)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %o, want 600", info.Mode().Perm())
	}
	s, err := verifier.LoadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if s.Checkpoint.Size != 700 || len(s.Leaves) != 700 || !s.Checkpoint.At.Equal(verifiedAt) || !bytes.Equal(s.Checkpoint.Note, res.Checkpoint.Note) {
		t.Errorf("state: size %d, %d leaves, verified at %v", s.Checkpoint.Size, len(s.Leaves), s.Checkpoint.At)
	}

	for _, grow := range []int{0, 1, 555} {
		l.Append(t, grow)
		l.Publish(t)
		before := l.Size() - int64(grow)
		res, err := verify(t, l, url, state)
		if err != nil {
			t.Fatalf("after growing by %d: %v", grow, err)
		}
		if res.First || res.Previous == nil || res.Previous.Size != before || res.Checkpoint.Size != l.Size() {
			t.Errorf("after growing by %d: first %v, previous %+v, size %d", grow, res.First, res.Previous, res.Checkpoint.Size)
		}
	}
	var names []string
	dir, _ := os.ReadDir(filepath.Dir(state))
	for _, f := range dir {
		names = append(names, f.Name())
	}
	if want := []string{filepath.Base(state), filepath.Base(state) + ".lock"}; !slices.Equal(names, want) {
		t.Errorf("the state's directory holds %v, want %v (no temporary file left)", names, want)
	}
}

// tamper is a change to a log that a verification must catch.
type tamper struct {
	name string
	do   func(t *testing.T, l *verifiertest.Log)
	// kind and index of the inconsistency, with the state of the log before the change;
	// index -1 when no single leaf is at fault.
	kind  verifier.Kind
	index int64
	msg   string
	// Without a state file, a history rewritten and signed again with the log's key (and
	// cosigned by a witness that keeps no state) is one consistent history: nothing in it
	// shows that another was verified before. That is why the controller keeps a state
	// file, and why a checkpoint cosigned by a witness that does is worth more.
	passesWithoutState bool
}

// token returns the token to read the events with, only where they are what was changed:
// the tree's checks come first, and the JSON of a thousand events is most of a test's time.
func (tc tamper) token() string {
	if strings.HasPrefix(string(tc.kind), "body") {
		return verifiertest.Token
	}
	return ""
}

// events edits the events the server serves.
func events(edit func(ev []*takedown.Event) []*takedown.Event) func(*testing.T, *verifiertest.Log) {
	return func(t *testing.T, l *verifiertest.Log) { l.ServeEvents(edit(l.Events())) }
}

// tile edits the data of a tile the server serves.
func tile(path string, edit func([]byte)) func(*testing.T, *verifiertest.Log) {
	return func(t *testing.T, l *verifiertest.Log) {
		tl, err := auditlog.ParseTilePath(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := l.TileData(tl)
		if err != nil {
			t.Fatal(err)
		}
		edit(data)
		l.ServeTile(path, data)
	}
}

// otherSigner returns a key for origin that is not the log's.
func otherSigner(t *testing.T, origin string) note.Signer {
	skey, _, err := auditlog.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tampers are the changes TestTamper makes to a log of 1000 events, verified before.
var tampers = []tamper{
	{name: "event body changed", kind: verifier.BodyChanged, index: 41, msg: "event 42 (leaf 41) does not match its leaf",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[41].Data = json.RawMessage(`{"n":42,"reasons":"something else"}`)
			return ev
		})},
	{name: "event time changed", kind: verifier.BodyChanged, index: 999, msg: "event 1000 (leaf 999) does not match",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[999].At = ev[999].At.Add(-time.Hour)
			return ev
		})},
	{name: "salt replaced", kind: verifier.BodyChanged, index: 0, msg: "event 1 (leaf 0) does not match",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[0].Salt = bytes.Repeat([]byte{1}, auditlog.SaltSize)
			return ev
		})},
	{name: "salt withheld", kind: verifier.BodyChanged, index: 5, msg: "event 6 (leaf 5) comes with a salt of 0 bytes",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[5].Salt = nil
			return ev
		})},
	{name: "event deleted", kind: verifier.BodyMissing, index: 41, msg: "event 42 (leaf 41) is missing from the record, where event 43 comes in its place: it was deleted",
		do: events(func(ev []*takedown.Event) []*takedown.Event { return append(ev[:41], ev[42:]...) })},
	{name: "first event deleted", kind: verifier.BodyMissing, index: 0, msg: "event 1 (leaf 0) is missing",
		do: events(func(ev []*takedown.Event) []*takedown.Event { return ev[1:] })},
	{name: "last events deleted", kind: verifier.BodyMissing, index: 997, msg: "event 998 (leaf 997) is missing from the record, which ends at event 997 though the checkpoint covers 1000",
		do: events(func(ev []*takedown.Event) []*takedown.Event { return ev[:997] })},
	{name: "two events swapped", kind: verifier.BodyOutOfOrder, index: 41, msg: "event 42 (leaf 41) is out of place: it comes after event 43: the record was reordered",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[41], ev[42] = ev[42], ev[41]
			return ev
		})},
	{name: "two events swapped and renumbered", kind: verifier.BodyChanged, index: 41, msg: "event 42 (leaf 41) does not match its leaf",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			ev[41], ev[42] = ev[42], ev[41]
			ev[41].ID, ev[42].ID = 42, 43
			return ev
		})},
	{name: "event shown twice", kind: verifier.BodyOutOfOrder, index: 99, msg: "event 100 (leaf 99) comes again, or out of place, after event 100",
		do: events(func(ev []*takedown.Event) []*takedown.Event {
			return append(ev[:100], append([]*takedown.Event{ev[99]}, ev[100:]...)...)
		})},
	{name: "history rewritten from leaf 41 and signed again", kind: verifier.Fork, index: 41,
		msg:                "leaf 41 (event 42) changed since the checkpoint of size 1000 that you verified on 2026-12-02 09:30:00 UTC: the log was rewritten",
		do:                 func(t *testing.T, l *verifiertest.Log) { l.Rewrite(t, 41) },
		passesWithoutState: true},
	{name: "history rewritten at the last leaf and grown", kind: verifier.Fork, index: 999, msg: "leaf 999 (event 1000) changed",
		do: func(t *testing.T, l *verifiertest.Log) {
			l.Append(t, 300)
			l.Rewrite(t, 999)
		},
		passesWithoutState: true},
	{name: "rolled back to a smaller signed size", kind: verifier.Rollback, index: -1,
		msg: "the log went back from size 1000, which you verified on 2026-12-02 09:30:00 UTC, to size 900",
		do: func(t *testing.T, l *verifiertest.Log) {
			l.PublishSigned(t, 900, append([]note.Signer{l.Signer()}, l.Witnesses()...)...)
		},
		passesWithoutState: true},
	{name: "level-0 tile with a wrong hash", kind: verifier.TreeMismatch, index: 300,
		msg: "leaf 300 (event 301): its entry in tile/entries/001 hashes to",
		do:  tile("tile/0/001", func(b []byte) { b[(300-256)*32] ^= 1 })},
	{name: "entry bundle with a wrong entry", kind: verifier.TreeMismatch, index: 7,
		msg: "leaf 7 (event 8): its entry in tile/entries/000 hashes to",
		do:  tile("tile/entries/000", func(b []byte) { b[7*34+2] ^= 1 })},
	{name: "partial tile with a wrong hash", kind: verifier.TreeMismatch, index: 999,
		msg: "leaf 999 (event 1000)",
		do:  tile("tile/0/003.p/232", func(b []byte) { b[len(b)-1] ^= 1 })},
	{name: "level-1 tile with a wrong hash", kind: verifier.TreeMismatch, index: -1,
		msg: "tile/1/000.p/3 holds", do: tile("tile/1/000.p/3", func(b []byte) { b[2*32] ^= 1 })},
	{name: "checkpoint signed by another key", kind: verifier.BadCheckpoint, index: -1,
		msg: "the checkpoint does not verify: the checkpoint is not signed by the log's key takedown.example/log",
		do: func(t *testing.T, l *verifiertest.Log) {
			l.PublishSigned(t, l.Size(), append([]note.Signer{otherSigner(t, verifiertest.Origin)}, l.Witnesses()...)...)
		}},
	{name: "checkpoint of another origin", kind: verifier.BadCheckpoint, index: -1,
		msg: `the checkpoint's origin is "other.example/log"`,
		do: func(t *testing.T, l *verifiertest.Log) {
			l.PublishCheckpoint(t, l.Size(), "other.example/log", append([]note.Signer{l.Signer()}, l.Witnesses()...)...)
		}},
	{name: "checkpoint without the witness's cosignature", kind: verifier.BadCheckpoint, index: -1,
		msg: "is not cosigned by the witness witness1.example",
		do:  func(t *testing.T, l *verifiertest.Log) { l.PublishSigned(t, l.Size(), l.Signer()) }},
}

// TestTamper: every change is caught and named, with the state file; without it, all but
// those a state file exists for.
func TestTamper(t *testing.T) {
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLog(t, 1000)
			url := l.Serve(t)
			verify := func(t *testing.T, l *verifiertest.Log, url, state string) (*verifier.Result, error) {
				return verifier.Verify(context.Background(), verifier.NewHTTPSource(url, tc.token()), options(t, l, state))
			}
			state := filepath.Join(t.TempDir(), "log.state")
			if _, err := verify(t, l, url, state); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			tc.do(t, l)
			for _, state := range []string{state, ""} {
				_, err := verify(t, l, url, state)
				if state == "" && tc.passesWithoutState {
					if err != nil {
						t.Errorf("without a state file: %v; want it to pass", err)
					}
					continue
				}
				ie := inconsistency(t, err)
				if ie.Kind != tc.kind || ie.Index != tc.index {
					t.Errorf("state %q: kind %s, index %d; want %s, %d (%v)", state, ie.Kind, ie.Index, tc.kind, tc.index, err)
				}
				if tc.index >= 0 && ie.EventID != tc.index+1 {
					t.Errorf("event id %d, want %d", ie.EventID, tc.index+1)
				}
				if !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("state %q: message %q lacks %q", state, err, tc.msg)
				}
				if ie.New == nil || len(ie.New.Note) == 0 {
					t.Errorf("no new checkpoint in the evidence")
				}
				if state == "" {
					if ie.Old != nil {
						t.Errorf("an old checkpoint without a state file")
					}
					continue
				}
				if ie.Old == nil || ie.Old.Size != 1000 || len(ie.Old.Note) == 0 {
					t.Fatalf("old checkpoint in the evidence: %+v", ie.Old)
				}
				if after, _ := os.ReadFile(state); !bytes.Equal(before, after) {
					t.Errorf("the state file changed after a failed verification")
				}
				if tc.kind == verifier.Fork && bytes.Equal(ie.Old.Note, ie.New.Note) {
					t.Errorf("a fork shown with the same checkpoint twice")
				}
			}
		})
	}
}

// TestKeyRotation: during a rotation, a checkpoint signed by the new key alone or by both
// verifies with both keys given, and says which signed.
func TestKeyRotation(t *testing.T) {
	l := newLog(t, 10)
	skey, vkey, err := auditlog.GenerateKey(verifiertest.Origin)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	opts := options(t, l, "")
	opts.LogKeys, err = verifier.ParseLogKeys([]string{l.Key, vkey})
	if err != nil {
		t.Fatal(err)
	}
	url := l.Serve(t)
	for _, tc := range []struct {
		name    string
		signers []note.Signer
		want    int
	}{
		{"both keys", []note.Signer{l.Signer(), rotated}, 2},
		{"new key", []note.Signer{rotated}, 1},
	} {
		l.PublishSigned(t, 10, append(tc.signers, l.Witnesses()...)...)
		res, err := verifier.Verify(context.Background(), verifier.NewHTTPSource(url, ""), opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(res.Signers) != tc.want {
			t.Errorf("%s: signers %v", tc.name, res.Signers)
		}
	}
	if _, err := verifier.ParseLogKeys([]string{l.Key, strings.Replace(vkey, verifiertest.Origin, "other.example/log", 1)}); err == nil {
		t.Errorf("keys of two origins accepted")
	}
}

// TestPartialTileFilledSince: a partial tile the server no longer serves, because the tree
// grew past it, is read from the full tile.
func TestPartialTileFilledSince(t *testing.T) {
	l := newLog(t, 300)
	old := l.Publish(t)
	l.Append(t, 300)
	l.Publish(t)
	inner := l.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/log/checkpoint":
			w.Write(old) // fetched before the log grew
		case strings.HasSuffix(r.URL.Path, "/001.p/44"):
			http.NotFound(w, r) // a server that deletes partial tiles once they are full
		default:
			inner.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	res, err := verify(t, l, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Checkpoint.Size != 300 {
		t.Errorf("size %d", res.Checkpoint.Size)
	}
}

// TestSourceErrors: a source that cannot be read gives a plain error, not an inconsistency,
// with the code a person can act on.
func TestSourceErrors(t *testing.T) {
	l := newLog(t, 300)
	url := l.Serve(t)
	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/log/tile/entries/001.p/44" {
			http.NotFound(w, r)
			return
		}
		l.Handler().ServeHTTP(w, r)
	}))
	defer missing.Close()
	short := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/log/tile/0/000" {
			w.Write(make([]byte, 100))
			return
		}
		l.Handler().ServeHTTP(w, r)
	}))
	defer short.Close()
	for _, tc := range []struct {
		name, url, token string
		code, msg        string
		malformed        bool
	}{
		{"unreachable", "http://127.0.0.1:1", "", takedown.EUNAVAILABLE, "cannot reach the server", false},
		{"bad token", url, "tdk_wrong", takedown.EUNAUTHORIZED, "sign in", false},
		{"missing tile", missing.URL, "", takedown.ENOTFOUND, "tile/entries/001.p/44: the server answered 404", false},
		{"short tile", short.URL, "", takedown.EINTERNAL, "tile/0/000 is 100 bytes, want 8192", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verifier.Verify(context.Background(), verifier.NewHTTPSource(tc.url, tc.token), options(t, l, ""))
			if err == nil {
				t.Fatal("verified")
			}
			if errors.Is(err, auditlog.ErrInconsistent) {
				t.Errorf("%v is an inconsistency", err)
			}
			if got := takedown.ErrorCode(err); got != tc.code {
				t.Errorf("code %s, want %s (%v)", got, tc.code, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%q lacks %q", err, tc.msg)
			}
			if errors.Is(err, auditlog.ErrMalformed) != tc.malformed {
				t.Errorf("malformed %v, want %v", errors.Is(err, auditlog.ErrMalformed), tc.malformed)
			}
		})
	}
}

// TestNewVerification: what is recorded of a verification, good or bad, passes the
// server's validation; a source that could not be read leaves nothing to record.
func TestNewVerification(t *testing.T) {
	l := newLog(t, 50)
	url := l.Serve(t)
	res, err := verify(t, l, url, "")
	v, ok := verifier.NewVerification(res, err)
	if !ok || !v.OK || v.Size != 50 || v.Bodies != 50 || v.Validate() != nil {
		t.Errorf("success recorded as %+v, %v", v, ok)
	}
	ev := l.Events()
	ev[3].Data = json.RawMessage(`{}`)
	l.ServeEvents(ev)
	res, err = verify(t, l, url, "")
	v, ok = verifier.NewVerification(res, err)
	if !ok || v.OK || !strings.Contains(v.Problem, "event 4 (leaf 3)") || v.Validate() != nil {
		t.Errorf("failure recorded as %+v, %v (%v)", v, ok, v.Validate())
	}
	if _, ok := verifier.NewVerification(nil, errors.New("cannot reach the server")); ok {
		t.Errorf("an unreadable source recorded")
	}
}
