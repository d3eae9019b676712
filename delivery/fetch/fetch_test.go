package fetch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// testConfig is Default with the guard off, for servers on 127.0.0.1.
func testConfig() Config {
	c := Default()
	c.AllowPrivate = true
	return c
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{"default", func(*Config) {}, true},
		{"proxy", func(c *Config) { c.Proxy = &url.URL{Scheme: "http", Host: "proxy.test:3128"} }, true},
		{"no redirects", func(c *Config) { c.MaxRedirects = 0 }, true},
		{"zero timeout", func(c *Config) { c.Timeout = 0 }, false},
		{"zero max bytes", func(c *Config) { c.MaxBytes = 0 }, false},
		{"no user agent", func(c *Config) { c.UserAgent = "" }, false},
		{"negative redirects", func(c *Config) { c.MaxRedirects = -1 }, false},
		{"insecure TLS", func(c *Config) { c.TLSConfig = &tls.Config{InsecureSkipVerify: true} }, false},
		{"socks proxy", func(c *Config) { c.Proxy = &url.URL{Scheme: "socks5", Host: "proxy.test:1080"} }, false},
		{"proxy without host", func(c *Config) { c.Proxy = &url.URL{Scheme: "http"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(&c)
			err := c.Validate()
			if got := err == nil; got != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestCheckStatus(t *testing.T) {
	page := []byte("<p>synthetic page</p>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var status int
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/"), &status)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		w.Write(page)
	}))
	t.Cleanup(srv.Close)
	client := NewClient(testConfig())

	tests := []struct {
		status  int
		outcome Outcome
		reason  string
	}{
		{200, OutcomePresent, "HTTP 200 (ok): content still served"},
		{203, OutcomePresent, "HTTP 203 (non-authoritative information): content still served"},
		{404, OutcomeGone, "HTTP 404 (not found)"},
		{410, OutcomeGone, "HTTP 410 (gone)"},
		{451, OutcomeGone, "HTTP 451 (unavailable for legal reasons)"},
		{401, OutcomeInconclusive, "HTTP 401 (unauthorized): access may be gated, not proof of removal"},
		{403, OutcomeInconclusive, "HTTP 403 (forbidden): access may be gated, not proof of removal"},
		{429, OutcomeInconclusive, "HTTP 429 (too many requests)"},
		{500, OutcomeInconclusive, "HTTP 500 (internal server error)"},
		{503, OutcomeInconclusive, "HTTP 503 (service unavailable)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			u := fmt.Sprintf("%s/%d", srv.URL, tt.status)
			got := Check(context.Background(), client, u, now)
			want := Result{
				URL: u, FinalURL: u, Status: tt.status, ContentType: "text/html",
				Size: int64(len(page)), Digest: digest(page),
				Outcome: tt.outcome, Reason: tt.reason, CheckedAt: now,
			}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCheckBody(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/empty" {
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)

	tests := []struct {
		name      string
		maxBytes  int64
		path      string
		size      int64
		truncated bool
		digest    string
	}{
		{"under the cap", 1000, "/", 100, false, digest(body)},
		{"exactly the cap", 100, "/", 100, false, digest(body)},
		{"over the cap", 15, "/", 15, true, digest(body[:15])},
		{"one over", 99, "/", 99, true, digest(body[:99])},
		{"empty", 100, "/empty", 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			c.MaxBytes = tt.maxBytes
			r := Check(context.Background(), NewClient(c), srv.URL+tt.path, now)
			if got, want := r.Outcome, OutcomePresent; got != want {
				t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
			}
			if got, want := r.Size, tt.size; got != want {
				t.Errorf("Size = %d, want %d", got, want)
			}
			if got, want := r.Truncated, tt.truncated; got != want {
				t.Errorf("Truncated = %v, want %v", got, want)
			}
			if got, want := r.Digest, tt.digest; got != want {
				t.Errorf("Digest = %q, want %q", got, want)
			}
		})
	}
}

// TestBodyCapForOtherCallers: a webhook's caller reading the body past MaxBytes gets an error,
// not a silently cut answer.
func TestBodyCapForOtherCallers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	t.Cleanup(srv.Close)
	c := testConfig()
	c.MaxBytes = 10
	resp, err := NewClient(c).Post(srv.URL, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if got, want := len(b), 10; got != want {
		t.Errorf("read %d bytes, want %d", got, want)
	}
	if got, want := Reason(err), ReasonTooLarge; got != want {
		t.Errorf("Reason(%v) = %q, want %q", err, got, want)
	}
}

func TestCheckTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := testConfig()
	c.Timeout = 200 * time.Millisecond
	r := Check(context.Background(), NewClient(c), srv.URL, now)
	if got, want := r.Outcome, OutcomeInconclusive; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
	if got, want := r.Code, ReasonTimeout; got != want {
		t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
	}
	if got, want := r.Reason, "timeout"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
}

func TestCheckCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Check(ctx, NewClient(testConfig()), srv.URL, now)
	if got, want := r.Code, ReasonCancelled; got != want {
		t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
	}
}

func TestCheckTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "served over TLS")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	t.Run("unknown CA", func(t *testing.T) {
		r := Check(context.Background(), NewClient(testConfig()), srv.URL, now)
		if got, want := r.Outcome, OutcomeInconclusive; got != want {
			t.Errorf("Outcome = %q, want %q", got, want)
		}
		if got, want := r.Code, ReasonTLS; got != want {
			t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
		}
		if !strings.HasPrefix(r.Reason, "TLS error: ") {
			t.Errorf("Reason = %q, want a TLS error", r.Reason)
		}
	})
	t.Run("right roots", func(t *testing.T) {
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		c := testConfig()
		c.TLSConfig = &tls.Config{RootCAs: roots}
		r := Check(context.Background(), NewClient(c), srv.URL, now)
		if got, want := r.Outcome, OutcomePresent; got != want {
			t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
		}
	})
}

func TestCheckConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := Check(context.Background(), NewClient(testConfig()), "http://"+addr+"/", now)
	if got, want := r.Code, ReasonConnectionRefused; got != want {
		t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
	}
	if got, want := r.Outcome, OutcomeInconclusive; got != want {
		t.Errorf("Outcome = %q, want %q", got, want)
	}
}

func TestCheckRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			io.WriteString(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/hop/404", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /hop/404", http.NotFound)
	mux.HandleFunc("GET /ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.test/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := testConfig()
	c.MaxRedirects = 3
	client := NewClient(c)

	tests := []struct {
		path     string
		outcome  Outcome
		code     string
		finalURL string
	}{
		{"/hop/3", OutcomePresent, "", srv.URL + "/hop/0"},
		{"/hop/4", OutcomeInconclusive, ReasonTooManyRedirects, ""},
		{"/loop", OutcomeInconclusive, ReasonTooManyRedirects, ""},
		{"/moved", OutcomeGone, "", srv.URL + "/hop/404"},
		{"/ftp", OutcomeInconclusive, ReasonBadURL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := Check(context.Background(), client, srv.URL+tt.path, now)
			if got, want := r.Outcome, tt.outcome; got != want {
				t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
			}
			if got, want := r.Code, tt.code; got != want {
				t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
			}
			if tt.finalURL != "" && r.FinalURL != tt.finalURL {
				t.Errorf("FinalURL = %q, want %q", r.FinalURL, tt.finalURL)
			}
		})
	}
	r := Check(context.Background(), client, srv.URL+"/loop", now)
	if got, want := r.Reason, "too many redirects: stopped after 3"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
}

