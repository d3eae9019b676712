// Package sqlstore is the query layer shared by the SQL stores: hand-written SQL with
// explicit columns, in the subset that SQLite and PostgreSQL both accept, over one
// database/sql transaction. The sqlite package (and later postgres) opens the database,
// applies its dialect's migrations and hands transactions to this package. It checks no rule
// of the procedure.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// Dialect adapts the shared SQL to one database.
type Dialect interface {
	// Rebind rewrites '?' placeholders into the database's own style.
	Rebind(query string) string
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation(err error) bool
	// Unindexed returns a column reference that the planner will not look up in an index,
	// where a range scan in the table's own order is known to be cheaper.
	Unindexed(column string) string
}

// Querier runs SQL inside a transaction that its owner began: a *sql.Tx, or a connection
// with its own statement cache.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx implements takedown.Tx over a transaction in progress.
type Tx struct {
	q       Querier
	now     time.Time
	dialect Dialect
}

// NewTx wraps q, which must be inside a transaction; now is the transaction's time.
func NewTx(q Querier, now time.Time, d Dialect) *Tx {
	return &Tx{q: q, now: now, dialect: d}
}

var _ takedown.Tx = (*Tx)(nil)

// Now is the time captured when the transaction began.
func (t *Tx) Now() time.Time { return t.now }

// The transaction's statements are not cancelled half-way: the caller's context governs
// whether a use case starts, and its transaction then runs to its end.

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	return t.q.ExecContext(context.Background(), t.dialect.Rebind(query), args...)
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	return t.q.QueryContext(context.Background(), t.dialect.Rebind(query), args...)
}

func (t *Tx) queryRow(query string, args ...any) *sql.Row {
	return t.q.QueryRowContext(context.Background(), t.dialect.Rebind(query), args...)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (t *Tx) insert(query string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// notFound maps sql.ErrNoRows to an ENOTFOUND error naming the object.
func notFound(err error, what string, id int64) error {
	if errors.Is(err, sql.ErrNoRows) {
		return takedown.Errorf(takedown.ENOTFOUND, "there is no %s %d", what, id)
	}
	return err
}

// Timestamps are stored as Unix nanoseconds, in UTC: exact round trips, and the same type in
// every dialect.

func ts(t time.Time) int64 { return t.UnixNano() }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixNano()
}

func fromTS(n int64) time.Time { return time.Unix(0, n).UTC() }

func fromTSPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromTS(n.Int64)
	return &t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// jsonValue encodes v as JSON text, or NULL for a nil pointer.
func jsonValue[T any](v *T) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// jsonText encodes a value that is never NULL.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sqlstore: encode %T: %v", v, err)) // only plain slices reach here
	}
	return string(b)
}

// jsonList encodes a list that is NULL when empty.
func jsonList[T any](list []T) any {
	if len(list) == 0 {
		return nil
	}
	return jsonText(list)
}

// fromJSONList decodes a list that is NULL when empty.
func fromJSONList[T any](s sql.NullString) ([]T, error) {
	list, err := fromJSON[[]T](s)
	if list == nil {
		return nil, err
	}
	return *list, err
}

// fromJSON decodes a nullable JSON column.
func fromJSON[T any](s sql.NullString) (*T, error) {
	if !s.Valid {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s.String), v); err != nil {
		return nil, fmt.Errorf("sqlstore: decode %T: %w", v, err)
	}
	return v, nil
}

// states returns a SQL list of the domain's state constants, such as ('sent', 'acknowledged').
// The values are the domain's own constants, never input.
func states[S ~string](list []S) string {
	quoted := make([]string, len(list))
	for i, v := range list {
		quoted[i] = "'" + string(v) + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// where builds a WHERE clause from conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// afterID adds keyset pagination by id to w and returns the LIMIT clause, whose argument it
// appends last; one row more than the limit is fetched to know whether there is a next page.
func afterID(w *where, p takedown.Page, column string) (string, error) {
	if p.Cursor != "" {
		id, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || id < 0 {
			return "", takedown.Invalid("cursor", "is not a cursor returned by a previous page")
		}
		w.add(column+" > ?", id)
	}
	return w.limit(p.Limit), nil
}

// limit appends the argument of a LIMIT clause (one row more than the page, to know whether
// there is a next one) and returns the clause. Bound, not formatted in, so that every page
// size shares one prepared statement.
func (w *where) limit(n int) string {
	w.args = append(w.args, n+1)
	return " LIMIT ?"
}

// inList returns "(?, ?, …)" for ids, padded with zeros (which match no row) to one of a few
// lengths, so that pages of any size share a handful of prepared statements.
func inList(ids []int64) (string, []any) {
	n := 1
	for n < len(ids) {
		n *= 8
	}
	args := make([]any, n)
	for i := range args {
		args[i] = int64(0)
		if i < len(ids) {
			args[i] = ids[i]
		}
	}
	return "(?" + strings.Repeat(", ?", n-1) + ")", args
}

// page trims the extra row and returns the next cursor.
func page[T any](items []T, limit int, cursor func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, cursor(items[len(items)-1])
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Migration is one of a dialect's embedded migration files, migrations/NNNN_name.sql.
type Migration struct {
	Version int
	File    string
}

// Migrations lists a dialect's migrations in order of version.
func Migrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, name := range files {
		version, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("bad migration name %s", name)
		}
		out = append(out, Migration{Version: version, File: name})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// Latest is the version of the last migration of a list.
func Latest(list []Migration) int {
	if len(list) == 0 {
		return 0
	}
	return list[len(list)-1].Version
}
