package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/takedown-project/takedown"
)

// rawConn is a WriteConn over one plain connection.
type rawConn struct{ *sql.Conn }

func (c rawConn) Raw(stmt string) error {
	_, err := c.ExecContext(context.Background(), stmt)
	return err
}

// TestLostTransactionFailsTheWholeBatch: when the batch's transaction is lost half-way (as
// SQLite does on a full disk, or a PostgreSQL connection that breaks), the writes already
// applied in it are answered with an error too — none was committed — and the writer works
// again for the next batch.
func TestLostTransactionFailsTheWholeBatch(t *testing.T) {
	ctx := context.Background()
	pool, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, table := range []string{`CREATE TABLE names (name TEXT)`, `CREATE TABLE events (at INTEGER)`} { // events: the committer reads the last one's time
		if _, err := conn.ExecContext(ctx, table); err != nil {
			t.Fatal(err)
		}
	}
	c := &Committer{name: "test", begin: []string{"BEGIN IMMEDIATE"}, conn: rawConn{conn},
		renew: func(w WriteConn) WriteConn { return w }, clock: takedown.SystemClock{}}
	insert := func(name string) func(takedown.Tx) error {
		return func(takedown.Tx) error {
			_, err := conn.ExecContext(ctx, `INSERT INTO names VALUES (?)`, name)
			return err
		}
	}
	count := func() (n int) {
		t.Helper()
		if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM names`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	write := func(fn func(takedown.Tx) error) *pendingWrite {
		return &pendingWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	}
	batch := []*pendingWrite{
		write(insert("before")),
		write(func(takedown.Tx) error { return c.conn.Raw("ROLLBACK") }), // the transaction is gone
		write(insert("after")),
	}
	c.commit(batch)
	for i, pw := range batch {
		if err := <-pw.done; err == nil {
			t.Errorf("write %d of the lost batch was acknowledged", i)
		}
	}
	if n := count(); n != 0 {
		t.Errorf("%d rows stored by a lost batch", n)
	}
	next := write(insert("next"))
	c.commit([]*pendingWrite{next})
	if err := <-next.done; err != nil {
		t.Fatalf("the writer does not recover: %v", err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d rows after the next batch, want 1", n)
	}
}