// TestNoCredentials: a cookie the server sets is not sent back after its redirect, and
// neither credentials in the URL nor a caller's Authorization header follow a redirect. The
// User-Agent is on every request.
func TestNoCredentials(t *testing.T) {
	type seen struct{ path, cookie, auth, agent string }
	var mu sync.Mutex
	var requests []seen
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "synthetic", Path: "/"})
		http.Redirect(w, r, "/back", http.StatusFound)
	})
	mux.HandleFunc("GET /back", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, seen{r.URL.Path, r.Header.Get("Cookie"), r.Header.Get("Authorization"), r.UserAgent()})
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	agent := Default().UserAgent
	client := NewClient(testConfig())
	reset := func() { mu.Lock(); requests = nil; mu.Unlock() }
	check := func(t *testing.T, want []seen) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(requests) != fmt.Sprint(want) {
			t.Errorf("server saw %v, want %v", requests, want)
		}
	}

	t.Run("cookie", func(t *testing.T) {
		reset()
		r := Check(context.Background(), client, srv.URL+"/set", now)
		if r.Outcome != OutcomePresent {
			t.Fatalf("Outcome = %q (%s)", r.Outcome, r.Reason)
		}
		want := []seen{{"/set", "", "", agent}, {"/back", "", "", agent}}
		check(t, want)
	})
	t.Run("user in URL", func(t *testing.T) {
		reset()
		u, _ := url.Parse(srv.URL + "/set")
		u.User = url.UserPassword("someone", "secret")
		Check(context.Background(), client, u.String(), now)
		want := []seen{{"/set", "", "", agent}, {"/back", "", "", agent}}
		check(t, want)
	})
	t.Run("caller's Authorization", func(t *testing.T) {
		reset()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/set", nil)
		req.Header.Set("Authorization", "Bearer synthetic")
		req.Header.Set("User-Agent", "overridden")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := []seen{{"/set", "", "Bearer synthetic", agent}, {"/back", "", "", agent}}
		check(t, want)
	})
}

func TestCheckBadURL(t *testing.T) {
	for _, raw := range []string{"", "site.example/page", "ftp://files.example/x", "http://", "http:///path",
		"file:///etc/passwd", "gopher://site.example/", "http://[::1", "javascript:alert(1)",
		"http://a..b.example/", "http://-x.example/", "http://x-.example/", "http://123/", "http://site.example%00/",
		"http://hidden.onion/", "https://HIDDEN.ONION./page", "http://" + strings.Repeat("a", 64) + ".example/"} {
		t.Run(raw, func(t *testing.T) {
			r := Check(context.Background(), NewClient(Default()), raw, now)
			if got, want := r.Code, ReasonBadURL; got != want {
				t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
			}
			if got, want := r.Outcome, OutcomeInconclusive; got != want {
				t.Errorf("Outcome = %q, want %q", got, want)
			}
		})
	}
}

// TestGuard: with the guard on, nothing on loopback is reached, whether named by address or
// by a name that resolves there.
func TestGuard(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := NewClient(Default())

	tests := []struct {
		url, reason string
	}{
		{srv.URL, fmt.Sprintf("refused to connect to 127.0.0.1:%d: a loopback address", port)},
		{fmt.Sprintf("http://localhost:%d/", port), fmt.Sprintf("refused to connect to 127.0.0.1:%d: a loopback address", port)},
		{fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port), fmt.Sprintf("refused to connect to 127.0.0.1:%d: a loopback address", port)},
		{fmt.Sprintf("http://0.0.0.0:%d/", port), fmt.Sprintf("refused to connect to 0.0.0.0:%d: a \"this network\" address", port)},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r := Check(context.Background(), client, tt.url, now)
			if got, want := r.Code, ReasonRefusedAddress; got != want {
				t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
			}
			if got, want := r.Reason, tt.reason; got != want {
				t.Errorf("Reason = %q, want %q", got, want)
			}
			if got, want := r.Outcome, OutcomeInconclusive; got != want {
				t.Errorf("Outcome = %q, want %q", got, want)
			}
		})
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("server saw %d requests, want 0", got)
	}
}

