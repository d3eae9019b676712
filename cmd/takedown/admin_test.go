package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/procedure"
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

// TestAdminUserLink: the link printed opens a console session once; a disabled user gets
// none; a bad public URL is refused.
func TestAdminUserLink(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "officer", "--name", "Test Officer")
	cli(t, nil, 2, "admin", "user", "link", "--data", data, "--public-url", "ftp://x.example", "1")
	link := lastLine(cli(t, nil, 0, "admin", "user", "link", "--data", data, "--public-url", "https://takedown.authority.example/", "1"))
	secret, ok := strings.CutPrefix(link, "https://takedown.authority.example/signin/")
	if !ok {
		t.Fatalf("the link is %q", link)
	}
	db, v, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := casework.New(db, procedure.Default(), v)
	if _, u, err := svc.SignIn(context.Background(), secret); err != nil || u.Name != "Test Officer" {
		t.Fatalf("sign in with the link: %v %v", u, err)
	}
	if _, _, err := svc.SignIn(context.Background(), secret); takedown.ErrorCode(err) != takedown.EUNAUTHORIZED {
		t.Errorf("the link a second time: %v", err)
	}
	cli(t, nil, 0, "admin", "user", "disable", "--data", data, "1")
	cli(t, nil, 6, "admin", "user", "link", "--data", data, "1")
}

// TestAdminUserPassword: a password read from standard input signs the user in by name;
// a short one, an empty one and a wrong one are refused; --remove removes it.
func TestAdminUserPassword(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cli(t, nil, 0, "admin", "user", "add", "--data", data, "--role", "supervisor", "--name", "Test Supervisor")
	cli(t, nil, 2, "admin", "user", "password", "--data", data, "1")
	cliInput(t, nil, "short\n", 2, "admin", "user", "password", "--data", data, "1")
	cliInput(t, nil, "correct horse battery staple\n", 0, "admin", "user", "password", "--data", data, "1")
	db, v, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	if _, u, err := svc.SignInWithPassword(context.Background(), "test supervisor", "correct horse battery staple"); err != nil || u.ID != 1 {
		t.Errorf("sign in with the password: %v %v", u, err)
	}
	if _, _, err := svc.SignInWithPassword(context.Background(), "Test Supervisor", "wrong horse battery staple"); takedown.ErrorCode(err) != takedown.EUNAUTHORIZED {
		t.Errorf("a wrong password: %v", err)
	}
	if _, _, err := svc.SignInWithPassword(context.Background(), "Nobody", "correct horse battery staple"); takedown.ErrorCode(err) != takedown.EUNAUTHORIZED {
		t.Errorf("a wrong name: %v", err)
	}
	db.Close()
	cli(t, nil, 0, "admin", "user", "password", "--data", data, "--remove", "1")
	db, v, err = openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc = casework.New(db, procedure.Default(), v)
	if _, _, err := svc.SignInWithPassword(context.Background(), "Test Supervisor", "correct horse battery staple"); takedown.ErrorCode(err) != takedown.EUNAUTHORIZED {
		t.Errorf("a removed password: %v", err)
	}
}
