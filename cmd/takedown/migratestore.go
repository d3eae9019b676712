package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/postgres"
	"github.com/takedown-project/takedown/sqlite"
)

// runAdminMigrateStore copies a SQLite database into an empty PostgreSQL schema, then
// checks, through both stores, that the copy holds the same record: the audit log's size and
// root, its latest signed checkpoint, and every table's rows and values.
func runAdminMigrateStore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin migrate-store", "--from sqlite:PATH --to postgres://USER@HOST:PORT/DB?search_path=SCHEMA")
	from := fs.String("from", "", "the SQLite database, as sqlite:PATH (the data directory's takedown.db); no server may be running on it")
	to := fs.String("to", "", "the PostgreSQL schema to copy into, migrated (takedown migrate --db URL) and empty; a password is better in PGPASSWORD or ~/.pgpass")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	path, err := sourcePath(*from)
	if err != nil {
		return err
	}
	if !postgres.IsURL(*to) {
		return takedown.Invalid("to", "must be a postgres:// URL naming the schema in its search_path, such as postgres://takedown@db.example:5432/takedown?search_path=takedown")
	}
	where := postgres.Redact(*to)

	src, err := openSource(e, path)
	if err != nil {
		return err
	}
	defer src.close()

	fmt.Fprintf(e.stderr, "copying %s into %s\n", path, where)
	started := time.Now()
	copied, err := postgres.CopyFrom(ctx, src.sql, *to, func(table string, rows int64) {
		fmt.Fprintf(e.stderr, "  %-20s %s rows\n", table, thousands(rows))
	})
	if err != nil {
		return err
	}
	elapsed := time.Since(started)
	var total int64
	for _, t := range copied {
		total += t.Rows
	}
	fmt.Fprintf(e.stdout, "Copied %s rows of %d tables into %s in %s (%s rows/s).\n",
		thousands(total), len(copied), where, elapsed.Round(time.Millisecond), thousands(int64(float64(total)/max(elapsed.Seconds(), 1e-3))))

	return verifyMigration(ctx, e.stdout, src, *to, copied)
}

