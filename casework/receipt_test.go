package casework_test

import (
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// TestListReceived: a resolver's transfer of a version complies with the blocking deliveries
// it carries, and not with later ones; a feed fetch acknowledges them; the deployment status
// shows who is late against the 24-hour deadline; and only the DNS primary and the operator
// itself can record a receipt.
func TestListReceived(t *testing.T) {
	w := newWorld(t)
	dns := w.as(casework.DNSPrimary)
	a := w.listInForce(w.approvedCase("https://first.example/a").ID, takedown.Blocking)
	w.clock.Advance(time.Hour)
	b := w.listInForce(w.approvedCase("https://second.example/b").ID, takedown.Blocking)
	if d := w.deliveryTo(b.ID, w.isp1, takedown.PurposeAction); d.ListVersion != 2 {
		t.Fatalf("the second measure's delivery is carried by version %d, want 2", d.ListVersion)
	}

	must(0, w.svc.ListReceived(dns, takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 1, Via: takedown.ViaTransfer}))(t)
	if d := w.deliveryTo(a.ID, w.isp1, takedown.PurposeAction); d.State != takedown.DeliveryComplied || d.Deadline != takedown.DeadlineMet {
		t.Errorf("after ISP One transferred version 1, measure %d's delivery is %s (%s)", a.ID, d.State, d.Deadline)
	}
	if d := w.deliveryTo(b.ID, w.isp1, takedown.PurposeAction); d.State != takedown.DeliverySent {
		t.Errorf("version 1 does not carry measure %d, but its delivery is %s", b.ID, d.State)
	}
	events := w.countEvents(takedown.EventListReceived)
	must(0, w.svc.ListReceived(dns, takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 1, Via: takedown.ViaSerial}))(t)
	if n := w.countEvents(takedown.EventListReceived); n != events {
		t.Errorf("a resolver announcing the version it has is recorded again (%d events, had %d)", n, events)
	}
	must(0, w.svc.ListReceived(w.asOperator(w.isp2), takedown.ListReceipt{OperatorID: w.isp2.ID, List: takedown.Blocking, Version: 2, Via: takedown.ViaFeed}))(t)
	if d := w.deliveryTo(b.ID, w.isp2, takedown.PurposeAction); d.State != takedown.DeliveryAcknowledged {
		t.Errorf("after ISP Two fetched the feed, its delivery is %s, want acknowledged", d.State)
	}

	w.clock.Advance(25 * time.Hour) // version 2 was published 25 h ago
	status := must(w.svc.Deployment(w.as(w.controller), takedown.Blocking))(t)
	if len(status) != 2 {
		t.Fatalf("deployment of %d ISPs, want 2", len(status))
	}
	one, two := status[0], status[1]
	if one.OperatorID != w.isp1.ID || one.Received.Version != 1 || one.Missing != 2 || !one.Late {
		t.Errorf("ISP One: %+v, want version 1, missing 2, late", one)
	}
	if two.Received.Version != 2 || two.Missing != 0 || two.Late || two.DueAt != nil {
		t.Errorf("ISP Two: %+v, want up to date", two)
	}
	mine := must(w.svc.Deployment(w.asOperator(w.isp2), takedown.Blocking))(t)
	if len(mine) != 1 || mine[0].OperatorID != w.isp2.ID {
		t.Errorf("ISP Two sees %d deployments, want its own", len(mine))
	}

	for name, tc := range map[string]struct {
		ctx  string
		r    takedown.ListReceipt
		code string
	}{
		"another operator's fetch":  {"isp2", takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 1, Via: takedown.ViaFeed}, takedown.EFORBIDDEN},
		"an operator's transfer":    {"isp1", takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 2, Via: takedown.ViaTransfer}, takedown.EFORBIDDEN},
		"a version not published":   {"dns", takedown.ListReceipt{OperatorID: w.isp1.ID, List: takedown.Blocking, Version: 3, Via: takedown.ViaTransfer}, takedown.EINVALID},
		"a host receiving the list": {"dns", takedown.ListReceipt{OperatorID: w.host.ID, List: takedown.Blocking, Version: 2, Via: takedown.ViaTransfer}, takedown.EFORBIDDEN},
	} {
		t.Run(name, func(t *testing.T) {
			c := dns
			switch tc.ctx {
			case "isp1":
				c = w.asOperator(w.isp1)
			case "isp2":
				c = w.asOperator(w.isp2)
			}
			wantCode(t, w.svc.ListReceived(c, tc.r), tc.code)
		})
	}
}
