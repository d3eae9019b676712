package e2e

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/internal/storetest"
)

// authority is a real deployment on loopback: `takedown serve` on a data directory (and on
// PostgreSQL when TAKEDOWN_TEST_DB names one), requiring the cosignature of the controller's
// witness, which runs as its own `takedown witness serve` process with its own data directory.
type authority struct {
	data, witnessData string
	dsn               string // the PostgreSQL schema; "" on SQLite
	url, witnessURL   string
	logKey, witness   string // the public keys
	controller        string // a controller's token
	srv               *process
}

// newAuthority makes the log's key before the first start, as the README says, starts the
// witness with it, then the server, and records a few events.
func newAuthority(t *testing.T) *authority {
	t.Helper()
	tmp := t.TempDir()
	a := &authority{data: filepath.Join(tmp, "data"), witnessData: filepath.Join(tmp, "witness")}
	if base := storetest.PostgresURL(); base != "" {
		a.dsn = storetest.NewSchema(t, base)
	}
	a.logKey = lastLine(run(t, nil, "admin", "log-key", "create", "--data", a.data, "--origin", "authority.example/log"))
	a.witness = lastLine(run(t, nil, "witness", "key", "--data", a.witnessData, "--name", "controller-witness.example"))
	a.witnessURL = a.startWitness(t)
	a.controller = lastLine(run(t, nil, a.args("admin", "user", "add", "--data", a.data, "--role", "controller", "--name", "Controller Echo")...))
	for i := range 5 {
		run(t, nil, a.args("admin", "operator", "add", "--data", a.data, "--kind", "host", "--name", fmt.Sprintf("Host %d", i),
			"--contact", "abuse@host.example", "--language", "fr", "--domain", fmt.Sprintf("videos%d.host.test", i))...)
	}
	a.start(t)
	return a
}

// startWitness starts the witness and returns its URL.
func (a *authority) startWitness(t *testing.T) string {
	t.Helper()
	lines := make(chan string, 100)
	p := start(t, nil, lines, "witness", "serve", "--data", a.witnessData, "--name", "controller-witness.example",
		"--http", "127.0.0.1:0", "--log-key", a.logKey, "--log-format", "json")
	addr := regexp.MustCompile(`"url":"(http://[^"]+)"`)
	for {
		select {
		case line := <-lines:
			if m := addr.FindStringSubmatch(line); m != nil {
				return m[1]
			}
		case <-p.done:
			t.Fatalf("takedown witness serve exited:\n%s", p.stderr)
		case <-time.After(2 * time.Minute):
			t.Fatal("takedown witness serve did not start")
		}
	}
}

// start starts the server and waits until every event is in a published checkpoint.
func (a *authority) start(t *testing.T) {
	t.Helper()
	a.url, a.srv = serve(t, a.data, a.args("--witness-url", a.witnessURL, "--witness-key", a.witness, "--checkpoint-interval", "200ms")...)
	a.waitPublished(t)
}

// stop kills the server.
func (a *authority) stop(t *testing.T) {
	t.Helper()
	a.srv.cmd.Process.Kill()
	<-a.srv.done
}

// waitPublished waits until the log's latest checkpoint covers every event.
func (a *authority) waitPublished(t *testing.T) {
	t.Helper()
	c := client.New(a.url, a.controller)
	waitFor(t, "a checkpoint of the whole log", func() bool {
		var st struct {
			Size        int64
			Unpublished int64
		}
		return c.Do(t.Context(), "GET", "/log", nil, nil, &st) == nil && st.Size > 0 && st.Unpublished == 0
	})
}

// verify runs the controller's verifier against the server and returns its exit code and
// output.
func (a *authority) verify(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"log", "verify", "--server", a.url, "--key", a.logKey}, args...)...)
	cmd.Env = append(os.Environ(), "TAKEDOWN_TOKEN=", "TAKEDOWN_SERVER=", "TAKEDOWN_LOG_KEY=", "TAKEDOWN_WITNESS_KEY=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatal(err)
	}
	return 0, string(out)
}