// verifyMigration opens the copy at dsn as a store and compares it with the source.
func verifyMigration(ctx context.Context, w io.Writer, src *source, dsn string, copied []postgres.TableRows) error {
	dst, err := postgres.Open(ctx, dsn, takedown.SystemClock{}, postgres.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer dst.Close()
	dstSQL, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer dstSQL.Close()
	return verifyCopy(ctx, w, copied, src.store, dst, src.sql, dstSQL)
}

// sourcePath checks --from: a sqlite: path to a file that exists (sqlite.Open would make
// an empty one).
func sourcePath(from string) (string, error) {
	path, ok := strings.CutPrefix(from, "sqlite:")
	switch {
	case from == "":
		return "", takedown.Invalid("from", "is required: the SQLite database, as sqlite:PATH")
	case !ok:
		return "", takedown.Invalid("from", "%q must be sqlite:PATH, the SQLite database to copy (such as sqlite:/var/lib/takedown/takedown.db)", postgres.Redact(from))
	case path == "":
		return "", takedown.Invalid("from", "names no file: give sqlite:PATH")
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", takedown.Invalid("from", "%s does not exist", path)
	case err != nil:
		return "", takedown.Invalid("from", "%v", err)
	case !info.Mode().IsRegular():
		return "", takedown.Invalid("from", "%s is not a file (give the data directory's takedown.db)", path)
	}
	return path, nil
}

// source is the SQLite database, opened as a store (which brings its schema up to date) and
// as plain SQL for the copy.
type source struct {
	store *sqlite.DB
	sql   *sql.DB
}

// openSource opens the SQLite file, saying so when opening it migrates its schema.
func openSource(e *env, path string) (*source, error) {
	before, err := sqliteVersion(path)
	if err != nil {
		return nil, err
	}
	if before < sqlite.Latest() {
		fmt.Fprintf(e.stderr, "%s has schema version %d: opening it brings it to version %d first, as serve would\n", path, before, sqlite.Latest())
	}
	store, err := sqlite.Open(path, takedown.SystemClock{})
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &source{store: store, sql: db}, nil
}

func (s *source) close() error { return errors.Join(s.sql.Close(), s.store.Close()) }

// sqliteVersion reads the file's schema version without changing it, and refuses a file
// that is not a takedown database: opening it as a store would make one of it.
func sqliteVersion(path string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRow(`SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return 0, takedown.Invalid("from", "%s is not a SQLite database: %v", path, err)
	}
	if !exists {
		return 0, takedown.Invalid("from", "%s is not a takedown database: it has no schema_migrations table", path)
	}
	var v int
	if err := db.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return v, nil
}

// logState is what the audit log commits to: its size, the root of its tree, and the
// latest signed checkpoint (nil before the first).
type logState struct {
	Size       int64
	Root       tlog.Hash
	Checkpoint *takedown.Checkpoint
	// Covered: the stored tree, cut at the checkpoint's size, has the checkpoint's root.
	Covered bool
}

// readLogState reads the log's state through a store, recomputing the root from its stored
// hashes.
func readLogState(ctx context.Context, s takedown.Store) (*logState, error) {
	st := &logState{}
	err := s.View(ctx, func(tx takedown.Tx) (err error) {
		if st.Size, err = tx.LogSize(); err != nil {
			return err
		}
		if st.Root, err = tlog.TreeHash(st.Size, auditlog.HashReader(tx)); err != nil {
			return fmt.Errorf("the audit log's root: %w", err)
		}
		st.Checkpoint, err = tx.LatestCheckpoint()
		if takedown.ErrorCode(err) == takedown.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		root, err := tlog.TreeHash(st.Checkpoint.Size, auditlog.HashReader(tx))
		st.Covered = err == nil && bytes.Equal(root[:], st.Checkpoint.Root)
		return nil
	})
	return st, err
}

// verifyCopy compares the source's record with the copy's, prints both, and returns an
// error naming every difference.
func verifyCopy(ctx context.Context, w io.Writer, copied []postgres.TableRows, src, dst takedown.Store, srcSQL, dstSQL *sql.DB) error {
	a, err := readLogState(ctx, src)
	if err != nil {
		return fmt.Errorf("verify: the source's log: %w", err)
	}
	b, err := readLogState(ctx, dst)
	if err != nil {
		return fmt.Errorf("verify: the copy's log: %w", err)
	}
	tables := make([]string, len(copied))
	for i, t := range copied {
		tables[i] = t.Table
	}
	srcRows, err := postgres.Summarize(ctx, srcSQL, tables)
	if err != nil {
		return fmt.Errorf("verify: the source: %w", err)
	}
	dstRows, err := postgres.Summarize(ctx, dstSQL, tables)
	if err != nil {
		return fmt.Errorf("verify: the copy: %w", err)
	}
	r := &copyReport{w: w}
	if err := r.uncopied(ctx, srcSQL, tables); err != nil {
		return err
	}
	fmt.Fprintln(w, "Verification, source and copy:")
	r.log(a, b)
	if err := r.rows(srcRows, dstRows); err != nil {
		return err
	}
	if len(r.diffs) > 0 {
		return takedown.Errorf(takedown.EINCONSISTENT, "the copy does not verify (%s): do not use it; drop the schema and copy again",
			strings.Join(r.diffs, ", "))
	}
	fmt.Fprintln(w, "OK: the copy holds the same record. Start serve with --db on it, with the same data directory's keys.")
	return nil
}

// copyReport prints the comparison of a source and its copy, and keeps what differs.
type copyReport struct {
	w     io.Writer
	diffs []string
}

// uncopied notes the tables of the SQLite source that the copy lacks: the two dialects'
// schemas of one version should have the same, and a table missing from PostgreSQL's would
// otherwise be left behind unnoticed.
func (r *copyReport) uncopied(ctx context.Context, src *sql.DB, copied []string) error {
	rows, err := src.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("verify: list the source's tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if !slices.Contains(copied, name) {
			fmt.Fprintf(r.w, "The source's table %s has no counterpart in the destination's schema: it was not copied.\n", name)
			r.diffs = append(r.diffs, "the table "+name+", not copied")
		}
	}
	return rows.Err()
}

// check returns yes when ok, and otherwise no, noting what failed.
func (r *copyReport) check(what string, ok bool, yes, no string) string {
	if !ok {
		r.diffs = append(r.diffs, what)
		return no
	}
	return yes
}

// pair shows a value once when both sides agree, and both when they differ.
func (r *copyReport) pair(what, a, b string, same bool) string {
	return r.check(what, same, a+"  (identical)", a+" / "+b+"  DIFFERENT")
}

// log compares the two audit logs.
func (r *copyReport) log(a, b *logState) {
	fields(r.w,
		"audit log size", r.pair("the audit log's size", thousands(a.Size), thousands(b.Size), a.Size == b.Size),
		"audit log root", r.pair("the audit log's root hash", a.Root.String(), b.Root.String(), a.Root == b.Root),
		"latest checkpoint", r.pair("the latest signed checkpoint", checkpointText(a.Checkpoint), checkpointText(b.Checkpoint),
			sameCheckpoint(a.Checkpoint, b.Checkpoint)))
	if b.Checkpoint != nil {
		fields(r.w, "checkpoint's tree", fmt.Sprintf("the copy's tree at size %s has the checkpoint's root: %s",
			thousands(b.Checkpoint.Size), r.check("the copy's tree at the checkpoint's size", b.Covered, "yes", "NO")))
	}
}

// rows compares the tables' rows, their numbers and their values, in a table.
func (r *copyReport) rows(src, dst []postgres.TableSummary) error {
	var rows [][]string
	for i := range src {
		a, b := src[i], dst[i]
		status := r.check("the rows of "+a.Table, a.Rows == b.Rows, "identical", "DIFFERENT rows")
		if a.Rows == b.Rows {
			status = r.check("the values of "+a.Table, a.Digest == b.Digest, "identical", "DIFFERENT values")
		}
		rows = append(rows, []string{a.Table, thousands(a.Rows), thousands(b.Rows), status})
	}
	return table(r.w, []string{"TABLE", "SOURCE ROWS", "COPY ROWS", "ROWS AND VALUES"}, rows)
}

// checkpointText shows a checkpoint in one line.
func checkpointText(c *takedown.Checkpoint) string {
	if c == nil {
		return "none"
	}
	return fmt.Sprintf("size %s, root %s, signed %s", thousands(c.Size), base64.StdEncoding.EncodeToString(c.Root), c.SignedAt.UTC().Format(time.RFC3339))
}

// sameCheckpoint compares two checkpoints, their signed notes included.
func sameCheckpoint(a, b *takedown.Checkpoint) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Size == b.Size && bytes.Equal(a.Root, b.Root) && a.Note == b.Note && a.SignedAt.Equal(b.SignedAt)
}
