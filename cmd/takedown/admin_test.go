package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
)

// TestAdminLogKeyRotation: a rotation adds a new current key and keeps the previous one
// signing until it is retired; both steps are recorded in the log with the keys that sign.
func TestAdminLogKeyRotation(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cli(t, nil, 2, "admin", "log-key", "create", "--data", data) // no origin
	first := lastLine(cli(t, nil, 0, "admin", "log-key", "create", "--data", data, "--origin", "authority.example/log"))
	cli(t, nil, 6, "admin", "log-key", "create", "--data", data, "--origin", "authority.example/log") // never replaced
	cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "admin", "--name", "Test Admin")
	if out := cli(t, nil, 0, "admin", "log-key", "show", "--data", data); !strings.Contains(out, first) {
		t.Errorf("show does not print the key %s:\n%s", first, out)
	}
	out := cli(t, nil, 0, "admin", "log-key", "rotate", "--data", data)
	keys, err := publisher.LoadKeys(logKeyPath(data), "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.Public) != 2 || keys.Public[1] != first || !strings.Contains(out, keys.Public[0]) {
		t.Fatalf("after rotate, the keys are %v (rotate said %q); want a new one, then %s", keys.Public, out, first)
	}
	cli(t, nil, 6, "admin", "log-key", "rotate", "--data", data) // one rotation at a time
	cli(t, nil, 0, "admin", "log-key", "retire", "--data", data)
	cli(t, nil, 6, "admin", "log-key", "retire", "--data", data) // nothing to retire
	if keys, err = publisher.LoadKeys(logKeyPath(data), ""); err != nil || len(keys.Public) != 1 || keys.Public[0] == first {
		t.Fatalf("after retire, the keys are %v, %v; want the new one only", keys, err)
	}

	db, _, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(context.Background(), func(tx takedown.Tx) error {
		events, _, err := tx.Events(takedown.EventFilter{Kind: takedown.EventLogKeysChanged, Page: takedown.Page{Limit: 10}})
		if err != nil || len(events) != 2 {
			t.Errorf("%d log.keys_changed events, %v; want 2", len(events), err)
		}
		return nil
	})
}
