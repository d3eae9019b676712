package auditlog_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

// testCheckpoint is a checkpoint of the test log, of the size of the C2SP tlog-tiles example.
func testCheckpoint() auditlog.Checkpoint {
	return auditlog.Checkpoint{Origin: testOrigin, Size: 70000, Root: tlog.Hash(sha256.Sum256([]byte("root")))}
}

func TestCheckpointText(t *testing.T) {
	c := testCheckpoint()
	want := "takedown.example/log\n70000\n" + base64.StdEncoding.EncodeToString(c.Root[:]) + "\n"
	if got := c.Text(); got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	got, err := auditlog.ParseCheckpointText(want)
	if err != nil || got != c {
		t.Errorf("ParseCheckpointText(%q) = %+v, %v, want %+v", want, got, err, c)
	}
}

func TestSignOpen(t *testing.T) {
	c := testCheckpoint()
	msg := signCheckpoint(t, c)
	o, err := auditlog.Open(msg, []note.Verifier{verifier(t, logVKey)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Checkpoint != c {
		t.Errorf("Open = %+v, want %+v", o.Checkpoint, c)
	}
	if !bytes.Equal(o.Note, msg) {
		t.Errorf("Opened.Note = %q, want %q", o.Note, msg)
	}
	if len(o.Cosigners) != 0 {
		t.Errorf("Opened.Cosigners = %q, want none", o.Cosigners)
	}

	cosigned := cosign(t, msg, newCosigner(t, witnessSKey))
	o, err = auditlog.Open(cosigned, []note.Verifier{verifier(t, logVKey)}, []note.Verifier{newCoverifier(t, witnessVKey)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := o.Cosigners, []string{"witness.example"}; !slices.Equal(got, want) {
		t.Errorf("Opened.Cosigners = %q, want %q", got, want)
	}
	if o.Checkpoint != c {
		t.Errorf("Open = %+v, want %+v", o.Checkpoint, c)
	}
}

// TestOpenWitnesses checks that Open asks for every witness it is given, and ignores the
// signatures of keys it does not know.
func TestOpenWitnesses(t *testing.T) {
	msg := signCheckpoint(t, testCheckpoint())
	w1, w2 := newCosigner(t, witnessSKey), newCosigner(t, witness2SKey)
	v1, v2 := newCoverifier(t, witnessVKey), newCoverifier(t, witness2VKey)
	unknown := signer(t, strangerSKey)
	tests := []struct {
		name      string
		msg       []byte
		witnesses []note.Verifier
		want      []string // cosigners; nil: Open fails with ErrInconsistent
	}{
		{"none asked, none given", msg, nil, []string{}},
		{"none asked, one given", cosign(t, msg, w1), nil, []string{}},
		{"one asked, one given", cosign(t, msg, w1), []note.Verifier{v1}, []string{"witness.example"}},
		{"one asked, two given", cosign(t, msg, w1, w2), []note.Verifier{v1}, []string{"witness.example"}},
		{"two asked, two given", cosign(t, msg, w2, w1), []note.Verifier{v1, v2}, []string{"witness.example", "witness2.example"}},
		{"unknown signatures ignored", cosign(t, msg, unknown, w1, signer(t, witness2SKey)), []note.Verifier{v1}, []string{"witness.example"}},
		{"one asked, none given", msg, []note.Verifier{v1}, nil},
		{"one asked, another given", cosign(t, msg, w2), []note.Verifier{v1}, nil},
		{"two asked, one given", cosign(t, msg, w1), []note.Verifier{v1, v2}, nil},
		// A witness's plain signed-note signature is not a cosignature: its key hash differs.
		{"a plain signature", cosign(t, msg, signer(t, witnessSKey)), []note.Verifier{v1}, nil},
		{"a cosignature of another checkpoint", spliceSignature(t, msg, otherCosigned(t, w1)), []note.Verifier{v1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := auditlog.Open(tt.msg, []note.Verifier{verifier(t, logVKey)}, tt.witnesses)
			if tt.want == nil {
				if !errors.Is(err, auditlog.ErrInconsistent) {
					t.Errorf("Open = %+v, %v, want an error wrapping ErrInconsistent", o, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := append([]string{}, o.Cosigners...); !slices.Equal(got, tt.want) {
				t.Errorf("Opened.Cosigners = %q, want %q", got, tt.want)
			}
		})
	}
}

// otherCosigned returns a checkpoint of another size, signed by the log and cosigned.
func otherCosigned(tb testing.TB, w note.Signer) []byte {
	c := testCheckpoint()
	c.Size++
	return cosign(tb, signCheckpoint(tb, c), w)
}

// spliceSignature appends the last signature line of from to msg.
func spliceSignature(tb testing.TB, msg, from []byte) []byte {
	tb.Helper()
	lines := strings.SplitAfter(strings.TrimSuffix(string(from), "\n"), "\n")
	return append(bytes.Clone(msg), lines[len(lines)-1]+"\n"...)
}

func TestOpenRejects(t *testing.T) {
	c := testCheckpoint()
	msg := signCheckpoint(t, c)
	otherRoot := c
	otherRoot.Root[0] ^= 1
	wrongOrigin := c
	wrongOrigin.Origin = "other.example/log"
	logKeys := []note.Verifier{verifier(t, logVKey)}
	tests := []struct {
		name    string
		msg     []byte
		logKeys []note.Verifier
		want    error
	}{
		{"another key", mustSign(t, c, signer(t, nextSKey)), logKeys, auditlog.ErrInconsistent},
		{"a witness's key", mustSign(t, c, signer(t, witnessSKey)), logKeys, auditlog.ErrInconsistent},
		{"a key of another name", mustSign(t, c, signer(t, witness2SKey)), logKeys, auditlog.ErrInconsistent},
		{"size changed", bytes.Replace(msg, []byte("\n70000\n"), []byte("\n70001\n"), 1), logKeys, auditlog.ErrInconsistent},
		{"size spelled otherwise", bytes.Replace(msg, []byte("\n70000\n"), []byte("\n070000\n"), 1), logKeys, auditlog.ErrInconsistent},
		{"root changed", bytes.Replace(msg, []byte(c.Text()), []byte(otherRoot.Text()), 1), logKeys, auditlog.ErrInconsistent},
		{"origin changed", bytes.Replace(msg, []byte("takedown.example/log\n"), []byte("takedown.example/lag\n"), 1), logKeys, auditlog.ErrInconsistent},
		{"extension line added", bytes.Replace(msg, []byte(c.Text()), []byte(c.Text()+"ext\n"), 1), logKeys, auditlog.ErrInconsistent},
		{"origin is not the key's name", mustSign(t, wrongOrigin, signer(t, logSKey)), logKeys, auditlog.ErrInconsistent},
		{"signature changed", flipSignatureBit(t, msg, 100), logKeys, auditlog.ErrInconsistent},
		{"signature in non-canonical base64", flipSignatureBit(t, msg, 0), logKeys, auditlog.ErrMalformed},
		{"not a note", []byte(c.Text()), logKeys, auditlog.ErrMalformed},
		{"no signature", []byte(c.Text() + "\n"), logKeys, auditlog.ErrMalformed},
		{"signature not base64", append([]byte(c.Text()+"\n"), "— takedown.example/log !!!!\n"...), logKeys, auditlog.ErrMalformed},
		{"control character", bytes.Replace(msg, []byte("\n70000\n"), []byte("\n70000\r\n"), 1), logKeys, auditlog.ErrMalformed},
		{"not a checkpoint", mustSignText(t, "takedown.example/log\nseventy\n\n", signer(t, logSKey)), logKeys, auditlog.ErrMalformed},
		{"empty", nil, logKeys, auditlog.ErrMalformed},
		{"too long", mustSignText(t, c.Text()+strings.Repeat("x", auditlog.MaxCheckpoint)+"\n", signer(t, logSKey)), logKeys, auditlog.ErrMalformed},
		// Two keys with one name and hash: note refuses to choose.
		{"the same key twice", msg, []note.Verifier{verifier(t, logVKey), verifier(t, logVKey)}, auditlog.ErrInconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := auditlog.Open(tt.msg, tt.logKeys, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open = %+v, %v, want an error wrapping %v", o, err, tt.want)
			}
		})
	}
	t.Run("no log key", func(t *testing.T) {
		if o, err := auditlog.Open(msg, nil, nil); err == nil {
			t.Errorf("Open with no key = %+v, want an error", o)
		}
	})
}

func mustSign(tb testing.TB, c auditlog.Checkpoint, signers ...note.Signer) []byte {
	tb.Helper()
	msg, err := auditlog.Sign(c, signers...)
	if err != nil {
		tb.Fatal(err)
	}
	return msg
}

func mustSignText(tb testing.TB, text string, signers ...note.Signer) []byte {
	tb.Helper()
	msg, err := note.Sign(&note.Note{Text: text}, signers...)
	if err != nil {
		tb.Fatal(err)
	}
	return msg
}

// flipSignatureBit flips one bit of the base64 text of the first signature of msg, counting
// from its last bit (bit 0 is a padding bit, which lenient base64 ignores).
func flipSignatureBit(tb testing.TB, msg []byte, bit int) []byte {
	tb.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := bytes.Index(msg, []byte("\n\n— "))
	eol := i + 2 + bytes.IndexByte(msg[i+2:], '\n')
	b64 := bytes.TrimRight(msg[i+2:eol], "=")
	pos := len(b64) - 1 - bit/6
	v := strings.IndexByte(alphabet, b64[pos])
	if v < 0 {
		tb.Fatalf("%q is not base64", b64)
	}
	out := bytes.Clone(msg)
	out[i+2+pos] = alphabet[v^(1<<(bit%6))]
	return out
}

func TestOpenKeyRotation(t *testing.T) {
	c := testCheckpoint()
	old, next := verifier(t, logVKey), verifier(t, nextVKey)
	both := mustSign(t, c, signer(t, logSKey), signer(t, nextSKey))
	onlyNext := mustSign(t, c, signer(t, nextSKey))
	tests := []struct {
		name    string
		msg     []byte
		logKeys []note.Verifier
		ok      bool
	}{
		{"both signed, old key", both, []note.Verifier{old}, true},
		{"both signed, next key", both, []note.Verifier{next}, true},
		{"both signed, both keys", both, []note.Verifier{old, next}, true},
		{"both signed, both keys, next first", both, []note.Verifier{next, old}, true},
		{"next signed, both keys", onlyNext, []note.Verifier{old, next}, true},
		{"next signed, next key", onlyNext, []note.Verifier{next}, true},
		{"next signed, old key", onlyNext, []note.Verifier{old}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := auditlog.Open(tt.msg, tt.logKeys, nil)
			switch {
			case tt.ok && err != nil:
				t.Errorf("Open: %v", err)
			case tt.ok && o.Checkpoint != c:
				t.Errorf("Open = %+v, want %+v", o.Checkpoint, c)
			case !tt.ok && !errors.Is(err, auditlog.ErrInconsistent):
				t.Errorf("Open = %+v, %v, want an error wrapping ErrInconsistent", o, err)
			}
		})
	}
}

func TestParseCheckpointText(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	valid := []struct {
		text string
		want auditlog.Checkpoint
	}{
		{"takedown.example/log\n0\n" + root + "\n", auditlog.Checkpoint{Origin: testOrigin}},
		{"takedown.example/log\n1\n" + root + "\n", auditlog.Checkpoint{Origin: testOrigin, Size: 1}},
		{"takedown.example/log\n9223372036854775807\n" + root + "\n", auditlog.Checkpoint{Origin: testOrigin, Size: math.MaxInt64}},
		{"takedown.example/log\n5\n" + root + "\nextension one\n— not a signature\n", auditlog.Checkpoint{Origin: testOrigin, Size: 5}},
		{"a\n5\n" + root + "\n", auditlog.Checkpoint{Origin: "a", Size: 5}},
		{"~!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}\n5\n" + root + "\n", auditlog.Checkpoint{Origin: "~!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}", Size: 5}},
	}
	for _, tt := range valid {
		t.Run(tt.text, func(t *testing.T) {
			got, err := auditlog.ParseCheckpointText(tt.text)
			if err != nil || got != tt.want {
				t.Errorf("ParseCheckpointText(%q) = %+v, %v, want %+v", tt.text, got, err, tt.want)
			}
		})
	}

	nonCanonicalRoot := []byte(root)
	nonCanonicalRoot[42] = 'B' // "AAAA…AA=" with a padding bit set
	invalid := []string{
		"",
		"\n",
		"takedown.example/log\n",
		"takedown.example/log\n5\n",
		"takedown.example/log\n5\n" + root,
		"takedown.example/log\n5\n" + root + "\n\n",
		"takedown.example/log\n5\n" + root + "\next\n\n",
		"takedown.example/log\n5\n" + root + "\n\next\n",
		"takedown.example/log\r\n5\n" + root + "\n",
		"takedown.example/log\n5\r\n" + root + "\n",
		"takedown.example/log\n05\n" + root + "\n",
		"takedown.example/log\n00\n" + root + "\n",
		"takedown.example/log\n+5\n" + root + "\n",
		"takedown.example/log\n-5\n" + root + "\n",
		"takedown.example/log\n5 \n" + root + "\n",
		"takedown.example/log\n\n" + root + "\n",
		"takedown.example/log\n9223372036854775808\n" + root + "\n",
		"takedown.example/log\n5\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n",
		"takedown.example/log\n5\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n",
		"takedown.example/log\n5\n" + base64.RawStdEncoding.EncodeToString(make([]byte, 32)) + "\n",
		"takedown.example/log\n5\n" + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)) + "\n",
		"takedown.example/log\n5\n" + string(nonCanonicalRoot) + "\n",
		"takedown.example/log\n5\n" + root + " \n",
		"takedown.example/log\n5\n\n",
		"\n5\n" + root + "\n",
		"takedown example\n5\n" + root + "\n",
		"takedown.example+log\n5\n" + root + "\n",
		"takedown.example/lög\n5\n" + root + "\n",
		"takedown.example/log\t\n5\n" + root + "\n",
		"takedown.example/log\x7f\n5\n" + root + "\n",
		strings.Repeat("a", 256) + "\n5\n" + root + "\n",
		"takedown.example/log\n5\n" + root + "\n" + strings.Repeat("x", auditlog.MaxCheckpoint) + "\n",
	}
	for _, text := range invalid {
		t.Run(text, func(t *testing.T) {
			got, err := auditlog.ParseCheckpointText(text)
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseCheckpointText(%q) = %+v, %v, want an error wrapping ErrMalformed", text, got, err)
			}
		})
	}
}

func TestValidOrigin(t *testing.T) {
	tests := []struct {
		origin string
		want   bool
	}{
		{"takedown.example/log", true},
		{"a", true},
		{strings.Repeat("a", 255), true},
		{"", false},
		{strings.Repeat("a", 256), false},
		{"takedown example", false},
		{"takedown+example", false},
		{"takedown.example/lög", false},
		{"takedown\x00", false},
		{"takedown\n", false},
		{"takedown\x7f", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			if got := auditlog.ValidOrigin(tt.origin); got != tt.want {
				t.Errorf("ValidOrigin(%q) = %v, want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	skey, vkey, err := auditlog.GenerateKey(testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	c := testCheckpoint()
	msg := mustSign(t, c, signer(t, skey))
	o, err := auditlog.Open(msg, []note.Verifier{verifier(t, vkey)}, nil)
	if err != nil || o.Checkpoint != c {
		t.Errorf("Open = %+v, %v, want %+v", o, err, c)
	}
	for _, origin := range []string{"", "takedown example", "takedown+example", "lög"} {
		if _, _, err := auditlog.GenerateKey(origin); err == nil {
			t.Errorf("GenerateKey(%q) succeeded, want an error", origin)
		}
	}
}

// FuzzParseCheckpointText checks that ParseCheckpointText never panics and that what it
// reads is the checkpoint's text, with extension lines after it.
func FuzzParseCheckpointText(f *testing.F) {
	f.Add(testCheckpoint().Text())
	f.Add(testCheckpoint().Text() + "ext\n")
	f.Add("a\n0\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n\n")
	f.Add("a\n01\nAAAA\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := auditlog.ParseCheckpointText(text)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("ParseCheckpointText: %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		if !auditlog.ValidOrigin(c.Origin) || c.Size < 0 {
			t.Fatalf("ParseCheckpointText(%q) = %+v", text, c)
		}
		if !strings.HasPrefix(text, c.Text()) {
			t.Fatalf("ParseCheckpointText(%q) = %+v, whose text %q does not start it", text, c, c.Text())
		}
		if again, err := auditlog.ParseCheckpointText(c.Text()); err != nil || again != c {
			t.Fatalf("ParseCheckpointText(%q) = %+v, %v, want %+v", c.Text(), again, err, c)
		}
	})
}

// FuzzOpen checks that Open never panics on a note from anyone, and that what it accepts is
// signed and cosigned.
func FuzzOpen(f *testing.F) {
	c := testCheckpoint()
	msg := signCheckpoint(f, c)
	w := newCosigner(f, witnessSKey)
	f.Add(msg)
	f.Add(cosign(f, msg, w))
	f.Add(cosign(f, msg, w, signer(f, witness2SKey)))
	f.Add(mustSign(f, c, signer(f, logSKey), signer(f, nextSKey)))
	f.Add(mustSignText(f, c.Text()+"ext\n", signer(f, logSKey)))
	f.Add(mustSignText(f, "takedown.example/log\nseventy\n\n", signer(f, logSKey)))
	f.Add([]byte(c.Text() + "\n— takedown.example/log AAAA\n"))
	logKeys := []note.Verifier{verifier(f, logVKey)}
	witnesses := []note.Verifier{newCoverifier(f, witnessVKey)}
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, ws := range [][]note.Verifier{nil, witnesses} {
			o, err := auditlog.Open(msg, logKeys, ws)
			if err != nil {
				if !errors.Is(err, auditlog.ErrMalformed) && !errors.Is(err, auditlog.ErrInconsistent) {
					t.Fatalf("Open: %v, want an error wrapping ErrMalformed or ErrInconsistent", err)
				}
				continue
			}
			if o.Origin != testOrigin || len(o.Cosigners) != len(ws) || !bytes.Equal(o.Note, msg) {
				t.Fatalf("Open(%q) = %+v", msg, o)
			}
			n, err := note.Open(msg, note.VerifierList(logKeys...))
			if err != nil {
				t.Fatalf("Open(%q) succeeded, note.Open with the log's key: %v", msg, err)
			}
			if got, err := auditlog.ParseCheckpointText(n.Text); err != nil || got != o.Checkpoint {
				t.Fatalf("Open(%q) = %+v, the note's text says %+v, %v", msg, o.Checkpoint, got, err)
			}
		}
	})
}
