package webhook

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const docsPath = "../../docs/webhooks.md"

// between returns the text of s between the lines begin and end, which must be there.
func between(t *testing.T, s, begin, end string) string {
	t.Helper()
	_, after, ok := strings.Cut(s, begin+"\n")
	if !ok {
		t.Fatalf("no %q", begin)
	}
	inside, _, ok := strings.Cut(after, end)
	if !ok {
		t.Fatalf("no %q after %q", end, begin)
	}
	return inside
}

// codeBlock returns the body of the one fenced block in s.
func codeBlock(t *testing.T, s, lang string) string {
	t.Helper()
	return between(t, s, "```"+lang, "```")
}

// unindented drops each line's leading tabs and spaces, for comparing code indented
// differently.
func unindented(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t ")
	}
	return strings.Join(lines, "\n")
}

// TestDocsGoExample: the Go example of docs/webhooks.md is ExampleVerify's, which runs.
func TestDocsGoExample(t *testing.T) {
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	got := unindented(codeBlock(t, between(t, string(doc), "<!-- example_test.go:begin -->", "<!-- example_test.go:end -->"), "go"))
	want := unindented(between(t, string(src), "\t// docs:begin", "\t// docs:end"))
	if got != want {
		t.Errorf("docs/webhooks.md's Go example is not ExampleVerify's:\n--- docs\n%s\n--- example_test.go\n%s", got, want)
	}
}

// TestDocsPython runs the Python verifier of docs/webhooks.md on messages Sign signed.
func TestDocsPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	doc, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	snippet := codeBlock(t, between(t, string(doc), "<!-- verify.py:begin -->", "<!-- verify.py:end -->"), "python")
	const harness = `
import json, sys
for case in json.load(sys.stdin):
    try:
        verify(case["secrets"], case["headers"], case["body"].encode())
        print("ok")
    except ValueError as e:
        print("refused:", e)
`
	script := filepath.Join(t.TempDir(), "verify.py")
	if err := os.WriteFile(script, []byte(snippet+harness), 0o600); err != nil {
		t.Fatal(err)
	}

	old, new, other := secretOf(1, 32), secretOf(2, 64), secretOf(3, 24)
	both := []Secret{mustSecret(t, old), mustSecret(t, new)}
	now := time.Now()
	body := `{"type":"measure.sent","data":{"url":"https://host.example/é"}}`
	headers := func(secrets []Secret, ts time.Time) map[string]string {
		return map[string]string{
			"webhook-id":        "msg_py",
			"webhook-timestamp": strconv.FormatInt(ts.Unix(), 10),
			"webhook-signature": Sign(secrets, "msg_py", ts, []byte(body)),
		}
	}
	type input struct {
		Secrets []string          `json:"secrets"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	noID := headers(both, now)
	delete(noID, "webhook-id")
	tests := []struct {
		name string
		in   input
		want string
	}{
		{"holding the old secret", input{[]string{old}, headers(both, now), body}, "ok"},
		{"holding the new secret", input{[]string{new}, headers(both, now), body}, "ok"},
		{"holding both", input{[]string{other, new}, headers(both, now), body}, "ok"},
		{"holding a third", input{[]string{other}, headers(both, now), body}, "refused: no matching signature"},
		{"tampered body", input{[]string{old}, headers(both, now), body + " "}, "refused: no matching signature"},
		{"stale", input{[]string{old}, headers(both, now.Add(-10*time.Minute)), body}, "refused: webhook-timestamp too far from now"},
		{"no id", input{[]string{old}, noID, body}, "refused: missing webhook header"},
	}
	var ins []input
	for _, tt := range tests {
		ins = append(ins, tt.in)
	}
	stdin, err := json.Marshal(ins)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script)
	cmd.Stdin = strings.NewReader(string(stdin))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(tests) {
		t.Fatalf("got %d lines of output, want %d:\n%s", len(lines), len(tests), out)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lines[i] != tt.want {
				t.Errorf("got %q, want %q", lines[i], tt.want)
			}
		})
	}
}
