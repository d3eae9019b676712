package webhook

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// receipt is what a receiver saw of one request, reported to the test through a channel.
type receipt struct {
	id, contentType, userAgent string
	verified                   error
}

// verifyingReceiver verifies each request with the spec's library holding secret, reports it
// on the returned channel, and answers status.
func verifyingReceiver(t *testing.T, secret string, status func(n int) int) (*httptest.Server, <-chan receipt) {
	t.Helper()
	wh := library(t, secret)
	got := make(chan receipt, 16)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: %v", err)
		}
		got <- receipt{r.Header.Get("webhook-id"), r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), wh.Verify(body, r.Header)}
		mu.Lock()
		n++
		code := status(n)
		mu.Unlock()
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestPostVerifiedByLibrary(t *testing.T) {
	secret := secretOf(4, 32)
	srv, got := verifyingReceiver(t, secret, func(int) int { return http.StatusNoContent })
	r := Post(t.Context(), srv.Client(), srv.URL+"/hook", []Secret{mustSecret(t, secret)}, "msg_lib", time.Now(), []byte(`{"type":"measure.sent"}`))
	if want := (Response{Status: 204, Accepted: true, Reason: "HTTP 204"}); r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
	rec := <-got
	if rec.verified != nil {
		t.Errorf("the library refused the message: %v", rec.verified)
	}
	if rec.id != "msg_lib" || rec.contentType != "application/json" || rec.userAgent != UserAgent {
		t.Errorf("got id %q, Content-Type %q, User-Agent %q", rec.id, rec.contentType, rec.userAgent)
	}
}

