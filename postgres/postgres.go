// Package postgres is the store for production and scale-out: PostgreSQL through pgx's
// database/sql driver, with the query layer of sqlstore and this dialect's embedded
// migrations. Several serve processes may share one database: writes are serialised by a
// transaction-level advisory lock, so that the audit log's leaves stay strictly ordered and
// gap-free and every use case sees the state the previous one left, as with SQLite's single
// writer; each process commits the writes waiting in it together (sqlstore.Committer), on one
// connection of its own; reads run in parallel on snapshots; one process at a time leads (see
// Lead).
//
// The schema is the one of the database's search_path (the DSN's search_path parameter, or
// the user's default), so that one database can hold several authorities' or tests' schemas;
// the advisory locks are per schema.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options are the connection pool's settings.
type Options struct {
	// MaxConns bounds the connections this process opens (default 16, at least 3: the
	// writer, the leader's lock and a read). Every replica opens its own: their sum must stay
	// under the server's max_connections.
	MaxConns int
}

// connLifetime closes older connections, so that a pooler or a fail-over of the database
// (a new primary behind the same address) is followed.
const connLifetime = 30 * time.Minute

// DB is a takedown.Store on a PostgreSQL schema.
type DB struct {
	pool  *sql.DB
	clock takedown.Clock
	lock  int32 // the schema's advisory lock class: hashtext(current_schema())
	// commits runs the process's writes, one batch at a time, on a connection of its own:
	// writes are serialised by the lock anyway, and waiting in the process (first come,
	// first served) rather than on the lock keeps the other connections for reads.
	commits *sqlstore.Committer
}

// pgConn is the writer's connection.
type pgConn struct{ *sql.Conn }

func (c pgConn) Raw(stmt string) error {
	_, err := c.ExecContext(context.Background(), stmt)
	return err
}

var _ takedown.Store = (*DB)(nil)

// The advisory locks of a schema, as the second key of pg_advisory_lock(class, key).
const (
	writeLock   = 1 // held by each write transaction
	leaderLock  = 2 // held by the leading process's session
	migrateLock = 3 // held while migrations run
)

// IsURL reports whether a --db value names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// connect opens the pool and reads the schema's lock class.
func connect(ctx context.Context, dsn string, o Options) (*sql.DB, int32, error) {
	if !IsURL(dsn) {
		return nil, 0, takedown.Invalid("db", "%q is not a postgres:// URL", Redact(dsn))
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: %s: %w", Redact(dsn), err)
	}
	conns := o.MaxConns
	if conns <= 0 {
		conns = 16
	}
	conns = max(conns, 3)
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxLifetime(connLifetime)
	var schema sql.NullString
	var class int32
	err = pool.QueryRowContext(ctx, `SELECT current_schema(), hashtext(COALESCE(current_schema(), ''))`).Scan(&schema, &class)
	if err == nil && !schema.Valid {
		err = errors.New("the search_path names no schema that exists: create it, or name one that does")
	}
	if err != nil {
		pool.Close()
		return nil, 0, fmt.Errorf("postgres: %s: %w", Redact(dsn), err)
	}
	return pool, class, nil
}

