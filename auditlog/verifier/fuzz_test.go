package verifier

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/verifier/verifiertest"
)

// seedLog returns a small published test log served over HTTP.
func seedLog(f *testing.F, n int) (*verifiertest.Log, string) {
	l := verifiertest.New(f, 1)
	l.Append(f, n)
	l.Publish(f)
	return l, l.Serve(f)
}

// FuzzReadState: no input makes the state parser panic or allocate beyond what the input
// holds, and what it accepts it writes back byte for byte (the format has one encoding).
// The corpus in testdata/fuzz/FuzzReadState holds states of a few leaves.
func FuzzReadState(f *testing.F) {
	l, url := seedLog(f, 3)
	keys, err := ParseLogKeys([]string{l.Key})
	if err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(f.TempDir(), "log.state")
	if _, err := Verify(context.Background(), NewHTTPSource(url, ""), Options{LogKeys: keys, State: path}); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte(stateHeader + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadState(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := s.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("accepted state written back differs:\n%q\n%q", data, buf.Bytes())
		}
	})
}

// FuzzOpenBundle: no input makes opening a bundle, or reading its tiles and events, panic;
// whatever it refuses, it refuses as malformed. The corpus in testdata/fuzz/FuzzOpenBundle
// holds small bundles, with and without events.
func FuzzOpenBundle(f *testing.F) {
	for _, n := range []int{0, 3} {
		_, url := seedLog(f, n)
		for _, token := range []string{verifiertest.Token, ""} {
			var buf bytes.Buffer
			if err := Export(context.Background(), NewHTTPSource(url, token), &buf, nil); err != nil {
				f.Fatal(err)
			}
			f.Add(buf.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		b, err := newBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		// An opened bundle has every tile of its tree, so this loop is as long as the
		// bundle's members.
		for i := range bundleTileCount(b.Size()) {
			tl := bundleTile(b.Size(), i)
			data, err := b.Tile(ctx, tl)
			if err != nil {
				t.Fatalf("opened bundle without %s: %v", auditlog.TilePath(tl), err)
			}
			parseTile(tl, data)
		}
		events, err := b.Events(ctx)
		if err != nil {
			return
		}
		for _, err := range events {
			if err != nil {
				break
			}
		}
	})
}
