package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// TestTransparency: the figures of the procedure run by casework, read back from the real
// store; who may read them; the bad periods.
func TestTransparency(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/watch/1")
	overdue := w.overdueRemoval(c.ID)
	c2 := w.approvedCase("https://video.host.test/watch/2")
	w.listInForce(c2.ID, takedown.Blocking)
	year := w.clock.Now().In(w.svc.Profile().Location()).Year()
	p, err := w.svc.YearPeriod(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.svc.Transparency(w.as(w.controller), p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{
		"reports.received":                        1 + 1,
		"cases.approved":                          2,
		"measures.issued.removal_request":         1,
		"measures.issued.blocking":                1,
		"lists.added.blocking":                    1,
		"deadlines.missed.removal_request":        1,
		"measures.outcome.removal_request.active": 1,
	} {
		if got := f.Count(name); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	ids, err := w.svc.TransparencyTrace(w.as(w.officer), p, "deadlines.missed.removal_request")
	if err != nil || len(ids) != 1 {
		t.Fatalf("trace: %v, %v", ids, err)
	}
	e := w.events()[ids[0]-1]
	if e.Kind != takedown.EventDeliveryOverdue || e.MeasureID != overdue.ID {
		t.Errorf("the missed deadline traces to %s on measure %d", e.Kind, e.MeasureID)
	}

	for _, u := range []*takedown.User{w.operatorUser[w.host.ID], nil} {
		ctx := context.Background()
		if u != nil {
			ctx = w.as(u)
		}
		if _, err := w.svc.Transparency(ctx, p); takedown.ErrorCode(err) == "" {
			t.Errorf("%v reads the detailed figures", u)
		}
	}
	if _, err := w.svc.YearPeriod(context.Background(), year+1); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("next year: %v, want invalid", err)
	}
	if _, err := w.svc.Period(context.Background(), 0, "2026-03-01", "2026-02-01"); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("a period ending before it starts: %v, want invalid", err)
	}
	q, err := w.svc.Period(context.Background(), 0, "2026-03-01", "2026-03-31")
	loc := w.svc.Profile().Location()
	if err != nil || !q.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, loc)) || !q.Before.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("March: %+v, %v", q, err)
	}
	if _, err := w.svc.TransparencyTrace(w.as(w.controller), p, "nothing"); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("an unknown figure: %v, want invalid", err)
	}
}
