package casework_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
)

// start is a Monday morning in Paris, in winter time.
var start = time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC)

// world is a small authority on a real SQLite file: officers, supervisors, a controller,
// and operators of every kind with one user each.
type world struct {
	t     *testing.T
	svc   *casework.Service
	clock *takedown.SimClock
	db    *storetest.Store

	officer, officer2, supervisor, supervisor2, controller, flagger, admin *takedown.User

	host, platform, isp1, isp2, search *takedown.Operator
	// operatorUser maps an operator id to its user.
	operatorUser map[int64]*takedown.User
}

func newWorld(t *testing.T) *world {
	return newWorldWithProfile(t, procedure.Default())
}

func newWorldWithProfile(t *testing.T, p *procedure.Profile) *world {
	t.Helper()
	clock := takedown.NewSimClock(start, nil)
	db := storetest.Open(t, clock)
	v, err := vault.Load(filepath.Join(db.Dir, "vault.key"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, clock: clock, db: db, operatorUser: map[int64]*takedown.User{},
		svc: casework.New(db, p, v)}
	local := takedown.NewContextWithUser(context.Background(), casework.LocalAdmin)
	w.admin = w.user(local, "Admin One", takedown.RoleAdmin, 0)
	w.officer = w.user(local, "Officer Alpha", takedown.RoleOfficer, 0)
	w.officer2 = w.user(local, "Officer Bravo", takedown.RoleOfficer, 0)
	w.supervisor = w.user(local, "Supervisor Charlie", takedown.RoleSupervisor, 0)
	w.supervisor2 = w.user(local, "Supervisor Delta", takedown.RoleSupervisor, 0)
	w.controller = w.user(local, "Controller Echo", takedown.RoleController, 0)
	ctx := w.as(w.admin) // the API administrator registers operators and their users, and flaggers
	w.flagger = w.user(ctx, "Flagger Foxtrot", takedown.RoleFlagger, 0)
	w.host = w.operator(ctx, "Video Host", takedown.KindHost, "video.host.test")
	w.platform = w.operator(ctx, "Social Platform", takedown.KindPlatform, "social.platform.test")
	w.isp1 = w.operator(ctx, "ISP One", takedown.KindISP)
	w.isp2 = w.operator(ctx, "ISP Two", takedown.KindISP)
	w.search = w.operator(ctx, "Search Engine", takedown.KindSearchEngine)
	return w
}

func (w *world) user(ctx context.Context, name string, role takedown.Role, op int64) *takedown.User {
	w.t.Helper()
	u, _, err := w.svc.CreateUser(ctx, takedown.UserInput{Name: name, Role: role, OperatorID: op})
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

func (w *world) operator(ctx context.Context, name string, kind takedown.OperatorKind, domains ...string) *takedown.Operator {
	w.t.Helper()
	o, err := w.svc.CreateOperator(ctx, takedown.OperatorInput{Name: name, Kind: kind, Contact: "abuse@operator.example",
		Languages: []string{"fr", "en"}, Domains: domains})
	if err != nil {
		w.t.Fatal(err)
	}
	w.operatorUser[o.ID] = w.user(ctx, name+" desk", takedown.RoleOperator, o.ID)
	return o
}

// as returns a context for the user.
func (w *world) as(u *takedown.User) context.Context {
	return takedown.NewContextWithUser(context.Background(), u)
}

// asOperator returns a context for the operator's user.
func (w *world) asOperator(o *takedown.Operator) context.Context {
	return w.as(w.operatorUser[o.ID])
}

// must fails the test on err and returns v.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// mustList is must for a list method's (page, cursor, error).
func mustList[T any](v []T, _ string, err error) func(t *testing.T) []T {
	return must(v, err)
}

// wantCode checks that err carries the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := takedown.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// report submits a public report about urls and returns it.
func (w *world) report(urls ...string) *takedown.Report {
	w.t.Helper()
	return must(w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: urls,
		Offence: "terrorism-apology", Description: "A video praising an attack.", GoodFaith: true}))(w.t)
}

// apologyElements establishes every element of terrorism-apology.
func apologyElements() map[string]any {
	return map[string]any{
		"predicate_act":              "The attack of 1 January 2026 on the Example Square, qualified as terrorist by the prosecutor.",
		"predicate_act_is_terrorist": true,
		"public_character":           true,
		"characterisation":           "apology",
	}
}

// approvedCase reports urls and takes the case through triage, qualification by officer and
// approval by supervisor.
func (w *world) approvedCase(urls ...string) *takedown.Case {
	w.t.Helper()
	r := w.report(urls...)
	id := r.URLs[0].CaseID
	must(w.svc.Accept(w.as(w.officer), id))(w.t)
	must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: apologyElements(), Reasons: "The video glorifies the authors of the attack and calls them heroes."}))(w.t)
	return must(w.svc.Approve(w.as(w.supervisor), id))(w.t)
}

// deliveries returns the deliveries of a measure.
func (w *world) deliveries(measureID int64) []*takedown.Delivery {
	w.t.Helper()
	list, _, err := w.svc.Deliveries(w.as(w.officer), takedown.DeliveryFilter{MeasureID: measureID})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// deliveryTo returns the delivery of a measure to an operator for a purpose.
func (w *world) deliveryTo(measureID int64, op *takedown.Operator, purpose takedown.Purpose) *takedown.Delivery {
	w.t.Helper()
	for _, d := range w.deliveries(measureID) {
		if d.OperatorID == op.ID && d.Purpose == purpose {
			return d
		}
	}
	w.t.Fatalf("measure %d has no %s delivery to %s", measureID, purpose, op.Name)
	return nil
}

// eventCount returns the number of events in the record.
func (w *world) eventCount() int {
	w.t.Helper()
	n := 0
	f := takedown.EventFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}}
	for {
		list, next, err := w.svc.Events(w.as(w.controller), f)
		if err != nil {
			w.t.Fatal(err)
		}
		n += len(list)
		if next == "" {
			return n
		}
		f.Cursor = next
	}
}

