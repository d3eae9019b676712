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

// TestDurabilitySettings: the writer commits with synchronous=FULL in WAL mode, with foreign
// keys on (kill -9 alone cannot tell FULL from NORMAL: the page cache survives a process).
func TestDurabilitySettings(t *testing.T) {
	db := openInternal(t)
	err := db.Update(context.Background(), func(takedown.Tx) error { // on the writer's goroutine
		w := db.commits.Conn().(*conn)
		for pragma, want := range map[string]string{"synchronous": "2", "journal_mode": "wal", "foreign_keys": "1"} {
			var got string
			if err := w.c.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got); err != nil {
				return err
			}
			if got != want {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
