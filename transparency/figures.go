// Package transparency computes the figures of the procedure over a period from the event
// record alone, so that every figure can be traced to the events it counts (their ids), and
// an auditor can check those events against the audit log with its inclusion proofs. It
// draws them as the controller's annual report and the authority's TCO art. 8 report.
//
// docs/transparency.md defines each figure: which events it counts and how times are
// measured.
package transparency

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// Period is the half-open interval [From, Before).
type Period struct {
	From   time.Time `json:"from"`
	Before time.Time `json:"before"`
}

// Year is the calendar year in the authority's zone.
func Year(year int, loc *time.Location) Period {
	return Period{From: time.Date(year, 1, 1, 0, 0, 0, 0, loc), Before: time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)}
}

// Validate checks that the period is not empty and has begun by now.
func (p Period) Validate(now time.Time) error {
	if p.From.IsZero() || p.Before.IsZero() || !p.From.Before(p.Before) {
		return takedown.Invalid("period", "must have a start before its end")
	}
	if !p.From.Before(now) {
		return takedown.Invalid("period", "starts on %s, in the future: there are no figures yet", p.From.Format(time.DateOnly))
	}
	return nil
}

// EachFunc streams the events of [from, before) of some kinds (all when none), in id order:
// takedown.Tx's EachEvent.
type EachFunc func(from, before time.Time, kinds []takedown.EventKind, fn func(*takedown.Event) error) error

// Config is what the figures need beyond the events.
type Config struct {
	// Location is the authority's zone, for the months.
	Location *time.Location
	// Deadlines are each measure kind's deadline from the operator's receipt (addressed
	// measures) or the list's publication, for the deliveries whose events carry none.
	Deadlines map[takedown.MeasureKind]time.Duration
}

// Figures are the figures of a period. Counts and Times are keyed by the figure's name
// (docs/transparency.md lists them, and Trace takes them); a name absent from Counts is 0.
type Figures struct {
	Period Period `json:"period"`
	// Partial is set when the period was not over at AsOf, the time of the computation.
	Partial bool      `json:"partial"`
	AsOf    time.Time `json:"as_of"`
	// Events is the number of events read in the period.
	Events    int              `json:"events"`
	Counts    map[string]int   `json:"counts"`
	Times     map[string]Times `json:"times"`
	Operators []Operator       `json:"operators"`
	// Missing counts the events whose data lacked a field a figure needs, keyed
	// "missing.<event kind>.<field>" (also in Counts): they are counted where they can be,
	// and left out of the figures that need the field.
	Missing map[string]int `json:"missing"`
}

// Count returns the count of a figure, 0 when absent.
func (f *Figures) Count(name string) int { return f.Counts[name] }

