package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/auditlog/witness"
)

// TestWitnessKey: the key command prints the witness's public key, creating it only when
// given the witness's name.
func TestWitnessKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "witness")
	if out := cli(t, nil, 5, "witness", "key", "--data", data); !strings.Contains(out, "holds no witness key") {
		t.Errorf("key of an empty directory: %s", out)
	}
	vkey := strings.TrimSpace(cli(t, nil, 0, "witness", "key", "--data", data, "--name", "controller-witness.example"))
	if !strings.HasPrefix(vkey, "controller-witness.example+") {
		t.Errorf("printed %q, want the witness's key", vkey)
	}
	if again := strings.TrimSpace(cli(t, map[string]string{"TAKEDOWN_WITNESS_DATA": data}, 0, "witness", "key")); again != vkey {
		t.Errorf("printed %q, then %q", vkey, again)
	}
	cli(t, nil, 2, "witness", "key", "--data", data, "--name", "other-witness.example")
}

// TestWitnessServe: the witness serves add-checkpoint on the address it is given, prints its
// key, and the authority's client gets a checkpoint cosigned with it; it stops when its
// context is done.
func TestWitnessServe(t *testing.T) {
	skey, vkey, err := auditlog.GenerateKey("takedown.example/log")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := witnessConfig{Data: filepath.Join(t.TempDir(), "witness"), HTTP: "127.0.0.1:0", Name: "controller-witness.example",
		LogKeys: listFlag{vkey}, logConfig: logConfig{LogLevel: "info", LogFormat: "text"}}
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	urls, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serveWitness(ctx, e, cfg, func(url string) { urls <- url }) }()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("witness serve: %v\n%s", err, &stderr)
	}
	printed := strings.TrimSpace(stdout.String())
	if want, err := witness.PublicKey(cfg.Data, ""); err != nil || printed != want {
		t.Errorf("printed %q, want the witness's key %q (%v)", printed, want, err)
	}

	c, err := witness.NewClient(url, printed, nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := []byte("takedown.example event 0")
	checkpoint, err := auditlog.Sign(auditlog.Checkpoint{Origin: "takedown.example/log", Size: 1, Root: tlog.RecordHash(entry)}, signer)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := c.Cosign(ctx, checkpoint, 1, func(int64) ([]tlog.Hash, error) { return nil, errors.New("no proof needed") })
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auditlog.Open(cosigned, []note.Verifier{v}, []note.Verifier{c.Verifier()}); err != nil {
		t.Errorf("the cosigned checkpoint: %v", err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("witness serve after its context was done: %v", err)
	}
	if log := stderr.String(); !strings.Contains(log, "the witness is serving") || !strings.Contains(log, "cosigned a checkpoint") {
		t.Errorf("the log lacks the start or the cosignature:\n%s", log)
	}
}

// TestWitnessServeConfiguration: the flags and their environment fallbacks; a witness whose
// context is already done opens, prints its key and stops at once.
func TestWitnessServeConfiguration(t *testing.T) {
	_, key1, _ := auditlog.GenerateKey("takedown.example/log")
	_, key2, _ := auditlog.GenerateKey("takedown.example/log")
	data := filepath.Join(t.TempDir(), "witness")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		msg  string
	}{
		{"from the environment, two keys of one log", map[string]string{"TAKEDOWN_WITNESS_DATA": data, "TAKEDOWN_WITNESS_NAME": "controller-witness.example",
			"TAKEDOWN_WITNESS_HTTP": "127.0.0.1:0", "TAKEDOWN_LOG_KEY": key1 + " " + key2}, nil, 0, "logs=takedown.example/log "},
		{"from flags", nil, []string{"--data", data, "--name", "controller-witness.example", "--http", "127.0.0.1:0",
			"--log-key", key1, "--log-key", key2}, 0, "the witness is serving"},
		{"no log key", nil, []string{"--data", data, "--name", "controller-witness.example"}, 2, "log-key: is required"},
		{"not a key", nil, []string{"--data", data, "--name", "controller-witness.example", "--log-key", "takedown.example/log"}, 2, "not an Ed25519 verifier key"},
		{"no name", nil, []string{"--data", data, "--log-key", key1}, 2, "name: is required"},
		{"another name", nil, []string{"--data", data, "--name", "other-witness.example", "--log-key", key1}, 2, `is named "controller-witness.example"`},
		{"no data directory", nil, []string{"--name", "controller-witness.example", "--log-key", key1}, 2, "data: is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return tc.vars[k] }}
			if code := run(done, e, append([]string{"witness", "serve"}, tc.args...)); code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s%s", code, tc.code, &stdout, &stderr)
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, tc.msg) {
				t.Errorf("output lacks %q:\n%s", tc.msg, out)
			}
		})
	}
}
