package casework_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/vault"
)

// TestNextRecheck proves the quarterly re-check date: three calendar months later at the
// same wall-clock time in Paris, clamped to the end of a shorter month (so the interval is
// never longer than the law allows), across daylight-saving changes and year ends, whatever
// zone the input time is in.
func TestNextRecheck(t *testing.T) {
	w := newWorld(t)
	paris := w.svc.Profile().Location()
	at := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, paris) }
	for _, tc := range []struct {
		name     string
		in, want time.Time
	}{
		{"plain date", at(2026, time.April, 10, 10, 0), at(2026, time.July, 10, 10, 0)},
		{"30 November to 28 February", at(2025, time.November, 30, 10, 0), at(2026, time.February, 28, 10, 0)},
		{"30 November to 29 February in a leap year", at(2027, time.November, 30, 10, 0), at(2028, time.February, 29, 10, 0)},
		{"29 November to 29 February in a leap year", at(2027, time.November, 29, 16, 45), at(2028, time.February, 29, 16, 45)},
		{"31 August to 30 November", at(2026, time.August, 31, 9, 15), at(2026, time.November, 30, 9, 15)},
		{"31 December to 31 March", at(2026, time.December, 31, 12, 0), at(2027, time.March, 31, 12, 0)},
		{"across the spring change, late evening", at(2026, time.January, 15, 23, 30), at(2026, time.April, 15, 23, 30)},
		{"across the autumn change, just after midnight", at(2026, time.August, 1, 0, 30), at(2026, time.November, 1, 0, 30)},
		{"first 02:30 of the autumn night", time.Date(2026, time.October, 25, 0, 30, 0, 0, time.UTC), at(2027, time.January, 25, 2, 30)},
		{"second 02:30 of the autumn night", time.Date(2026, time.October, 25, 1, 30, 0, 0, time.UTC), at(2027, time.January, 25, 2, 30)},
		{"year wrap", at(2026, time.November, 15, 8, 0), at(2027, time.February, 15, 8, 0)},
		{"input in UTC on another Paris date", time.Date(2026, time.March, 31, 22, 30, 0, 0, time.UTC), at(2026, time.July, 1, 0, 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := w.svc.NextRecheck(tc.in)
			if !got.Equal(tc.want) {
				t.Errorf("NextRecheck(%v) = %v, want %v", tc.in.In(paris), got.In(paris), tc.want)
			}
			if got.Location() != paris {
				t.Errorf("NextRecheck(%v) is in %v, want the authority's zone", tc.in, got.Location())
			}
		})
	}

	// A date whose quarter ends in the repeated hour of the autumn night keeps the wall clock.
	got := w.svc.NextRecheck(at(2026, time.July, 25, 2, 30)).In(paris)
	if y, mo, d := got.Date(); y != 2026 || mo != time.October || d != 25 || got.Hour() != 2 || got.Minute() != 30 {
		t.Errorf("NextRecheck(25 July 02:30) = %v, want 25 October 02:30", got)
	}
}

