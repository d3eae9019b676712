package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestOperatorsSeeOnlyWhatIsAddressedToThem: an operator's lists hold only the deliveries and
// measures addressed or notified to it, whatever filter it asks for.
func TestOperatorsSeeOnlyWhatIsAddressedToThem(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/scope", "https://social.platform.test/p/scope")
	removal := w.removalRequest(c.ID)
	referral := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	w.listInForce(c.ID, takedown.Dereferencing)
	for _, op := range []*takedown.Operator{w.host, w.platform, w.isp1, w.search} {
		ctx := w.asOperator(op)
		for _, f := range []takedown.DeliveryFilter{{}, {OperatorID: w.host.ID}, {MeasureID: referral.ID}, {CaseID: c.ID}} {
			list := mustList(w.svc.Deliveries(ctx, f))(t)
			for _, d := range list {
				if d.OperatorID != op.ID {
					t.Errorf("%s listed delivery %d of operator %d with filter %+v", op.Name, d.ID, d.OperatorID, f)
				}
			}
		}
		measures := mustList(w.svc.Measures(ctx, takedown.MeasureFilter{OperatorID: w.host.ID}))(t)
		for _, m := range measures {
			mine := false
			for _, d := range w.deliveries(m.ID) {
				mine = mine || d.OperatorID == op.ID
			}
			if !mine {
				t.Errorf("%s listed measure %d (%s), which it never received", op.Name, m.ID, m.Kind)
			}
		}
	}
	if got := len(mustList(w.svc.Deliveries(w.asOperator(w.isp1), takedown.DeliveryFilter{MeasureID: removal.ID}))(t)); got != 1 {
		t.Errorf("the ISP sees %d deliveries of the removal request, want its own information only", got)
	}
}

// TestOperatorsDoNotSeeMeasuresBeforeIssue: a provider informed 12 hours before its first TCO
// order sees the advance information, not the order's targets or reasons; a proposed list is
// invisible to the ISPs until approved.
func TestOperatorsDoNotSeeMeasuresBeforeIssue(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/early", "https://social.platform.test/p/early")
	order := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID})
	if order.State != takedown.MeasureScheduled {
		t.Fatalf("order state = %s, want scheduled", order.State)
	}
	ctx := w.asOperator(w.platform)
	_, err := w.svc.Measure(ctx, order.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
	if got := mustList(w.svc.Measures(ctx, takedown.MeasureFilter{}))(t); len(got) != 0 {
		t.Errorf("the platform lists %d measures before its order is issued", len(got))
	}
	info := w.deliveryTo(order.ID, w.platform, takedown.PurposeAdvanceInformation)
	d, m, err := w.svc.Notice(ctx, info.ID)
	if err != nil || d.Purpose != takedown.PurposeAdvanceInformation || m != nil {
		t.Fatalf("the advance information shows measure %+v (err %v); want none", m, err)
	}
	w.tick(12*time.Hour + time.Minute)
	if _, m, err = w.svc.Notice(ctx, info.ID); err != nil || m == nil || m.State != takedown.MeasureIssued {
		t.Fatalf("after issue, the platform sees %+v (err %v)", m, err)
	}

	w.overdueRemoval(c.ID)
	proposal := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking})
	_, err = w.svc.Measure(w.asOperator(w.isp1), proposal.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
}

// TestOperatorsSeeTheirOwnLateness: a blocking list is overdue for the ISP that has not applied
// it, not for the one that has.
func TestOperatorsSeeTheirOwnLateness(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/late")
	blocking := w.listInForce(c.ID, takedown.Blocking)
	d := w.deliveryTo(blocking.ID, w.isp1, takedown.PurposeAction)
	must(w.svc.Answer(w.asOperator(w.isp1), d.ID, takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	w.tick(25 * time.Hour)
	for _, tc := range []struct {
		op   *takedown.Operator
		want bool
	}{{w.isp1, false}, {w.isp2, true}} {
		ctx := w.asOperator(tc.op)
		if got := must(w.svc.Measure(ctx, blocking.ID))(t).Overdue; got != tc.want {
			t.Errorf("%s sees overdue = %v, want %v", tc.op.Name, got, tc.want)
		}
		if got := len(mustList(w.svc.Measures(ctx, takedown.MeasureFilter{Overdue: true}))(t)) == 1; got != tc.want {
			t.Errorf("%s lists the measure among its overdue ones: %v, want %v", tc.op.Name, got, tc.want)
		}
	}
	if !must(w.svc.Measure(w.as(w.officer), blocking.ID))(t).Overdue {
		t.Error("the authority does not see the blocking as overdue")
	}
}

// TestOperatorChannelsRefused: a webhook endpoint or search API that is not a plain http(s)
// address is refused with the field and the reason, and changes nothing.
func TestOperatorChannelsRefused(t *testing.T) {
	w := newWorld(t)
	long := "https://hooks.operator.example/" + strings.Repeat("a", takedown.MaxEndpointLength)
	for _, tc := range []struct{ hook, want string }{
		{"ftp://hooks.operator.example/", "https://"},
		{"https://user:secret@hooks.operator.example/", "credentials"},
		{"https:///path-only", "no host"},
		{"https://hooks.operator.example/#frag", "fragment"},
		{"http://[::1", "not an address"},
		{long, "longer than"},
	} {
		before := w.snapshot()
		_, err := w.svc.UpdateOperator(w.as(w.admin), w.host.ID, takedown.OperatorUpdate{Channels: &takedown.ChannelsUpdate{Webhook: &tc.hook}})
		wantField(t, err, "channels.webhook")
		wantMessage(t, err, tc.want)
		if w.snapshot() != before {
			t.Errorf("the refused endpoint %q changed the store", tc.hook)
		}
	}
	api := "https://api.search.example/v1/indexed"
	_, err := w.svc.UpdateOperator(w.as(w.admin), w.search.ID, takedown.OperatorUpdate{Channels: &takedown.ChannelsUpdate{SearchAPI: &api}})
	wantField(t, err, "channels.search_api")
	wantMessage(t, err, "{url}")
	_, err = w.svc.CreateOperator(w.as(w.officer), takedown.OperatorInput{Name: "X", Kind: takedown.KindHost, Contact: "a@b.example",
		Languages: []string{"en"}})
	wantCode(t, err, takedown.EFORBIDDEN)
}

// wantField checks that err is an invalid input error about field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, takedown.EINVALID)
	var e *takedown.Error
	if errors.As(err, &e) && e.Field != field {
		t.Errorf("error about %q, want %q: %v", e.Field, field, err)
	}
}
