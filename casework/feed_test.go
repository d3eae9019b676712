package casework_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// entries writes a feed's entries or changes one a line.
func entries(f *takedown.Feed) string {
	var out string
	for _, e := range f.Entries {
		out += fmt.Sprintf("%s subtree=%v measure=%d\n", e.Target, e.Subtree, e.MeasureID)
	}
	for _, c := range f.Changes {
		sign := "-"
		if c.Added {
			sign = "+"
		}
		out += fmt.Sprintf("%d %s%s measure=%d\n", c.Version, sign, c.Target, c.MeasureID)
	}
	return out
}

// TestFeed: the whole list is the latest version's content, an incremental feed the changes
// since a version; a version not yet published is refused, naming the latest; a list with no
// version is an empty feed of version 0.
func TestFeed(t *testing.T) {
	w := newWorld(t)
	ctx := w.as(w.officer)
	empty := must(w.svc.Feed(ctx, takedown.Blocking, 0))(t)
	if empty.Version != 0 || empty.Entries == nil || len(empty.Entries) != 0 || empty.Changes != nil || !empty.Published.IsZero() {
		t.Fatalf("the feed of a list with no version: %+v", empty)
	}
	b := w.listInForce(w.approvedCase("https://zulu.example/a").ID, takedown.Blocking)
	w.clock.Advance(time.Hour)
	a := w.listInForce(w.approvedCase("https://alpha.example/b").ID, takedown.Blocking)
	must(w.svc.WithdrawMeasure(w.as(w.supervisor), b.ID, "Listed by mistake."))(t)

	full := must(w.svc.Feed(ctx, takedown.Blocking, 0))(t)
	if got, want := entries(full), fmt.Sprintf("alpha.example subtree=false measure=%d\n", a.ID); full.Version != 3 || got != want {
		t.Errorf("whole list at version %d:\n%s\nwant version 3:\n%s", full.Version, got, want)
	}
	if !full.AsOf.Equal(w.clock.Now()) || full.Published.IsZero() || full.List != takedown.Blocking {
		t.Errorf("whole list: %+v", full)
	}
	since := must(w.svc.Feed(ctx, takedown.Blocking, 1))(t)
	if got, want := entries(since), fmt.Sprintf("2 +alpha.example measure=%d\n3 -zulu.example measure=%d\n", a.ID, b.ID); got != want || since.Entries != nil {
		t.Errorf("changes since 1:\n%s\nwant:\n%s", got, want)
	}
	if latest := must(w.svc.Feed(ctx, takedown.Blocking, 3))(t); latest.Changes == nil || len(latest.Changes) != 0 {
		t.Errorf("changes since the latest version: %+v, want none", latest.Changes)
	}
	_, err := w.svc.Feed(ctx, takedown.Blocking, 4)
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "latest version is 3", "not 4")
	_, err = w.svc.Feed(ctx, takedown.Blocking, -1)
	wantCode(t, err, takedown.EINVALID)
	_, err = w.svc.Feed(ctx, takedown.RemovalRequest, 0)
	wantCode(t, err, takedown.EINVALID)
	wantMessage(t, err, "blocking or dereferencing")
	if d := must(w.svc.Feed(ctx, takedown.Dereferencing, 0))(t); d.Version != 0 {
		t.Errorf("the dereferencing list is at version %d, want 0", d.Version)
	}
}

// TestFeedReaders: an operator reads only the lists its kind receives, and its fetch is the
// receipt of the version served; the authority and the controller read any list and
// receive nothing.
func TestFeedReaders(t *testing.T) {
	w := newWorld(t)
	m := w.listInForce(w.approvedCase("https://bad.example/a").ID, takedown.Blocking)
	w.listInForce(w.approvedCase("https://other.example/b").ID, takedown.Dereferencing)
	events := w.countEvents(takedown.EventListReceived)
	for _, u := range []*takedown.User{w.officer, w.supervisor, w.controller} {
		must(w.svc.Feed(w.as(u), takedown.Blocking, 0))(t)
		must(w.svc.Feed(w.as(u), takedown.Dereferencing, 0))(t)
	}
	if n := w.countEvents(takedown.EventListReceived); n != events {
		t.Errorf("the authority's and the controller's reads were recorded as receipts (%d events, had %d)", n, events)
	}

	f := must(w.svc.Feed(w.asOperator(w.isp1), takedown.Blocking, 0))(t)
	if d := w.deliveryTo(m.ID, w.isp1, takedown.PurposeAction); d.State != takedown.DeliveryAcknowledged {
		t.Errorf("after ISP One fetched version %d, its delivery is %s, want acknowledged", f.Version, d.State)
	}
	if d := w.deliveryTo(m.ID, w.isp2, takedown.PurposeAction); d.State != takedown.DeliverySent {
		t.Errorf("ISP Two fetched nothing, but its delivery is %s", d.State)
	}
	must(w.svc.Feed(w.asOperator(w.isp1), takedown.Blocking, 1))(t)
	if n := w.countEvents(takedown.EventListReceived); n != events+2 {
		t.Errorf("%d list.received events after two fetches, want %d", n, events+2)
	}
	status := must(w.svc.Deployment(w.asOperator(w.isp1), takedown.Blocking))(t)
	if len(status) != 1 || status[0].Received == nil || status[0].Received.Version != 1 || status[0].Received.Via != takedown.ViaFeed {
		t.Errorf("ISP One's deployment after its fetch: %+v", status)
	}
	must(w.svc.Feed(w.asOperator(w.search), takedown.Dereferencing, 0))(t)

	for name, tc := range map[string]struct {
		op   *takedown.Operator
		list takedown.MeasureKind
		want []string
	}{
		"an ISP reading the dereferencing list": {w.isp2, takedown.Dereferencing, []string{"the dereferencing list goes to operators of kind search_engine", "(ISP Two) is of kind isp"}},
		"a search engine reading the blocking":  {w.search, takedown.Blocking, []string{"the blocking list goes to operators of kind isp"}},
		"a host reading the blocking list":      {w.host, takedown.Blocking, []string{"(Video Host) is of kind host"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := w.svc.Feed(w.asOperator(tc.op), tc.list, 0)
			wantCode(t, err, takedown.EFORBIDDEN)
			wantMessage(t, err, tc.want...)
		})
	}
	_, err := w.svc.Feed(w.as(w.flagger), takedown.Blocking, 0)
	wantCode(t, err, takedown.EFORBIDDEN)
	_, err = w.svc.Feed(w.as(nil), takedown.Blocking, 0)
	wantCode(t, err, takedown.EUNAUTHORIZED)
}