// TestPostRetries: a receiver that fails twice then recovers gets the same webhook-id every
// time (each attempt verified by the library), and, deduping on it, processes the message once
// even when it arrives again after the receipt.
func TestPostRetries(t *testing.T) {
	secret := secretOf(4, 32)
	srv, got := verifyingReceiver(t, secret, func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	secrets := []Secret{mustSecret(t, secret)}
	var responses []Response
	for range 3 {
		r := Post(t.Context(), nil, srv.URL, secrets, "msg_retry", time.Now(), []byte(`{}`))
		responses = append(responses, r)
		if r.Accepted {
			break
		}
	}
	// One more copy after the receipt, as a lost answer would cause.
	responses = append(responses, Post(t.Context(), nil, srv.URL, secrets, "msg_retry", time.Now(), []byte(`{}`)))

	want := []Response{
		{Status: 503, Retry: true, RetryAfter: 7 * time.Second, Reason: "HTTP 503"},
		{Status: 503, Retry: true, RetryAfter: 7 * time.Second, Reason: "HTTP 503"},
		{Status: 204, Accepted: true, Reason: "HTTP 204"},
		{Status: 204, Accepted: true, Reason: "HTTP 204"},
	}
	seen, processed := map[string]bool{}, 0
	if len(responses) != len(want) {
		t.Fatalf("got %d responses %+v, want %d", len(responses), responses, len(want))
	}
	for i := range want {
		if responses[i] != want[i] {
			t.Errorf("attempt %d: got %+v, want %+v", i+1, responses[i], want[i])
		}
		rec := <-got
		if rec.verified != nil {
			t.Errorf("attempt %d: the library refused it: %v", i+1, rec.verified)
		}
		if rec.id != "msg_retry" {
			t.Errorf("attempt %d: got webhook-id %q, want msg_retry", i+1, rec.id)
		}
		if responses[i].Accepted && !seen[rec.id] { // what a receiver does: process each id once
			seen[rec.id] = true
			processed++
		}
	}
	if processed != 1 {
		t.Errorf("processed %d times, want once", processed)
	}
}

func TestPostStatus(t *testing.T) {
	ts := time.Unix(1_800_000_000, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if ra := r.URL.Query().Get("retry-after"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(code)
		io.WriteString(w, r.URL.Query().Get("body"))
	}))
	t.Cleanup(srv.Close)
	secrets := []Secret{mustSecret(t, secretOf(1, 32))}
	date := url.QueryEscape(ts.Add(90 * time.Second).UTC().Format(http.TimeFormat))
	for _, tt := range []struct {
		name, query string
		want        Response
	}{
		{"200 with an answer", "code=200&body=received", Response{Status: 200, Accepted: true, Reason: "HTTP 200", Body: "received"}},
		{"202", "code=202", Response{Status: 202, Accepted: true, Reason: "HTTP 202"}},
		{"500", "code=500&body=oops", Response{Status: 500, Retry: true, Reason: "HTTP 500", Body: "oops"}},
		{"502", "code=502", Response{Status: 502, Retry: true, Reason: "HTTP 502"}},
		{"503 with a date", "code=503&retry-after=" + date, Response{Status: 503, Retry: true, RetryAfter: 90 * time.Second, Reason: "HTTP 503"}},
		{"429 with seconds", "code=429&retry-after=120", Response{Status: 429, Retry: true, RetryAfter: 2 * time.Minute, Reason: "HTTP 429"}},
		{"429 asking for a day", "code=429&retry-after=86400", Response{Status: 429, Retry: true, RetryAfter: MaxRetryAfter, Reason: "HTTP 429"}},
		{"429 without Retry-After", "code=429", Response{Status: 429, Retry: true, Reason: "HTTP 429"}},
		{"500 with Retry-After, not asked", "code=500&retry-after=60", Response{Status: 500, Retry: true, Reason: "HTTP 500"}},
		{"408", "code=408", Response{Status: 408, Retry: true, Reason: "HTTP 408"}},
		{"410 Gone", "code=410", Response{Status: 410, Reason: "HTTP 410"}},
		{"404", "code=404", Response{Status: 404, Reason: "HTTP 404"}},
		{"401", "code=401&body=bad+signature", Response{Status: 401, Reason: "HTTP 401", Body: "bad signature"}},
		{"long answer", "code=500&body=" + strings.Repeat("x", 5000), Response{Status: 500, Retry: true, Reason: "HTTP 500", Body: strings.Repeat("x", MaxResponseBody)}},
		{"invalid UTF-8", "code=400&body=%ff%fe", Response{Status: 400, Reason: "HTTP 400", Body: "\uFFFD"}},
		{"cut in a rune", "code=400&body=" + strings.Repeat("x", MaxResponseBody-1) + "é", Response{Status: 400, Reason: "HTTP 400", Body: strings.Repeat("x", MaxResponseBody-1)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Post(t.Context(), srv.Client(), srv.URL+"/hook?"+tt.query, secrets, "msg_s", ts, []byte(`{}`))
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestPostRedirect: a redirect is not followed, even by a client that would follow it, and
// the caller's client is left as it was.
func TestPostRedirect(t *testing.T) {
	var mu sync.Mutex
	reached := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached++
		mu.Unlock()
	}))
	t.Cleanup(target.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/new?token=operator-token", http.StatusFound)
	}))
	t.Cleanup(srv.Close)

	follows := func(*http.Request, []*http.Request) error { return nil }
	for _, tt := range []struct {
		name   string
		client *http.Client
	}{
		{"default policy", &http.Client{}},
		{"a client that follows", &http.Client{CheckRedirect: follows}},
		{"no client", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before func(*http.Request, []*http.Request) error
			if tt.client != nil {
				before = tt.client.CheckRedirect
			}
			got := Post(t.Context(), tt.client, srv.URL, []Secret{mustSecret(t, secretOf(1, 32))}, "msg_r", time.Now(), []byte(`{}`))
			want := Response{Status: 302, Retry: true, Reason: "redirect not followed (302 to " + target.URL + "/new?…)",
				Body: got.Body} // http.Redirect writes a small HTML note
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if tt.client != nil && (tt.client.CheckRedirect == nil) != (before == nil) {
				t.Error("Post changed the caller's client")
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if reached != 0 {
		t.Errorf("the redirect target was reached %d times", reached)
	}
}

func TestPostNoResponse(t *testing.T) {
	secrets := []Secret{mustSecret(t, secretOf(1, 32))}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // longer than any client below waits
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })

	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	t.Cleanup(tlsSrv.Close)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/hook"
	l.Close()

	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(plain.Close)

	expired, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	t.Cleanup(cancel)
	cancelled, cancelNow := context.WithCancel(t.Context())
	cancelNow()

	for _, tt := range []struct {
		name     string
		ctx      context.Context
		client   *http.Client
		endpoint string
		reason   string // a prefix
	}{
		{"client timeout", t.Context(), &http.Client{Timeout: 50 * time.Millisecond}, slow.URL, "timeout"},
		{"context deadline", expired, nil, slow.URL, "timeout"},
		{"cancelled", cancelled, nil, slow.URL, "cancelled"},
		{"connection refused", t.Context(), nil, closed, "connection refused"},
		{"unknown CA", t.Context(), &http.Client{}, tlsSrv.URL, "TLS: x509: certificate signed by unknown authority"},
		{"https to a plain server", t.Context(), nil, "https://" + plain.Listener.Addr().String(), "http: server gave HTTP response to HTTPS client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Post(tt.ctx, tt.client, tt.endpoint, secrets, "msg_n", time.Now(), []byte(`{}`))
			if got.Status != 0 || got.Accepted || !got.Retry || !strings.HasPrefix(got.Reason, tt.reason) {
				t.Errorf("got %+v, want status 0, retry, reason %q…", got, tt.reason)
			}
			if strings.Contains(got.Reason, tt.endpoint) {
				t.Errorf("the reason %q repeats the endpoint", got.Reason)
			}
		})
	}

	// The same TLS receiver, trusted, accepts.
	if got := Post(t.Context(), tlsSrv.Client(), tlsSrv.URL, secrets, "msg_n", time.Now(), []byte(`{}`)); !got.Accepted {
		t.Errorf("trusted TLS receiver: got %+v, want accepted", got)
	}
}

