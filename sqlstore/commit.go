package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/takedown-project/takedown"
)

// Group commit. Writes are serialised — SQLite has one writer, and on PostgreSQL every write
// transaction holds the schema's write lock — and every commit waits for the disk, so writes
// one by one are bounded by the time a transaction holds the lock. Instead, a store's
// committer takes every write waiting in its process's queue, runs each in its own savepoint
// inside one transaction, and commits them together: one lock, one sync for the batch. A write
// that fails rolls back its own savepoint only; every caller is answered only after the COMMIT
// is durable, so an acknowledged change still survives a crash. Under no concurrency a batch
// is one write, and nothing waits for a batch to fill. The queue is first come, first served,
// and a write whose caller gave up before its turn is dropped, not run.

// maxBatch bounds one batch, so that a long queue is committed in slices.
const maxBatch = 256

// WriteConn is the one connection a committer writes through.
type WriteConn interface {
	Querier
	// Raw runs one statement of transaction control (BEGIN, SAVEPOINT, COMMIT …) as it is.
	Raw(stmt string) error
}

// Committer runs a store's writes. Only its goroutine uses the connection.
type Committer struct {
	name    string   // the store, in messages: "sqlite", "postgres"
	begin   []string // what begins a batch's transaction, holding the write lock once done
	conn    WriteConn
	renew   func(WriteConn) WriteConn // a new connection for one whose state is unknown
	clock   takedown.Clock
	dialect Dialect
	queue   chan *pendingWrite
	closing chan struct{}
	closed  sync.Once
	stopped chan struct{}
}