// Open connects to the database at dsn (a postgres:// URL) and checks that its schema is the
// one this version of takedown knows. It does not migrate: a schema that is behind is
// refused with the command that brings it up to date (takedown migrate, see Migrate), so
// that an upgrade is a deliberate step, taken once, not a race between replicas.
func Open(ctx context.Context, dsn string, clock takedown.Clock, o Options) (*DB, error) {
	pool, class, err := connect(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	db := &DB{pool: pool, clock: clock, lock: class}
	current, err := schemaVersion(ctx, pool)
	if err == nil {
		err = checkVersion(current)
	}
	var writer *sql.Conn
	if err == nil {
		writer, err = pool.Conn(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", Redact(dsn), err)
	}
	begin := []string{"BEGIN", fmt.Sprintf("SELECT pg_advisory_xact_lock(%d, %d)", class, writeLock)}
	db.commits = sqlstore.NewCommitter("postgres", pgConn{writer}, begin, db.renew, clock, dialect{})
	return db, nil
}

// ErrSchemaBehind is wrapped by Open's error when the database needs takedown migrate.
var ErrSchemaBehind = errors.New("the schema is behind")

func checkVersion(current int) error {
	latest := Latest()
	switch {
	case current < latest:
		return fmt.Errorf("%w: the database has schema version %d and this takedown needs %d: run takedown migrate --db URL first (back the database up before)",
			ErrSchemaBehind, current, latest)
	case current > latest:
		return fmt.Errorf("the database has schema version %d but this takedown knows only up to %d: it was written by a newer version", current, latest)
	}
	return nil
}

// Close waits for the batch being committed and closes the connections. Closing again does
// nothing.
func (db *DB) Close() error {
	db.commits.Close()
	db.commits.Conn().(pgConn).Close()
	return db.pool.Close()
}

// renew replaces the writer's connection, whose state is unknown (a ROLLBACK failed), by a
// new one; if none can be had, it keeps the old one: its next BEGIN fails with the reason,
// and the next renew tries again.
func (db *DB) renew(w sqlstore.WriteConn) sqlstore.WriteConn {
	fresh, err := db.pool.Conn(context.Background())
	if err != nil {
		return w
	}
	old := w.(pgConn)
	old.Conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool closes it, and its session
	old.Close()
	return pgConn{fresh}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.PingContext(ctx) }

// Update runs fn in a write transaction, after every write before it: the batch it is
// committed with first takes the schema's write lock, and fn's time is read once the lock is
// held, so that timestamps follow the order of commits whichever replica writes. When Update
// returns nil the COMMIT is durable (with PostgreSQL's default synchronous_commit).
func (db *DB) Update(ctx context.Context, fn func(takedown.Tx) error) error {
	return db.commits.Update(ctx, fn)
}

// View runs fn in a read-only transaction on one snapshot of the database.
func (db *DB) View(ctx context.Context, fn func(takedown.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := db.pool.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return unavailable("begin", err)
	}
	defer tx.Rollback()
	return fn(sqlstore.NewTx(tx, db.clock.Now(), dialect{}))
}

// unavailable wraps a failure of the database itself (not of the use case) as EUNAVAILABLE,
// keeping the cause for the log.
func unavailable(step string, err error) error {
	return sqlstore.Unavailable(fmt.Errorf("postgres: %s: %w", step, err))
}

// Redact returns dsn without its password, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a database URL that does not parse)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// dialect is PostgreSQL's: $n placeholders.
type dialect struct{}

// rebound caches the rewritten queries: the store's texts are a fixed set.
var rebound sync.Map

func (dialect) Rebind(q string) string {
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	r := Rebind(q)
	rebound.Store(q, r)
	return r
}

// Rebind rewrites each '?' of q outside a string literal as $1, $2, …: sqlstore's queries,
// written for both dialects, in PostgreSQL's.
func Rebind(q string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Unindexed leaves the choice to PostgreSQL's planner, which weighs the range by its statistics.
func (dialect) Unindexed(column string) string { return column }

func (dialect) IsUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// Latest is the schema version this takedown knows.
func Latest() int {
	list, _ := sqlstore.Migrations(migrations)
	return sqlstore.Latest(list)
}

// schemaVersion reads the schema's version: 0 for an empty schema.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Migrate brings the schema at dsn up to date, each pending migration with its version in
// one transaction, under the schema's migration lock (two replicas upgrading at once take
// turns). It returns the versions before and after.
func Migrate(ctx context.Context, dsn string) (from, to int, err error) {
	pool, class, err := connect(ctx, dsn, Options{MaxConns: 1})
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	list, err := sqlstore.Migrations(migrations)
	if err != nil {
		return 0, 0, err
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, class, migrateLock); err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)`); err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	from, err = schemaVersion(ctx, tx)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	to = from
	for _, m := range list {
		if m.Version <= from {
			continue
		}
		body, err := migrations.ReadFile(m.File)
		if err != nil {
			return 0, 0, err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return 0, 0, fmt.Errorf("postgres: migration %s: %w", m.File, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
			return 0, 0, fmt.Errorf("postgres: migration %s: %w", m.File, err)
		}
		to = m.Version
	}
	if err := checkVersion(to); err != nil {
		return from, to, err
	}
	return from, to, tx.Commit()
}
