package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretOf makes a valid secret of n bytes, all b, for tests.
func secretOf(b byte, n int) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, n))
}

func mustSecret(t testing.TB, s string) Secret {
	t.Helper()
	sec, err := ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func TestNewSecret(t *testing.T) {
	got, err := NewSecret(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if want := secretOf(7, newSecretBytes); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := ParseSecret(got); err != nil {
		t.Errorf("ParseSecret(NewSecret()): %v", err)
	}
	if _, err := NewSecret(bytes.NewReader(make([]byte, newSecretBytes-1))); err == nil {
		t.Error("NewSecret with a short random stream: no error")
	}
}

func TestParseSecret(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     error
	}{
		{"24 bytes", secretOf(1, 24), nil},
		{"64 bytes", secretOf(1, 64), nil},
		{"the spec library's test secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", nil},
		{"no prefix", strings.TrimPrefix(secretOf(1, 32), SecretPrefix), ErrSecretPrefix},
		{"upper-case prefix", "WHSEC_" + strings.TrimPrefix(secretOf(1, 32), SecretPrefix), ErrSecretPrefix},
		{"empty", "", ErrSecretPrefix},
		{"bad base64", "whsec_not*base64", ErrSecretBase64},
		{"unpadded", strings.TrimRight(secretOf(1, 32), "="), ErrSecretBase64},
		{"trailing space", secretOf(1, 32) + " ", ErrSecretBase64},
		{"line break", secretOf(1, 32)[:20] + "\r\n" + secretOf(1, 32)[20:], ErrSecretBase64},
		{"23 bytes", secretOf(1, 23), ErrSecretLength},
		{"65 bytes", secretOf(1, 65), ErrSecretLength},
		{"prefix only", SecretPrefix, ErrSecretLength},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSecret(tt.in)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil && len(tt.in) > len(SecretPrefix) && strings.Contains(err.Error(), tt.in[len(SecretPrefix):]) {
				t.Errorf("the error %q repeats the secret", err)
			}
		})
	}
}

// TestSecretRedacted: a secret printed by mistake, in any way, shows no key material.
func TestSecretRedacted(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	s := mustSecret(t, SecretPrefix+base64.StdEncoding.EncodeToString(key))
	leaks := []string{base64.StdEncoding.EncodeToString(key), fmt.Sprintf("%x", key), "171", "ab"}

	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "secret", s, "secrets", []Secret{s})
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s)
	js, _ := json.Marshal(struct{ S Secret }{s})

	outputs := map[string]string{"slog": logged.String(), "json": string(js)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		outputs[verb] = fmt.Sprintf(verb, s)
		outputs[verb+" slice"] = fmt.Sprintf(verb, []Secret{s})
		outputs[verb+" struct"] = fmt.Sprintf(verb, struct{ S Secret }{s})
		outputs[verb+" pointer"] = fmt.Sprintf(verb, &s)
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			for _, leak := range leaks {
				if strings.Contains(strings.ToLower(out), leak) {
					t.Errorf("%q shows %q", out, leak)
				}
			}
		})
	}
}

func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{secretOf(1, 24), secretOf(2, 64), "whsec_", "whsec_===", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "", "whsec_\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSecret(in)
		if err != nil {
			return
		}
		if n := len(s.key); n < MinSecretBytes || n > MaxSecretBytes {
			t.Fatalf("accepted a %d-byte secret", n)
		}
		if got := SecretPrefix + base64.StdEncoding.EncodeToString(s.key); got != in {
			t.Fatalf("accepted %q, which is not the canonical %q", in, got)
		}
	})
}