func TestPostInvalid(t *testing.T) {
	secrets := []Secret{mustSecret(t, secretOf(1, 32))}
	for _, tt := range []struct {
		name, endpoint, id string
		secrets            []Secret
		reason             string
	}{
		{"empty endpoint", "", "msg", secrets, "invalid endpoint: not an absolute https or http URL"},
		{"relative", "/hook", "msg", secrets, "invalid endpoint: not an absolute https or http URL"},
		{"ftp", "ftp://operator.test/hook", "msg", secrets, "invalid endpoint: not an absolute https or http URL"},
		{"mailto", "mailto:abuse@operator.test", "msg", secrets, "invalid endpoint: not an absolute https or http URL"},
		{"user info", "https://hook:s3cret@operator.test/hook", "msg", secrets, "invalid endpoint: user info (user:password@) is not allowed"},
		{"no host", "https:///hook", "msg", secrets, "invalid endpoint: no host"},
		{"not a URL", "https://operator.test/%zz?s3cret", "msg", secrets, "invalid endpoint: not a URL"},
		{"empty id", "https://operator.test/hook", "", secrets, "invalid message id: must be 1 to 256 bytes"},
		{"id with a dot", "https://operator.test/hook", "msg.1", secrets, "invalid message id: only printable ASCII, no space, no '.'"},
		{"id with a space", "https://operator.test/hook", "msg 1", secrets, "invalid message id: only printable ASCII, no space, no '.'"},
		{"no secret", "https://operator.test/hook", "msg", nil, "no secret to sign with"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Post(t.Context(), nil, tt.endpoint, tt.secrets, tt.id, time.Now(), []byte(`{}`))
			if want := (Response{Reason: tt.reason}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"30", 30 * time.Second},
		{" 30 ", 30 * time.Second},
		{"3599", 3599 * time.Second},
		{"3600", MaxRetryAfter},
		{"99999999999999999999999", MaxRetryAfter},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{now.Add(-10 * time.Minute).Format(http.TimeFormat), 0},
		{now.Add(48 * time.Hour).Format(http.TimeFormat), MaxRetryAfter},
		{"Friday, 15-Jan-27 08:00:30 GMT", 30 * time.Second}, // RFC 850, which HTTP still allows
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "120", "Fri, 15 Jan 2027 08:10:00 GMT", "-1", "99999999999999999999", "1e3"} {
		f.Add(s)
	}
	now := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		if got := parseRetryAfter(in, now); got < 0 || got > MaxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", in, got, MaxRetryAfter)
		}
	})
}
