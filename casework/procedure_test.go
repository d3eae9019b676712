package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestWholeProcedure walks one case through every step: report, triage, qualification, four
// eyes, removal request with ISPs informed, missed deadline, blocking with its own second
// approval, ISP answers, quarterly re-check, oversight recommendation declined, court
// referral and annulment, restoration, closure.
func TestWholeProcedure(t *testing.T) {
	w := newWorld(t)
	r := w.report("https://Video.Host.test/watch/../v/123#t=5")
	if got, want := r.URLs[0].Canonical, "https://video.host.test/v/123"; got != want {
		t.Fatalf("canonical = %q, want %q", got, want)
	}
	if !strings.HasPrefix(r.Receipt, "TD-") {
		t.Errorf("receipt = %q, want a TD- reference", r.Receipt)
	}
	id := r.URLs[0].CaseID

	must(w.svc.Accept(w.as(w.officer), id))(t)
	c := must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: apologyElements(), Reasons: "The video glorifies the authors of the attack."}))(t)
	if c.State != takedown.CaseAwaitingApproval {
		t.Fatalf("state after qualification = %s", c.State)
	}

	// Four eyes: a supervisor who qualified cannot approve; an officer cannot approve at all.
	_, err := w.svc.Approve(w.as(w.officer), id)
	wantCode(t, err, takedown.EFORBIDDEN)
	c = must(w.svc.Approve(w.as(w.supervisor), id))(t)
	if c.State != takedown.CaseApproved || c.Qualification.ApprovedBy != w.supervisor.ID {
		t.Fatalf("after approval: state %s approved by %d", c.State, c.Qualification.ApprovedBy)
	}

	// Blocking before any removal request is refused.
	_, err = w.svc.IssueMeasure(w.as(w.officer), id, takedown.MeasureInput{Kind: takedown.Blocking})
	wantCode(t, err, takedown.EPRECONDITION)

	// Removal request to the host, ISPs informed at the same time.
	removal := must(w.svc.IssueMeasure(w.as(w.officer), id, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID}))(t)
	if removal.State != takedown.MeasureIssued {
		t.Fatalf("removal state = %s", removal.State)
	}
	action := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction)
	if action.Deadline != takedown.DeadlineAwaitingReceipt {
		t.Errorf("removal deadline before receipt: %s, want awaiting_receipt", action.Deadline)
	}
	w.deliveryTo(removal.ID, w.isp1, takedown.PurposeInformation)
	w.deliveryTo(removal.ID, w.isp2, takedown.PurposeInformation)

	// The host acknowledges, which starts the deadline, but does not remove; it passes.
	action = must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}))(t)
	if got, want := *action.DeadlineAt, start.Add(24*time.Hour); !got.Equal(want) {
		t.Errorf("removal deadline = %v, want %v", got, want)
	}
	if res := w.tick(23 * time.Hour); res.Overdue != 0 {
		t.Fatalf("overdue after 23 h = %d", res.Overdue)
	}
	if res := w.tick(2 * time.Hour); res.Overdue != 1 {
		t.Fatalf("overdue after 25 h = %d, want 1", res.Overdue)
	}
	if res := w.tick(time.Minute); res.Overdue != 0 {
		t.Fatalf("second pass recorded the missed deadline again: %d", res.Overdue)
	}
	c = must(w.svc.Case(w.as(w.officer), id))(t)
	if !c.Overdue {
		t.Fatal("case is not overdue after the removal deadline passed")
	}
	counts := must(w.svc.DeadlineCounts(w.as(w.controller)))(t)
	if counts[takedown.DeadlineOverdue] != 1 {
		t.Fatalf("overdue count = %d, want 1 (%v)", counts[takedown.DeadlineOverdue], counts)
	}

	// Blocking: proposed by an officer, approved by a different supervisor, sent to every ISP.
	blocking := must(w.svc.IssueMeasure(w.as(w.officer), id, takedown.MeasureInput{Kind: takedown.Blocking}))(t)
	if blocking.State != takedown.MeasureProposed || blocking.Targets[0] != "video.host.test" {
		t.Fatalf("blocking = %s %v", blocking.State, blocking.Targets)
	}
	blocking = must(w.svc.ApproveMeasure(w.as(w.supervisor2), blocking.ID))(t)
	if blocking.State != takedown.MeasureInForce {
		t.Fatalf("blocking state after approval = %s", blocking.State)
	}
	for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
		d := w.deliveryTo(blocking.ID, isp, takedown.PurposeAction)
		must(w.svc.Answer(w.asOperator(isp), d.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	}
	// The re-check falls due three calendar months later at the same Paris wall-clock time
	// (11:01 CET on 13 January becomes 11:01 CEST on 13 April).
	wantRecheck := time.Date(2026, time.April, 13, 11, 1, 0, 0, w.svc.Profile().Location())
	if !blocking.NextRecheck.Equal(wantRecheck) {
		t.Errorf("next re-check = %v, want %v", blocking.NextRecheck, wantRecheck)
	}
	if res := w.tick(91 * 24 * time.Hour); res.RechecksDue != 1 {
		t.Fatalf("re-checks due = %d, want 1", res.RechecksDue)
	}
	blocking = must(w.svc.Recheck(w.as(w.officer2), blocking.ID, takedown.RecheckInput{Outcome: takedown.RecheckConfirm,
		Reasons: "The video is still online and still glorifies the attack."}))(t)
	if !blocking.NextRecheck.After(w.clock.Now()) {
		t.Fatalf("next re-check %v is not in the future", blocking.NextRecheck)
	}

	// Oversight: the controller recommends ending the blocking; a supervisor declines.
	rec := must(w.svc.Recommend(w.as(w.controller), blocking.ID, "The predicate act was not qualified as terrorist by any court."))(t)
	_, err = w.svc.AnswerRecommendation(w.as(w.officer), rec.ID, takedown.RecommendationAnswer{Reasons: "no"})
	wantCode(t, err, takedown.EFORBIDDEN)
	rec = must(w.svc.AnswerRecommendation(w.as(w.supervisor), rec.ID, takedown.RecommendationAnswer{
		Follow: false, Reasons: "The prosecutor opened a terrorism investigation."}))(t)
	if rec.State != takedown.RecommendationDeclined {
		t.Fatalf("recommendation state = %s", rec.State)
	}
	rec = must(w.svc.ReferToCourt(w.as(w.controller), rec.ID, takedown.CourtReferralInput{Court: "Tribunal administratif de Paris", Reference: "2604321"}))(t)
	rec = must(w.svc.RecordCourtOutcome(w.as(w.controller), rec.ID, takedown.CourtOutcomeInput{Outcome: takedown.CourtAnnulled,
		Summary: "The arson was not a terrorist act in law; the measure is annulled."}))(t)
	if rec.State != takedown.RecommendationDecided {
		t.Fatalf("recommendation state = %s", rec.State)
	}

	// The annulment lifted the blocking: every ISP must restore access within 24 h.
	blocking = must(w.svc.Measure(w.as(w.officer), blocking.ID))(t)
	if blocking.State != takedown.MeasureLifted {
		t.Fatalf("blocking after annulment = %s", blocking.State)
	}
	for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
		d := w.deliveryTo(blocking.ID, isp, takedown.PurposeRestoration)
		if got, want := *d.DeadlineAt, w.clock.Now().Add(24*time.Hour); !got.Equal(want) {
			t.Errorf("restoration deadline = %v, want %v", got, want)
		}
		must(w.svc.Answer(w.asOperator(isp), d.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	}

	// The case cannot close while the removal request is active; once withdrawn, it can.
	_, err = w.svc.Close(w.as(w.officer), id, "Content gone.")
	wantCode(t, err, takedown.EPRECONDITION)
	must(w.svc.WithdrawMeasure(w.as(w.officer), removal.ID, "The court annulled the blocking; the request is withdrawn too."))(t)
	w.deliveryTo(removal.ID, w.host, takedown.PurposeWithdrawal)
	w.deliveryTo(removal.ID, w.isp1, takedown.PurposeWithdrawal)
	if d := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction); d.State != takedown.DeliveryCancelled {
		t.Errorf("removal action after withdrawal = %s, want cancelled", d.State)
	}
	c = must(w.svc.Close(w.as(w.officer), id, "Measures ended after the court's annulment."))(t)
	if c.State != takedown.CaseClosed {
		t.Fatalf("case state = %s", c.State)
	}

	// The record holds the story in order.
	events := mustList(w.svc.Events(w.as(w.controller), takedown.EventFilter{CaseID: id, Page: takedown.Page{Limit: 500}}))(t)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind))
	}
	for _, want := range []takedown.EventKind{takedown.EventCaseOpened, takedown.EventReportReceived, takedown.EventCaseAccepted,
		takedown.EventCaseQualified, takedown.EventCaseApproved, takedown.EventMeasureIssued, takedown.EventDeliveryOverdue,
		takedown.EventMeasureProposed, takedown.EventMeasureRecheckDue, takedown.EventMeasureRechecked,
		takedown.EventRecommendationMade, takedown.EventRecommendationAnswered, takedown.EventRecommendationReferred,
		takedown.EventRecommendationDecided, takedown.EventMeasureLifted, takedown.EventMeasureWithdrawn, takedown.EventCaseClosed} {
		if !strings.Contains(strings.Join(kinds, " "), string(want)) {
			t.Errorf("case record lacks %s: %v", want, kinds)
		}
	}
}

