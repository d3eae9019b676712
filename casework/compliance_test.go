package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// TestComplianceChecks follows the checks of a removal: nothing before its deadline, a first
// round once it passes that finds the content still there, another after the interval that
// finds it gone — verified — and nothing after.
func TestComplianceChecks(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/check-1")
	w.removalRequest(c.ID) // received now: the deadline is in 24 h
	claim := func() []*casework.CheckDue {
		t.Helper()
		return must(w.svc.ClaimChecks(context.Background(), 10))(t)
	}
	if got := claim(); len(got) != 0 {
		t.Fatalf("checks before the deadline: %d", len(got))
	}
	w.clock.Advance(24*time.Hour + time.Second)
	due := claim()
	if len(due) != 1 || due[0].Targets[0] != "https://video.host.test/v/check-1" || due[0].SearchAPI != "" {
		t.Fatalf("due after the deadline: %+v", due)
	}
	if again := claim(); len(again) != 0 {
		t.Fatal("a leased check was claimed twice")
	}
	id := due[0].Delivery.ID
	d := must(w.svc.Checked(context.Background(), id, []takedown.ComplianceCheck{{Target: due[0].Targets[0], CheckedAt: w.clock.Now(),
		Status: 200, Digest: "sha256:00", Size: 10, Outcome: takedown.CheckPresent, Reason: "HTTP 200"}}))(t)
	if d.VerifiedAt != nil || d.Checks != 1 || !d.NextCheckAt.Equal(w.clock.Now().Add(casework.DefaultOutbox().CheckInterval)) {
		t.Fatalf("after a present check: verified %v, checks %d, next %v", d.VerifiedAt, d.Checks, d.NextCheckAt)
	}
	w.clock.Advance(casework.DefaultOutbox().CheckInterval)
	due = claim()
	if len(due) != 1 {
		t.Fatalf("second round due: %d", len(due))
	}
	d = must(w.svc.Checked(context.Background(), id, []takedown.ComplianceCheck{{Target: due[0].Targets[0], CheckedAt: w.clock.Now(),
		Status: 404, Outcome: takedown.CheckGone, Reason: "HTTP 404"}}))(t)
	if d.VerifiedAt == nil || d.NextCheckAt != nil {
		t.Fatalf("after a gone check: verified %v, next %v", d.VerifiedAt, d.NextCheckAt)
	}
	checks := must(w.svc.ComplianceChecks(w.asOperator(w.host), id))(t)
	if len(checks) != 2 || checks[1].Outcome != takedown.CheckGone {
		t.Fatalf("checks seen by the host: %+v", checks)
	}
	_, err := w.svc.ComplianceChecks(w.asOperator(w.platform), id)
	wantCode(t, err, takedown.EFORBIDDEN)
	if n := w.countEvents(takedown.EventDeliveryChecked); n != 2 {
		t.Errorf("delivery.checked events = %d, want 2", n)
	}
}

// TestComplianceCheckAfterComply shows that an operator's comply is checked at once, and
// that its stated time of removal (Annex II) is recorded, within limits, beside the answer's.
func TestComplianceCheckAfterComply(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/check-2")
	m := w.removalRequest(c.ID)
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	w.clock.Advance(2 * time.Hour)
	removed := w.clock.Now().Add(-30 * time.Minute)
	for _, bad := range []time.Time{w.clock.Now().Add(time.Minute), action.SentAt.Add(-time.Minute)} {
		_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply, ActedAt: &bad})
		wantCode(t, err, takedown.EINVALID)
	}
	d := must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply, ActedAt: &removed}))(t)
	// The stated time is the operator's (Annex II); the deadline is judged on the answer's.
	if !d.CompliedAt.Equal(w.clock.Now()) || !d.Answer.ActedAt.Equal(removed) || d.Deadline != takedown.DeadlineMet {
		t.Fatalf("complied at %v, acted at %v (%s), want %v and %v, met", d.CompliedAt, d.Answer.ActedAt, d.Deadline, w.clock.Now(), removed)
	}
	if due := must(w.svc.ClaimChecks(context.Background(), 10))(t); len(due) != 1 || due[0].Delivery.ID != action.ID {
		t.Fatalf("checks due after comply: %+v", due)
	}
}

