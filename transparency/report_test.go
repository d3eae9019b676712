package transparency

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/takedown-project/takedown/procedure"
)

func TestReportHTML(t *testing.T) {
	f, err := Compute(scenario().r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, lang string
		want       []string
	}{
		{Annual, "fr", []string{`<html lang="fr">`, "Rapport annuel", "Signalements reçus", "Recommandations", "Host Seven",
			"Ce que les données ne disent pas", "<svg", "La période n&#39;est pas terminée"}},
		{Annual, "en", []string{`<html lang="en">`, "Annual activity report", "Reports received", "Compliance by operator", "<svg",
			"Method and definitions"}},
		{Authority, "en", []string{"article 8", "Subject to scrutiny under art. 4", "not recorded by this system", "Penalties imposed (art. 18)",
			"To confirm receipt", "Orders by issuing Member State"}},
		{Authority, "fr", []string{"non enregistré par ce système", "Injonctions de retrait émises"}},
	} {
		t.Run(tc.kind+"-"+tc.lang, func(t *testing.T) {
			r, err := NewReport(tc.kind, f, procedure.Default(), tc.lang)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.HTML(&buf); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the report lacks %q", w)
				}
			}
			if strings.Contains(html, "<script") || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
				t.Errorf("the report is not self-contained")
			}
		})
	}
}

func TestReportBadInput(t *testing.T) {
	f, _ := Compute(scenario().r.each, cfg, year, now)
	if _, err := NewReport(Annual, f, procedure.Default(), "de"); err == nil {
		t.Error("a report in German: no error")
	}
	if _, err := NewReport("monthly", f, procedure.Default(), "en"); err == nil {
		t.Error("an unknown report: no error")
	}
	empty, err := Compute(scenario().r.each, cfg, Year(2025, cfg.Location), now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReport(Annual, empty, procedure.Default(), "en")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.HTML(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No event is recorded in this period") {
		t.Error("an empty year's report does not say so")
	}
}

func TestReportPDF(t *testing.T) {
	f, err := Compute(scenario().r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{Annual, Authority} {
		for _, lang := range Languages {
			r, err := NewReport(kind, f, procedure.Default(), lang)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.PDF(&buf); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("%s %s: not a PDF: %q", kind, lang, b[:min(len(b), 20)])
			}
			pages := len(regexp.MustCompile(`/Type /Page\b`).FindAll(b, -1))
			if min := map[string]int{Annual: 4, Authority: 3}[kind]; pages < min || pages > 30 {
				t.Errorf("%s %s: %d pages", kind, lang, pages)
			}
			var again bytes.Buffer
			if err := r.PDF(&again); err != nil || !bytes.Equal(b, again.Bytes()) {
				t.Errorf("%s %s: the same figures give different PDFs", kind, lang)
			}
		}
	}
}