// TestRecheckCycle proves the re-check of a list in force: the scheduler records a due
// re-check once per due date, confirming records the re-check and sets the next date, and
// lifting starts a restoration with its deadline at every ISP.
func TestRecheckCycle(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/recheck-1")
	m := w.listInForce(c.ID, takedown.Blocking)
	if got, want := *m.NextRecheck, w.svc.NextRecheck(w.clock.Now()); !got.Equal(want) {
		t.Fatalf("first re-check = %v, want %v", got, want)
	}
	for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
		must(w.svc.Answer(w.asOperator(isp), w.deliveryTo(m.ID, isp, takedown.PurposeAction).ID,
			takedown.AnswerInput{Kind: takedown.AnswerComply}))(t)
	}
	first := *m.NextRecheck

	if res := w.tick(first.Sub(w.clock.Now()) - time.Minute); res.RechecksDue != 0 {
		t.Fatalf("re-checks due a minute early = %d", res.RechecksDue)
	}
	if res := w.tick(time.Minute); res.RechecksDue != 1 {
		t.Fatalf("re-checks due on the date = %d, want 1", res.RechecksDue)
	}
	if res := w.tick(time.Hour); res.RechecksDue != 0 {
		t.Fatalf("second pass recorded the due re-check again: %d", res.RechecksDue)
	}
	if got := w.countEvents(takedown.EventMeasureRecheckDue); got != 1 {
		t.Fatalf("measure.recheck_due events = %d, want 1", got)
	}
	due := mustList(w.svc.Measures(w.as(w.officer), takedown.MeasureFilter{RecheckDue: true}))(t)
	if len(due) != 1 || due[0].ID != m.ID {
		t.Errorf("measures due for re-check = %v", due)
	}

	_, err := w.svc.Recheck(w.as(w.officer), m.ID, takedown.RecheckInput{Outcome: "keep", Reasons: "Still there."})
	wantCode(t, err, takedown.EINVALID)
	_, err = w.svc.Recheck(w.as(w.controller), m.ID, takedown.RecheckInput{Outcome: takedown.RecheckConfirm, Reasons: "Still there."})
	wantCode(t, err, takedown.EFORBIDDEN)
	checkedAt := w.clock.Now()
	m = must(w.svc.Recheck(w.as(w.officer2), m.ID, takedown.RecheckInput{Outcome: takedown.RecheckConfirm,
		Reasons: "The video is still online and still illegal."}))(t)
	if m.LastRecheck == nil || !m.LastRecheck.Equal(checkedAt) {
		t.Errorf("last re-check = %v, want %v", m.LastRecheck, checkedAt)
	}
	if got, want := *m.NextRecheck, w.svc.NextRecheck(checkedAt); !got.Equal(want) {
		t.Errorf("next re-check = %v, want %v", got, want)
	}
	if m.State != takedown.MeasureInForce {
		t.Errorf("confirmed measure = %s", m.State)
	}
	if got := mustList(w.svc.Measures(w.as(w.officer), takedown.MeasureFilter{RecheckDue: true}))(t); len(got) != 0 {
		t.Errorf("still due after confirmation: %d", len(got))
	}
	if res := w.tick(24 * time.Hour); res.RechecksDue != 0 {
		t.Errorf("re-check due right after confirmation: %d", res.RechecksDue)
	}
	if res := w.tick(m.NextRecheck.Sub(w.clock.Now())); res.RechecksDue != 1 {
		t.Fatalf("second quarter: re-checks due = %d, want 1", res.RechecksDue)
	}
	if got := w.countEvents(takedown.EventMeasureRecheckDue); got != 2 {
		t.Errorf("measure.recheck_due events = %d, want one per due date (2)", got)
	}

	liftedAt := w.clock.Now()
	m = must(w.svc.Recheck(w.as(w.officer), m.ID, takedown.RecheckInput{Outcome: takedown.RecheckLift,
		Reasons: "The video was taken down by the host."}))(t)
	if m.State != takedown.MeasureLifted || m.NextRecheck != nil || m.EndedAt == nil {
		t.Fatalf("lifted measure: %s next %v ended %v", m.State, m.NextRecheck, m.EndedAt)
	}
	for _, isp := range []*takedown.Operator{w.isp1, w.isp2} {
		d := w.deliveryTo(m.ID, isp, takedown.PurposeRestoration)
		if !d.HasDeadline || !d.DeadlineAt.Equal(liftedAt.Add(24*time.Hour)) || d.State != takedown.DeliverySent {
			t.Errorf("restoration to %s: %s deadline %v, want sent with 24 h", isp.Name, d.State, d.DeadlineAt)
		}
	}
	_, err = w.svc.Recheck(w.as(w.officer), m.ID, takedown.RecheckInput{Outcome: takedown.RecheckConfirm, Reasons: "Again."})
	wantCode(t, err, takedown.ECONFLICT)
	if res := w.tick(200 * 24 * time.Hour); res.RechecksDue != 0 || res.Overdue != 2 {
		t.Errorf("after lifting: %+v, want no re-check and 2 missed restorations", res)
	}
}

// TestSchedulerRestart proves that the scheduler's work is recorded once even across
// restarts: after closing the store and reopening it on the same file with a new Service,
// Tick finds nothing left to do.
func TestSchedulerRestart(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/restart-1", "https://social.platform.test/v/restart-1")
	w.removalRequest(c.ID)
	order := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalOrder, OperatorID: w.platform.ID})
	// The platform is a shared host: the blocking names the video host only.
	blocking := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Blocking, Targets: []string{"video.host.test"}, PublisherUnidentified: "No legal notice."})
	must(w.svc.ApproveMeasure(w.as(w.supervisor2), blocking.ID))(t)

	// restart closes the store in use and opens a new one, with a new Service, on the same
	// file, as a restarted server would.
	restart := func() {
		t.Helper()
		w.db.Reopen(t)
		v, err := vault.Load(filepath.Join(w.db.Dir, "vault.key"))
		if err != nil {
			t.Fatal(err)
		}
		w.svc = casework.New(w.db, w.svc.Profile(), v)
	}
	tick := func() casework.TickResult {
		t.Helper()
		return must(w.svc.Tick(context.Background()))(t)
	}

	w.clock.Advance(100 * 24 * time.Hour)
	restart()
	// The removal request and both ISPs' blocking deliveries are late; the TCO order is issued
	// now; the blocking's quarterly re-check is due.
	if got, want := tick(), (casework.TickResult{Issued: 1, Overdue: 3, RechecksDue: 1}); got != want {
		t.Fatalf("first pass after restart = %+v, want %+v", got, want)
	}
	events := w.eventCount()
	for i := range 2 {
		restart()
		if got := tick(); got != (casework.TickResult{}) {
			t.Errorf("pass %d after another restart = %+v, want nothing", i+2, got)
		}
	}
	if got := w.eventCount(); got != events {
		t.Errorf("events after restarts = %d, want %d", got, events)
	}

	w.receive(order.ID, w.platform) // the order's hour runs from its receipt
	w.clock.Advance(2 * time.Hour)
	if got, want := tick(), (casework.TickResult{Overdue: 1}); got != want {
		t.Fatalf("after the order's hour = %+v, want %+v", got, want)
	}
	restart()
	if got := tick(); got != (casework.TickResult{}) {
		t.Errorf("after restart = %+v, want nothing", got)
	}
	for _, kind := range []takedown.EventKind{takedown.EventDeliveryOverdue, takedown.EventMeasureRecheckDue} {
		seen := map[string]bool{}
		for _, e := range w.events() {
			if e.Kind != kind {
				continue
			}
			key := string(e.Data)
			if seen[key] {
				t.Errorf("%s recorded twice: %s", kind, key)
			}
			seen[key] = true
		}
	}
}
