// The store's own tests, run on every dialect: on SQLite, and on PostgreSQL when
// TAKEDOWN_TEST_DB names a database (see internal/storetest).
package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/internal/storetest"
)

var clock = takedown.NewSimClock(time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC), nil)

// event returns an event of the record, as casework writes one.
func event(i int) *takedown.Event {
	return &takedown.Event{At: clock.Now(), Kind: takedown.EventCaseAccepted, ActorID: 7, ActorRole: "officer",
		CaseID: int64(i), Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
}

// appendEvents appends n events, each in its own transaction.
func appendEvents(t *testing.T, db takedown.Store, n int) []*takedown.Event {
	t.Helper()
	var out []*takedown.Event
	for i := range n {
		e := event(i)
		if err := db.Update(context.Background(), func(tx takedown.Tx) error { return tx.AppendEvent(e) }); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestAppendEventLogsIt: each event gets the next id, a salt, and a leaf whose entry
// commits to it; the stored tree is the tree of those entries.
func TestAppendEventLogsIt(t *testing.T) {
	db := storetest.Open(t, clock)
	written := appendEvents(t, db, 300) // more than a tile
	err := db.View(context.Background(), func(tx takedown.Tx) error {
		events := storetest.CheckLog(t, tx)
		if len(events) != 300 {
			t.Errorf("log size = %d, want 300", len(events))
		}
		for i, e := range written {
			if e.ID != int64(i+1) || len(e.Salt) != auditlog.SaltSize {
				t.Fatalf("event %d: id %d, salt of %d bytes", i, e.ID, len(e.Salt))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailedWriteLeavesNoLeaf: a change that fails after appending its event is rolled back
// with its leaf (its savepoint, in a batch of the group commit); the next event takes the
// free index. Neither the change nor its leaf survives without the other.
func TestFailedWriteLeavesNoLeaf(t *testing.T) {
	db := storetest.Open(t, clock)
	appendEvents(t, db, 3)
	failed := errors.New("the change failed after its event")
	err := db.Update(context.Background(), func(tx takedown.Tx) error {
		if err := tx.AppendEvent(event(99)); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update = %v, want the change's error", err)
	}
	next := appendEvents(t, db, 1)[0]
	if next.ID != 4 {
		t.Errorf("the next event has id %d, want 4", next.ID)
	}
	db.View(context.Background(), func(tx takedown.Tx) error {
		if size, _ := tx.LogSize(); size != 4 {
			t.Errorf("log size = %d, want 4", size)
		}
		return nil
	})
}

// TestTheLogIsAppendOnly: the schema refuses to change or delete a leaf, a hash, an event
// or a checkpoint, even to someone writing SQL to the database.
func TestTheLogIsAppendOnly(t *testing.T) {
	db := storetest.Open(t, clock)
	appendEvents(t, db, 2)
	cp := &takedown.Checkpoint{Size: 2, Root: make([]byte, 32), Note: "takedown.example/log\n2\n…\n", SignedAt: clock.Now()}
	if err := db.Update(context.Background(), func(tx takedown.Tx) error { return tx.CreateCheckpoint(cp) }); err != nil {
		t.Fatal(err)
	}
	raw := db.SQL(t)
	for _, stmt := range []string{
		`UPDATE log_hashes SET entry = ? WHERE id = 0`,
		`UPDATE events SET salt = ? WHERE id = 1`,
		`UPDATE log_hashes SET hash = ? WHERE id = 0`,
		`DELETE FROM log_hashes`,
		`UPDATE events SET data = '{}' WHERE id = 1`,
		`DELETE FROM events WHERE id = 2`,
		`UPDATE log_checkpoints SET note = '' WHERE size = 2`,
		`DELETE FROM log_checkpoints`,
	} {
		var args []any
		if strings.Contains(stmt, "?") {
			args = append(args, []byte{0})
		}
		if _, err := raw.Exec(stmt, args...); err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
}

// TestCheckpoints: stored once per size, listed newest first with pages, found by size.
func TestCheckpoints(t *testing.T) {
	db := storetest.Open(t, clock)
	ctx := context.Background()
	for _, size := range []int64{1, 2, 5} {
		cp := &takedown.Checkpoint{Size: size, Root: make([]byte, 32), Note: fmt.Sprintf("note %d\n", size), SignedAt: clock.Now()}
		if err := db.Update(ctx, func(tx takedown.Tx) error { return tx.CreateCheckpoint(cp) }); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Update(ctx, func(tx takedown.Tx) error {
		return tx.CreateCheckpoint(&takedown.Checkpoint{Size: 2, Root: make([]byte, 32), Note: "again\n", SignedAt: clock.Now()})
	})
	if takedown.ErrorCode(err) != takedown.ECONFLICT {
		t.Errorf("a second checkpoint of size 2: %v, want a conflict", err)
	}
	db.View(ctx, func(tx takedown.Tx) error {
		latest, err := tx.LatestCheckpoint()
		if err != nil || latest.Size != 5 {
			t.Errorf("latest = %+v, %v; want size 5", latest, err)
		}
		first, next, err := tx.Checkpoints(takedown.Page{Limit: 2})
		if err != nil || len(first) != 2 || first[0].Size != 5 || first[1].Size != 2 || next == "" {
			t.Errorf("first page = %v, %q, %v", first, next, err)
		}
		rest, next, err := tx.Checkpoints(takedown.Page{Limit: 2, Cursor: next})
		if err != nil || len(rest) != 1 || rest[0].Size != 1 || next != "" {
			t.Errorf("second page = %v, %q, %v", rest, next, err)
		}
		if _, err := tx.Checkpoint(3); takedown.ErrorCode(err) != takedown.ENOTFOUND {
			t.Errorf("checkpoint 3: %v, want not found", err)
		}
		return nil
	})
}

// TestDeadlineStatusInSQLMatchesGo: the store's deadline filter and counts (SQL) agree with
// takedown.Delivery.DeadlineStatusAt (Go) for every state, with and without a deadline,
// before and after it, complied in time and late.
func TestDeadlineStatusInSQLMatchesGo(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	db := storetest.Open(t, takedown.NewSimClock(now, nil))
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	ctx := context.Background()
	var want = map[int64]takedown.DeadlineStatus{}
	err := db.Update(ctx, func(tx takedown.Tx) error {
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

// operatorNamed inserts an operator; the name tells the writes apart.
func operatorNamed(tx takedown.Tx, name string) error {
	return tx.CreateOperator(&takedown.Operator{Name: name, Kind: takedown.KindHost, Contact: "abuse@host.example",
		Languages: []string{"en"}, Domains: []string{}, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
}

// storedNames lists the names of every operator.
func storedNames(t *testing.T, db takedown.Store) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	err := db.View(context.Background(), func(tx takedown.Tx) error {
		list, _, err := tx.Operators(takedown.OperatorFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}})
		for _, o := range list {
			names[o.Name] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestGroupCommitIsolatesWrites: many concurrent writes are committed in shared batches;
// those that fail (half-way through, after writing a row) or panic leave nothing behind,
// and every one that succeeded is stored, durably across a reopen.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	db := storetest.Open(t, clock)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	panics := make([]any, 200)
	for i := range 200 {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = db.Update(context.Background(), func(tx takedown.Tx) error {
				if err := operatorNamed(tx, fmt.Sprintf("op-%d", i)); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return takedown.Errorf(takedown.ECONFLICT, "write %d refused after its insert", i)
				case 7:
					panic(fmt.Sprintf("write %d panicked after its insert", i))
				}
				return nil
			})
		})
	}
	wg.Wait()
	check := func(names map[string]bool) {
		t.Helper()
		for i := range 200 {
			name := fmt.Sprintf("op-%d", i)
			switch i % 10 {
			case 3:
				if takedown.ErrorCode(errs[i]) != takedown.ECONFLICT || names[name] {
					t.Errorf("write %d: err %v, stored %v; want its own conflict and nothing stored", i, errs[i], names[name])
				}
			case 7:
				if panics[i] == nil || names[name] {
					t.Errorf("write %d: panic %v, stored %v; want the panic in the caller and nothing stored", i, panics[i], names[name])
				}
			default:
				if errs[i] != nil || !names[name] {
					t.Errorf("write %d: err %v, stored %v; want it stored", i, errs[i], names[name])
				}
			}
		}
	}
	check(storedNames(t, db))
	db.Reopen(t)
	check(storedNames(t, db))
}

// TestCancelledWriteIsNotApplied: a write whose caller gave up before its turn is not run.
func TestCancelledWriteIsNotApplied(t *testing.T) {
	db := storetest.Open(t, clock)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.Update(ctx, func(tx takedown.Tx) error { return operatorNamed(tx, "too late") })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if storedNames(t, db)["too late"] {
		t.Fatal("a cancelled write was stored")
	}
}

// TestClosedStoreRefuses: after Close, writes and reads get an unavailable error.
func TestClosedStoreRefuses(t *testing.T) {
	db := storetest.Open(t, clock)
	db.Close()
	err := db.Update(context.Background(), func(tx takedown.Tx) error { return nil })
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("Update after Close: %v", err)
	}
	err = db.View(context.Background(), func(tx takedown.Tx) error { return nil })
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("View after Close: %v", err)
	}
}
