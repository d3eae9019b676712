package httpapi_test

import (
	"bytes"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog/publisher"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/client"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/delivery/fetch"
	"github.com/takedown-project/takedown/httpapi"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/safety"
	"github.com/takedown-project/takedown/vault"
)

// start is a Monday morning in Paris, in winter time.
var start = time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC)

// unlimited is the API configuration of most tests: public reports are not rate-limited,
// because the helpers report a lot from one address.
var unlimited = httpapi.Config{ReportsPerMinute: -1}

// fixture is a small authority served over HTTP on a real SQLite file, with the default
// procedure profile, a clock that stands still until advanced, users of every role and
// operators of every kind with one user each. The demo clock routes are on.
type fixture struct {
	api          *httpapi.Server
	srv          *httptest.Server
	clock        *takedown.SimClock
	db           *storetest.Store
	checkpointer *publisher.Checkpointer

	public                          *client.Client
	officer, supervisor, controller *account
	flagger, admin                  *account
	host, platform, publisher       *takedown.Operator
	isp, search                     *takedown.Operator
	keys                            *publisher.Keys    // the log's, which sign feeds too
	desk                            map[int64]*account // an operator's user, by operator id
	banks                           int                // hash banks made, to name the next
	urls                            int                // addresses reported so far
	logs                            *logBuffer         // everything the server logged, debug included
	page                            string             // a page on loopback that officers capture as evidence
}

// logBuffer collects what the server logs, from its many goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// account is a user, its token and a client that signs in with it.
type account struct {
	user  *takedown.User
	token string
	api   *client.Client
}

