package e2e

import (
	"strings"
	"testing"
)

// TestREADMEHashes runs the README's "Matching re-uploads" section, as written, against
// `takedown demo`: a re-encoded copy of the demo's evidence matches it; a report carrying the
// copy opens a case related to the first; a partner's list is imported; a platform pulls the
// signed feed, verifies it and reports matches, which the authority sees on the entry.
func TestREADMEHashes(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	out := runScript(t, tmp, env, readmeScript(t, "Matching re-uploads"))
	for _, want := range []string{
		"Apology of terrorism: evidence  terrorism-apology  evidence",
		"Apology of terrorism: evidence  4      2",
		"Same content as case 1: report",
		"Bank 3: 2 hashes added, 0 merged",
		"Wrote hashes.note: 1 banks, 3 entries changed after 0, verified with takedown.example/log+",
		"Platforms' feedback: 1200 matched, 0 confirmed, 0 disagreed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the section's output lacks %q:\n%s", want, out)
		}
	}
}
