package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/client"
)

// walkthrough returns the shell blocks of the README's walkthrough section, in order, as one
// script: exactly what a reader types.
func walkthrough(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Five-minute walkthrough\n")
	if !ok {
		t.Fatal("README.md has no \"## Five-minute walkthrough\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var script []string
	for {
		var block string
		_, rest, ok := strings.Cut(section, "\n```sh\n")
		if !ok {
			break
		}
		block, section, _ = strings.Cut(rest, "\n```\n")
		script = append(script, block)
	}
	if len(script) < 5 {
		t.Fatalf("the walkthrough has %d shell blocks; expected the whole procedure", len(script))
	}
	return strings.Join(script, "\n")
}

// TestREADMEWalkthrough runs the README's walkthrough, as written, against `takedown demo`,
// then checks through the API that the case went through every step.
func TestREADMEWalkthrough(t *testing.T) {
	tmp := t.TempDir()
	env := []string{"TMPDIR=" + tmp, "TAKEDOWN_TOKEN=", "TAKEDOWN_SERVER="}
	start(t, env, nil, "demo", "--http", "127.0.0.1:0")
	envFile := filepath.Join(tmp, "takedown-demo.env")
	waitFor(t, "the demo's environment file", func() bool { _, err := os.Stat(envFile); return err == nil })

	script := walkthrough(t)
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(os.Environ(), append(env, "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"))...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Report received. Your receipt: TD-",
		"forbidden: the officer role cannot do this",
		"refused, exit code 4",
		"Deadline status: running",
		"State:   closed",
		"case.closed",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	overdueRow := regexp.MustCompile(`(?m)^\d+\s+approved\s+public\s+terrorism-apology\s+1\s+yes\s.*video/9001$`)
	if !overdueRow.Match(out) {
		t.Errorf("case list --overdue does not show the walkthrough's case as overdue:\n%s", out)
	}

	// The record, read back through the API as the controller, holds every step.
	tokens := readEnv(t, envFile)
	c := client.New(tokens["TAKEDOWN_SERVER"], tokens["CONTROLLER"])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var cases struct{ Items []takedown.Case }
	if err := c.Do(ctx, "GET", "/cases", map[string][]string{"url": {"https://tribute-videos.example/video/9001"}}, nil, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Items) != 1 || cases.Items[0].State != takedown.CaseClosed {
		t.Fatalf("cases for the walkthrough's URL = %+v, want one closed case", cases.Items)
	}
	var events struct{ Items []takedown.Event }
	q := map[string][]string{"case_id": {itoa(cases.Items[0].ID)}, "limit": {"500"}}
	if err := c.Do(ctx, "GET", "/events", q, nil, &events); err != nil {
		t.Fatal(err)
	}
	seen := map[takedown.EventKind]bool{}
	for _, e := range events.Items {
		seen[e.Kind] = true
	}
	for _, k := range []takedown.EventKind{takedown.EventReportReceived, takedown.EventCaseAccepted, takedown.EventCaseQualified,
		takedown.EventCaseApproved, takedown.EventMeasureIssued, takedown.EventDeliveryAnswered, takedown.EventDeliveryOverdue,
		takedown.EventMeasureProposed, takedown.EventMeasureRechecked, takedown.EventRecommendationMade,
		takedown.EventRecommendationAnswered, takedown.EventRecommendationReferred, takedown.EventRecommendationDecided,
		takedown.EventMeasureLifted, takedown.EventMeasureWithdrawn, takedown.EventCaseClosed} {
		if !seen[k] {
			t.Errorf("the case's record lacks %s", k)
		}
	}
}

// readEnv reads the demo's "export NAME=value" lines.
func readEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if kv, ok := strings.CutPrefix(strings.TrimSpace(line), "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = strings.TrimSpace(v)
		}
	}
	return vars
}