// TestDereferencingCheckedThroughSearchAPI: a search engine with an API has its
// dereferencing checked once the deadline passes; one without has none.
func TestDereferencingCheckedThroughSearchAPI(t *testing.T) {
	w := newWorld(t)
	api := "https://api.search.example/v1/indexed?url={url}"
	ch := takedown.ChannelsUpdate{SearchAPI: &api}
	must(w.svc.UpdateOperator(w.as(w.admin), w.search.ID, takedown.OperatorUpdate{Channels: &ch}))(t)
	_, err := w.svc.UpdateOperator(w.as(w.admin), w.host.ID, takedown.OperatorUpdate{Channels: &ch})
	wantCode(t, err, takedown.EINVALID)
	c := w.approvedCase("https://video.host.test/v/deref-1")
	w.overdueRemoval(c.ID)
	w.listInForce(c.ID, takedown.Dereferencing)
	w.clock.Advance(49 * time.Hour)
	due := must(w.svc.ClaimChecks(context.Background(), 10))(t)
	var found *casework.CheckDue
	for _, d := range due {
		if d.Delivery.Kind == takedown.Dereferencing {
			found = d
		}
	}
	if found == nil || found.SearchAPI != api || found.Delivery.OperatorID != w.search.ID {
		t.Fatalf("dereferencing check: %+v", found)
	}
}

// TestRecords exports an operator's records over a period, as the basis of its costs.
func TestRecords(t *testing.T) {
	w := newWorld(t)
	from := w.clock.Now()
	c := w.approvedCase("https://video.host.test/v/rec-1")
	m := w.removalRequest(c.ID)
	w.clock.Advance(3 * time.Hour)
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	c2 := w.approvedCase("https://video.host.test/v/rec-2")
	w.issue(c2.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID}) // never received
	to := w.clock.Now().Add(time.Hour)

	r := must(w.svc.Records(w.asOperator(w.host), w.host.ID, casework.RecordsFilter{From: from, To: to}))(t)
	if r.Totals.Deliveries != 2 || r.Totals.Received != 1 || r.Totals.Complied != 1 || r.Totals.DeadlineMet != 1 {
		t.Fatalf("totals = %+v", r.Totals)
	}
	if got := r.Totals.MedianSecondsToCompliance; got != (3 * time.Hour).Seconds() {
		t.Errorf("median time to compliance = %v s, want 3 h", got)
	}
	if r.Deliveries[1].ReceivedAt != nil || r.Deliveries[1].Deadline != takedown.DeadlineAwaitingReceipt {
		t.Errorf("the unreceived delivery: %+v", r.Deliveries[1])
	}
	empty := must(w.svc.Records(w.as(w.controller), w.host.ID, casework.RecordsFilter{From: to, To: to.Add(time.Hour)}))(t)
	if empty.Totals.Deliveries != 0 {
		t.Errorf("records after the period: %d", empty.Totals.Deliveries)
	}
	_, err := w.svc.Records(w.asOperator(w.platform), w.host.ID, casework.RecordsFilter{From: from, To: to})
	wantCode(t, err, takedown.EFORBIDDEN)
	for _, f := range []casework.RecordsFilter{{}, {To: to}, {From: to, To: from}, {From: from, To: from.Add(400 * 24 * time.Hour)}} {
		_, err := w.svc.Records(w.as(w.controller), w.host.ID, f)
		wantCode(t, err, takedown.EINVALID)
	}

	// An ISP's list updates are in its records.
	c3 := w.approvedCase("https://video.host.test/v/rec-3")
	w.overdueRemoval(c3.ID)
	w.listInForce(c3.ID, takedown.Blocking)
	primary := takedown.NewContextWithUser(context.Background(), casework.DNSPrimary)
	if err := w.svc.ListReceived(primary, takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 1,
		Via: takedown.ViaTransfer}); err != nil {
		t.Fatal(err)
	}
	isp := must(w.svc.Records(w.as(w.controller), w.isp1.ID, casework.RecordsFilter{From: from, To: w.clock.Now().Add(time.Hour)}))(t)
	if len(isp.ListUpdates) != 1 || isp.ListUpdates[0].Version != 1 || isp.ListUpdates[0].Via != takedown.ViaTransfer {
		t.Errorf("ISP list updates = %+v", isp.ListUpdates)
	}
}
