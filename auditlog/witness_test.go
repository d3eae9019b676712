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

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
)

func TestAddCheckpointLayout(t *testing.T) {
	h1, h2 := tlog.Hash(sha256.Sum256([]byte("hash1"))), tlog.Hash(sha256.Sum256([]byte("hash2")))
	b64 := func(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }
	checkpoint := "takedown.example/log\n20\n" + b64(h1) + "\n\n— takedown.example/log AAAAAA==\n"
	tests := []struct {
		name string
		req  auditlog.AddCheckpoint
		want string
	}{
		{"a proof", auditlog.AddCheckpoint{OldSize: 15, Proof: []tlog.Hash{h1, h2}, Checkpoint: []byte(checkpoint)},
			"old 15\n" + b64(h1) + "\n" + b64(h2) + "\n\n" + checkpoint},
		{"from the empty tree", auditlog.AddCheckpoint{OldSize: 0, Checkpoint: []byte(checkpoint)},
			"old 0\n\n" + checkpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.req.Marshal()); got != tt.want {
				t.Errorf("Marshal:\n%s\nwant:\n%s", got, tt.want)
			}
			got, err := auditlog.ParseAddCheckpoint([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			if got.OldSize != tt.req.OldSize || !slices.Equal(got.Proof, tt.req.Proof) || !bytes.Equal(got.Checkpoint, tt.req.Checkpoint) {
				t.Errorf("ParseAddCheckpoint = %+v, want %+v", got, tt.req)
			}
		})
	}
}

func TestAddCheckpointRoundTrip(t *testing.T) {
	tree := &memTree{}
	for _, e := range entries(300) {
		tree.append(t, e)
	}
	note := signCheckpoint(t, tree.checkpoint(t, 300))
	maxProof := make([]tlog.Hash, auditlog.MaxProofHashes)
	for _, old := range []int64{1, 7, 256, 299, 300} {
		proof, err := tlog.ProveTree(300, old, tree)
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []*auditlog.AddCheckpoint{
			{OldSize: old, Proof: proof, Checkpoint: note},
			{OldSize: math.MaxInt64, Proof: maxProof, Checkpoint: []byte(strings.Repeat("x", auditlog.MaxCheckpoint))},
		} {
			data := req.Marshal()
			if len(data) > auditlog.MaxAddCheckpoint {
				t.Errorf("a request of %d bytes is longer than MaxAddCheckpoint", len(data))
			}
			got, err := auditlog.ParseAddCheckpoint(data)
			if err != nil {
				t.Fatal(err)
			}
			if got.OldSize != req.OldSize || !slices.Equal(got.Proof, req.Proof) || !bytes.Equal(got.Checkpoint, req.Checkpoint) {
				t.Errorf("ParseAddCheckpoint(Marshal(%+v)) = %+v", req, got)
			}
		}
	}
}

func TestParseAddCheckpointRejects(t *testing.T) {
	h := tlog.Hash(sha256.Sum256([]byte("hash")))
	hashLine := base64.StdEncoding.EncodeToString(h[:])
	valid := "old 15\n" + hashLine + "\n\ntakedown.example/log\n20\nAAAA\n"
	if _, err := auditlog.ParseAddCheckpoint([]byte(valid)); err != nil {
		t.Fatal(err)
	}
	nonCanonical := []byte(hashLine)
	nonCanonical[42] ^= 1
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"no old line", strings.TrimPrefix(valid, "old 15\n")},
		{"old line only", "old 15"},
		{"old with a leading zero", strings.Replace(valid, "old 15", "old 015", 1)},
		{"old negative", strings.Replace(valid, "old 15", "old -15", 1)},
		{"old empty", strings.Replace(valid, "old 15", "old ", 1)},
		{"old misnamed", strings.Replace(valid, "old 15", "size 15", 1)},
		{"old with two spaces", strings.Replace(valid, "old 15", "old  15", 1)},
		{"carriage returns", strings.ReplaceAll(valid, "\n", "\r\n")},
		{"hash not base64", strings.Replace(valid, hashLine, "?"+hashLine[1:], 1)},
		{"hash of 31 bytes", strings.Replace(valid, hashLine, base64.StdEncoding.EncodeToString(make([]byte, 31)), 1)},
		{"hash in non-canonical base64", strings.Replace(valid, hashLine, string(nonCanonical), 1)},
		{"64 proof lines", strings.Replace(valid, hashLine+"\n", strings.Repeat(hashLine+"\n", auditlog.MaxProofHashes+1), 1)},
		{"no empty line", "old 15\n" + hashLine + "\n"},
		{"no checkpoint", "old 15\n" + hashLine + "\n\n"},
		{"too long", valid + strings.Repeat("x", auditlog.MaxAddCheckpoint)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := auditlog.ParseAddCheckpoint([]byte(tt.data))
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseAddCheckpoint = %+v, %v, want an error wrapping ErrMalformed", r, err)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	valid := []struct {
		data string
		want int64
	}{
		{"0\n", 0},
		{"15\n", 15},
		{"9223372036854775807\n", math.MaxInt64},
	}
	for _, tt := range valid {
		t.Run(tt.data, func(t *testing.T) {
			if got, err := auditlog.ParseSize([]byte(tt.data)); err != nil || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v, want %d", tt.data, got, err, tt.want)
			}
		})
	}
	for _, data := range []string{"", "\n", "15", "015\n", "-1\n", "+1\n", "15 \n", " 15\n", "15\n\n", "15\r\n", "0x0f\n",
		"9223372036854775808\n", "99999999999999999999\n", strings.Repeat("1", 100) + "\n"} {
		t.Run(data, func(t *testing.T) {
			if got, err := auditlog.ParseSize([]byte(data)); !errors.Is(err, auditlog.ErrMalformed) {
				t.Errorf("ParseSize(%q) = %d, %v, want an error wrapping ErrMalformed", data, got, err)
			}
		})
	}
}

// FuzzParseAddCheckpoint checks that ParseAddCheckpoint never panics and reads only canonical
// requests: marshalling what it reads gives back its input.
func FuzzParseAddCheckpoint(f *testing.F) {
	tree := &memTree{}
	for _, e := range entries(20) {
		tree.append(f, e)
	}
	proof, err := tlog.ProveTree(20, 15, tree)
	if err != nil {
		f.Fatal(err)
	}
	note := signCheckpoint(f, tree.checkpoint(f, 20))
	f.Add((&auditlog.AddCheckpoint{OldSize: 15, Proof: proof, Checkpoint: note}).Marshal())
	f.Add((&auditlog.AddCheckpoint{OldSize: 0, Checkpoint: note}).Marshal())
	f.Add([]byte("old 01\n\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := auditlog.ParseAddCheckpoint(data)
		if err != nil {
			if !errors.Is(err, auditlog.ErrMalformed) {
				t.Fatalf("ParseAddCheckpoint: %v, want an error wrapping ErrMalformed", err)
			}
			return
		}
		if r.OldSize < 0 || len(r.Proof) > auditlog.MaxProofHashes || len(r.Checkpoint) == 0 {
			t.Fatalf("ParseAddCheckpoint(%q) = %+v", data, r)
		}
		if again := r.Marshal(); !bytes.Equal(again, data) {
			t.Fatalf("Marshal(ParseAddCheckpoint(%q)) = %q", data, again)
		}
	})
}
