package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/takedown-project/takedown/auditlog/verifier/verifiertest"
)

// logVars are the environment of the controller verifying a test log: its server, token and
// keys.
func logVars(l *verifiertest.Log, url string) map[string]string {
	return map[string]string{
		"TAKEDOWN_SERVER":      url,
		"TAKEDOWN_TOKEN":       verifiertest.Token,
		"TAKEDOWN_LOG_KEY":     l.Key,
		"TAKEDOWN_WITNESS_KEY": l.WitnessKeys[0],
	}
}

// contains fails the test unless out holds every string of want.
func contains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestLogVerify: the controller verifies the log from the server, keeps a state, exports a
// bundle and verifies it offline; a rewritten history is caught with exit code 10 and the
// evidence; every verification can be recorded, good or bad.
func TestLogVerify(t *testing.T) {
	l := verifiertest.New(t, 1)
	l.Append(t, 1000)
	l.Publish(t)
	url := l.Serve(t)
	vars := logVars(l, url)
	dir := t.TempDir()
	state := filepath.Join(dir, "log.state")

	out := cli(t, vars, 0, "log", "verify", "--state", state)
	contains(t, out, "takedown.example/log, size 1,000 (from the server)", "cosigned by:", "witness1.example",
		"first verification: trust on first use; state saved, keep it and pass --state "+state+" next time",
		"recomputed from 1,000 leaves in 9 tiles and entry bundles", "1,000 events checked against their leaves", "OK")

	l.Append(t, 500)
	l.Publish(t)
	out = cli(t, vars, 0, "log", "verify", "--state", state, "--record")
	contains(t, out, "size 1,500", "consistent with the checkpoint of size 1,000 you verified on", "recorded:", "OK")
	if v := l.Verifications(); len(v) != 1 || !v[0].OK || v[0].Size != 1500 || v[0].Bodies != 1500 {
		t.Errorf("recorded %+v", v)
	}

	bundle := filepath.Join(dir, "log.tar")
	out = cli(t, vars, 0, "log", "export", "--out", bundle)
	contains(t, out, "Wrote "+bundle+": the log at size 1,500, 13 tiles and entry bundles, and the 1,500 events")
	if info, err := os.Stat(bundle); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("bundle %v, %v: want a file for its owner only", info, err)
	}
	out = cli(t, vars, 0, "log", "verify", "--bundle", bundle, "--state", filepath.Join(dir, "offline.state"))
	contains(t, out, "(from the bundle)", "1,500 events checked", "OK")

	noToken := logVars(l, url)
	delete(noToken, "TAKEDOWN_TOKEN")
	out = cli(t, noToken, 0, "log", "verify")
	contains(t, out, "bodies:", "not checked: the events are not public, and no token was given",
		"without --state FILE the next one cannot show a history rewritten since", "OK")

	before, _ := os.ReadFile(state)
	l.Rewrite(t, 41)
	out = cli(t, vars, 10, "log", "verify", "--state", state, "--record")
	contains(t, out, "THE LOG DOES NOT VERIFY: leaf 41 (event 42) changed since the checkpoint of size 1500",
		"what failed: fork",
		"The checkpoint you verified before (size 1,500", "The checkpoint the server serves (size 1,500",
		"— takedown.example/log", "This failed verification was recorded",
		"takedown: inconsistent: the log does not verify: leaf 41 (event 42) changed")
	if v := l.Verifications(); len(v) != 2 || v[1].OK || !strings.Contains(v[1].Problem, "leaf 41 (event 42)") {
		t.Errorf("recorded %+v", v)
	}
	if after, _ := os.ReadFile(state); !bytes.Equal(before, after) {
		t.Errorf("the state file changed after a failed verification")
	}
	// The old bundle still verifies against the state of its own time.
	cli(t, vars, 0, "log", "verify", "--bundle", bundle, "--state", filepath.Join(dir, "offline.state"))
}

