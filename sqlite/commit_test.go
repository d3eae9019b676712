package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/sqlite"
)

var at = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func openBatched(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "takedown.db")
	db, err := sqlite.Open(path, takedown.NewSimClock(at, nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// operatorNamed inserts an operator; the name tells the writes apart.
func operatorNamed(tx takedown.Tx, name string) error {
	return tx.CreateOperator(&takedown.Operator{Name: name, Kind: takedown.KindHost, Contact: "abuse@host.example",
		Languages: []string{"en"}, Domains: []string{}, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
}

// storedNames lists the names of every operator.
func storedNames(t *testing.T, db *sqlite.DB) map[string]bool {
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
	db, path := openBatched(t)
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
	db.Close()
	again, err := sqlite.Open(path, takedown.NewSimClock(at, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	check(storedNames(t, again))
}

// TestCancelledWriteIsNotApplied: a write whose caller gave up before its turn is not run.
func TestCancelledWriteIsNotApplied(t *testing.T) {
	db, _ := openBatched(t)
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
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "takedown.db"), takedown.NewSimClock(at, nil))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	err = db.Update(context.Background(), func(tx takedown.Tx) error { return nil })
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("Update after Close: %v", err)
	}
	err = db.View(context.Background(), func(tx takedown.Tx) error { return nil })
	if takedown.ErrorCode(err) != takedown.EUNAVAILABLE {
		t.Errorf("View after Close: %v", err)
	}
}