// args adds the database to a command's arguments when it is PostgreSQL.
func (a *authority) args(args ...string) []string {
	if a.dsn != "" {
		return append(args, "--db", a.dsn)
	}
	return args
}

// sqlFile opens the server's database directly, as a database administrator can.
func (a *authority) sqlFile(t *testing.T) *storetest.Raw {
	t.Helper()
	return storetest.OpenRaw(t, a.dsn, filepath.Join(a.data, "takedown.db"))
}

// execSQL runs statements as that administrator: "disable TABLE TRIGGER" drops (SQLite) or
// disables (PostgreSQL) a trigger that keeps the record append-only.
func execSQL(t *testing.T, db *storetest.Raw, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		var err error
		if f := strings.Fields(s); len(f) == 3 && f[0] == "disable" {
			err = db.DisableTrigger(f[1], f[2])
		} else {
			_, err = db.Exec(s)
		}
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestTamperingIsCaught: a database administrator rewrites the record behind the server's
// back, in four ways. Each time, the controller's verifier, run with its state file from an
// earlier verification and a controller's token, fails with exit code 10 and names the
// first event (and leaf) that was touched.
func TestTamperingIsCaught(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, a *authority)
		want   *regexp.Regexp
	}{
		{"edit an event's body", func(t *testing.T, a *authority) {
			execSQL(t, a.sqlFile(t), `disable events events_no_update`,
				`UPDATE events SET data = replace(data, 'Host 1', 'Host One') WHERE id = 4`)
		}, regexp.MustCompile(`(?i)event 4\b.*leaf 3\b|leaf 3\b.*event 4\b`)},
		{"delete an event", func(t *testing.T, a *authority) {
			execSQL(t, a.sqlFile(t), `disable events events_no_delete`, `DELETE FROM events WHERE id = 5`)
		}, regexp.MustCompile(`(?i)event 5\b`)},
		{"reorder two events", func(t *testing.T, a *authority) {
			db := a.sqlFile(t)
			execSQL(t, db, `disable events events_no_update`,
				`UPDATE events SET id = -1 WHERE id = 3`, `UPDATE events SET id = 3 WHERE id = 4`, `UPDATE events SET id = 4 WHERE id = -1`)
		}, regexp.MustCompile(`(?i)event 3\b.*leaf 2\b|leaf 2\b.*event 3\b`)},
		{"rewrite the history and sign it with the log's own key", func(t *testing.T, a *authority) {
			a.stop(t)
			fork(t, a, 4)
			a.start(t)
		}, regexp.MustCompile(`(?i)leaf 3\b`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAuthority(t)
			state := filepath.Join(t.TempDir(), "controller.state")
			if code, out := a.verify(t, "--state", state, "--token", a.controller, "--witness-key", a.witness); code != 0 {
				t.Fatalf("the untouched log does not verify (exit %d):\n%s", code, out)
			}
			tc.tamper(t, a)
			code, out := a.verify(t, "--state", state, "--token", a.controller)
			if code != takedown.ExitCode(takedown.EINCONSISTENT) {
				t.Fatalf("after tampering, the verifier exits %d, want %d:\n%s", code, takedown.ExitCode(takedown.EINCONSISTENT), out)
			}
			if !tc.want.MatchString(out) {
				t.Errorf("the verifier does not name the tampered event (%s):\n%s", tc.want, out)
			}
		})
	}
}