// TestLogVerifyErrors: bad flags and unreadable files are invalid (2), an unreachable server
// unavailable (9), a log that does not verify inconsistent (10).
func TestLogVerifyErrors(t *testing.T) {
	l := verifiertest.New(t, 1)
	l.Append(t, 10)
	l.Publish(t)
	url := l.Serve(t)
	vars := logVars(l, url)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not a bundle, nor a state"), 0o600)
	noKey := logVars(l, url)
	delete(noKey, "TAKEDOWN_LOG_KEY")
	other := verifiertest.New(t, 1) // another log, and another witness of the same name
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		msg  string
	}{
		{"no key", noKey, nil, 2, "key: is required"},
		{"bad key", vars, []string{"--key", "nonsense"}, 2, `key: log key "nonsense" is not a signed-note verifier key`},
		{"bad witness key", vars, []string{"--witness-key", "nonsense"}, 2, "witness-key: "},
		{"no source", map[string]string{"TAKEDOWN_LOG_KEY": l.Key}, nil, 2, "server: is required"},
		{"both sources", vars, []string{"--server", url, "--bundle", junk}, 2, "give --server or --bundle, not both"},
		{"record a bundle", vars, []string{"--bundle", junk, "--record"}, 2, "record: "},
		{"not a bundle", vars, []string{"--bundle", junk}, 2, "bundle: "},
		{"no bundle", vars, []string{"--bundle", filepath.Join(dir, "none.tar")}, 2, "no such file"},
		{"corrupt state", vars, []string{"--state", junk}, 2, `state: ` + junk + `: malformed state: the file does not start with "takedown-log-state v1"`},
		{"unreachable", map[string]string{"TAKEDOWN_LOG_KEY": l.Key, "TAKEDOWN_SERVER": "http://127.0.0.1:1"}, nil, 9, "cannot reach the server"},
		{"another log's key", vars, []string{"--key", other.Key}, 10, "the checkpoint does not verify: the checkpoint is not signed by the log's key"},
		{"a witness that did not cosign", vars, []string{"--witness-key", other.WitnessKeys[0]}, 10, "is not cosigned by the witness"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := cli(t, tc.vars, tc.code, append([]string{"log", "verify"}, tc.args...)...)
			contains(t, out, tc.msg)
		})
	}
	out := cli(t, vars, 2, "log", "export")
	contains(t, out, "out: is required")
}

// TestLogReceiptVerify: a receipt verifies offline and shows its event and checkpoint; one
// that was changed, or checked with another key, does not (10).
func TestLogReceiptVerify(t *testing.T) {
	l := verifiertest.New(t, 1)
	l.Append(t, 300)
	l.Publish(t)
	vars := logVars(l, "")
	dir := t.TempDir()
	receipt := l.Receipt(t, 42)
	path := filepath.Join(dir, "receipt")
	os.WriteFile(path, receipt, 0o600)
	out := cli(t, vars, 0, "log", "receipt", "verify", path)
	contains(t, out, "event:", "42", "kind:", "actor:", "officer 7", "case:", "15", `"reasons":"synthetic event 42`,
		"leaf:", "41", "takedown.example/log, size 300", "cosigned by:", "witness1.example",
		"OK: the log's checkpoint of size 300 includes this event, as leaf 41")

	changed := filepath.Join(dir, "changed")
	os.WriteFile(changed, bytes.Replace(receipt, []byte("index 41"), []byte("index 40"), 1), 0o600)
	out = cli(t, vars, 10, "log", "receipt", "verify", changed)
	contains(t, out, "the receipt does not verify")

	other := verifiertest.New(t, 0)
	out = cli(t, vars, 10, "log", "receipt", "verify", path, "--key", other.Key)
	contains(t, out, "the receipt does not verify", "not signed by the log's key")

	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("hello"), 0o600)
	out = cli(t, vars, 10, "log", "receipt", "verify", garbage)
	contains(t, out, "is not a valid receipt")

	cli(t, vars, 2, "log", "receipt", "verify", filepath.Join(dir, "none"))
	cli(t, vars, 2, "log", "receipt", "verify")
}

// TestProgress: long runs print their progress with thousands separators; an interval of
// zero prints every step.
func TestProgress(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 350000: "350,000", 1000000: "1,000,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	var buf bytes.Buffer
	p := progressEvery(&buf, 0, "verified")
	p("leaves", 350000, 1000000)
	if got, want := buf.String(), "verified 350,000 of 1,000,000 leaves\n"; got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
}
