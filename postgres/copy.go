package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/takedown-project/takedown"
)

// TableRows is a table and a number of its rows.
type TableRows struct {
	Table string
	Rows  int64
}

// progressEvery is how many rows CopyFrom copies between two calls of its progress function.
const progressEvery = 100_000

// CopyFrom copies the record held by src, a database with this schema's tables and columns
// (SQLite's file, at the same schema version), into the schema at dstDSN, which must be
// migrated to that version and empty: a copy never overwrites or merges with a record.
//
// Everything is copied in one PostgreSQL transaction, with COPY, from one read transaction
// of src: the destination holds either the whole record, as of one moment, or nothing.
// Tables go in the order of their foreign keys, and each identity sequence is set past the
// largest id copied, so that the store goes on numbering where the source stopped. The
// schema's write lock is held throughout, so that a server started early on the destination
// waits instead of writing into a half-copied record. progress, if not nil, is called with
// the rows copied so far, every 100,000 rows and at the end of each table. CopyFrom returns
// the tables in the order copied, with their rows.
func CopyFrom(ctx context.Context, src *sql.DB, dstDSN string, progress func(table string, rows int64)) ([]TableRows, error) {
	pool, class, err := connect(ctx, dstDSN, Options{MaxConns: 1})
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	have, err := schemaVersion(ctx, pool)
	if err != nil {
		return nil, fmt.Errorf("postgres: copy: the destination's schema version: %w", err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: copy: %w", err)
	}
	defer conn.Close()
	read, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("copy: read the source: %w", err)
	}
	defer read.Rollback()
	var copied []TableRows
	err = conn.Raw(func(driverConn any) error {
		dst, err := driverConn.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer dst.Rollback(ctx)
		c := &copier{src: read, dst: dst, progress: progress}
		if copied, err = c.run(ctx, class, have); err != nil {
			return err
		}
		return dst.Commit(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: copy into %s: %w", Redact(dstDSN), err)
	}
	return copied, nil
}

// TableSummary is what a table's copy is checked with: its number of rows, and a digest of
// every value of every row.
type TableSummary struct {
	Table  string
	Rows   int64
	Digest [sha256.Size]byte
}

// Summarize summarizes each of the tables in db, either store's database, in one read
// transaction. A table's digest is the sum (mod 2^256) of its rows' SHA-256 hashes, so that
// it does not depend on the order rows are read in; a row's hash is over its columns in the
// order of their names, text and bytes alike, so that SQLite's and PostgreSQL's copies of one
// record have the same.
func Summarize(ctx context.Context, db *sql.DB, tables []string) ([]TableSummary, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	defer tx.Rollback()
	sums := make([]TableSummary, len(tables))
	for i, t := range tables {
		if sums[i], err = summarize(ctx, tx, t); err != nil {
			return nil, fmt.Errorf("summarize %s: %w", t, err)
		}
	}
	return sums, nil
}

// summarize reads every row of one table.
func summarize(ctx context.Context, tx *sql.Tx, name string) (TableSummary, error) {
	sum := TableSummary{Table: name}
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+quote(name)+` LIMIT 0`)
	if err != nil {
		return sum, err
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return sum, err
	}
	slices.Sort(cols)
	for i, c := range cols {
		cols[i] = quote(c)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quote(name))
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	values, ptrs := make([]any, len(cols)), make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	var total [4]uint64 // the digest, as a 256-bit number in little-endian limbs
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return sum, err
		}
		addDigest(&total, rowHash(values))
		sum.Rows++
	}
	for i, limb := range total {
		binary.BigEndian.PutUint64(sum.Digest[24-8*i:], limb)
	}
	return sum, rows.Err()
}

// rowHash hashes a row's values, each with its kind and, for text and bytes, its length.
func rowHash(values []any) [sha256.Size]byte {
	var b []byte
	for _, v := range values {
		switch x := v.(type) {
		case nil:
			b = append(b, 0)
		case int64:
			b = binary.BigEndian.AppendUint64(append(b, 1), uint64(x))
		case string:
			b = append(binary.AppendUvarint(append(b, 2), uint64(len(x))), x...)
		case []byte:
			b = append(binary.AppendUvarint(append(b, 2), uint64(len(x))), x...)
		default:
			s := fmt.Sprint(x)
			b = append(binary.AppendUvarint(append(b, 3), uint64(len(s))), s...)
		}
	}
	return sha256.Sum256(b)
}