func newFixture(t *testing.T, cfg httpapi.Config) *fixture {
	t.Helper()
	dir := t.TempDir()
	clock := takedown.NewSimClock(start, nil)
	db := storetest.Open(t, clock)
	v, err := vault.Load(filepath.Join(dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keyFile := filepath.Join(dir, "log.key")
	if _, err := publisher.CreateKey(keyFile, "takedown.example/log"); err != nil {
		t.Fatal(err)
	}
	keys, err := publisher.LoadKeys(keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	// A canary that has checked no version yet: its status is served as it is.
	canary, err := safety.NewCanary(safety.CanaryConfig{Resolver: netip.MustParseAddrPort("127.0.0.1:9")}, clock, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	svc := casework.New(db, procedure.Default(), v).WithCanary(canary)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<p>A synthetic page praising an invented attack.</p>")
	}))
	t.Cleanup(site.Close)
	capture := fetch.Default()
	capture.AllowLoopback = true
	svc.SetCapturer(delivery.Capturer(capture))
	cfg.DemoClock = clock
	cfg.Log = publisher.Tiles(db, log)
	cfg.FeedSigners = keys.Signers
	reg := prometheus.NewRegistry()
	api := httpapi.New(svc, cfg, log, reg)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	f := &fixture{api: api, srv: srv, clock: clock, db: db, keys: keys, checkpointer: publisher.New(db, keys, nil, clock, time.Second, log, reg),
		public: client.New(srv.URL, ""), desk: map[int64]*account{}, logs: logs, page: site.URL + "/post/1"}
	ctx := takedown.NewContextWithUser(t.Context(), casework.LocalAdmin)
	newAccount := func(name string, role takedown.Role, operatorID int64) *account {
		u, token, err := svc.CreateUser(ctx, takedown.UserInput{Name: name, Role: role, OperatorID: operatorID})
		if err != nil {
			t.Fatal(err)
		}
		return &account{user: u, token: token, api: client.New(srv.URL, token)}
	}
	f.officer = newAccount("Officer Alpha", takedown.RoleOfficer, 0)
	f.supervisor = newAccount("Supervisor Charlie", takedown.RoleSupervisor, 0)
	f.controller = newAccount("Controller Echo", takedown.RoleController, 0)
	f.flagger = newAccount("Flagger Foxtrot", takedown.RoleFlagger, 0)
	f.admin = newAccount("Admin Golf", takedown.RoleAdmin, 0)
	newOperator := func(name string, kind takedown.OperatorKind, domains ...string) *takedown.Operator {
		o, err := svc.CreateOperator(ctx, takedown.OperatorInput{Name: name, Kind: kind, Contact: "abuse@operator.example",
			Languages: []string{"fr", "en"}, Domains: domains})
		if err != nil {
			t.Fatal(err)
		}
		f.desk[o.ID] = newAccount(name+" desk", takedown.RoleOperator, o.ID)
		return o
	}
	f.host = newOperator("Video Host", takedown.KindHost, "video.host.test")
	f.platform = newOperator("Social Platform", takedown.KindPlatform, "social.platform.test")
	f.publisher = newOperator("Blog Publisher", takedown.KindPublisher, "blog.publisher.test")
	f.isp = newOperator("ISP One", takedown.KindISP)
	f.search = newOperator("Search Engine", takedown.KindSearchEngine)
	return f
}

// checkpoint publishes a checkpoint of the log as it is now, as the server does every second.
func (f *fixture) checkpoint(t *testing.T) *takedown.Checkpoint {
	t.Helper()
	cp, err := f.checkpointer.Cut(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// do calls the API with c and fails the test on any error.
func (f *fixture) do(t *testing.T, c *client.Client, method, path string, in, out any) {
	t.Helper()
	if err := c.Do(t.Context(), method, path, nil, in, out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

// response is a raw answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// newRequest returns a request for the API path (under /api/v1) with body sent as JSON
// (none if nil), signed in with token (the public if empty).
func (f *fixture) newRequest(t *testing.T, method, path, token string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+"/api/v1"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// send sends req and reads the whole answer.
func (f *fixture) send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", req.Method, req.URL.Path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// problem is the part of a problem document the tests check.
type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
}

// problem decodes r as a problem document, or explains why it is not one.
func (r response) problem() (problem, error) {
	var p problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		return p, fmt.Errorf("Content-Type %q, want application/problem+json (body %.200s)", ct, r.body)
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		return p, fmt.Errorf("problem document: %v (body %.200s)", err, r.body)
	}
	if p.Status != r.status {
		return p, fmt.Errorf("problem status %d, answer status %d", p.Status, r.status)
	}
	return p, nil
}

// wantProblem checks that r is a problem document with the status, code and field, whose
// detail contains every hint.
func wantProblem(t *testing.T, r response, status int, code, field string, hints ...string) {
	t.Helper()
	p, err := r.problem()
	if err != nil {
		t.Fatal(err)
	}
	if r.status != status || p.Code != code || p.Field != field {
		t.Errorf("answer %d code %q field %q, want %d code %q field %q (detail %q)", r.status, p.Code, p.Field, status, code, field, p.Detail)
	}
	for _, h := range hints {
		if !strings.Contains(p.Detail, h) {
			t.Errorf("detail %q does not say %q", p.Detail, h)
		}
	}
}

// reportInput is a valid report about one address.
func reportInput(u string) takedown.ReportInput {
	return takedown.ReportInput{URLs: []string{u}, Offence: "terrorism-apology",
		Description: "A video praising an attack and its authors.", GoodFaith: true,
		Hashes: []takedown.HashValue{{Type: takedown.HashMD5, Value: fmt.Sprintf("%x", md5.Sum([]byte(u)))}}}
}

// bank makes, as the officer, an evidence bank shared with the platform, holding one MD5
// hash; it returns the bank and the entry.
func (f *fixture) bank(t *testing.T) (*takedown.Bank, *takedown.HashEntry) {
	t.Helper()
	f.banks++
	var b takedown.Bank
	f.do(t, f.officer.api, "POST", "/hashbanks", takedown.BankInput{Name: fmt.Sprintf("bank %d", f.banks), Offence: "terrorism-apology",
		Source: takedown.SourceEvidence, Platforms: []int64{f.platform.ID}}, &b)
	value := fmt.Sprintf("%x", md5.Sum([]byte(b.Name)))
	f.do(t, f.officer.api, "POST", fmt.Sprintf("/hashbanks/%d/entries", b.ID), map[string]any{"format": "takedown.hashes/v1",
		"entries": []takedown.EntryInput{{HashValue: takedown.HashValue{Type: takedown.HashMD5, Value: value}, Labels: []string{"video"}}}}, nil)
	var entries list[*takedown.HashEntry]
	f.do(t, f.officer.api, "GET", fmt.Sprintf("/hashbank-entries?bank_id=%d", b.ID), nil, &entries)
	return &b, entries.Items[0]
}

// newURL returns an address on the host operator's domain that no case holds yet, on a host
// name of its own, so that blocking it changes the list.
func (f *fixture) newURL() string {
	f.urls++
	return fmt.Sprintf("https://s%d.video.host.test/v/%d", f.urls, f.urls)
}

// list is one page of a list answer.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// report submits a report about a new address as c and returns the case it opened.
func (f *fixture) report(t *testing.T, c *client.Client) *takedown.Case {
	t.Helper()
	var receipt struct {
		URLs []string `json:"urls"`
	}
	f.do(t, c, "POST", "/reports", reportInput(f.newURL()), &receipt)
	var cases list[*takedown.Case]
	f.do(t, f.officer.api, "GET", "/cases?"+url.Values{"url": receipt.URLs}.Encode(), nil, &cases)
	if len(cases.Items) != 1 {
		t.Fatalf("reported %v: %d cases hold it, want 1", receipt.URLs, len(cases.Items))
	}
	return cases.Items[0]
}

// flaggerReport returns a report the trusted flagger made about a new address.
func (f *fixture) flaggerReport(t *testing.T) *takedown.Report {
	t.Helper()
	c := f.report(t, f.flagger.api)
	var reports list[*takedown.Report]
	f.do(t, f.officer.api, "GET", fmt.Sprintf("/reports?case_id=%d", c.ID), nil, &reports)
	return reports.Items[0]
}

// stage is how far caseAt takes a new case.
type stage int

// The stages of a case, in procedure order.
const (
	reported  stage = iota // new
	accepted               // qualifying
	qualified              // awaiting approval, qualified by the officer
	approved               // approved by the supervisor
)

// apologyElements establishes every element of terrorism-apology.
func apologyElements() map[string]any {
	return map[string]any{
		"predicate_act":              "The attack of 1 January 2026 on Example Square, qualified as terrorist by the prosecutor.",
		"predicate_act_is_terrorist": true,
		"public_character":           true,
		"characterisation":           "apology",
	}
}

// qualification qualifies a case as terrorism-apology.
func qualification() takedown.QualificationInput {
	return takedown.QualificationInput{Offence: "terrorism-apology", Elements: apologyElements(),
		Reasons: "The video glorifies the authors of the attack and calls them heroes."}
}

// caseAt reports a new address publicly and takes its case to the stage: accepted and
// qualified by the officer, approved by the supervisor.
func (f *fixture) caseAt(t *testing.T, s stage) *takedown.Case {
	t.Helper()
	c := f.report(t, f.public)
	if s >= accepted {
		f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/accept", c.ID), nil, c)
	}
	if s >= qualified {
		f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/qualify", c.ID), qualification(), c)
	}
	if s >= approved {
		f.do(t, f.supervisor.api, "POST", fmt.Sprintf("/cases/%d/approve", c.ID), nil, c)
	}
	return c
}

// removalRequest issues, as the officer, a removal request to the host on a new approved
// case; the ISPs are informed.
func (f *fixture) removalRequest(t *testing.T) *takedown.Measure {
	t.Helper()
	c := f.caseAt(t, approved)
	var m takedown.Measure
	f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/measures", c.ID),
		takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: f.host.ID}, &m)
	return &m
}

// proposedBlocking proposes, as the officer, to block the host of a new approved case whose
// publisher is unidentified.
func (f *fixture) proposedBlocking(t *testing.T) *takedown.Measure {
	t.Helper()
	c := f.caseAt(t, approved)
	var m takedown.Measure
	f.do(t, f.officer.api, "POST", fmt.Sprintf("/cases/%d/measures", c.ID), takedown.MeasureInput{Kind: takedown.Blocking,
		PublisherUnidentified: "The site has no legal notice and its registrant is hidden."}, &m)
	return &m
}

// blockingInForce is a proposed blocking approved by the supervisor: the ISPs must block.
func (f *fixture) blockingInForce(t *testing.T) *takedown.Measure {
	t.Helper()
	m := f.proposedBlocking(t)
	f.do(t, f.supervisor.api, "POST", fmt.Sprintf("/measures/%d/approve", m.ID), nil, m)
	return m
}

// delivery returns what measure m sent to operator op for the purpose.
func (f *fixture) delivery(t *testing.T, m *takedown.Measure, op *takedown.Operator, purpose takedown.Purpose) *takedown.Delivery {
	t.Helper()
	var ds list[*takedown.Delivery]
	f.do(t, f.officer.api, "GET", fmt.Sprintf("/deliveries?measure_id=%d&operator_id=%d", m.ID, op.ID), nil, &ds)
	for _, d := range ds.Items {
		if d.Purpose == purpose {
			return d
		}
	}
	t.Fatalf("measure %d sent no %s to %s", m.ID, purpose, op.Name)
	return nil
}

// recommendation has the controller recommend ending a new removal request and takes the
// recommendation to the state: open, declined by the supervisor, or referred to court.
func (f *fixture) recommendation(t *testing.T, st takedown.RecommendationState) *takedown.Recommendation {
	t.Helper()
	m := f.removalRequest(t)
	var r takedown.Recommendation
	f.do(t, f.controller.api, "POST", "/recommendations",
		map[string]any{"measure_id": m.ID, "reasons": "The content does not name a terrorist act."}, &r)
	if st == takedown.RecommendationDeclined || st == takedown.RecommendationReferred {
		f.do(t, f.supervisor.api, "POST", fmt.Sprintf("/recommendations/%d/answer", r.ID),
			takedown.RecommendationAnswer{Reasons: "The attack was qualified as terrorist by the prosecutor."}, &r)
	}
	if st == takedown.RecommendationReferred {
		f.do(t, f.controller.api, "POST", fmt.Sprintf("/recommendations/%d/court", r.ID),
			takedown.CourtReferralInput{Court: "Administrative Court of Exampleville", Reference: "2600123"}, &r)
	}
	return &r
}

// complaintInput is a complaint about a blocked site.
func complaintInput() takedown.ComplaintInput {
	return takedown.ComplaintInput{Address: "propaganda-mirror.example", From: takedown.ComplainantPublisher,
		Text: "The site is a news archive.", Contact: "owner@propaganda-mirror.example"}
}

// complaint is a new open complaint.
func (f *fixture) complaint(t *testing.T) *takedown.Complaint {
	t.Helper()
	var c takedown.Complaint
	f.do(t, f.public, "POST", "/complaints", complaintInput(), &c)
	return &c
}

// review is the controller's first item of a new review session of one measure.
func (f *fixture) review(t *testing.T) *takedown.ReviewItem {
	t.Helper()
	f.removalRequest(t)
	var r takedown.ReviewSession
	f.do(t, f.controller.api, "POST", "/reviews", takedown.ReviewSessionInput{Limit: 1}, &r)
	var it takedown.ReviewItem
	f.do(t, f.controller.api, "GET", fmt.Sprintf("/reviews/%d/next", r.ID), nil, &it)
	return &it
}

// eventCount counts the events in the record, as the controller, page by page.
func (f *fixture) eventCount(t *testing.T) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page list[json.RawMessage]
		f.do(t, f.controller.api, "GET", "/events?"+q.Encode(), nil, &page)
		n += len(page.Items)
		if page.NextCursor == "" {
			return n
		}
		cursor = page.NextCursor
	}
}

