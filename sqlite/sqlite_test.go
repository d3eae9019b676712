package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlite"
)

var clock = takedown.NewSimClock(time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC), nil)

// plain opens a database/sql connection to the file with the store's pragmas.
func plain(t *testing.T, path string) *sql.DB {
	t.Helper()
	pragmas := url.Values{"_pragma": {"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)"}}
	db, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func operator(name string) *takedown.Operator {
	return &takedown.Operator{Name: name, Kind: takedown.KindHost, Contact: "abuse@host.example",
		Languages: []string{"en"}, Domains: []string{"host.test"}, CreatedAt: clock.Now(), UpdatedAt: clock.Now()}
}

// openStore opens a store on a new file and closes it at the end of the test.
func openStore(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "takedown.db")
	db, err := sqlite.Open(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// names lists the operators in the store, sorted.
func names(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	var out []string
	err := db.View(context.Background(), func(tx takedown.Tx) error {
		list, _, err := tx.Operators(takedown.OperatorFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}})
		for _, o := range list {
			out = append(out, o.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// versions lists the schema versions recorded in the file.
func versions(t *testing.T, path string) []int {
	t.Helper()
	rows, err := plain(t, path).Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestMigrations proves that migrations are forward-only and idempotent: reopening a file
// applies nothing twice and keeps its data, and a file written by a newer version is refused
// rather than used with a schema this version does not know.
func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "takedown.db")
	for i := range 3 {
		db, err := sqlite.Open(path, clock)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		err = db.Update(context.Background(), func(tx takedown.Tx) error { return tx.CreateOperator(operator(fmt.Sprintf("Host %d", i))) })
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(t, db), []string{"Host 0", "Host 1", "Host 2"}[:i+1]; !slices.Equal(got, want) {
			t.Errorf("open %d: operators = %v, want %v", i+1, got, want)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	// The versions are those of the files' names: a branch may add a later migration before
	// another branch's earlier one is merged.
	var want []int
	for _, name := range files {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, v)
	}
	if got := versions(t, path); !slices.Equal(got, want) {
		t.Fatalf("schema versions after three opens = %v, want one each for the %d migrations: %v", got, len(files), want)
	}

	if _, err := plain(t, path).Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(path, clock)
	if err == nil {
		db.Close()
		t.Fatal("a database from a newer version was opened")
	}
	if !strings.Contains(err.Error(), "written by a newer version") || !strings.Contains(err.Error(), "9999") {
		t.Errorf("error = %v, want one saying a newer version wrote schema 9999", err)
	}
}

// TestFileSettings proves the durability and integrity settings: the file is in WAL mode,
// the writer enforces foreign keys, and reads cannot write.
func TestFileSettings(t *testing.T) {
	db, path := openStore(t)
	// WAL mode is a property of the file: a connection that does not ask for it sees it.
	bare, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	var mode string
	if err := bare.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}

	err = db.Update(context.Background(), func(tx takedown.Tx) error {
		return tx.CreateDelivery(&takedown.Delivery{MeasureID: 4242, CaseID: 4242, OperatorID: 4242, Kind: takedown.RemovalRequest,
			Purpose: takedown.PurposeAction, State: takedown.DeliverySent, SentAt: tx.Now()})
	})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		t.Errorf("delivery for a missing measure: error %v, want a foreign key violation", err)
	}

	err = db.View(context.Background(), func(tx takedown.Tx) error { return tx.CreateOperator(operator("Read-only host")) })
	if err == nil {
		t.Error("a write succeeded in a read transaction")
	}
	if got := names(t, db); len(got) != 0 {
		t.Errorf("operators after refused writes = %v", got)
	}
}

// TestCloseTwice proves that closing a store twice is harmless, as for database/sql, so that
// a deferred Close after an explicit one (or a test fixture's cleanup) cannot crash.
func TestCloseTwice(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "takedown.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := db.Close(); err != nil {
			t.Errorf("Close %d: %v", i+1, err)
		}
	}
	err = db.Update(context.Background(), func(tx takedown.Tx) error { return tx.CreateOperator(operator("Late host")) })
	if got := takedown.ErrorCode(err); got != takedown.EUNAVAILABLE {
		t.Errorf("Update after Close: %v, want unavailable", err)
	}
}
