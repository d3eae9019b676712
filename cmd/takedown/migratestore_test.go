package main

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/demo"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/postgres"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/sqlite"
)

// demoRecord is a data directory holding the demo's world, with its store's keys.
type demoRecord struct {
	data  string
	db    string // the --db URL; "" for the SQLite file in data
	key   string // the log's verifier key
	world *demo.World
	clock *takedown.SimClock
}

// seedDemo seeds the demo's world into a new data directory's store (PostgreSQL's schema at
// db, or SQLite's file when db is "") and publishes a checkpoint of its log.
func seedDemo(t *testing.T, db string) *demoRecord {
	t.Helper()
	r := &demoRecord{data: filepath.Join(t.TempDir(), "data"), db: db, clock: takedown.NewSimClock(time.Now().Add(-demo.History), time.Now)}
	if err := os.MkdirAll(r.data, 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	if r.key, err = publisher.CreateKey(logKeyPath(r.data), "authority.example/log"); err != nil {
		t.Fatal(err)
	}
	svc, s := r.open(t)
	defer s.Close()
	if r.world, err = demo.Seed(t.Context(), svc, r.clock); err != nil {
		t.Fatal(err)
	}
	r.checkpoint(t, s)
	return r
}

// open opens the record's store as the server does, with its service.
func (r *demoRecord) open(t *testing.T) (*casework.Service, store) {
	t.Helper()
	c := storeConfig{Data: r.data, DB: r.db, DBMaxConns: 4}
	s, v, err := c.open(r.clock)
	if err != nil {
		t.Fatal(err)
	}
	return casework.New(s, procedure.Default(), v), s
}

// checkpoint signs and stores a checkpoint of the log as it stands, with the record's key.
func (r *demoRecord) checkpoint(t *testing.T, s store) *takedown.Checkpoint {
	t.Helper()
	keys, err := publisher.LoadKeys(logKeyPath(r.data), "")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := publisher.New(s, keys, nil, r.clock, time.Second, slog.New(slog.DiscardHandler), prometheus.NewRegistry()).Cut(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// verifyLog runs takedown log verify, as the controller would, against a server on the
// store: the checkpoint's signature, the whole tree, and every event against its leaf.
func (r *demoRecord) verifyLog(t *testing.T, svc *casework.Service, s store) string {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Config{Log: publisher.Tiles(s, log)}, log, prometheus.NewRegistry()))
	defer srv.Close()
	out := cli(t, nil, 0, "log", "verify", "--server", srv.URL, "--token", r.world.Account("CONTROLLER").Token, "--key", r.key)
	contains(t, out, "events checked against their leaves", "OK")
	return out
}

// TestAdminMigrateStore: the demo's world, on SQLite, is copied into a new PostgreSQL
// schema; the command reports the log and every table identical; the copy then serves: its
// log verifies with the controller's token issued on SQLite, and new records continue its
// ids and its log.
func TestAdminMigrateStore(t *testing.T) {
	base := storetest.NeedPostgres(t)
	src := seedDemo(t, "")
	dsn := storetest.NewSchema(t, base)

	started := time.Now()
	out := cli(t, nil, 0, "admin", "migrate-store", "--from", "sqlite:"+filepath.Join(src.data, "takedown.db"), "--to", dsn)
	t.Logf("migrate-store of the demo's world in %s:\n%s", time.Since(started), out)
	contains(t, out, "copying ", "Copied ", "audit log size:", "audit log root:", "latest checkpoint:",
		"has the checkpoint's root: yes", "ROWS AND VALUES", "events ", "log_hashes ", "OK: the copy holds the same record")
	if strings.Contains(out, "DIFFERENT") {
		t.Errorf("the command reports a difference:\n%s", out)
	}

	_, srcStore := src.open(t)
	before, err := readLogState(t.Context(), srcStore)
	srcStore.Close()
	if err != nil {
		t.Fatal(err)
	}
	dst := &demoRecord{data: src.data, db: dsn, key: src.key, world: src.world, clock: src.clock}
	svc, s := dst.open(t)
	defer s.Close()
	copied, err := readLogState(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if copied.Size != before.Size || copied.Root != before.Root || !sameCheckpoint(copied.Checkpoint, before.Checkpoint) || before.Checkpoint == nil {
		t.Fatalf("the copy's log is %+v, the source's %+v", copied, before)
	}
	dst.verifyLog(t, svc, s)

	// The copy goes on: an operator and a user get the ids after the source's, and their
	// events the log's next leaves.
	local := takedown.NewContextWithUser(t.Context(), casework.LocalAdmin)
	maxOperator := maxID(t, dsn, "operators")
	op, err := svc.CreateOperator(local, takedown.OperatorInput{Name: "New Host After Migration", Kind: takedown.KindHost,
		Contact: "abuse@new-host.example", Languages: []string{"fr"}, Domains: []string{"new-host.test"}})
	if err != nil {
		t.Fatal(err)
	}
	maxUser := maxID(t, dsn, "users")
	u, _, err := svc.CreateUser(local, takedown.UserInput{Name: "Officer After Migration", Role: takedown.RoleOfficer})
	if err != nil {
		t.Fatal(err)
	}
	if op.ID != maxOperator+1 || u.ID != maxUser+1 {
		t.Errorf("new operator %d and user %d; want %d and %d, after the copied ones", op.ID, u.ID, maxOperator+1, maxUser+1)
	}
	after := dst.checkpoint(t, s)
	if after.Size <= before.Size {
		t.Errorf("after new records, the log's checkpoint is of size %d, not past the copy's %d", after.Size, before.Size)
	}
	out = dst.verifyLog(t, svc, s)
	contains(t, out, thousands(after.Size))
}

// maxID returns the largest id of a table in the schema at dsn.
func maxID(t *testing.T, dsn, table string) int64 {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM ` + table).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAdminMigrateStoreRefuses: bad arguments, a destination not migrated and one already
// holding a record are refused with what to do, and nothing is written.
func TestAdminMigrateStoreRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), "takedown.db")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	pg := "postgres://postgres@127.0.0.1:5432/test?search_path=takedown"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"--to", pg}, "from: is required"},
		{"source not sqlite:", []string{"--from", file, "--to", pg}, "must be sqlite:PATH"},
		{"source missing", []string{"--from", "sqlite:" + file + ".missing", "--to", pg}, "does not exist"},
		{"source a directory", []string{"--from", "sqlite:" + filepath.Dir(file), "--to", pg}, "is not a file"},
		{"destination not postgres://", []string{"--from", "sqlite:" + file, "--to", "sqlite:" + file}, "to: must be a postgres:// URL"},
		{"source not a takedown database", []string{"--from", "sqlite:" + file, "--to", pg}, "is not a takedown database"},
		{"source not a SQLite database", []string{"--from", "sqlite:" + garbage, "--to", pg}, "is not a SQLite database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := cli(t, nil, 2, append([]string{"admin", "migrate-store"}, tc.args...)...)
			contains(t, out, tc.want)
		})
	}

	base := storetest.NeedPostgres(t)
	src := seedDemo(t, "")
	from := "sqlite:" + filepath.Join(src.data, "takedown.db")

	t.Run("destination not migrated", func(t *testing.T) {
		dsn := rawSchema(t, base)
		out := cli(t, nil, 7, "admin", "migrate-store", "--from", from, "--to", dsn)
		contains(t, out, "run takedown migrate --db URL on it first")
	})
	t.Run("destination not empty", func(t *testing.T) {
		dsn := storetest.NewSchema(t, base)
		cli(t, nil, 0, "admin", "migrate-store", "--from", from, "--to", dsn)
		before := maxID(t, dsn, "events")
		out := cli(t, nil, 7, "admin", "migrate-store", "--from", from, "--to", dsn)
		contains(t, out, "the destination schema is not empty")
		if after := maxID(t, dsn, "events"); after != before {
			t.Errorf("the refused copy changed the destination: %d events, then %d", before, after)
		}
	})
}

// rawSchema creates an empty schema, not migrated, dropped after the test.
func rawSchema(t *testing.T, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	name := "test_raw_" + strings.ToLower(rand.Text()[:10])
	if _, err := db.Exec(`CREATE SCHEMA "` + name + `"`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec(`DROP SCHEMA "` + name + `" CASCADE`) })
	return storetest.WithSchema(base, name)
}

// TestMigrateStoreNamesDifferences: a copy that does not hold the source's record (a row
// more, a value changed, the tree's last hash changed behind the triggers) fails the verification, which names
// each difference.
func TestMigrateStoreNamesDifferences(t *testing.T) {
	base := storetest.NeedPostgres(t)
	src := seedDemo(t, "")
	dsn := storetest.NewSchema(t, base)
	var stderr strings.Builder
	s, err := openSource(&env{stderr: &stderr}, filepath.Join(src.data, "takedown.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	copied, err := postgres.CopyFrom(t.Context(), s.sql, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO exposures (user_id, day, views) VALUES (1, '2026-01-01', 3)`,
		`UPDATE cases SET priority = priority + 1 WHERE id = 1`,
		`ALTER TABLE log_hashes DISABLE TRIGGER log_hashes_no_update`,
		`UPDATE log_hashes SET hash = sha256(hash) WHERE id = (SELECT MAX(id) FROM log_hashes)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var out strings.Builder
	err = verifyMigration(t.Context(), &out, s, dsn, copied)
	if takedown.ErrorCode(err) != takedown.EINCONSISTENT {
		t.Fatalf("verification of a changed copy: %v, want an inconsistency\n%s", err, &out)
	}
	contains(t, err.Error(), "the audit log's root hash", "the copy's tree at the checkpoint's size", "the rows of exposures", "the values of cases")
	contains(t, out.String(), "DIFFERENT rows", "DIFFERENT values", "has the checkpoint's root: NO")
}

// TestAdminMigrateStoreMigratesAnOldSource: a SQLite file at an older schema version is
// brought up to date as it opens, and the command says so before copying it.
func TestAdminMigrateStoreMigratesAnOldSource(t *testing.T) {
	base := storetest.NeedPostgres(t)
	file := filepath.Join(t.TempDir(), "takedown.db")
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := filepath.Glob("../../sqlite/migrations/*.sql")
	if err != nil || len(scripts) < 2 {
		t.Fatalf("the SQLite migrations: %v, %v", scripts, err)
	}
	old := len(scripts) - 1 // every migration but the last
	for i, path := range scripts[:old] {
		body, err := os.ReadFile(path)
		if err == nil {
			_, err = db.Exec(string(body) + fmt.Sprintf(";CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY); INSERT INTO schema_migrations (version) VALUES (%d)", i+1))
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	db.Close()
	dsn := storetest.NewSchema(t, base)
	out := cli(t, nil, 0, "admin", "migrate-store", "--from", "sqlite:"+file, "--to", dsn)
	contains(t, out, fmt.Sprintf("has schema version %d: opening it brings it to version %d first", old, sqlite.Latest()), "OK: the copy holds the same record")
}
