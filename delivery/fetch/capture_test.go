package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCapture: a page is kept whole with its type and final address; one too large, one not
// given and a refused address are errors that say so.
func TestCapture(t *testing.T) {
	page := []byte("<p>synthetic page kept as evidence</p>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/page", http.StatusFound)
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 3<<20)))
		case "/empty":
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.MaxBytes = 2 << 20
	client := NewClient(cfg)

	got, err := Capture(context.Background(), client, srv.URL+"/moved")
	if err != nil || string(got.Body) != string(page) || got.FinalURL != srv.URL+"/page" || got.ContentType != "text/html; charset=utf-8" {
		t.Errorf("Capture = %+v, %v", got, err)
	}
	for path, want := range map[string]string{"/big": "larger than 2 MB", "/gone": "answered 404 Not Found", "/empty": "an empty page"} {
		_, err := Capture(context.Background(), client, srv.URL+path)
		if !errors.Is(err, ErrNotCaptured) || !strings.Contains(err.Error(), want) {
			t.Errorf("Capture(%s) = %v, want %q", path, err, want)
		}
	}
	// The production guard refuses the loopback server.
	if _, err := Capture(context.Background(), NewClient(Default()), srv.URL+"/page"); err == nil || errors.Is(err, ErrNotCaptured) {
		t.Errorf("Capture from loopback with the production guard = %v, want the address refused", err)
	}
}
