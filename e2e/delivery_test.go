package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEDelivery runs the README's section on deliveries, as written, against `takedown
// demo`: the host's webhook endpoint (takedown webhook receive) verifies the signed delivery,
// whose acceptance is the receipt; the form is rendered in French and as PDF; the host's
// comply is checked by fetching the URL; the records show the delivery.
func TestREADMEDelivery(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	env = append(env, "HOOK_PORT="+itoa(int64(freePort(t))))
	out := runScript(t, tmp, env, readmeScript(t, "Deliveries that prove their receipt"))
	for _, want := range []string{
		"delivery.action delivery",
		"Received via:    webhook",
		"webhook    accepted  1",
		"TD-2026-",
		"%PDF-1.",
		"https://tribute-videos.example/video/9002",
		"Deliveries:",
		"removal_request  action",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the section's output lacks %q:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?i)demande de retrait`).MatchString(out) {
		t.Errorf("the form is not in the host's language (French):\n%s", out)
	}
	if !regexp.MustCompile(`https://tribute-videos.example/video/9002\s+(gone|present|inconclusive)`).MatchString(out) {
		t.Errorf("the compliance check of the URL is not shown:\n%s", out)
	}
	log, err := os.ReadFile(filepath.Join(tmp, "webhooks.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "delivery.action"); n != 1 {
		t.Errorf("the receiver printed the removal request %d times, want once:\n%s", n, log)
	}
}
