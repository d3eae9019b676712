package auditlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// testLog is a log of a few events, whose checkpoint is signed by the log and cosigned by
// the witness.
type testLog struct {
	events     []*takedown.Event
	tree       *memTree
	checkpoint auditlog.Checkpoint
	note       []byte
}

func newTestLog(tb testing.TB, n int) *testLog {
	tb.Helper()
	l := &testLog{tree: &memTree{}}
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	for i := range n {
		id := int64(i + 1)
		salt := sha256.Sum256(fmt.Appendf(nil, "salt %d", id))
		e := &takedown.Event{
			ID: id, At: at.Add(time.Duration(i) * time.Second), Kind: takedown.EventKinds[i%len(takedown.EventKinds)],
			ActorID: id % 3, ActorRole: "officer", CaseID: 1 + id/2, Data: fmt.Appendf(nil, `{"step":%d}`, id),
			Salt: salt[:],
		}
		entry, err := auditlog.Entry(e)
		if err != nil {
			tb.Fatal(err)
		}
		l.tree.append(tb, entry)
		l.events = append(l.events, e)
	}
	l.checkpoint = l.tree.checkpoint(tb, int64(n))
	l.note = cosign(tb, signCheckpoint(tb, l.checkpoint), newCosigner(tb, witnessSKey))
	return l
}

