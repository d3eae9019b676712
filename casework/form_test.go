package casework_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
)

// TestFormOfEveryDelivery builds the official form of every delivery a procedure sends —
// removal request with non-disclosure, first TCO order (advance information, then the order),
// referral, blocking, withdrawal — and checks each against the fields the procedure profile
// requires, in every format.
func TestFormOfEveryDelivery(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/form-1", "https://social.platform.test/v/form-1")
	until := w.clock.Now().Add(14 * 24 * time.Hour)
	for _, in := range []takedown.MeasureInput{
		{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID, NonDisclosureUntil: ptr(w.clock.Now().Add(7 * 7 * 24 * time.Hour))},
		{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID, NonDisclosureUntil: ptr(w.clock.Now().Add(-time.Hour))},
		{Kind: takedown.RemovalRequest, OperatorID: w.host.ID, NonDisclosureUntil: &until},
	} {
		_, err := w.svc.IssueMeasure(w.as(w.officer), c.ID, in)
		wantCode(t, err, takedown.EINVALID)
	}
	removal := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	order := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID, NonDisclosureUntil: &until})
	w.tick(13 * time.Hour) // the order is issued after the advance information
	w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	blocked := w.approvedCase("https://video.host.test/v/form-2")
	w.overdueRemoval(blocked.ID)
	w.listInForce(blocked.ID, takedown.Blocking)
	must(w.svc.WithdrawMeasure(w.as(w.officer), removal.ID, "Issued in error."))(t)

	seen := map[string]bool{}
	for _, d := range mustList(w.svc.Deliveries(w.as(w.controller), takedown.DeliveryFilter{Page: takedown.Page{Limit: 500}}))(t) {
		n := must(w.svc.Form(w.as(w.controller), d.ID))(t)
		n.AnswerURL = "https://authority.example/api/v1/deliveries/1/answer"
		id := forms.FormID(d.Kind, d.Purpose)
		seen[id] = true
		if err := n.Validate(); err != nil {
			t.Errorf("delivery %d (%s): %v", d.ID, id, err)
			continue
		}
		if rule, ok := w.svc.Profile().Measure(d.Kind); ok && d.Purpose == takedown.PurposeAction {
			if err := n.Complete(rule.Form); err != nil {
				t.Errorf("delivery %d (%s) lacks a required field: %v", d.ID, id, err)
			}
		}
		var html, pdf bytes.Buffer
		if err := forms.HTML(&html, *n); err != nil {
			t.Errorf("delivery %d: HTML: %v", d.ID, err)
		}
		if err := forms.PDF(&pdf, *n); err != nil {
			t.Errorf("delivery %d: PDF: %v", d.ID, err)
		}
		if d.Purpose == takedown.PurposeAdvanceInformation && strings.Contains(html.String(), "form-1") {
			t.Errorf("the advance information names the order's address")
		}
		if d.MeasureID == order.ID && d.Purpose == takedown.PurposeAction && !strings.Contains(html.String(), n.Reference) {
			t.Errorf("the order's form lacks its reference %s", n.Reference)
		}
		if d.MeasureID == order.ID && d.Purpose == takedown.PurposeAction && (!n.NonDisclosure || !n.NonDisclosureUntil.Equal(until)) {
			t.Errorf("the order's form lacks its non-disclosure")
		}
	}
	for _, id := range []string{forms.FormRemovalRequest, forms.FormRemovalOrder, forms.FormAdvanceInformation, forms.FormReferral,
		forms.FormBlocking, forms.FormInformation, forms.FormWithdrawal} {
		if !seen[id] {
			t.Errorf("no delivery used the form %s", id)
		}
	}
	_, err := w.svc.Form(w.asOperator(w.platform), w.deliveryTo(removal.ID, w.host, takedown.PurposeAction).ID)
	wantCode(t, err, takedown.EFORBIDDEN)
}

func ptr[T any](v T) *T { return &v }

// TestRemovalOrderIsForTerroristContent: a TCO removal order on child sexual abuse material
// (outside the Regulation, no art. 2(7) category) is refused; a removal request is the way.
func TestRemovalOrderIsForTerroristContent(t *testing.T) {
	w := newWorld(t)
	r := must(w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://video.host.test/v/csam-1"},
		Offence: "csam", Description: "Synthetic test report.", GoodFaith: true}))(t)
	id := r.URLs[0].CaseID
	must(w.svc.Accept(w.as(w.officer), id))(t)
	must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "csam",
		Elements: map[string]any{"minor_depicted": true, "pornographic_character": true, "public_character": true},
		Reasons:  "Synthetic: the images depict minors."}))(t)
	must(w.svc.Approve(w.as(w.supervisor), id))(t)
	_, err := w.svc.IssueMeasure(w.as(w.officer), id, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.host.ID})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "terrorist content", "removal request")
	w.issue(id, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
}
