package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlite"
)

// TestDeadlineStatusInSQLMatchesGo: the store's deadline filter and counts (SQL) agree with
// takedown.Delivery.DeadlineStatusAt (Go) for every state, with and without a deadline,
// before and after it, complied in time and late.
func TestDeadlineStatusInSQLMatchesGo(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "takedown.db"), takedown.NewSimClock(now, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	ctx := context.Background()
	var want = map[int64]takedown.DeadlineStatus{}
	err = db.Update(ctx, func(tx takedown.Tx) error {
		op := &takedown.Operator{Name: "Host", Kind: takedown.KindHost, Contact: "abuse@host.example", Languages: []string{"en"},
			Domains: []string{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateOperator(op); err != nil {
			return err
		}
		c := &takedown.Case{State: takedown.CaseApproved, URLs: []string{"https://host.test/x"}, Offence: "csam", OpenedAt: now, UpdatedAt: now}
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		m := &takedown.Measure{CaseID: c.ID, Kind: takedown.RemovalRequest, State: takedown.MeasureIssued, OperatorID: op.ID,
			Targets: c.URLs, Offence: "csam", ProposedAt: now}
		if err := tx.CreateMeasure(m); err != nil {
			return err
		}
		for _, st := range takedown.DeliveryStates {
			for _, hasDeadline := range []bool{false, true} {
				for _, deadline := range []*time.Time{nil, &past, &future} {
					for _, complied := range []*time.Time{nil, &past, &future} {
						if !hasDeadline && deadline != nil || st != takedown.DeliveryComplied && complied != nil ||
							st == takedown.DeliveryComplied && complied == nil {
							continue // not a combination casework writes
						}
						d := &takedown.Delivery{MeasureID: m.ID, CaseID: c.ID, OperatorID: op.ID, Kind: m.Kind,
							Purpose: takedown.PurposeAction, State: st, SentAt: now.Add(-2 * time.Hour),
							HasDeadline: hasDeadline, DeadlineAt: deadline, CompliedAt: complied}
						if err := tx.CreateDelivery(d); err != nil {
							return err
						}
						want[d.ID] = d.DeadlineStatusAt(now)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	counted := map[takedown.DeadlineStatus]int{}
	for _, st := range want {
		if st != takedown.DeadlineNone {
			counted[st]++
		}
	}
	err = db.View(ctx, func(tx takedown.Tx) error {
		for _, st := range takedown.DeadlineStatuses {
			list, _, err := tx.Deliveries(takedown.DeliveryFilter{Deadline: st, Page: takedown.Page{Limit: takedown.MaxPageLimit}})
			if err != nil {
				return err
			}
			got := map[int64]bool{}
			for _, d := range list {
				got[d.ID] = true
				if want[d.ID] != st {
					t.Errorf("SQL says delivery %d (%s, deadline %v) is %s; Go says %s", d.ID, d.State, d.DeadlineAt, st, want[d.ID])
				}
			}
			for id, w := range want {
				if w == st && !got[id] {
					t.Errorf("Go says delivery %d is %s; the SQL filter misses it", id, st)
				}
			}
		}
		counts, err := tx.CountDeadlines()
		if err != nil {
			return err
		}
		for _, st := range takedown.DeadlineStatuses {
			if counts[st] != counted[st] {
				t.Errorf("CountDeadlines[%s] = %d, want %d", st, counts[st], counted[st])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