// addDigest adds a hash, read as a big-endian 256-bit number, to total, mod 2^256.
func addDigest(total *[4]uint64, h [sha256.Size]byte) {
	var carry uint64
	for i := range total {
		total[i], carry = bits.Add64(total[i], binary.BigEndian.Uint64(h[24-8*i:]), carry)
	}
}

// copier copies one record, inside its two transactions.
type copier struct {
	src      *sql.Tx
	dst      pgx.Tx
	progress func(table string, rows int64)
}

// run checks the destination, then copies every table.
func (c *copier) run(ctx context.Context, class int32, have int) ([]TableRows, error) {
	if _, err := c.dst.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, class, writeLock); err != nil {
		return nil, err
	}
	if err := c.checkVersions(ctx, have); err != nil {
		return nil, err
	}
	tables, err := schemaTables(ctx, c.dst)
	if err != nil {
		return nil, err
	}
	if err := c.checkEmpty(ctx, tables); err != nil {
		return nil, err
	}
	var copied []TableRows
	for _, t := range tables {
		n, err := c.copyTable(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		if t.Identity != "" {
			if err := c.advanceIdentity(ctx, t); err != nil {
				return nil, fmt.Errorf("table %s: %w", t.Name, err)
			}
		}
		copied = append(copied, TableRows{t.Name, n})
	}
	return copied, nil
}

// checkVersions refuses a destination whose schema version (have) is not the source's: the
// copy goes column for column, which only two schemas of one version allow.
func (c *copier) checkVersions(ctx context.Context, have int) error {
	var want int // SQLite's store always has the table
	if err := c.src.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&want); err != nil {
		return fmt.Errorf("the source's schema version: %w", err)
	}
	switch {
	case have == 0:
		return refuse("the destination schema has no takedown tables: run takedown migrate --db URL on it first")
	case want != Latest():
		return refuse("the source has schema version %d and this takedown copies version %d: open it once with this version (takedown migrate --data DIR) first", want, Latest())
	case have < want:
		return refuse("the destination has schema version %d and the source %d: run takedown migrate --db URL on it first", have, want)
	case have > want:
		return refuse("the destination has schema version %d, newer than the source's %d: copy with the takedown that wrote it", have, want)
	}
	return nil
}

// checkEmpty refuses a destination that holds any row.
func (c *copier) checkEmpty(ctx context.Context, tables []table) error {
	for _, t := range tables {
		var full bool
		if err := c.dst.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quote(t.Name)+`)`).Scan(&full); err != nil {
			return err
		}
		if full {
			return refuse("the destination schema is not empty (its table %s has rows): a copy goes into a new, empty schema only; create one and run takedown migrate --db URL on it", t.Name)
		}
	}
	return nil
}

// copyTable copies one table with COPY and returns its number of rows.
func (c *copier) copyTable(ctx context.Context, t table) (int64, error) {
	names := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		names[i] = quote(col.Name)
	}
	rows, err := c.src.QueryContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quote(t.Name))
	if err != nil {
		return 0, fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	r := newRowSource(rows, t, c.progress)
	n, err := c.dst.CopyFrom(ctx, pgx.Identifier{t.Name}, t.columnNames(), r)
	if err != nil {
		return 0, err
	}
	if c.progress != nil {
		c.progress(t.Name, n)
	}
	return n, nil
}

// advanceIdentity sets the table's identity sequence to its largest id, so that the next
// row drawn gets the one after.
func (c *copier) advanceIdentity(ctx context.Context, t table) error {
	q := `SELECT setval(pg_get_serial_sequence($1, $2), MAX(` + quote(t.Identity) + `)) FROM ` + quote(t.Name) +
		` HAVING MAX(` + quote(t.Identity) + `) IS NOT NULL`
	_, err := c.dst.Exec(ctx, q, t.Name, t.Identity)
	return err
}

