package verifier_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/verifier"
	"github.com/takedown-project/takedown/auditlog/verifier/verifiertest"
)

// export exports a source's log into memory.
func export(t testing.TB, src verifier.Source) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := verifier.Export(context.Background(), src, &buf, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes data to a new file of the test and returns its path.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// openBundle opens a bundle held in memory, through a file.
func openBundle(t testing.TB, data []byte) (*verifier.Bundle, error) {
	t.Helper()
	b, err := verifier.OpenBundle(writeFile(t, "log.tar", data))
	if err == nil {
		t.Cleanup(func() { b.Close() })
	}
	return b, err
}

// TestBundleVerifiesAsTheServer: a bundle exported from a server verifies offline with the
// same result as the server, with the events or without; an export is the same bytes every
// time, and exporting a bundle again gives the bundle.
func TestBundleVerifiesAsTheServer(t *testing.T) {
	l := newLog(t, 1000)
	l.Append(t, 10) // not yet checkpointed: left out of the bundle
	url := l.Serve(t)
	for _, token := range []string{verifiertest.Token, ""} {
		server := verifier.NewHTTPSource(url, token)
		var buf bytes.Buffer
		var last, total int64
		err := verifier.Export(context.Background(), server, &buf, func(done, all int64) {
			if done < last || done > all {
				t.Errorf("progress %d of %d after %d", done, all, last)
			}
			last, total = done, all
		})
		if err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		if last != total {
			t.Errorf("progress ended at %d of %d", last, total)
		}
		b, err := openBundle(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if b.Size() != 1000 || b.HasEvents() != (token != "") {
			t.Errorf("bundle of size %d, with events %v", b.Size(), b.HasEvents())
		}
		overHTTP, err := verifier.Verify(context.Background(), server, options(t, l, ""))
		if err != nil {
			t.Fatal(err)
		}
		offline, err := verifier.Verify(context.Background(), b, options(t, l, ""))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(offline.Checkpoint.Note, overHTTP.Checkpoint.Note) || offline.Leaves != overHTTP.Leaves ||
			offline.Tiles != overHTTP.Tiles || offline.Bodies != overHTTP.Bodies || !slices.Equal(offline.Signers, overHTTP.Signers) ||
			!slices.Equal(offline.Checkpoint.Cosigners, overHTTP.Checkpoint.Cosigners) || (offline.NoBodies == "") != (overHTTP.NoBodies == "") {
			t.Errorf("token %q: offline %+v\nover HTTP %+v", token, offline, overHTTP)
		}
		if token == "" && !strings.Contains(offline.NoBodies, "exported without a token") {
			t.Errorf("no bodies: %q", offline.NoBodies)
		}
		if again := export(t, server); !bytes.Equal(again, data) {
			t.Errorf("token %q: two exports of the same checkpoint differ", token)
		}
		if again := export(t, b); !bytes.Equal(again, data) {
			t.Errorf("token %q: the export of the bundle differs from the bundle", token)
		}
	}
}

// TestBundleMembers: the bundle holds its members in the documented order, with a README
// that says how to verify it.
func TestBundleMembers(t *testing.T) {
	l := newLog(t, 300)
	data := export(t, verifier.NewHTTPSource(l.Serve(t), verifiertest.Token))
	var names []string
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.Name == "README.txt" {
			readme, _ := io.ReadAll(tr)
			for _, want := range []string{"takedown log verify --bundle FILE --key VKEY", "size 300", "events.jsonl"} {
				if !strings.Contains(string(readme), want) {
					t.Errorf("README.txt lacks %q:\n%s", want, readme)
				}
			}
		}
	}
	want := []string{"checkpoint", "README.txt", "tile/0/000", "tile/entries/000", "tile/0/001.p/44", "tile/entries/001.p/44", "tile/1/000.p/1", "events.jsonl"}
	if !slices.Equal(names, want) {
		t.Errorf("members %v\nwant %v", names, want)
	}
}

// TestBundleOfTamperedLog: a bundle exported from a server that lies is caught offline as
// the server is, with the same evidence: one tamper of each kind.
func TestBundleOfTamperedLog(t *testing.T) {
	kinds := map[verifier.Kind]bool{}
	for _, tc := range tampers {
		if kinds[tc.kind] {
			continue
		}
		kinds[tc.kind] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLog(t, 1000)
			url := l.Serve(t)
			state := filepath.Join(t.TempDir(), "log.state")
			server := verifier.NewHTTPSource(url, tc.token())
			if _, err := verifier.Verify(context.Background(), server, options(t, l, state)); err != nil {
				t.Fatal(err)
			}
			saved, err := os.ReadFile(state)
			if err != nil {
				t.Fatal(err)
			}
			tc.do(t, l)
			b, err := openBundle(t, export(t, server))
			if err != nil {
				t.Fatal(err)
			}
			_, overHTTP := verifier.Verify(context.Background(), server, options(t, l, state))
			_, offline := verifier.Verify(context.Background(), b, options(t, l, writeFile(t, "copy.state", saved)))
			h, o := inconsistency(t, overHTTP), inconsistency(t, offline)
			if h.Kind != o.Kind || h.Index != o.Index || h.Error() != o.Error() || !bytes.Equal(h.New.Note, o.New.Note) || !bytes.Equal(h.Old.Note, o.Old.Note) {
				t.Errorf("offline: %v\nover HTTP: %v", offline, overHTTP)
			}
		})
	}
}

