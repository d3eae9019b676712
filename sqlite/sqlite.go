// Package sqlite is the embedded store: one SQLite file in the data directory (modernc.org/
// sqlite, no cgo), in WAL mode with foreign keys, full synchronous commits so that an
// acknowledged change survives a crash, and embedded forward-only migrations. Writes go
// through one connection, so they are serialised in Go rather than retried on SQLITE_BUSY;
// reads use a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a takedown.Store on one SQLite file.
type DB struct {
	write *sql.DB
	read  *sql.DB
	clock takedown.Clock
}

var _ takedown.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its schema up to date.
func Open(path string, clock takedown.Clock) (*DB, error) {
	pragmas := url.Values{"_pragma": {"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"}}
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	db := &DB{write: write, clock: clock}
	if err := db.migrate(); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	pragmas["_pragma"] = append(pragmas["_pragma"], "query_only(1)")
	if db.read, err = sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Update runs fn in a write transaction. The transaction's time is taken after the write
// lock is held, so timestamps follow the order of commits.
func (db *DB) Update(ctx context.Context, fn func(takedown.Tx) error) error {
	return db.run(ctx, db.write, fn)
}

// View runs fn in a read transaction on a snapshot of the database.
func (db *DB) View(ctx context.Context, fn func(takedown.Tx) error) error {
	return db.run(ctx, db.read, fn)
}

func (db *DB) run(ctx context.Context, conn *sql.DB, fn func(takedown.Tx) error) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(sqlstore.NewTx(tx, db.clock.Now(), dialect{})); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// dialect is SQLite's: '?' placeholders as they are.
type dialect struct{}

func (dialect) Rebind(q string) string { return q }

func (dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// migrate applies the embedded migrations that the database has not seen, each in its own
// transaction, and refuses a database written by a newer version.
func (db *DB) migrate() error {
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	latest := 0
	for _, name := range files {
		version, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", name)
		}
		latest = version
		if version <= current {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %s: %w", name, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_migrations (version) VALUES (?)`, version); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate: %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate: %s: %w", name, err)
		}
	}
	if current > latest {
		return fmt.Errorf("the database has schema version %d but this takedown knows only up to %d: it was written by a newer version", current, latest)
	}
	return nil
}