// TestAllowLoopback: a demo's guard lets loopback through, and still refuses the rest.
func TestAllowLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("here")) }))
	t.Cleanup(srv.Close)
	c := Default()
	c.AllowLoopback = true
	client := NewClient(c)
	if r := Check(context.Background(), client, srv.URL, now); r.Outcome != OutcomePresent {
		t.Errorf("loopback with AllowLoopback: %s (%s)", r.Outcome, r.Reason)
	}
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://0.0.0.0:1/"} {
		if r := Check(context.Background(), client, u, now); r.Code != ReasonRefusedAddress {
			t.Errorf("%s with AllowLoopback: %s %s (%s), want refused", u, r.Outcome, r.Code, r.Reason)
		}
	}
}

// forwardProxy is a plain-HTTP forward proxy: it reads the absolute URI of each request and
// sends it on, counting what it sees.
func forwardProxy(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var seen atomic.Int64
	upstream := &http.Transport{} // direct: the proxy is the egress point
	t.Cleanup(upstream.CloseIdleConnections)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		out, err := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out.Header = r.Header.Clone()
		out.Header.Set("Via", "1.1 proxy.test")
		resp, err := upstream.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestProxy(t *testing.T) {
	var via atomic.Value
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		via.Store(r.Header.Get("Via"))
		io.WriteString(w, "through the proxy")
	}))
	t.Cleanup(target.Close)
	proxy, seen := forwardProxy(t)
	proxyURL, _ := url.Parse(proxy.URL)

	t.Run("through", func(t *testing.T) {
		c := testConfig()
		c.Proxy = proxyURL
		r := Check(context.Background(), NewClient(c), target.URL+"/page", now)
		if got, want := r.Outcome, OutcomePresent; got != want {
			t.Fatalf("Outcome = %q, want %q (%s)", got, want, r.Reason)
		}
		if got, want := seen.Load(), int64(1); got != want {
			t.Errorf("proxy saw %d requests, want %d", got, want)
		}
		if got, want := via.Load(), "1.1 proxy.test"; got != want {
			t.Errorf("target saw Via %q, want %q", got, want)
		}
	})
	t.Run("refused target", func(t *testing.T) {
		seen.Store(0)
		c := Default() // the guard is on; the proxy, on loopback, is trusted configuration
		c.Proxy = proxyURL
		port := target.Listener.Addr().(*net.TCPAddr).Port
		for _, u := range []string{target.URL, fmt.Sprintf("http://localhost:%d/", port)} {
			r := Check(context.Background(), NewClient(c), u, now)
			if got, want := r.Code, ReasonRefusedAddress; got != want {
				t.Errorf("%s: Code = %q, want %q (%s)", u, got, want, r.Reason)
			}
			if !strings.Contains(r.Reason, "127.0.0.1, a loopback address") {
				t.Errorf("%s: Reason = %q, want it to name 127.0.0.1", u, r.Reason)
			}
		}
		if got := seen.Load(); got != 0 {
			t.Errorf("proxy saw %d requests, want 0", got)
		}
	})
}

func TestCheckNXDOMAIN(t *testing.T) {
	const host = "no-such-host.takedown.invalid"
	_, err := net.DefaultResolver.LookupHost(context.Background(), host)
	if Reason(err) != ReasonDNSNotFound {
		t.Skipf("this machine's resolver does not answer NXDOMAIN for %s (%v); skipping", host, err)
	}
	r := Check(context.Background(), NewClient(Default()), "https://"+host+"/page", now)
	if got, want := r.Outcome, OutcomeGone; got != want {
		t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
	}
	if got, want := r.Reason, "host no longer resolves"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
	if got, want := r.Code, ReasonDNSNotFound; got != want {
		t.Errorf("Code = %q, want %q", got, want)
	}
}