// member is a tar member, for rebuilding bundles.
type member struct {
	hdr  tar.Header
	data []byte
}

// members reads a tar's members.
func members(t testing.TB, data []byte) []member {
	t.Helper()
	var out []member
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, member{*hdr, body})
	}
}

// rebuild writes members as a tar.
func rebuild(t testing.TB, ms []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		m.hdr.Size = int64(len(m.data))
		if err := tw.WriteHeader(&m.hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// edit returns the bundle with fn applied to its members.
func edit(t testing.TB, data []byte, fn func([]member) []member) []byte {
	t.Helper()
	return rebuild(t, fn(members(t, data)))
}

// without drops the member named name.
func without(name string) func([]member) []member {
	return func(ms []member) []member {
		return slices.DeleteFunc(ms, func(m member) bool { return m.hdr.Name == name })
	}
}

// changed changes the data of the member named name.
func changed(name string, fn func([]byte) []byte) func([]member) []member {
	return func(ms []member) []member {
		for i := range ms {
			if ms[i].hdr.Name == name {
				ms[i].data = fn(slices.Clone(ms[i].data))
			}
		}
		return ms
	}
}

// added adds a member.
func added(hdr tar.Header, data []byte) func([]member) []member {
	return func(ms []member) []member { return append(ms, member{hdr, data}) }
}

// file is the header of a regular file.
func file(name string) tar.Header { return tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644} }

// TestBundleCutShort: a bundle cut at any point is refused when it is opened, with an error
// that says it was cut short.
func TestBundleCutShort(t *testing.T) {
	l := newLog(t, 300)
	data := export(t, verifier.NewHTTPSource(l.Serve(t), verifiertest.Token))
	n := len(data)
	for _, cut := range []int{0, 1, 100, 511, 512, 513, 1024, 1536, n / 3, n / 2, n - 4096, n - 1025, n - 1024, n - 600, n - 512, n - 1} {
		_, err := openBundle(t, data[:cut])
		if err == nil {
			t.Errorf("cut at %d of %d: opened", cut, n)
			continue
		}
		if !errors.Is(err, auditlog.ErrMalformed) || !strings.Contains(err.Error(), "cut short") {
			t.Errorf("cut at %d of %d: %v", cut, n, err)
		}
	}
}

// TestBundleDamaged: a bundle with a member missing, of the wrong size, unexpected, twice,
// or not a file, is refused when it is opened; damaged events are refused when they are
// read; events out of order are an inconsistency, as they are from a server.
func TestBundleDamaged(t *testing.T) {
	l := newLog(t, 300)
	url := l.Serve(t)
	data := export(t, verifier.NewHTTPSource(url, verifiertest.Token))
	for _, tc := range []struct {
		name string
		edit func([]member) []member
		msg  string
	}{
		{"no level-0 tile", without("tile/0/000"), "has no tile/0/000, which the tree of its checkpoint (size 300) needs: it is incomplete"},
		{"no entry bundle", without("tile/entries/001.p/44"), "has no tile/entries/001.p/44"},
		{"no level-1 tile", without("tile/1/000.p/1"), "has no tile/1/000.p/1"},
		{"no checkpoint", without("checkpoint"), `has no member "checkpoint"`},
		{"short entry bundle", changed("tile/entries/001.p/44", func(b []byte) []byte { return b[:len(b)-34] }),
			"has a member tile/entries/001.p/44 of 1462 bytes, want 1496"},
		{"long hash tile", changed("tile/0/000", func(b []byte) []byte { return append(b, 0) }), "has a member tile/0/000 of 8193 bytes, want 8192"},
		{"empty tile", changed("tile/0/000", func([]byte) []byte { return nil }), "has a member tile/0/000 of 0 bytes"},
		{"checkpoint not a note", changed("checkpoint", func([]byte) []byte { return []byte("takedown.example/log\n300\n") }), "has a checkpoint that does not parse"},
		{"unexpected member", added(file("notes.txt"), []byte("hello")), `has a member "notes.txt" that is neither a tile nor`},
		{"tile of another tree", added(file("tile/0/001.p/10"), make([]byte, 320)), "has a member tile/0/001.p/10, which is not a tile of the tree of its checkpoint (size 300)"},
		{"member twice", added(file("tile/0/000"), make([]byte, 8192)), `has two members named "tile/0/000"`},
		{"symbolic link", added(tar.Header{Name: "events2.jsonl", Typeflag: tar.TypeSymlink, Linkname: "checkpoint"}, nil), "is not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := openBundle(t, edit(t, data, tc.edit))
			if err == nil {
				t.Fatal("opened")
			}
			if !errors.Is(err, auditlog.ErrMalformed) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v\nwant %q", err, tc.msg)
			}
		})
	}

	// Directories, as a tar of an unpacked bundle has them, are allowed.
	withDirs := edit(t, data, func(ms []member) []member {
		return append([]member{{tar.Header{Name: "tile/", Typeflag: tar.TypeDir, Mode: 0o755}, nil}}, ms...)
	})
	if _, err := openBundle(t, withDirs); err != nil {
		t.Errorf("a bundle with a directory member: %v", err)
	}

	lines := func(fn func([][]byte) [][]byte) func([]member) []member {
		return changed("events.jsonl", func(b []byte) []byte {
			ls := bytes.SplitAfter(b, []byte("\n"))
			return bytes.Join(fn(ls[:len(ls)-1]), nil)
		})
	}
	for _, tc := range []struct {
		name      string
		edit      func([]member) []member
		msg       string
		malformed bool
	}{
		{"a line not JSON", lines(func(ls [][]byte) [][]byte { ls[2] = []byte("{not json\n"); return ls }),
			"has an events.jsonl whose line 3 is not an event", true},
		{"an unknown field", lines(func(ls [][]byte) [][]byte {
			ls[4] = append([]byte(`{"extra":1,`), ls[4][1:]...)
			return ls
		}), `line 5 is not an event (json: unknown field "extra")`, true},
		{"two values on a line", lines(func(ls [][]byte) [][]byte {
			ls[1] = append(bytes.TrimSuffix(ls[1], []byte("\n")), []byte(" {}\n")...)
			return ls
		}),
			"line 2 is more than one JSON value", true},
		{"null", lines(func(ls [][]byte) [][]byte { ls[0] = []byte("null\n"); return ls }), "line 1 is null, not an event", true},
		{"last line cut", changed("events.jsonl", func(b []byte) []byte { return b[:len(b)-5] }), "does not end with a newline", true},
		{"events out of order", lines(func(ls [][]byte) [][]byte { ls[10], ls[11] = ls[11], ls[10]; return ls }),
			"event 11 (leaf 10) is out of place: it comes after event 12", false},
		{"event deleted", lines(func(ls [][]byte) [][]byte { return append(ls[:10], ls[11:]...) }),
			"event 11 (leaf 10) is missing from the record", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := openBundle(t, edit(t, data, tc.edit))
			if err != nil {
				t.Fatal(err)
			}
			_, err = verifier.Verify(context.Background(), b, options(t, l, ""))
			if err == nil {
				t.Fatal("verified")
			}
			if errors.Is(err, auditlog.ErrMalformed) != tc.malformed || errors.Is(err, auditlog.ErrInconsistent) == tc.malformed ||
				!strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%v\nwant %q, malformed %v", err, tc.msg, tc.malformed)
			}
		})
	}
}
