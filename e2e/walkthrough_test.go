package e2e

import (
	"context"
	"net"
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

// readmeScript returns the shell blocks of a section of the README, in order, as one script:
// exactly what a reader types.
func readmeScript(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no \"## %s\" section", heading)
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
	if len(script) < 4 {
		t.Fatalf("the section %q has %d shell blocks; expected the whole story", heading, len(script))
	}
	return strings.Join(script, "\n")
}

// runScript runs a README script in dir against the demo whose environment is env, with the
// built binary first on the PATH, and returns its output.
func runScript(t *testing.T, dir string, env []string, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a loop that never ends fails
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(env, "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH"))...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's script failed: %v\n%s", err, out)
	}
	return string(out)
}

// startDemo starts `takedown demo` with its environment file in tmp and waits for it.
func startDemo(t *testing.T, tmp string) []string {
	t.Helper()
	env := []string{"TMPDIR=" + tmp, "TAKEDOWN_TOKEN=", "TAKEDOWN_SERVER="}
	start(t, env, nil, "demo", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0")
	envFile := filepath.Join(tmp, "takedown-demo.env")
	waitFor(t, "the demo's environment file", func() bool { _, err := os.Stat(envFile); return err == nil })
	return env
}

// TestREADMEWalkthrough runs the README's walkthrough, as written, against `takedown demo`,
// then checks through the API that the case went through every step.
func TestREADMEWalkthrough(t *testing.T) {
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	envFile := filepath.Join(tmp, "takedown-demo.env")
	out := runScript(t, tmp, env, readmeScript(t, "Five-minute walkthrough"))
	for _, want := range []string{
		"Report received. Your receipt: TD-",
		"forbidden: the officer role cannot do this",
		"refused, exit code 4",
		"Deadline status: running",
		"State:   closed",
		"case.closed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	overdueRow := regexp.MustCompile(`(?m)^\d+\s+approved\s+public\s+terrorism-apology\s+1\s+yes\s.*video/9001$`)
	if !overdueRow.MatchString(out) {
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

// TestREADMERecord runs the README's section on the audit log, as written, against `takedown
// demo`: the controller verifies the log with the public keys, exports and verifies it
// offline, checks a receipt and a case's history, then catches an event rewritten in the
// SQLite file. It needs the sqlite3 program, which make check installs when it can.
func TestREADMERecord(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 is not installed: the README's tampering step needs it (apt-get install sqlite3; make check installs it as root)")
	}
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	out := runScript(t, tmp, env, readmeScript(t, "The record no one can rewrite quietly"))
	for _, want := range []string{
		"Latest checkpoint:",
		"cosigned by: controller-witness.example",
		"first verification: trust on first use",
		"recorded:",
		"consistent with the checkpoint of size",
		"kind:        delivery.sent",
		"OK: the log's checkpoint of size",
		"included, checkpoint",
		"does not match its leaf",
		"caught, exit code 10",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the section's output lacks %q:\n%s", want, out)
		}
	}
}

// TestREADMEZone runs the README's section on blocking through a real Unbound, a secondary
// of the demo's zone, on a free port.
func TestREADMEZone(t *testing.T) {
	for _, program := range []string{"unbound", "dig"} {
		if _, err := exec.LookPath(program); err != nil {
			t.Skipf("%s is not installed: the README's zone section needs it (apt-get install unbound dnsutils; make check installs them as root)", program)
		}
	}
	tmp := t.TempDir()
	env := startDemo(t, tmp)
	env = append(env, "RESOLVER_PORT="+itoa(int64(freePort(t))))
	out := runScript(t, tmp, env, readmeScript(t, "Blocking through your own resolver"))
	// The demo's loopback resolvers are Fibre Network ISP's: their transfer is its receipt.
	if !regexp.MustCompile(`Fibre Network ISP +(\d+) +(\d+) +transfer .* up to date`).MatchString(out) {
		t.Errorf("the deployment status does not show Fibre Network ISP up to date by transfer:\n%s", out)
	}
	t.Cleanup(func() { // the script stops Unbound; if it failed half-way, stop it here
		if pid, err := os.ReadFile(filepath.Join(tmp, "unbound", "unbound.pid")); err == nil {
			exec.Command("kill", strings.TrimSpace(string(pid))).Run()
		}
	})
	for _, want := range []string{
		"propaganda-mirror.example.blocklist.rpz.takedown.example. 60 IN A 127.0.0.1",
		"tribute-mirror.example is blocked",
		"[shared_host] videos.platform.test is a domain of operator",
		"LATE: lacks 1",
		"tribute-mirror.example is no longer blocked",
		"tribute-mirror.example is blocked again",
		"list.published",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("the section's output lacks %q:\n%s", want, out)
		}
	}
}

// freePort returns a port that is free on 127.0.0.1 for both UDP and TCP, for a program
// the test configures.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if pc, err := net.ListenPacket("udp", "127.0.0.1:"+itoa(int64(port))); err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}