// Sum returns the sum of the counts whose names start with prefix.
func (f *Figures) Sum(prefix string) int {
	n := 0
	for k, v := range f.Counts {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// Times are the durations measured for one figure.
type Times struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// Operator is one operator's handling of the measures addressed or sent to it for action in
// the period.
type Operator struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Sent         int    `json:"sent"`
	Received     int    `json:"received"`
	Complied     int    `json:"complied"`
	Met          int    `json:"met"`
	Missed       int    `json:"missed"`
	CannotComply int    `json:"cannot_comply"`
	Declined     int    `json:"declined"`
	Disputed     int    `json:"disputed"`
}

// contextKinds are read before the period too: the qualifications give the offence of the
// period's reports and measures, the issued measures the kind of the period's re-checks and
// liftings, the operators their names.
var contextKinds = []takedown.EventKind{takedown.EventCaseQualified, takedown.EventMeasureIssued,
	takedown.EventOperatorCreated, takedown.EventOperatorUpdated}

// periodKinds are the kinds the figures count.
var periodKinds = []takedown.EventKind{takedown.EventReportReceived, takedown.EventCaseOpened, takedown.EventCaseQualified,
	takedown.EventCaseApproved, takedown.EventCaseDismissed, takedown.EventCaseClosed, takedown.EventMeasureIssued,
	takedown.EventMeasureComplied, takedown.EventMeasureDeclined, takedown.EventMeasureRechecked, takedown.EventMeasureLifted,
	takedown.EventMeasureWithdrawn, takedown.EventDeliverySent, takedown.EventDeliveryAnswered, takedown.EventDeliveryOverdue,
	takedown.EventRecommendationMade, takedown.EventRecommendationAnswered, takedown.EventRecommendationReferred,
	takedown.EventRecommendationDecided, takedown.EventComplaintReceived, takedown.EventComplaintAnswered,
	takedown.EventOperatorCreated, takedown.EventOperatorUpdated}

// dataless are the kinds whose figures need nothing of their data.
var dataless = map[takedown.EventKind]bool{takedown.EventCaseOpened: true, takedown.EventCaseApproved: true,
	takedown.EventCaseDismissed: true, takedown.EventCaseClosed: true, takedown.EventMeasureComplied: true,
	takedown.EventMeasureDeclined: true, takedown.EventMeasureLifted: true, takedown.EventMeasureWithdrawn: true,
	takedown.EventMeasureRechecked: true, takedown.EventRecommendationReferred: true}

// Compute reads the events before and in the period and returns its figures as of now.
func Compute(each EachFunc, cfg Config, p Period, now time.Time) (*Figures, error) {
	c, err := run(each, cfg, p, now, "")
	if err != nil {
		return nil, err
	}
	return c.figures, nil
}

// Trace returns the ids of the events a figure counts, in id order: for a count, the
// events counted (a list's entries count its measure.issued event once); for a time, both
// ends of each duration measured. An unknown name is invalid; a known one with nothing to
// count gives none.
func Trace(each EachFunc, cfg Config, p Period, now time.Time, figure string) ([]int64, error) {
	if !KnownFigure(figure) {
		return nil, takedown.Invalid("figure", "%q is not a figure (see docs/transparency.md)", figure)
	}
	c, err := run(each, cfg, p, now, figure)
	if err != nil {
		return nil, err
	}
	slices.Sort(c.traced)
	return slices.Compact(c.traced), nil
}

// figurePrefixes are the families of figure names; the part after the prefix is a kind,
// channel, offence, outcome or operator id.
var figurePrefixes = []string{"reports.", "cases.", "measures.", "deadlines.", "time.", "lists.", "recommendations.",
	"complaints.", "operators.", "missing."}

// KnownFigure reports whether name is in one of the families of figures.
func KnownFigure(name string) bool {
	for _, p := range figurePrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

func run(each EachFunc, cfg Config, p Period, now time.Time, trace string) (*counter, error) {
	if err := p.Validate(now); err != nil {
		return nil, err
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	c := newCounter(cfg, p, now, trace)
	if err := each(time.Time{}, p.From, contextKinds, c.context); err != nil {
		return nil, fmt.Errorf("transparency: read the events before the period: %w", err)
	}
	end := p.Before
	if now.Before(end) {
		end = now.Add(time.Nanosecond) // the store's now: nothing later exists
	}
	// Reading the rows and decoding their data take about as long as each other: the
	// counting runs beside the reading, on batches of events (docs/performance.md).
	batches := make(chan []*takedown.Event, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range batches {
			for _, e := range batch {
				c.add(e)
			}
		}
	}()
	batch := make([]*takedown.Event, 0, 1024)
	err := each(p.From, end, periodKinds, func(e *takedown.Event) error {
		if batch = append(batch, e); len(batch) == cap(batch) {
			batches <- batch
			batch = make([]*takedown.Event, 0, 1024)
		}
		return nil
	})
	batches <- batch
	close(batches)
	<-done
	if err != nil {
		return nil, fmt.Errorf("transparency: read the period's events: %w", err)
	}
	c.finish()
	return c, nil
}

// eventData holds the fields of events' data that the figures read; a pointer is nil when
// the field is absent.
type eventData struct {
	Channel    *string               `json:"channel"`
	ReportID   *int64                `json:"report_id"`
	Offence    *string               `json:"offence"`
	Kind       *takedown.MeasureKind `json:"kind"`
	Targets    []json.RawMessage     `json:"targets"`
	DeliveryID *int64                `json:"delivery_id"`
	Purpose    *takedown.Purpose     `json:"purpose"`
	Answer     *takedown.AnswerKind  `json:"answer"`
	DeadlineAt *time.Time            `json:"deadline_at"`
	Follow     *bool                 `json:"follow"`
	Outcome    *string               `json:"outcome"`
	Name       *string               `json:"name"`
	Complaint  *int64                `json:"complaint_id"`
	Recommend  *int64                `json:"recommendation_id"`
	targets    int                   // the number of Targets
}

type measure struct {
	kind       takedown.MeasureKind
	caseID     int64
	issuedID   int64
	inPeriod   bool
	outcome    string
	outcomeID  int64
	operatorID int64
}

type delivery struct {
	kind                         takedown.MeasureKind
	operatorID                   int64
	sentAt, receivedAt, doneAt   time.Time
	sentID, receivedID, doneID   int64
	deadline                     *time.Time
	overdueID                    int64
	answer                       takedown.AnswerKind // the last answer other than acknowledge
	answerID                     int64
	cannotComply, declined, disp int64 // the events of those answers
}

type caseState struct {
	offence  string
	openedAt time.Time
	openedID int64
	decided  bool
}

type counter struct {
	cfg     Config
	p       Period
	trace   string
	traced  []int64
	figures *Figures

	cases      map[int64]*caseState
	measures   map[int64]*measure
	deliveries map[int64]*delivery
	operators  map[int64]string
	reports    map[int64]bool     // reports counted
	reportCase map[int64][2]int64 // report id → its first case, its event
	recs       map[int64]bool     // recommendations made in the period
	complaints map[int64]bool     // complaints received in the period
	durations  map[string][]time.Duration
}

func newCounter(cfg Config, p Period, now time.Time, trace string) *counter {
	f := &Figures{Period: p, AsOf: now, Partial: now.Before(p.Before), Counts: map[string]int{}, Times: map[string]Times{},
		Missing: map[string]int{}}
	return &counter{cfg: cfg, p: p, trace: trace, figures: f, cases: map[int64]*caseState{}, measures: map[int64]*measure{},
		deliveries: map[int64]*delivery{}, operators: map[int64]string{}, reports: map[int64]bool{},
		reportCase: map[int64][2]int64{}, recs: map[int64]bool{}, complaints: map[int64]bool{}, durations: map[string][]time.Duration{}}
}

// count adds n to a figure, and the events to the trace when it is the figure traced.
func (c *counter) count(name string, n int, ids ...int64) {
	c.figures.Counts[name] += n
	if name == c.trace {
		c.traced = append(c.traced, ids...)
	}
}

func (c *counter) duration(name string, d time.Duration, from, to int64) {
	if d < 0 {
		return
	}
	c.durations[name] = append(c.durations[name], d)
	if name == c.trace {
		c.traced = append(c.traced, from, to)
	}
}

func (c *counter) missing(e *takedown.Event, field string) {
	name := "missing." + string(e.Kind) + "." + field
	c.figures.Missing[name]++
	c.count(name, 1, e.ID)
}

func (c *counter) caseOf(id int64) *caseState {
	cs := c.cases[id]
	if cs == nil {
		cs = &caseState{}
		c.cases[id] = cs
	}
	return cs
}

// context takes in an event before the period.
func (c *counter) context(e *takedown.Event) error {
	d := decode(e)
	switch e.Kind {
	case takedown.EventCaseQualified:
		if d.Offence != nil {
			c.caseOf(e.CaseID).offence = *d.Offence
		}
	case takedown.EventMeasureIssued:
		if d.Kind != nil {
			c.measures[e.MeasureID] = &measure{kind: *d.Kind, caseID: e.CaseID, issuedID: e.ID, operatorID: e.OperatorID}
		}
	case takedown.EventOperatorCreated, takedown.EventOperatorUpdated:
		if d.Name != nil {
			c.operators[e.OperatorID] = *d.Name
		}
	}
	return nil
}

// add counts an event of the period.
func (c *counter) add(e *takedown.Event) {
	c.figures.Events++
	var d eventData
	if !dataless[e.Kind] {
		d = decode(e)
	}
	switch e.Kind {
	case takedown.EventReportReceived:
		if d.ReportID == nil {
			c.missing(e, "report_id")
			c.count("reports.received", 1, e.ID)
			break
		}
		if c.reports[*d.ReportID] {
			break // one report joined to several cases has one event per case
		}
		c.reports[*d.ReportID] = true
		c.reportCase[*d.ReportID] = [2]int64{e.CaseID, e.ID}
		c.count("reports.received", 1, e.ID)
		c.count("reports.month."+e.At.In(c.cfg.Location).Format("2006-01"), 1, e.ID)
		if d.Channel == nil || *d.Channel == "" {
			c.missing(e, "channel")
		} else {
			c.count("reports.channel."+*d.Channel, 1, e.ID)
		}
	case takedown.EventCaseOpened:
		cs := c.caseOf(e.CaseID)
		cs.openedAt, cs.openedID = e.At, e.ID
		c.count("cases.opened", 1, e.ID)
	case takedown.EventCaseQualified:
		c.count("cases.qualified", 1, e.ID)
		if d.Offence == nil {
			c.missing(e, "offence")
		} else {
			c.caseOf(e.CaseID).offence = *d.Offence
		}
	case takedown.EventCaseApproved, takedown.EventCaseDismissed:
		name := "cases.approved"
		if e.Kind == takedown.EventCaseDismissed {
			name = "cases.dismissed"
		}
		c.count(name, 1, e.ID)
		cs := c.caseOf(e.CaseID)
		if !cs.decided && cs.openedID != 0 {
			c.duration("time.report_to_decision", e.At.Sub(cs.openedAt), cs.openedID, e.ID)
		}
		cs.decided = true
	case takedown.EventCaseClosed:
		c.count("cases.closed", 1, e.ID)
	case takedown.EventMeasureIssued:
		if d.Kind == nil {
			c.missing(e, "kind")
			break
		}
		m := &measure{kind: *d.Kind, caseID: e.CaseID, issuedID: e.ID, inPeriod: true, operatorID: e.OperatorID}
		c.measures[e.MeasureID] = m
		c.count("measures.issued."+string(m.kind), 1, e.ID)
		if m.kind.IsList() {
			c.count("lists.added."+string(m.kind), d.targets, e.ID)
		}
	case takedown.EventMeasureComplied, takedown.EventMeasureDeclined, takedown.EventMeasureLifted, takedown.EventMeasureWithdrawn:
		m := c.measures[e.MeasureID]
		if m == nil {
			break // a measure issued before the record began
		}
		m.outcome, m.outcomeID = strings.TrimPrefix(string(e.Kind), "measure."), e.ID
		if e.Kind == takedown.EventMeasureLifted && m.kind.IsList() {
			c.count("lists.lifted."+string(m.kind), 1, e.ID)
		}
	case takedown.EventMeasureRechecked:
		if m := c.measures[e.MeasureID]; m != nil {
			c.count("lists.rechecked."+string(m.kind), 1, e.ID)
		}
	case takedown.EventDeliverySent:
		c.deliverySent(e, d)
	case takedown.EventDeliveryAnswered, takedown.EventDeliveryOverdue:
		c.deliveryAnswered(e, d)
	case takedown.EventRecommendationMade:
		c.count("recommendations.made", 1, e.ID)
		if d.Recommend != nil {
			c.recs[*d.Recommend] = true
		}
	case takedown.EventRecommendationAnswered:
		if d.Follow == nil {
			c.missing(e, "follow")
			break
		}
		if d.Recommend != nil && !c.recs[*d.Recommend] {
			break // made before the period: its answer counts with the period it was made in
		}
		if *d.Follow {
			c.count("recommendations.followed", 1, e.ID)
		} else {
			c.count("recommendations.declined", 1, e.ID)
		}
	case takedown.EventRecommendationReferred:
		c.count("recommendations.referred", 1, e.ID)
	case takedown.EventRecommendationDecided:
		if d.Outcome == nil {
			c.missing(e, "outcome")
			break
		}
		c.count("recommendations.decided."+*d.Outcome, 1, e.ID)
	case takedown.EventComplaintReceived:
		c.count("complaints.received", 1, e.ID)
		if d.Complaint != nil {
			c.complaints[*d.Complaint] = true
		}
	case takedown.EventComplaintAnswered:
		if d.Complaint != nil && c.complaints[*d.Complaint] {
			c.count("complaints.answered", 1, e.ID)
		}
	case takedown.EventOperatorCreated, takedown.EventOperatorUpdated:
		if d.Name != nil {
			c.operators[e.OperatorID] = *d.Name
		}
	}
}

func (c *counter) deliverySent(e *takedown.Event, d eventData) {
	if d.Purpose == nil || *d.Purpose != takedown.PurposeAction {
		return // informations, withdrawals and restorations carry no action to measure
	}
	if d.DeliveryID == nil || d.Kind == nil {
		c.missing(e, "delivery_id or kind")
		return
	}
	c.deliveries[*d.DeliveryID] = &delivery{kind: *d.Kind, operatorID: e.OperatorID, sentAt: e.At, sentID: e.ID, deadline: d.DeadlineAt}
	c.count("operators."+strconv.FormatInt(e.OperatorID, 10)+".sent", 1, e.ID)
}

func (c *counter) deliveryAnswered(e *takedown.Event, d eventData) {
	if d.DeliveryID == nil {
		c.missing(e, "delivery_id")
		return
	}
	dv := c.deliveries[*d.DeliveryID]
	if dv == nil {
		return // not an action, or sent before the period
	}
	if d.DeadlineAt != nil {
		dv.deadline = d.DeadlineAt
	}
	if e.Kind == takedown.EventDeliveryOverdue {
		if dv.overdueID == 0 {
			dv.overdueID = e.ID
		}
		return
	}
	if dv.receivedID == 0 {
		dv.receivedAt, dv.receivedID = e.At, e.ID
	}
	if d.Answer == nil {
		c.missing(e, "answer")
		return
	}
	switch *d.Answer {
	case takedown.AnswerComply:
		if dv.doneID == 0 {
			dv.doneAt, dv.doneID = e.At, e.ID
		}
	case takedown.AnswerCannotComply:
		dv.cannotComply = e.ID
	case takedown.AnswerDecline:
		dv.declined = e.ID
	case takedown.AnswerDispute:
		dv.disp = e.ID
	}
}

// finish makes the figures that need the whole period: offences, outcomes, deadlines,
// times, operators.
func (c *counter) finish() {
	for _, first := range c.reportCase {
		if cs := c.cases[first[0]]; cs != nil && cs.offence != "" {
			c.count("reports.offence."+cs.offence, 1, first[1])
		} else {
			c.count("reports.offence.unqualified", 1, first[1])
		}
	}
	for _, m := range c.measures {
		if !m.inPeriod {
			continue
		}
		offence := "unqualified"
		if cs := c.cases[m.caseID]; cs != nil && cs.offence != "" {
			offence = cs.offence
		}
		c.count("measures.offence."+offence, 1, m.issuedID)
		c.count("measures.kind_offence."+string(m.kind)+"."+offence, 1, m.issuedID)
		if m.outcome != "" {
			c.count("measures.outcome."+string(m.kind)+"."+m.outcome, 1, m.outcomeID)
		} else {
			c.count("measures.outcome."+string(m.kind)+".active", 1, m.issuedID)
		}
	}
	for _, dv := range c.deliveries {
		op := "operators." + strconv.FormatInt(dv.operatorID, 10) + "."
		kind := string(dv.kind)
		if dv.receivedID != 0 {
			c.count(op+"received", 1, dv.receivedID)
			c.duration("time.issue_to_receipt."+kind, dv.receivedAt.Sub(dv.sentAt), dv.sentID, dv.receivedID)
		}
		if dv.doneID != 0 {
			c.count(op+"complied", 1, dv.doneID)
			if dv.receivedID != 0 {
				c.duration("time.receipt_to_compliance."+kind, dv.doneAt.Sub(dv.receivedAt), dv.receivedID, dv.doneID)
			}
			c.duration("time.issue_to_compliance."+kind, dv.doneAt.Sub(dv.sentAt), dv.sentID, dv.doneID)
		}
		for _, a := range []struct {
			name string
			id   int64
		}{{"cannot_comply", dv.cannotComply}, {"declined", dv.declined}, {"disputed", dv.disp}} {
			if a.id != 0 {
				c.count(op+a.name, 1, a.id)
			}
		}
		deadline := dv.deadline
		if deadline == nil {
			if d, ok := c.cfg.Deadlines[dv.kind]; ok && d > 0 {
				start := dv.receivedAt
				if dv.kind.IsList() {
					start = dv.sentAt
				}
				if !start.IsZero() {
					at := start.Add(d)
					deadline = &at
				}
			}
		}
		switch {
		case dv.overdueID != 0:
			c.count("deadlines.missed."+kind, 1, dv.overdueID)
			c.count(op+"missed", 1, dv.overdueID)
		case dv.doneID != 0 && deadline != nil && dv.doneAt.After(*deadline):
			c.count("deadlines.missed."+kind, 1, dv.doneID)
			c.count(op+"missed", 1, dv.doneID)
		case dv.doneID != 0 && deadline != nil:
			c.count("deadlines.met."+kind, 1, dv.doneID)
			c.count(op+"met", 1, dv.doneID)
		}
	}
	for name, ds := range c.durations {
		slices.Sort(ds)
		c.figures.Times[name] = Times{N: len(ds), Median: quantile(ds, 0.5), P90: quantile(ds, 0.9)}
	}
	c.figures.Operators = c.operatorFigures()
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

func (c *counter) operatorFigures() []Operator {
	byID := map[int64]*Operator{}
	for name, n := range c.figures.Counts {
		rest, ok := strings.CutPrefix(name, "operators.")
		if !ok {
			continue
		}
		idText, field, _ := strings.Cut(rest, ".")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			continue
		}
		o := byID[id]
		if o == nil {
			o = &Operator{ID: id, Name: c.operators[id]}
			byID[id] = o
		}
		switch field {
		case "sent":
			o.Sent = n
		case "received":
			o.Received = n
		case "complied":
			o.Complied = n
		case "met":
			o.Met = n
		case "missed":
			o.Missed = n
		case "cannot_comply":
			o.CannotComply = n
		case "declined":
			o.Declined = n
		case "disputed":
			o.Disputed = n
		}
	}
	list := make([]Operator, 0, len(byID))
	for _, o := range byID {
		list = append(list, *o)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}
