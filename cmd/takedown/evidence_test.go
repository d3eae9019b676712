package main

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/evidence"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
)

// TestEvidenceCommands: an officer lists a case's evidence and opens a piece with a reason;
// without one nothing is written; the controller opens its sealed copy here with its own
// identity, and another identity is refused with an error naming the evidence.
func TestEvidenceCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	officer := lastLine(cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "officer", "--name", "Test Officer"))
	ctrlToken := lastLine(cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "controller", "--name", "Test Controller"))
	ctrl, _ := age.GenerateX25519Identity()
	idFile := filepath.Join(dir, "controller.key")
	if err := os.WriteFile(idFile, []byte("# the controller's identity\n"+ctrl.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	recipientFile := filepath.Join(dir, "controller.pub")
	if err := os.WriteFile(recipientFile, []byte("# the controller's public key\n"+ctrl.Recipient().String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := serverConfig{ControllerRecipientFile: recipientFile}
	recipient, err := cfg.controllerRecipient()
	if err != nil || recipient != ctrl.Recipient().String() {
		t.Fatalf("the recipient file: %q %v", recipient, err)
	}
	db, v, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := casework.New(db, procedure.Default(), v)
	sealer, err := evidence.NewSealer(v, recipient)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetEvidenceSealer(sealer)
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Config{DemoClock: takedown.NewSimClock(time.Now(), nil)},
		slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry()))
	t.Cleanup(srv.Close)

	file := filepath.Join(dir, "statement.txt")
	content := "A synthetic statement praising an invented attack, for tests only."
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	as := func(token string) map[string]string {
		return map[string]string{"TAKEDOWN_SERVER": srv.URL, "TAKEDOWN_TOKEN": token}
	}
	cli(t, as(""), 0, "report", "submit", "https://video.host.test/v/9", "--offence", "terrorism-apology",
		"--description", "A statement.", "--good-faith", "--file", file)
	list := cli(t, as(officer), 0, "evidence", "list", "1")
	m := regexp.MustCompile(`(?m)^(\d+)\s+statement\.txt`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("evidence list:\n%s", list)
	}
	out := filepath.Join(dir, "opened.txt")
	msg := cli(t, as(officer), 2, "evidence", "open", m[1], "--out", out)
	if !strings.Contains(msg, "reason") {
		t.Errorf("opening without a reason: %s", msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a file was written without a reason")
	}
	cli(t, as(officer), 0, "evidence", "open", m[1], "--reason", "Check the qualification.", "--out", out)
	if b, _ := os.ReadFile(out); string(b) != content {
		t.Errorf("opened: %q", b)
	}
	out2 := filepath.Join(dir, "controller.txt")
	cli(t, as(ctrlToken), 0, "evidence", "open", m[1], "--reason", "Weekly review.", "--identity", idFile, "--out", out2)
	if b, _ := os.ReadFile(out2); string(b) != content {
		t.Errorf("opened by the controller: %q", b)
	}
	other, _ := age.GenerateX25519Identity()
	otherFile := filepath.Join(dir, "other.key")
	if err := os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	msg = cli(t, as(ctrlToken), 4, "evidence", "open", m[1], "--reason", "Weekly review.", "--identity", otherFile, "--out", filepath.Join(dir, "x"))
	if !strings.Contains(msg, "evidence "+m[1]) || !strings.Contains(msg, "not sealed to this identity") {
		t.Errorf("another identity: %s", msg)
	}
}

// TestAdminPurge: the offline purge runs on the data directory; a dry run purges nothing.
func TestAdminPurge(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "admin", "--name", "Test Admin")
	if out := cli(t, nil, 0, "admin", "purge", "--data", data, "--dry-run"); !strings.Contains(out, "0 pieces of evidence and 0 contacts due (dry run") {
		t.Errorf("dry run: %s", out)
	}
	if out := cli(t, nil, 0, "admin", "purge", "--data", data); !strings.Contains(out, "0 pieces of evidence and 0 contacts purged") {
		t.Errorf("purge: %s", out)
	}
	cli(t, nil, 2, "admin", "purge")
}
