package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// TestAnotherJurisdiction proves that the procedure is data: under an invented profile
// (procedure/testdata/example-jurisdiction.json) the same code refuses offences and measures
// that profile lacks, applies its deadlines and recipients, publishes blocking without a
// second approval or a prior removal, and re-checks monthly in Brussels time.
func TestAnotherJurisdiction(t *testing.T) {
	p, err := procedure.Load("../procedure/testdata/example-jurisdiction.json")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldWithProfile(t, p)
	brussels := w.svc.Profile().Location()
	if brussels.String() != "Europe/Brussels" {
		t.Fatalf("zone = %s", brussels)
	}

	_, err = w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://video.host.test/v/ex-1"},
		Offence: "terrorism-apology", Description: "Praises an attack.", GoodFaith: true})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "terrorism-apology", "terrorism-provocation, csam")

	r := must(w.svc.SubmitReport(context.Background(), takedown.ReportInput{URLs: []string{"https://video.host.test/v/ex-1"},
		Offence: "terrorism-provocation", Description: "Calls for attacks.", GoodFaith: true}))(t)
	id := r.URLs[0].CaseID
	must(w.svc.Accept(w.as(w.officer), id))(t)
	// The French checklist means nothing here; Exampleland's own does.
	_, err = w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-provocation",
		Elements: map[string]any{"incitement": true}, Reasons: "Calls for attacks."})
	wantCode(t, err, takedown.EINVALID)
	_, err = w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-provocation",
		Elements: map[string]any{"call_to_act": true, "offence_named": "Bombing of public transport.", "reach": "closed_group"},
		Reasons:  "Calls for attacks."})
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "closed group is a matter for the police")
	must(w.svc.Qualify(w.as(w.officer), id, takedown.QualificationInput{Offence: "terrorism-provocation",
		Elements: map[string]any{"call_to_act": true, "offence_named": "Bombing of public transport.", "reach": "public"},
		Reasons:  "The video calls on viewers to bomb public transport."}))(t)
	must(w.svc.Approve(w.as(w.supervisor), id))(t)

	t.Run("removal request: 12 hours, nobody informed", func(t *testing.T) {
		m := w.removalRequest(id)
		list := w.deliveries(m.ID)
		if len(list) != 1 || list[0].OperatorID != w.host.ID || list[0].Purpose != takedown.PurposeAction {
			t.Fatalf("deliveries = %+v, want only the action to the host", list)
		}
		if got, want := *list[0].DeadlineAt, w.clock.Now().Add(12*time.Hour); !got.Equal(want) {
			t.Errorf("deadline = %v, want %v", got, want)
		}
	})

	t.Run("blocking at once, without approval or prior removal", func(t *testing.T) {
		m := w.issue(id, takedown.MeasureInput{Kind: takedown.Blocking})
		if m.State != takedown.MeasureInForce || m.IssuedAt == nil || m.ApprovedBy != 0 {
			t.Fatalf("blocking = %s issued %v approved by %d, want in force at once", m.State, m.IssuedAt, m.ApprovedBy)
		}
		for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
			d := w.deliveryTo(m.ID, isp, takedown.PurposeAction)
			if got, want := *d.DeadlineAt, w.clock.Now().Add(6*time.Hour); !got.Equal(want) {
				t.Errorf("blocking deadline at %s = %v, want %v", isp.Name, got, want)
			}
		}
		// Issued on Monday 12 January 2026 at 10:00 in Brussels (09:00 UTC).
		want := time.Date(2026, time.February, 12, 10, 0, 0, 0, brussels)
		if !m.NextRecheck.Equal(want) {
			t.Errorf("next re-check = %v, want one month later in Brussels, %v", m.NextRecheck.In(brussels), want)
		}
		if got, want := w.svc.NextRecheck(time.Date(2026, time.January, 31, 23, 30, 0, 0, brussels)),
			time.Date(2026, time.February, 28, 23, 30, 0, 0, brussels); !got.Equal(want) {
			t.Errorf("NextRecheck(31 January 23:30) = %v, want %v", got.In(brussels), want)
		}

		m = must(w.svc.WithdrawMeasure(w.as(w.officer), m.ID, "Blocked in error."))(t)
		d := w.deliveryTo(m.ID, w.isp1, takedown.PurposeRestoration)
		if got, want := *d.DeadlineAt, w.clock.Now().Add(6*time.Hour); !got.Equal(want) {
			t.Errorf("restoration deadline = %v, want %v", got, want)
		}
	})

	t.Run("measures the profile lacks", func(t *testing.T) {
		for _, in := range []takedown.MeasureInput{
			{Kind: takedown.Dereferencing},
			{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID},
			{Kind: takedown.Referral, OperatorID: w.platform.ID},
		} {
			before := w.snapshot()
			_, err := w.svc.IssueMeasure(w.as(w.officer), id, in)
			wantCode(t, err, takedown.EINVALID)
			wantMessage(t, err, "exampleland", "no "+string(in.Kind))
			if w.snapshot() != before {
				t.Errorf("refused %s wrote something", in.Kind)
			}
		}
	})
}