// TestRedirectToNXDOMAIN: a redirect to a name that does not resolve says nothing about the
// reported URL.
func TestRedirectToNXDOMAIN(t *testing.T) {
	const host = "elsewhere.takedown.invalid"
	_, err := net.DefaultResolver.LookupHost(context.Background(), host)
	if Reason(err) != ReasonDNSNotFound {
		t.Skipf("this machine's resolver does not answer NXDOMAIN for %s (%v); skipping", host, err)
	}
	srv := httptest.NewServer(http.RedirectHandler("http://"+host+"/", http.StatusFound))
	t.Cleanup(srv.Close)
	r := Check(context.Background(), NewClient(testConfig()), srv.URL, now)
	if got, want := r.Outcome, OutcomeInconclusive; got != want {
		t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
	}
}

func TestSearchCheck(t *testing.T) {
	const target = "https://site.example/page?id=1&lang=fr"
	var asked atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.URL.Query().Get("url"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/true":
			io.WriteString(w, `{"indexed": true, "checked": "2026-03-04"}`)
		case "/false":
			io.WriteString(w, `{"indexed": false}`)
		case "/string":
			io.WriteString(w, `{"indexed": "yes"}`)
		case "/missing":
			io.WriteString(w, `{}`)
		case "/html":
			io.WriteString(w, `<html>`)
		default:
			http.Error(w, `{"error": "down"}`, http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	client := NewClient(testConfig())

	tests := []struct {
		path    string
		outcome Outcome
		reason  string
	}{
		{"/true", OutcomePresent, "search engine still references the URL"},
		{"/false", OutcomeGone, "search engine no longer references the URL"},
		{"/string", OutcomeInconclusive, `search API answer is not {"indexed": true|false}`},
		{"/missing", OutcomeInconclusive, `search API answer is not {"indexed": true|false}`},
		{"/html", OutcomeInconclusive, `search API answer is not {"indexed": true|false}`},
		{"/down", OutcomeInconclusive, "search API answered HTTP 503 (service unavailable)"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			asked.Store("")
			r := SearchCheck(context.Background(), client, srv.URL+tt.path+"?url={url}", target, now)
			if got, want := r.Outcome, tt.outcome; got != want {
				t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
			}
			if got, want := r.Reason, tt.reason; got != want {
				t.Errorf("Reason = %q, want %q", got, want)
			}
			if got, want := asked.Load(), target; got != want {
				t.Errorf("search API was asked about %q, want %q", got, want)
			}
			if got, want := r.URL, target; got != want {
				t.Errorf("URL = %q, want %q", got, want)
			}
			if r.Digest == "" {
				t.Error("no digest of the answer")
			}
		})
	}
	t.Run("template without {url}", func(t *testing.T) {
		r := SearchCheck(context.Background(), client, srv.URL+"/true", target, now)
		if got, want := r.Code, ReasonBadURL; got != want {
			t.Errorf("Code = %q, want %q (%s)", got, want, r.Reason)
		}
	})
	t.Run("API host does not resolve", func(t *testing.T) {
		// Not "gone": the search engine's API being unreachable proves nothing.
		r := SearchCheck(context.Background(), client, "https://api.search.invalid/v1/indexed?url={url}", target, now)
		if got, want := r.Outcome, OutcomeInconclusive; got != want {
			t.Errorf("Outcome = %q, want %q (%s)", got, want, r.Reason)
		}
	})
}

// TestRequestLine checks what the client puts on the wire, read from a bare listener.
func TestRequestLine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan *http.Request, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		got <- req
		io.WriteString(conn, "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	}()
	r := Check(context.Background(), NewClient(testConfig()), "http://"+l.Addr().String()+"/page#frag", now)
	if r.Outcome != OutcomeGone {
		t.Errorf("Outcome = %q (%s)", r.Outcome, r.Reason)
	}
	req := <-got
	if got, want := req.UserAgent(), Default().UserAgent; got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got, want := req.RequestURI, "/page"; got != want {
		t.Errorf("request URI = %q, want %q", got, want)
	}
	for _, h := range []string{"Cookie", "Authorization", "Accept-Encoding"} {
		if v := req.Header.Get(h); v != "" {
			t.Errorf("%s: %q sent, want none", h, v)
		}
	}
}
