package verifier_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/verifier"
)

// savedState verifies a log of n events with a state file and returns the file's path and
// contents.
func savedState(t testing.TB, n int) (path string, data []byte) {
	t.Helper()
	l := newLog(t, n)
	path = filepath.Join(t.TempDir(), "log.state")
	if _, err := verify(t, l, l.Serve(t), path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestStateRoundTrip: a state reads back as it was written, and its text part is as the
// package documentation says.
func TestStateRoundTrip(t *testing.T) {
	_, data := savedState(t, 300)
	s, err := verifier.ReadState(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("written again, the state differs")
	}
	prefix := fmt.Sprintf("takedown-log-state v1\nverified 2026-12-02T09:30:00Z\ncheckpoint %d\n", len(s.Checkpoint.Note))
	if !bytes.HasPrefix(data, []byte(prefix)) {
		t.Errorf("state starts with %q, want %q", data[:len(prefix)], prefix)
	}
	leaves := "leaves 300\n"
	if i := bytes.Index(data, []byte(leaves)); i != len(prefix)+len(s.Checkpoint.Note) {
		t.Errorf("leaves line at %d, want %d", i, len(prefix)+len(s.Checkpoint.Note))
	}
	sum := sha256.Sum256(data[:len(data)-len("sha256 ")-64-1])
	if want := fmt.Sprintf("sha256 %x\n", sum); !bytes.HasSuffix(data, []byte(want)) {
		t.Errorf("state does not end with %q", want)
	}
	if len(data) != len(prefix)+len(s.Checkpoint.Note)+len(leaves)+300*32+len("sha256 ")+65 {
		t.Errorf("state of %d bytes", len(data))
	}
}

// TestCorruptState: a state file that is damaged in any way is refused, with an error that
// names the file and what is wrong, and is left as it is, never replaced by a first
// verification that would trust the log again.
func TestCorruptState(t *testing.T) {
	l := newLog(t, 300)
	url := l.Serve(t)
	_, good := savedState(t, 300)
	s, err := verifier.ReadState(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	written := func(edit func(s *verifier.State)) []byte {
		c := *s
		c.Leaves = slices.Clone(s.Leaves)
		edit(&c)
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	flip := func(i int) []byte {
		b := slices.Clone(good)
		b[i] ^= 1
		return b
	}
	noteEnd := bytes.Index(good, []byte("leaves 300\n"))
	for _, tc := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "the file is empty"},
		{"not a state file", []byte("hello\n"), `does not start with "takedown-log-state v1"`},
		{"another version", bytes.Replace(good, []byte("v1"), []byte("v2"), 1), "it is not a state file of this version"},
		{"no newline", []byte("takedown-log-state v1"), "ends inside its header line: truncated"},
		{"long line", append([]byte("takedown-log-state v1\nverified "), bytes.Repeat([]byte("x"), 5000)...), "the verified line is longer than 128 bytes"},
		{"cut in the checkpoint", good[:noteEnd-10], "ends inside its checkpoint: truncated"},
		{"cut in the leaves", good[:noteEnd+100], "ends inside its leaves: truncated"},
		{"cut before the checksum", good[:len(good)-72], "ends before its sha256 line: truncated"},
		{"cut in the checksum", good[:len(good)-1], "ends before its sha256 line: truncated"},
		{"a leaf changed", flip(noteEnd + 11 + 32*41), "its checksum does not match its contents"},
		{"the checksum changed", flip(len(good) - 2), "its checksum does not match its contents"},
		{"the time changed", bytes.Replace(good, []byte("09:30:00Z"), []byte("09:31:00Z"), 1), "its checksum does not match"},
		{"a bad time", bytes.Replace(good, []byte("2026-12-02T09:30:00Z"), []byte("yesterday"), 1), `its time "yesterday" is not an RFC 3339 time`},
		{"data after the checksum", append(slices.Clone(good), '\n'), "has data after its checksum"},
		{"a number with a leading zero", bytes.Replace(good, []byte("leaves 300"), []byte("leaves 0300"), 1), `its leaves "0300" is not a decimal number`},
		{"fewer leaves than its checkpoint", bytes.Replace(good, []byte("leaves 300"), []byte("leaves 299"), 1), "holds 299 leaves for a checkpoint of size 300"},
		{"leaves of another tree, summed again", written(func(s *verifier.State) { s.Leaves[41] = tlog.Hash{} }), "its 300 leaves hash to"},
		{"a checkpoint that is not one", written(func(s *verifier.State) { s.Checkpoint.Note = []byte("not a note\n\nsig\n") }), "its checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "log.state", tc.data)
			_, err := verify(t, l, url, path)
			var se *verifier.StateError
			if !errors.As(err, &se) || se.Path != path {
				t.Fatalf("error %v, want a *StateError about %s", err, path)
			}
			if !errors.Is(err, auditlog.ErrMalformed) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("%v\nwant %q", err, tc.msg)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, tc.data) {
				t.Errorf("the corrupt state file was changed")
			}
		})
	}
}

// TestStateOfAnotherLog: a state file of another log is refused, not taken for a fork.
func TestStateOfAnotherLog(t *testing.T) {
	other := otherSigner(t, "other.example/log")
	msg, err := auditlog.Sign(auditlog.Checkpoint{Origin: "other.example/log", Size: 0, Root: sha256.Sum256(nil)}, other)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := (&verifier.State{Checkpoint: verifier.Checkpoint{Checkpoint: auditlog.Checkpoint{Origin: "other.example/log", Root: sha256.Sum256(nil)}, Note: msg, At: verifiedAt}}).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "log.state", buf.Bytes())
	l := newLog(t, 10)
	_, err = verifier.Verify(context.Background(), verifier.NewHTTPSource(l.Serve(t), ""), options(t, l, path))
	var se *verifier.StateError
	if !errors.As(err, &se) || errors.Is(err, auditlog.ErrInconsistent) || !strings.Contains(err.Error(), `it is the state of the log "other.example/log", not of "takedown.example/log"`) {
		t.Errorf("error %v", err)
	}
}

// TestStateUnwritable: a state that cannot be saved fails the verification, which would
// otherwise not be compared with the next.
func TestStateUnwritable(t *testing.T) {
	l := newLog(t, 10)
	path := filepath.Join(t.TempDir(), "no such directory", "log.state")
	_, err := verify(t, l, l.Serve(t), path)
	var se *verifier.StateError
	if !errors.As(err, &se) {
		t.Errorf("error %v, want a *StateError", err)
	}
}
