package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/procedure"
)

// feedWorld is a server signing feeds with its log key, with one blocking measure in force
// and the tokens of an ISP and of a host.
type feedWorld struct {
	url, key, isp, host           string
	svc                           *casework.Service
	officer, supervisor, approver context.Context
}

func newFeedWorld(t *testing.T) *feedWorld {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	db, v, err := openStore(data, takedown.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keyFile := filepath.Join(dir, "log.key")
	vkey, err := publisher.CreateKey(keyFile, "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := publisher.LoadKeys(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v)
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Config{FeedSigners: keys.Signers}, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry()))
	t.Cleanup(srv.Close)

	local := takedown.NewContextWithUser(t.Context(), casework.LocalAdmin)
	user := func(role takedown.Role, name string, op int64) (context.Context, string) {
		u, token, err := svc.CreateUser(local, takedown.UserInput{Name: name, Role: role, OperatorID: op})
		if err != nil {
			t.Fatal(err)
		}
		return takedown.NewContextWithUser(t.Context(), u), token
	}
	officer, _ := user(takedown.RoleOfficer, "Officer Alpha", 0)
	supervisor, _ := user(takedown.RoleSupervisor, "Supervisor Charlie", 0)
	approver, _ := user(takedown.RoleSupervisor, "Supervisor Delta", 0)
	admin, _ := user(takedown.RoleAdmin, "Admin Golf", 0)
	operator := func(name string, kind takedown.OperatorKind, domains ...string) string {
		o, err := svc.CreateOperator(admin, takedown.OperatorInput{Name: name, Kind: kind, Contact: "abuse@operator.example",
			Languages: []string{"fr"}, Domains: domains})
		if err != nil {
			t.Fatal(err)
		}
		_, token := user(takedown.RoleOperator, name+" desk", o.ID)
		return token
	}
	w := &feedWorld{url: srv.URL, key: vkey, svc: svc, officer: officer, supervisor: supervisor, approver: approver,
		isp: operator("ISP One", takedown.KindISP), host: operator("Video Host", takedown.KindHost, "video.host.test")}
	w.block(t, "https://tribute-videos.example/v/1")
	return w
}

// block reports a URL, has its case qualified and approved, and blocks its host name: a new
// version of the blocking list.
func (w *feedWorld) block(t *testing.T, url string) {
	t.Helper()
	r, err := w.svc.SubmitReport(t.Context(), takedown.ReportInput{URLs: []string{url},
		Offence: "terrorism-apology", Description: "A video praising an attack.", GoodFaith: true})
	if err != nil {
		t.Fatal(err)
	}
	id := r.URLs[0].CaseID
	steps := []func() error{
		func() error { _, err := w.svc.Accept(w.officer, id); return err },
		func() error {
			_, err := w.svc.Qualify(w.officer, id, takedown.QualificationInput{Offence: "terrorism-apology", Elements: map[string]any{
				"predicate_act": "The attack of 3 March on the Example Square", "predicate_act_is_terrorist": true,
				"public_character": true, "characterisation": "apology"}, Reasons: "The video presents the attackers as heroes."})
			return err
		},
		func() error { _, err := w.svc.Approve(w.supervisor, id); return err },
		func() error {
			m, err := w.svc.IssueMeasure(w.officer, id, takedown.MeasureInput{Kind: takedown.Blocking, PublisherUnidentified: "The site has no legal notice."})
			if err == nil {
				_, err = w.svc.ApproveMeasure(w.approver, m.ID)
			}
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFeedGetVerify: an ISP fetches the blocking list's feed and verifies it offline with the
// authority's key, given as the key or as a file; an incremental feed verifies as following
// the whole one; a changed byte, another key or a file that is not a feed each fail with
// their own exit code and say why; a host is refused the list.
func TestFeedGetVerify(t *testing.T) {
	w := newFeedWorld(t)
	dir := t.TempDir()
	isp := map[string]string{"TAKEDOWN_SERVER": w.url, "TAKEDOWN_TOKEN": w.isp}
	whole := filepath.Join(dir, "blocking-1.csv.note")
	out := cli(t, isp, 0, "feed", "get", "--list", "blocking", "--format", "csv", "--out", whole, "--key", w.key)
	contains(t, out, "Wrote "+whole, "verified with the key given")
	keyFile := filepath.Join(dir, "authority.vkey")
	if err := os.WriteFile(keyFile, []byte(w.key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "blocking-1.csv")
	out = cli(t, nil, 0, "feed", "verify", "--key", keyFile, "--text", text, whole)
	contains(t, out, "list:      blocking", "version:   1", "the whole list: 1 entries", "format:    csv", "signed by: authority.example/log+", "OK")
	if b, err := os.ReadFile(text); err != nil || !bytes.HasPrefix(b, []byte("format,list,version,since,published,as_of\ntakedown.feed/v1,blocking,1,0,")) ||
		!bytes.Contains(b, []byte("\ntribute-videos.example,false,terrorism-apology,")) {
		t.Errorf("the verified text: %q (%v)", b, err)
	}

	w.block(t, "https://tribute-mirror.example/v/1")
	next := filepath.Join(dir, "blocking-2.json.note")
	cli(t, isp, 0, "feed", "get", "--list", "blocking", "--since", "1", "--out", next)
	out = cli(t, map[string]string{"TAKEDOWN_LOG_KEY": w.key}, 0, "feed", "verify", "--after", whole, next)
	contains(t, out, "version:   2", "since:     1", "the changes of versions 2 to 2: 1", "follows:   "+whole+", version 1", "OK")
	out = cli(t, nil, 10, "feed", "verify", "--key", w.key, "--after", next, whole)
	contains(t, out, "does not follow", "older than its version 2")

	msg, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.note")
	os.WriteFile(tampered, bytes.Replace(msg, []byte("tribute-videos"), []byte("tribute-vidöos"), 1), 0o644)
	out = cli(t, nil, 10, "feed", "verify", "--key", w.key, tampered)
	contains(t, out, "inconsistent: "+tampered+" does not verify: the signature by authority.example/log does not verify: the feed was changed after it was signed")
	other, err := publisher.CreateKey(filepath.Join(dir, "other.key"), "authority.example/log")
	if err != nil {
		t.Fatal(err)
	}
	out = cli(t, nil, 10, "feed", "verify", "--key", other, whole)
	contains(t, out, "is not signed by the key authority.example/log+")
	notFeed := filepath.Join(dir, "notes.txt")
	os.WriteFile(notFeed, []byte("target\npropaganda.example\n"), 0o644)
	out = cli(t, nil, 2, "feed", "verify", "--key", w.key, notFeed)
	contains(t, out, "invalid: "+notFeed+" is not a signed feed: not a signed note")
	cli(t, nil, 2, "feed", "verify", whole)
	out = cli(t, nil, 2, "feed", "verify", "--key", "not-a-key", whole)
	contains(t, out, "key:")

	out = cli(t, map[string]string{"TAKEDOWN_SERVER": w.url, "TAKEDOWN_TOKEN": w.host}, 4, "feed", "get", "--list", "blocking")
	contains(t, out, "the blocking list goes to operators of kind isp")
	out = cli(t, isp, 2, "feed", "get", "--list", "blocking", "--since", "9")
	contains(t, out, "since: the blocking list's latest version is 2")
	out = cli(t, isp, 0, "feed", "get", "--list", "blocking")
	if !bytes.HasPrefix([]byte(out), []byte("{\n  \"format\": \"takedown.feed/v1\"")) {
		t.Errorf("feed get to standard output:\n%s", out)
	}
}
