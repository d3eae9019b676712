package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMETransparency runs the README's section on transparency, as written, against
// `takedown demo`: the figures, the annual report as PDF and the authority's as HTML, the
// trace of a figure to its events and one event's receipt, the platform's statement of
// reasons and the redacted notices.
func TestREADMETransparency(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	out := runScript(t, tmp, env, readmeScript(t, "Transparency: figures, reports and exports"))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Period \d{4}-01-01 to \d{4}-01-01, \d+ events`),
		regexp.MustCompile(`reports\.received +\d+`),
		regexp.MustCompile(`wrote rapport-annuel\.pdf \(\d+ bytes\)`),
		regexp.MustCompile(`reports\.received: \d+ events`),
		regexp.MustCompile(`kind: +report\.received`),
		regexp.MustCompile(`OK: the log's checkpoint of size \d+ includes this event`),
		regexp.MustCompile(`"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"`),
		regexp.MustCompile(`no address in the notices`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the section's output lacks %s:\n%s", want, out)
		}
	}
	pdf, err := os.ReadFile(filepath.Join(tmp, "rapport-annuel.pdf"))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("rapport-annuel.pdf: %v, begins %.8q", err, pdf)
	}
	html, err := os.ReadFile(filepath.Join(tmp, "authority-report.html"))
	if err != nil || !strings.Contains(string(html), "Transparency report of the competent authority") {
		t.Errorf("authority-report.html: %v\n%.400s", err, html)
	}
}

// TestREADMEEvidence runs the README's section on evidence, as written, against `takedown
// demo`: an opening with its reason, a page captured and a private address refused, a legal
// hold that stops a purge, the purge's dry run and the controller's verification.
func TestREADMEEvidence(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	out := runScript(t, tmp, env, readmeScript(t, "Evidence, kept sealed and then destroyed"))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`written to still\.png; opened by you today: 1`),
		regexp.MustCompile(`"source": "captured"`),
		regexp.MustCompile(`a private address\s+refused, exit code 2`),
		regexp.MustCompile(`"reference": "Review 2026-R-07"`),
		regexp.MustCompile(`under legal hold \d+ \(Review 2026-R-07\)[^\n]*\s+held, exit code 7`),
		regexp.MustCompile(`"dry_run": true`),
		regexp.MustCompile(`"discrepancies": \[\]`),
	} {
		if !want.MatchString(out) {
			t.Errorf("the section's output lacks %s:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(tmp, "still.png")); err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("still.png: %v, begins %.8q", err, b)
	}
}