// TestReportsJoinOpenCase: reports whose canonical URL is in an open case join it; a report
// with new and known URLs splits; after closure the URL opens a new case.
func TestReportsJoinOpenCase(t *testing.T) {
	w := newWorld(t)
	a := w.report("https://video.host.test/v/1")
	b := w.report("HTTPS://VIDEO.HOST.TEST:443/v/./1#again")
	if a.URLs[0].CaseID != b.URLs[0].CaseID {
		t.Fatalf("same content opened cases %d and %d", a.URLs[0].CaseID, b.URLs[0].CaseID)
	}
	mixed := w.report("https://video.host.test/v/1", "https://video.host.test/v/2")
	if mixed.URLs[0].CaseID != a.URLs[0].CaseID || mixed.URLs[1].CaseID == a.URLs[0].CaseID {
		t.Fatalf("mixed report grouped as %v", mixed.URLs)
	}
	c := must(w.svc.Case(w.as(w.officer), a.URLs[0].CaseID))(t)
	if c.Reports != 3 {
		t.Errorf("reports in case = %d, want 3", c.Reports)
	}
	// A flagger's report raises the case's priority to the front of the queue.
	must(w.svc.SubmitReport(w.as(w.flagger), takedown.ReportInput{URLs: []string{"https://video.host.test/v/2"},
		Offence: "terrorism-apology", Description: "Flagged by our trust and safety team.", GoodFaith: true}))(t)
	queue, _, err := w.svc.Cases(w.as(w.officer), takedown.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if queue[0].ID != mixed.URLs[1].CaseID || queue[0].Priority != takedown.PriorityFlagger {
		t.Errorf("queue head = case %d priority %d, want the flagged case %d", queue[0].ID, queue[0].Priority, mixed.URLs[1].CaseID)
	}
	must(w.svc.Dismiss(w.as(w.officer), a.URLs[0].CaseID, "A news report about the attack, not an apology."))(t)
	again := w.report("https://video.host.test/v/1")
	if again.URLs[0].CaseID == a.URLs[0].CaseID {
		t.Fatal("a report about a closed case's URL joined the closed case")
	}
}

// TestReportContactIsSealed: the contact is stored encrypted, shown to the authority only.
func TestReportContactIsSealed(t *testing.T) {
	w := newWorld(t)
	r := must(w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://video.host.test/v/9"},
		Offence: "csam", Description: "Found while browsing.", Contact: "reporter@mail.example", GoodFaith: true}))(t)
	var sealed []byte
	err := w.db.View(context.Background(), func(tx takedown.Tx) error {
		stored, err := tx.Report(r.ID)
		sealed = stored.SealedContact
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) == 0 || strings.Contains(string(sealed), "reporter@mail.example") {
		t.Fatalf("contact stored in clear: %q", sealed)
	}
	got := must(w.svc.Report(w.as(w.officer), r.ID))(t)
	if got.Contact != "reporter@mail.example" {
		t.Errorf("officer sees contact %q", got.Contact)
	}
	list, _, err := w.svc.Reports(w.as(w.officer), takedown.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if list[0].Contact != "" || !list[0].HasContact {
		t.Errorf("list shows contact %q, has_contact %v", list[0].Contact, list[0].HasContact)
	}
	_, err = w.svc.Report(w.as(w.flagger), r.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
}