// lastEvent returns the latest event of a case, as the controller.
func (f *fixture) lastEvent(t *testing.T, caseID int64) *takedown.Event {
	t.Helper()
	var events struct{ Items []*takedown.Event }
	if err := f.controller.api.Do(t.Context(), "GET", "/events", url.Values{"case_id": {fmt.Sprint(caseID)}, "limit": {"500"}}, nil, &events); err != nil {
		t.Fatal(err)
	}
	if len(events.Items) == 0 {
		t.Fatalf("case %d has no events", caseID)
	}
	return events.Items[len(events.Items)-1]
}

// evidenceRef is a piece of evidence and its case.
type evidenceRef struct{ ID, CaseID int64 }

// evidenceOf reports, as the flagger, a URL with a (synthetic) file, and returns its evidence.
func (f *fixture) evidenceOf(t *testing.T) evidenceRef {
	t.Helper()
	in := reportInput(f.newURL())
	in.Files = []takedown.ReportFile{{Name: "statement.txt", Data: []byte("A synthetic statement for the role matrix.")}}
	var receipt struct {
		URLs []string `json:"urls"`
	}
	f.do(t, f.flagger.api, "POST", "/reports", in, &receipt)
	var cases list[*takedown.Case]
	f.do(t, f.officer.api, "GET", "/cases?"+url.Values{"url": receipt.URLs}.Encode(), nil, &cases)
	c := cases.Items[0].ID
	var ev struct {
		Items []*takedown.Evidence `json:"items"`
	}
	f.do(t, f.officer.api, "GET", fmt.Sprintf("/cases/%d/evidence", c), nil, &ev)
	return evidenceRef{ID: ev.Items[len(ev.Items)-1].ID, CaseID: c}
}
