package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlstore"
)

// Group commit. Every write transaction ends with an fsync, and one writer at a time holds
// the database, so writes one by one are bounded by the disk's sync latency. Instead, the
// committer takes every write waiting in the queue, runs each in its own savepoint inside one
// transaction, and commits them together: one fsync for the batch. A write that fails rolls
// back its own savepoint only; every caller is answered only after the COMMIT is durable, so
// an acknowledged change still survives a crash. Under no concurrency a batch is one write,
// and nothing waits for a batch to fill.

// maxBatch bounds one batch, so that a long queue is committed in slices.
const maxBatch = 256

// pendingWrite is one queued Update.
type pendingWrite struct {
	ctx   context.Context
	fn    func(takedown.Tx) error
	done  chan error
	panic any // a panic of fn, re-raised in the caller's goroutine
}

// errClosed answers writes queued after Close.
var errClosed = takedown.Errorf(takedown.EUNAVAILABLE, "the database is closed")

// Update runs fn in a write transaction (shared with other waiting writes, each isolated in
// its own savepoint) and returns once the change is durable. The transaction's time is taken
// when fn starts, after the write lock is held, so timestamps follow the order of commits.
func (db *DB) Update(ctx context.Context, fn func(takedown.Tx) error) error {
	w := &pendingWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.queue <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return errClosed
	}
	err := <-w.done // once queued, the outcome is known only after the commit
	if w.panic != nil {
		panic(w.panic)
	}
	return err
}

// commitLoop runs batches until Close.
func (db *DB) commitLoop() {
	defer close(db.stopped)
	for {
		var first *pendingWrite
		select {
		case first = <-db.queue:
		case <-db.closing:
			return
		}
		batch := []*pendingWrite{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case w := <-db.queue:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		db.commit(batch)
	}
}

// commit runs one batch in one transaction. If the transaction itself is lost (SQLite rolls
// it all back on a full disk or an I/O error, or a savepoint cannot be undone), every write
// of the batch, including those already applied, is answered with the error: nothing of the
// batch was committed, so nothing may be acknowledged.
func (db *DB) commit(batch []*pendingWrite) {
	w := db.writer
	var applied []*pendingWrite
	lost := w.raw("BEGIN IMMEDIATE")
	if lost != nil {
		lost = fmt.Errorf("sqlite: begin: %w", lost)
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
		txLost, err := db.apply(pw)
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
	if err == nil {
		if err = w.raw("COMMIT"); err != nil {
			err = fmt.Errorf("sqlite: commit: %w", err)
		}
	}
	// After a failed COMMIT or a lost transaction the connection may still be inside a
	// transaction: roll back, and if even that fails, replace the connection.
	if err != nil && w.raw("ROLLBACK") != nil {
		db.writer = db.renew(w)
	}
	for _, pw := range applied {
		pw.done <- err
	}
}

// apply runs one write in its own savepoint, rolling the savepoint back if it fails. txLost
// reports that the transaction around it can no longer be trusted.
func (db *DB) apply(pw *pendingWrite) (txLost bool, err error) {
	w := db.writer
	if err := w.raw("SAVEPOINT w"); err != nil {
		return true, fmt.Errorf("sqlite: savepoint: %w", err)
	}
	undo := func(cause error) (bool, error) {
		if rerr := w.raw("ROLLBACK TO w; RELEASE w"); rerr != nil {
			return true, errors.Join(cause, fmt.Errorf("sqlite: roll back savepoint: %w", rerr))
		}
		return false, cause
	}
	defer func() {
		if p := recover(); p != nil {
			pw.panic = p
			txLost, err = undo(errors.New("sqlite: the write panicked"))
		}
	}()
	if err := pw.fn(sqlstore.NewTx(w, db.clock.Now(), dialect{})); err != nil {
		return undo(err)
	}
	if err := w.raw("RELEASE w"); err != nil {
		return undo(fmt.Errorf("sqlite: release savepoint: %w", err))
	}
	return false, nil
}
