// Package storetest opens the store a test runs on: a new SQLite file by default, or, when
// TAKEDOWN_TEST_DB holds a postgres:// URL, a new schema of that database, dropped after the
// test. The same tests thus run on both stores (make check runs them twice).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for SQL
	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // database/sql driver for SQL

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/postgres"
	"github.com/takedown-project/takedown/sqlite"
)

// EnvDB names the environment variable holding the PostgreSQL database tests run on.
const EnvDB = "TAKEDOWN_TEST_DB"

// DB is a store opened for a test.
type DB interface {
	takedown.Store
	Close() error
}

// Store is the test's store, with what tests need around it.
type Store struct {
	DB
	// Postgres is the DSN of the test's schema; "" on SQLite.
	Postgres string
	// Dir is the test's directory: the SQLite file on SQLite, and the keys in both cases.
	Dir   string
	clock takedown.Clock
	sql   *Raw
}

// PostgresURL returns the database the tests run on, or "" for SQLite.
func PostgresURL() string { return os.Getenv(EnvDB) }

// NeedPostgres returns the database the tests run on, or skips a test that needs one.
func NeedPostgres(t testing.TB) string {
	t.Helper()
	u := PostgresURL()
	if u == "" {
		t.Skip("needs PostgreSQL: " + EnvDB + ", such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable (make check sets it)")
	}
	return u
}

// Open opens a new, empty store for t, closed (and on PostgreSQL dropped) after it.
func Open(t testing.TB, clock takedown.Clock) *Store {
	t.Helper()
	s := &Store{Dir: t.TempDir(), clock: clock}
	if base := PostgresURL(); base != "" {
		s.Postgres = NewSchema(t, base)
	}
	s.DB = s.open(t)
	return s
}

// NewSchema creates a schema in the database at base, migrated to the latest version, and
// returns a DSN that uses it; the schema is dropped after the test.
func NewSchema(t testing.TB, base string) string {
	t.Helper()
	dsn := NewEmptySchema(t, base)
	if _, _, err := postgres.Migrate(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// NewEmptySchema creates an empty schema, dropped after the test, and returns its DSN.
func NewEmptySchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("%s=%s: %v", EnvDB, postgres.Redact(base), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSchema(base, schema)
}

// WithSchema returns dsn with its search_path set to schema.
func WithSchema(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		panic(fmt.Sprintf("storetest: %s: %v", EnvDB, err))
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func (s *Store) open(t testing.TB) DB {
	t.Helper()
	var db DB
	var err error
	if s.Postgres != "" {
		db, err = postgres.Open(context.Background(), s.Postgres, s.clock, postgres.Options{MaxConns: 8})
	} else {
		db, err = sqlite.Open(s.File(), s.clock)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Reopen closes the store and opens it again on the same data, as a restarted server would.
func (s *Store) Reopen(t testing.TB) {
	t.Helper()
	if err := s.DB.Close(); err != nil {
		t.Fatal(err)
	}
	s.DB = s.open(t)
}

// File is the SQLite file (which a PostgreSQL store does not use).
func (s *Store) File() string { return filepath.Join(s.Dir, "takedown.db") }

// SQLiteOnly skips a test about SQLite's own file on PostgreSQL.
func (s *Store) SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if s.Postgres != "" {
		t.Skip("SQLite only: " + why)
	}
}

// SQL is a second, plain connection to the store's database, for tests that read or tamper
// behind the store's back. Queries are written with '?' placeholders, as in sqlstore.
func (s *Store) SQL(t testing.TB) *Raw {
	t.Helper()
	if s.sql == nil {
		s.sql = OpenRaw(t, s.Postgres, s.File())
	}
	return s.sql
}

// OpenRaw opens a plain connection to the PostgreSQL database at dsn or, when dsn is "", to
// the SQLite file, as a database administrator could; it is closed after the test.
func OpenRaw(t testing.TB, dsn, file string) *Raw {
	t.Helper()
	var db *sql.DB
	var err error
	if dsn != "" {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+file+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Raw{db: db, postgres: dsn != ""}
}

// Raw runs plain SQL on the test's database.
type Raw struct {
	db       *sql.DB
	postgres bool
}

// Rebind rewrites '?' placeholders into the database's style.
func (r *Raw) Rebind(q string) string {
	if r.postgres {
		return postgres.Rebind(q)
	}
	return q
}

// Exec runs a statement.
func (r *Raw) Exec(q string, args ...any) (sql.Result, error) { return r.db.Exec(r.Rebind(q), args...) }

// Query runs a query.
func (r *Raw) Query(q string, args ...any) (*sql.Rows, error) {
	return r.db.Query(r.Rebind(q), args...)
}

// QueryRow runs a query for one row.
func (r *Raw) QueryRow(q string, args ...any) *sql.Row { return r.db.QueryRow(r.Rebind(q), args...) }

// DisableTrigger drops (SQLite) or disables (PostgreSQL) one of the schema's triggers, as a
// tamperer with the database's credentials would.
func (r *Raw) DisableTrigger(table, trigger string) error {
	q := `DROP TRIGGER ` + trigger
	if r.postgres {
		q = `ALTER TABLE ` + table + ` DISABLE TRIGGER ` + trigger
	}
	_, err := r.db.Exec(q)
	return err
}

// TreeOf computes the root of the tree of these log entries with tlog, from scratch.
func TreeOf(t testing.TB, entries [][]byte) tlog.Hash {
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

// CheckLog reads the whole audit log in tx and checks it: every event against its leaf, in
// order from id 1, and the stored tree against the tree of the leaves computed anew. It
// returns the events, for the caller's own checks.
func CheckLog(t testing.TB, tx takedown.Tx) []*takedown.Event {
	t.Helper()
	size, err := tx.LogSize()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := tx.LogEntries(0, size)
	if err != nil {
		t.Fatal(err)
	}
	events := make([]*takedown.Event, size)
	for i := range size {
		if events[i], err = tx.Event(i + 1); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		if err := auditlog.CheckEvent(events[i], entries[i]); err != nil {
			t.Errorf("event %d: %v", i+1, err)
		}
	}
	got, err := tlog.TreeHash(size, auditlog.HashReader(tx))
	if err != nil {
		t.Fatal(err)
	}
	if want := TreeOf(t, entries); got != want {
		t.Errorf("stored tree hash = %v, want %v", got, want)
	}
	return events
}
