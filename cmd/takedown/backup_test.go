package main

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/postgres"
)

// TestPostgresBackupAndRestore: a schema holding the demo's world is dumped with pg_dump
// and restored with pg_restore into a new database, as docs/operations.md tells; the
// restored copy, opened with the same data directory's keys, holds the same audit log (size,
// root, latest checkpoint) and rows, its log verifies, and it goes on numbering after the
// restored ids.
func TestPostgresBackupAndRestore(t *testing.T) {
	base := storetest.NeedPostgres(t)
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is missing (apt-get install postgresql-client): %v", tool, err)
		}
	}
	dsn := storetest.NewSchema(t, base)
	r := seedDemo(t, dsn)
	schema := searchPath(t, dsn)

	dump := filepath.Join(t.TempDir(), "takedown.dump")
	runTool(t, "pg_dump", "--dbname="+base, "--schema="+schema, "--format=custom", "--file="+dump)
	restoredDB := newDatabase(t, base)
	runTool(t, "pg_restore", "--dbname="+restoredDB, "--exit-on-error", "--no-owner", dump)

	_, orig := r.open(t)
	want, err := readLogState(t.Context(), orig)
	orig.Close()
	if err != nil {
		t.Fatal(err)
	}
	restored := &demoRecord{data: r.data, db: storetest.WithSchema(restoredDB, schema), key: r.key, world: r.world, clock: r.clock}
	svc, s := restored.open(t)
	defer s.Close()
	got, err := readLogState(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if got.Size != want.Size || got.Root != want.Root || !sameCheckpoint(got.Checkpoint, want.Checkpoint) || !got.Covered {
		t.Fatalf("the restored log is %+v, the original %+v", got, want)
	}
	if a, b := summaries(t, dsn), summaries(t, restored.db); !slices.Equal(a, b) {
		t.Errorf("the original's tables %v, the restored copy's %v", a, b)
	}
	restored.verifyLog(t, svc, s)

	local := takedown.NewContextWithUser(t.Context(), casework.LocalAdmin)
	next := maxID(t, restored.db, "users") + 1
	if u, _, err := svc.CreateUser(local, takedown.UserInput{Name: "Officer After Restore", Role: takedown.RoleOfficer}); err != nil || u.ID != next {
		t.Errorf("a user added after the restore: %v, %v; want id %d", u, err, next)
	}
}

// runTool runs a PostgreSQL client program, failing the test with its output if it fails.
func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.CommandContext(t.Context(), name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// searchPath returns the schema a DSN names.
func searchPath(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("search_path")
}

// newDatabase creates a database beside base's, dropped after the test, and returns its URL.
func newDatabase(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := "test_restore_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// summaries summarizes every table (rows and values) of the schema at dsn.
func summaries(t *testing.T, dsn string) []postgres.TableSummary {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if len(tables) < 20 {
		t.Fatalf("%s has %d tables: %v", postgres.Redact(dsn), len(tables), tables)
	}
	counts, err := postgres.Summarize(t.Context(), db, tables)
	if err != nil {
		t.Fatal(err)
	}
	return counts
}
