package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
)

// server is a demo-mode API on a fresh data directory, with an admin token made offline.
type server struct {
	url, data, admin string
}

func newServer(t *testing.T) *server {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data") // made by takedown, for its owner only
	out := cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "admin", "--name", "Test Admin")
	db, v, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := casework.New(db, procedure.Default(), v)
	clock := takedown.NewSimClock(time.Now(), nil)
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Config{DemoClock: clock}, log, prometheus.NewRegistry()))
	t.Cleanup(srv.Close)
	return &server{url: srv.URL, data: data, admin: lastLine(out)}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// cli runs the command in-process with the environment vars, checks its exit code and
// returns its standard output.
func cli(t *testing.T, vars map[string]string, wantCode int, args ...string) string {
	t.Helper()
	return cliInput(t, vars, "", wantCode, args...)
}

// cliInput is cli with input on standard input.
func cliInput(t *testing.T, vars map[string]string, input string, wantCode int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(input), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	if code := run(context.Background(), e, args); code != wantCode {
		t.Fatalf("takedown %s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, wantCode, &stdout, &stderr)
	}
	return stdout.String() + stderr.String()
}

// TestEveryOperationHasACommand: every route of the API (as its OpenAPI document lists them,
// demo routes included) has exactly one client command, and every command calls a route.
func TestEveryOperationHasACommand(t *testing.T) {
	s := newServer(t)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(cli(t, map[string]string{"TAKEDOWN_SERVER": s.url}, 0, "openapi", "--json")), &doc); err != nil {
		t.Fatal(err)
	}
	routes := map[string]bool{}
	for path, methods := range doc.Paths {
		for m := range methods {
			routes[strings.ToUpper(m)+" "+strings.TrimPrefix(path, "/api/v1")] = true
		}
	}
	commands := map[string][]string{}
	for _, o := range ops() {
		commands[o.method+" "+o.path] = append(commands[o.method+" "+o.path], o.name)
	}
	commands["GET /lists/{list}/feed"] = append(commands["GET /lists/{list}/feed"], "feed get") // writes a file, and verifies it
	// Commands that send files or write them.
	for route, name := range map[string]string{"POST /hashes": "hash", "POST /match": "match", "POST /hashbanks/{id}/entries": "bank import",
		"GET /hashbanks/{id}/export": "bank export", "GET /hashbank-feed": "bank feed", "POST /hashbank-feedback": "bank feedback send",
		"GET /transparency/figures": "transparency figures", "GET /transparency/trace": "transparency trace", "GET /transparency/report": "report annual",
		"GET /cases/{id}/evidence": "evidence list", "POST /evidence/{id}/open": "evidence open", "POST /evidence/{id}/sealed": "evidence open"} {
		commands[route] = append(commands[route], name)
	}
	var problems []string
	for r := range routes {
		if len(commands[r]) == 0 {
			problems = append(problems, "no command for "+r)
		}
	}
	for r, names := range commands {
		switch {
		case !routes[r]:
			problems = append(problems, strings.Join(names, ", ")+" call "+r+", which the API does not document")
		case len(names) > 1:
			problems = append(problems, strings.Join(names, ", ")+" all call "+r)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestExitCodes: the CLI's exit code follows the error code, and the message says what is
// wrong.
func TestExitCodes(t *testing.T) {
	s := newServer(t)
	admin := map[string]string{"TAKEDOWN_SERVER": s.url, "TAKEDOWN_TOKEN": s.admin}
	public := map[string]string{"TAKEDOWN_SERVER": s.url}
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		msg  string
	}{
		{"ok", admin, []string{"whoami"}, 0, "Test Admin (admin)"},
		{"unknown command", admin, []string{"case", "frobnicate"}, 2, "unknown command"},
		{"missing required flag", admin, []string{"case", "dismiss", "1"}, 2, "reasons: is required (--reasons)"},
		{"missing argument", admin, []string{"case", "accept"}, 2, "Usage: takedown case accept CASE"},
		{"bad id", admin, []string{"case", "accept", "x"}, 2, `CASE: "x" is not an id`},
		{"invalid input from the server", public, []string{"report", "submit", "ftp://host.test/x", "--offence", "csam",
			"--description", "x", "--good-faith"}, 2, "urls[0]: "},
		{"unauthorized", public, []string{"case", "list"}, 3, "unauthorized: sign in with a token"},
		{"forbidden", admin, []string{"case", "list"}, 4, "forbidden: the admin role cannot do this"},
		{"not found", admin, []string{"operator", "show", "999"}, 5, "there is no operator 999"},
		{"unreachable server", map[string]string{"TAKEDOWN_SERVER": "http://127.0.0.1:1"}, []string{"profile"}, 9, "cannot reach the server"},
		{"help", admin, []string{"help", "case"}, 0, "case qualify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cli(t, tc.vars, tc.code, tc.args...); !strings.Contains(got, tc.msg) {
				t.Errorf("output lacks %q:\n%s", tc.msg, got)
			}
		})
	}
}