// TestAForkIsRefusedByTheWitness: after the history is rewritten and re-signed with the log's
// key, a verifier that requires the witness's cosignature refuses the forged checkpoint even
// without a state file; the witness refuses to cosign what the server signs next, and keeps
// the request as evidence.
func TestAForkIsRefusedByTheWitness(t *testing.T) {
	a := newAuthority(t)
	a.stop(t)
	fork(t, a, 2)
	a.start(t)
	// Without the witness, a first verification cannot tell: the forged tree is well signed.
	if code, out := a.verify(t); code != 0 {
		t.Fatalf("a first verification without the witness should accept the well-signed forgery (exit %d):\n%s", code, out)
	}
	code, out := a.verify(t, "--witness-key", a.witness)
	if code != takedown.ExitCode(takedown.EINCONSISTENT) || !strings.Contains(out, "controller-witness.example") {
		t.Fatalf("with the witness's key, the verifier exits %d:\n%s", code, out)
	}

	run(t, nil, a.args("admin", "operator", "add", "--data", a.data, "--kind", "isp", "--name", "ISP After", "--contact", "noc@isp.example", "--language", "fr")...)
	evidence := filepath.Join(a.witnessData, "evidence")
	waitFor(t, "the witness's evidence of the fork", func() bool {
		entries, _ := os.ReadDir(evidence)
		return len(entries) > 0
	})
	waitFor(t, "the server's report of the refusal", func() bool { return strings.Contains(a.srv.stderr.String(), "witness did not cosign") })
}

// fork rewrites the log as an administrator holding the database and the log's key could:
// event k gets another body, its leaf and every tree hash from it on are recomputed, the
// published checkpoints are replaced by one of the new tree, signed with the log's key. The
// server must be stopped.
func fork(t *testing.T, a *authority, k int64) {
	t.Helper()
	db := a.sqlFile(t)
	execSQL(t, db, `disable events events_no_update`, `disable log_hashes log_hashes_no_delete`, `disable log_checkpoints log_checkpoints_no_delete`,
		fmt.Sprintf(`UPDATE events SET data = '{"rewritten":true}' WHERE id = %d`, k))
	var e takedown.Event
	var at int64
	var caseID, measureID, operatorID sql.NullInt64
	var data string
	err := db.QueryRow(`SELECT id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data, salt FROM events WHERE id = ?`, k).
		Scan(&e.ID, &at, &e.Kind, &e.ActorID, &e.ActorRole, &caseID, &measureID, &operatorID, &data, &e.Salt)
	if err != nil {
		t.Fatal(err)
	}
	e.At, e.CaseID, e.MeasureID, e.OperatorID, e.Data = time.Unix(0, at).UTC(), caseID.Int64, measureID.Int64, operatorID.Int64, []byte(data)
	forged, err := auditlog.Entry(&e)
	if err != nil {
		t.Fatal(err)
	}
	// The entries of the leaves from k on, the forged one first, then the tree cut at leaf k.
	var size int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	leaf := auditlog.LeafIndex(k)
	entries := [][]byte{forged}
	for n := leaf + 1; n < size; n++ {
		var entry []byte
		if err := db.QueryRow(`SELECT entry FROM log_hashes WHERE id = ?`, tlog.StoredHashIndex(0, n)).Scan(&entry); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, entry)
	}
	execSQL(t, db, fmt.Sprintf(`DELETE FROM log_hashes WHERE id >= %d`, tlog.StoredHashIndex(0, leaf)), `DELETE FROM log_checkpoints`)
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			var h []byte
			if err := db.QueryRow(`SELECT hash FROM log_hashes WHERE id = ?`, x).Scan(&h); err != nil {
				return nil, err
			}
			out[i] = tlog.Hash(h)
		}
		return out, nil
	})
	for i, entry := range entries {
		n := leaf + int64(i)
		hashes, err := tlog.StoredHashes(n, entry, reader)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hashes {
			var own []byte
			if j == 0 {
				own = entry
			}
			if _, err := db.Exec(`INSERT INTO log_hashes (id, hash, entry) VALUES (?, ?, ?)`, tlog.StoredHashIndex(0, n)+int64(j), h[:], own); err != nil {
				t.Fatal(err)
			}
		}
	}
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		t.Fatal(err)
	}
	skey, err := os.ReadFile(filepath.Join(a.data, "log.key"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		t.Fatal(err)
	}
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: signer.Name(), Size: size, Root: root}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)`,
		size, root[:], string(signed), time.Now().UnixNano()); err != nil {
		t.Fatal(err)
	}
}
