package e2e

import (
	"strings"
	"testing"
)

// TestREADMEFeeds runs the README's section on signed feeds, as written, against `takedown
// demo`: an ISP fetches and verifies the blocking list whole and then since its version, a
// search engine the dereferencing list, a host is refused, and a changed byte is caught.
func TestREADMEFeeds(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	out := runScript(t, tmp, env, readmeScript(t, "Signed feeds, for operators without a secondary"))
	for _, want := range []string{
		"list:      blocking",
		"format:    csv",
		"signed by: takedown.example/log+",
		"follows:   blocking.feed, version",
		"Wrote dereferencing.feed: the signed dereferencing feed (verified with the key given).",
		"the blocking list goes to operators of kind isp",
		"refused, exit code 4",
		"the feed was changed after it was signed",
		"caught, exit code 10",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the section's output lacks %q:\n%s", want, out)
		}
	}
}
