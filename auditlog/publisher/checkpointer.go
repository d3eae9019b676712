// Package publisher publishes the audit log that the store writes: it signs checkpoints of
// the tree, obtains the controller's witness cosignature when one is required, stores each
// published checkpoint, and serves the log under /log/ as C2SP tlog-tiles. It is the writer's
// side; the controller's side is package verifier.
package publisher

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// Cosigner obtains a witness's cosignature on a checkpoint (package witness implements it
// over the C2SP tlog-witness protocol). prove returns the consistency proof from the size the
// witness last cosigned to the checkpoint's size; the answer is the checkpoint with the
// witness's signature added.
type Cosigner interface {
	Cosign(ctx context.Context, checkpoint []byte, size int64, prove func(oldSize int64) ([]tlog.Hash, error)) ([]byte, error)
}

// DefaultInterval is how often new entries are checked for, and so the longest an event
// waits for a checkpoint (and a receipt) when the log is not busy.
const DefaultInterval = time.Second

// MaxInterval bounds Interval: a checkpoint at least every minute while there are new
// entries.
const MaxInterval = time.Minute

// Checkpointer signs and publishes checkpoints of the log in a store.
type Checkpointer struct {
	store    takedown.Store
	keys     *Keys
	witness  Cosigner // nil when no cosignature is required
	clock    takedown.Clock
	interval time.Duration
	log      *slog.Logger
	mu       sync.Mutex // one cut at a time
	results  *prometheus.CounterVec
}

// New returns a checkpointer signing with keys, and requiring witness's cosignature unless
// witness is nil. Its metrics are registered on reg.
func New(store takedown.Store, keys *Keys, witness Cosigner, clock takedown.Clock, interval time.Duration, log *slog.Logger, reg prometheus.Registerer) *Checkpointer {
	c := &Checkpointer{store: store, keys: keys, witness: witness, clock: clock, interval: interval, log: log,
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_log_checkpoints_total",
			Help: "Checkpoints of the audit log: published, or failed (the witness refused or was unreachable, or signing failed)."}, []string{"result"})}
	reg.MustRegister(c.results)
	return c
}

// failureLogEvery is how often a failure that goes on (a witness down) is logged again.
const failureLogEvery = time.Minute

// Run publishes a checkpoint whenever the log has grown, checking every interval, until ctx
// is done. A failure is logged when it starts, then once a minute of real time while it
// lasts, and the recovery when it ends; the metrics count every attempt.
func (c *Checkpointer) Run(ctx context.Context) {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	var failingSince, loggedAt time.Time
	for {
		cp, published, err := c.cut(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			c.results.WithLabelValues("failed").Inc()
			now := time.Now()
			if failingSince.IsZero() {
				failingSince = now
			}
			if now.Sub(loggedAt) >= failureLogEvery {
				loggedAt = now
				c.log.Error("audit log: no checkpoint published", "err", err, "failing_for", now.Sub(failingSince).Round(time.Second).String())
			}
		case err == nil && !failingSince.IsZero():
			c.log.Info("audit log: checkpoints are published again", "after", time.Since(failingSince).Round(time.Second).String())
			failingSince, loggedAt = time.Time{}, time.Time{}
		}
		if published {
			c.results.WithLabelValues("published").Inc()
			c.log.Debug("audit log: checkpoint published", "size", cp.Size)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Cut publishes a checkpoint of the log as it is now, if it has grown since the last one, and
// returns the latest published checkpoint (nil while the log is empty).
func (c *Checkpointer) Cut(ctx context.Context) (*takedown.Checkpoint, error) {
	cp, _, err := c.cut(ctx)
	return cp, err
}

func (c *Checkpointer) cut(ctx context.Context) (*takedown.Checkpoint, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var size int64
	var root tlog.Hash
	var latest *takedown.Checkpoint
	err := c.store.View(ctx, func(tx takedown.Tx) (err error) {
		latest, err = tx.LatestCheckpoint()
		if takedown.ErrorCode(err) == takedown.ENOTFOUND {
			latest, err = nil, nil
		}
		if err != nil {
			return err
		}
		if size, err = tx.LogSize(); err != nil || size == 0 || (latest != nil && latest.Size == size) {
			return err
		}
		root, err = tlog.TreeHash(size, auditlog.HashReader(tx))
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("publisher: read the tree: %w", err)
	}
	if size == 0 || (latest != nil && latest.Size == size) {
		return latest, false, nil
	}
	if latest != nil && size < latest.Size {
		return nil, false, fmt.Errorf("publisher: the log has %d leaves but a checkpoint of size %d was published: the database was rolled back or tampered with", size, latest.Size)
	}
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: c.keys.Origin, Size: size, Root: root}, c.keys.Signers...)
	if err != nil {
		return nil, false, err
	}
	if c.witness != nil {
		signed, err = c.witness.Cosign(ctx, signed, size, func(old int64) (proof []tlog.Hash, err error) {
			err = c.store.View(ctx, func(tx takedown.Tx) error {
				proof, err = tlog.ProveTree(size, old, auditlog.HashReader(tx))
				return err
			})
			return proof, err
		})
		if err != nil {
			return nil, false, fmt.Errorf("publisher: the witness did not cosign the checkpoint of size %d: %w", size, err)
		}
	}
	cp := &takedown.Checkpoint{Size: size, Root: root[:], Note: string(signed), SignedAt: c.clock.Now()}
	if err := c.store.Update(ctx, func(tx takedown.Tx) error { return tx.CreateCheckpoint(cp) }); err != nil {
		return nil, false, fmt.Errorf("publisher: store the checkpoint of size %d: %w", size, err)
	}
	return cp, true, nil
}
