package witness

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

// newTestClient returns a client of the witness, believing it last cosigned size last.
func newTestClient(t *testing.T, w *testWitness, last int64) *Client {
	t.Helper()
	c, err := NewClient(w.url+"/", w.VerifierKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLast(last)
	return c
}

// proofs records the sizes a client asked consistency proofs from.
type proofs struct {
	l    *testLog
	from []int64
}

func (p *proofs) prove(old int64) ([]tlog.Hash, error) {
	p.from = append(p.from, old)
	return p.l.prove(old)
}

// TestClientCosigns: the client has a first checkpoint cosigned, then a larger one with a
// consistency proof, and returns each as a note that auditlog.Open accepts with the log's
// key and the witness's: the same note the witness keeps.
func TestClientCosigns(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	w := newTestWitness(t, "", l)
	c := newTestClient(t, w, 0)
	p := &proofs{l: l}
	for _, grow := range []int{0, 7, 0, 300} {
		l.grow(t, grow, "a")
		cosigned, err := c.Cosign(context.Background(), l.signed(t), l.size, p.prove)
		if err != nil {
			t.Fatalf("Cosign at size %d: %v", l.size, err)
		}
		o, err := auditlog.Open(cosigned, verifiers(t, l.vkeys...), []note.Verifier{c.Verifier()})
		if err != nil {
			t.Fatalf("the cosigned checkpoint does not open: %v\n%s", err, cosigned)
		}
		if o.Checkpoint != l.checkpoint(t) || len(o.Cosigners) != 1 || o.Cosigners[0] != "controller-witness.example" {
			t.Errorf("opened %+v, want the log's checkpoint cosigned by the witness", o)
		}
		if latest, _ := w.Latest(origin); !bytes.Equal(latest, cosigned) {
			t.Errorf("the client's note:\n%s\nthe witness's:\n%s", cosigned, latest)
		}
		if !bytes.HasPrefix(cosigned, l.signed(t)[:len(l.checkpoint(t).Text())]) {
			t.Errorf("the cosigned note does not start with the checkpoint:\n%s", cosigned)
		}
		if got := c.Last(); got != l.size {
			t.Errorf("Last = %d, want %d", got, l.size)
		}
	}
	if got, want := p.from, []int64{10, 17}; !slices.Equal(got, want) {
		t.Errorf("proofs asked from %v, want %v (none from 0 or the same size)", got, want)
	}

	t.Run("a checkpoint that already carries the witness's cosignature", func(t *testing.T) {
		latest, _ := w.Latest(origin)
		cosigned, err := c.Cosign(context.Background(), latest, l.size, p.prove)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(cosigned, []byte("— controller-witness.example ")); n != 1 {
			t.Errorf("%d cosignatures by the witness, want 1:\n%s", n, cosigned)
		}
		if _, err := auditlog.Open(cosigned, verifiers(t, l.vkeys...), []note.Verifier{c.Verifier()}); err != nil {
			t.Error(err)
		}
	})
}

// TestClientRecoversFromConflict: a client that does not know, or misremembers, the size
// the witness last cosigned learns it from the 409 answer and retries once from it.
func TestClientRecoversFromConflict(t *testing.T) {
	for _, tc := range []struct {
		name       string
		believed   int64
		wantProofs []int64
	}{
		{"a client that starts from 0", 0, []int64{10}},
		{"a client that believes a larger size", 15, []int64{15, 10}},
		{"a client that believes a smaller size", 4, []int64{4, 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t, origin, 1).grow(t, 10, "log")
			w := newTestWitness(t, "", l)
			w.cosign(t, l, 0)
			c := newTestClient(t, w, tc.believed)
			p := &proofs{l: l.grow(t, 10, "a")}
			if _, err := c.Cosign(context.Background(), l.signed(t), 20, p.prove); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.from, tc.wantProofs) {
				t.Errorf("proofs asked from %v, want %v", p.from, tc.wantProofs)
			}
			if c.Last() != 20 || w.latestSize(t, l) != 20 {
				t.Errorf("client at %d, witness at %d; want both at 20", c.Last(), w.latestSize(t, l))
			}
		})
	}
}

