package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/postgres"
)

// base is the database the tests make their schemas in, or the test is skipped.
func base(t *testing.T) string { return storetest.NeedPostgres(t) }

// emptySchema creates a schema without migrating it and returns its DSN.
func emptySchema(t *testing.T) string { return storetest.NewEmptySchema(t, base(t)) }

var clock = takedown.NewSimClock(time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC), nil)

func open(t *testing.T, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, clock, postgres.Options{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrate: serve's Open refuses a schema that is behind, naming the command that brings
// it up to date; Migrate does, once, and again does nothing; a schema from a newer version
// is refused.
func TestMigrate(t *testing.T) {
	dsn := emptySchema(t)
	_, err := postgres.Open(context.Background(), dsn, clock, postgres.Options{})
	if !errors.Is(err, postgres.ErrSchemaBehind) || !strings.Contains(err.Error(), "takedown migrate") {
		t.Fatalf("Open on an empty schema: %v, want a refusal naming takedown migrate", err)
	}
	// Two replicas upgrading at once take turns: one migrates, the other finds it done.
	var wg sync.WaitGroup
	results := make([][2]int, 2)
	for i := range results {
		wg.Go(func() {
			from, to, err := postgres.Migrate(context.Background(), dsn)
			if err != nil {
				t.Error(err)
			}
			results[i] = [2]int{from, to}
		})
	}
	wg.Wait()
	latest := postgres.Latest()
	if results[0][1] != latest || results[1][1] != latest || results[0][0]+results[1][0] != latest {
		t.Errorf("concurrent migrations went %v; want one from 0 and one from %d, both to %d", results, latest, latest)
	}
	open(t, dsn)

	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version) VALUES (9999)`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(context.Background(), dsn, clock, postgres.Options{}); err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Errorf("Open on a newer schema: %v", err)
	}
}

// TestBadURLs: what is not a database is refused with the reason, and a password never
// shows in a message.
func TestBadURLs(t *testing.T) {
	for _, tc := range []struct{ dsn, says string }{
		{"mysql://db.example/x", "not a postgres:// URL"},
		{"postgres://someone:s3cret@127.0.0.1:1/none?connect_timeout=2", "xxxxx"},
		{storetest.WithSchema(base(t), "no_such_schema"), "names no schema"},
	} {
		_, err := postgres.Open(context.Background(), tc.dsn, clock, postgres.Options{})
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%s) = %v, want an error saying %q without the password", postgres.Redact(tc.dsn), err, tc.says)
		}
	}
}

// TestConcurrentReplicasKeepTheLogGapFree: three stores on one schema (three replicas)
// append events concurrently; every event gets the next id, the log has a leaf for each, in
// order, and its tree is the tree of those leaves. Event times follow the ids.
func TestConcurrentReplicasKeepTheLogGapFree(t *testing.T) {
	dsn := storetest.NewSchema(t, base(t))
	replicas := []*postgres.DB{open(t, dsn), open(t, dsn), open(t, dsn)}
	const writers, each = 12, 25
	var wg sync.WaitGroup
	for w := range writers {
		db := replicas[w%len(replicas)]
		wg.Go(func() {
			for i := range each {
				e := &takedown.Event{Kind: takedown.EventCaseAccepted, ActorID: int64(w + 1), ActorRole: "officer",
					CaseID: int64(i + 1), Data: []byte(fmt.Sprintf(`{"writer":%d,"n":%d}`, w, i))}
				err := db.Update(context.Background(), func(tx takedown.Tx) error {
					e.At = tx.Now()
					return tx.AppendEvent(e)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	err := replicas[0].View(context.Background(), func(tx takedown.Tx) error {
		events := storetest.CheckLog(t, tx)
		if len(events) != writers*each {
			t.Errorf("log size %d, want %d", len(events), writers*each)
		}
		for i := 1; i < len(events); i++ {
			if events[i].At.Before(events[i-1].At) {
				t.Errorf("event %d at %s, before the one it follows (%s)", events[i].ID, events[i].At, events[i-1].At)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOneLeader: of three replicas, one leads at a time; when it stops, another takes over.
func TestOneLeader(t *testing.T) {
	dsn := storetest.NewSchema(t, base(t))
	var leaders atomic.Int32
	var most atomic.Int32
	took := make(chan int, 8)
	stops := make([]context.CancelFunc, 3)
	var wg sync.WaitGroup
	for i := range stops {
		db := open(t, dsn)
		ctx, cancel := context.WithCancel(context.Background())
		stops[i] = cancel
		wg.Go(func() {
			db.Lead(ctx, slog.New(slog.DiscardHandler), func(ctx context.Context) {
				n := leaders.Add(1)
				if n > most.Load() {
					most.Store(n)
				}
				took <- i
				<-ctx.Done()
				leaders.Add(-1)
			})
		})
	}
	t.Cleanup(func() {
		for _, stop := range stops {
			stop()
		}
		wg.Wait()
	})
	first := <-took
	stops[first]()
	second := <-took
	if second == first {
		t.Fatalf("replica %d led again after it stopped", first)
	}
	stops[second]()
	third := <-took
	if third == first || third == second {
		t.Fatalf("the third leader is %d, after %d and %d", third, first, second)
	}
	if most.Load() != 1 {
		t.Errorf("%d replicas led at once", most.Load())
	}
}

// TestRebind: placeholders become $n, except inside string literals.
func TestRebind(t *testing.T) {
	got := postgres.Rebind(`SELECT 'a?b' FROM t WHERE x = ? AND y IN (?, ?) AND z = '?'`)
	if want := `SELECT 'a?b' FROM t WHERE x = $1 AND y IN ($2, $3) AND z = '?'`; got != want {
		t.Errorf("Rebind = %s, want %s", got, want)
	}
}

// TestReplicaClockBehind: a replica whose clock is an hour behind the others' writes after
// them; its events are not dated before theirs: the record does not go back in time.
func TestReplicaClockBehind(t *testing.T) {
	dsn := storetest.NewSchema(t, base(t))
	ahead := takedown.NewSimClock(time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC), nil)
	behind := takedown.NewSimClock(ahead.Now().Add(-time.Hour), nil)
	var events []*takedown.Event
	for i, c := range []*takedown.SimClock{ahead, behind, ahead, behind} {
		db, err := postgres.Open(context.Background(), dsn, c, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := &takedown.Event{Kind: takedown.EventCaseAccepted, ActorID: 1, ActorRole: "officer", CaseID: int64(i + 1), Data: []byte(`{}`)}
		err = db.Update(context.Background(), func(tx takedown.Tx) error { e.At = tx.Now(); return tx.AppendEvent(e) })
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
		ahead.Advance(time.Second)
		behind.Advance(time.Second)
	}
	for i := 1; i < len(events); i++ {
		if events[i].At.Before(events[i-1].At) {
			t.Errorf("event %d is dated %s, before event %d (%s)", events[i].ID, events[i].At, events[i-1].ID, events[i-1].At)
		}
	}
}