// rowSource feeds COPY from the source's rows, in the types of the destination's columns.
// It scans every row into the same values: COPY encodes a row before it asks for the next.
type rowSource struct {
	rows     *sql.Rows
	table    table
	progress func(table string, rows int64)
	n        int64
	values   []any
	ptrs     []any // to values, for Scan
	err      error
}

func newRowSource(rows *sql.Rows, t table, progress func(table string, rows int64)) *rowSource {
	r := &rowSource{rows: rows, table: t, progress: progress, values: make([]any, len(t.Columns)), ptrs: make([]any, len(t.Columns))}
	for i := range r.values {
		r.ptrs[i] = &r.values[i]
	}
	return r
}

func (r *rowSource) Next() bool {
	if !r.rows.Next() {
		return false
	}
	if r.n > 0 && r.n%progressEvery == 0 && r.progress != nil {
		r.progress(r.table.Name, r.n)
	}
	r.n++
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = err
		return false
	}
	for i, col := range r.table.Columns {
		r.values[i] = col.convert(r.values[i])
	}
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.values, nil }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// table is one table of the record, as the schema declares it.
type table struct {
	Name    string
	Columns []column
	// Identity is the column whose values are drawn from a sequence, if any.
	Identity string
}

// column is one column of a table.
type column struct {
	Name string
	Type string // information_schema's data_type: bigint, text, bytea
}

func (t table) columnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// convert gives a value read from SQLite the Go type COPY needs for the column: SQLite keeps
// a value's own type whatever the column declares, so a BLOB column may hold text.
func (c column) convert(v any) any {
	switch x := v.(type) {
	case string:
		if c.Type == "bytea" {
			return []byte(x)
		}
	case []byte:
		if c.Type == "text" {
			return string(x)
		}
	}
	return v
}

// querier is a pgx transaction or connection.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// schemaTables returns the tables of the record in the schema of q's search_path: every table but
// schema_migrations, each after the tables its foreign keys reference.
func schemaTables(ctx context.Context, q querier) ([]table, error) {
	byName := map[string]*table{}
	rows, err := q.Query(ctx, `SELECT table_name, column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
		AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("list the tables: %w", err)
	}
	var names []string
	for rows.Next() {
		var name, col, typ, identity string
		if err := rows.Scan(&name, &col, &typ, &identity); err != nil {
			return nil, err
		}
		t := byName[name]
		if t == nil {
			t = &table{Name: name}
			byName[name] = t
			names = append(names, name)
		}
		t.Columns = append(t.Columns, column{col, typ})
		if identity == "YES" {
			t.Identity = col
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the tables: %w", err)
	}
	parents, err := foreignKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	var ordered []table
	for _, name := range inDependencyOrder(names, parents) {
		ordered = append(ordered, *byName[name])
	}
	return ordered, nil
}

// foreignKeys maps each table of the schema to the other tables its foreign keys reference.
func foreignKeys(ctx context.Context, q querier) (map[string][]string, error) {
	rows, err := q.Query(ctx, `SELECT child.relname, parent.relname FROM pg_constraint k
		JOIN pg_class child ON child.oid = k.conrelid
		JOIN pg_class parent ON parent.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = child.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema() AND child.oid <> parent.oid`)
	if err != nil {
		return nil, fmt.Errorf("list the foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		parents[child] = append(parents[child], parent)
	}
	return parents, rows.Err()
}

// inDependencyOrder orders names (sorted) so that each comes after its parents, keeping the
// alphabetical order otherwise, so that the order is the same from one run to the next.
func inDependencyOrder(names []string, parents map[string][]string) []string {
	done := map[string]bool{}
	var order []string
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true // the schema has no cycles; this also ends one if it ever did
		ps := slices.Clone(parents[n])
		slices.Sort(ps)
		for _, p := range ps {
			visit(p)
		}
		order = append(order, n)
	}
	for _, n := range names {
		visit(n)
	}
	return order
}

// refuse is CopyFrom's refusal of a source or destination it cannot copy between.
func refuse(format string, args ...any) error {
	return takedown.Errorf(takedown.EPRECONDITION, format, args...)
}

// quote quotes an identifier for PostgreSQL and SQLite alike.
func quote(name string) string { return pgx.Identifier{name}.Sanitize() }
