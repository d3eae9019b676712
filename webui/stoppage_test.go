package webui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/webui"
)

func get(t *testing.T, url, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestStopPage: a blocked name's page says, in French and English, the offence and its legal
// basis, the blocking's legal basis and how to appeal, with the complaint link, as a 451; a
// name not (or no longer) blocked gets a page that says so without echoing the name; each
// view is counted by offence, and nothing else is kept.
func TestStopPage(t *testing.T) {
	profile := procedure.Default()
	blocked := func(host string) (string, bool) {
		if host == "propaganda.example" {
			return "terrorism-apology", true
		}
		return "", false
	}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(webui.NewStopPage(profile, blocked, "https://authority.example/complaint", reg))
	defer srv.Close()

	resp, body := get(t, srv.URL+"/any/path?q=1", "Propaganda.Example:80")
	if resp.StatusCode != http.StatusUnavailableForLegalReasons || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	apology, _ := profile.Offence("terrorism-apology")
	rule, _ := profile.Measure("blocking")
	for _, want := range []string{"propaganda.example", "Accès bloqué", "Access blocked", template(apology.Title["fr"]), template(apology.Title["en"]),
		template(apology.LegalBasis["en"]), template(rule.LegalBasis["fr"]), template(rule.Redress["en"]), template(rule.Redress["fr"]),
		`href="https://authority.example/complaint?address=propaganda.example"`, `lang="en"`, template(profile.Authority)} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	_, body = get(t, srv.URL, "<script>.example")
	if strings.Contains(body, "script>.example") || !strings.Contains(body, "not, or no longer, on the blocking list") {
		t.Errorf("an unlisted name's page:\n%s", body)
	}
	families, err := reg.Gather()
	if err != nil || len(families) != 1 || len(families[0].GetMetric()) != 2 {
		t.Fatalf("metrics %v, %v; want one counter of two offences", families, err)
	}
	for _, m := range families[0].GetMetric() {
		if len(m.GetLabel()) != 1 || m.GetLabel()[0].GetName() != "offence" || m.GetCounter().GetValue() != 1 {
			t.Errorf("counter %v: a view is counted by offence and nothing else", m)
		}
	}
}

// template escapes text as html/template writes it in the page.
func template(s string) string {
	return strings.NewReplacer("'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