// TestClientErrors: the client's refusals. Those that show the log contradicting itself wrap
// auditlog.ErrInconsistent and name the sizes; the others do not.
func TestClientErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		// setup returns the checkpoint to cosign, its size and the proofs, given a log the
		// witness cosigned at size 10 and a client that knows it.
		setup        func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error))
		inconsistent bool
		msg          string
	}{
		{"the witness cosigned a larger tree", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			older := l.signed(t)
			w.cosign(t, l.grow(t, 20, "a"), 10)
			c.SetLast(0)
			return older, 10, l.prove
		}, true, "it cosigned a tree of size 30, larger than this checkpoint's 10"},
		{"the client knows of a larger tree", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			c.SetLast(30)
			return l.signed(t), 10, l.prove
		}, true, "size 30, larger than this checkpoint's 10"},
		{"a fork of the same size", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			f := newTestLog(t, origin, 0)
			f.signers, f.vkeys = l.signers, l.vkeys
			return f.grow(t, 10, "forked").signed(t), 10, f.prove
		}, true, "another tree of size 10"},
		{"a fork that is larger", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			f := newTestLog(t, origin, 0)
			f.signers, f.vkeys = l.signers, l.vkeys
			return f.grow(t, 20, "forked").signed(t), 20, f.prove
		}, true, "the consistency proof from the tree of size 10 it cosigned to this tree of size 20 does not verify"},
		{"an unknown key", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			other := l.fork().grow(t, 1, "a")
			stranger := newTestLog(t, origin, 1)
			other.signers = stranger.signers
			return other.signed(t), 11, other.prove
		}, false, "Forbidden"},
		{"an unknown log", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			other := newTestLog(t, "other.example/log", 1).grow(t, 3, "a")
			c.SetLast(0)
			return other.signed(t), 3, other.prove
		}, false, "Not Found"},
		{"another size than the checkpoint's", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			return l.grow(t, 1, "a").signed(t), 12, l.prove
		}, false, "the checkpoint's size is 11, not 12"},
		{"no proof", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			return l.grow(t, 1, "a").signed(t), 11, func(int64) ([]tlog.Hash, error) { return nil, errors.New("no tiles") }
		}, false, "consistency proof from size 10 to 11: no tiles"},
		{"not a signed note", func(t *testing.T, l *testLog, w *testWitness, c *Client) ([]byte, int64, func(int64) ([]tlog.Hash, error)) {
			return []byte(l.checkpoint(t).Text()), 10, l.prove
		}, false, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLog(t, origin, 1).grow(t, 10, "log")
			w := newTestWitness(t, "", l)
			w.cosign(t, l, 0)
			c := newTestClient(t, w, 10)
			checkpoint, size, prove := tc.setup(t, l, w, c)
			_, err := c.Cosign(context.Background(), checkpoint, size, prove)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Cosign: %v; want an error saying %q", err, tc.msg)
			}
			if got := errors.Is(err, auditlog.ErrInconsistent); got != tc.inconsistent {
				t.Errorf("errors.Is(%v, ErrInconsistent) = %v, want %v", err, got, tc.inconsistent)
			}
		})
	}
}

// TestClientIgnoresOtherCosignatures: behind one address that answers with the cosignatures
// of two real witnesses, as a bastion could, a client of either keeps its own witness's and
// ignores the other's; a client of a third witness finds none of its own.
func TestClientIgnoresOtherCosignatures(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	var witnesses []*Server
	for _, name := range []string{"controller-witness.example", "second-witness.example"} {
		s, err := Open(filepath.Join(t.TempDir(), "w"), name, []Log{l.config()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		witnesses = append(witnesses, s)
	}
	both := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := new(bytes.Buffer)
		body.ReadFrom(r.Body)
		var answer []byte
		for _, s := range witnesses {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(r.Method, r.URL.Path, bytes.NewReader(body.Bytes())))
			if rec.Code != 200 {
				http.Error(w, rec.Body.String(), rec.Code)
				return
			}
			answer = append(answer, rec.Body.Bytes()...)
		}
		w.Write(answer)
	}))
	t.Cleanup(both.Close)
	for i, s := range witnesses {
		c, err := NewClient(both.URL, s.VerifierKey(), nil)
		if err != nil {
			t.Fatal(err)
		}
		c.SetLast(int64(i) * 10) // the second request finds both witnesses at 10
		cosigned, err := c.Cosign(context.Background(), l.signed(t), 10, l.prove)
		if err != nil {
			t.Fatalf("client of %s: %v", s.Name(), err)
		}
		if _, err := auditlog.Open(cosigned, verifiers(t, l.vkeys...), []note.Verifier{c.Verifier()}); err != nil {
			t.Errorf("client of %s: %v", s.Name(), err)
		}
		if n := bytes.Count(cosigned, []byte("\n— ")); n != 2 {
			t.Errorf("client of %s: %d signatures, want the log's and its witness's:\n%s", s.Name(), n, cosigned)
		}
	}
	third, err := Open(filepath.Join(t.TempDir(), "w"), "third-witness.example", []Log{l.config()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(both.URL, third.VerifierKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetLast(10)
	if _, err := c.Cosign(context.Background(), l.signed(t), 10, l.prove); err == nil || errors.Is(err, auditlog.ErrInconsistent) {
		t.Errorf("a client of a witness that did not answer: %v, want an error", err)
	}
}

// TestClientBoundsTheWitness: an answer too long, malformed, or too slow is an error, never
// a hang or an unbounded read.
func TestClientBoundsTheWitness(t *testing.T) {
	l := newTestLog(t, origin, 1).grow(t, 10, "log")
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		msg     string
	}{
		{"a long answer", func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("— x AAAA\n"), 1<<17))
		}, "longer than"},
		{"not signature lines", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok\n"))
		}, "no valid cosignature"},
		{"a malformed size", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", auditlog.SizeContentType)
			w.WriteHeader(409)
			w.Write([]byte("ten\n"))
		}, "malformed"},
		{"a slow witness", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			s, err := Open(filepath.Join(t.TempDir(), "w"), "controller-witness.example", []Log{l.config()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			c, err := NewClient(srv.URL, s.VerifierKey(), nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err = c.Cosign(ctx, l.signed(t), 10, l.prove)
			if err == nil || !strings.Contains(err.Error(), tc.msg) || errors.Is(err, auditlog.ErrInconsistent) {
				t.Errorf("Cosign: %v; want an error saying %q", err, tc.msg)
			}
		})
	}
}

// TestNewClientRefuses: a client needs an HTTP URL and a witness key.
func TestNewClientRefuses(t *testing.T) {
	_, vkey, err := auditlog.GenerateKey("controller-witness.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, url, vkey string }{
		{"no scheme", "controller-witness.example", vkey},
		{"another scheme", "ftp://controller-witness.example/", vkey},
		{"not a key", "https://controller-witness.example/", "controller-witness.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewClient(tc.url, tc.vkey, nil); err == nil {
				t.Error("NewClient accepted it")
			}
		})
	}
	if _, err := NewClient("https://controller-witness.example/", vkey, nil); err != nil {
		t.Errorf("a plain Ed25519 witness key: %v", err)
	}
}