// receipt returns the receipt of the event with the given id.
func (l *testLog) receipt(tb testing.TB, id int64) *auditlog.Proof {
	tb.Helper()
	hashes, err := tlog.ProveRecord(l.checkpoint.Size, auditlog.LeafIndex(id), l.tree)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := auditlog.NewReceipt(l.events[id-1], hashes, l.note)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func logKeys(tb testing.TB) []note.Verifier { return []note.Verifier{verifier(tb, logVKey)} }

func witnesses(tb testing.TB) []note.Verifier {
	return []note.Verifier{newCoverifier(tb, witnessVKey)}
}

func TestProofC2SPLayout(t *testing.T) {
	h1, h2 := tlog.Hash(sha256.Sum256([]byte("hash1"))), tlog.Hash(sha256.Sum256([]byte("hash2")))
	b64 := func(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
	checkpoint := "example.com/fancylog\n109482\n" + b64(h1) + "\n\n— example.com/fancylog AAAAAA==\n"
	tests := []struct {
		name  string
		proof auditlog.Proof
		want  string
	}{
		{
			"with extra data",
			auditlog.Proof{Extra: []byte("extra information"), Index: 73894, Hashes: []tlog.Hash{h1, h2}, Checkpoint: []byte(checkpoint)},
			"c2sp.org/tlog-proof@v1\nextra ZXh0cmEgaW5mb3JtYXRpb24=\nindex 73894\n" + b64(h1) + "\n" + b64(h2) + "\n\n" + checkpoint,
		},
		{
			"without extra data",
			auditlog.Proof{Index: 5, Hashes: []tlog.Hash{h1}, Checkpoint: []byte(checkpoint)},
			"c2sp.org/tlog-proof@v1\nindex 5\n" + b64(h1) + "\n\n" + checkpoint,
		},
		{
			"empty extra data",
			auditlog.Proof{Extra: []byte{}, Index: 0, Checkpoint: []byte(checkpoint)},
			"c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n" + checkpoint,
		},
		{
			"no hashes",
			auditlog.Proof{Index: 0, Checkpoint: []byte(checkpoint)},
			"c2sp.org/tlog-proof@v1\nindex 0\n\n" + checkpoint,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.proof.Marshal()); got != tt.want {
				t.Errorf("Marshal:\n%s\nwant:\n%s", got, tt.want)
			}
			got, err := auditlog.ParseProof([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if err := sameProof(got, &tt.proof); err != nil {
				t.Errorf("ParseProof: %v", err)
			}
		})
	}
}

// sameProof reports how two proofs differ; no extra data and empty extra data are two things.
func sameProof(got, want *auditlog.Proof) error {
	switch {
	case (got.Extra == nil) != (want.Extra == nil) || !bytes.Equal(got.Extra, want.Extra):
		return fmt.Errorf("extra data %q, want %q", got.Extra, want.Extra)
	case got.Index != want.Index:
		return fmt.Errorf("index %d, want %d", got.Index, want.Index)
	case !slices.Equal(got.Hashes, want.Hashes):
		return fmt.Errorf("hashes %v, want %v", got.Hashes, want.Hashes)
	case !bytes.Equal(got.Checkpoint, want.Checkpoint):
		return fmt.Errorf("checkpoint %q, want %q", got.Checkpoint, want.Checkpoint)
	}
	return nil
}

func TestProofRoundTrip(t *testing.T) {
	l := newTestLog(t, 7)
	maxHashes := make([]tlog.Hash, auditlog.MaxProofHashes)
	for i := range maxHashes {
		maxHashes[i] = sha256.Sum256([]byte{byte(i)})
	}
	tests := []struct {
		name  string
		proof *auditlog.Proof
	}{
		{"receipt", l.receipt(t, 5)},
		{"without extra", &auditlog.Proof{Index: 4, Hashes: l.receipt(t, 5).Hashes, Checkpoint: l.note}},
		{"63 hashes", &auditlog.Proof{Index: 1<<63 - 1, Hashes: maxHashes, Checkpoint: []byte("x")}},
		{"binary extra", &auditlog.Proof{Extra: []byte{0, '\n', 0xff}, Checkpoint: []byte("\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.proof.Marshal()
			got, err := auditlog.ParseProof(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameProof(got, tt.proof); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestParseProofRejects(t *testing.T) {
	l := newTestLog(t, 7)
	valid := string(l.receipt(t, 5).Marshal())
	header, rest, _ := strings.Cut(valid, "\n")
	extraLine, rest, _ := strings.Cut(rest, "\n")
	indexLine, rest, _ := strings.Cut(rest, "\n")
	hashLine, _, _ := strings.Cut(rest, "\n")
	hashes64 := strings.Repeat(hashLine+"\n", auditlog.MaxProofHashes+1)
	nonCanonicalHash := []byte(hashLine)
	nonCanonicalHash[42] ^= 1 // a padding bit
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"header only", header},
		{"header and a newline", header + "\n"},
		{"another version", strings.Replace(valid, "tlog-proof@v1", "tlog-proof@v2", 1)},
		{"no header", strings.TrimPrefix(valid, header+"\n")},
		{"carriage returns", strings.ReplaceAll(valid, "\n", "\r\n")},
		{"extra not base64", strings.Replace(valid, extraLine, "extra !!!!", 1)},
		{"extra in URL base64", strings.Replace(valid, extraLine, "extra "+base64.URLEncoding.EncodeToString([]byte{0xff, 0xfe}), 1)},
		{"extra without padding", strings.Replace(valid, extraLine, "extra "+base64.RawStdEncoding.EncodeToString([]byte("ab")), 1)},
		{"extra twice", strings.Replace(valid, extraLine, extraLine+"\n"+extraLine, 1)},
		{"extra without its space", strings.Replace(valid, extraLine, "extra", 1)},
		{"extra after the index", strings.Replace(valid, extraLine+"\n"+indexLine, indexLine+"\n"+extraLine, 1)},
		{"no index", strings.Replace(valid, indexLine+"\n", "", 1)},
		{"index with a leading zero", strings.Replace(valid, indexLine, "index 04", 1)},
		{"negative index", strings.Replace(valid, indexLine, "index -4", 1)},
		{"index with two spaces", strings.Replace(valid, indexLine, "index  4", 1)},
		{"index too big", strings.Replace(valid, indexLine, "index 9223372036854775808", 1)},
		{"index misnamed", strings.Replace(valid, indexLine, "leaf 4", 1)},
		{"hash not base64", strings.Replace(valid, hashLine, "!"+hashLine[1:], 1)},
		{"hash of 31 bytes", strings.Replace(valid, hashLine, base64.StdEncoding.EncodeToString(make([]byte, 31)), 1)},
		{"hash of 33 bytes", strings.Replace(valid, hashLine, base64.StdEncoding.EncodeToString(make([]byte, 33)), 1)},
		{"hash in non-canonical base64", strings.Replace(valid, hashLine, string(nonCanonicalHash), 1)},
		{"hash with a space", strings.Replace(valid, hashLine, hashLine+" ", 1)},
		{"64 hashes", strings.Replace(valid, hashLine+"\n", hashes64, 1)},
		{"no empty line", header + "\n" + indexLine + "\n" + hashLine + "\n"},
		{"no checkpoint", header + "\n" + indexLine + "\n" + hashLine + "\n\n"},
		{"too long", strings.Replace(valid, extraLine, "extra "+base64.StdEncoding.EncodeToString(make([]byte, auditlog.MaxProof)), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := auditlog.ParseProof([]byte(tt.data))
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseProof = %+v, %v, want an error wrapping ErrMalformed", p, err)
			}
		})
	}
}

func TestVerifyReceipt(t *testing.T) {
	for _, n := range []int{1, 2, 7, 256, 257} {
		l := newTestLog(t, n)
		for _, id := range []int64{1, int64(n+1) / 2, int64(n)} {
			t.Run(fmt.Sprintf("event %d of %d", id, n), func(t *testing.T) {
				e, o, err := auditlog.VerifyReceipt(l.receipt(t, id).Marshal(), logKeys(t), witnesses(t))
				if err != nil {
					t.Fatal(err)
				}
				want := l.events[id-1]
				if err := sameEvent(e, want); err != nil {
					t.Error(err)
				}
				if !bytes.Equal(e.Salt, want.Salt) {
					t.Errorf("salt %x, want %x", e.Salt, want.Salt)
				}
				if o.Checkpoint != l.checkpoint {
					t.Errorf("checkpoint %+v, want %+v", o.Checkpoint, l.checkpoint)
				}
				if got, want := o.Cosigners, []string{"witness.example"}; !slices.Equal(got, want) {
					t.Errorf("cosigners %q, want %q", got, want)
				}
				if !bytes.Equal(o.Note, l.note) {
					t.Errorf("note %q, want %q", o.Note, l.note)
				}
			})
		}
	}
}

// TestVerifyReceiptTampered changes one thing of a receipt at a time, every byte of it in
// turn, and checks that the receipt no longer verifies, with an error that says why.
func TestVerifyReceiptTampered(t *testing.T) {
	l := newTestLog(t, 7)
	const id = 5
	valid := l.receipt(t, id)
	verifies := func(p *auditlog.Proof) error {
		_, _, err := auditlog.VerifyReceipt(p.Marshal(), logKeys(t), witnesses(t))
		if err == nil {
			return errors.New("verifies")
		}
		if !errors.Is(err, auditlog.ErrMalformed) && !errors.Is(err, auditlog.ErrInconsistent) {
			return fmt.Errorf("VerifyReceipt: %v, want an error wrapping ErrMalformed or ErrInconsistent", err)
		}
		return nil
	}
	if _, _, err := auditlog.VerifyReceipt(valid.Marshal(), logKeys(t), witnesses(t)); err != nil {
		t.Fatal(err)
	}
	clone := func() *auditlog.Proof {
		p := *valid
		p.Extra, p.Hashes, p.Checkpoint = bytes.Clone(p.Extra), slices.Clone(p.Hashes), bytes.Clone(p.Checkpoint)
		return &p
	}

	t.Run("salt and body", func(t *testing.T) {
		for i := range valid.Extra {
			for _, bit := range []byte{0x01, 0x20, 0x80} {
				p := clone()
				p.Extra[i] ^= bit
				if err := verifies(p); err != nil {
					t.Errorf("byte %d of the extra data ^ %#x: %v", i, bit, err)
				}
			}
		}
		for _, extra := range [][]byte{nil, {}, valid.Extra[:auditlog.SaltSize], valid.Extra[:len(valid.Extra)-1], append(bytes.Clone(valid.Extra), '\n')} {
			p := clone()
			p.Extra = extra
			if err := verifies(p); err != nil {
				t.Errorf("extra data %q: %v", extra, err)
			}
		}
	})
	t.Run("index", func(t *testing.T) {
		for _, index := range []int64{0, id - 2, id, l.checkpoint.Size, l.checkpoint.Size + 1, 1 << 40, -1} {
			p := clone()
			p.Index = index
			if err := verifies(p); err != nil {
				t.Errorf("index %d: %v", index, err)
			}
		}
	})
	t.Run("proof hashes", func(t *testing.T) {
		for i := range valid.Hashes {
			for j := range tlog.HashSize {
				p := clone()
				p.Hashes[i][j] ^= 1 << (j % 8)
				if err := verifies(p); err != nil {
					t.Errorf("byte %d of hash %d: %v", j, i, err)
				}
			}
			p := clone()
			p.Hashes = slices.Delete(p.Hashes, i, i+1)
			if err := verifies(p); err != nil {
				t.Errorf("hash %d dropped: %v", i, err)
			}
		}
		p := clone()
		p.Hashes = append(p.Hashes, p.Hashes[0])
		if err := verifies(p); err != nil {
			t.Errorf("a hash added: %v", err)
		}
		p = clone()
		slices.Reverse(p.Hashes)
		if err := verifies(p); err != nil {
			t.Errorf("hashes reversed: %v", err)
		}
	})
	t.Run("checkpoint", func(t *testing.T) {
		for i := range valid.Checkpoint {
			for _, bit := range []byte{0x01, 0x02, 0x40} {
				p := clone()
				p.Checkpoint[i] ^= bit
				if err := verifies(p); err != nil {
					t.Errorf("byte %d (%q) of the checkpoint ^ %#x: %v", i, valid.Checkpoint[i], bit, err)
				}
			}
		}
		p := clone()
		p.Checkpoint = signCheckpoint(t, l.checkpoint) // not cosigned
		if err := verifies(p); err != nil {
			t.Errorf("checkpoint without the cosignature: %v", err)
		}
		p = clone()
		bigger := newTestLog(t, 8)
		p.Checkpoint = bigger.note // another tree, which the proof does not lead to
		if err := verifies(p); err != nil {
			t.Errorf("checkpoint of another size: %v", err)
		}
	})
	t.Run("every byte of the text", func(t *testing.T) {
		data := valid.Marshal()
		for i := range data {
			bad := bytes.Clone(data)
			bad[i] ^= 0x04
			_, _, err := auditlog.VerifyReceipt(bad, logKeys(t), witnesses(t))
			if !errors.Is(err, auditlog.ErrMalformed) && !errors.Is(err, auditlog.ErrInconsistent) {
				t.Errorf("byte %d (%q) ^ 0x04: VerifyReceipt = %v, want an error wrapping ErrMalformed or ErrInconsistent", i, data[i], err)
			}
		}
	})
	t.Run("keys", func(t *testing.T) {
		data := valid.Marshal()
		if _, _, err := auditlog.VerifyReceipt(data, []note.Verifier{verifier(t, nextVKey)}, witnesses(t)); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("another log key: %v, want an error wrapping ErrInconsistent", err)
		}
		if _, _, err := auditlog.VerifyReceipt(data, logKeys(t), []note.Verifier{newCoverifier(t, witness2VKey)}); !errors.Is(err, auditlog.ErrInconsistent) {
			t.Errorf("another witness: %v, want an error wrapping ErrInconsistent", err)
		}
	})
}

func TestNewReceiptRefuses(t *testing.T) {
	l := newTestLog(t, 3)
	hashes, err := tlog.ProveRecord(3, 0, l.tree)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(e *takedown.Event)
	}{
		{"no salt", func(e *takedown.Event) { e.Salt = nil }},
		{"a short salt", func(e *takedown.Event) { e.Salt = e.Salt[:16] }},
		{"a kind that is not a name", func(e *takedown.Event) { e.Kind = "Case Opened" }},
		{"id 0, which has no leaf", func(e *takedown.Event) { e.ID = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := *l.events[0]
			tt.change(&e)
			if p, err := auditlog.NewReceipt(&e, hashes, l.note); err == nil {
				t.Errorf("NewReceipt = %s, want an error", p.Marshal())
			}
		})
	}
}

// FuzzParseProof checks that ParseProof never panics and reads only canonical proofs:
// marshalling what it reads gives back its input.
func FuzzParseProof(f *testing.F) {
	l := newTestLog(f, 7)
	f.Add(l.receipt(f, 5).Marshal())
	f.Add(l.receipt(f, 7).Marshal())
	f.Add((&auditlog.Proof{Index: 0, Checkpoint: []byte("c\n")}).Marshal())
	f.Add((&auditlog.Proof{Extra: []byte{}, Index: 1, Hashes: make([]tlog.Hash, 2), Checkpoint: []byte("c\n")}).Marshal())
	f.Add([]byte("c2sp.org/tlog-proof@v1\nextra \nindex 00\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := auditlog.ParseProof(data)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("ParseProof: %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		if p.Index < 0 || len(p.Hashes) > auditlog.MaxProofHashes || len(p.Checkpoint) == 0 {
			t.Fatalf("ParseProof(%q) = %+v", data, p)
		}
		if again := p.Marshal(); !bytes.Equal(again, data) {
			t.Fatalf("Marshal(ParseProof(%q)) = %q", data, again)
		}
	})
}

// FuzzVerifyReceipt checks that VerifyReceipt never panics on a receipt from anyone, and
// that what it accepts is an event at its leaf in a signed, cosigned tree.
func FuzzVerifyReceipt(f *testing.F) {
	l := newTestLog(f, 7)
	for id := range int64(7) {
		f.Add(l.receipt(f, id+1).Marshal())
	}
	one := newTestLog(f, 1)
	f.Add(one.receipt(f, 1).Marshal())
	keys, ws := logKeys(f), witnesses(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, o, err := auditlog.VerifyReceipt(data, keys, ws)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) && !errors.Is(err, auditlog.ErrInconsistent) {
				t.Fatalf("VerifyReceipt: %v, want an error wrapping ErrMalformed or ErrInconsistent", err)
			}
			return
		}
		p, err := auditlog.ParseProof(data)
		if err != nil {
			t.Fatalf("VerifyReceipt(%q) succeeded, ParseProof: %v", data, err)
		}
		entry, err := auditlog.Entry(e)
		if err != nil {
			t.Fatalf("VerifyReceipt(%q) = an event with no entry: %v", data, err)
		}
		if p.Index != auditlog.LeafIndex(e.ID) || o.Origin != testOrigin || len(o.Cosigners) != 1 {
			t.Fatalf("VerifyReceipt(%q) = %+v, %+v", data, e, o)
		}
		if err := auditlog.CheckInclusion(p.Hashes, o.Checkpoint, p.Index, entry); err != nil {
			t.Fatalf("VerifyReceipt(%q) succeeded, CheckInclusion: %v", data, err)
		}
	})
}
