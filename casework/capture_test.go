package casework_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/delivery/fetch"
)

// TestAttachAndCapture: an officer attaches a file and captures a page of an open case;
// both are sealed, their digests in the audit log, and the database file holds neither; bad
// addresses, pages and cases are refused with what is wrong.
func TestAttachAndCapture(t *testing.T) {
	w := newWorld(t)
	page := "<p>A synthetic page praising an invented attack, captured.</p>"
	site := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/post/1":
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(rw, page)
		case "/big":
			rw.Write(bytes.Repeat([]byte("x"), 2<<20))
		default:
			http.NotFound(rw, r)
		}
	}))
	t.Cleanup(site.Close)
	cfg := fetch.Default()
	cfg.AllowLoopback, cfg.MaxBytes = true, 1<<20
	c := w.approvedCase("https://video.host.test/watch/evidence")
	officer := w.as(w.officer)

	if _, err := w.svc.CaptureEvidence(officer, c.ID, takedown.CaptureInput{URL: site.URL + "/post/1"}); err == nil {
		t.Error("a capture with no capturer configured")
	}
	w.svc.SetCapturer(delivery.Capturer(cfg))

	screenshot := "A synthetic screenshot's words, attached by hand."
	attached := must(w.svc.AttachEvidence(officer, c.ID, casework.AttachInput{Files: []takedown.ReportFile{{Name: "screenshot.txt", Data: []byte(screenshot)}}}))(t)[0]
	captured := must(w.svc.CaptureEvidence(officer, c.ID, takedown.CaptureInput{URL: site.URL + "/post/1"}))(t)
	if attached.Source != takedown.EvidenceAttached || attached.CaseID != c.ID || attached.AddedBy != w.officer.ID {
		t.Errorf("attached: %+v", attached)
	}
	if captured.Source != takedown.EvidenceCaptured || captured.SourceURL != site.URL+"/post/1" ||
		captured.ContentType != "text/html; charset=utf-8" || captured.Size != len(page) {
		t.Errorf("captured: %+v", captured)
	}
	list, _, err := w.svc.CaseEvidence(w.as(w.controller), c.ID)
	if err != nil || len(list) < 2 {
		t.Fatalf("the case's evidence: %v %v", list, err)
	}

	// The digests are in the record; the content is not, in the record or the file.
	sum := sha256.Sum256([]byte(page))
	var found bool
	for _, e := range w.events() {
		if e.Kind == takedown.EventEvidenceCaptured {
			var d struct {
				SHA256, URL string
			}
			json.Unmarshal(e.Data, &d)
			found = d.SHA256 == hex.EncodeToString(sum[:]) && d.URL == site.URL+"/post/1"
		}
		if strings.Contains(string(e.Data), "synthetic page") || strings.Contains(string(e.Data), "screenshot's words") {
			t.Errorf("event %d holds the content: %s", e.ID, e.Data)
		}
	}
	if !found {
		t.Error("no evidence.captured event with the page's digest and address")
	}
	w.db.SQLiteOnly(t, "the bytes of the database file")
	w.db.Close()
	raw, err := os.ReadFile(w.db.File())
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(w.db.File() + "-wal")
	for _, secret := range []string{"synthetic page praising", "screenshot's words"} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(wal, []byte(secret)) {
			t.Errorf("the database file holds %q in clear", secret)
		}
	}
}

// TestCaptureRefusals: what cannot be captured is refused with the reason, before any fetch
// for a case that takes no evidence or a caller who may not add any.
func TestCaptureRefusals(t *testing.T) {
	w := newWorld(t)
	site := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			rw.Write(bytes.Repeat([]byte("x"), 2<<20))
			return
		}
		http.NotFound(rw, r)
	}))
	t.Cleanup(site.Close)
	guarded := fetch.Default() // the production guard: no loopback
	loopback := fetch.Default()
	loopback.AllowLoopback, loopback.MaxBytes = true, 1<<20
	c := w.approvedCase("https://video.host.test/watch/refusals")
	officer := w.as(w.officer)
	for _, tc := range []struct {
		name string
		cfg  fetch.Config
		url  string
		want string
	}{
		{"private address", guarded, site.URL + "/post", "could not be captured"},
		{"too large", loopback, site.URL + "/big", "larger than 1 MB"},
		{"not found", loopback, site.URL + "/gone", "answered 404"},
		{"no address", loopback, "  ", "url: is required"},
		{"not a web address", loopback, "ftp://files.example/x", "must start with http:// or https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.svc.SetCapturer(delivery.Capturer(tc.cfg))
			_, err := w.svc.CaptureEvidence(officer, c.ID, takedown.CaptureInput{URL: tc.url})
			wantCode(t, err, takedown.EINVALID)
			if !strings.Contains(takedown.ErrorMessage(err), strings.TrimPrefix(tc.want, "url: ")) {
				t.Errorf("error %q, want %q", takedown.ErrorMessage(err), tc.want)
			}
		})
	}
	dismissed := w.report("https://video.host.test/watch/dismissed").URLs[0].CaseID
	must(w.svc.Dismiss(officer, dismissed, "Not the kind of content this procedure covers."))(t)
	w.svc.SetCapturer(delivery.Capturer(loopback))
	_, err := w.svc.CaptureEvidence(officer, dismissed, takedown.CaptureInput{URL: site.URL + "/big"})
	wantCode(t, err, takedown.ECONFLICT)
	_, err = w.svc.CaptureEvidence(w.as(w.controller), c.ID, takedown.CaptureInput{URL: site.URL + "/big"})
	wantCode(t, err, takedown.EFORBIDDEN)
	_, err = w.svc.CaptureEvidence(officer, 999, takedown.CaptureInput{URL: site.URL + "/big"})
	wantCode(t, err, takedown.ENOTFOUND)
}