// tick advances the clock by d and runs the scheduler.
func (w *world) tick(d time.Duration) casework.TickResult {
	w.t.Helper()
	w.clock.Advance(d)
	return must(w.svc.Tick(context.Background()))(w.t)
}

// wantMessage checks that err's message contains every part.
func wantMessage(t *testing.T, err error, parts ...string) {
	t.Helper()
	msg := takedown.ErrorMessage(err)
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error message %q does not contain %q", msg, p)
		}
	}
}

// measure reads a measure as an officer.
func (w *world) measure(id int64) *takedown.Measure {
	w.t.Helper()
	return must(w.svc.Measure(w.as(w.officer), id))(w.t)
}

// delivery reads a delivery as an officer, with its deadline status.
func (w *world) delivery(id int64) *takedown.Delivery {
	w.t.Helper()
	d, _, err := w.svc.Notice(w.as(w.officer), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// caseByID reads a case as an officer.
func (w *world) caseByID(id int64) *takedown.Case {
	w.t.Helper()
	return must(w.svc.Case(w.as(w.officer), id))(w.t)
}

// issue issues a measure on a case as the officer and fails the test on error.
func (w *world) issue(caseID int64, in takedown.MeasureInput) *takedown.Measure {
	w.t.Helper()
	return must(w.svc.IssueMeasure(w.as(w.officer), caseID, in))(w.t)
}

// removalRequest issues a removal request to the host on a case, and the host acknowledges
// its receipt, which starts the deadline.
func (w *world) removalRequest(caseID int64) *takedown.Measure {
	w.t.Helper()
	m := w.issue(caseID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	w.receive(m.ID, w.host)
	return m
}

// receive has an operator acknowledge the receipt of the action it was sent on a measure.
func (w *world) receive(measureID int64, op *takedown.Operator) *takedown.Delivery {
	w.t.Helper()
	d := w.deliveryTo(measureID, op, takedown.PurposeAction)
	return must(w.svc.Answer(w.asOperator(op), d.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}))(w.t)
}

// overdueRemoval issues a removal request to the host and lets its 24-hour deadline pass.
func (w *world) overdueRemoval(caseID int64) *takedown.Measure {
	w.t.Helper()
	m := w.removalRequest(caseID)
	if res := w.tick(25 * time.Hour); res.Overdue < 1 {
		w.t.Fatalf("removal request %d not overdue after 25 h: %+v", m.ID, res)
	}
	return m
}

// listInForce proposes a list measure of kind on a case (with an unidentified publisher as
// justification) and has the second supervisor approve it.
func (w *world) listInForce(caseID int64, kind takedown.MeasureKind) *takedown.Measure {
	w.t.Helper()
	m := w.issue(caseID, takedown.MeasureInput{Kind: kind, PublisherUnidentified: "The site has no legal notice and no contact."})
	return must(w.svc.ApproveMeasure(w.as(w.supervisor2), m.ID))(w.t)
}

// events returns every event in the record, oldest first.
func (w *world) events() []*takedown.Event {
	w.t.Helper()
	var all []*takedown.Event
	f := takedown.EventFilter{Page: takedown.Page{Limit: takedown.MaxPageLimit}}
	for {
		list, next, err := w.svc.Events(w.as(w.controller), f)
		if err != nil {
			w.t.Fatal(err)
		}
		all = append(all, list...)
		if next == "" {
			return all
		}
		f.Cursor = next
	}
}

// countEvents counts the events of one kind in the record.
func (w *world) countEvents(kind takedown.EventKind) int {
	w.t.Helper()
	n := 0
	for _, e := range w.events() {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// snapshot returns every row the procedure writes (cases, measures, deliveries,
// recommendations, operators, reports, events), read straight from the store, so that a test
// can show that a refused operation changed nothing.
func (w *world) snapshot() string {
	w.t.Helper()
	all := func(fetch func(cursor string) (any, string, error)) []any {
		var out []any
		cursor := ""
		for {
			page, next, err := fetch(cursor)
			if err != nil {
				w.t.Fatal(err)
			}
			out = append(out, page)
			if next == "" {
				return out
			}
			cursor = next
		}
	}
	p := func(cursor string) takedown.Page { return takedown.Page{Limit: takedown.MaxPageLimit, Cursor: cursor} }
	var snap []any
	err := w.db.View(context.Background(), func(tx takedown.Tx) error {
		snap = append(snap,
			all(func(c string) (any, string, error) { return tx.Cases(takedown.CaseFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) { return tx.Measures(takedown.MeasureFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) { return tx.Deliveries(takedown.DeliveryFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) {
				return tx.Recommendations(takedown.RecommendationFilter{Page: p(c)})
			}),
			all(func(c string) (any, string, error) { return tx.Operators(takedown.OperatorFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) { return tx.Reports(takedown.ReportFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) { return tx.Events(takedown.EventFilter{Page: p(c)}) }),
			all(func(c string) (any, string, error) { return tx.Users(p(c)) }), // a token is recorded by its event
		)
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}
