package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// conn is one connection the store owns, with the statements prepared on it. Only one
// goroutine uses a conn at a time (the committer, or the View that took it from the pool).
type conn struct {
	c     *sql.Conn
	setup string // run on the connection when it is opened
	stmts map[string]*sql.Stmt
}

// maxStatements bounds a connection's cache. The queries are a fixed set of texts (limits are
// bound and id lists padded to a few lengths; filters combine into some dozens), so the bound
// is a safeguard, not a working limit: past it, statements are prepared anew at each call.
const maxStatements = 256

// newConn takes a connection from the pool and runs setup on it, if any.
func newConn(pool *sql.DB, setup string) (*conn, error) {
	c, err := pool.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	cn := &conn{c: c, setup: setup, stmts: map[string]*sql.Stmt{}}
	if setup != "" {
		if err := cn.Raw(setup); err != nil {
			c.Close()
			return nil, err
		}
	}
	return cn, nil
}

// raw runs SQL text without preparing it: transaction control and migrations, which may hold
// several statements.
func (c *conn) Raw(query string) error {
	_, err := c.c.ExecContext(context.Background(), query)
	return err
}

// stmt returns the statement prepared on this connection for query, preparing it the first
// time; nil when it cannot be cached (the caller then runs the text, and gets its error).
func (c *conn) stmt(query string) *sql.Stmt {
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxStatements {
		return nil
	}
	st, err := c.c.PrepareContext(context.Background(), query)
	if err != nil {
		return nil
	}
	c.stmts[query] = st
	return st
}

// ExecContext runs a statement.
func (c *conn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.c.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (c *conn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.c.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query for one row.
func (c *conn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.c.QueryRowContext(ctx, query, args...)
}

// close closes the statements and returns the connection to the pool.
func (c *conn) close() error {
	var errs []error
	for _, st := range c.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, c.c.Close())...)
}

// discard closes the connection for good: the pool must never hand it out again, since it may
// still be inside a broken transaction.
func (c *conn) discard() {
	for _, st := range c.stmts { // before the connection they were prepared on goes
		st.Close()
	}
	clear(c.stmts)
	c.c.Raw(func(any) error { return driver.ErrBadConn }) // database/sql then closes it
	c.c.Close()
}