// NewCommitter starts the committer of a store: begin are the statements that begin a write
// transaction holding the database's write lock; renew replaces a connection left in an
// unknown state (it may return the same one if no other can be had).
func NewCommitter(name string, conn WriteConn, begin []string, renew func(WriteConn) WriteConn, clock takedown.Clock, d Dialect) *Committer {
	c := &Committer{name: name, begin: begin, conn: conn, renew: renew, clock: clock, dialect: d,
		queue: make(chan *pendingWrite), closing: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

// pendingWrite is one queued Update.
type pendingWrite struct {
	ctx   context.Context
	fn    func(takedown.Tx) error
	done  chan error
	panic any // a panic of fn, re-raised in the caller's goroutine
}

// ErrClosed answers the writes and reads of a closed store.
var ErrClosed = takedown.Errorf(takedown.EUNAVAILABLE, "the database is closed")

// Update runs fn in a write transaction (shared with other waiting writes, each isolated in
// its own savepoint) and returns once the change is durable. The transaction's time is taken
// when fn starts, once the write lock is held, so timestamps follow the order of commits.
func (c *Committer) Update(ctx context.Context, fn func(takedown.Tx) error) error {
	w := &pendingWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.queue <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closing:
		return ErrClosed
	}
	err := <-w.done // once queued, the outcome is known only after the commit
	if w.panic != nil {
		panic(w.panic)
	}
	return err
}

// Close waits for the batch being committed and stops the committer; the caller then closes
// the connection (Conn). Closing again does nothing.
func (c *Committer) Close() {
	c.closed.Do(func() { close(c.closing) })
	<-c.stopped
}

// Conn is the writer's connection, for its store to close after Close.
func (c *Committer) Conn() WriteConn { return c.conn }

// loop runs batches until Close.
func (c *Committer) loop() {
	defer close(c.stopped)
	for {
		var first *pendingWrite
		select {
		case first = <-c.queue:
		case <-c.closing:
			return
		}
		batch := []*pendingWrite{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case w := <-c.queue:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		c.commit(batch)
	}
}

// commit runs one batch in one transaction. If the transaction itself is lost (SQLite rolls
// it all back on a full disk or an I/O error; PostgreSQL's connection may break; a savepoint
// may not be undone), every write of the batch, including those already applied, is answered
// with the error: nothing of the batch was committed, so nothing may be acknowledged.
func (c *Committer) commit(batch []*pendingWrite) {
	var applied []*pendingWrite
	var lost error
	for _, stmt := range c.begin {
		if lost = c.conn.Raw(stmt); lost != nil {
			lost = Unavailable(fmt.Errorf("%s: begin: %w", c.name, lost))
			break
		}
	}
	var floor time.Time
	if lost == nil {
		floor, lost = c.lastEventAt()
	}
	for _, pw := range batch {
		if lost != nil {
			pw.done <- lost
			continue
		}
		if err := pw.ctx.Err(); err != nil {
			pw.done <- err
			continue
		}
		txLost, err := c.apply(pw, len(batch) > 1, floor)
		switch {
		case txLost:
			lost = err
			pw.done <- err
		case err != nil:
			pw.done <- err
		default:
			applied = append(applied, pw)
		}
	}
	err := lost
	if err == nil && len(applied) > 0 {
		if err = c.conn.Raw("COMMIT"); err != nil {
			err = Unavailable(fmt.Errorf("%s: commit: %w", c.name, err))
		}
	}
	// After a failed COMMIT or a lost transaction, or with nothing to commit, the connection
	// may still be inside a transaction: roll back, and if even that fails, replace it.
	if (err != nil || len(applied) == 0) && c.conn.Raw("ROLLBACK") != nil {
		c.conn = c.renew(c.conn)
	}
	for _, pw := range applied {
		pw.done <- err
	}
}

// lastEventAt is the time of the record's last event, read once the write lock is held. A
// write's time is never before it: replicas' clocks are synchronised (NTP), but not exactly,
// and the record must not go back in time when the next write comes from a replica whose
// clock is a little behind.
func (c *Committer) lastEventAt() (time.Time, error) {
	var at sql.NullInt64
	if err := c.conn.QueryRowContext(context.Background(), `SELECT MAX(at) FROM events`).Scan(&at); err != nil {
		return time.Time{}, Unavailable(fmt.Errorf("%s: the last event's time: %w", c.name, err))
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return fromTS(at.Int64), nil
}

// Unavailable marks a failure of the database itself, not of the use case: the caller is told
// the database is unavailable (and may retry), the cause is kept for the log.
func Unavailable(cause error) error {
	return errors.Join(takedown.Errorf(takedown.EUNAVAILABLE, "the database is unavailable"), cause)
}

// apply runs one write in its own savepoint, rolling the savepoint back if it fails; a write
// alone in its batch needs none (two round trips fewer): if it fails, commit rolls the whole
// transaction back. txLost reports that the transaction can no longer be trusted.
func (c *Committer) apply(pw *pendingWrite, savepoint bool, floor time.Time) (txLost bool, err error) {
	if savepoint {
		if err := c.conn.Raw("SAVEPOINT w"); err != nil {
			return true, fmt.Errorf("%s: savepoint: %w", c.name, err)
		}
	}
	undo := func(cause error) (bool, error) {
		if !savepoint {
			return false, cause
		}
		rerr := c.conn.Raw("ROLLBACK TO SAVEPOINT w")
		if rerr == nil {
			rerr = c.conn.Raw("RELEASE SAVEPOINT w")
		}
		if rerr != nil {
			return true, errors.Join(cause, fmt.Errorf("%s: roll back savepoint: %w", c.name, rerr))
		}
		return false, cause
	}
	defer func() {
		if p := recover(); p != nil {
			pw.panic = p
			txLost, err = undo(fmt.Errorf("%s: the write panicked", c.name))
		}
	}()
	now := c.clock.Now()
	if now.Before(floor) {
		now = floor
	}
	if err := pw.fn(NewTx(c.conn, now, c.dialect)); err != nil {
		return undo(err)
	}
	if !savepoint {
		return false, nil
	}
	if err := c.conn.Raw("RELEASE SAVEPOINT w"); err != nil {
		return undo(fmt.Errorf("%s: release savepoint: %w", c.name, err))
	}
	return false, nil
}
