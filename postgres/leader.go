package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"time"
)

// LeaderCheck is how often the leader checks that its session (and so its lock) is alive,
// and how often the others try to take the lock.
const LeaderCheck = time.Second

// Lead runs lead while this process holds the schema's leader lock, until ctx is done. The
// lock is a session-level advisory lock on a connection of its own: PostgreSQL releases it
// when that session ends, so when the leading process dies (kill -9 closes its sockets) or
// loses the database, another one takes the lock within about LeaderCheck. lead's context is
// cancelled when the lock is lost; Lead waits for lead to return before trying again, so
// that this process never leads twice.
//
// Two leaders cannot write at the same time (writes are serialised), and what a leader does
// (the scheduler, the checkpoints, the outbox) is decided from the database's state in the
// transaction that records it: a fail-over in the middle of a pass repeats nothing.
func (db *DB) Lead(ctx context.Context, log *slog.Logger, lead func(context.Context)) {
	for ctx.Err() == nil {
		held, err := db.holdLeaderLock(ctx, func(c *sql.Conn) {
			log.Info("this process leads: it runs the scheduler, the checkpoints and the outbox")
			leaderCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); lead(leaderCtx) }()
			t := time.NewTicker(LeaderCheck)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
				case <-t.C:
					check, cancelCheck := context.WithTimeout(ctx, LeaderCheck)
					err := c.PingContext(check)
					cancelCheck()
					if err == nil {
						continue
					}
					log.Warn("this process lost the leader lock: its session with the database ended", "err", err)
				}
				cancel()
				<-done
				return
			}
		})
		if err != nil && ctx.Err() == nil {
			log.Warn("cannot take part in the leader election", "err", err)
		}
		if held && ctx.Err() == nil {
			log.Info("this process no longer leads; it will take the lead again when it can")
		}
		select {
		case <-ctx.Done():
		case <-time.After(LeaderCheck):
		}
	}
}

// holdLeaderLock tries the leader lock on a connection of its own; if it gets it, it runs
// while with that connection, then unlocks (or, if the session broke, discards the
// connection, which ends the session and so the lock).
func (db *DB) holdLeaderLock(ctx context.Context, while func(*sql.Conn)) (held bool, err error) {
	c, err := db.pool.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, db.lock, leaderLock).Scan(&held); err != nil || !held {
		return false, err
	}
	while(c)
	unlock, cancel := context.WithTimeout(context.Background(), LeaderCheck)
	defer cancel()
	var released bool
	if err := c.QueryRowContext(unlock, `SELECT pg_advisory_unlock($1, $2)`, db.lock, leaderLock).Scan(&released); err != nil || !released {
		c.Raw(func(any) error { return driver.ErrBadConn }) // the pool closes it, and the session with it
	}
	return true, nil
}
