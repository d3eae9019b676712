package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

func openInternal(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "takedown.db"), takedown.NewSimClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func insertOperator(name string) func(tx takedown.Tx) error {
	return func(tx takedown.Tx) error {
		return tx.CreateOperator(&takedown.Operator{Name: name, Kind: takedown.KindHost, Contact: "abuse@host.example",
			Languages: []string{"en"}, Domains: []string{}, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
	}
}

func operatorCount(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), func(tx takedown.Tx) error {
		list, _, err := tx.Operators(takedown.OperatorFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}})
		n = len(list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLostTransactionFailsTheWholeBatch: when the batch's transaction is lost half-way (as
// SQLite does on a full disk), the writes already applied in it are answered with an error
// too — none was committed — and the writer works again for the next batch.
func TestLostTransactionFailsTheWholeBatch(t *testing.T) {
	db := openInternal(t)
	done := func() chan error { return make(chan error, 1) }
	batch := []*pendingWrite{
		{ctx: context.Background(), fn: insertOperator("before"), done: done()},
		{ctx: context.Background(), fn: func(tx takedown.Tx) error {
			return db.writer.raw("ROLLBACK") // the transaction is gone, as after SQLITE_FULL
		}, done: done()},
		{ctx: context.Background(), fn: insertOperator("after"), done: done()},
	}
	db.commit(batch)
	for i, pw := range batch {
		if err := <-pw.done; err == nil {
			t.Errorf("write %d of the lost batch was acknowledged", i)
		}
	}
	if n := operatorCount(t, db); n != 0 {
		t.Errorf("%d operators stored by a lost batch", n)
	}
	if err := db.Update(context.Background(), insertOperator("next")); err != nil {
		t.Fatalf("the writer does not recover: %v", err)
	}
	if n := operatorCount(t, db); n != 1 {
		t.Errorf("%d operators after the next batch, want 1", n)
	}
}

// TestDurabilitySettings: the writer commits with synchronous=FULL in WAL mode, with foreign
// keys on (kill -9 alone cannot tell FULL from NORMAL: the page cache survives a process).
func TestDurabilitySettings(t *testing.T) {
	db := openInternal(t)
	for pragma, want := range map[string]string{"synchronous": "2", "journal_mode": "wal", "foreign_keys": "1"} {
		var got string
		if err := db.writer.c.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}
