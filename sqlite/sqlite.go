// Package sqlite is the embedded store: one SQLite file in the data directory (modernc.org/
// sqlite, no cgo), in WAL mode with foreign keys and full synchronous commits, so that an
// acknowledged change survives a crash, with embedded forward-only migrations.
//
// The store owns its connections: one writer, used only by the group committer (see
// sqlstore/commit.go), and a small pool of read-only readers. Each connection keeps its own prepared
// statements, since parsing SQL is a large part of the cost of a small write, and begins and
// ends its transactions itself.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationPrograms do, for their migration, what SQL cannot. They run with this version's
// code, which reads and writes this version's schema: so they run, in order, once every
// migration's SQL has, in the same transaction.
var migrationPrograms = map[int]func(*sqlstore.Tx) error{
	3: (*sqlstore.Tx).LogExistingEvents,   // hash the events that precede the audit log into it
	4: (*sqlstore.Tx).ListMeasuresInForce, // version 1 of the lists in force
}

// DB is a takedown.Store on one SQLite file.
type DB struct {
	pool    *sql.DB
	writer  *conn // until the committer takes it over, for the migrations
	commits *sqlstore.Committer
	readers chan *conn
	clock   takedown.Clock
	closing chan struct{}
	closed  sync.Once
	err     error // of Close
}

var _ takedown.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its schema up to date.
func Open(path string, clock takedown.Clock) (*DB, error) {
	// A new database file is readable by its owner only; SQLite gives its WAL and
	// shared-memory files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f.Close()
	pragmas := url.Values{"_pragma": {"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"}}
	pool, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	pool.SetMaxOpenConns(readers + 2) // the writer, the readers, and a spare to replace a broken one
	pool.SetMaxIdleConns(readers + 2)
	db := &DB{pool: pool, clock: clock, readers: make(chan *conn, readers),
		closing: make(chan struct{})}
	fail := func(err error) (*DB, error) {
		db.closeConns(len(db.readers))
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	if db.writer, err = newConn(pool, ""); err != nil {
		return fail(err)
	}
	if err := db.migrate(); err != nil {
		return fail(err)
	}
	for range readers {
		c, err := newConn(pool, "PRAGMA query_only = 1")
		if err != nil {
			return fail(err)
		}
		db.readers <- c
	}
	db.commits = sqlstore.NewCommitter("sqlite", db.writer, []string{"BEGIN IMMEDIATE"},
		func(w sqlstore.WriteConn) sqlstore.WriteConn { return db.renew(w.(*conn)) }, clock, dialect{})
	db.writer = nil
	return db, nil
}

// Close waits for the batch being committed and the reads in progress, and closes the
// database. Closing again does nothing.
func (db *DB) Close() error {
	db.closed.Do(func() {
		close(db.closing)
		db.commits.Close()
		db.writer = db.commits.Conn().(*conn)
		db.err = db.closeConns(cap(db.readers))
	})
	return db.err
}

// closeConns closes the writer and n readers, waiting for readers in use to come back.
func (db *DB) closeConns(n int) error {
	var errs []error
	if db.writer != nil {
		errs = append(errs, db.writer.close())
	}
	for range n {
		errs = append(errs, (<-db.readers).close())
	}
	return errors.Join(append(errs, db.pool.Close())...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.PingContext(ctx) }

// Lead runs lead until ctx is done: one process holds the file, and it always leads (the
// scheduler, the checkpoints, the outbox). PostgreSQL's store elects one of its replicas.
func (db *DB) Lead(ctx context.Context, _ *slog.Logger, lead func(context.Context)) { lead(ctx) }

// Update runs fn in a write transaction, committed with the other writes waiting (see
// sqlstore.Committer), and returns once the change is durable.
func (db *DB) Update(ctx context.Context, fn func(takedown.Tx) error) error {
	return db.commits.Update(ctx, fn)
}

// View runs fn in a read transaction on a snapshot of the database.
func (db *DB) View(ctx context.Context, fn func(takedown.Tx) error) (err error) {
	var c *conn
	select {
	case c = <-db.readers:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return sqlstore.ErrClosed
	}
	if err := c.Raw("BEGIN"); err != nil {
		db.readers <- db.renew(c)
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if rerr := c.Raw("ROLLBACK"); rerr != nil {
			c = db.renew(c) // never hand out a connection stuck in a transaction
			if err == nil {
				err = fmt.Errorf("sqlite: end read: %w", rerr)
			}
		}
		db.readers <- c
	}()
	return fn(sqlstore.NewTx(c, db.clock.Now(), dialect{}))
}

// renew replaces a connection whose state is unknown (a failed BEGIN or ROLLBACK) by a new one
// with the same setup. If no new one can be opened, it keeps the old one: its next BEGIN will
// fail with the reason, and the next renew will try again.
func (db *DB) renew(c *conn) *conn {
	fresh, err := newConn(db.pool, c.setup)
	if err != nil {
		return c
	}
	c.discard()
	return fresh
}

// dialect is SQLite's: '?' placeholders as they are.
type dialect struct{}

func (dialect) Rebind(q string) string { return q }

// Unindexed is SQLite's unary +, which keeps a term off the indexes.
func (dialect) Unindexed(column string) string { return "+" + column }

func (dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// migrateTo runs the SQL of the pending migrations, then their programs, in one transaction.
func (db *DB) migrateTo(script string, pending []int) error {
	w := db.writer
	if err := w.Raw("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err := w.Raw(script)
	for _, version := range pending {
		if program := migrationPrograms[version]; err == nil && program != nil {
			err = program(sqlstore.NewTx(w, db.clock.Now(), dialect{}))
		}
	}
	if err == nil {
		err = w.Raw("COMMIT")
	}
	if err != nil {
		w.Raw("ROLLBACK")
	}
	return err
}

// Latest is the schema version this takedown knows.
func Latest() int {
	list, _ := sqlstore.Migrations(migrations)
	return sqlstore.Latest(list)
}

// migrate applies the embedded migrations that the database has not seen, in one
// transaction, and refuses a database written by a newer version.
func (db *DB) migrate() error {
	w := db.writer
	if err := w.Raw(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := w.c.QueryRowContext(context.Background(), `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	list, err := sqlstore.Migrations(migrations)
	if err != nil {
		return err
	}
	latest := sqlstore.Latest(list)
	var pending []int
	var script strings.Builder
	for _, m := range list {
		if m.Version <= current {
			continue
		}
		body, err := migrations.ReadFile(m.File)
		if err != nil {
			return err
		}
		fmt.Fprintf(&script, "%s\n;INSERT INTO schema_migrations (version) VALUES (%d);\n", body, m.Version)
		pending = append(pending, m.Version)
	}
	if len(pending) > 0 {
		if err := db.migrateTo(script.String(), pending); err != nil {
			return fmt.Errorf("migrate to version %d: %w", latest, err)
		}
	}
	if current > latest {
		return fmt.Errorf("the database has schema version %d but this takedown knows only up to %d: it was written by a newer version", current, latest)
	}
	return nil
}
