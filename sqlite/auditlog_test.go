package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/sqlite"
)

// schemaAt makes, at path, a database as the given migrations left it, without their
// programs, and returns a plain connection to it.
func schemaAt(t *testing.T, path string, migrations ...string) *sql.DB {
	t.Helper()
	raw := plain(t, path)
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range migrations {
		body, err := os.ReadFile("migrations/" + name + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?)`, i+1); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// TestMigrationLogsExistingEvents: a database made before the audit log (schema version 2)
// has its events hashed into the log when it is opened, each with its own salt, in id order.
func TestMigrationLogsExistingEvents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "takedown.db")
	raw := schemaAt(t, path, "0001_init", "0002_reports_counted")
	for i := 1; i <= 600; i++ {
		if _, err := raw.Exec(`INSERT INTO events (at, kind, actor_id, actor_role, case_id, data) VALUES (?, 'case.accepted', 7, 'officer', ?, ?)`,
			clock.Now().UnixNano(), i, fmt.Sprintf(`{"n":%d}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(context.Background(), func(tx takedown.Tx) error {
		size, err := tx.LogSize()
		if err != nil || size != 600 {
			t.Fatalf("log size = %d, %v; want 600", size, err)
		}
		entries, err := tx.LogEntries(0, size)
		if err != nil {
			t.Fatal(err)
		}
		events, _, err := tx.Events(takedown.EventFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if err := auditlog.CheckEvent(e, entries[auditlog.LeafIndex(e.ID)]); err != nil {
				t.Errorf("event %d: %v", e.ID, err)
			}
		}
		got, err := tlog.TreeHash(size, auditlog.HashReader(tx))
		if err != nil || got != storetest.TreeOf(t, entries) {
			t.Errorf("tree hash = %v, %v; not the tree of the entries", got, err)
		}
		return nil
	})
}

// TestMigrationVersionsListsInForce: a database made before the lists had versions (schema
// version 3) gets version 1 of each list from its measures in force, and nothing from the
// others.
func TestMigrationVersionsListsInForce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "takedown.db")
	raw := schemaAt(t, path, "0001_init", "0002_reports_counted", "0003_audit_log")
	now := clock.Now().UnixNano()
	if _, err := raw.Exec(`INSERT INTO cases (id, state, priority, offence, opened_at, updated_at) VALUES (1, 'approved', 0, 'terrorism-apology', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		kind, state, targets string
		subtree              int
	}{
		{"blocking", "in_force", `["a.example","b.example"]`, 0},
		{"blocking", "in_force", `["b.example"]`, 1},
		{"blocking", "lifted", `["c.example"]`, 0},
		{"removal_request", "issued", `["https://d.example/"]`, 0},
	} {
		if _, err := raw.Exec(`INSERT INTO measures (case_id, kind, state, targets, subtree, offence, reasons, publisher_unidentified, emergency, proposed_by, proposed_at)
			VALUES (1, ?, ?, ?, ?, 'terrorism-apology', '', '', '', 7, ?)`, m.kind, m.state, m.targets, m.subtree, now); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := sqlite.Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(context.Background(), func(tx takedown.Tx) error {
		changes, err := tx.ListChanges(takedown.Blocking, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, fmt.Sprintf("%d %v %s %v %d", c.Version, c.Added, c.Target, c.Subtree, c.MeasureID))
		}
		if want := []string{"1 true a.example false 1", "1 true b.example true 1"}; !slices.Equal(got, want) {
			t.Errorf("version 1 of the blocking list: %q, want %q", got, want)
		}
		if _, err := tx.LatestListVersion(takedown.Dereferencing); takedown.ErrorCode(err) != takedown.ENOTFOUND {
			t.Errorf("dereferencing list: %v, want no version", err)
		}
		return nil
	})
}
