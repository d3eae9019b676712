package webhook

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The test vector of the spec's libraries (Go, C#, Java and Python test it).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// headerOf is the header Post sends, for tests that verify without a server.
func headerOf(secrets []Secret, id string, ts time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(secrets, id, ts, body))
	return h
}

// library is the spec's own Go implementation holding secret, the independent verifier.
func library(t testing.TB, secret string) *standardwebhooks.Webhook {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

func TestSignVector(t *testing.T) {
	got := Sign([]Secret{mustSecret(t, vectorSecret)}, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
	if got != vectorSignature {
		t.Errorf("got %q, want %q", got, vectorSignature)
	}
}

// TestSignLibrary: what we sign, the spec's library verifies; what it signs, we verify.
func TestSignLibrary(t *testing.T) {
	secret := secretOf(3, 32)
	now := time.Now()
	body := []byte(`{"type":"measure.sent","data":{"id":1}}`)
	if err := library(t, secret).Verify(body, headerOf([]Secret{mustSecret(t, secret)}, "msg_1", now, body)); err != nil {
		t.Errorf("the library refuses our signature: %v", err)
	}
	sig, err := library(t, secret).Sign("msg_1", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := headerOf(nil, "msg_1", now, body)
	h.Set(HeaderSignature, sig)
	if err := Verify([]Secret{mustSecret(t, secret)}, h, body, now, 0); err != nil {
		t.Errorf("we refuse the library's signature: %v", err)
	}
}

// TestRotation: during a rotation both secrets sign; a receiver holding either one accepts,
// one holding neither refuses. Checked with the spec's library and with Verify.
func TestRotation(t *testing.T) {
	old, new, other := secretOf(1, 32), secretOf(2, 48), secretOf(9, 32)
	now := time.Now()
	body := []byte(`{"type":"measure.sent"}`)
	h := headerOf([]Secret{mustSecret(t, old), mustSecret(t, new)}, "msg_rot", now, body)
	if got := strings.Fields(h.Get(HeaderSignature)); len(got) != 2 {
		t.Fatalf("got %d signatures (%q), want 2", len(got), got)
	}
	for _, tt := range []struct {
		name, holds string
		ok          bool
	}{
		{"old only", old, true},
		{"new only", new, true},
		{"a third", other, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := library(t, tt.holds).Verify(body, h)
			if got := err == nil; got != tt.ok {
				t.Errorf("library: got %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
				t.Errorf("library: got %v, want ErrNoMatchingSignature", err)
			}
			err = Verify([]Secret{mustSecret(t, tt.holds)}, h, body, now, 0)
			if got := err == nil; got != tt.ok {
				t.Errorf("Verify: got %v, want ok %v", err, tt.ok)
			}
			if !tt.ok && !errors.Is(err, ErrNoMatch) {
				t.Errorf("Verify: got %v, want ErrNoMatch", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	secret := mustSecret(t, secretOf(5, 32))
	secrets := []Secret{secret}
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"measure.sent"}`)
	good := func() http.Header { return headerOf(secrets, "msg_v", now, body) }
	with := func(name, value string) http.Header {
		h := good()
		if value == "" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
		return h
	}
	sig := strings.TrimPrefix(good().Get(HeaderSignature), "v1,")
	for _, tt := range []struct {
		name    string
		secrets []Secret
		h       http.Header
		body    string
		want    error
		says    string
	}{
		{"good", secrets, good(), string(body), nil, ""},
		{"4 min 59 s old", secrets, headerOf(secrets, "msg_v", now.Add(-299*time.Second), body), string(body), nil, ""},
		{"4 min 59 s ahead", secrets, headerOf(secrets, "msg_v", now.Add(299*time.Second), body), string(body), nil, ""},
		{"v1a and v1", secrets, with(HeaderSignature, "v1a,AAAA v1,"+sig), string(body), nil, ""},
		{"double space", secrets, with(HeaderSignature, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=  v1,"+sig), string(body), nil, ""},
		{"second of two secrets", []Secret{mustSecret(t, secretOf(6, 32)), secret}, good(), string(body), nil, ""},
		{"no secret", nil, good(), string(body), ErrNoSecret, "no secret"},
		{"missing id", secrets, with(HeaderID, ""), string(body), ErrMissingHeader, "webhook-id"},
		{"missing timestamp", secrets, with(HeaderTimestamp, ""), string(body), ErrMissingHeader, "webhook-timestamp"},
		{"missing signature", secrets, with(HeaderSignature, ""), string(body), ErrMissingHeader, "webhook-signature"},
		{"timestamp in ms", secrets, with(HeaderTimestamp, "1800000000000000000000"), string(body), ErrBadTimestamp, "out of range"},
		{"signed timestamp", secrets, with(HeaderTimestamp, "+1800000000"), string(body), ErrBadTimestamp, "decimal"},
		{"RFC 3339 timestamp", secrets, with(HeaderTimestamp, "2027-01-15T08:00:00Z"), string(body), ErrBadTimestamp, "decimal"},
		{"stale", secrets, headerOf(secrets, "msg_v", now.Add(-301*time.Second), body), string(body), ErrTooOld, "5m1s before now"},
		{"future", secrets, headerOf(secrets, "msg_v", now.Add(time.Hour), body), string(body), ErrTooNew, "1h0m0s after now"},
		{"tampered body", secrets, good(), string(body) + " ", ErrNoMatch, "no matching"},
		{"tampered id", secrets, with(HeaderID, "msg_w"), string(body), ErrNoMatch, "no matching"},
		{"wrong secret", []Secret{mustSecret(t, secretOf(6, 32))}, good(), string(body), ErrNoMatch, "no matching"},
		{"only v1a", secrets, with(HeaderSignature, "v1a,"+sig), string(body), ErrNoMatch, "among 0 v1 signatures"},
		{"blank list", secrets, with(HeaderSignature, "   "), string(body), ErrMalformedSignature, "blank"},
		{"no comma", secrets, with(HeaderSignature, sig), string(body), ErrMalformedSignature, "entry 1"},
		{"bad base64", secrets, with(HeaderSignature, "v1,"+sig+" v1,***"), string(body), ErrMalformedSignature, "entry 2"},
		{"short MAC", secrets, with(HeaderSignature, "v1,AAAA"), string(body), ErrMalformedSignature, "32-byte"},
		{"empty version", secrets, with(HeaderSignature, ","+sig), string(body), ErrMalformedSignature, "entry 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secrets, tt.h, []byte(tt.body), now, DefaultTolerance)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), tt.says) {
				t.Errorf("got %q, want it to say %q", err, tt.says)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	secret := mustSecret(f, vectorSecret)
	f.Add(vectorID, strconv.Itoa(vectorTimestamp), vectorSignature, vectorBody)
	f.Add(vectorID, strconv.Itoa(vectorTimestamp), vectorSignature+" v1a,xyz v1,AAAA", vectorBody)
	f.Add("", "", "", "")
	f.Add("a.b", "-1", ",", "{}")
	f.Add("msg", "99999999999999999999", "v1, v1,= v1,====", "")
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		err := Verify([]Secret{secret}, h, []byte(body), time.Unix(vectorTimestamp, 0), DefaultTolerance)
		if err == nil && !strings.Contains(sig, vectorSignature[3:]) {
			t.Fatalf("accepted %q without the real signature", sig)
		}
	})
}
