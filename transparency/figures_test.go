package transparency

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
)

// record is a hand-built event record, streamed like a store's.
type record []*takedown.Event

func (r record) each(from, before time.Time, kinds []takedown.EventKind, fn func(*takedown.Event) error) error {
	for _, e := range r {
		if (!from.IsZero() && e.At.Before(from)) || (!before.IsZero() && !e.At.Before(before)) {
			continue
		}
		if len(kinds) > 0 && !slices.Contains(kinds, e.Kind) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// eventsBuilder appends events an hour apart unless told.
type eventsBuilder struct {
	r  record
	at time.Time
}

func (b *eventsBuilder) add(kind takedown.EventKind, caseID, measureID, operatorID int64, data map[string]any) int64 {
	raw, _ := json.Marshal(data)
	id := int64(len(b.r) + 1)
	b.r = append(b.r, &takedown.Event{ID: id, At: b.at, Kind: kind, CaseID: caseID, MeasureID: measureID, OperatorID: operatorID, Data: raw})
	return id
}

func (b *eventsBuilder) after(d time.Duration) *eventsBuilder { b.at = b.at.Add(d); return b }

var cfg = Config{Location: time.UTC, Deadlines: map[takedown.MeasureKind]time.Duration{
	takedown.RemovalRequest: 24 * time.Hour, takedown.RemovalOrder: time.Hour, takedown.Blocking: 24 * time.Hour}}

var year = Year(2026, time.UTC)
var now = time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)

// scenario: two reports on one case, one on a case dismissed; a removal request complied
// within its deadline, an order complied late, a blocking lifted after a recommendation.
func scenario() *eventsBuilder {
	b := &eventsBuilder{at: t0}
	b.add(takedown.EventOperatorCreated, 0, 0, 7, map[string]any{"name": "Host Seven", "kind": "host"})
	b.add(takedown.EventCaseOpened, 1, 0, 0, map[string]any{"urls": 1})
	b.add(takedown.EventReportReceived, 1, 0, 0, map[string]any{"report_id": 1, "channel": "public"})
	b.after(time.Hour)
	b.add(takedown.EventReportReceived, 1, 0, 0, map[string]any{"report_id": 2, "channel": "flagger"})
	b.add(takedown.EventCaseOpened, 2, 0, 0, map[string]any{"urls": 1})
	b.add(takedown.EventReportReceived, 2, 0, 0, map[string]any{"report_id": 3, "channel": "public"})
	b.after(time.Hour)
	b.add(takedown.EventCaseQualified, 1, 0, 0, map[string]any{"offence": "terrorism_apology"})
	b.add(takedown.EventCaseDismissed, 2, 0, 0, map[string]any{"reasons": "lawful"})
	b.after(2 * time.Hour)
	b.add(takedown.EventCaseApproved, 1, 0, 0, map[string]any{})
	// A removal request: received after 1 h, complied 2 h later (deadline 24 h from receipt).
	b.add(takedown.EventMeasureIssued, 1, 10, 7, map[string]any{"kind": "removal_request", "targets": []string{"https://a.example/x"}})
	b.add(takedown.EventDeliverySent, 1, 10, 7, map[string]any{"delivery_id": 100, "kind": "removal_request", "purpose": "action"})
	b.add(takedown.EventDeliverySent, 1, 10, 8, map[string]any{"delivery_id": 101, "kind": "removal_request", "purpose": "information"})
	b.after(time.Hour)
	b.add(takedown.EventDeliveryAnswered, 1, 10, 7, map[string]any{"delivery_id": 100, "answer": "acknowledge"})
	b.after(2 * time.Hour)
	b.add(takedown.EventDeliveryAnswered, 1, 10, 7, map[string]any{"delivery_id": 100, "answer": "comply"})
	b.add(takedown.EventMeasureComplied, 1, 10, 7, map[string]any{"delivery_id": 100})
	// A removal order: received at once, overdue, complied late.
	b.add(takedown.EventMeasureIssued, 1, 11, 7, map[string]any{"kind": "removal_order", "targets": []string{"https://a.example/y"}})
	b.add(takedown.EventDeliverySent, 1, 11, 7, map[string]any{"delivery_id": 102, "kind": "removal_order", "purpose": "action"})
	b.after(10 * time.Minute)
	b.add(takedown.EventDeliveryAnswered, 1, 11, 7, map[string]any{"delivery_id": 102, "answer": "acknowledge", "deadline_at": b.at.Add(time.Hour)})
	b.after(2 * time.Hour)
	b.add(takedown.EventDeliveryOverdue, 1, 11, 7, map[string]any{"delivery_id": 102})
	b.add(takedown.EventDeliveryAnswered, 1, 11, 7, map[string]any{"delivery_id": 102, "answer": "comply"})
	b.add(takedown.EventMeasureComplied, 1, 11, 7, map[string]any{"delivery_id": 102})
	// A blocking of two names, re-checked, recommended for lifting, followed.
	b.add(takedown.EventMeasureIssued, 1, 12, 0, map[string]any{"kind": "blocking", "targets": []string{"a.example", "b.example"}})
	b.after(24 * time.Hour)
	b.add(takedown.EventMeasureRechecked, 1, 12, 0, map[string]any{"outcome": "confirm"})
	b.add(takedown.EventRecommendationMade, 1, 12, 0, map[string]any{"recommendation_id": 5})
	b.add(takedown.EventRecommendationAnswered, 1, 12, 0, map[string]any{"recommendation_id": 5, "follow": true})
	b.add(takedown.EventMeasureLifted, 1, 12, 0, map[string]any{"reasons": "followed"})
	b.add(takedown.EventRecommendationMade, 1, 10, 0, map[string]any{"recommendation_id": 6})
	b.add(takedown.EventRecommendationAnswered, 1, 10, 0, map[string]any{"recommendation_id": 6, "follow": false})
	b.add(takedown.EventRecommendationReferred, 1, 10, 0, map[string]any{"recommendation_id": 6, "court": "TA Paris"})
	b.add(takedown.EventRecommendationDecided, 1, 10, 0, map[string]any{"recommendation_id": 6, "outcome": "annulled"})
	b.add(takedown.EventComplaintReceived, 1, 0, 0, map[string]any{"complaint_id": 1})
	b.add(takedown.EventComplaintAnswered, 1, 0, 0, map[string]any{"complaint_id": 1})
	return b
}

func TestCounts(t *testing.T) {
	b := scenario()
	f, err := Compute(b.r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{
		"reports.received":                          3,
		"reports.channel.public":                    2,
		"reports.channel.flagger":                   1,
		"reports.offence.terrorism_apology":         2,
		"reports.offence.unqualified":               1,
		"reports.month.2026-03":                     3,
		"cases.opened":                              2,
		"cases.qualified":                           1,
		"cases.approved":                            1,
		"cases.dismissed":                           1,
		"measures.issued.removal_request":           1,
		"measures.issued.removal_order":             1,
		"measures.issued.blocking":                  1,
		"measures.offence.terrorism_apology":        3,
		"measures.outcome.removal_request.complied": 1,
		"measures.outcome.removal_order.complied":   1,
		"measures.outcome.blocking.lifted":          1,
		"deadlines.met.removal_request":             1,
		"deadlines.missed.removal_order":            1,
		"lists.added.blocking":                      2,
		"lists.rechecked.blocking":                  1,
		"lists.lifted.blocking":                     1,
		"recommendations.made":                      2,
		"recommendations.followed":                  1,
		"recommendations.declined":                  1,
		"recommendations.referred":                  1,
		"recommendations.decided.annulled":          1,
		"complaints.received":                       1,
		"complaints.answered":                       1,
	} {
		if got := f.Count(name); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if f.Partial != true {
		t.Errorf("Partial = false for a year not over")
	}
	if len(f.Missing) != 0 {
		t.Errorf("Missing = %v, want none", f.Missing)
	}
}

func TestTimes(t *testing.T) {
	f, err := Compute(scenario().r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]Times{
		"time.report_to_decision":                    {N: 2, Median: time.Hour, P90: 4 * time.Hour},
		"time.issue_to_receipt.removal_request":      {N: 1, Median: time.Hour, P90: time.Hour},
		"time.receipt_to_compliance.removal_request": {N: 1, Median: 2 * time.Hour, P90: 2 * time.Hour},
		"time.issue_to_receipt.removal_order":        {N: 1, Median: 10 * time.Minute, P90: 10 * time.Minute},
	} {
		if got := f.Times[name]; got != want {
			t.Errorf("%s = %+v, want %+v", name, got, want)
		}
	}
}

func TestOperators(t *testing.T) {
	f, err := Compute(scenario().r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []Operator{{ID: 7, Name: "Host Seven", Sent: 2, Received: 2, Complied: 2, Met: 1, Missed: 1}}
	if !slices.Equal(f.Operators, want) {
		t.Errorf("Operators = %+v, want %+v", f.Operators, want)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := quantile(ds, 0.5); got != 5 {
		t.Errorf("median = %d, want 5", got)
	}
	if got := quantile(ds, 0.9); got != 9 {
		t.Errorf("p90 = %d, want 9", got)
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("median of none = %d", got)
	}
}

func TestTrace(t *testing.T) {
	b := scenario()
	for figure, kind := range map[string]takedown.EventKind{
		"reports.channel.public":           takedown.EventReportReceived,
		"measures.issued.blocking":         takedown.EventMeasureIssued,
		"recommendations.decided.annulled": takedown.EventRecommendationDecided,
		"deadlines.missed.removal_order":   takedown.EventDeliveryOverdue,
	} {
		ids, err := Trace(b.r.each, cfg, year, now, figure)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := Compute(b.r.each, cfg, year, now)
		if len(ids) != f.Count(figure) {
			t.Errorf("%s: %d events traced, count %d", figure, len(ids), f.Count(figure))
		}
		for _, id := range ids {
			if b.r[id-1].Kind != kind {
				t.Errorf("%s traces event %d, a %s", figure, id, b.r[id-1].Kind)
			}
		}
	}
	ids, err := Trace(b.r.each, cfg, year, now, "time.issue_to_receipt.removal_request")
	if err != nil || len(ids) != 2 {
		t.Errorf("a time traces both ends: %v, %v", ids, err)
	}
	if _, err := Trace(b.r.each, cfg, year, now, "nonsense"); takedown.ErrorCode(err) != takedown.EINVALID {
		t.Errorf("an unknown figure: %v, want invalid", err)
	}
}

func TestBadInput(t *testing.T) {
	b := scenario()
	t.Run("future year", func(t *testing.T) {
		_, err := Compute(b.r.each, cfg, Year(2027, time.UTC), now)
		if takedown.ErrorCode(err) != takedown.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})
	t.Run("empty period", func(t *testing.T) {
		_, err := Compute(b.r.each, cfg, Period{From: t0, Before: t0}, now)
		if takedown.ErrorCode(err) != takedown.EINVALID {
			t.Errorf("err = %v, want invalid", err)
		}
	})
	t.Run("no data", func(t *testing.T) {
		f, err := Compute(b.r.each, cfg, Year(2025, time.UTC), now)
		if err != nil {
			t.Fatal(err)
		}
		if f.Events != 0 || f.Partial || f.Count("reports.received") != 0 {
			t.Errorf("an empty past year: %+v", f)
		}
	})
	t.Run("partial", func(t *testing.T) {
		f, err := Compute(b.r.each, cfg, year, t0.Add(30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !f.Partial || f.Count("reports.received") != 1 {
			t.Errorf("as of 30 minutes in: partial %v, %d reports, want 1", f.Partial, f.Count("reports.received"))
		}
	})
	t.Run("missing fields", func(t *testing.T) {
		b := &eventsBuilder{at: t0}
		b.add(takedown.EventReportReceived, 1, 0, 0, map[string]any{"report_id": 1})
		b.add(takedown.EventMeasureIssued, 1, 2, 0, map[string]any{"targets": []string{"x"}})
		b.add(takedown.EventRecommendationAnswered, 1, 2, 0, map[string]any{})
		b.r = append(b.r, &takedown.Event{ID: 4, At: t0, Kind: takedown.EventReportReceived, CaseID: 1, Data: json.RawMessage(`not json`)})
		f, err := Compute(b.r.each, cfg, year, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Count("reports.received"); got != 2 {
			t.Errorf("reports.received = %d, want 2 (counted without their channel or id)", got)
		}
		for name, want := range map[string]int{"missing.report.received.channel": 1, "missing.report.received.report_id": 1,
			"missing.measure.issued.kind": 1, "missing.recommendation.answered.follow": 1} {
			if got := f.Missing[name]; got != want {
				t.Errorf("%s = %d, want %d (all: %v)", name, got, want, f.Missing)
			}
		}
	})
	t.Run("store error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := Compute(func(time.Time, time.Time, []takedown.EventKind, func(*takedown.Event) error) error { return boom }, cfg, year, now)
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want boom", err)
		}
	})
}

func TestContextBeforePeriod(t *testing.T) {
	// A case qualified and a blocking issued in 2025, lifted in 2026: the lifting counts in
	// 2026 with the blocking's kind; the measure is not counted as issued in 2026.
	b := &eventsBuilder{at: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)}
	b.add(takedown.EventCaseQualified, 1, 0, 0, map[string]any{"offence": "child_abuse"})
	b.add(takedown.EventMeasureIssued, 1, 5, 0, map[string]any{"kind": "blocking", "targets": []string{"a.example"}})
	b.at = t0
	b.add(takedown.EventMeasureLifted, 1, 5, 0, map[string]any{})
	f, err := Compute(b.r.each, cfg, year, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Count("lists.lifted.blocking") != 1 || f.Count("measures.issued.blocking") != 0 || f.Count("lists.added.blocking") != 0 {
		t.Errorf("counts = %v", f.Counts)
	}
}
