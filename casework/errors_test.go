package casework_test

import (
	"context"
	"testing"

	"github.com/takedown-project/takedown"
)

// TestNothingWrittenOnError proves that a refused operation is all-or-nothing: for one
// refusal on each error path (unauthorized, forbidden, invalid, not found, conflict,
// precondition), the record and every stored object are exactly as before.
func TestNothingWrittenOnError(t *testing.T) {
	w := newWorld(t)
	fresh := w.report("https://video.host.test/v/err-new").URLs[0].CaseID

	awaiting := w.report("https://video.host.test/v/err-awaiting").URLs[0].CaseID
	must(w.svc.Accept(w.as(w.supervisor), awaiting))(t)
	must(w.svc.Qualify(w.as(w.supervisor), awaiting, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: apologyElements(), Reasons: "Glorifies the attackers."}))(t)

	approved := w.approvedCase("https://video.host.test/v/err-approved", "https://social.platform.test/v/err-approved").ID
	removal := w.removalRequest(approved)
	action := w.deliveryTo(removal.ID, w.host, takedown.PurposeAction)
	information := w.deliveryTo(removal.ID, w.isp1, takedown.PurposeInformation)
	rec := must(w.svc.Recommend(w.as(w.controller), removal.ID, "The content is satire."))(t)
	proposed := w.issue(approved, takedown.MeasureInput{Kind: takedown.Dereferencing, PublisherUnidentified: "No legal notice."})

	held := w.approvedCase("https://video.host.test/v/err-held", "https://social.platform.test/v/err-held").ID
	heldOrder := w.issue(held, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID})
	must(w.svc.PlaceHold(w.as(w.officer), held, takedown.HoldInput{Reference: "INV-2026-0999", Reasons: "Investigation."}))(t)

	done := w.approvedCase("https://video.host.test/v/err-done", "https://social.platform.test/v/err-done").ID
	complied := w.removalRequest(done)
	compliedAction := w.deliveryTo(complied.ID, w.host, takedown.PurposeAction)
	must(w.svc.Answer(w.asOperator(w.host), compliedAction.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)

	public := context.Background()
	reportIn := func(offence string) takedown.ReportInput {
		return takedown.ReportInput{URLs: []string{"https://video.host.test/v/err-report"}, Offence: offence,
			Description: "A video.", Contact: "someone@mail.example", GoodFaith: true}
	}
	for _, tc := range []struct {
		name string
		code string
		op   func() error
	}{
		{"public accepts a case", takedown.EUNAUTHORIZED, func() error { _, err := w.svc.Accept(public, fresh); return err }},
		{"public answers a delivery", takedown.EUNAUTHORIZED, func() error {
			_, err := w.svc.Answer(public, action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply})
			return err
		}},
		{"officer approves", takedown.EFORBIDDEN, func() error { _, err := w.svc.Approve(w.as(w.officer), awaiting); return err }},
		{"qualifier approves", takedown.EFORBIDDEN, func() error { _, err := w.svc.Approve(w.as(w.supervisor), awaiting); return err }},
		{"proposer approves", takedown.EFORBIDDEN, func() error {
			_, err := w.svc.ApproveMeasure(w.as(w.officer), proposed.ID)
			return err
		}},
		{"other operator answers", takedown.EFORBIDDEN, func() error {
			_, err := w.svc.Answer(w.asOperator(w.platform), action.ID, takedown.AnswerInput{Kind: takedown.AnswerComply})
			return err
		}},
		{"admin reports", takedown.EFORBIDDEN, func() error {
			_, err := w.svc.SubmitReport(w.as(w.admin), reportIn("csam"))
			return err
		}},
		{"officer recommends", takedown.EFORBIDDEN, func() error {
			_, err := w.svc.Recommend(w.as(w.officer), removal.ID, "Self-review.")
			return err
		}},
		{"report of an unknown offence", takedown.EINVALID, func() error {
			_, err := w.svc.SubmitReport(public, reportIn("defamation"))
			return err
		}},
		{"qualification without an element", takedown.EINVALID, func() error {
			el := apologyElements()
			delete(el, "predicate_act_is_terrorist")
			_, err := w.svc.Qualify(w.as(w.officer), fresh, takedown.QualificationInput{Offence: "terrorism-apology", Elements: el, Reasons: "x"})
			return err
		}},
		{"removal request to an ISP", takedown.EINVALID, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), done, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.isp2.ID})
			return err
		}},
		{"first removal order to an ISP", takedown.EINVALID, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), done, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.isp2.ID})
			return err
		}},
		{"blocking a path", takedown.EINVALID, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), approved, takedown.MeasureInput{Kind: takedown.Blocking,
				Targets: []string{"https://video.host.test/v/err-approved"}, PublisherUnidentified: "No legal notice."})
			return err
		}},
		{"cannot comply without reason", takedown.EINVALID, func() error {
			_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply, Text: "No."})
			return err
		}},
		{"declining a removal request", takedown.EINVALID, func() error {
			_, err := w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerDecline, Text: "No."})
			return err
		}},
		{"complying with an information", takedown.EINVALID, func() error {
			_, err := w.svc.Answer(w.asOperator(w.isp1), information.ID, takedown.AnswerInput{Kind: takedown.AnswerComply})
			return err
		}},
		{"declining a recommendation without reasons", takedown.EINVALID, func() error {
			_, err := w.svc.AnswerRecommendation(w.as(w.supervisor), rec.ID, takedown.RecommendationAnswer{})
			return err
		}},
		{"unknown case", takedown.ENOTFOUND, func() error { _, err := w.svc.Accept(w.as(w.officer), 9999); return err }},
		{"unknown delivery", takedown.ENOTFOUND, func() error {
			_, err := w.svc.Answer(w.asOperator(w.host), 9999, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge})
			return err
		}},
		{"unknown measure", takedown.ENOTFOUND, func() error {
			_, err := w.svc.WithdrawMeasure(w.as(w.officer), 9999, "Gone.")
			return err
		}},
		{"accepting an approved case", takedown.ECONFLICT, func() error { _, err := w.svc.Accept(w.as(w.officer), approved); return err }},
		{"second hold", takedown.ECONFLICT, func() error {
			_, err := w.svc.PlaceHold(w.as(w.officer), held, takedown.HoldInput{Reference: "INV-2", Reasons: "Again."})
			return err
		}},
		{"release without hold", takedown.ECONFLICT, func() error { _, err := w.svc.ReleaseHold(w.as(w.officer), approved, "None."); return err }},
		{"duplicate removal request", takedown.ECONFLICT, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), approved, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
			return err
		}},
		{"answer after complied", takedown.ECONFLICT, func() error {
			_, err := w.svc.Answer(w.asOperator(w.host), compliedAction.ID, takedown.AnswerInput{Kind: takedown.AnswerComply})
			return err
		}},
		{"second open recommendation", takedown.ECONFLICT, func() error {
			_, err := w.svc.Recommend(w.as(w.controller), removal.ID, "Again.")
			return err
		}},
		{"court before decline", takedown.ECONFLICT, func() error {
			_, err := w.svc.ReferToCourt(w.as(w.controller), rec.ID, takedown.CourtReferralInput{Court: "TA", Reference: "1"})
			return err
		}},
		{"withdrawing a complied request", takedown.ECONFLICT, func() error {
			_, err := w.svc.WithdrawMeasure(w.as(w.officer), complied.ID, "Too late.")
			return err
		}},
		{"clarifying an answered delivery", takedown.ECONFLICT, func() error {
			_, err := w.svc.Clarify(w.as(w.officer), compliedAction.ID, "Nothing to clarify.")
			return err
		}},
		{"measure on a held case", takedown.EPRECONDITION, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), held, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
			return err
		}},
		{"measure before approval", takedown.EPRECONDITION, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), awaiting, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
			return err
		}},
		{"blocking before an overdue removal", takedown.EPRECONDITION, func() error {
			_, err := w.svc.IssueMeasure(w.as(w.officer), approved, takedown.MeasureInput{Kind: takedown.Blocking})
			return err
		}},
		{"closing with an active measure", takedown.EPRECONDITION, func() error {
			_, err := w.svc.Close(w.as(w.officer), approved, "Done.")
			return err
		}},
		{"closing with a scheduled order on hold", takedown.EPRECONDITION, func() error {
			_, err := w.svc.Close(w.as(w.officer), held, "Done.")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, events := w.snapshot(), w.eventCount()
			err := tc.op()
			wantCode(t, err, tc.code)
			if got := w.eventCount(); got != events {
				t.Errorf("events = %d after the refusal, want %d", got, events)
			}
			if w.snapshot() != before {
				t.Error("the refused operation changed the store")
			}
		})
	}
	if got := w.measure(heldOrder.ID).State; got != takedown.MeasureScheduled {
		t.Errorf("held order = %s, want scheduled", got)
	}
}