// TestAdminUserAddToken: the offline command prints, as its last line, a token that works
// against a server on the same data directory; the data directory's files are private.
func TestAdminUserAddToken(t *testing.T) {
	s := newServer(t)
	out := cli(t, nil, 0, "admin", "user", "add", "--data", s.data, "--role", "officer", "--name", "Officer Offline")
	token := lastLine(out)
	if !strings.HasPrefix(token, "tdk_") {
		t.Fatalf("last line %q is not a token", token)
	}
	who := cli(t, map[string]string{"TAKEDOWN_SERVER": s.url, "TAKEDOWN_TOKEN": token}, 0, "whoami")
	if !strings.Contains(who, "Officer Offline (officer)") {
		t.Errorf("whoami = %q", who)
	}
	for _, name := range []string{"", "vault.key", "takedown.db", "takedown.db-wal"} {
		info, err := os.Stat(filepath.Join(s.data, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %o; want no access for others", filepath.Join(s.data, name), info.Mode().Perm())
		}
	}
	cli(t, nil, 2, "admin", "user", "add", "--data", s.data, "--role", "wizard", "--name", "X")
}

// TestReadCommandsPrintJSON: with --json, read commands print the server's JSON answer.
func TestReadCommandsPrintJSON(t *testing.T) {
	s := newServer(t)
	vars := map[string]string{"TAKEDOWN_SERVER": s.url, "TAKEDOWN_TOKEN": s.admin}
	cli(t, vars, 0, "operator", "add", "--kind", "isp", "--name", "ISP Example", "--contact", "noc@isp.example", "--language", "fr")
	for _, args := range [][]string{{"operator", "list"}, {"operator", "show", "1"}, {"user", "list"}, {"whoami"}, {"profile"}, {"demo", "clock"}} {
		out := cli(t, vars, 0, append(args, "--json")...)
		if !json.Valid([]byte(out)) {
			t.Errorf("takedown %s --json printed something else than JSON:\n%s", strings.Join(args, " "), out)
		}
	}
}

// TestCleanKeepsControlCharactersOffTheTerminal: text from the server never reaches the
// terminal with control characters; cells stay on one line.
func TestCleanKeepsControlCharactersOffTheTerminal(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"plain text", false, "plain text"},
		{"evil \x1b]0;title\a\x1b[2J", true, "evil \uFFFD]0;title\uFFFD\uFFFD[2J"},
		{"two\nlines\tand a tab", true, "two\nlines\tand a tab"},
		{"two\nlines", false, "two\uFFFDlines"},
		{"c1 \u009b control", true, "c1 \uFFFD control"},
	} {
		if got := clean(tc.in, tc.multiline); got != tc.want {
			t.Errorf("clean(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.want)
		}
	}
}

// TestDataDirectoryGuards: a data directory open to other users is refused, not silently
// changed; a database whose vault key is missing is refused rather than given a new key that
// could not read its contacts, and a log that published checkpoints is not given a new key.
func TestDataDirectoryGuards(t *testing.T) {
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	out := cli(t, nil, 2, "admin", "user", "add", "--data", open, "--role", "admin", "--name", "X")
	if !strings.Contains(out, "chmod 700") {
		t.Errorf("refusal of an open directory: %s", out)
	}
	if info, _ := os.Stat(open); info.Mode().Perm() != 0o755 {
		t.Errorf("the directory's mode was changed to %o", info.Mode().Perm())
	}
	s := newServer(t)
	if err := os.Remove(filepath.Join(s.data, "vault.key")); err != nil {
		t.Fatal(err)
	}
	out = cli(t, nil, 9, "admin", "user", "list", "--data", s.data)
	if !strings.Contains(out, "restore the vault key") {
		t.Errorf("refusal without the vault key: %s", out)
	}

	// A log that published checkpoints is refused a new key in place of its lost one.
	data := filepath.Join(t.TempDir(), "data")
	cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "admin", "--name", "Test Admin")
	cfg := serverConfig{storeConfig: storeConfig{Data: data, DBMaxConns: 16}, Profile: procedure.DefaultID, LogOrigin: "authority.example/log", CheckpointEvery: time.Second}
	log := slog.New(slog.DiscardHandler)
	a, err := openApp(cfg, takedown.SystemClock{}, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.checkpointer.Cut(t.Context())
	if err := errors.Join(err, a.close(), os.Remove(logKeyPath(data))); err != nil {
		t.Fatal(err)
	}
	_, err = openApp(cfg, takedown.SystemClock{}, nil, log)
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE || !strings.Contains(err.Error(), "restore the log's key") {
		t.Errorf("opened without the log's key: %v", err)
	}
	if _, err := os.Stat(logKeyPath(data)); err == nil {
		t.Error("a new log key was made")
	}
}

// openStore opens a data directory's store, as the offline commands do.
func openStore(data string, clock takedown.Clock) (store, *vault.Vault, error) {
	c := storeConfig{Data: data, DBMaxConns: 16}
	return c.open(clock)
}
