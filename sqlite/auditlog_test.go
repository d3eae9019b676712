package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/sqlite"
)

// event returns an event of the record, as casework writes one.
func event(i int) *takedown.Event {
	return &takedown.Event{At: clock.Now(), Kind: takedown.EventCaseAccepted, ActorID: 7, ActorRole: "officer",
		CaseID: int64(i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
}

// appendEvents appends n events, each in its own transaction.
func appendEvents(t *testing.T, db *sqlite.DB, n int) []*takedown.Event {
	t.Helper()
	var out []*takedown.Event
	for i := range n {
		e := event(i)
		if err := db.Update(context.Background(), func(tx takedown.Tx) error { return tx.AppendEvent(e) }); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// treeOf computes the root of the tree of these entries with tlog, from scratch.
func treeOf(t *testing.T, entries [][]byte) tlog.Hash {
	t.Helper()
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n, e := range entries {
		hs, err := tlog.StoredHashes(int64(n), e, r)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	root, err := tlog.TreeHash(int64(len(entries)), r)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestAppendEventLogsIt: each event gets the next id, a salt, and a leaf whose entry
// commits to it; the stored tree is the tree of those entries.
func TestAppendEventLogsIt(t *testing.T) {
	db, _ := openStore(t)
	written := appendEvents(t, db, 300) // more than a tile
	err := db.View(context.Background(), func(tx takedown.Tx) error {
		size, err := tx.LogSize()
		if err != nil {
			return err
		}
		if size != 300 {
			t.Errorf("log size = %d, want 300", size)
		}
		entries, err := tx.LogEntries(0, size)
		if err != nil {
			return err
		}
		for i, e := range written {
			if e.ID != int64(i+1) || len(e.Salt) != auditlog.SaltSize {
				t.Fatalf("event %d: id %d, salt of %d bytes", i, e.ID, len(e.Salt))
			}
			read, err := tx.Event(e.ID)
			if err != nil {
				return err
			}
			if err := auditlog.CheckEvent(read, entries[i]); err != nil {
				t.Errorf("event %d read back: %v", e.ID, err)
			}
		}
		got, err := tlog.TreeHash(size, auditlog.HashReader(tx))
		if err != nil {
			return err
		}
		if want := treeOf(t, entries); got != want {
			t.Errorf("stored tree hash = %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedWriteLeavesNoLeaf: a change that fails after appending its event is rolled back
// with its leaf (its savepoint, in a batch of the group commit); the next event takes the
// free index. Neither the change nor its leaf survives without the other.
func TestFailedWriteLeavesNoLeaf(t *testing.T) {
	db, _ := openStore(t)
	appendEvents(t, db, 3)
	failed := errors.New("the change failed after its event")
	err := db.Update(context.Background(), func(tx takedown.Tx) error {
		if err := tx.AppendEvent(event(99)); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update = %v, want the change's error", err)
	}
	next := appendEvents(t, db, 1)[0]
	if next.ID != 4 {
		t.Errorf("the next event has id %d, want 4", next.ID)
	}
	db.View(context.Background(), func(tx takedown.Tx) error {
		if size, _ := tx.LogSize(); size != 4 {
			t.Errorf("log size = %d, want 4", size)
		}
		return nil
	})
}

// TestTheLogIsAppendOnly: the schema refuses to change or delete a leaf, a hash, an event
// or a checkpoint, even to someone writing SQL to the file.
func TestTheLogIsAppendOnly(t *testing.T) {
	db, path := openStore(t)
	appendEvents(t, db, 2)
	cp := &takedown.Checkpoint{Size: 2, Root: make([]byte, 32), Note: "takedown.example/log\n2\n…\n", SignedAt: clock.Now()}
	if err := db.Update(context.Background(), func(tx takedown.Tx) error { return tx.CreateCheckpoint(cp) }); err != nil {
		t.Fatal(err)
	}
	raw := plain(t, path)
	for _, stmt := range []string{
		`UPDATE log_hashes SET entry = x'00' WHERE id = 0`,
		`UPDATE events SET salt = x'00' WHERE id = 1`,
		`UPDATE log_hashes SET hash = x'00' WHERE id = 0`,
		`DELETE FROM log_hashes`,
		`UPDATE events SET data = '{}' WHERE id = 1`,
		`DELETE FROM events WHERE id = 2`,
		`UPDATE log_checkpoints SET note = '' WHERE size = 2`,
		`DELETE FROM log_checkpoints`,
	} {
		if _, err := raw.Exec(stmt); err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
}

// TestCheckpoints: stored once per size, listed newest first with pages, found by size.
func TestCheckpoints(t *testing.T) {
	db, _ := openStore(t)
	ctx := context.Background()
	for _, size := range []int64{1, 2, 5} {
		cp := &takedown.Checkpoint{Size: size, Root: make([]byte, 32), Note: fmt.Sprintf("note %d\n", size), SignedAt: clock.Now()}
		if err := db.Update(ctx, func(tx takedown.Tx) error { return tx.CreateCheckpoint(cp) }); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Update(ctx, func(tx takedown.Tx) error {
		return tx.CreateCheckpoint(&takedown.Checkpoint{Size: 2, Root: make([]byte, 32), Note: "again\n", SignedAt: clock.Now()})
	})
	if takedown.ErrorCode(err) != takedown.ECONFLICT {
		t.Errorf("a second checkpoint of size 2: %v, want a conflict", err)
	}
	db.View(ctx, func(tx takedown.Tx) error {
		latest, err := tx.LatestCheckpoint()
		if err != nil || latest.Size != 5 {
			t.Errorf("latest = %+v, %v; want size 5", latest, err)
		}
		first, next, err := tx.Checkpoints(takedown.Page{Limit: 2})
		if err != nil || len(first) != 2 || first[0].Size != 5 || first[1].Size != 2 || next == "" {
			t.Errorf("first page = %v, %q, %v", first, next, err)
		}
		rest, next, err := tx.Checkpoints(takedown.Page{Limit: 2, Cursor: next})
		if err != nil || len(rest) != 1 || rest[0].Size != 1 || next != "" {
			t.Errorf("second page = %v, %q, %v", rest, next, err)
		}
		if _, err := tx.Checkpoint(3); takedown.ErrorCode(err) != takedown.ENOTFOUND {
			t.Errorf("checkpoint 3: %v, want not found", err)
		}
		return nil
	})
}

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
		if err != nil || got != treeOf(t, entries) {
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
