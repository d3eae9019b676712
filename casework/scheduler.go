package casework

import (
	"context"
	"log/slog"
	"time"

	"github.com/takedown-project/takedown"
)

// schedulerUser is the actor of the changes the scheduler makes.
var schedulerUser = &takedown.User{Name: "scheduler"}

// TickResult counts what one scheduler pass did.
type TickResult struct {
	Issued      int // scheduled TCO orders issued at the end of the advance-information period
	Overdue     int // deliveries recorded as past their deadline
	Unreceived  int // deliveries recorded as still not received by their operator
	RechecksDue int // list measures recorded as due for re-check
	Purged      int // records deleted at the end of their retention (evidence, contacts)
}

// tickBatch is how many items one scheduler transaction handles, so that a large backlog
// never holds the write lock for long.
const tickBatch = 100

// Tick does the work that time makes due: it issues scheduled orders, records missed
// deadlines (of removals, blocking, dereferencing and restorations alike), deliveries whose
// operator has still not received them once the outbox's time to give up has passed (their
// deadline cannot start: the authority must reach the operator another way), and re-checks
// that are due. Each item is recorded once, so running Tick again, or on several restarts, changes
// nothing more.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	err := s.batches(ctx, func(tx takedown.Tx, cursor string) (string, error) {
		due, next, err := tx.Measures(takedown.MeasureFilter{IssueDue: true, Page: takedown.Page{Limit: tickBatch, Cursor: cursor}})
		if err != nil {
			return "", err
		}
		for _, m := range due {
			c, err := tx.Case(m.CaseID)
			if err != nil {
				return "", err
			}
			if c.Hold != nil {
				continue // issued once the hold is released
			}
			rule, err := s.rule(m.Kind)
			if err != nil {
				continue // stays scheduled; the officers see it and can withdraw it
			}
			if err := s.issue(tx, schedulerUser, m, rule); err != nil {
				return "", err
			}
			res.Issued++
		}
		return next, nil
	})
	if err != nil {
		return res, err
	}
	err = s.batches(ctx, func(tx takedown.Tx, cursor string) (string, error) {
		late, next, err := tx.Deliveries(takedown.DeliveryFilter{Deadline: takedown.DeadlineOverdue, Unmarked: true,
			Page: takedown.Page{Limit: tickBatch, Cursor: cursor}})
		if err != nil {
			return "", err
		}
		for _, d := range late {
			now := tx.Now()
			d.OverdueAt = &now
			if err := tx.UpdateDelivery(d); err != nil {
				return "", err
			}
			if err := record(tx, schedulerUser, event{kind: takedown.EventDeliveryOverdue, caseID: d.CaseID, measureID: d.MeasureID,
				operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "purpose": d.Purpose, "deadline_at": d.DeadlineAt}}); err != nil {
				return "", err
			}
			res.Overdue++
		}
		return next, nil
	})
	if err != nil {
		return res, err
	}
	err = s.batches(ctx, func(tx takedown.Tx, cursor string) (string, error) {
		lost, next, err := tx.Deliveries(takedown.DeliveryFilter{Deadline: takedown.DeadlineAwaitingReceipt, Unmarked: true,
			SentBefore: tx.Now().Add(-s.outbox.GiveUp), Page: takedown.Page{Limit: tickBatch, Cursor: cursor}})
		if err != nil {
			return "", err
		}
		for _, d := range lost {
			now := tx.Now()
			if c := d.Clarification; c != nil && now.Sub(c.At) < s.outbox.GiveUp {
				continue // waiting for the clarification's receipt, which has had less time
			}
			d.UnreceivedAt = &now
			if err := tx.UpdateDelivery(d); err != nil {
				return "", err
			}
			if err := record(tx, schedulerUser, event{kind: takedown.EventDeliveryUnreceived, caseID: d.CaseID, measureID: d.MeasureID,
				operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "purpose": d.Purpose, "sent_at": d.SentAt}}); err != nil {
				return "", err
			}
			res.Unreceived++
		}
		return next, nil
	})
	if err != nil {
		return res, err
	}
	err = s.batches(ctx, func(tx takedown.Tx, cursor string) (string, error) {
		due, next, err := tx.Measures(takedown.MeasureFilter{RecheckDue: true, RecheckUnnotified: true,
			Page: takedown.Page{Limit: tickBatch, Cursor: cursor}})
		if err != nil {
			return "", err
		}
		for _, m := range due {
			m.RecheckNotified = m.NextRecheck
			if err := tx.UpdateMeasure(m); err != nil {
				return "", err
			}
			if err := record(tx, schedulerUser, event{kind: takedown.EventMeasureRecheckDue, caseID: m.CaseID, measureID: m.ID,
				data: map[string]any{"next_recheck": m.NextRecheck}}); err != nil {
				return "", err
			}
			res.RechecksDue++
		}
		return next, nil
	})
	if err != nil {
		return res, err
	}
	// The retention purge: what is due and not under a legal hold (docs/evidence.md). It
	// reads every record still kept, in a write transaction, so it runs once every
	// purgeEvery of the store's time rather than at every tick: retention is counted in
	// months.
	err = s.update(ctx, func(tx takedown.Tx) error {
		s.purgeMu.Lock()
		defer s.purgeMu.Unlock()
		if !s.lastPurge.IsZero() && tx.Now().Sub(s.lastPurge) < purgeEvery {
			return nil
		}
		p, err := s.purge(tx, schedulerUser, false)
		if err == nil {
			res.Purged = len(p.Evidence) + len(p.Contacts)
			s.lastPurge = tx.Now()
		}
		return err
	})
	return res, err
}

// purgeEvery is how often the scheduler runs the retention purge.
const purgeEvery = time.Hour

// batches runs fn in successive write transactions, following its cursor until the end.
func (s *Service) batches(ctx context.Context, fn func(tx takedown.Tx, cursor string) (string, error)) error {
	cursor := ""
	for {
		var next string
		err := s.update(ctx, func(tx takedown.Tx) (err error) {
			next, err = fn(tx, cursor)
			return err
		})
		if err != nil || next == "" {
			return err
		}
		cursor = next
	}
}

// Scheduler runs Tick every interval, and at once whenever Wake is called (the demo does when
// its clock jumps), until ctx is done.
type Scheduler struct {
	service  *Service
	interval time.Duration
	log      *slog.Logger
	wake     chan struct{}
	// OnTick, if set, is called after each pass (metrics).
	OnTick func(TickResult, error)
}

// NewScheduler returns a scheduler for the service.
func NewScheduler(s *Service, interval time.Duration, log *slog.Logger) *Scheduler {
	return &Scheduler{service: s, interval: interval, log: log, wake: make(chan struct{}, 1)}
}

// Wake asks for a pass now.
func (sc *Scheduler) Wake() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

// Run runs passes until ctx is done.
func (sc *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(sc.interval)
	defer t.Stop()
	for {
		res, err := sc.service.Tick(ctx)
		if sc.OnTick != nil {
			sc.OnTick(res, err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			sc.log.Error("scheduler pass failed", "err", err)
		case res.Unreceived > 0:
			sc.log.Warn("deliveries still not received by their operators: reach them another way", "unreceived", res.Unreceived)
		case res != TickResult{}:
			sc.log.Info("scheduler pass", slog.Group("done", "issued", res.Issued, "overdue", res.Overdue, "unreceived", res.Unreceived,
				"rechecks_due", res.RechecksDue))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-sc.wake:
		}
	}
}
